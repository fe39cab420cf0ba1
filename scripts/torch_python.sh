#!/usr/bin/env bash
# Installs a PyPI torch, by default the pinned one (scripts/torch_version.txt, the one place it
# is pinned), with numpy, pytest and matplotlib (the figures script), into a virtual environment
# outside the source tree when it is missing, and reuses it when present. Its last line of
# output is the path of that environment's Python interpreter.
#   scripts/torch_python.sh [VERSION]
#   TORCH_ACTIVATIONS_VENV  the environment (default ~/.cache/torch-activations/torch-<version>)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
torch_version="${1:-$(cat "$root/scripts/torch_version.txt")}"
venv="${TORCH_ACTIVATIONS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/torch-activations/torch-$torch_version}"
python="$venv/bin/python"

installed_version() {
  "$python" -c "import torch, numpy, pytest, matplotlib, scikit_build_core
print(torch.__version__.split('+')[0])" 2>/dev/null
}

if [ "$(installed_version || true)" != "$torch_version" ]; then
  # Debian's interpreter: its venv module is python3-venv, which install_deps.sh brings.
  "$root/scripts/install_deps.sh" >&2
  echo "Installing torch==$torch_version into $venv (about 4 GB the first time)" >&2
  mkdir -p "$(dirname "$venv")"
  [ -x "$python" ] || /usr/bin/python3 -m venv "$venv" >&2
  "$python" -m pip install --quiet --upgrade pip >&2
  # scikit-build-core: pip install --no-build-isolation . of the Python package
  # torch before 2.3 was built against NumPy 1 and cannot use NumPy 2
  numpy=numpy
  case "$torch_version" in 1.* | 2.[012].*) numpy="numpy<2" ;; esac
  "$python" -m pip install --quiet "torch==$torch_version" "$numpy" pytest matplotlib \
    "scikit-build-core>=0.10" >&2
  [ "$(installed_version || true)" = "$torch_version" ] || {
    echo "torch_python.sh: torch $torch_version did not install into $venv" >&2
    exit 1
  }
fi
echo "$python"
