"""The chapter's functions (eqs. 3-113, 3-115, 3-117, 3-119) on our kernels, with their in-place
forms. Each is differentiable through our backward operators and traceable by torch.compile
and torch.export. LeakyReLU's slope is the chapter's ``gamma`` or torch.nn's ``negative_slope``,
and ``leaky_relu`` is torch.nn.functional's name and signature for it (default slope 0.2)."""
from __future__ import annotations

from typing import Optional

import torch

from ._library import load_library

load_library()
_ops = torch.ops.activations


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1 / (1 + e^-x) (eq. 3-113), within 1 ULP for float32."""
    return _ops.sigmoid(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """(e^x - e^-x) / (e^x + e^-x) (eq. 3-115), within 1 ULP for float32."""
    return _ops.tanh(x)


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(0, x) (eq. 3-117), bit-identical to torch.relu."""
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
    return _ops.leaky_relu(x, slope(gamma, negative_slope, "leakyrelu"))


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2,
               inplace: bool = False) -> torch.Tensor:
    """torch.nn.functional.leaky_relu's signature on our kernels (default slope 0.2)."""
    return leaky_relu_(x, negative_slope) if inplace else _ops.leaky_relu(x, negative_slope)


def sigmoid_(x: torch.Tensor) -> torch.Tensor:
    """sigmoid in place; returns x."""
    _ops.sigmoid_(x)
    return x


def tanh_(x: torch.Tensor) -> torch.Tensor:
    """tanh in place; returns x."""
    _ops.tanh_(x)
    return x


def relu_(x: torch.Tensor) -> torch.Tensor:
    """relu in place; returns x."""
    _ops.relu_(x)
    return x


def leakyrelu_(x: torch.Tensor, gamma: Optional[float] = None, *,
               negative_slope: Optional[float] = None) -> torch.Tensor:
    """leakyrelu in place; returns x."""
    _ops.leaky_relu_(x, slope(gamma, negative_slope, "leakyrelu_"))
    return x


def leaky_relu_(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    """leaky_relu in place (torch.nn.functional.leaky_relu_'s signature); returns x."""
    _ops.leaky_relu_(x, negative_slope)
    return x
