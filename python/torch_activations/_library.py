"""Finds and loads libtorch_activations.so, which registers the ``torch.ops.activations``
operators with the torch already imported."""
from __future__ import annotations

import os
import pathlib
from typing import Iterator, Optional

import torch

LIBRARY_NAME = "libtorch_activations.so"
_PACKAGE = pathlib.Path(__file__).resolve().parent
_loaded: Optional[pathlib.Path] = None


def candidates() -> Iterator[pathlib.Path]:
    """Where the library is looked for, in order: ``$TORCH_ACTIVATIONS_LIBRARY``, beside this
    package (a ``pip install`` or ``cmake --install``), then the source tree's build folders
    (``PYTHONPATH=python`` in a checkout): ``build-torch2/`` before ``build/`` on torch 2."""
    from_environment = os.environ.get("TORCH_ACTIVATIONS_LIBRARY")
    if from_environment:
        yield pathlib.Path(from_environment)
    yield _PACKAGE / LIBRARY_NAME  # pip's copy, or cmake --install's link to <prefix>/lib
    checkout = _PACKAGE.parent.parent
    torch_2 = int(torch.__version__.split(".")[0]) >= 2
    builds = ["build-torch2", "build"] if torch_2 else ["build", "build-torch2"]
    for build in builds:
        yield checkout / build / LIBRARY_NAME


def load_library(path: Optional[str | os.PathLike] = None) -> pathlib.Path:
    """Loads the library once, from ``path`` or the first of :func:`candidates` that exists,
    and returns where it came from."""
    global _loaded
    if _loaded is not None:
        return _loaded
    for candidate in [pathlib.Path(path)] if path else candidates():
        if candidate.is_file():
            torch.ops.load_library(str(candidate))
            _loaded = candidate
            return candidate
    raise FileNotFoundError(
        f"{LIBRARY_NAME} not found: set TORCH_ACTIVATIONS_LIBRARY, install the package "
        "(pip install .) or build the library (scripts/build.sh)")
