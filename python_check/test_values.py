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
        if name in ("sigmoid", "tanh"):
            assert torch.allclose(y.double(), expected.double(), rtol=1e-2, atol=1e-6), layout
        else:
            assert same_bits(y, expected), layout


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
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


def test_unsupported_inputs_name_the_operator(ops):
    with pytest.raises(RuntimeError, match="activations::sigmoid.*complex"):
        ops.sigmoid(torch.randn(3, dtype=torch.complex64))
    with pytest.raises(NotImplementedError, match="activations::tanh.*SparseCPU"):
        ops.tanh(torch.randn(3, 3).to_sparse())
    with pytest.raises(NotImplementedError, match="activations::relu.*QuantizedCPU"):
        ops.relu(torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.quint8))
