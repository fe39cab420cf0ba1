#!/usr/bin/env bash
# The library on aarch64 under emulation: cross-builds it and its C++ suites with Debian's
# aarch64 toolchain against an arm64 sysroot of Debian's LibTorch 1.13, Highway and GoogleTest
# (scripts/arm64_sysroot.sh), then runs them under qemu-user once per CPU model, each giving
# Highway another best target: NEON, SVE at 256-bit vectors, SVE at 512, SVE2 at 512. Each run
# also checks every target below its best (test_simd_targets, the per-target accuracy sweeps).
# python_check runs there too, with the sysroot's arm64 Python and torch 1.13. Ends with a
# summary line per CPU model. No speed figures: this is emulation.
#   scripts/test_arm64.sh
# ACTIVATIONS_SWEEP_STRIDE  every k-th float32 pattern in the accuracy sweeps (default 4099;
#                           1 is all 2^32, hours under emulation)
# FUZZ_CASES                differential fuzzer cases per run (default 300)
# ARM64_MODELS              the CPU models to run, by name, separated by commas (default all)
# ARM64_SUITES              the suites to build and run, separated by spaces (default all four:
#                           tests/activations_tests tests/activations_accuracy
#                           tests/activations_fuzz python_check)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sysroot="$("$root/scripts/arm64_sysroot.sh" | tail -n 1)"
build_dir="${ARM64_BUILD_DIR:-$root/build-arm64}"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" \
  -DACTIVATIONS_ARM64_SYSROOT="$sysroot" -DACTIVATIONS_BUILD_EXAMPLES=OFF
# Each suite runs as one process through qemu: ctest would start one per test, and each start
# loads LibTorch under emulation (some 15 s).
read -r -a suites <<< "${ARM64_SUITES:-tests/activations_tests tests/activations_accuracy tests/activations_fuzz python_check}"
targets=(torch_activations)
for suite in "${suites[@]}"; do
  if [ "$suite" != python_check ]; then targets+=("$(basename "$suite")"); fi
done
cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]}"

# qemu-user takes the guest's library root, environment and CPU model from these.
export QEMU_LD_PREFIX="$sysroot"
export QEMU_SET_ENV="LD_LIBRARY_PATH=$sysroot/usr/lib/aarch64-linux-gnu:$sysroot/lib/aarch64-linux-gnu"
export ACTIVATIONS_SWEEP_STRIDE="${ACTIVATIONS_SWEEP_STRIDE:-4099}"
export FUZZ_CASES="${FUZZ_CASES:-300}"
# (name, qemu CPU model): sve-default-vector-length is in bytes.
models=(
  "NEON|max,sve=off"
  "SVE 256-bit|max,sve-default-vector-length=32"
  "SVE 512-bit (A64FX, no SVE2)|a64fx"
  "SVE2 512-bit|max,sve-default-vector-length=64"
)
summaries=()
status=0
for model in "${models[@]}"; do
  name="${model%%|*}"
  if [ -n "${ARM64_MODELS:-}" ] && [[ ",$ARM64_MODELS," != *",$name,"* ]]; then continue; fi
  export QEMU_CPU="${model#*|}"
  printf '\n===== %s (qemu -cpu %s) =====\n' "$name" "$QEMU_CPU"
  line="$(printf '%-30s' "$name:")"
  for suite in "${suites[@]}"; do
    log="$build_dir/arm64-$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')-$(basename "$suite").log"
    if [ "$suite" = python_check ]; then
      if TORCH_ACTIVATIONS_LIBRARY="$build_dir/libtorch_activations.so" \
        qemu-aarch64 "$sysroot/usr/bin/python3" -m pytest -q -p no:cacheprovider \
        "$root/python_check" > "$log" 2>&1; then :; else status=1; fi
      grep -E '^FAILED' "$log" || true
      line+=" python_check $(tail -n 1 "$log" | grep -Eo '[0-9]+ (passed|failed|skipped)' |
        paste -sd ' ');"
      continue
    fi
    if qemu-aarch64 "$build_dir/$suite" > "$log" 2>&1; then :; else status=1; fi
    grep -E '^\[ accuracy \]|^\[  FAILED  \]' "$log" || true
    line+=" $(basename "$suite") $(grep -Eo '^\[  PASSED  \] [0-9]+ tests?' "$log" |
      grep -Eo '[0-9]+' || echo 0) passed, $(grep -Ec '^\[  FAILED  \] [A-Za-z]' "$log" || true) failed;"
  done
  summaries+=("$line")
done
printf '\n===== per CPU model =====\n'
printf '%s\n' "${summaries[@]}"
exit "$status"
