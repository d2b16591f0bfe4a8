#!/usr/bin/env bash
# Builds the libFuzzer target over xport::load (clang, ASan+UBSan) and runs it for
# FUZZ_SECONDS (default 45) on a seed corpus: the golden archives and their program JSON.
#   bash fuzz/run.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-45}
mkdir -p "$out/corpus"
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude fuzz/load.cpp -o "$out/fuzz_load"
cp tests/serde/golden/*.xpt fuzz/corpus/* "$out/corpus/"
# Runs clean when no crash, leak, sanitizer report or timeout was found; libFuzzer prints
# the number of executions ("Done N runs").
"$out/fuzz_load" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 "$out/corpus" 2>&1 | tail -n 25
