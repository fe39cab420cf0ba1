#!/usr/bin/env bash
# Installs the built library into a fresh temporary prefix, builds examples/consumer against it
# from scratch and runs it. Usage: scripts/test_consumer.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/lib/cmake/TorchActivations/TorchActivationsConfig.cmake"
test -f "$work/prefix/lib/cmake/TorchActivations/TorchActivationsConfigVersion.cmake"
# The Torch the library was built against (Debian's or a pip-installed one), by its CMake prefix
# as a user gives it (torch.utils.cmake_prefix_path): Torch_DIR alone would leave its Caffe2 to
# be found anywhere, Debian's included.
torch_prefix="$(dirname "$(sed -n 's/^Torch_DIR:PATH=//p' "$build_dir/CMakeCache.txt")")"
cmake -S "$root/examples/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix;$torch_prefix" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/consumer/consumer"
# A version the package does not offer must be refused.
mkdir -p "$work/wrong_version"
printf 'cmake_minimum_required(VERSION 3.21)\nproject(v CXX)\nfind_package(TorchActivations 9.9 REQUIRED)\n' \
  > "$work/wrong_version/CMakeLists.txt"
if cmake -S "$work/wrong_version" -B "$work/wrong_version/build" \
     -DCMAKE_PREFIX_PATH="$work/prefix;$torch_prefix" > "$work/wrong.log" 2>&1; then
  echo "the package accepted a version it does not offer" >&2
  exit 1
fi
grep -q "^Caffe2_DIR:PATH=$torch_prefix/Caffe2$" "$work/consumer/CMakeCache.txt" ||
  { echo "the consumer found another Torch than $torch_prefix" >&2; exit 1; }
echo "consumer: installed package, version check and link OK against the Torch in $torch_prefix"
