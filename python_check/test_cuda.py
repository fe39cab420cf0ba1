"""CUDA tensors through our operators: values and gradients against torch.* on CUDA, gradcheck
and gradgradcheck in float64 on CUDA. Skipped where there is no GPU (CI); run on a GPU machine by
scripts/gpu_check.sh."""
import math

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

A = torch.ops.activations
SPECIALS = [0.0, -0.0, 1e-45, 1e-8, -1e-8, 1.0, -1.0, 9.01, 19.06, 44.4, 88.72, -88.72, -103.97,
            -104.5, 710.0, -745.2, 3.4e38, -3.4e38, float("inf"), float("-inf"), float("nan")]


def sample(dtype, n=1 << 16):
    x = torch.randn(n, dtype=torch.float64) * 10 ** torch.randint(-4, 3, (n,)).double()
    x = torch.cat([x, torch.tensor(SPECIALS, dtype=torch.float64)])
    return x.to(dtype).cuda()


LONG_DOUBLE = {
    "sigmoid": lambda w: np.where(w >= 0, 1 / (1 + np.exp(-np.abs(w))),
                                  np.exp(-np.abs(w)) / (1 + np.exp(-np.abs(w)))),
    "tanh": np.tanh,
    # e^-w overflows long double below w = -11356, where the rounded results are 0 anyway
    "silu": lambda w: w / (1 + np.exp(-w)),
    # x / (1 + e^-2u), u = sqrt(2/pi) (x + 0.044715 x^3): no cancellation in the negative tail
    "gelu_tanh": lambda w: w / (1 + np.exp(-2 * np.sqrt(np.longdouble(2) / np.longdouble(np.pi))
                                          * (w + np.longdouble("0.044715") * w ** 3))),
}
# numpy has no erfc: GELU's erf form is judged against float64's (within a few float64 ULPs, the
# negative tail included: x erfc(-x / sqrt 2) / 2), 2^-29 of a float32 ULP.
FLOAT64 = {"gelu": lambda w: torch.where(
    w == -math.inf, torch.zeros_like(w), 0.5 * w * torch.erfc(-w / math.sqrt(2)))}


def ulp_error(computed, x, name):
    """Error of `computed` in ULPs of the exact value: long double on the host (64-bit
    significand), 2^-11 of a float64 ULP."""
    wide = x.cpu().double().numpy().astype(np.longdouble)
    with np.errstate(over="ignore", invalid="ignore"):
        if name in FLOAT64:
            exact = FLOAT64[name](x.cpu().double()).numpy().astype(np.longdouble)
        else:
            exact = LONG_DOUBLE[name](wide)
    finfo = torch.finfo(computed.dtype)
    magnitude = np.maximum(np.abs(exact), finfo.tiny)  # subnormal results: the subnormal ULP
    scale = np.exp2(np.floor(np.log2(magnitude))) * finfo.eps
    error = np.abs(computed.cpu().double().numpy().astype(np.longdouble) - exact) / scale
    finite = np.isfinite(wide) & np.isfinite(exact)
    return float(np.max(error[finite]))


def same_bits(a, b):
    nan = torch.isnan(a) & torch.isnan(b)
    return bool((((a == b) & (torch.signbit(a) == torch.signbit(b))) | nan).all())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
def test_relu_and_leaky_relu_bit_identical(dtype):
    x = sample(dtype)
    assert same_bits(A.relu(x), torch.relu(x))
    for slope in (0.2, 0.01, -0.5, 0.0):
        assert same_bits(A.leaky_relu(x, slope), torch.nn.functional.leaky_relu(x, slope))


# float32 and float64 within 1 ULP; the 16-bit types computed in float32 and rounded once.
@pytest.mark.parametrize("dtype,bound", [(torch.float32, 1), (torch.float64, 1),
                                         (torch.bfloat16, 0.501), (torch.float16, 0.501)])
def test_sigmoid_and_tanh_within_bounds(dtype, bound):
    x = sample(dtype)
    for name in ("sigmoid", "tanh"):
        y = getattr(A, name)(x)
        assert y.device == x.device and y.dtype == x.dtype
        assert ulp_error(y, x, name) <= bound, name
        assert torch.equal(torch.isnan(y), torch.isnan(x))
    tail = torch.linspace(-103, -88, 10001, device="cuda")
    assert (A.sigmoid(tail) > 0).all()


# float32 within 1 ULP, the 16-bit types correctly rounded (src/kernels/portable: in double).
@pytest.mark.parametrize("dtype,bound", [(torch.float32, 1), (torch.bfloat16, 0.501),
                                         (torch.float16, 0.501)])
def test_silu_within_bounds(dtype, bound):
    x = sample(dtype)
    y = A.silu(x)
    assert y.device == x.device and y.dtype == x.dtype
    assert ulp_error(y, x, "silu") <= bound
    assert torch.equal(torch.isnan(y), torch.isnan(x))
    # below -88.7 torch's silu gives 0; the exact values round to nonzero floats down to -108
    tail = torch.linspace(-108, -88, 10001, device="cuda")
    assert (A.silu(tail) < 0).all()
    ends = A.silu(torch.tensor([float("-inf"), float("inf")], device="cuda", dtype=dtype))
    assert ends[0] == 0 and ends[1] == float("inf")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "silu"])
