"""Our operators against torch.nn.functional over dtypes and layouts."""
import math
import re

import pytest
import torch
import torch.nn.functional as F

SPECIALS = [0.0, -0.0, 1e-45, -1e-45, 1e-8, -1e-8, 1.0, -1.0, 20.0, -20.0, 44.0, -45.0,
            88.8, -88.8, 103.9, -103.9, 1e30, -1e30, 3.4e38, -3.4e38,
            math.inf, -math.inf, math.nan]


def sample(n=4000, dtype=torch.float32):
    values = torch.cat([torch.randn(n) * 10 ** torch.randint(-3, 3, (n,)).float(),
                        torch.tensor(SPECIALS)])
    return values.to(dtype)


def layouts(dtype):
    base = torch.randn(6, 7, 8).to(dtype)
    return {
        "contiguous": base,
        "zero_dim": torch.tensor(0.5).to(dtype),
        "empty": torch.empty(0, 4, dtype=dtype),
        "transposed": base.transpose(0, 2),
        "sliced_steps": base[::2, 1::3],
        "offset": base.reshape(-1)[5:300],
        "channels_last": torch.randn(2, 3, 4, 5).to(dtype).to(memory_format=torch.channels_last),
        "expanded": torch.randn(1, 8).to(dtype).expand(5, 8),
    }


def torch_reference(fn, x):
    # torch 1.13 has no float16 CPU kernels for these: the reference is float32 rounded once.
    if x.dtype == torch.float16:
        return fn(x.float()).half()
    return fn(x)


def same_bits(a, b):
    nan = torch.isnan(a) & torch.isnan(b)
    return a.dtype == b.dtype and a.shape == b.shape and bool(
        ((a == b) & (torch.signbit(a) == torch.signbit(b)) | nan).all())


def relu_keeping_sign_of_zero(x):
    # torch's relu, with the sign of zero of the input: torch 1.13's arm64 float relu returns
    # +0.0 for -0.0 inside its vector blocks (tests/torch_relu_reference.h); ours keep -0.0, as
    # torch does on x86 and in its other dtypes
    y = F.relu(x)
    return torch.where(x == 0, x, y) if x.is_floating_point() else y


PIECEWISE = [
    ("relu", lambda ops, x: ops.relu(x), relu_keeping_sign_of_zero),
    ("leaky_relu", lambda ops, x: ops.leaky_relu(x), lambda x: F.leaky_relu(x, 0.2)),
    ("leaky_relu_neg", lambda ops, x: ops.leaky_relu(x, -0.7), lambda x: F.leaky_relu(x, -0.7)),
]
def gelu_bfloat16_in_float(x, approximate):
    """torch's gelu, bfloat16 computed in float and rounded once: torch 1.13 computes it in
    bfloat16 (the tanh form, and the erf form on strided tensors), some 5% off."""
    if x.dtype == torch.bfloat16:
        return F.gelu(x.float(), approximate=approximate).to(x.dtype)
    return F.gelu(x, approximate=approximate)


SMOOTH = [
    ("sigmoid", lambda ops, x: ops.sigmoid(x), torch.sigmoid),
    ("tanh", lambda ops, x: ops.tanh(x), torch.tanh),
    # torch's silu in float64 is exact enough for float32 inputs: below x = -709, where its e^-x
    # overflows and it gives -0, the float32 result rounds to 0 too (it does below x = -108.7)
    ("silu", lambda ops, x: ops.silu(x), F.silu),
    ("gelu", lambda ops, x: ops.gelu(x), lambda x: gelu_bfloat16_in_float(x, "none")),
    ("gelu_tanh", lambda ops, x: ops.gelu(x, approximate="tanh"),
     lambda x: gelu_bfloat16_in_float(x, "tanh")),
]
FLOATS = [torch.float32, torch.float64, torch.bfloat16, torch.float16]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ours,theirs", PIECEWISE)
def test_piecewise_bit_identical(ops, dtype, name, ours, theirs):
    x = sample(dtype=dtype)
    assert same_bits(ours(ops, x), torch_reference(theirs, x))


