#!/usr/bin/env bash
# Makes, or reuses, an arm64 sysroot of Debian 12's packages for cross-building and testing the
# library on aarch64 (cmake/toolchains/aarch64-linux-gnu.cmake, scripts/test_arm64.sh): LibTorch
# 1.13, Highway, GoogleTest, the C/C++ runtime, and Python with its torch and pytest (for
# python_check under qemu), unpacked by mmdebstrap without touching the
# host's packages (libtorch-dev:arm64 cannot be installed beside the amd64 one). It lives in a
# cache outside the tree, like the torch environments. Its last line of output is its path.
#   scripts/arm64_sysroot.sh
#   ACTIVATIONS_ARM64_SYSROOT  where it goes (default ~/.cache/torch-activations/sysroot-arm64)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sysroot="${ACTIVATIONS_ARM64_SYSROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/torch-activations/sysroot-arm64}"
packages=libtorch-dev,libgtest-dev,libhwy-dev,libc6-dev,libstdc++-12-dev,python3-torch,python3-pytest
stamp="$sysroot/.torch-activations-packages"

if [ "$(cat "$stamp" 2>/dev/null)" != "$packages" ]; then
  "$root/scripts/install_deps.sh" mmdebstrap qemu-user g++-aarch64-linux-gnu >&2
  echo "Unpacking arm64 packages into $sysroot (about 1 GB)" >&2
  rm -rf "$sysroot"
  mkdir -p "$(dirname "$sysroot")"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  # extract: unpacked only, no maintainer scripts run (nothing of the guest executes here)
  "${sudo_cmd[@]}" mmdebstrap --mode=root --variant=extract --architectures=arm64 \
    --include="$packages" bookworm "$sysroot" >&2
  # The extract variant sets up no alternatives: BLAS and LAPACK, which LibTorch links, sit in
  # their alternatives' folders only.
  lib="$sysroot/usr/lib/aarch64-linux-gnu"
  ln -sf blas/libblas.so.3 "$lib/libblas.so.3"
  ln -sf lapack/liblapack.so.3 "$lib/liblapack.so.3"
  echo "$packages" > "$stamp"
fi
echo "$sysroot"
