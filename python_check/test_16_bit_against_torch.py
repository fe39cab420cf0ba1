"""Every float16 and bfloat16 value through our operators beside torch's own 16-bit CPU kernels,
which torch 2.x has and 1.13 lacks for float16: ours are bit-identical where torch computes in
float and rounds once, and otherwise equal to that once-rounded result, which torch's kernels
miss for a few sigmoid inputs and for many float16 sigmoid_backward ones. silu and gelu (both
forms) are the exact result rounded once (torch's 16-bit silu is not everywhere: at -inf, in
bfloat16's tail; its gelu is not in the negative tail), their backward within 1 ULP of it."""
import math

import pytest
import torch

A = torch.ops.activations
DTYPES = [torch.float16, torch.bfloat16]


def every_value(dtype):
    return torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(dtype)


def gradients(dtype):
    return torch.randn(65536, generator=torch.Generator().manual_seed(7)).to(dtype)


def same_bits(a, b):
    return bool(((a.view(torch.int16) == b.view(torch.int16)) | (a.isnan() & b.isnan())).all())


def torch_has_kernel(dtype):
    try:
        torch.relu(torch.ones(1, dtype=dtype))
        return True
    except RuntimeError:
        return False


FORWARD = {
    "relu": (A.relu, torch.relu),
    "leaky_relu": (lambda x: A.leaky_relu(x, 0.2),
                   lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    "tanh": (A.tanh, torch.tanh),
    "sigmoid": (A.sigmoid, torch.sigmoid),
}
BACKWARD = {
    "relu_backward": (A.relu_backward,
                      lambda g, y: torch.ops.aten.threshold_backward(g, y, 0)),
    "leaky_relu_backward": (lambda g, x: A.leaky_relu_backward(g, x, 0.2, False),
                            lambda g, x: torch.ops.aten.leaky_relu_backward(g, x, 0.2, False)),
    "tanh_backward": (A.tanh_backward, torch.ops.aten.tanh_backward),
    "sigmoid_backward": (A.sigmoid_backward, torch.ops.aten.sigmoid_backward),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(FORWARD))
def test_forward_is_the_once_rounded_float_result(dtype, name):
    ours, theirs = FORWARD[name]
    x = every_value(dtype)
    assert same_bits(ours(x), theirs(x.double()).to(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BACKWARD))
def test_backward_is_the_once_rounded_float_result(dtype, name):
    ours, theirs = BACKWARD[name]
    g, saved = gradients(dtype), every_value(dtype)
    assert same_bits(ours(g, saved), theirs(g.float(), saved.float()).to(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_to_torchs_own_16_bit_kernels_where_torch_rounds_once(dtype):
    if not torch_has_kernel(dtype):
        pytest.skip(f"torch {torch.__version__} has no {dtype} CPU kernels")
    x, g = every_value(dtype), gradients(dtype)
    for name in ("relu", "leaky_relu", "tanh"):
        ours, theirs = FORWARD[name]
        assert same_bits(ours(x), theirs(x)), name
    for name in ("relu_backward", "leaky_relu_backward", "tanh_backward"):
        ours, theirs = BACKWARD[name]
        assert same_bits(ours(g, x), theirs(g, x)), name
    if dtype == torch.bfloat16:
        ours, theirs = BACKWARD["sigmoid_backward"]
        assert same_bits(ours(g, x), theirs(g, x))


def silu_exact(x):
    """x * sigmoid(x) in float64 for 16-bit inputs: x / (1 + e^-x), within a few float64 ULPs
    of exact until e^-x overflows (x < -709), where the 16-bit result is 0 anyway; at -inf, where
    it is NaN (-inf / inf), the limit, 0."""
    return torch.where(x == -float("inf"), torch.zeros_like(x), x / (1 + torch.exp(-x)))


def rounded_once(x, dtype):
    """float64 values rounded to a 16-bit dtype once. torch converts double to half and bfloat16
    through float, rounding twice (2^-25 (1 + 2^-40) gives 0, not float16's 2^-24); rounding to
    float32 by round-to-odd first, the inexact results made odd, leaves the second rounding the
    only one that matters, float32 having more than two bits to spare."""
    nearest = x.float()
    inexact = nearest.double() != x
    even = (nearest.view(torch.int32) & 1) == 0
    toward_x = torch.where(x > nearest.double(), torch.full_like(nearest, float("inf")),
                           torch.full_like(nearest, -float("inf")))
    odd = torch.where(inexact & even, torch.nextafter(nearest, toward_x), nearest)
    return odd.to(dtype)


def as_ordered_integers(x):
    """16-bit floats as integers in their order, +0 and -0 both 0: neighbours differ by 1."""
    bits = x.view(torch.int16).to(torch.int32)
    return torch.where(bits < 0, -(bits & 0x7FFF), bits)


@pytest.mark.parametrize("dtype", DTYPES)
def test_silu_is_the_once_rounded_exact_result(dtype):
    x = every_value(dtype)
    y, expected = A.silu(x), rounded_once(silu_exact(x.double()), dtype)
    assert bool(((y == expected) | (y.isnan() & expected.isnan())).all())  # 0 of either sign


@pytest.mark.parametrize("dtype", DTYPES)
def test_silu_backward_within_1_ulp_of_the_once_rounded_exact_result(dtype):
    """Computed in float32, the derivative s (1 + x (1 - s)) can fall on the other side of a
    16-bit rounding boundary (a few float16 values); torch's float32 one underflows to 0 from
    x = -88.7, where bfloat16 holds the exact result."""
    g, x = gradients(dtype), every_value(dtype)
    finite = torch.isfinite(x)
    g, x = g[finite], x[finite]
    x64 = x.double()
    exact = rounded_once(g.double() * torch.sigmoid(x64) * (1 + x64 * torch.sigmoid(-x64)), dtype)
    ours = A.silu_backward(g, x)
    distance = (as_ordered_integers(ours) - as_ordered_integers(exact)).abs()
    assert not ours.isnan().any() and int(distance.max()) <= 1


SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu_exact(x, approximate):
    """GELU in float64 for 16-bit inputs, within a few float64 ULPs of exact, the negative tail
    included: x erfc(-x / sqrt 2) / 2, or for the tanh form x / (1 + e^-2u), u = sqrt(2/pi) (x +
    0.044715 x^3) (where torch's x (1 + erf) / 2 and x (1 + tanh(u)) / 2 cancel); at -inf the
    limit, 0."""
    if approximate == "tanh":
        value = x / (1 + torch.exp(-2 * SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
    else:
        value = 0.5 * x * torch.erfc(-x / math.sqrt(2))
    return torch.where(x == -float("inf"), torch.zeros_like(x), value)


def gelu_derivative_exact(x, approximate):
    """Phi(x) + x phi(x), or for the tanh form s + x u' s (1 - s), s = sigmoid(2u), in float64
    (finite x)."""
    if approximate == "tanh":
        u = SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        slope = 2 * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x ** 2)
        return torch.sigmoid(2 * u) + x * slope * torch.sigmoid(2 * u) * torch.sigmoid(-2 * u)
    return 0.5 * torch.erfc(-x / math.sqrt(2)) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_is_the_once_rounded_exact_result(dtype, approximate):
    x = every_value(dtype)
    y = A.gelu(x, approximate=approximate)
    expected = rounded_once(gelu_exact(x.double(), approximate), dtype)
    assert bool(((y == expected) | (y.isnan() & expected.isnan())).all())  # 0 of either sign


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_backward_within_1_ulp_of_the_once_rounded_exact_result(dtype, approximate):
    """Computed in double, rounded to float32 and multiplied by the gradient there, the
    product can fall on the other side of a 16-bit rounding boundary (a few float16 values)."""
    g, x = gradients(dtype), every_value(dtype)
    finite = torch.isfinite(x)
    g, x = g[finite], x[finite]
    exact = rounded_once(g.double() * gelu_derivative_exact(x.double(), approximate), dtype)
    ours = A.gelu_backward(g, x, approximate=approximate)
    distance = (as_ordered_integers(ours) - as_ordered_integers(exact)).abs()
    assert not ours.isnan().any() and int(distance.max()) <= 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_torchs_16_bit_sigmoid_differs_ours_is_the_rounded_result(dtype):
    if not torch_has_kernel(dtype):
        pytest.skip(f"torch {torch.__version__} has no {dtype} CPU kernels")
    x = every_value(dtype)
    exact = torch.sigmoid(x.double()).to(dtype)
    theirs = torch.sigmoid(x)
    differs = (theirs.view(torch.int16) != exact.view(torch.int16)) & ~exact.isnan()
    assert same_bits(A.sigmoid(x)[differs], exact[differs])
    print(f"torch {torch.__version__} {dtype} sigmoid: {int(differs.sum())} of 65536 values "
          "not the rounded result")
