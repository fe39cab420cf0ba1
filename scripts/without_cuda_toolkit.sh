#!/usr/bin/env bash
# Runs a command as on a machine without the CUDA toolkit: in a private mount namespace where
# /usr/local/cuda* are empty folders and no nvcc is on the PATH (what a pip user with PyPI's CUDA
# torch and no toolkit has). Needs root or unprivileged user namespaces.
#   scripts/without_cuda_toolkit.sh COMMAND [ARGUMENT ...]
set -euo pipefail
if [ "${ACTIVATIONS_INSIDE_NO_TOOLKIT:-}" != 1 ]; then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(--map-root-user)
  exec unshare --mount "${as_root[@]}" env ACTIVATIONS_INSIDE_NO_TOOLKIT=1 "$0" "$@"
fi
empty="$(mktemp -d)"
for toolkit in /usr/local/cuda /usr/local/cuda-*; do
  [ -d "$toolkit" ] && mount --bind "$empty" "$(readlink -f "$toolkit")"
done
# and the toolkit's launchers elsewhere on the PATH (here: /usr/local/bin/nvcc and friends), under
# an empty file that is not executable
touch "$empty.file"
for directory in $(printf '%s' "$PATH" | tr ':' ' '); do
  for launcher in "$directory"/nvcc "$directory"/cudafe++ "$directory"/__nvcc_device_query; do
    [ -f "$launcher" ] && mount --bind "$empty.file" "$launcher"
  done
done
PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v cuda | paste -sd: -)"
export PATH
unset CUDA_HOME CUDA_PATH CUDACXX
if nvcc --version > /dev/null 2>&1; then
  echo "without_cuda_toolkit.sh: nvcc still runs ($(command -v nvcc))" >&2
  exit 2
fi
exec "$@"
