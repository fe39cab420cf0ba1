#!/usr/bin/env bash
# Long differential fuzzing with libFuzzer (clang, AddressSanitizer + UBSan) over the same
# generator as the ctest fuzzer. Usage: scripts/fuzz.sh [seconds, default 600] [extra libFuzzer flags]
# A failing input is saved as build-fuzz/crash-*; fix it, then add the file to
# tests/fuzz/regressions/ and its name to tests/fuzz/regressions/LIST.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-600}"
"$root/scripts/install_deps.sh" clang libclang-rt-14-dev
CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DACTIVATIONS_BUILD_LIBFUZZER=ON -DACTIVATIONS_SANITIZE=address,undefined \
  -DACTIVATIONS_WITH_OPENMP=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF
cmake --build "$build_dir" --parallel "$(nproc)" --target activations_libfuzzer
mkdir -p "$build_dir/corpus"
cd "$build_dir"
ASAN_OPTIONS="detect_leaks=0" ./tests/activations_libfuzzer -max_total_time="$seconds" \
  -print_final_stats=1 -max_len=256 "${@:2}" corpus
