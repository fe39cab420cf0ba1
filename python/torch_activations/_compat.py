"""Where torch releases differ for this package, in one place: how a fake (meta) kernel is
registered for an operator that already has a C++ Meta kernel, the private helpers the fake
kernels lean on, how the running torch is described for the library's build record, and how
the functions learn that torch.compile is tracing them."""
from __future__ import annotations

import inspect
from typing import Callable, Optional, Tuple

import torch


def torch_series(version: str) -> str:
    """major.minor of a torch version ("2.11.0+cu130" -> "2.11"): what a built library needs."""
    return ".".join(version.split("+")[0].split(".")[:2])


def running_torch() -> dict:
    """The running torch as the library's build record describes the one it was built against."""
    return {"torch": torch.__version__, "cxx11_abi": int(torch._C._GLIBCXX_USE_CXX11_ABI),
            "cuda": torch.version.cuda}


def fake_registration() -> Optional[Callable[[str, Callable], None]]:
    """A function that registers a fake kernel over our C++ Meta kernel, or None where this torch
    cannot (before 2.4, which has no torch.library.register_fake).

    torch.library.register_fake refuses an operator with a Meta kernel unless allow_override is
    true; the parameter came with torch 2.8? and its default became True in 2.15. Where it is
    missing, the C++ Meta kernels serve torch.compile and torch.export alone."""
    register_fake = getattr(torch.library, "register_fake", None)
    if register_fake is None:
        return None
    if "allow_override" not in inspect.signature(register_fake).parameters:
        return None
    return lambda qualname, fn: register_fake(qualname, fn, allow_override=True)


def dynamo_tracing_check() -> Optional[Callable[[], bool]]:
    """A cheap function that returns False when called and that torch.compile's tracer reads as
    True, so that a function can take the compiled eager calls (torch_activations._C, which the
    tracer cannot see into) yet show the tracer the torch.ops operators. None where this torch
    has torch.compile but no such function (before 2.3: torch._dynamo's own takes seconds to
    import); torch 1.13, which has no tracer, gets a function that is always False."""
    if not hasattr(torch, "compile"):
        return lambda: False
    return getattr(getattr(torch, "compiler", None), "is_dynamo_compiling", None)


def is_non_overlapping_and_dense(tensor: torch.Tensor) -> bool:
    """torch._prims_common's test, renamed ..._or_false in later releases (symbolic sizes)."""
    import torch._prims_common as prims

    test = (getattr(prims, "is_non_overlapping_and_dense", None)
            or getattr(prims, "is_non_overlapping_and_dense_or_false"))
    return bool(test(tensor))


# functorch's primitives (torch 2.0 and later), for the batching rules in _vmap.py.
def has_functorch() -> bool:
    functorch = getattr(torch._C, "_functorch", None)
    return functorch is not None and all(
        hasattr(functorch, name) for name in ("current_level", "_unwrap_batched",
                                              "_add_batch_dim")) and (
        _batched_key() is not None or hasattr(functorch, "tls_set_vmap_excluded"))


def _batched_key():
    # torch 2.0 does not name FuncTorchBatched in Python; it has tls_set_vmap_excluded instead.
    return getattr(torch._C.DispatchKey, "FuncTorchBatched", None)


def vmap_level() -> int:
    """The level of the vmap whose batching rule is running."""
    return torch._C._functorch.current_level()


def unwrap_batched(tensor: torch.Tensor, level: int) -> Tuple[torch.Tensor, Optional[int]]:
    """The tensor behind a tensor batched at `level` and its batch dimension, or the tensor
    itself and None."""
    value, bdim = torch._C._functorch._unwrap_batched(tensor, level)
    return value, (None if bdim is None or bdim < 0 else int(bdim))


def add_batch_dim(tensor: torch.Tensor, bdim: int, level: int) -> torch.Tensor:
    return torch._C._functorch._add_batch_dim(tensor, bdim, level)


def below_vmap():
    """A context in which the operators run on the tensors behind the batched ones (the inner
    vmap levels still apply)."""
    key = _batched_key()
    if key is None:
        return _VmapExcluded()
    guard = getattr(torch._C, "_ExcludeDispatchKeyGuard", None) or torch._C.ExcludeDispatchKeyGuard
    return guard(torch._C.DispatchKeySet(key))


class _VmapExcluded:
    """torch 2.0's way to exclude FuncTorchBatched. A batching rule only runs while the key is
    not excluded, so leaving restores 'not excluded'."""

    def __enter__(self):
        torch._C._functorch.tls_set_vmap_excluded(True)

    def __exit__(self, *exc):
        torch._C._functorch.tls_set_vmap_excluded(False)
        return False
