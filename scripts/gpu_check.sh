#!/usr/bin/env bash
# The GPU verification, as one script for a GPU machine (the device tool's nvidia-h100-x1 or
# nvidia-h200, whose python3 has torch 2.x with CUDA and pytest, but no network and no Highway):
# 1. tests/cuda/device_matches_host: every float32 pattern and 16-bit value through the CUDA
#    math against its host build (the one tests/accuracy/ proves on the CPU), bit for bit;
# 2. bench/cuda/launch_shapes: the driver's GB/s under several launch shapes, beside a copy;
# 3. builds the library against that torch with the CUDA kernels for sm_90 and runs python_check
#    (its CUDA tests included: values against torch.* on CUDA, gradients, gradcheck and
#    gradgradcheck in float64, in place, out=, strided inputs, every dtype);
# 4. the exhaustive accuracy sweep beside torch's (scripts/cuda_accuracy.py) and the bandwidth
#    benchmark beside torch's and a copy (scripts/cuda_bandwidth.py).
# The differential fuzzer is C++ on GoogleTest, which the GPU machine lacks: its CUDA counterpart
# is python_check's test_cuda.py. Highway and the two programs of 1 and 2 come in .device/
# (scripts/prepare_gpu_check.sh fills it here; the device call carries it). Results go to
# build-gpu/results and, packed, to $OUT when set; the exit status is 1 when any part failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build-gpu/results"
rm -rf "$out" && mkdir -p "$out"
pack() { [ -n "${OUT:-}" ] && tar czf "$OUT/gpu_results.tgz" -C "$root/build-gpu" results; true; }
trap pack EXIT
prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
hwy_args=()
if [ -d "$root/.device/hwy" ]; then
  hwy_args=(-Dhwy_DIR="$root/.device/hwy/lib/x86_64-linux-gnu/cmake/hwy")
  export LD_LIBRARY_PATH="$root/.device/hwy/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
fi
command -v nvcc > /dev/null || export PATH="/usr/local/cuda/bin:$PATH"
command -v nvcc > /dev/null || { echo "gpu_check: no nvcc (CUDA toolkit) on this machine" >&2; exit 2; }
part() { printf '\n===== %s (%d s so far) =====\n' "$*" "$SECONDS"; }
part "build"
cmake -S "$root" -B "$root/build-gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DACTIVATIONS_BUILD_TESTS=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 "${hwy_args[@]}" 2>&1 | tee "$out/configure.log"
cmake --build "$root/build-gpu" --parallel 2>&1 | tail -5 | tee "$out/build.log"
export TORCH_ACTIVATIONS_LIBRARY="$root/build-gpu/libtorch_activations.so"
export TORCH_ACTIVATIONS_EXPECT_CUDA=1  # python_check's registration test
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
status=0
programs="$root/.device/bin"
if ! "$programs/device_matches_host" --probe > /dev/null 2>&1; then
  echo "gpu_check: the carried programs do not run here; building them" | tee "$out/programs.log"
  programs="$root/build-gpu/programs"
  "$root/scripts/build_cuda_programs.sh" "$programs" \
    "$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include"))')" \
    2>&1 | tee -a "$out/programs.log"
fi
part "device against host"
"$programs/device_matches_host" 2>&1 | tee "$out/device_matches_host.log" || status=1
part "launch shapes"
"$programs/launch_shapes" 2>&1 | tee "$out/launch_shapes.md" || status=1
part "python_check"
python3 -m pytest -q -p no:cacheprovider -rs "$root/python_check" 2>&1 | tee "$out/pytest.log" ||
  status=1
part "accuracy"
python3 "$root/scripts/cuda_accuracy.py" "$out/cuda_accuracy.json" | tee "$out/cuda_accuracy.md" ||
  status=1
part "bandwidth"
python3 "$root/scripts/cuda_bandwidth.py" "$out/cuda_bandwidth.json" | tee "$out/cuda_bandwidth.md" ||
  status=1
part "done"
exit "$status"
