#!/usr/bin/env bash
# Builds the two standalone GPU programs with nvcc for sm_90 (the H100/H200): the device-against-
# host bit comparison (tests/cuda/device_matches_host.cu) and the launch-shape benchmark
# (bench/cuda/launch_shapes.cu). They need no Torch library, only c10's header-only 16-bit types.
# Usage: scripts/build_cuda_programs.sh OUT_DIR [TORCH_INCLUDE_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"
torch_include="${2:-/usr/include}"
nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
mkdir -p "$out"
# A CPU-only LibTorch lacks the generated c10/macros/cmake_macros.h; the flag stands in for it.
flags=(-std=c++17 -O3 -arch=sm_90 --expt-relaxed-constexpr -DC10_USING_CUSTOM_GENERATED_MACROS
       -I"$root/src" -I"$root" -I"$torch_include" -Xcompiler -fopenmp,-ffp-contract=off)
"$nvcc" "${flags[@]}" "$root/tests/cuda/device_matches_host.cu" -o "$out/device_matches_host" \
  -lgomp &
"$nvcc" "${flags[@]}" "$root/bench/cuda/launch_shapes.cu" -o "$out/launch_shapes" &
wait %1 && wait %2
echo "built $out/device_matches_host and $out/launch_shapes"