def test_backward_operators_match_torch(name):
    g = torch.randn(1 << 16, device="cuda")
    x = torch.randn(1 << 16, device="cuda") * 3
    # what autograd saves: the forward output, or silu's input
    y = x if name == "silu" else getattr(torch, name)(x)
    theirs = {"sigmoid": lambda: torch.ops.aten.sigmoid_backward(g, y),
              "tanh": lambda: torch.ops.aten.tanh_backward(g, y),
              "relu": lambda: torch.ops.aten.threshold_backward(g, y, 0),
              "silu": lambda: torch.ops.aten.silu_backward(g, y)}[name]()
    ours = getattr(A, name + "_backward")(g, y)
    # torch's float32 1 + x (1 - s) cancels near silu's minimum (x = -1.28): some 2e-6 off there
    atol = 2e-6 if name == "silu" else 1e-7
    assert torch.allclose(ours, theirs, rtol=1e-6, atol=atol)


# float32 within 1 ULP, the 16-bit types correctly rounded (computed in double, as silu).
@pytest.mark.parametrize("dtype,bound", [(torch.float32, 1), (torch.bfloat16, 0.501),
                                         (torch.float16, 0.501)])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_within_bounds(dtype, bound, approximate):
    x = sample(dtype)
    y = A.gelu(x, approximate=approximate)
    assert y.device == x.device and y.dtype == x.dtype
    assert ulp_error(y, x, "gelu" if approximate == "none" else "gelu_tanh") <= bound
    assert torch.equal(torch.isnan(y), torch.isnan(x))
    # where torch's gelu cancels to 0 (from x = -5.5; -5.1 for the tanh form) the exact values
    # round to nonzero floats down to -14.36 (-10.77)
    tail = torch.linspace(-14.3 if approximate == "none" else -10.7, -4, 10001, device="cuda")
    assert (A.gelu(tail, approximate=approximate) < 0).all()
    ends = A.gelu(torch.tensor([float("-inf"), float("inf")], device="cuda", dtype=dtype),
                  approximate=approximate)
    assert ends[0] == 0 and ends[1] == float("inf")


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_backward_in_place_and_out(approximate):
    """gelu_backward from the forward input, as torch's: within 1e-6 of torch's in float64 (its
    float32 one cancels, some 3e-6 off); gelu_ and out= as gelu; an unknown approximation refused
    before anything is written."""
    g = torch.randn(1 << 16, device="cuda")
    x = torch.randn(1 << 16, device="cuda") * 3
    ours = A.gelu_backward(g, x, approximate=approximate)
    assert ours.device == x.device and ours.dtype == x.dtype
    theirs = torch.ops.aten.gelu_backward(g.double(), x.double(), approximate=approximate)
    assert torch.allclose(ours.double(), theirs, rtol=1e-6, atol=1e-7)
    expected = A.gelu(x, approximate=approximate)
    y = x.clone()
    A.gelu_(y, approximate=approximate)
    assert torch.equal(y, expected)
    out = torch.empty(256, 256, device="cuda").t()
    A.gelu(x.view(256, 256).t(), approximate=approximate, out=out)
    assert torch.equal(out, expected.view(256, 256).t())
    with pytest.raises(RuntimeError, match="activations::gelu_: approximate must be"):
        A.gelu_(y, approximate="sigmoid")
    assert torch.equal(y, expected)


def test_layouts_inplace_out_and_streams():
    base = torch.randn(64, 96, device="cuda")
    for x in (base.t(), base[::2, 1::3], base.view(-1)[5:1000]):
        assert torch.equal(A.relu(x), torch.relu(x))
        assert A.sigmoid(x).stride() == torch.sigmoid(x).stride()
    y = base.clone()
    A.tanh_(y)
    assert torch.allclose(y, torch.tanh(base), rtol=1e-6, atol=1e-7)
    y = base.clone()
    A.silu_(y)
    assert torch.allclose(y, torch.nn.functional.silu(base), rtol=1e-6, atol=1e-7)
    out = torch.empty(96, 64, device="cuda")
    A.leaky_relu(base.t(), 0.2, out=out)
    assert torch.equal(out, torch.nn.functional.leaky_relu(base.t(), 0.2))
    A.silu(base.t(), out=out)
    assert torch.allclose(out, torch.nn.functional.silu(base.t()), rtol=1e-6, atol=1e-7)
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        z = A.sigmoid(base)
    stream.synchronize()
    assert torch.allclose(z, torch.sigmoid(base), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu",
                                  "gelu_tanh"])
def test_gradients_and_gradcheck(name):
    fn = {"sigmoid": A.sigmoid, "tanh": A.tanh, "relu": A.relu,
          "leaky_relu": lambda t: A.leaky_relu(t, 0.2), "silu": A.silu, "gelu": A.gelu,
          "gelu_tanh": lambda t: A.gelu(t, approximate="tanh")}[name]
    ref = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
           "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.2),
           "silu": torch.nn.functional.silu, "gelu": torch.nn.functional.gelu,
           "gelu_tanh": lambda t: torch.nn.functional.gelu(t, approximate="tanh")}[name]
    x = torch.randn(4096, device="cuda") * 3
    grads = []
    for f in (fn, ref):
        # torch's float32 gelu gradients cancel (some 3e-6 off): gelu's reference is float64's
        wide = f is ref and name.startswith("gelu")
        leaf = x.clone().to(torch.float64 if wide else x.dtype).requires_grad_(True)
        f(leaf).sum().backward()
        grads.append(leaf.grad.to(x.dtype))
    assert torch.allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)
    x64 = torch.randn(32, device="cuda", dtype=torch.float64)
    x64 = (x64 + 0.1 * torch.sign(x64)).requires_grad_(True)
    assert torch.autograd.gradcheck(fn, (x64,))
    assert torch.autograd.gradgradcheck(fn, (x64,))
