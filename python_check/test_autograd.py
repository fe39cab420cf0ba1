"""gradcheck and gradgradcheck in float64, and gradients against torch's."""
import functools

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
    "gelu": lambda x: torch.ops.activations.gelu(x),
    "gelu_tanh": lambda x: torch.ops.activations.gelu(x, approximate="tanh"),
    "sigmoid_": lambda x: in_place(torch.ops.activations.sigmoid_, x * 1.0),
    "tanh_": lambda x: in_place(torch.ops.activations.tanh_, x * 1.0),
    "relu_": lambda x: in_place(torch.ops.activations.relu_, x * 1.0),
    "leaky_relu_": lambda x: in_place(torch.ops.activations.leaky_relu_, x * 1.0, 0.2),
    "silu_": lambda x: in_place(torch.ops.activations.silu_, x * 1.0),
    "gelu_": lambda x: in_place(torch.ops.activations.gelu_, x * 1.0),
    "gelu_tanh_": lambda x: in_place(
        functools.partial(torch.ops.activations.gelu_, approximate="tanh"), x * 1.0),
}

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu_negative": lambda x: torch.nn.functional.leaky_relu(x, -0.3),
    "silu": torch.nn.functional.silu,
    "gelu": torch.nn.functional.gelu,
    "gelu_tanh": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
}
# Compared with torch's gradient computed in float64 and rounded: torch's float32 gelu gradients
# cancel (1 + erf, 1 + tanh) and are some 3e-6 off where the tanh form's meets x = -2.
FLOAT64_REFERENCE = {"gelu", "gelu_tanh"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradcheck(ops, name):
    assert gradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradgradcheck(ops, name):
    assert gradgradcheck(FUNCTIONS[name], (away_from_kinks(),))


@pytest.mark.parametrize("name,kwargs", [
    ("sigmoid_backward", {}), ("tanh_backward", {}), ("relu_backward", {}), ("silu_backward", {}),
    ("gelu_backward", {}), ("gelu_backward", {"approximate": "tanh"}),
], ids=lambda v: v if isinstance(v, str) else "-".join(v.values()))
def test_backward_operators_gradcheck(ops, name, kwargs):
    grad = torch.randn(20, dtype=torch.float64, requires_grad=True)
    # the forward output, or for silu_backward and gelu_backward the forward input (any value
    # will do)
    saved = torch.rand(20, dtype=torch.float64).add(0.05).requires_grad_(True)
    if name == "gelu_backward":
        saved = (torch.randn(20, dtype=torch.float64) * 2).requires_grad_(True)
    op = functools.partial(getattr(ops, name), **kwargs)
    assert gradcheck(op, (grad, saved))
    assert gradgradcheck(op, (grad, saved))


def test_silu_backward_is_torchs(ops):
    """silu_backward takes the forward input, as torch's does: the two agree on every input,
    the gradient's and the input's broadcast against each other. Near the derivative's zero
    (x = -1.278) torch's 1 + x (1 - s) cancels, so the two are compared within an absolute
    rounding there, not a relative one."""
    generator = torch.Generator().manual_seed(83)
    grad = torch.randn(6, 1, dtype=torch.float64, generator=generator)
    x = torch.randn(1, 50, dtype=torch.float64, generator=generator) * 8
    expected = torch.ops.aten.silu_backward(grad.expand(6, 50), x.expand(6, 50))
    absolute = 1e-15 * grad.abs().expand(6, 50)
    difference = (ops.silu_backward(grad, x) - expected).abs()
    assert bool((difference <= 1e-14 * expected.abs() + absolute).all())


@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_equal_torch(ops, name, dtype):
    x = (torch.randn(300) * 4).to(dtype)
    weights = torch.randn(300).to(dtype)
    grads = []
    reference_dtype = torch.float64 if name in FLOAT64_REFERENCE else dtype
    for fn, in_dtype in ((FUNCTIONS[name], dtype), (TORCH[name], reference_dtype)):
        leaf = x.to(in_dtype, copy=True).requires_grad_(True)
        (fn(leaf) * weights.to(in_dtype)).sum().backward()
        grads.append(leaf.grad.to(dtype))
    tolerance = 1e-6 if dtype == torch.float32 else 1e-14
    assert torch.allclose(grads[0], grads[1], rtol=tolerance, atol=tolerance)


def _in_place_and_out_of_place_agree(x, weights, in_place, out_of_place):
    """The first derivatives through both graphs are equal; the second ones but for rounding,
    as the two graphs order the chain rule's factors differently."""
    grads = []
    for f in (in_place, out_of_place):
        (first,) = torch.autograd.grad((f(x) * weights).sum(), x, create_graph=True)
        (second,) = torch.autograd.grad(first.sum(), x)
        grads.append((first, second))
    assert torch.equal(grads[0][0], grads[1][0])
    assert torch.allclose(grads[0][1], grads[1][1], rtol=1e-14, atol=1e-15)
    return grads


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
    grads = _in_place_and_out_of_place_agree(x, weights, in_place_on_a_view, out_of_place)
    leaf = torch.randn(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="activations::silu_: a leaf Variable"):
        ops.silu_(leaf)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_backward_is_torchs(ops, approximate):
    """gelu_backward takes the forward input, as torch's does: the two agree where torch's is
    accurate, on moderate inputs (torch's cancels in the negative tail, 1 + tanh(u) to some
    6e-10 relative already at x = -5), the gradient's and the input's broadcast against each
    other."""
    grad = torch.randn(6, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    x = torch.linspace(-5, 5, 2001, dtype=torch.float64).view(1, -1)
    expected = torch.ops.aten.gelu_backward(grad.expand(6, -1), x.expand(6, -1),
                                            approximate=approximate)
    got = ops.gelu_backward(grad, x, approximate=approximate)
    assert got.shape == (6, 2001)
    assert torch.allclose(got, expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_in_place_keeps_its_input_for_backward(ops, approximate):
    """As silu_: gelu's derivative needs x, which gelu_ overwrites. The gradient through a view
    of a non-leaf equals the out-of-place operator's, the second derivative but for rounding."""
    generator = torch.Generator().manual_seed(5)
    x = torch.randn(4, 6, dtype=torch.float64, generator=generator).requires_grad_()

    def in_place_on_a_view(v):
        w = v * 2.0
        ops.gelu_(w[:, 1:4], approximate=approximate)
        return w

    def out_of_place(v):
        w = v * 2.0
        return torch.cat([w[:, :1], ops.gelu(w[:, 1:4], approximate=approximate), w[:, 4:]],
                         dim=1)

    weights = torch.randn(4, 6, dtype=torch.float64, generator=generator)
    grads = _in_place_and_out_of_place_agree(x, weights, in_place_on_a_view, out_of_place)
    theirs = torch.autograd.grad(
        (torch.nn.functional.gelu(x * 2.0, approximate=approximate) * weights)[:, 1:4].sum(),
        x)[0]
    assert torch.allclose(grads[0][0][:, 1:4], theirs[:, 1:4], rtol=1e-9, atol=1e-14)
    leaf = torch.randn(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="activations::gelu_: a leaf Variable"):
        ops.gelu_(leaf, approximate=approximate)


def test_gelu_second_derivative_is_torchs(ops):
    """The double backward's formulas (d/dx of gelu_backward, in C++) against torch's own, on
    moderate inputs."""
    x = torch.linspace(-5, 5, 2001, dtype=torch.float64).requires_grad_()
    for approximate in ("none", "tanh"):
        seconds = []
        for f in (lambda v: ops.gelu(v, approximate=approximate),
                  lambda v: torch.nn.functional.gelu(v, approximate=approximate)):
            (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
            (second,) = torch.autograd.grad(first.sum(), x)
            seconds.append(second)
        assert torch.allclose(seconds[0], seconds[1], rtol=1e-8, atol=1e-13), approximate


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
