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
torch_prefix="$(sed -n 's/^ACTIVATIONS_TORCH_CMAKE_PREFIX:INTERNAL=//p' "$build_dir/CMakeCache.txt")"
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
# (where Torch's own package was found; without a CUDA toolkit it is not used)
if grep -q "^Torch_DIR:PATH=" "$work/consumer/CMakeCache.txt"; then
  grep -q "^Torch_DIR:PATH=$torch_prefix/Torch$" "$work/consumer/CMakeCache.txt" ||
    { echo "the consumer found another Torch than $torch_prefix" >&2; exit 1; }
fi
# Another torch than the one built against must stop the configuration, naming both.
other=""
for candidate in /usr/lib/x86_64-linux-gnu/cmake \
    "$HOME/.cache/torch-activations/torch-$(cat "$root/scripts/torch_version.txt")"/lib/python3*/site-packages/torch/share/cmake; do
  [ -f "$candidate/Torch/TorchConfig.cmake" ] && [ "$candidate" != "$torch_prefix" ] &&
    { other="$candidate"; break; }
done
if [ -n "$other" ]; then
  if cmake -S "$root/examples/consumer" -B "$work/other_torch" -G Ninja \
       -DCMAKE_PREFIX_PATH="$work/prefix;$other" > "$work/other.log" 2>&1; then
    echo "the package accepted the Torch in $other" >&2
    exit 1
  fi
  grep -q "TorchActivations was built against torch" "$work/other.log" ||
    { cat "$work/other.log"; exit 1; }
  echo "consumer: the Torch in $other is refused at configure time"
else
  echo "consumer: no other Torch here to check the refusal with"
fi
echo "consumer: installed package, version check and link OK against the Torch in $torch_prefix"
