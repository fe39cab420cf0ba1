"""torch.export.export of a model with all six activations gives a program that runs and
matches eager, our operators in its graph."""
import torch

from conftest import requires_export, requires_fake_kernels, requires_mutation_functionalization
from test_compile import model

pytestmark = requires_export


@requires_mutation_functionalization  # the model has in-place layers
def test_exported_program_runs_and_matches_eager():
    net = model().eval()
    x = torch.randn(8, 6)
    with torch.no_grad():
        program = torch.export.export(net, (x,))
        targets = {str(node.target) for node in program.graph.nodes}
        assert {"activations.sigmoid.default", "activations.tanh.default",
                "activations.leaky_relu.default", "activations.silu.default",
                "activations.gelu.default"} <= targets, targets
        for batch in (x, torch.randn(8, 6)):
            torch.testing.assert_close(program.module()(batch), net(batch))
        approximations = {node.kwargs.get("approximate", "none") for node in program.graph.nodes
                          if str(node.target) == "activations.gelu.default"}
        assert approximations == {"none", "tanh"}, approximations


@requires_mutation_functionalization
@requires_fake_kernels
def test_export_with_a_dynamic_batch():
    net = model().eval()
    batch = torch.export.Dim("batch")
    with torch.no_grad():
        program = torch.export.export(net, (torch.randn(8, 6),), dynamic_shapes=({0: batch},))
        for size in (3, 8, 20):
            x = torch.randn(size, 6)
            torch.testing.assert_close(program.module()(x), net(x))
