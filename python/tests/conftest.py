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


def _functionalizes_custom_mutations() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("torch._higher_order_ops.auto_functionalize") is not None
    except ModuleNotFoundError:  # no torch._higher_order_ops at all (before 2.1)
        return False


# A graph holding a custom operator that mutates its input (our in-place and out= operators)
# compiles and exports through auto_functionalize, which came with torch 2.3.
requires_mutation_functionalization = pytest.mark.skipif(
    not _functionalizes_custom_mutations(),
    reason=f"torch {torch.__version__} cannot functionalize a custom in-place operator "
           "(auto_functionalize came with 2.3)")
# Dynamo traces a custom operator's out= from torch 2.5 on ("out variant of TensorVariable"
# before).
requires_traced_out_variants = pytest.mark.skipif(
    tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2]) < (2, 5),
    reason=f"torch {torch.__version__}'s dynamo cannot trace a custom operator's out=")
