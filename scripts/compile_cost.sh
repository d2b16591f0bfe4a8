#!/usr/bin/env bash
# Measures what xport costs to compile: CPU seconds (user+sys) and peak memory (RSS) of
# g++ for a few translation units, one compile at a time, each at -O0 and -O2.
#
#   bash scripts/compile_cost.sh [--quick] [--check]
#
#   export_mlp  scripts/compile_cost/export_mlp.cpp: an export-only user (export + save,
#               no CPU kernels)
#   quickstart  examples/quickstart.cpp: export, decompositions, calls, save/load
#   kernels     cmake/cpu_kernels/*.cpp: the translation units of the xport::cpu_kernels
#               target, one per group of op families (a row each)
#   kernels_all <xport/kernels/cpu/all.hpp> alone: every CPU kernel in one translation unit,
#               as a program without the CMake target compiles them
#
# Options:
#   --quick   only -O2
#   --check   exit 1 when export_mlp at -O2 exceeds XPORT_COST_MAX_S CPU seconds or
#             XPORT_COST_MAX_MB peak megabytes (each checked only when set; defaults
#             15 and 1024 when --check is given and neither is set)
# Environment:
#   FILES               which of the above to compile (default: "export_mlp quickstart kernels")
#   OPT_LEVELS          override the levels (default "-O0 -O2", or "-O2" with --quick)
#   CXX                 the compiler (default g++-12, else g++); called directly, never
#                       through ccache, so every compile is a real one
#   XPORT_COST_HEADER   passed to export_mlp.cpp as -DXPORT_COST_HEADER=... (the header it
#                       includes, default <xport/xport.hpp>)
#   XPORT_COST_FLAGS    extra compiler flags for every compile
# CPU seconds are the metric: wall time depends on whatever else the machine is running,
# so the table also prints the load average seen before each compile.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

quick=0
check=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --check) check=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "compile_cost: unknown argument '$arg' (see --help)" >&2
      exit 2
      ;;
  esac
done

# GNU time reports user, sys and peak RSS; the shell keyword `time` does not report memory.
[ -x /usr/bin/time ] || bash "$root/scripts/deps.sh" time

if [ -z "${CXX:-}" ]; then
  CXX=$(command -v g++-12 || command -v g++)
fi
# Resolve ccache's masquerading symlinks (/usr/lib/ccache/g++) to the real compiler.
case "$(readlink -f "$(command -v "$CXX")")" in
  */ccache) CXX=$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -v ccache | paste -sd:) command -v "$(basename "$CXX")") ;;
esac

default_levels="-O0 -O2"
[ "$quick" = 1 ] && default_levels="-O2"
read -ra levels <<<"${OPT_LEVELS:-$default_levels}"
read -ra files <<<"${FILES:-export_mlp quickstart kernels}"

if [ "$check" = 1 ] && { [[ " ${files[*]} " != *" export_mlp "* ]] || [[ " ${levels[*]} " != *" -O2 "* ]]; }; then
  echo "compile_cost: --check measures export_mlp at -O2; FILES or OPT_LEVELS leave it out" >&2
  exit 2
fi
if [ "$check" = 1 ] && [ -z "${XPORT_COST_MAX_S:-}" ] && [ -z "${XPORT_COST_MAX_MB:-}" ]; then
  XPORT_COST_MAX_S=15
  XPORT_COST_MAX_MB=1024
fi

# The flags of a consumer: C++20, xport's headers; Boost and nlohmann/json come from
# /usr/include. The kernel translation unit is built as CMake builds it: with OpenBLAS's
# cblas.h and SLEEF's sleef.h when they are installed.
read -ra extra_flags <<<"${XPORT_COST_FLAGS:-}"
base_flags=(-std=c++20 -I"$root/include" "${extra_flags[@]}")
cblas_dir=""
for d in /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas; do
  if [ -f "$d/cblas.h" ]; then
    cblas_dir="$d"
    break
  fi
done

