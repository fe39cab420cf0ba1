"""torch.library.opcheck for every operator (forward, in place, out=, backward) on varied
samples, with and without requires_grad: schema against the kernels' real mutations and
aliasing, the autograd registration, the fake kernels, and AOT dispatch with dynamic shapes
(opcheck's default checks)."""
import pytest
import torch

from conftest import requires_fake_kernels, requires_opcheck

pytestmark = requires_opcheck
A = torch.ops.activations
SLOPES = {"leaky_relu": (0.2,), "sigmoid": (), "tanh": (), "relu": (), "silu": (), "gelu": (),
          "gelu_tanh": ()}
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu", "gelu_tanh"]
# A case's operator and keyword arguments, where they are not its name and none.
OPERATOR = {"gelu_tanh": "gelu"}
KWARGS = {"gelu_tanh": {"approximate": "tanh"}}


def op(name, suffix=""):
    return getattr(A, OPERATOR.get(name, name) + suffix)


def inputs(requires_grad):
    """Varied samples: shapes (0-dim, empty, odd lengths), layouts (transposed, sliced,
    channels_last) and dtypes."""
    torch.manual_seed(0)
    samples = [
        torch.randn(5, 7),
        torch.randn(()),
        torch.randn(0, 3),
        torch.randn(33),
        torch.randn(6, 4).t(),
        torch.randn(8, 9)[::2, 1::3],
        torch.randn(2, 3, 4, 5).contiguous(memory_format=torch.channels_last),
        torch.randn(4, 6, dtype=torch.float64),
        torch.randn(3, 5).to(torch.bfloat16),
    ]
    return [s.requires_grad_(requires_grad) if s.is_floating_point() else s for s in samples]


def backward_samples(name, requires_grad):
    torch.manual_seed(1)
    pairs = [(torch.randn(5, 7), torch.rand(5, 7)), (torch.randn(4, 1), torch.rand(1, 6)),
             (torch.randn(6, 4).t(), torch.rand(4, 6)),
             (torch.randn(3, 3, dtype=torch.float64), torch.rand(3, 3, dtype=torch.float64))]
    for grad, saved in pairs:
        extra = (0.2, False) if name == "leaky_relu" else ()
        yield (grad.requires_grad_(requires_grad), saved.requires_grad_(requires_grad)) + extra


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_forward(name, requires_grad):
    for x in inputs(requires_grad):
        torch.library.opcheck(op(name).default, (x,) + SLOPES[name], KWARGS.get(name, {}))


@pytest.mark.parametrize("name", NAMES)
def test_in_place(name):
    for x in inputs(False):
        torch.library.opcheck(op(name, "_").default, (x.clone(),) + SLOPES[name],
                              KWARGS.get(name, {}))


# out= traced with dynamic shapes needs the package's fake kernels: the C++ Meta kernels' overlap
# checks read concrete sizes. So out= is checked with static shapes everywhere, and also with
# dynamic ones (opcheck's default checks) where this torch takes the fake kernels.
STATIC_CHECKS = ("test_schema", "test_autograd_registration", "test_faketensor",
                 "test_aot_dispatch_static")


@pytest.mark.parametrize("name", NAMES)
def test_out(name):
    for x in inputs(False):
        out = torch.empty_like(x)
        torch.library.opcheck(op(name).out, (x,) + SLOPES[name],
                              {**KWARGS.get(name, {}), "out": out}, test_utils=STATIC_CHECKS)


@requires_fake_kernels
@pytest.mark.parametrize("name", NAMES)
def test_out_with_dynamic_shapes(name):
    for x in inputs(False):
        out = torch.empty_like(x)
        torch.library.opcheck(op(name).out, (x,) + SLOPES[name],
                              {**KWARGS.get(name, {}), "out": out})


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_backward(name, requires_grad):
    for args in backward_samples(name, requires_grad):
        torch.library.opcheck(op(name, "_backward").default, args, KWARGS.get(name, {}))


def test_fake_out_of_another_shape_is_resized_and_laid_out_as_the_kernel_does():
    from torch._subclasses.fake_tensor import FakeTensorMode

    x = torch.randn(6, 4).t()
    real_out = torch.empty(3)
    A.tanh(x, out=real_out)
    with FakeTensorMode() as mode:
        fake_x = mode.from_tensor(x)
        fake_out = torch.empty(3)
        A.tanh(fake_x, out=fake_out)
    assert fake_out.shape == real_out.shape and fake_out.stride() == real_out.stride()
    assert real_out.stride() == (1, 4)
