"""torch-activations for Python: the four activation functions of the textbook section 3.12
(Sigmoid, Tanh, ReLU, LeakyReLU) as the chapter writes them, ``MySigmoid()``, ``sigmoid(x)``,
..., and SiLU (``MySiLU()``, ``silu(x)``) and GELU (``MyGELU()``, ``gelu(x)``), backed by the
library's kernels and gradients (``torch.ops.activations``).

    import torch
    from torch import nn
    from torch_activations import MySigmoid, MyTanh, MyReLU, MyLeakyReLU

    net = nn.Sequential(nn.Linear(2, 8), MyTanh(), nn.Linear(8, 1), MySigmoid())

Importing it loads libtorch_activations.so (``$TORCH_ACTIVATIONS_LIBRARY``, else beside the
package, else the source tree's build folders), refusing one built against another torch, and,
where this torch allows, registers the fake kernels that torch.compile and torch.export need
with dynamic shapes and the batching rules of torch.func.vmap. Eager calls from Python take
torch_activations._C, built beside the library, where it was built (``HAS_EAGER_CALLS``).
"""
from . import _fake, _library, _vmap
from ._library import load_library
from .functional import (HAS_EAGER_CALLS, gelu, gelu_, leaky_relu, leaky_relu_, leakyrelu,
                         leakyrelu_, relu, relu_, sigmoid, sigmoid_, silu, silu_, tanh, tanh_)
from .modules import MyGELU, MyLeakyReLU, MyReLU, MySigmoid, MySiLU, MyTanh

# One version, CMake's project version, which the loaded library's build record carries.
__version__: str = _library.build_record["version"]
HAS_FAKE_KERNELS: bool = _fake.register()
HAS_BATCHING_RULES: bool = _vmap.register()

__all__ = [
    "MySigmoid", "MyTanh", "MyReLU", "MyLeakyReLU", "MySiLU", "MyGELU", "sigmoid", "tanh", "relu",
    "leakyrelu", "leaky_relu", "silu", "gelu", "sigmoid_", "tanh_", "relu_", "leakyrelu_",
    "leaky_relu_", "silu_", "gelu_", "load_library", "HAS_FAKE_KERNELS", "HAS_BATCHING_RULES",
    "HAS_EAGER_CALLS",
]
