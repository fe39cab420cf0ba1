"""Our operators against torch.nn.functional over dtypes and layouts."""
import math

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


PIECEWISE = [
    ("relu", lambda ops, x: ops.relu(x), F.relu),
    ("leaky_relu", lambda ops, x: ops.leaky_relu(x), lambda x: F.leaky_relu(x, 0.2)),
    ("leaky_relu_neg", lambda ops, x: ops.leaky_relu(x, -0.7), lambda x: F.leaky_relu(x, -0.7)),
]
SMOOTH = [
    ("sigmoid", lambda ops, x: ops.sigmoid(x), torch.sigmoid),
    ("tanh", lambda ops, x: ops.tanh(x), torch.tanh),
    # torch's silu in float64 is exact enough for float32 inputs: below x = -709, where its e^-x
    # overflows and it gives -0, the float32 result rounds to 0 too (it does below x = -108.7)
    ("silu", lambda ops, x: ops.silu(x), F.silu),
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


@pytest.mark.parametrize("dtype,bound", [(torch.float32, 2), (torch.float16, 1),
                                         (torch.bfloat16, 1)])
@pytest.mark.parametrize("name,ours,theirs", SMOOTH)
def test_smooth_within_ulp_bound(ops, dtype, bound, name, ours, theirs):
    x = sample(dtype=dtype)
    y = ours(ops, x)
    assert not torch.isnan(y[torch.isfinite(x)]).any()
    # float64 holds the float32/16 reference exactly enough: its error is ~1e-16 relative.
    assert ulp_error(y, x, theirs).max() <= bound


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
        if name in ("sigmoid", "tanh", "silu"):
            assert torch.allclose(y.double(), expected.double(), rtol=1e-2, atol=1e-6), layout
        else:
            assert same_bits(y, expected), layout


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "silu"])
def test_inplace_and_out_variants(ops, name):
    x = torch.randn(5, 6).t()
    expected = getattr(ops, name)(x)
    y = x.clone()
    assert getattr(ops, name + "_")(y) is None  # the mutating schemas return ()
    assert torch.equal(y, expected)
    out = torch.empty(6, 5)
    assert getattr(ops, name)(x, out=out) is None
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
def test_silu_refuses_what_is_not_floating_point(ops, dtype):
    """As torch's silu: no integral or bool inputs, and out= of the input's dtype only."""
    x = torch.ones(4, dtype=dtype)
    with pytest.raises(RuntimeError, match="activations::silu: .*not supported"):
        ops.silu(x)
    with pytest.raises(RuntimeError, match="activations::silu_: .*not supported"):
        ops.silu_(x)
    with pytest.raises(RuntimeError, match="activations::silu.out: .*not supported"):
        ops.silu(x, out=torch.empty(4))
    with pytest.raises(RuntimeError, match="activations::silu.out: expected out to have dtype"):
        ops.silu(torch.randn(4), out=torch.empty(4, dtype=torch.float64))


def test_unsupported_inputs_name_the_operator(ops):
    with pytest.raises(RuntimeError, match="activations::sigmoid.*complex"):
        ops.sigmoid(torch.randn(3, dtype=torch.complex64))
    with pytest.raises(RuntimeError, match="activations::silu.*complex"):
        ops.silu(torch.randn(3, dtype=torch.complex64))
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
