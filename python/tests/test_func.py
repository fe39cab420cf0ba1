"""Every PyTorch transform over our operators and modules, against torch's built-ins on the same
inputs: forward-mode AD (torch.autograd.forward_ad, torch.func.jvp), torch.func's grad, vjp,
jacrev, jacfwd and hessian, vmap with batching rules (no per-example loop: no warning) and
nested, per-sample gradients through functional_call, and gradcheck/gradgradcheck with every
forward-mode and batched check, on every operator and variant."""
import warnings

import pytest
import torch
import torch.autograd.forward_ad as fwAD
from torch import nn

import torch_activations
from torch_activations import MyGELU, MyLeakyReLU, MyReLU, MySigmoid, MySiLU, MyTanh

A = torch.ops.activations
F = torch.nn.functional

OURS = {"sigmoid": A.sigmoid, "tanh": A.tanh, "relu": A.relu,
        "leaky_relu": lambda x: A.leaky_relu(x, 0.2), "silu": A.silu, "gelu": A.gelu,
        "gelu_tanh": lambda x: A.gelu(x, approximate="tanh")}
THEIRS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
          "leaky_relu": lambda x: F.leaky_relu(x, 0.2), "silu": F.silu, "gelu": F.gelu,
          "gelu_tanh": lambda x: F.gelu(x, approximate="tanh")}
NAMES = list(OURS)
# Each case's operator, its extra positional arguments (forward; backward) and keywords.
OPERATOR = {"gelu_tanh": "gelu"}
ARGS = {"leaky_relu": (0.2,)}
BACKWARD_ARGS = {"leaky_relu": (0.2, False)}
KWARGS = {"gelu_tanh": {"approximate": "tanh"}}


def variant(name, suffix):
    """The operator of a case's variant (suffix "_", "_backward" or "") with its extra arguments
    bound."""
    op = getattr(A, OPERATOR.get(name, name) + suffix)
    args = BACKWARD_ARGS.get(name, ()) if suffix == "_backward" else ARGS.get(name, ())
    kwargs = KWARGS.get(name, {})
    return lambda *tensors, **more: op(*tensors, *args, **kwargs, **more)

requires_func = pytest.mark.skipif(not hasattr(torch, "func"),
                                   reason=f"torch {torch.__version__} has no torch.func")


def away_from_kinks(shape, seed=0):
    """float64 inputs not near 0, where relu's and leaky_relu's derivatives jump."""
    torch.manual_seed(seed)
    x = torch.randn(shape, dtype=torch.float64)
    return x + 0.2 * torch.sign(x)


@pytest.mark.parametrize("name", NAMES)
def test_forward_ad_tangents_equal_torchs(name):
    x, t = away_from_kinks(7), away_from_kinks(7, seed=1)
    with fwAD.dual_level():
        ours = fwAD.unpack_dual(OURS[name](fwAD.make_dual(x, t))).tangent
        theirs = fwAD.unpack_dual(THEIRS[name](fwAD.make_dual(x, t))).tangent
    assert ours is not None
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("name", NAMES)
def test_every_variant_carries_a_tangent(name):
    """Fails if any variant's output lacks a tangent when its input has one, or if an out=
    call takes one silently."""
    x, t = away_from_kinks(5), away_from_kinks(5, seed=1)
    operator = OPERATOR.get(name, name)
    with fwAD.dual_level():
        expected = fwAD.unpack_dual(THEIRS[name](fwAD.make_dual(x, t))).tangent
        dual = fwAD.make_dual(x.clone(), t.clone())
        variant(name, "_")(dual)
        torch.testing.assert_close(fwAD.unpack_dual(dual).tangent, expected)
        with pytest.raises(RuntimeError, match=f"activations::{operator}.out: forward-mode AD"):
            variant(name, "")(fwAD.make_dual(x, t), out=torch.empty(5, dtype=x.dtype))
        g, s = away_from_kinks(5, seed=2), torch.rand(5, dtype=torch.float64)
        gt, st = away_from_kinks(5, seed=3), away_from_kinks(5, seed=4)
        backward = variant(name, "_backward")
        for g_tangent, s_tangent in ((gt, None), (None, st), (gt, st)):
            gg = fwAD.make_dual(g, g_tangent) if g_tangent is not None else g
            ss = fwAD.make_dual(s, s_tangent) if s_tangent is not None else s
            assert fwAD.unpack_dual(backward(gg, ss)).tangent is not None


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_with_every_forward_and_batched_check(name):
    x = away_from_kinks(6).requires_grad_(True)
    checks = dict(check_forward_ad=True, check_backward_ad=True, check_batched_grad=True,
                  check_batched_forward_grad=True)
    assert torch.autograd.gradcheck(OURS[name], (x,), **checks)
    assert torch.autograd.gradgradcheck(OURS[name], (x,), check_fwd_over_rev=True,
                                        check_rev_over_rev=True, check_batched_grad=True)
    g = away_from_kinks(6, seed=2).requires_grad_(True)
    s = (torch.rand(6, dtype=torch.float64) + 0.1).requires_grad_(True)
    assert torch.autograd.gradcheck(variant(name, "_backward"), (g, s), **checks)


