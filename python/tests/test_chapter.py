"""The chapter's own Python, run unchanged after ``from torch_activations import ...``, and the
package's API (SiLU and GELU, which the chapter lacks, included): the classes, the functions, in
place, repr, type hints, docstrings."""
import inspect
import re

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

import torch_activations
from torch_activations import (MyGELU, MyLeakyReLU, MyReLU, MySigmoid, MySiLU, MyTanh, gelu,
                               leakyrelu, relu, sigmoid, silu, tanh)


# --- the chapter's test functions, verbatim ---------------------------------------------------
def test_Sigmoid():
    x = torch.randn([2, 5], dtype=torch.float32)
    net = nn.Sequential(MySigmoid())
    y = net(x)
    print(f"Sigmoid前: {x}")
    print(f"Sigmoid后: {y}")


def test_Tanh():
    x = torch.randn([2, 5], dtype=torch.float32)
    net = nn.Sequential(MyTanh())
    y = net(x)
    print(f"Tanh前: {x}")
    print(f"Tanh后: {y}")


def test_ReLU():
    x = torch.randn([2, 5], dtype=torch.float32)
    net = nn.Sequential(MyReLU())
    y = net(x)
    print(f"ReLU前: {x}")
    print(f"ReLU后: {y}")


def test_LeakyReLU():
    x = torch.randn([2, 5], dtype=torch.float32)
    net = nn.Sequential(MyLeakyReLU(0.2))
    y = net(x)
    print(f"LeakyReLU前: {x}")
    print(f"LeakyReLU后: {y}")
# -----------------------------------------------------------------------------------------------


