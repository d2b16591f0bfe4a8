#!/usr/bin/env bash
# Installs, from Debian's packages, whatever xport's build needs and the machine lacks.
# Idempotent: with everything present it installs nothing and needs no network.
#   bash scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(g++ cmake ninja-build libboost-dev nlohmann-json3-dev doctest-dev libbenchmark-dev libopenblas-dev libsleef-dev ccache "$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "xport: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "xport: run as root (or with sudo) to install: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
