import pytest
import torch

import torch_activations  # noqa: F401  loads the library and registers the fake kernels



def compile_unsupported() -> str:
    """Why torch.compile cannot run here, or "" (torch 2.0 has no Python 3.11 support)."""
    if not hasattr(torch, "compile"):
        return f"torch {torch.__version__} has no torch.compile"
    from torch._dynamo import eval_frame

    try:
        eval_frame.check_if_dynamo_supported()
    except Exception as error:  # noqa: BLE001  (what dynamo says, as the reason)
        return f"torch {torch.__version__}: {error}"
    return ""


# torch.compile, torch.export and torch.library.opcheck exist from torch 2 on (opcheck from 2.4).
requires_compile = pytest.mark.skipif(bool(compile_unsupported()), reason=compile_unsupported())
# Symbolic shapes need the package's fake kernels: the C++ Meta kernels read concrete sizes.
requires_fake_kernels = pytest.mark.skipif(
    not torch_activations.HAS_FAKE_KERNELS,
    reason=f"torch {torch.__version__} takes no fake kernels over the C++ Meta kernels")
requires_export = pytest.mark.skipif(not hasattr(torch, "export"),
                                     reason=f"torch {torch.__version__} has no torch.export")
requires_opcheck = pytest.mark.skipif(not hasattr(torch.library, "opcheck"),
                                      reason=f"torch {torch.__version__} has no opcheck")


def _torch_release() -> tuple:
    return tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])


# A graph holding a custom operator that mutates its input (our in-place and out= operators)
# compiles and exports through auto_functionalize, which works from torch 2.3 on: 2.2 has the
# module already, but it fails on these graphs (IndexError inside auto_functionalize, found by the
# torch matrix).
requires_mutation_functionalization = pytest.mark.skipif(
    _torch_release() < (2, 3),
    reason=f"torch {torch.__version__} cannot functionalize a custom in-place operator "
           "(auto_functionalize works from 2.3 on)")
# Dynamo traces a custom operator's out= from torch 2.5 on ("out variant of TensorVariable"
# before).
requires_traced_out_variants = pytest.mark.skipif(
    _torch_release() < (2, 5),
    reason=f"torch {torch.__version__}'s dynamo cannot trace a custom operator's out=")
