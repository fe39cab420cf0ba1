"""Every float16 and bfloat16 value through our operators beside torch's own 16-bit CPU kernels,
which torch 2.x has and 1.13 lacks for float16: ours are bit-identical where torch computes in
float and rounds once, and otherwise equal to that once-rounded result, which torch's kernels
miss for a few sigmoid inputs and for many float16 sigmoid_backward ones."""
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
