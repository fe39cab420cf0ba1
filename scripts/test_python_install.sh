#!/usr/bin/env bash
# cmake --install into a temporary prefix, then the Python package from there alone (no
# TORCH_ACTIVATIONS_LIBRARY): it must find the installed library through the link beside it.
# Usage: scripts/test_python_install.sh BUILD_DIR PYTHON
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
python="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
package_dir="$(sed -n 's/^ACTIVATIONS_PYTHON_INSTALL_DIR:PATH=//p' "$build_dir/CMakeCache.txt")"
cd "$work"
built_eager_calls=$(compgen -G "$build_dir/_C.*.so" > /dev/null && echo 1 || echo 0)
env -u TORCH_ACTIVATIONS_LIBRARY PYTHONPATH="$work/prefix/$package_dir" "$python" - "$work/prefix" \
  "$built_eager_calls" <<'PY'
import pathlib
import sys

import torch
import torch_activations

prefix = pathlib.Path(sys.argv[1])
library = torch_activations.load_library()
assert library == pathlib.Path(torch_activations.__file__).parent / "libtorch_activations.so"
assert library.resolve() == (prefix / "lib" / "libtorch_activations.so").resolve(), library
# the compiled eager calls, where the build made them, are installed beside the library
assert torch_activations.HAS_EAGER_CALLS == (sys.argv[2] == "1")
if torch_activations.HAS_EAGER_CALLS:
    eager_calls = pathlib.Path(sys.modules["torch_activations._C"].__file__)
    assert eager_calls.parent == (prefix / "lib").resolve(), eager_calls
x = torch.randn(10)
assert torch.equal(torch_activations.MyReLU()(x), torch.relu(x))
print(f"cmake --install: torch_activations from {library.parent}, library {library.resolve()}: OK")
PY
