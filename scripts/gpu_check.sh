#!/usr/bin/env bash
# The GPU verification, as one script for a GPU machine (the device tool's nvidia-h100-x1 or
# nvidia-h200, whose python3 has torch 2.x with CUDA and pytest, but no network and no Highway):
# builds the library against that torch with the CUDA kernels for sm_90, runs python_check (its
# CUDA tests included: values against torch.* on CUDA, gradients, gradcheck and gradgradcheck in
# float64, in place, out=, strided inputs, every dtype), the exhaustive accuracy sweep
# (scripts/cuda_accuracy.py: all 2^32 float32 patterns, every 16-bit value) and the bandwidth
# benchmark (scripts/cuda_bandwidth.py). The differential fuzzer is C++ on GoogleTest, which the
# GPU machine lacks: its CUDA counterpart is python_check's test_cuda.py. Highway comes in
# .device/hwy (scripts/prepare_gpu_check.sh fills it here; the device call carries it). Results
# go to $OUT when set; the exit status is 1 when any part failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/build-gpu/results}"
mkdir -p "$out"
prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
hwy_args=()
if [ -d "$root/.device/hwy" ]; then
  hwy_args=(-Dhwy_DIR="$root/.device/hwy/lib/x86_64-linux-gnu/cmake/hwy")
  export LD_LIBRARY_PATH="$root/.device/hwy/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
fi
command -v nvcc > /dev/null || export PATH="/usr/local/cuda/bin:$PATH"
command -v nvcc > /dev/null || { echo "gpu_check: no nvcc (CUDA toolkit) on this machine" >&2; exit 2; }
cmake -S "$root" -B "$root/build-gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DACTIVATIONS_BUILD_TESTS=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 "${hwy_args[@]}" 2>&1 | tee "$out/configure.log"
cmake --build "$root/build-gpu" --parallel 2>&1 | tail -5 | tee "$out/build.log"
export TORCH_ACTIVATIONS_LIBRARY="$root/build-gpu/libtorch_activations.so"
export TORCH_ACTIVATIONS_EXPECT_CUDA=1  # python_check's registration test
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
status=0
python3 -m pytest -q -p no:cacheprovider -rs "$root/python_check" 2>&1 | tee "$out/pytest.log" ||
  status=1
python3 "$root/scripts/cuda_accuracy.py" "$out/cuda_accuracy.json" | tee "$out/cuda_accuracy.md" ||
  status=1
python3 "$root/scripts/cuda_bandwidth.py" "$out/cuda_bandwidth.json" | tee "$out/cuda_bandwidth.md" ||
  status=1
exit "$status"
