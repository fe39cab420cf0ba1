"""torch_activations._C, the compiled eager calls: they run the registered operators without
torch.ops' Python path, give what the operators give (results, gradients, in-place semantics,
errors), and leave to the operators everything they do not take themselves: tensor subclasses,
torch function modes, arguments of other types."""
import pytest
import torch
from torch.overrides import TorchFunctionMode

import torch_activations
from torch_activations import functional as F

# Not used where it was not built, nor before torch 2.3, whose torch.compile has no cheap way to
# tell that it is tracing (_compat.dynamo_tracing_check): the functions call torch.ops there.
pytestmark = pytest.mark.skipif(
    not torch_activations.HAS_EAGER_CALLS,
    reason=f"torch_activations._C is not used with torch {torch.__version__} (not built, or a "
           "torch before 2.3, whose torch.compile has no cheap tracing check)")

# Each function with the operator it calls and its extra arguments, positional and keyword.
OUT_OF_PLACE = [
    (F.sigmoid, "sigmoid", (), {}), (F.tanh, "tanh", (), {}), (F.relu, "relu", (), {}),
    (F.leaky_relu, "leaky_relu", (0.3,), {}), (F.silu, "silu", (), {}), (F.gelu, "gelu", (), {}),
    (F.gelu, "gelu", (), {"approximate": "tanh"}),
]
IN_PLACE = [
    (F.sigmoid_, "sigmoid_", (), {}), (F.tanh_, "tanh_", (), {}), (F.relu_, "relu_", (), {}),
    (F.leaky_relu_, "leaky_relu_", (0.3,), {}), (F.silu_, "silu_", (), {}),
    (F.gelu_, "gelu_", (), {}), (F.gelu_, "gelu_", (), {"approximate": "tanh"}),
]
FUNCTIONS = OUT_OF_PLACE + IN_PLACE


def ids(functions):
    return ["-".join([name, *kwargs.values()]) for _, name, _, kwargs in functions]


IDS = ids(FUNCTIONS)


def through_torch_ops(operator, x, *args, **kwargs):
    result = getattr(torch.ops.activations, operator).default(x, *args, **kwargs)
    return x if operator.endswith("_") else result


class _NoTorchOps:
    def __getattr__(self, name):
        raise AssertionError(f"torch.ops.activations.{name} was called from Python")


def test_plain_tensors_do_not_go_through_torch_ops(monkeypatch):
    monkeypatch.setattr(F, "_ops", _NoTorchOps())
    x = torch.randn(100)
    for function, _, args, kwargs in FUNCTIONS:
        function(x.clone(), *args, **kwargs)
    torch_activations.MyLeakyReLU()(x)
    torch_activations.MyReLU(inplace=True)(x.clone())
    torch_activations.MySiLU()(x)
    torch_activations.MySiLU(inplace=True)(x.clone())
    F.silu(x.clone(), inplace=True)
    torch_activations.MyGELU()(x)
    torch_activations.MyGELU("tanh")(x)


