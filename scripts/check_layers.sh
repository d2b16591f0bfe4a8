#!/usr/bin/env bash
# Checks the layering of include/xport/: a header includes only its own layer and the
# layers below it, in the order docs/ARCHITECTURE.md gives (the `layers` list below is
# that order; keep the two the same). Fails listing every include that reaches up.
#   bash scripts/check_layers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

layers=(core sym ops graph passes kernels runtime api nn trace export decomp serde)

rank() {
  local i
  for i in "${!layers[@]}"; do
    [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }
  done
  echo -1
}

bad=0
while IFS= read -r header; do
  layer=${header#include/xport/}
  layer=${layer%%/*}
  own=$(rank "$layer")
  if [ "$own" -lt 0 ]; then
    echo "unknown layer '$layer' ($header): add it to scripts/check_layers.sh and docs/ARCHITECTURE.md"
    bad=1
    continue
  fi
  while IFS= read -r included; do
    target=${included%%/*}
    theirs=$(rank "$target")
    if [ "$theirs" -lt 0 ] || [ "$theirs" -gt "$own" ]; then
      echo "$header includes <xport/$included>: $layer may not include $target"
      bad=1
    fi
  done < <(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*<xport/\([^>]*\)>.*|\1|p' "$header")
done < <(find include/xport -mindepth 2 -name '*.hpp' -o -mindepth 2 -name '*.cuh' | sort)

if [ "$bad" -ne 0 ]; then
  echo "layering: the includes above reach a layer above their own (order: ${layers[*]})"
  exit 1
fi
echo "layering: every header includes only its own layer and those below (${layers[*]})"
