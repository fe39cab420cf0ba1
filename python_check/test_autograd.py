"""gradcheck and gradgradcheck in float64, and gradients against torch's."""
import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

A = torch.ops.activations if hasattr(torch.ops, "activations") else None


def away_from_kinks(n=40):
    # ReLU and LeakyReLU are not differentiable at 0: keep finite differences off it.
    x = torch.randn(n, dtype=torch.float64)
    return (x + 0.1 * torch.sign(x)).requires_grad_(True)


def in_place(op, x, *args):
    """The in-place operators return nothing (their schemas end in -> ()): x is the result."""
    assert op(x, *args) is None
    return x


FUNCTIONS = {
    "sigmoid": lambda x: torch.ops.activations.sigmoid(x),
    "tanh": lambda x: torch.ops.activations.tanh(x),
    "relu": lambda x: torch.ops.activations.relu(x),
    "leaky_relu": lambda x: torch.ops.activations.leaky_relu(x, 0.2),
    "leaky_relu_negative": lambda x: torch.ops.activations.leaky_relu(x, -0.3),
    "sigmoid_": lambda x: in_place(torch.ops.activations.sigmoid_, x * 1.0),
    "tanh_": lambda x: in_place(torch.ops.activations.tanh_, x * 1.0),
    "relu_": lambda x: in_place(torch.ops.activations.relu_, x * 1.0),
    "leaky_relu_": lambda x: in_place(torch.ops.activations.leaky_relu_, x * 1.0, 0.2),
}

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu_negative": lambda x: torch.nn.functional.leaky_relu(x, -0.3),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradcheck(ops, name):
    assert gradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradgradcheck(ops, name):
    assert gradgradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward", "relu_backward"])
def test_backward_operators_gradcheck(ops, name):
    grad = torch.randn(20, dtype=torch.float64, requires_grad=True)
    output = torch.rand(20, dtype=torch.float64).add(0.05).requires_grad_(True)
    op = getattr(ops, name)
    assert gradcheck(op, (grad, output))
    assert gradgradcheck(op, (grad, output))


@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_equal_torch(ops, name, dtype):
    x = (torch.randn(300) * 4).to(dtype)
    weights = torch.randn(300).to(dtype)
    grads = []
    for fn in (FUNCTIONS[name], TORCH[name]):
        leaf = x.clone().requires_grad_(True)
        (fn(leaf) * weights).sum().backward()
        grads.append(leaf.grad)
    tolerance = 1e-6 if dtype == torch.float32 else 1e-14
    assert torch.allclose(grads[0], grads[1], rtol=tolerance, atol=tolerance)


def test_inplace_rules(ops):
    leaf = torch.randn(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="activations::sigmoid_: a leaf Variable"):
        ops.sigmoid_(leaf)
    nonleaf = leaf * 1.0
    before = nonleaf.detach().clone()
    with pytest.raises(RuntimeError, match="activations::leaky_relu_: a negative slope"):
        ops.leaky_relu_(nonleaf, -0.5)
    assert torch.equal(nonleaf.detach(), before)
    with pytest.raises(RuntimeError, match="out=... arguments don't support"):
        ops.tanh(leaf, out=torch.empty(4))
