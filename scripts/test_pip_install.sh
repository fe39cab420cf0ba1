#!/usr/bin/env bash
# pip install of the Python package into a torch's environment (scikit-build-core building
# against that torch), then an import from outside the source tree that must find the installed
# package and the library beside it, run the chapter's layers and load through them, and whose
# metadata must pin that torch's series and carry CMake's version; uninstalled again at the end.
# And pip's default build isolation must stop with one line saying what to do.
# Usage: scripts/test_pip_install.sh PYTHON
# (CUDA kernels for sm_90 only here, to keep the build short; a user's build covers torch's list.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$1"
work="$(mktemp -d)"
trap '"$python" -m pip uninstall --quiet --yes torch-activations >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# A copy of the sources (tracked and new files), so that the build leaves nothing in the tree.
mkdir -p "$work/src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  tar -C "$root" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$work/src" -xf -
"$python" -m pip install --no-build-isolation --no-deps --quiet \
  --config-settings=cmake.define.CMAKE_CUDA_ARCHITECTURES=90-real "$work/src" > "$work/pip.log" 2>&1 ||
  { cat "$work/pip.log"; exit 1; }
cd "$work"
env -u TORCH_ACTIVATIONS_LIBRARY -u PYTHONPATH "$python" - <<'PY'
import pathlib
import sys
import sysconfig

import torch
from torch import nn

import torch_activations
from torch_activations import MyLeakyReLU, MyReLU, MySigmoid, MyTanh

package = pathlib.Path(torch_activations.__file__).parent
assert package.parent == pathlib.Path(sysconfig.get_paths()["platlib"]), package
assert torch_activations.load_library() == package / "libtorch_activations.so"
# the compiled eager calls come in the wheel, beside the library
assert torch_activations.HAS_EAGER_CALLS, "no torch_activations._C in the wheel"
assert pathlib.Path(sys.modules["torch_activations._C"].__file__).parent == package
from importlib import metadata

series = ".".join(torch.__version__.split("+")[0].split(".")[:2])
assert metadata.requires("torch-activations") == [f"torch=={series}.*"], metadata.requires(
    "torch-activations")
assert metadata.version("torch-activations") == torch_activations.__version__
net = nn.Sequential(nn.Linear(2, 4), MyTanh(), MyReLU(), MyLeakyReLU(), nn.Linear(4, 1), MySigmoid())
y = net(torch.randn(3, 2))
y.sum().backward()
assert y.shape == (3, 1) and bool(((y > 0) & (y < 1)).all())
print(f"pip install: torch_activations in {package} with torch {torch.__version__}: OK")
PY

# pip's default: an isolated build environment, without the torch to build against.
if "$python" -m pip wheel --no-deps --quiet -w "$work/isolated" "$root" > "$work/isolated.log" 2>&1
then
  echo "pip built the package in isolation, against some other torch" >&2
  exit 1
elif grep -q "pip install --no-build-isolation ." "$work/isolated.log"; then
  echo "pip install with build isolation: stopped with the line to use instead"
elif grep -qi "could not find a version\|no matching distribution" "$work/isolated.log"; then
  echo "pip install with build isolation: not checked (PyPI not reachable for scikit-build-core)"
else
  cat "$work/isolated.log"
  exit 1
fi
