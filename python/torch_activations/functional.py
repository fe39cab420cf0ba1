"""The chapter's functions (eqs. 3-113, 3-115, 3-117, 3-119) on our kernels, with their in-place
forms. Each is differentiable through our backward operators and traceable by torch.compile
and torch.export."""
from __future__ import annotations

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


def leakyrelu(x: torch.Tensor, gamma: float = 0.2) -> torch.Tensor:
    """x for x >= 0, gamma * x otherwise (eq. 3-119), bit-identical to
    torch.nn.functional.leaky_relu(x, gamma). The chapter's default gamma is 0.2."""
    return _ops.leaky_relu(x, gamma)


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


def leakyrelu_(x: torch.Tensor, gamma: float = 0.2) -> torch.Tensor:
    """leakyrelu in place; returns x."""
    _ops.leaky_relu_(x, gamma)
    return x
