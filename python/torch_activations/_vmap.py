"""Batching rules of the ``activations`` operators for torch.func.vmap (and what builds on it:
per-sample gradients, gradcheck's batched checks, jacrev/jacfwd/hessian), so that vmap runs each
operator once on the whole batch, where torch's fallback would loop over the examples and warn.
The operators are elementwise: each rule runs the operator on the tensor behind the batched one,
and the batch dimension rides along; the backward operators' two operands are aligned first
(batch dimension first, padded to the larger logical rank) as torch's pointwise rules align
them. Extra arguments (LeakyReLU's slope, GELU's keyword-only ``approximate``) pass through as
they came. No derivative lives here: the autograd formulas are the library's, in C++.

The rules are kernels of the FuncTorchBatched dispatch key, registered from Python because
functorch's C++ headers do not build outside torch's own tree (they need nlohmann/json, which
torch's wheels do not ship), and LibTorch has no vmap to serve."""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

import torch

from . import _compat

UNARY = ("sigmoid", "tanh", "relu", "silu")
WITH_ARGUMENTS = ("leaky_relu", "gelu")  # a slope; approximate='none' or 'tanh'
_library: Optional[torch.library.Library] = None


def _batch_first(value: torch.Tensor, bdim: Optional[int], rank: int) -> torch.Tensor:
    """A batched operand with its batch dimension first and padded to `rank` logical
    dimensions; an unbatched one as it is (broadcasting aligns it from the right)."""
    if bdim is None:
        return value
    moved = value.movedim(bdim, 0)
    missing = rank - (moved.dim() - 1)
    return moved.reshape(moved.shape[:1] + (1,) * missing + moved.shape[1:]) if missing > 0 \
        else moved


def _forward_rule(op: Callable) -> Callable:
    def rule(x: torch.Tensor, *args, **kwargs):
        level = _compat.vmap_level()
        value, bdim = _compat.unwrap_batched(x, level)
        with _compat.below_vmap():
            result = op(value, *args, **kwargs)
        return result if bdim is None else _compat.add_batch_dim(result, bdim, level)
    return rule


def _inplace_rule(op_: Callable) -> Callable:
    def rule(x: torch.Tensor, *args, **kwargs) -> None:
        value, _ = _compat.unwrap_batched(x, _compat.vmap_level())
        with _compat.below_vmap():
            op_(value, *args, **kwargs)
    return rule


def _out_rule(op: Callable, name: str) -> Callable:
    def rule(x: torch.Tensor, *args, out: torch.Tensor, **kwargs) -> None:
        level = _compat.vmap_level()
        value, bdim = _compat.unwrap_batched(x, level)
        out_value, out_bdim = _compat.unwrap_batched(out, level)
        if out_bdim is None and bdim is not None:
            raise RuntimeError(f"activations::{name}.out: vmap: out= is not batched but the "
                               "input is: out cannot hold the result")
        target = out_value if out_bdim is None else out_value.movedim(out_bdim, 0)
        if bdim is not None:
            source = value.movedim(bdim, 0)
        elif out_bdim is not None:
            source = value.unsqueeze(0).expand(target.shape)
        else:
            source = value
        with _compat.below_vmap():
            op(source, *args, out=target, **kwargs)
    return rule


def _backward_rule(op: Callable) -> Callable:
    def rule(grad_output: torch.Tensor, saved: torch.Tensor, *args, **kwargs):
        level = _compat.vmap_level()
        grad, grad_bdim = _compat.unwrap_batched(grad_output, level)
        value, value_bdim = _compat.unwrap_batched(saved, level)
        with _compat.below_vmap():
            if grad_bdim is None and value_bdim is None:
                return op(grad, value, *args, **kwargs)
            rank = max(grad.dim() - (grad_bdim is not None), value.dim() - (value_bdim is not None))
            result = op(_batch_first(grad, grad_bdim, rank), _batch_first(value, value_bdim, rank),
                        *args, **kwargs)
        return _compat.add_batch_dim(result, 0, level)
    return rule


def register() -> bool:
    """Registers every batching rule; False where this torch has no functorch (before 2.0)."""
    global _library
    if not _compat.has_functorch():
        return False
    ops = torch.ops.activations
    _library = torch.library.Library("activations", "IMPL")
    rules: List[Tuple[str, Callable]] = []
    for name in UNARY + WITH_ARGUMENTS:
        rules += [(name, _forward_rule(getattr(ops, name))),
                  (name + "_", _inplace_rule(getattr(ops, name + "_"))),
                  (name + ".out", _out_rule(getattr(ops, name), name)),
                  (name + "_backward", _backward_rule(getattr(ops, name + "_backward")))]
    for name, rule in rules:
        _library.impl(name, rule, "FuncTorchBatched")
    return True
