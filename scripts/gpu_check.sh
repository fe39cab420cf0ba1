#!/usr/bin/env bash
# The GPU verification, as one script for a GPU machine (the device tool's nvidia-h100-x1 or
# nvidia-h200, whose python3 has torch 2.x with CUDA and pytest, but no network and no Highway):
# builds the library against that torch with the CUDA kernels, runs python_check (its CUDA tests
# included) and the bandwidth benchmark. Highway comes in .device/hwy (scripts/prepare_gpu_check.sh
# fills it here; the device call carries it). Results go to $OUT when set.
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
cmake -S "$root" -B "$root/build-gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DACTIVATIONS_BUILD_TESTS=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 "${hwy_args[@]}" 2>&1 | tee "$out/configure.log"
cmake --build "$root/build-gpu" --parallel 2>&1 | tail -5 | tee "$out/build.log"
export TORCH_ACTIVATIONS_LIBRARY="$root/build-gpu/libtorch_activations.so"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
python3 -m pytest -q -p no:cacheprovider "$root/python_check" 2>&1 | tee "$out/pytest.log"
python3 "$root/scripts/cuda_bandwidth.py" "$out/cuda_bandwidth.json" | tee "$out/cuda_bandwidth.md"
