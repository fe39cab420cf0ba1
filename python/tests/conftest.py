import pytest
import torch

import torch_activations  # noqa: F401  loads the library and registers the fake kernels

# torch.compile, torch.export and torch.library.opcheck exist from torch 2 on (opcheck from 2.4).
requires_compile = pytest.mark.skipif(not hasattr(torch, "compile"),
                                      reason=f"torch {torch.__version__} has no torch.compile")
requires_export = pytest.mark.skipif(not hasattr(torch, "export"),
                                     reason=f"torch {torch.__version__} has no torch.export")
requires_opcheck = pytest.mark.skipif(not hasattr(torch.library, "opcheck"),
                                      reason=f"torch {torch.__version__} has no opcheck")
