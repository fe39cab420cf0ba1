"""The chapter's naive formulas (naive_reference.py) beside the library: where they agree and
where they break."""
import math

import torch

import naive_reference as naive


def test_agree_on_ordinary_inputs(ops):
    x = torch.randn(1000)
    assert torch.allclose(naive.sigmoid(x), ops.sigmoid(x), rtol=1e-6, atol=1e-7)
    assert torch.allclose(naive.tanh(x), ops.tanh(x), rtol=1e-5, atol=1e-6)
    assert torch.allclose(naive.relu(x), ops.relu(x))
    assert torch.allclose(naive.leakyrelu(x, 0.2), ops.leaky_relu(x, 0.2))


def test_naive_tanh_overflows_to_nan(ops):
    x = torch.tensor([44.0, 45.0, 89.0, -89.0, 1e30])
    naive_values = naive.tanh(x)
    ours = ops.tanh(x)
    # e^x overflows float32 above ~88.7 and inf/inf is NaN.
    assert torch.isnan(naive_values[2:]).all()
    assert torch.equal(ours, torch.tensor([1.0, 1.0, 1.0, -1.0, 1.0]))
    first_nan = next(v for v in torch.arange(40.0, 100.0, 0.5) if torch.isnan(naive.tanh(v)))
    print(f"naive tanh gives NaN from x = {first_nan.item()} on")


def test_naive_tanh_loses_tiny_inputs(ops):
    x = torch.tensor([1e-8])
    assert naive.tanh(x).item() == 0.0
    assert ops.tanh(x).item() == x.item()


def test_naive_relu_breaks_at_minus_infinity_and_signs_its_zeros(ops):
    x = torch.tensor([-math.inf, -2.0, 3.0])
    naive_values = naive.relu(x)
    assert math.isnan(naive_values[0].item())  # -inf * 0
    assert torch.signbit(naive_values[1])  # -2 * 0 = -0.0, printed "-0.0000" in the chapter
    ours = ops.relu(x)
    assert torch.equal(ours, torch.tensor([0.0, 0.0, 3.0]))
    assert not torch.signbit(ours[:2]).any()
    assert torch.equal(torch.signbit(ours), torch.signbit(torch.relu(x)))


def test_naive_leakyrelu_breaks_at_plus_infinity(ops):
    x = torch.tensor([math.inf, -math.inf])
    naive_values = naive.leakyrelu(x, 0.2)
    assert math.isnan(naive_values[0].item())  # 0.2 * 0 * inf
    assert torch.equal(ops.leaky_relu(x, 0.2), torch.nn.functional.leaky_relu(x, 0.2))


def test_naive_sigmoid_underflows_where_ours_keeps_the_tail(ops):
    x = torch.tensor([-95.0, -100.0, -103.0])
    assert (naive.sigmoid(x) == 0).all()
    assert (ops.sigmoid(x) > 0).all()


def test_chapter_leakyrelu_derivative_sign(ops):
    # The chapter prints -gamma for x <= 0; the derivative of gamma * x is +gamma.
    x = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)
    ops.leaky_relu(x, 0.2).sum().backward()
    assert x.grad.tolist() == [0.2, 1.0]
