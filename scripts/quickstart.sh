#!/usr/bin/env bash
# README command 1: installs what is missing, builds examples/quickstart.cpp and runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/deps.sh"
source "$root/scripts/configure.sh"
cmake --build "$build" --target example_quickstart
"$build/examples/example_quickstart"
