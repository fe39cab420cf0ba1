"""scikit-build-core metadata provider: the wheel's dependency on torch, pinned to the major.minor
series of the torch it is built against (``torch==2.15.*``), as torchvision pins it, so that
``pip install -U torch`` reports a conflict instead of leaving a library built for another torch.
pyproject.toml names it; the build sees the torch of the interpreter running pip
(``--no-build-isolation``)."""
from __future__ import annotations


def dynamic_metadata(field, settings=None, project=None):
    if field != "dependencies":
        raise RuntimeError(f"torch_pin provides the dependencies, not {field}")
    try:
        import torch
    except ImportError:
        # pip's build isolation hides the torch to build against: one line, no traceback
        raise SystemExit("torch-activations builds against the torch you run: "
                         "pip install --no-build-isolation .") from None
    series = ".".join(torch.__version__.split("+")[0].split(".")[:2])
    return [f"torch=={series}.*"]