def ulp_error(computed, x, exact_fn):
    exact = exact_fn(x.double())
    finfo = torch.finfo(computed.dtype)
    spacing = torch.exp2(torch.floor(torch.log2(exact.abs().clamp_min(finfo.tiny)))) * finfo.eps
    return ((computed.double() - exact).abs() / spacing)[torch.isfinite(x)]


def exact_gelu(x):
    """x Phi(x) in float64 as x erfc(-x / sqrt 2) / 2, exact enough to judge float32 everywhere:
    erfc keeps its relative accuracy in the negative tail, where torch's gelu, x (1 + erf(x /
    sqrt 2)) / 2, cancels to 0 (from x = -8.4 in float64, long before float32's results do at
    -14.4). -inf gives the limit, -0."""
    return torch.where(x == -math.inf, torch.zeros_like(x) * -1,
                       0.5 * x * torch.erfc(-x / math.sqrt(2)))


def exact_gelu_tanh(x):
    """x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3), in float64 as x / (1 + e^-2u):
    exact enough for float32 everywhere, where 1 + tanh(u) cancels in the negative tail (torch's
    gives 0 from x = -7.1 in float64, from -5.1 in float32). -inf gives the limit, -0."""
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    return torch.where(x == -math.inf, torch.zeros_like(x) * -1, x / (1 + torch.exp(-2 * u)))


# What the smooth activations are judged against: torch's own in float64 where that is exact
# enough for float32 inputs, else an exact float64 formula.
EXACT = {"gelu": exact_gelu, "gelu_tanh": exact_gelu_tanh}


@pytest.mark.parametrize("dtype,bound", [(torch.float32, 2), (torch.float16, 1),
                                         (torch.bfloat16, 1)])
@pytest.mark.parametrize("name,ours,theirs", SMOOTH)
def test_smooth_within_ulp_bound(ops, dtype, bound, name, ours, theirs):
    x = sample(dtype=dtype)
    y = ours(ops, x)
    assert not torch.isnan(y[torch.isfinite(x)]).any()
    # float64 holds the float32/16 reference exactly enough: its error is ~1e-16 relative.
    assert ulp_error(y, x, EXACT.get(name, theirs)).max() <= bound


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ours,theirs", PIECEWISE + SMOOTH)
def test_layouts_match_torch(ops, dtype, name, ours, theirs):
    for layout, x in layouts(dtype).items():
        before = x.clone()
        y = ours(ops, x)
        expected = torch_reference(theirs, x)
        assert y.shape == expected.shape, layout
        if dtype != torch.float16:
            assert y.stride() == expected.stride(), layout
        assert y.dtype == expected.dtype, layout
        assert same_bits(x, before), layout
        if name in [smooth for smooth, _, _ in SMOOTH]:
            assert torch.allclose(y.double(), expected.double(), rtol=1e-2, atol=1e-6), layout
        else:
            assert same_bits(y, expected), layout


@pytest.mark.parametrize("name,kwargs", [
    ("sigmoid", {}), ("tanh", {}), ("relu", {}), ("leaky_relu", {}), ("silu", {}), ("gelu", {}),
    ("gelu", {"approximate": "none"}), ("gelu", {"approximate": "tanh"}),
], ids=lambda v: v if isinstance(v, str) else "-".join(v.values()))
def test_inplace_and_out_variants(ops, name, kwargs):
    x = torch.randn(5, 6).t()
    expected = getattr(ops, name)(x, **kwargs)
    y = x.clone()
    assert getattr(ops, name + "_")(y, **kwargs) is None  # the mutating schemas return ()
    assert torch.equal(y, expected)
    out = torch.empty(6, 5)
    assert getattr(ops, name)(x, **kwargs, out=out) is None
    assert torch.equal(out, expected)


def test_integer_dtypes(ops):
    ints = torch.randint(-50, 50, (100,))
    assert ops.sigmoid(ints).dtype == torch.sigmoid(ints).dtype
    assert torch.equal(ops.relu(ints), torch.relu(ints))
    with pytest.raises(RuntimeError, match="activations::leaky_relu"):
        ops.leaky_relu(ints)
    with pytest.raises(RuntimeError, match="activations::relu.*Boolean"):
        ops.relu(torch.tensor([True]))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int32, torch.int64, torch.bool])
