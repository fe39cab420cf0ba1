"""The chapter's functions (eqs. 3-113, 3-115, 3-117, 3-119), SiLU and GELU on our kernels, with
their in-place forms. Each is differentiable through our backward operators and traceable by
torch.compile and torch.export. LeakyReLU's slope is the chapter's ``gamma`` or torch.nn's
``negative_slope``, and ``leaky_relu`` is torch.nn.functional's name and signature for it
(default slope 0.2); ``silu`` and ``gelu`` have torch.nn.functional's signatures too.

Each calls an ``torch.ops.activations`` operator. From eager Python the call goes through
torch_activations._C where it was built (``HAS_EAGER_CALLS``): the same operators through their
typed dispatcher handles, without torch.ops' boxed path, which costs as much as the kernel
itself on small tensors. torch.compile's tracer and TorchScript are shown the torch.ops
operators instead (TorchScript compiles only that branch: ``is_scripting()`` is a constant
there, and the two checks stay in nested ifs so that it stays one)."""
from __future__ import annotations

from typing import Optional

import torch
from torch.jit import is_scripting as _is_scripting

from . import _compat
from ._library import load_eager_calls, load_library

load_library()
_ops = torch.ops.activations
_eager = load_eager_calls()
_is_tracing = _compat.dynamo_tracing_check()
if _eager is None or _is_tracing is None:
    _eager = None

    def _through_torch_ops() -> bool:
        return True
else:
    _through_torch_ops = _is_tracing
    # What _C calls for anything it does not take itself (tensor subclasses, torch function
    # modes, arguments of other types), where torch's own handling applies.
    _eager.set_fallbacks({name: getattr(_ops, name).default for name in (
        "sigmoid", "sigmoid_", "tanh", "tanh_", "relu", "relu_", "leaky_relu", "leaky_relu_",
        "silu", "silu_", "gelu", "gelu_")})
HAS_EAGER_CALLS: bool = _eager is not None


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1 / (1 + e^-x) (eq. 3-113), within 1 ULP for float32."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.sigmoid(x)
    return _ops.sigmoid(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """(e^x - e^-x) / (e^x + e^-x) (eq. 3-115), within 1 ULP for float32."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.tanh(x)
    return _ops.tanh(x)


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(0, x) (eq. 3-117), bit-identical to torch.relu."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.relu(x)
    return _ops.relu(x)


def slope(gamma: Optional[float], negative_slope: Optional[float], where: str) -> float:
    """The slope given as the chapter's gamma or torch.nn's negative_slope (not both)."""
    if gamma is not None and negative_slope is not None:
        raise TypeError(f"{where}: give gamma or negative_slope, not both")
    chosen = gamma if gamma is not None else negative_slope
    return 0.2 if chosen is None else chosen


def leakyrelu(x: torch.Tensor, gamma: Optional[float] = None, *,
              negative_slope: Optional[float] = None) -> torch.Tensor:
    """x for x >= 0, gamma * x otherwise (eq. 3-119), bit-identical to
    torch.nn.functional.leaky_relu(x, gamma). The chapter's default gamma is 0.2."""
    return leaky_relu(x, slope(gamma, negative_slope, "leakyrelu"))


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2,
               inplace: bool = False) -> torch.Tensor:
    """torch.nn.functional.leaky_relu's signature on our kernels (default slope 0.2)."""
    if inplace:
        return leaky_relu_(x, negative_slope)
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.leaky_relu(x, negative_slope)
    return _ops.leaky_relu(x, negative_slope)


def silu(x: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """x * sigmoid(x) (SiLU, swish) with torch.nn.functional.silu's signature: within 1 ULP for
    float32, also below x = -88.7, where torch's gives 0, and -0 for -inf, where torch's gives
    NaN. Floating-point inputs only, as torch's."""
    if inplace:
        return silu_(x)
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.silu(x)
    return _ops.silu(x)


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """x Phi(x) (GELU, Phi the standard normal's distribution function), or with
    ``approximate="tanh"`` x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2, with
    torch.nn.functional.gelu's signature (``approximate`` may also be given positionally, where
    torch's takes it by name only: TorchScript compiles no keyword-only argument with a
    default): within 1 ULP of exact for float32, also in the negative tail, where torch's loses
    its digits. Floating-point inputs only, as torch's; any other ``approximate`` is refused
    (RuntimeError)."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.gelu(x, approximate=approximate)
    return _ops.gelu(x, approximate=approximate)


def sigmoid_(x: torch.Tensor) -> torch.Tensor:
    """sigmoid in place; returns x."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.sigmoid_(x)
    _ops.sigmoid_(x)
    return x


def tanh_(x: torch.Tensor) -> torch.Tensor:
    """tanh in place; returns x."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.tanh_(x)
    _ops.tanh_(x)
    return x


def relu_(x: torch.Tensor) -> torch.Tensor:
    """relu in place; returns x."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.relu_(x)
    _ops.relu_(x)
    return x


def leakyrelu_(x: torch.Tensor, gamma: Optional[float] = None, *,
               negative_slope: Optional[float] = None) -> torch.Tensor:
    """leakyrelu in place; returns x."""
    return leaky_relu_(x, slope(gamma, negative_slope, "leakyrelu_"))


def leaky_relu_(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    """leaky_relu in place (torch.nn.functional.leaky_relu_'s signature); returns x."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.leaky_relu_(x, negative_slope)
    _ops.leaky_relu_(x, negative_slope)
    return x


def silu_(x: torch.Tensor) -> torch.Tensor:
    """silu in place; returns x."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.silu_(x)
    _ops.silu_(x)
    return x


def gelu_(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """gelu in place; returns x. An unknown ``approximate`` is refused before x is written."""
    if not _is_scripting():
        if not _through_torch_ops():
            return _eager.gelu_(x, approximate=approximate)
    _ops.gelu_(x, approximate=approximate)
    return x
