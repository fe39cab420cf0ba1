#!/usr/bin/env python3
"""Round trip, Python side: a small model calling our operators, scripted and saved with
torch.jit.save, plus its input and the outputs Python computed, for the C++ test
(tests/test_torchscript_roundtrip.cpp) to load with torch::jit::load and compare.

    make_scripted_model.py OUTPUT_DIR
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import activations_loader  # noqa: E402

activations_loader.load()


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.first = torch.nn.Linear(4, 16)
        self.second = torch.nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.ops.activations.leaky_relu(self.first(x), 0.2)
        h = torch.ops.activations.tanh(h) + torch.ops.activations.relu(h)
        return torch.ops.activations.sigmoid(self.second(h))


class Data(torch.nn.Module):
    """Holds the input and Python's outputs as attributes of a scripted module."""

    def __init__(self, x, y):
        super().__init__()
        self.x = x
        self.y = y

    def forward(self) -> torch.Tensor:
        return self.y


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    scripted = torch.jit.script(Model())
    graph = str(scripted.forward.graph)
    for name in ("leaky_relu", "tanh", "relu", "sigmoid"):
        assert f"activations::{name}" in graph, graph
    x = torch.randn(32, 4) * 3
    y = scripted(x)
    torch.jit.save(scripted, str(out / "model.pt"))
    torch.jit.save(torch.jit.script(Data(x, y.detach())), str(out / "data.pt"))
    print(f"saved {out / 'model.pt'} and {out / 'data.pt'}")


if __name__ == "__main__":
    main()
