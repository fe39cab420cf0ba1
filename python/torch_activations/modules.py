"""The chapter's layers as torch.nn.Modules on our kernels: MySigmoid, MyTanh, MyReLU and
MyLeakyReLU, and MySiLU and MyGELU beside them, drop-in for nn.Sequential like torch.nn's own."""
from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn

from . import functional as F


class MySigmoid(nn.Module):
    """Sigmoid (eq. 3-113) as a layer."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.sigmoid(x)


class MyTanh(nn.Module):
    """Tanh (eq. 3-115) as a layer."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.tanh(x)


class MyReLU(nn.Module):
    """ReLU (eq. 3-117) as a layer; ``inplace=True`` overwrites its input."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu_(x) if self.inplace else F.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class MyLeakyReLU(nn.Module):
    """LeakyReLU (eq. 3-119) as a layer with the chapter's slope ``gamma`` (default 0.2, where
    torch.nn.LeakyReLU's is 0.01), also given as torch.nn's ``negative_slope``; ``inplace=True``
    overwrites its input."""

    def __init__(self, gamma: Optional[float] = None, inplace: bool = False, *,
                 negative_slope: Optional[float] = None) -> None:
        super().__init__()
        gamma = F.slope(gamma, negative_slope, "MyLeakyReLU")
        if not math.isfinite(gamma):
            raise ValueError(f"MyLeakyReLU: gamma must be finite, got {gamma}")
        self.gamma = gamma
        self.inplace = inplace

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, self.gamma, self.inplace)

    @property
    def negative_slope(self) -> float:
        """torch.nn.LeakyReLU's name for the slope."""
        return self.gamma

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}" + (", inplace=True" if self.inplace else "")


class MySiLU(nn.Module):
    """SiLU (swish), x * sigmoid(x), as a layer shaped like torch.nn.SiLU; ``inplace=True``
    overwrites its input."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu_(x) if self.inplace else F.silu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class MyGELU(nn.Module):
    """GELU, x Phi(x), as a layer shaped like torch.nn.GELU; ``approximate="tanh"`` takes its
    tanh approximation. Any other ``approximate`` is refused as the layer is made (ValueError),
    where torch.nn.GELU refuses it only when it runs."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"MyGELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"