@pytest.mark.parametrize("name", ["silu", "gelu"])
def test_silu_and_gelu_refuse_what_is_not_floating_point(ops, name, dtype):
    """As torch's silu and gelu: no integral or bool inputs, and out= of the input's dtype
    only."""
    x = torch.ones(4, dtype=dtype)
    op, op_ = getattr(ops, name), getattr(ops, name + "_")
    with pytest.raises(RuntimeError, match=f"activations::{name}: .*not supported"):
        op(x)
    with pytest.raises(RuntimeError, match=f"activations::{name}_: .*not supported"):
        op_(x)
    with pytest.raises(RuntimeError, match=f"activations::{name}.out: .*not supported"):
        op(x, out=torch.empty(4))
    with pytest.raises(RuntimeError, match=f"activations::{name}.out: expected out to have dtype"):
        op(torch.randn(4), out=torch.empty(4, dtype=torch.float64))


def test_unsupported_inputs_name_the_operator(ops):
    with pytest.raises(RuntimeError, match="activations::sigmoid.*complex"):
        ops.sigmoid(torch.randn(3, dtype=torch.complex64))
    with pytest.raises(RuntimeError, match="activations::silu.*complex"):
        ops.silu(torch.randn(3, dtype=torch.complex64))
    with pytest.raises(RuntimeError, match="activations::gelu.*complex"):
        ops.gelu(torch.randn(3, dtype=torch.complex64), approximate="tanh")
    with pytest.raises(NotImplementedError, match="activations::tanh.*SparseCPU"):
        ops.tanh(torch.randn(3, 3).to_sparse())
    with pytest.raises(NotImplementedError, match="activations::relu.*QuantizedCPU"):
        ops.relu(torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.quint8))


def exact_silu(x):
    """x * sigmoid(x) in float64, exact enough to judge float32 everywhere: x / (1 + e^-x), and
    below -700, where float64's e^-x nears overflow, x e^x / (1 + e^x)."""
    return torch.where(x < -700, x * torch.exp(x) / (1 + torch.exp(x)), x / (1 + torch.exp(-x)))


def test_silu_float32_within_1_ulp_of_exact(ops):
    x = torch.cat([sample(), torch.linspace(-120, 120, 240001)])
    assert ulp_error(ops.silu(x), x, exact_silu).max() <= 1


def test_silu_keeps_its_tail(ops):
    """From x = -88.7 down, e^-x overflows float32 and x / (1 + e^-x) gives 0, as torch's silu
    does; the exact values stay normal down to -91.8 and round to a nonzero subnormal down to
    -108 (108 e^-108 is 0.96 of the smallest, 2^-149)."""
    x = torch.linspace(-108, -88, 20001)
    y = ops.silu(x)
    assert (y < 0).all()
    assert ulp_error(y, x, exact_silu).max() <= 1


@pytest.mark.parametrize("dtype", FLOATS)
def test_silu_at_infinities_and_nan(ops, dtype):
    x = torch.tensor([-math.inf, math.inf, math.nan]).to(dtype)
    y = ops.silu(x)
    assert y[0] == 0  # the limit, either sign (torch's silu gives NaN: -inf / (1 + inf))
    assert y[1] == math.inf
    assert torch.isnan(y[2])


APPROXIMATIONS = {"none": exact_gelu, "tanh": exact_gelu_tanh}


@pytest.mark.parametrize("approximate", list(APPROXIMATIONS))
def test_gelu_float32_within_1_ulp_of_exact(ops, approximate):
    x = torch.cat([sample(), torch.linspace(-20, 20, 400001)])
    y = ops.gelu(x, approximate=approximate)
    assert ulp_error(y, x, APPROXIMATIONS[approximate]).max() <= 1


