#!/usr/bin/env bash
# Compiles the CUDA kernels (src/ops/cuda/) with this machine's nvcc against the LibTorch headers
# found here, so that they keep compiling where no CUDA Torch is installed. Usage:
#   scripts/check_cuda_compile.sh BUILD_DIR   (for the generated include/activations/version.h)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"
nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# A CPU-only LibTorch lacks the generated c10/cuda/impl/cuda_cmake_macros.h; the flag below
# stands in for it.
"$nvcc" -std=c++17 -arch=sm_90 --expt-relaxed-constexpr --expt-extended-lambda \
  -D_GLIBCXX_USE_CXX11_ABI=1 -DC10_USING_CUSTOM_GENERATED_MACROS \
  -I"$root/include" -I"$build_dir/include" -I"$root/src" \
  -I/usr/include/torch/csrc/api/include \
  -c "$root/src/ops/cuda/activations_cuda.cu" -o "$out/activations_cuda.o"
echo "src/ops/cuda/activations_cuda.cu compiles with $("$nvcc" --version | tail -1)"
