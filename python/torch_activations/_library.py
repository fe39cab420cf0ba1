"""Finds and loads libtorch_activations.so, which registers the ``torch.ops.activations``
operators with the torch already imported.

A library built against another torch can abort the whole process as it loads, where no
``try`` catches it, so nothing is loaded before its build record
(``torch_activations_build.json``, written by CMake beside the library) says it was built
against this torch: the same major.minor version, C++11 ABI and, for a library with CUDA
kernels, a torch with CUDA of the same major version."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import pathlib
import sys
import types
import warnings
from typing import Iterator, Optional, Tuple

import torch

from . import _compat

LIBRARY_NAME = "libtorch_activations.so"
EAGER_CALLS_NAME = "_C"  # torch_activations._C, src/python/eager_calls.cpp
RECORD_NAME = "torch_activations_build.json"
REBUILD = ("rebuild it against this torch: pip install --no-build-isolation . in the source "
           "tree, or scripts/build.sh -DCMAKE_PREFIX_PATH=$(python -c 'import torch; "
           "print(torch.utils.cmake_prefix_path)')")
_PACKAGE = pathlib.Path(__file__).resolve().parent
_loaded: Optional[pathlib.Path] = None
build_record: Optional[dict] = None  # the loaded library's


def read_build_record(library: pathlib.Path) -> Optional[dict]:
    """The build record beside the library (following a link to it), or None."""
    try:
        return json.loads((library.resolve().parent / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return None


def mismatch(record: Optional[dict]) -> Optional[str]:
    """Why a library with this build record cannot be loaded into the running torch, or None."""
    if record is None:
        return f"it has no build record ({RECORD_NAME} beside it)"
    running = _compat.running_torch()
    built, here = _compat.torch_series(record["torch"]), _compat.torch_series(running["torch"])
    if built != here:
        return f"it was built against torch {record['torch']}, and this is torch {running['torch']}"
    if int(record["cxx11_abi"]) != running["cxx11_abi"]:
        return (f"it was built with _GLIBCXX_USE_CXX11_ABI={record['cxx11_abi']}, and torch "
                f"{running['torch']} uses {running['cxx11_abi']}")
    if record.get("cuda"):
        if not running["cuda"]:
            return (f"it has CUDA kernels (CUDA {record['cuda']}), and torch {running['torch']} "
                    "has no CUDA")
        if record["cuda"].split(".")[0] != running["cuda"].split(".")[0]:
            return (f"its CUDA kernels were built with CUDA {record['cuda']}, and torch "
                    f"{running['torch']} uses CUDA {running['cuda']}")
    return None


def in_source_tree() -> bool:
    """Whether this package is the source tree's python/torch_activations (PYTHONPATH=python),
    whose build folders may hold a library; an installed package never looks there."""
    checkout = _PACKAGE.parent.parent
    return _PACKAGE.parent.name == "python" and (checkout / "CMakeLists.txt").is_file()


def candidates() -> Iterator[pathlib.Path]:
    """Where the library is looked for when none is named: beside this package (a
    ``pip install`` or ``cmake --install``), then, in a source tree, its build folders."""
    yield _PACKAGE / LIBRARY_NAME  # pip's copy, or cmake --install's link to <prefix>/lib
    if in_source_tree():
        for build in sorted(_PACKAGE.parent.parent.glob("build*/")):
            yield build / LIBRARY_NAME


def _named() -> Tuple[Optional[pathlib.Path], str]:
    from_environment = os.environ.get("TORCH_ACTIVATIONS_LIBRARY")
    return (pathlib.Path(from_environment) if from_environment else None,
            "$TORCH_ACTIVATIONS_LIBRARY")


def load_library(path: Optional[str | os.PathLike] = None) -> pathlib.Path:
    """Loads the library once, from ``path``, else ``$TORCH_ACTIVATIONS_LIBRARY``, else the first
    of :func:`candidates` built against this torch, and returns where it came from. A named
    library that is missing or built against another torch is an error (ImportError)."""
    global _loaded, build_record
    if _loaded is not None:
        return _loaded
    named, source = (pathlib.Path(path), "load_library") if path else _named()
    if named is not None:
        if not named.is_file():
            raise ImportError(f"torch_activations: {named} (from {source}) does not exist")
        record = read_build_record(named)
        problem = mismatch(record)
        if problem:
            raise ImportError(f"torch_activations: {named} (from {source}) cannot be loaded: "
                              f"{problem}; {REBUILD}")
        return _load(named, record)
    skipped = []
    for candidate in candidates():
        if not candidate.is_file():
            continue
        record = read_build_record(candidate)
        problem = mismatch(record)
        if problem:
            skipped.append(f"{candidate} ({problem})")
            continue
        return _load(candidate, record)
    found = ("; skipped " + "; ".join(skipped)) if skipped else ""
    raise ImportError(
        f"torch_activations: no {LIBRARY_NAME} built against torch {torch.__version__} was found"
        f"{found}. Install the package (pip install --no-build-isolation .), set "
        "TORCH_ACTIVATIONS_LIBRARY, or build the library (scripts/build.sh)")


def _load(library: pathlib.Path, record: dict) -> pathlib.Path:
    global _loaded, build_record
    torch.ops.load_library(str(library))
    _loaded, build_record = library, record
    return library


def load_eager_calls() -> Optional[types.ModuleType]:
    """torch_activations._C, the compiled eager calls built with the loaded library and found
    beside it, or None where none was built for this Python (the functions then call through
    torch.ops). Built in the same build, it is for the same torch as the library."""
    library = load_library().resolve()
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = library.parent / (EAGER_CALLS_NAME + suffix)
        if path.is_file():
            break
    else:
        return None
    name = f"{__package__}.{EAGER_CALLS_NAME}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except ImportError as error:
        warnings.warn(f"torch_activations: {path} does not load ({error}); calling the "
                      "operators through torch.ops instead", stacklevel=2)
        return None
    sys.modules[name] = module
    return module