@pytest.mark.parametrize("approximate", list(APPROXIMATIONS))
def test_gelu_keeps_its_tail(ops, approximate):
    """Where torch's gelu cancels to 0 in float32 (from x = -5.5, the tanh form from -5.1), the
    results stay the exact ones, nonzero wherever the exact value rounds to a nonzero float:
    x Phi(x) down to x = -14.36 (subnormal from -13.15), the tanh form down to -10.77
    (subnormal from -10.10)."""
    exact = APPROXIMATIONS[approximate]
    x = torch.linspace(-15, -4, 110001)
    y = ops.gelu(x, approximate=approximate)
    expected = exact(x.double()).float()  # rounded once
    assert torch.equal(y != 0, expected != 0)
    assert (y <= 0).all() and int((y < 0).sum()) > 60000
    assert ulp_error(y, x, exact).max() <= 1


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_at_infinities_and_nan(ops, dtype, approximate):
    x = torch.tensor([-math.inf, math.inf, math.nan, -1e30, 0.0, -0.0]).to(dtype)
    y = ops.gelu(x, approximate=approximate)
    assert y[0] == 0  # the limit (torch's gelu gives NaN: -inf * 0)
    assert y[1] == math.inf
    assert torch.isnan(y[2])
    assert y[3] == 0 and y[4] == 0 and y[5] == 0
    assert not torch.signbit(y[4])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch_on_moderate_inputs(ops, dtype, approximate):
    """torch's gelu is accurate away from the negative tail: within 2e-6 of it (float32 and
    float64), and the 16-bit dtypes as torch's float32 result rounded."""
    x = (torch.randn(5000, generator=torch.Generator().manual_seed(5)) * 3).to(dtype)
    y = ops.gelu(x, approximate=approximate)
    expected = torch_reference(lambda v: gelu_bfloat16_in_float(v, approximate), x)
    assert y.dtype == dtype
    if dtype in (torch.float32, torch.float64):
        assert torch.allclose(y, expected, rtol=2e-6, atol=2e-6)
    else:
        assert torch.allclose(y.double(), expected.double(), rtol=1e-2, atol=1e-3)


@pytest.mark.parametrize("bad", ["foo", "Tanh", "", "none ", "tänh"])
def test_gelu_refuses_an_unknown_approximation_before_writing(ops, bad):
    """Each gelu operator names itself and the value, and writes nothing: in place, out=, and
    in place under autograd (which would first copy the input for backward)."""
    message = f"approximate must be 'none' or 'tanh', got '{bad}'"
    x = torch.randn(4, 6)
    before, version = x.clone(), x._version
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu: {message}")):
        ops.gelu(x, approximate=bad)
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu_: {message}")):
        ops.gelu_(x, approximate=bad)
    assert torch.equal(x, before) and x._version == version
    out = torch.full((4, 6), 7.0)
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu.out: {message}")):
        ops.gelu(x, approximate=bad, out=out)
    assert (out == 7).all() and out.shape == (4, 6)
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu_backward: {message}")):
        ops.gelu_backward(torch.ones(4, 6), x, approximate=bad)
    leaf = torch.randn(4, 6, requires_grad=True)
    nonleaf = leaf * 2.0
    before, version = nonleaf.detach().clone(), nonleaf._version
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu_: {message}")):
        ops.gelu_(nonleaf, approximate=bad)
    assert torch.equal(nonleaf.detach(), before) and nonleaf._version == version
    assert nonleaf.grad_fn.name() == "MulBackward0"
    meta = torch.empty(3, device="meta")
    with pytest.raises(RuntimeError, match=re.escape(f"activations::gelu: {message}")):
        ops.gelu(meta, approximate=bad)
    with pytest.raises(RuntimeError, match="activations::gelu: approximate must be"):
        ops.gelu(x, approximate="tanh\0")  # the whole string, not its C prefix


def test_gelu_checks_the_input_dtype_before_the_approximation(ops):
    with pytest.raises(RuntimeError, match="activations::gelu: Long inputs are not supported"):
        ops.gelu(torch.arange(3), approximate="foo")
    with pytest.raises(RuntimeError, match="activations::gelu.out: approximate must be"):
        ops.gelu(torch.randn(3), approximate="foo", out=torch.empty(3, dtype=torch.float64))
