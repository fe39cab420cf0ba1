#!/usr/bin/env bash
# Installs the Debian 12 packages the build, tests and demo need, when any is missing, and the
# peer libraries the benchmarks compare against (oneDNN, XNNPACK; bench/ builds without them).
# Usage: scripts/install_deps.sh [extra-package ...]
set -euo pipefail

packages=(build-essential cmake ninja-build git libtorch-dev python3-torch libgtest-dev googletest
          libgmock-dev libhwy-dev libbenchmark-dev python3-pytest python3-matplotlib
          python3-venv python3-dev libdnnl-dev libxnnpack-dev
          libpthreadpool-dev python3-numpy python3-mpmath pybind11-dev "$@")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
