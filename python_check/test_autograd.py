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
    "silu": lambda x: torch.ops.activations.silu(x),
    "sigmoid_": lambda x: in_place(torch.ops.activations.sigmoid_, x * 1.0),
    "tanh_": lambda x: in_place(torch.ops.activations.tanh_, x * 1.0),
    "relu_": lambda x: in_place(torch.ops.activations.relu_, x * 1.0),
    "leaky_relu_": lambda x: in_place(torch.ops.activations.leaky_relu_, x * 1.0, 0.2),
    "silu_": lambda x: in_place(torch.ops.activations.silu_, x * 1.0),
}

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu_negative": lambda x: torch.nn.functional.leaky_relu(x, -0.3),
    "silu": torch.nn.functional.silu,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradcheck(ops, name):
    assert gradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradgradcheck(ops, name):
    assert gradgradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward", "relu_backward",
                                  "silu_backward"])
def test_backward_operators_gradcheck(ops, name):
    grad = torch.randn(20, dtype=torch.float64, requires_grad=True)
    # the forward output, or for silu_backward the forward input (any value will do)
    saved = torch.rand(20, dtype=torch.float64).add(0.05).requires_grad_(True)
    op = getattr(ops, name)
    assert gradcheck(op, (grad, saved))
    assert gradgradcheck(op, (grad, saved))


def test_silu_backward_is_torchs(ops):
    """silu_backward takes the forward input, as torch's does: the two agree on every input,
    the gradient's and the input's broadcast against each other."""
    grad = torch.randn(6, 1, dtype=torch.float64)
    x = torch.randn(1, 50, dtype=torch.float64) * 8
    expected = torch.ops.aten.silu_backward(grad.expand(6, 50), x.expand(6, 50))
    assert torch.allclose(ops.silu_backward(grad, x), expected, rtol=1e-14, atol=1e-300)


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


def test_silu_in_place_keeps_its_input_for_backward(ops):
    """silu's derivative needs x, which silu_ overwrites: the gradient through a view of a
    non-leaf equals the out-of-place operator's, and so does the second derivative but for
    rounding (the two graphs apply the chain rule's factors in other orders: 1 ULP apart on
    about one input in ten)."""
    generator = torch.Generator().manual_seed(4)
    x = torch.randn(4, 6, dtype=torch.float64, generator=generator).requires_grad_()

    def in_place_on_a_view(v):
        w = v * 2.0
        ops.silu_(w[:, 1:4])
        return w

    def out_of_place(v):
        w = v * 2.0
        return torch.cat([w[:, :1], ops.silu(w[:, 1:4]), w[:, 4:]], dim=1)

    weights = torch.randn(4, 6, dtype=torch.float64, generator=generator)
    grads = []
    for f in (in_place_on_a_view, out_of_place):
        (first,) = torch.autograd.grad((f(x) * weights).sum(), x, create_graph=True)
        (second,) = torch.autograd.grad(first.sum(), x)
        grads.append((first, second))
    assert torch.equal(grads[0][0], grads[1][0])
    assert torch.allclose(grads[0][1], grads[1][1], rtol=1e-14, atol=1e-15)
    leaf = torch.randn(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="activations::silu_: a leaf Variable"):
        ops.silu_(leaf)


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
