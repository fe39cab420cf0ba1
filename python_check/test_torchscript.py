"""TorchScript reaches the same operators."""
import io

import torch


@torch.jit.script
def scripted_activations(x: torch.Tensor) -> torch.Tensor:
    return (torch.ops.activations.sigmoid(x) + torch.ops.activations.tanh(x)
            + torch.ops.activations.relu(x) + torch.ops.activations.leaky_relu(x, 0.2)
            + torch.ops.activations.silu(x) + torch.ops.activations.gelu(x)
            + torch.ops.activations.gelu(x, approximate="tanh"))


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 4)

    def forward(self, x):
        return torch.ops.activations.leaky_relu(torch.ops.activations.tanh(self.linear(x)))


def test_scripted_function_calls_our_operators(ops):
    x = torch.randn(3, 4)
    expected = (ops.sigmoid(x) + ops.tanh(x) + ops.relu(x) + ops.leaky_relu(x, 0.2) + ops.silu(x)
                + ops.gelu(x) + ops.gelu(x, approximate="tanh"))
    assert torch.equal(scripted_activations(x), expected)
    graph = str(scripted_activations.graph)
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu"):
        assert f"activations::{name}" in graph
    assert '"tanh"' in graph  # the approximation, a constant of the graph


def test_scripted_module_saves_and_loads(ops):
    module = torch.jit.script(Block())
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    x = torch.randn(2, 4)
    assert torch.equal(loaded(x), module(x))
    assert "activations::leaky_relu" in str(loaded.graph)


def test_scripted_gradients(ops):
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    scripted_activations(x).sum().backward()
    expected = torch.autograd.grad(
        (ops.sigmoid(x) + ops.tanh(x) + ops.relu(x) + ops.leaky_relu(x, 0.2)
         + ops.silu(x) + ops.gelu(x) + ops.gelu(x, approximate="tanh")).sum(), x)[0]
    assert torch.equal(x.grad, expected)
