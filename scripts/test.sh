#!/usr/bin/env bash
# One command: installs what is missing, then builds and tests against both torches through
# ctest:
#   1. Debian's LibTorch 1.13 (build/): the GoogleTest suite, python_check, the exhaustive
#      accuracy proof, the differential fuzzer, the TorchScript round trip, the package consumer;
#   2. the pinned PyPI torch (build-torch2/, scripts/torch_python.sh), a CUDA build whose CUDA
#      kernels are compiled, linked and registered: the same suite but the exhaustive proof, which
#      runs the same kernels as in 1;
#   3. the C++ suite and the fuzzer under AddressSanitizer + UBSan with the leak check (1.13).
# SKIP_TORCH2=1 skips 2, SKIP_SANITIZERS=1 skips 3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install_deps.sh"

section() { printf '\n===== %s =====\n' "$*"; }

section "LibTorch $(dpkg-query -W -f='${Version}' libtorch-dev) (Debian)"
"$root/scripts/build.sh"
ctest --test-dir "${BUILD_DIR:-$root/build}" --output-on-failure --parallel "$(nproc)"

if [ "${SKIP_TORCH2:-0}" != 1 ]; then
  python="$("$root/scripts/torch_python.sh" | tail -n 1)"
  section "torch $("$python" -c 'import torch; print(torch.__version__)') (PyPI)"
  BUILD_DIR="${TORCH2_BUILD_DIR:-$root/build-torch2}" "$root/scripts/build.sh" \
    -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
    -DACTIVATIONS_PYTHON="$python"
  ctest --test-dir "${TORCH2_BUILD_DIR:-$root/build-torch2}" -LE accuracy --output-on-failure \
    --parallel "$(nproc)"
fi

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  section "Sanitizers (LibTorch 1.13)"
  "$root/scripts/test_sanitizers.sh"
fi
