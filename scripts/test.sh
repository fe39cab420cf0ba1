#!/usr/bin/env bash
# One command: installs what is missing, then builds and tests against three torches through
# ctest, and prints each part's time:
#   1. Debian's LibTorch 1.13 (build/): the GoogleTest suite, python_check, the exhaustive
#      accuracy proofs, the differential fuzzer, the TorchScript round trip, the package consumer;
#   2. the pinned PyPI torch (build-torch2/, scripts/torch_python.sh), a CUDA build whose CUDA
#      kernels are compiled, linked and registered: the same suite but the exhaustive proofs,
#      which run the same kernels as in 1;
#   3. a middle PyPI torch, 2.11 (build-torch211/), built as on a machine without the CUDA
#      toolkit (scripts/without_cuda_toolkit.sh): the CPU kernels, the C++ suite, both Python
#      suites, and pip install of the package there;
#   4. the C++ suite and the fuzzer under AddressSanitizer + UBSan with the leak check (1.13);
#   5. aarch64: the library and the C++ suite cross-built against Debian's arm64 LibTorch 1.13
#      and run, with python_check, under qemu-user on the CPU model with 256-bit SVE and SVE2,
#      whose run checks the NEON, SVE, SVE_256 and SVE2 targets (scripts/test_arm64.sh; the
#      accuracy proof, the fuzzer and the other three models run there).
# SKIP_TORCH2=1 skips 2, SKIP_MIDDLE_TORCH=1 skips 3, SKIP_SANITIZERS=1 skips 4, SKIP_ARM64=1 5.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
middle_torch=2.11.0
parts=()
part_start=$SECONDS
part_name=""
section() {
  [ -n "$part_name" ] && parts+=("$(printf '%-52s %5d s' "$part_name" $((SECONDS - part_start)))")
  part_name="$*"
  part_start=$SECONDS
  printf '\n===== %s (%d s so far) =====\n' "$*" "$SECONDS"
}
report() {
  section "done"
  printf '\n===== time per part =====\n'
  printf '%s\n' "${parts[@]}"
  printf '%-52s %5d s\n' "total" "$SECONDS"
}
trap report EXIT

section "dependencies"
"$root/scripts/install_deps.sh"

section "LibTorch $(dpkg-query -W -f='${Version}' libtorch-dev) (Debian)"
"$root/scripts/build.sh"
# LibTorch's own kernels are swept only for the README's comparison, which comes from a full
# sweep (scripts/accuracy_table.py): here every 17th pattern, some 150 s less.
ACTIVATIONS_TORCH_SWEEP_STRIDE="${ACTIVATIONS_TORCH_SWEEP_STRIDE:-17}" \
  ctest --test-dir "${BUILD_DIR:-$root/build}" --output-on-failure --parallel "$(nproc)"

if [ "${SKIP_TORCH2:-0}" != 1 ]; then
  section "torch $(cat "$root/scripts/torch_version.txt") (PyPI): environment"
  python="$("$root/scripts/torch_python.sh" | tail -n 1)"
  section "torch $("$python" -c 'import torch; print(torch.__version__)') (PyPI, CUDA kernels)"
  BUILD_DIR="${TORCH2_BUILD_DIR:-$root/build-torch2}" "$root/scripts/build.sh" \
    -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
    -DACTIVATIONS_PYTHON="$python"
  ctest --test-dir "${TORCH2_BUILD_DIR:-$root/build-torch2}" -LE accuracy --output-on-failure \
    --parallel "$(nproc)"
fi

if [ "${SKIP_MIDDLE_TORCH:-0}" != 1 ]; then
  section "torch $middle_torch (PyPI): environment"
  python="$("$root/scripts/torch_python.sh" "$middle_torch" | tail -n 1)"
  section "torch $middle_torch (PyPI, no CUDA toolkit: CPU kernels)"
  middle_build="${MIDDLE_TORCH_BUILD_DIR:-$root/build-torch211}"
  # only what the suites below run: the accuracy proof and the fuzzer ran in 1 and 2
  BUILD_DIR="$middle_build" BUILD_TARGETS="torch_activations torch_activations_eager_calls activations_tests" \
    "$root/scripts/without_cuda_toolkit.sh" "$root/scripts/build.sh" \
    -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
    -DACTIVATIONS_PYTHON="$python" -DACTIVATIONS_BUILD_EXAMPLES=OFF
  "$root/scripts/without_cuda_toolkit.sh" ctest --test-dir "$middle_build" \
    -L 'cpp|python' -E 'cmake_install' --output-on-failure --parallel "$(nproc)"
fi

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  section "Sanitizers (LibTorch 1.13)"
  "$root/scripts/test_sanitizers.sh"
fi
# On an aarch64 machine the parts above already ran natively: nothing to cross-build.
if [ "${SKIP_ARM64:-0}" != 1 ] && [ "$(uname -m)" != aarch64 ]; then
  section "aarch64 under qemu-user (SVE 256-bit model)"
  ARM64_MODELS="SVE 256-bit" ARM64_SUITES="tests/activations_tests python_check" \
    "$root/scripts/test_arm64.sh"
fi
