"""Loads libtorch_activations.so into torch so that torch.ops.activations.* exist.

    import activations_loader; activations_loader.load()

The library is looked up in $TORCH_ACTIVATIONS_LIBRARY, then in the build tree next to this
folder, then under the usual install prefixes.
"""
import os
import pathlib

import torch

_LIBRARY_NAME = "libtorch_activations.so"
_ROOT = pathlib.Path(__file__).resolve().parent.parent


def candidates():
    env = os.environ.get("TORCH_ACTIVATIONS_LIBRARY")
    if env:
        yield pathlib.Path(env)
    yield _ROOT / "build" / _LIBRARY_NAME
    for prefix in ("/usr/local/lib", "/usr/lib", "/usr/local/lib/x86_64-linux-gnu"):
        yield pathlib.Path(prefix) / _LIBRARY_NAME


def load(path=None):
    """Loads the library (once) and returns the path it came from."""
    for candidate in [pathlib.Path(path)] if path else candidates():
        if candidate.is_file():
            torch.ops.load_library(str(candidate))
            return candidate
    raise FileNotFoundError(
        f"{_LIBRARY_NAME} not found; build it or set TORCH_ACTIVATIONS_LIBRARY")
