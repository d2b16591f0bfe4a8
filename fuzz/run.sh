#!/usr/bin/env bash
# Builds xport's libFuzzer targets (clang, ASan+UBSan) and runs each for FUZZ_SECONDS
# (default 45) from the repository's corpus; fails on any crash, sanitizer report, leak,
# timeout or exception other than xport::error. See docs/fuzzing.md.
#   bash fuzz/run.sh [build-dir]        FUZZ_TARGETS="load program dims" (default: all)
#
# Before fuzzing, each target runs its regression inputs (fuzz/regressions/<target>/:
# inputs that once crashed it). New corpus entries go to <build-dir>/corpus-<target>;
# `bash fuzz/run.sh` followed by `-merge=1` into fuzz/corpus/<target> grows the kept corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-45}
targets=${FUZZ_TARGETS:-load load_pt2 program dims}
mkdir -p "$out/kernels"
cxx=(clang++ -std=c++20 -g -fno-sanitize-recover=undefined -Iinclude -Itests)
command -v ccache >/dev/null && cxx=(ccache "${cxx[@]}")

# The CPU kernels, which the load target calls: objects, cached by ccache, at -O0: with
# the sanitizers, -O1 would triple their compile time, and a fuzzed program's tensors are
# tiny. The targets themselves (decoding, solving) are built at -O1, as libFuzzer advises.
#
# FUZZ_KERNELS=<build dir>: link the kernel objects that a sanitizer build of the tests
# (XPORT_SANITIZE, clang) already compiled there, with the libraries they call, instead of
# compiling them again (CI runs this right after its sanitizer step).
kernels=()
libs=()
if [[ -n "${FUZZ_KERNELS:-}" ]]; then
  kernels=("$FUZZ_KERNELS"/CMakeFiles/xport_cpu_kernels.dir/cmake/cpu_kernels/*.o)
  [ -e "${kernels[0]}" ] || { echo "no kernel objects in $FUZZ_KERNELS"; exit 1; }
  undefined=$(nm -u "${kernels[@]}") # (not piped into grep -q: pipefail and SIGPIPE)
  grep -q ' cblas_' <<<"$undefined" && libs+=(-lopenblas)
  grep -q ' Sleef_' <<<"$undefined" && libs+=(-lsleef)
elif [[ " $targets " == *" load "* || " $targets " == *" load_pt2 "* ]]; then
  for src in cmake/cpu_kernels/*.cpp; do
    printf '%s\n' "$src" "$out/kernels/$(basename "$src" .cpp).o"
  done | xargs -P "${JOBS:-2}" -n 2 sh -c \
    "${cxx[*]} -O0 -fsanitize=fuzzer-no-link,address,undefined -c \"\$0\" -o \"\$1\""
  kernels=("$out"/kernels/*.o)
fi

pids=()
for t in $targets; do
  extra=()
  [[ "$t" = load || "$t" = load_pt2 ]] && extra=("${kernels[@]}" "${libs[@]}")
  "${cxx[@]}" -O1 -fsanitize=fuzzer,address,undefined "fuzz/$t.cpp" "${extra[@]}" \
    -o "$out/fuzz_$t" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

for t in $targets; do
  echo "--- fuzz target '$t' (${seconds} s)"
  dict=()
  [[ "$t" = load || "$t" = program ]] && dict=(-dict=fuzz/program.dict)
  seeds=()
  dirs=(fuzz/corpus/"$t")
  [ "$t" = load ] && dirs=(fuzz/corpus/load fuzz/corpus/program tests/serde/golden)
  [ "$t" = load_pt2 ] && dirs=(fuzz/corpus/load_pt2 tests/fixtures/pt2)
  for d in "${dirs[@]}"; do [ -d "$d" ] && seeds+=("$d"); done
  mkdir -p "$out/corpus-$t"
  regressions=(fuzz/regressions/"$t"/*)
  export ASAN_OPTIONS=allocator_may_return_null=1
  if [ -e "${regressions[0]}" ]; then
    "$out/fuzz_$t" "${regressions[@]}" 2>&1 | tail -n 2
  fi
  "$out/fuzz_$t" "${dict[@]}" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "$out/corpus-$t" "${seeds[@]}" 2>&1 | tail -n 25
done
