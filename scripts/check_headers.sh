#!/usr/bin/env bash
# Checks that every public header compiles on its own (clang 14, -fsyntax-only): one
# translation unit per header, two at a time; about 4 minutes on two cores. CI runs it;
# run it after adding or re-including headers. (The CMake header tests,
# XPORT_HEADER_TESTS=ON, do the same with the build's compiler.)
set -euo pipefail
cd "$(dirname "$0")/.."
find include/xport -name '*.hpp' -not -path '*/detail/*' -not -name '*cuda*' \
  | grep -vE 'kernels/cpu/' | sed 's|^include/||' | sort \
  | xargs -P "${JOBS:-2}" -I{} sh -c 'printf "#include <{}>\n" | clang++ -std=c++20 -fsyntax-only -Iinclude -x c++ - || { echo "not self-contained: {}"; exit 255; }'
echo "every public header compiles on its own"
