#!/usr/bin/env bash
# Copies this machine's Highway (headers, library, CMake package, in its install layout, which
# the package finds relative to itself) into .device/hwy, git-ignored, for a device call to
# carry: the GPU machines have no Highway and no network.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.device/hwy"
lib="$dest/lib/x86_64-linux-gnu"
rm -rf "$dest" && mkdir -p "$dest/include" "$lib/cmake"
cp -r /usr/include/hwy "$dest/include/"
cp -a /usr/lib/x86_64-linux-gnu/libhwy*.so* "$lib/"
cp -r /usr/lib/x86_64-linux-gnu/cmake/hwy "$lib/cmake/"
du -sh "$dest"
