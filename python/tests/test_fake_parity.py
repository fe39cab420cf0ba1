"""The package's fake kernels (torch.compile's and torch.export's) against the library's C++ Meta
kernels: for every operator and variant, on inputs of every dtype (bool, integers, complex,
float8, uint16), expanded and broadcast inputs, out= of another shape, layout or dtype, and an
out= partly overlapping its input, both give the same dtype, sizes and strides, or the same
error. The Meta kernels run in a subprocess with the library alone: importing the package
replaces them with the fakes."""
import json
import subprocess
import sys

import pytest
import torch

import torch_activations

import fake_parity_cases

pytestmark = pytest.mark.skipif(not torch_activations.HAS_FAKE_KERNELS,
                                reason=f"torch {torch.__version__} takes no fake kernels over "
                                       "the C++ Meta kernels (they serve alone)")


def comparable(outcome):
    """An outcome with an error message cut to what both sides word alike: the operator and
    the problem, before any detail in brackets (dtype spellings differ between C++ and Python)."""
    if "error" in outcome:
        return {"error": outcome["error"].split(" (")[0]}
    return outcome


def test_fake_kernels_agree_with_the_meta_kernels():
    from torch._subclasses.fake_tensor import FakeTensorMode

    meta = json.loads(subprocess.run(
        [sys.executable, fake_parity_cases.__file__, str(torch_activations.load_library())],
        capture_output=True, text=True, check=True).stdout)
    with FakeTensorMode():
        fake = fake_parity_cases.run("cpu")
    assert fake.keys() == meta.keys()
    differing = {case: (meta[case], fake[case]) for case in meta
                 if comparable(meta[case]) != comparable(fake[case])}
    assert not differing, json.dumps(differing, indent=1)


def test_the_cases_reach_every_kind_of_outcome():
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        fake = fake_parity_cases.run("cpu")
    assert any("ok" in o for o in fake.values()) and any("error" in o for o in fake.values())
