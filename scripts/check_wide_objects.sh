#!/usr/bin/env bash
# Checks that the wide-vector translation units of xport::cpu_kernels (vec_avx2.cpp,
# vec_avx512.cpp; see include/xport/kernels/cpu/vec_rows.hpp) define nothing outside their
# own inline namespace: an inline function or template instance that another unit also
# defines (a weak symbol) could be the copy the linker keeps for the whole program, and
# on a CPU without the unit's instructions that copy would crash.
#
#   scripts/check_wide_objects.sh OBJECT...   (the objects of xport_cpu_kernels; others
#                                             are ignored)
set -euo pipefail
checked=0
status=0
for object in "$@"; do
  case "$object" in
    *vec_avx2.cpp.o) space=sleef_avx ;;
    *vec_avx512.cpp.o) space=sleef_avx512 ;;
    *) continue ;;
  esac
  checked=$((checked + 1))
  # Global and weak code symbols must be in the unit's namespace, checked on the mangled
  # names (length-prefixed: 9sleef_avx; not every vector type demangles). Local code
  # cannot be shared, and weak data (V: typeinfo that sanitizers emit) is the same bytes
  # on every target.
  stray=$(nm --defined-only "$object" | awk '$2 ~ /^[TW]$/ {print $3}' \
            | grep -v "${#space}${space}" | c++filt || true)
  if [[ -n "$stray" ]]; then
    echo "$object defines code outside xport::kernels::cpu::vec::${space}:"
    echo "$stray"
    status=1
  fi
done
if [[ $checked -eq 0 ]]; then
  echo "no vec_avx2.cpp.o or vec_avx512.cpp.o among the objects given" >&2
  exit 1
fi
echo "checked $checked wide object(s)"
exit $status