sleef_dir=""
for d in /usr/include/x86_64-linux-gnu /usr/include; do
  if [ -f "$d/sleef.h" ]; then
    sleef_dir="$d"
    break
  fi
done

source_of() {
  case "$1" in
    export_mlp) echo "$root/scripts/compile_cost/export_mlp.cpp" ;;
    quickstart) echo "$root/examples/quickstart.cpp" ;;
    kernels/*) echo "$root/cmake/cpu_kernels/${1#kernels/}.cpp" ;;
    kernels_all)
      echo '#include <xport/kernels/cpu/all.hpp>' >"$work/kernels_all.cpp"
      echo "$work/kernels_all.cpp"
      ;;
    *)
      echo "compile_cost: unknown file '$1' (export_mlp, quickstart, kernels, kernels_all)" >&2
      exit 2
      ;;
  esac
}

flags_of() {
  case "$1" in
    export_mlp) [ -n "${XPORT_COST_HEADER:-}" ] && echo "-DXPORT_COST_HEADER=$XPORT_COST_HEADER" ;;
    kernels*)
      [ -n "$cblas_dir" ] && echo "-DXPORT_HAS_CBLAS=1 -I$cblas_dir"
      [ -n "$sleef_dir" ] && echo "-DXPORT_HAS_SLEEF=1 -I$sleef_dir"
      ;;
  esac
  return 0
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `kernels` stands for each translation unit of the xport::cpu_kernels target.
expanded=()
for f in "${files[@]}"; do
  if [ "$f" = kernels ]; then
    for k in "$root"/cmake/cpu_kernels/*.cpp; do
      k=${k##*/}
      expanded+=("kernels/${k%.cpp}")
    done
  else
    expanded+=("$f")
  fi
done
files=("${expanded[@]}")

echo "compile_cost: $("$CXX" --version | head -1), $(nproc) cores"
printf '%-22s %-4s %8s %8s %8s %-18s %s\n' file opt "CPU s" "peak MB" "wall s" limit "load (1m)"
failed=0
broken=0
for f in "${files[@]}"; do
  src=$(source_of "$f")
  for opt in "${levels[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    # %U %S: user and sys CPU seconds; %M: peak RSS in KiB; %e: wall seconds.
    # shellcheck disable=SC2046
    if ! /usr/bin/time -f '%U %S %M %e' -o "$work/time" \
      "$CXX" "${base_flags[@]}" $(flags_of "$f") "$opt" -c "$src" -o "$work/out.o" \
      2>"$work/err"; then
      # Report it and go on with the others; the exit status says so at the end.
      printf '%-22s %-4s %s\n' "$f" "$opt" "did not compile:" >&2
      grep -v '^Command exited' "$work/err" | head -20 >&2
      broken=1
      continue
    fi
    read -r user sys rss wall <"$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
    mb=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
    limit=""
    if [ "$check" = 1 ] && [ "$f" = export_mlp ] && [ "$opt" = -O2 ]; then
      limit="<=${XPORT_COST_MAX_S:--}s,<=${XPORT_COST_MAX_MB:--}MB"
      if [ -n "${XPORT_COST_MAX_S:-}" ] && awk -v c="$cpu" -v m="$XPORT_COST_MAX_S" 'BEGIN { exit !(c > m) }'; then
        limit="$limit FAIL"
        failed=1
      elif [ -n "${XPORT_COST_MAX_MB:-}" ] && [ "$mb" -gt "$XPORT_COST_MAX_MB" ]; then
        limit="$limit FAIL"
        failed=1
      else
        limit="$limit ok"
      fi
    fi
    printf '%-22s %-4s %8s %8s %8s %-18s %s\n' "$f" "$opt" "$cpu" "$mb" "$wall" "$limit" "$load"
  done
done

[ "$broken" = 1 ] && echo "compile_cost: some files did not compile" >&2
if [ "$failed" = 1 ]; then
  echo "compile_cost: export_mlp at -O2 is over its limit" >&2
fi
[ "$failed" = 0 ] && [ "$broken" = 0 ]
