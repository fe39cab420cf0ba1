#!/usr/bin/env bash
# One command: installs what is missing, builds, and runs every test through ctest: the
# GoogleTest suite, python_check, the exhaustive accuracy proof, the differential fuzzer, then
# the same C++ suite again under AddressSanitizer + UBSan with the leak check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install_deps.sh"
"$root/scripts/build.sh"
ctest --test-dir "${BUILD_DIR:-$root/build}" --output-on-failure --parallel "$(nproc)"
# The sanitizer build (ASan + UBSan + leak check) of the C++ suite; SKIP_SANITIZERS=1 skips it.
if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  "$root/scripts/test_sanitizers.sh"
fi
