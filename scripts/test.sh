#!/usr/bin/env bash
# README command 2: installs what is missing, builds everything and runs the whole test
# suite with CTest. Environment: BUILD_DIR (default build/), BUILD_TYPE (default Debug),
# XPORT_SANITIZE=1 for an ASan+UBSan build, JOBS (default: the number of cores),
# TESTS_EXCLUDE (a CTest -E regex), BUILD_TARGETS (build only these targets),
# BENCHMARKS=1 to build the benchmarks too (they are programs, not tests), HEADER_TESTS=0
# to skip compiling each public header on its own; CXX picks the compiler of a new build
# directory. Arguments go to CMake's configure step, e.g.
#   BUILD_TYPE=Release bash scripts/test.sh -DCMAKE_CXX_FLAGS_RELEASE='-O2 -DNDEBUG'
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/deps.sh"
sanitize=(-DXPORT_SANITIZE=OFF -DXPORT_BUILD_BENCHMARKS="$([ "${BENCHMARKS:-0}" = 1 ] && echo ON || echo OFF)")
# Benchmarks mean nothing under sanitizers: the sanitizer build skips them.
[ "${XPORT_SANITIZE:-0}" = 1 ] && sanitize=(-DXPORT_SANITIZE=ON -DXPORT_BUILD_BENCHMARKS=OFF)
source "$root/scripts/configure.sh" "${sanitize[@]}" -DXPORT_HEADER_TESTS="$([ "${HEADER_TESTS:-1}" = 0 ] && echo OFF || echo ON)" "$@"
jobs="${JOBS:-$(nproc)}"
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j "$jobs" "${targets[@]}"
exclude=()
[ -n "${TESTS_EXCLUDE:-}" ] && exclude=(-E "$TESTS_EXCLUDE")
ctest --test-dir "$build" --output-on-failure -j "$jobs" "${exclude[@]}"
