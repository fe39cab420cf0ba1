#!/usr/bin/env bash
# Prepares what a device call carries in .device/ (git-ignored) for scripts/gpu_check.sh: this
# machine's Highway (headers, library, CMake package, in its install layout, which the package
# finds relative to itself), since the GPU machines have no Highway and no network; and the two
# standalone GPU programs, built here with nvcc (gpu_check.sh builds them there if these do not
# run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.device/hwy"
lib="$dest/lib/x86_64-linux-gnu"
rm -rf "$dest" && mkdir -p "$dest/include" "$lib/cmake"
cp -r /usr/include/hwy "$dest/include/"
cp -a /usr/lib/x86_64-linux-gnu/libhwy*.so* "$lib/"
cp -r /usr/lib/x86_64-linux-gnu/cmake/hwy "$lib/cmake/"
"$root/scripts/build_cuda_programs.sh" "$root/.device/bin"
du -sh "$root/.device"