@pytest.mark.parametrize("name", NAMES)
def test_inplace_variant_under_gradcheck(name):
    x = away_from_kinks(6).requires_grad_(True)

    def inplace(v):
        w = v * 1.0  # not a leaf
        variant(name, "_")(w)
        return w

    assert torch.autograd.gradcheck(inplace, (x,), check_forward_ad=True,
                                    check_batched_grad=True, check_batched_forward_grad=True)


@requires_func
@pytest.mark.parametrize("name", NAMES)
def test_torch_func_transforms_equal_torchs(name):
    from torch import func

    x = away_from_kinks(5)
    ours, theirs = OURS[name], THEIRS[name]
    scalar = lambda f: lambda v: f(v).sin().sum()  # noqa: E731
    torch.testing.assert_close(func.grad(scalar(ours))(x), func.grad(scalar(theirs))(x))
    (_, vjp_ours), (_, vjp_theirs) = func.vjp(ours, x), func.vjp(theirs, x)
    v = away_from_kinks(5, seed=1)
    torch.testing.assert_close(vjp_ours(v), vjp_theirs(v))
    torch.testing.assert_close(func.jvp(ours, (x,), (v,)), func.jvp(theirs, (x,), (v,)))
    torch.testing.assert_close(func.jacrev(ours)(x), func.jacrev(theirs)(x))
    torch.testing.assert_close(func.jacfwd(ours)(x), func.jacfwd(theirs)(x))
    torch.testing.assert_close(func.hessian(scalar(ours))(x), func.hessian(scalar(theirs))(x))


@requires_func
@pytest.mark.parametrize("name", NAMES)
def test_vmap_runs_once_on_the_batch(name):
    from torch import func

    x = away_from_kinks((4, 3, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the per-example fallback warns
        for in_dims in (0, 1, 2):
            torch.testing.assert_close(func.vmap(OURS[name], in_dims)(x),
                                       func.vmap(THEIRS[name], in_dims)(x))
        nested = func.vmap(func.vmap(OURS[name], in_dims=1), in_dims=0)(x)
        torch.testing.assert_close(nested, THEIRS[name](x).transpose(1, 2))
        g = away_from_kinks((4, 5), seed=2)
        y = THEIRS[name](x[:, 0])
        backward = variant(name, "_backward")
        # one operand batched, the other not; and both, batched on different dimensions
        ours = func.vmap(lambda a: backward(a, y[0]))(g)
        torch.testing.assert_close(ours, torch.stack([backward(a, y[0]) for a in g]))
        ours = func.vmap(backward, in_dims=(0, 1))(g, y.t())
        torch.testing.assert_close(ours, backward(g, y))


@requires_func
def test_vmap_of_inplace_and_out_variants():
    from torch import func

    x = away_from_kinks((4, 5))

    def inplace(v):
        w = v.clone()
        A.tanh_(w)
        return w

    def out(v):
        o = torch.empty_like(v)
        A.sigmoid(v, out=o)
        return o

    def silu_inplace(v):
        w = v.clone()
        A.silu_(w)
        return w

    def silu_out(v):
        o = torch.empty_like(v)
        A.silu(v, out=o)
        return o

    def gelu_inplace(v):
        w = v.clone()
        A.gelu_(w, approximate="tanh")
        return w

    def gelu_out(v):
        o = torch.empty_like(v)
        A.gelu(v, approximate="tanh", out=o)
        return o

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.testing.assert_close(func.vmap(inplace)(x), torch.tanh(x))
        torch.testing.assert_close(func.vmap(out)(x), torch.sigmoid(x))
        torch.testing.assert_close(func.vmap(silu_inplace)(x), F.silu(x))
        torch.testing.assert_close(func.vmap(silu_out)(x), F.silu(x))
        torch.testing.assert_close(func.vmap(gelu_inplace)(x), F.gelu(x, approximate="tanh"))
        torch.testing.assert_close(func.vmap(gelu_out)(x), F.gelu(x, approximate="tanh"))
        # the approximation reaches the operator under vmap: the two forms differ
        assert not torch.equal(func.vmap(A.gelu)(x), func.vmap(gelu_out)(x))


def model(activations):
    torch.manual_seed(0)
    layers = [nn.Linear(3, 8)]
    for activation in activations:
        layers += [activation, nn.Linear(8, 8)]
    return nn.Sequential(*layers, nn.Linear(8, 1)).double()


@requires_func
def test_per_sample_gradients_of_a_model_with_our_modules():
    from torch import func

    ours = model([MyTanh(), MyReLU(), MyLeakyReLU(0.2), MySiLU(), MyGELU(), MyGELU("tanh"),
                  MySigmoid()])
    theirs = model([nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.2), nn.SiLU(), nn.GELU(),
                    nn.GELU("tanh"), nn.Sigmoid()])
    x, target = away_from_kinks((16, 3)), away_from_kinks((16, 1), seed=1)

    def per_sample(net):
        params = {k: v.detach() for k, v in net.named_parameters()}

        def loss(p, xi, ti):
            return ((func.functional_call(net, p, (xi.unsqueeze(0),)) - ti) ** 2).sum()

        return func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, x, target)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grads_ours = per_sample(ours)
    grads_theirs = per_sample(theirs)
    for key in grads_theirs:
        torch.testing.assert_close(grads_ours[key], grads_theirs[key])
    assert torch_activations.HAS_BATCHING_RULES
