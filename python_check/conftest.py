import pathlib
import sys

import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import activations_loader  # noqa: E402

activations_loader.load()


@pytest.fixture
def ops():
    return torch.ops.activations
