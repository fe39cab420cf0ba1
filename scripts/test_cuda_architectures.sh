#!/usr/bin/env bash
# The GPU architectures the CUDA kernels are compiled for, read from the generated build files of
# a CUDA torch's build: by default every one torch was built for (torch.cuda.get_arch_list()),
# the newest also as PTX; the user's CMAKE_CUDA_ARCHITECTURES, or else TORCH_CUDA_ARCH_LIST,
# instead when given. Usage: scripts/test_cuda_architectures.sh BUILD_DIR PYTHON
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(cd "$1" && pwd)"
python="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"

# The nvcc code generation flags of the CUDA kernels' object, one "arch=...,code=..." a line.
code_generation() {
  grep -A3 "activations_cuda.cu.o: CUDA_COMPILER" "$1/build.ninja" | grep '^  FLAGS' |
    grep -oE -- '(--generate-code=|-gencode[ =])arch=compute_[0-9a-z]+,code=[^ ]+' |
    sed -E 's/^(--generate-code=|-gencode[ =])//' | sort
}

expect() {  # expect NAME ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then
    printf '%s: expected\n%s\ngot\n%s\n' "$1" "$3" "$2" >&2
    exit 1
  fi
  echo "$1: OK ($(echo "$2" | tr '\n' ' '))"
}

configure() {  # configure DIR [cmake args...]: the library alone, against this torch
  local dir="$1"
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
    -DACTIVATIONS_BUILD_TESTS=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF "$@" > "$dir.log" 2>&1 ||
    { cat "$dir.log"; exit 1; }
}

# Default: torch's own list, e.g. sm_75 ... sm_120, with PTX of the newest.
mapfile -t built < <("$python" -c \
  'import torch; print("\n".join(a[3:] for a in torch.cuda.get_arch_list() if a.startswith("sm_")))')
expected=""
for arch in "${built[@]}"; do
  codes="sm_$arch"
  [ "$arch" = "${built[-1]}" ] && codes="[compute_$arch,sm_$arch]" || codes="[sm_$arch]"
  expected+="arch=compute_$arch,code=$codes"$'\n'
done
expect "default (the test build)" "$(code_generation "$build_dir")" "$(printf '%s' "$expected" | sort)"
case " ${built[*]} " in *" 90 "*) echo "9.0 (H100/H200) included" ;; *) echo "no sm_90" >&2; exit 1 ;; esac

configure "$work/user_cmake" -DCMAKE_CUDA_ARCHITECTURES="86-real;90"
expect "CMAKE_CUDA_ARCHITECTURES=86-real;90" "$(code_generation "$work/user_cmake")" \
  "$(printf 'arch=compute_86,code=[sm_86]\narch=compute_90,code=[compute_90,sm_90]\n' | sort)"

TORCH_CUDA_ARCH_LIST="8.0 9.0+PTX" configure "$work/user_torch_list"
expect "TORCH_CUDA_ARCH_LIST=8.0 9.0+PTX" "$(code_generation "$work/user_torch_list")" \
  "$(printf 'arch=compute_80,code=sm_80\narch=compute_90,code=compute_90\narch=compute_90,code=sm_90\n' | sort)"
