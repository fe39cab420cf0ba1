#!/usr/bin/env bash
# Configures and builds the library, tests and demo into build/ (Release, Ninja).
#   BUILD_TARGETS  only these targets (space-separated; default all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
# shellcheck disable=SC2086 # one word per target
cmake --build "$build_dir" --parallel "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
