"""torch.compile (inductor, fullgraph) of models using all six activations (GELU in both forms),
in place included, forward and backward against eager, and dynamic shapes without
recompiling."""
import pytest
import torch
from torch import nn

from conftest import (requires_compile, requires_fake_kernels, requires_mutation_functionalization,
                      requires_traced_out_variants)
from torch_activations import (MyGELU, MyLeakyReLU, MyReLU, MySigmoid, MySiLU, MyTanh, gelu_,
                               leakyrelu, relu_)

pytestmark = requires_compile


def model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(6, 16), MyTanh(), nn.Linear(16, 16), MyReLU(inplace=True),
        nn.Linear(16, 16), MyLeakyReLU(0.2, inplace=True), nn.Linear(16, 16), MyReLU(),
        nn.Linear(16, 16), MyLeakyReLU(0.1), nn.Linear(16, 16), MySiLU(inplace=True),
        nn.Linear(16, 16), MySiLU(), nn.Linear(16, 16), MyGELU(), nn.Linear(16, 16),
        MyGELU("tanh"), nn.Linear(16, 1), MySigmoid())


def forward_and_backward(net, x):
    y = net(x)
    y.sum().backward()
    return y.detach(), [p.grad.clone() for p in net.parameters()]


@requires_mutation_functionalization  # the model has in-place layers
def test_fullgraph_inductor_matches_eager_forward_and_backward():
    torch._dynamo.reset()
    eager, compiled = model(), model()
    x = torch.randn(32, 6)
    expected, expected_grads = forward_and_backward(eager, x)
    got, grads = forward_and_backward(torch.compile(compiled, fullgraph=True, backend="inductor"),
                                      x)
    torch.testing.assert_close(got, expected)
    for g, e in zip(grads, expected_grads):
        torch.testing.assert_close(g, e)


@requires_mutation_functionalization
def test_inplace_operators_under_compile():
    torch._dynamo.reset()
    ops = torch.ops.activations

    def f(x):
        a, b, c, d, e, g, h = x * 2, x - 1, x * 3, x + 0.5, x * 4, x - 0.5, x * 1.5
        ops.sigmoid_(a)
        ops.tanh_(b)
        relu_(c)
        ops.leaky_relu_(d, 0.1)
        ops.silu_(e)
        ops.gelu_(g, approximate="tanh")
        gelu_(h)
        return leakyrelu(a + b - 1, 0.3) * c + d + e + g * h

    x = torch.randn(40)
    torch.testing.assert_close(torch.compile(f, fullgraph=True)(x), f(x))


@requires_mutation_functionalization
@requires_traced_out_variants
def test_out_operators_under_compile():
    torch._dynamo.reset()
    ops = torch.ops.activations

    def f(x):
        a = torch.sigmoid(x)
        out = torch.empty_like(x)
        ops.tanh(x * a, out=out)
        other = torch.empty_like(x)
        ops.leaky_relu(out - 0.5, 0.3, out=other)
        swished = torch.empty_like(x)
        ops.silu(other * 4, out=swished)
        gelued = torch.empty_like(x)
        ops.gelu(swished - 1, approximate="tanh", out=gelued)
        return a + out * other + swished + gelued

    x = torch.randn(40)
    torch.testing.assert_close(torch.compile(f, fullgraph=True)(x), f(x))


@requires_fake_kernels
def test_out_of_another_shape_is_resized_when_traced():
    """The fake kernel resizes out= as the C++ kernel does (torch's resize, then the result's
    strides): traced with symbolic shapes (make_fx, AOTAutograd's tracer) and run, the graph
    gives eager's shape, strides and values. (Dynamo itself does not trace an out= of another
    shape: torch.compile breaks the graph there and runs that call eagerly.)"""
    from torch.fx.experimental.proxy_tensor import make_fx

    ops = torch.ops.activations

    def f(x, out):
        ops.sigmoid(x.t(), out=out)
        return out * 2

    x = torch.randn(4, 6)
    traced = make_fx(f, tracing_mode="symbolic")(x, torch.empty(3))
    result, expected = traced(x, torch.empty(3)), f(x, torch.empty(3))
    assert result.shape == expected.shape == (6, 4) and result.stride() == expected.stride()
    torch.testing.assert_close(result, expected)
    torch._dynamo.reset()
    torch.testing.assert_close(torch.compile(f)(x, torch.empty(3)), expected)


class Scale(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(features))

    def forward(self, x):
        return x * self.weight


def elementwise_model():
    """Our activations, in place included, between learnable scales: nothing else in the graph
    that could itself specialise on a size."""
    torch.manual_seed(0)
    return nn.Sequential(Scale(6), MyTanh(), Scale(6), MyReLU(inplace=True), Scale(6),
                         MyLeakyReLU(0.2, inplace=True), MyReLU(), Scale(6), MyLeakyReLU(0.1),
                         Scale(6), MySiLU(inplace=True), Scale(6), MySiLU(), Scale(6), MyGELU(),
                         Scale(6), MyGELU("tanh"), Scale(6), MySigmoid())


@requires_fake_kernels
def test_dynamic_shapes_compile_once():
    torch._dynamo.reset()
    from torch._dynamo.utils import counters
    counters.clear()
    eager = elementwise_model()
    compiled = torch.compile(elementwise_model(), fullgraph=True, dynamic=True)
    for batch in (5, 9, 33, 200):
        x = torch.randn(batch, 6)
        got, grads = forward_and_backward(compiled, x)
        compiled.zero_grad()
        expected, expected_grads = forward_and_backward(eager, x)
        eager.zero_grad()
        torch.testing.assert_close(got, expected)
        for g, e in zip(grads, expected_grads):
            torch.testing.assert_close(g, e)
    assert counters["stats"]["unique_graphs"] == 1, dict(counters["stats"])