# Each chapter example: the name it prints, the operator that must compute it, torch's module.
EXAMPLES = {
    test_Sigmoid: ("Sigmoid", "sigmoid", torch.sigmoid),
    test_Tanh: ("Tanh", "tanh", torch.tanh),
    test_ReLU: ("ReLU", "relu", torch.relu),
    test_LeakyReLU: ("LeakyReLU", "leaky_relu", lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
}


@pytest.mark.parametrize("chapter_test", list(EXAMPLES), ids=lambda f: f.__name__)
def test_the_chapters_examples_print_what_torch_computes(chapter_test, capsys):
    name, operator, counterpart = EXAMPLES[chapter_test]
    torch.manual_seed(3)
    with OperatorRecorder() as recorder:
        chapter_test()
    printed = capsys.readouterr().out
    torch.manual_seed(3)
    x = torch.randn([2, 5], dtype=torch.float32)
    assert printed == f"{name}前: {x}\n{name}后: {counterpart(x)}\n"
    assert recorder.calls == [f"activations.{operator}"], "our operator did the work"


class OperatorRecorder(TorchDispatchMode):
    """Records the operators that reach the dispatcher, whichever way they were called."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.namespace != "aten":
            self.calls.append(f"{func.namespace}.{func.overloadpacket.__name__}")
        return func(*args, **(kwargs or {}))


def test_functions_match_torch():
    x = torch.randn(1000) * 10
    assert torch.allclose(sigmoid(x), torch.sigmoid(x), rtol=1e-6, atol=0)
    assert torch.allclose(tanh(x), torch.tanh(x), rtol=1e-6, atol=1e-7)
    assert torch.equal(relu(x), torch.relu(x))
    assert torch.equal(leakyrelu(x), torch.nn.functional.leaky_relu(x, 0.2))
    assert torch.equal(leakyrelu(x, gamma=0.01), torch.nn.functional.leaky_relu(x, 0.01))
    # x stays above -88.7, below which torch's silu gives 0 (python_check/test_values.py)
    assert torch.allclose(silu(x), torch.nn.functional.silu(x), rtol=1e-6, atol=0)
    # torch's gelu loses digits in the negative tail (1 + erf cancels): moderate inputs
    moderate = torch.randn(1000)
    for approximate in ("none", "tanh"):
        assert torch.allclose(gelu(moderate, approximate=approximate),
                              torch.nn.functional.gelu(moderate, approximate=approximate),
                              rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("module, reference", [
    (MyReLU(inplace=True), torch.relu),
    (MyLeakyReLU(0.3, inplace=True), lambda x: torch.nn.functional.leaky_relu(x, 0.3)),
    (MySiLU(inplace=True), silu),
])
def test_inplace_modules_overwrite_their_input(module, reference):
    x = torch.randn(4, 5)
    expected = reference(x)
    y = module(x)
    assert y is x and torch.equal(x, expected)


def test_inplace_modules_train():
    torch.manual_seed(0)
    layer = nn.Linear(3, 4)
    x = torch.randn(5, 3)
    for make in (lambda: MyReLU(inplace=True), lambda: MyLeakyReLU(inplace=True)):
        ours = make()(layer(x)).sum()
        grad_ours = torch.autograd.grad(ours, layer.weight)[0]
        theirs = (torch.relu(layer(x)) if isinstance(make(), MyReLU)
                  else torch.nn.functional.leaky_relu(layer(x), 0.2)).sum()
        grad_theirs = torch.autograd.grad(theirs, layer.weight)[0]
        assert torch.equal(grad_ours, grad_theirs)


def test_repr():
    net = nn.Sequential(MySigmoid(), MyTanh(), MyReLU(), MyReLU(inplace=True), MyLeakyReLU(),
                        MyLeakyReLU(0.1, inplace=True), MySiLU(), MySiLU(inplace=True), MyGELU(),
                        MyGELU(approximate="tanh"))
    assert re.findall(r"\((\d)\): (.*)", repr(net)) == [
        ("0", "MySigmoid()"), ("1", "MyTanh()"), ("2", "MyReLU()"), ("3", "MyReLU(inplace=True)"),
        ("4", "MyLeakyReLU(gamma=0.2)"), ("5", "MyLeakyReLU(gamma=0.1, inplace=True)"),
        ("6", "MySiLU()"), ("7", "MySiLU(inplace=True)"), ("8", "MyGELU(approximate='none')"),
        ("9", "MyGELU(approximate='tanh')")]
    # as torch.nn.SiLU and torch.nn.GELU print themselves
    assert [repr(m)[2:] for m in (MySiLU(), MySiLU(True), MyGELU(), MyGELU("tanh"))] == [
        repr(m) for m in (nn.SiLU(), nn.SiLU(True), nn.GELU(), nn.GELU("tanh"))]


def test_torch_nn_names_for_the_slope():
    """torch.nn's habits beside the chapter's: negative_slope for gamma, and leaky_relu with
    torch.nn.functional's signature beside leakyrelu."""
    from torch_activations import leaky_relu, leaky_relu_, leakyrelu_

    x = torch.randn(100)
    expected = torch.nn.functional.leaky_relu(x, 0.1)
    module = MyLeakyReLU(negative_slope=0.1)
    assert torch.equal(module(x), expected) and module.negative_slope == module.gamma == 0.1
    assert torch.equal(leakyrelu(x, negative_slope=0.1), expected)
    assert torch.equal(leaky_relu(x, 0.1), expected)
    assert torch.equal(leaky_relu(x, negative_slope=0.1), expected)
    assert torch.equal(leaky_relu(x), torch.nn.functional.leaky_relu(x, 0.2))  # the chapter's
    y = x.clone()
    assert leaky_relu(y, 0.1, inplace=True) is y and torch.equal(y, expected)
    y = x.clone()
    assert leaky_relu_(y, 0.1) is y and torch.equal(y, expected)
    y = x.clone()
    assert leakyrelu_(y, negative_slope=0.1) is y and torch.equal(y, expected)
    with pytest.raises(TypeError, match="gamma or negative_slope"):
        MyLeakyReLU(0.1, negative_slope=0.1)
    with pytest.raises(TypeError, match="gamma or negative_slope"):
        leakyrelu(x, 0.1, negative_slope=0.1)


def test_silu_has_torch_nn_functionals_signature():
    from torch_activations import silu_

    x = torch.randn(100)
    expected = silu(x)
    assert torch.allclose(expected, torch.nn.functional.silu(x), rtol=1e-6, atol=0)
    y = x.clone()
    assert silu(y, inplace=True) is y and torch.equal(y, expected)
    y = x.clone()
    assert silu(y, False) is not y and torch.equal(y, x)
    y = x.clone()
    assert silu_(y) is y and torch.equal(y, expected)


def test_silu_trains_in_place_as_out_of_place():
    """In place, the layer's input is overwritten yet its gradient needs it: the operator keeps
    a copy for backward."""
    torch.manual_seed(0)
    layer = nn.Linear(3, 4)
    x = torch.randn(5, 3)
    grad_inplace = torch.autograd.grad(MySiLU(inplace=True)(layer(x)).sum(), layer.weight)[0]
    grad = torch.autograd.grad(MySiLU()(layer(x)).sum(), layer.weight)[0]
    assert torch.equal(grad_inplace, grad)
    theirs = torch.autograd.grad(nn.SiLU()(layer(x)).sum(), layer.weight)[0]
    torch.testing.assert_close(grad, theirs)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_has_torch_nn_functionals_signature(approximate):
    """gelu(x, approximate="none") as torch.nn.functional.gelu (which takes the approximation by
    name only), gelu_ beside it, and MyGELU as torch.nn.GELU."""
    from torch_activations import gelu_

    x = torch.randn(100)
    expected = gelu(x, approximate=approximate)
    assert torch.allclose(expected, torch.nn.functional.gelu(x, approximate=approximate),
                          rtol=1e-6, atol=1e-6)
    assert torch.equal(gelu(x), gelu(x, approximate="none"))
    y = x.clone()
    assert gelu_(y, approximate=approximate) is y and torch.equal(y, expected)
    assert torch.equal(gelu(x, approximate), expected)
    for module in (MyGELU(approximate), MyGELU(approximate=approximate)):
        assert module.approximate == approximate
        assert torch.equal(module(x), expected)
    assert torch.equal(MyGELU()(x), gelu(x))


def test_gelu_refuses_an_unknown_approximation():
    """The functions leave the check to the operator, which writes nothing first; MyGELU refuses
    as it is made (torch.nn.GELU only when it runs), as the C++ MyGELU does."""
    from torch_activations import gelu_

    x = torch.randn(10)
    before = x.clone()
    with pytest.raises(RuntimeError, match="activations::gelu: approximate must be 'none' or "
                                           "'tanh', got 'tan'"):
        gelu(x, approximate="tan")
    with pytest.raises(RuntimeError, match="activations::gelu_: approximate must be"):
        gelu_(x, approximate="Tanh")
    assert torch.equal(x, before) and x._version == 0
    with pytest.raises(ValueError, match="MyGELU: approximate must be 'none' or 'tanh', got 'tan'"):
        MyGELU("tan")


def test_gelu_trains_as_torchs():
    """gelu's gradient through a layer, both forms, against torch.nn.GELU's; gelu_'s equal to
    gelu's (it keeps a copy of its input for backward)."""
    from torch_activations import gelu_

    torch.manual_seed(0)
    layer = nn.Linear(3, 4)
    x = torch.randn(5, 3)
    for approximate in ("none", "tanh"):
        ours = torch.autograd.grad(MyGELU(approximate)(layer(x)).sum(), layer.weight)[0]
        theirs = torch.autograd.grad(nn.GELU(approximate)(layer(x)).sum(), layer.weight)[0]
        torch.testing.assert_close(ours, theirs)
    x = torch.randn(5, 3)
    y = layer(x)
    (inplace,) = torch.autograd.grad(gelu_(y * 1.0, approximate="tanh").sum(), layer.weight,
                                     retain_graph=True)
    (out_of_place,) = torch.autograd.grad(gelu(y, approximate="tanh").sum(), layer.weight)
    assert torch.equal(inplace, out_of_place)


def test_non_finite_gamma_is_refused():
    with pytest.raises(ValueError, match="gamma"):
        MyLeakyReLU(float("inf"))


@pytest.mark.parametrize("public", torch_activations.__all__)
def test_public_names_have_docstrings_and_type_hints(public):
    item = getattr(torch_activations, public)
    if isinstance(item, bool):
        return
    assert inspect.getdoc(item), public
    functions = [item.forward, item.__init__] if inspect.isclass(item) else [item]
    for function in functions:
        if function is object.__init__ or function is nn.Module.__init__:
            continue
        hints = inspect.signature(function)
        assert hints.return_annotation is not inspect.Signature.empty, (public, function)
        for parameter in hints.parameters.values():
            if parameter.name != "self":
                assert parameter.annotation is not inspect.Parameter.empty, (public, parameter)


def test_the_package_is_typed():
    import pathlib
    assert (pathlib.Path(torch_activations.__file__).parent / "py.typed").is_file()


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
@pytest.mark.parametrize("module, reference", [
    (MySigmoid(), nn.Sigmoid()), (MyTanh(), nn.Tanh()), (MyReLU(), nn.ReLU()),
    (MyReLU(inplace=True), nn.ReLU()), (MyLeakyReLU(0.3), nn.LeakyReLU(0.3)),
    (MyLeakyReLU(0.3, inplace=True), nn.LeakyReLU(0.3)), (MySiLU(), nn.SiLU()),
    (MySiLU(inplace=True), nn.SiLU()), (MyGELU(), nn.GELU()), (MyGELU("tanh"), nn.GELU("tanh")),
], ids=repr)
def test_modules_script_with_torchscript(module, reference):
    scripted = torch.jit.script(nn.Sequential(nn.Identity(), module))
    assert "activations::" in str(scripted.inlined_graph), scripted.inlined_graph
    x, atol = torch.randn(50) * 8, 1e-7
    if isinstance(module, MyGELU):
        # torch's float32 gelu is some 5e-7 off where 1 + erf (1 + tanh) starts to cancel, and
        # all digits off in the negative tail: moderate inputs
        x, atol = torch.randn(50), 1e-6
    expected = reference(x.clone())
    assert torch.allclose(scripted(x.clone()), expected, rtol=1e-6, atol=atol)
