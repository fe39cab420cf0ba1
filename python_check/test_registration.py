"""Which dispatch keys our operators have kernels for: CPU, Autograd and Meta always, CUDA
exactly when the library was built against a CUDA torch (TORCH_ACTIVATIONS_EXPECT_CUDA=1, set by
CMake), which then loads and registers on a machine without a GPU."""
import os

import pytest
import torch

OPERATORS = [
    f"activations::{name}{suffix}"
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu")
    for suffix in ("", "_", ".out", "_backward")
]


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("key", ["CPU", "Meta", "Autograd"])
def test_every_operator_has_a_kernel_for(operator, key):
    assert torch._C._dispatch_has_kernel_for_dispatch_key(operator, key)


@pytest.mark.parametrize("operator", OPERATORS)
def test_cuda_kernels_are_registered_exactly_when_built_with_cuda(operator):
    expected = os.environ.get("TORCH_ACTIVATIONS_EXPECT_CUDA") == "1"
    assert torch._C._dispatch_has_kernel_for_dispatch_key(operator, "CUDA") == expected


def test_meta_tensors_run_through_our_kernels_without_data():
    x = torch.empty(1 << 30, device="meta")  # 4 GiB were it real
    assert torch.ops.activations.sigmoid(x).device.type == "meta"
    with pytest.raises(RuntimeError, match="activations::tanh"):
        torch.ops.activations.tanh(torch.empty(3, dtype=torch.complex64, device="meta"))