@pytest.mark.parametrize("function, operator, args, kwargs", FUNCTIONS, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_same_bits_as_the_operator(function, operator, args, kwargs, dtype):
    x = (torch.randn(3, 1000) * 8).to(dtype)[:, ::3]  # strided too
    expected = through_torch_ops(operator, x.clone(), *args, **kwargs)
    got = function(x.clone(), *args, **kwargs)
    assert got.dtype == dtype and got.shape == x.shape
    bits = {torch.float32: torch.int32, torch.float64: torch.int64, torch.bfloat16: torch.int16}
    assert torch.equal(got.view(bits[dtype]), expected.view(bits[dtype]))


@pytest.mark.parametrize("function, operator, args, kwargs", IN_PLACE, ids=ids(IN_PLACE))
def test_in_place_returns_its_input_and_bumps_its_version(function, operator, args, kwargs):
    x = torch.randn(64)
    version = x._version
    assert function(x, *args, **kwargs) is x
    assert x._version == version + 1


@pytest.mark.parametrize("function, operator, args, kwargs", OUT_OF_PLACE, ids=ids(OUT_OF_PLACE))
def test_gradients_flow_as_through_the_operator(function, operator, args, kwargs):
    x = torch.randn(50, dtype=torch.float64, requires_grad=True)
    (expected,) = torch.autograd.grad(through_torch_ops(operator, x, *args, **kwargs).sum(), x,
                                      create_graph=True)
    y = function(x, *args, **kwargs)
    assert y.grad_fn is not None and y.requires_grad
    (got,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    assert torch.equal(got, expected)


def error_of(call):
    with pytest.raises(Exception) as caught:
        call()
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize("function, operator, args, kwargs", FUNCTIONS, ids=IDS)
def test_errors_are_the_operators(function, operator, args, kwargs):
    leaf = torch.randn(4, requires_grad=True)
    cases = [torch.zeros(3, dtype=torch.complex64), "not a tensor", None]
    if operator.endswith("_"):
        cases.append(leaf)  # in place on a leaf that requires grad
    if operator.rstrip("_") in ("leaky_relu", "silu", "gelu"):
        cases.append(torch.arange(3))  # they take floating-point tensors only
    for bad in cases:
        assert error_of(lambda: function(bad, *args, **kwargs)) == error_of(
            lambda: through_torch_ops(operator, bad, *args, **kwargs)), bad
    if args:
        x = torch.randn(4)
        assert error_of(lambda: function(x.clone(), "0.3")) == error_of(
            lambda: through_torch_ops(operator, x.clone(), "0.3"))
    if operator.startswith("gelu"):
        x = torch.randn(4)
        for bad in ("foo", "", "Tanh", "tänh", None, 1):
            y, before = x.clone(), x.clone()
            assert error_of(lambda: function(y, approximate=bad)) == error_of(
                lambda: through_torch_ops(operator, x.clone(), approximate=bad)), bad
            assert torch.equal(y, before) and y._version == 0  # refused before writing


@pytest.mark.parametrize("operator", ["gelu", "gelu_"])
def test_gelus_other_calls_go_to_the_operator(operator):
    """What _C's gelu and gelu_ do not take themselves (the approximation positionally, another
    keyword, no tensor, a string not encodable as UTF-8, a str subclass, bytes) goes to the
    OpOverload as it came: its error, or its result."""
    from torch_activations import _C

    call = getattr(_C, operator)
    x = torch.randn(6)

    class Text(str):
        pass

    for args, kwargs in [((x, "tanh"), {}), ((x,), {"approximation": "tanh"}),
                         ((x,), {"approximate": "tanh", "out": x}), ((), {}),
                         ((x,), {"approximate": "\ud800"})]:
        assert error_of(lambda: call(*[a.clone() for a in args], **kwargs)) == error_of(
            lambda: getattr(torch.ops.activations, operator).default(
                *[a.clone() for a in args], **kwargs))
    expected = through_torch_ops(operator, x.clone(), approximate="tanh")
    for approximate in (Text("tanh"), b"tanh"):  # torch's argument parser takes bytes too
        y = x.clone()
        got = call(y, approximate=approximate)
        assert torch.equal(got, expected)
        assert (got is y) == operator.endswith("_")
    assert torch.equal(call(x.clone(), approximate=Text("none")), call(x.clone()))


def test_gelu_signatures():
    """_C's gelu and gelu_ take approximate by name only, as the schema; the functions also
    take it positionally (TorchScript compiles no keyword-only argument with a default)."""
    import inspect

    from torch_activations import _C

    for function in (_C.gelu, _C.gelu_, F.gelu, F.gelu_):
        parameters = inspect.signature(function).parameters
        assert list(parameters) == ["x", "approximate"], function
        assert parameters["approximate"].default == "none", function
        assert (parameters["approximate"].kind == inspect.Parameter.KEYWORD_ONLY) == (
            function in (_C.gelu, _C.gelu_)), function


@pytest.mark.parametrize("slope", [1, True, torch.tensor(0.5).item(), 2**70])
def test_slopes_of_every_python_number_type(slope):
    x = torch.randn(100)
    assert torch.equal(F.leaky_relu(x, slope), through_torch_ops("leaky_relu", x, slope))
    y = x.clone()
    assert torch.equal(F.leaky_relu_(y, slope), through_torch_ops("leaky_relu_", x.clone(), slope))


class Tagged(torch.Tensor):
    """A subclass whose __torch_function__ sees every call."""
    seen = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        cls.seen.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


@pytest.mark.parametrize("function, operator, args, kwargs", FUNCTIONS, ids=IDS)
def test_tensor_subclasses_keep_their_torch_function(function, operator, args, kwargs):
    Tagged.seen.clear()
    x = torch.randn(8).as_subclass(Tagged)
    expected = through_torch_ops(operator, x.clone().as_subclass(torch.Tensor), *args, **kwargs)
    got = function(x, *args, **kwargs)
    assert operator in " ".join(Tagged.seen), Tagged.seen
    assert type(got) is Tagged
    assert torch.equal(got.as_subclass(torch.Tensor), expected)


class Recording(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.seen = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.seen.append(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("function, operator, args, kwargs", FUNCTIONS, ids=IDS)
def test_torch_function_modes_see_the_call(function, operator, args, kwargs):
    x = torch.randn(8)
    with Recording() as mode:
        got = function(x.clone(), *args, **kwargs)
    assert operator in " ".join(mode.seen), mode.seen
    assert torch.equal(got, through_torch_ops(operator, x.clone(), *args, **kwargs))


def test_compile_still_sees_the_operators():
    from conftest import compile_unsupported
    if compile_unsupported():
        pytest.skip(compile_unsupported())
    from torch._dynamo.testing import CompileCounterWithBackend

    counter = CompileCounterWithBackend("eager")
    model = torch.nn.Sequential(torch_activations.MySigmoid(), torch_activations.MyTanh(),
                                torch_activations.MyReLU(), torch_activations.MyLeakyReLU(),
                                torch_activations.MySiLU(), torch_activations.MyGELU(),
                                torch_activations.MyGELU("tanh"))
    x = torch.randn(32)
    compiled = torch.compile(model, backend=counter, fullgraph=True)
    assert torch.equal(compiled(x), model(x))
    targets = {str(node.target).replace(".default", "") for graph in counter.graphs
               for node in graph.graph.nodes if node.op == "call_function"}
    assert {"activations.sigmoid", "activations.tanh", "activations.relu",
            "activations.leaky_relu", "activations.silu", "activations.gelu"} <= targets, targets
