"""The cases of test_fake_parity.py, run twice: on meta tensors with the library alone (its C++
Meta kernels), and under FakeTensorMode with the package (its fake kernels). Each case gives
what an operator returns (dtype, sizes, strides, and out='s after the call) or the start of its
error message."""
from __future__ import annotations

import functools
import json
import sys

import torch

OPERATORS = ("sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu")
# Each operator's cases, with the keyword arguments they are called with.
CASES = [(name, {}) for name in OPERATORS] + [("gelu", {"approximate": "tanh"})]


def dtypes():
    found = [torch.bool, torch.uint8, torch.int64, torch.complex64, torch.float32, torch.float64]
    for name in ("float8_e4m3fn", "uint16"):  # torch 2.1 and 2.3
        if hasattr(torch, name):
            found.append(getattr(torch, name))
    return found


def outcome(call):
    try:
        result = call()
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as error:
        return {"error": str(error).strip().splitlines()[0]}
    tensors = result if isinstance(result, (tuple, list)) else [result]
    return {"ok": [[str(t.dtype), list(t.shape), list(t.stride())] for t in tensors
                   if isinstance(t, torch.Tensor)]}


def run(device: str) -> dict:
    ops = torch.ops.activations
    results = {}

    def empty(*shape, dtype=torch.float32, on=device):
        return torch.empty(shape, dtype=dtype, device=on)

    def slope(name):
        return (0.2,) if name == "leaky_relu" else ()

    for name, keywords in CASES:
        label = name + "".join(f" {key}={value}" for key, value in keywords.items())
        op, inplace, backward = (functools.partial(getattr(ops, name), **keywords),
                                 functools.partial(getattr(ops, name + "_"), **keywords),
                                 functools.partial(getattr(ops, name + "_backward"), **keywords))
        backward_extra = (0.2, False) if name == "leaky_relu" else ()
        for dtype in dtypes():
            results[f"{label} {dtype}"] = outcome(
                lambda: op(empty(2, 3, dtype=dtype), *slope(name)))
            results[f"{label}_ {dtype}"] = outcome(
                lambda: inplace(empty(2, 3, dtype=dtype), *slope(name)))
            results[f"{label}_backward {dtype}"] = outcome(
                lambda: backward(empty(2, 3, dtype=dtype), empty(2, 3, dtype=dtype),
                                 *backward_extra))
        expanded = empty(1, 3).expand(4, 3)
        results[f"{label} expanded"] = outcome(lambda: op(expanded, *slope(name)))
        results[f"{label}_ expanded"] = outcome(lambda: inplace(empty(1, 3).expand(4, 3),
                                                                *slope(name)))
        results[f"{label}_backward expanded"] = outcome(
            lambda: backward(empty(4, 1).expand(4, 3), empty(1, 3).expand(4, 3), *backward_extra))
        results[f"{label}_backward broadcast"] = outcome(
            lambda: backward(empty(4, 1), empty(1, 3), *backward_extra))
        for kind, out in (("same", lambda: empty(2, 3)), ("other shape", lambda: empty(5)),
                          ("transposed", lambda: empty(3, 2).t()),
                          ("float64", lambda: empty(2, 3, dtype=torch.float64)),
                          ("int64", lambda: empty(2, 3, dtype=torch.int64)),
                          ("bfloat16", lambda: empty(2, 3, dtype=torch.bfloat16))):
            def call(out=out):
                target = out()
                op(empty(2, 3), *slope(name), out=target)
                return target
            results[f"{label}.out {kind}"] = outcome(call)

        def partial_overlap():
            base = empty(12)
            op(base[:6].view(2, 3), *slope(name), out=base[3:9].view(2, 3))
        results[f"{label}.out partial overlap"] = outcome(partial_overlap)

    # GELU's approximation checked where the C++ kernels check it: after the input's dtype,
    # before out='s device and dtype and before the overlap checks.
    for bad in ("foo", "", "Tanh"):
        results[f"gelu approximate={bad}"] = outcome(lambda: ops.gelu(empty(2, 3), approximate=bad))
        results[f"gelu_ approximate={bad}"] = outcome(
            lambda: ops.gelu_(empty(2, 3), approximate=bad))
        results[f"gelu.out approximate={bad}"] = outcome(
            lambda: ops.gelu(empty(2, 3), approximate=bad, out=empty(2, 3)))
        results[f"gelu_backward approximate={bad}"] = outcome(
            lambda: ops.gelu_backward(empty(2, 3), empty(2, 3), approximate=bad))
    results["gelu int64 approximate=foo"] = outcome(
        lambda: ops.gelu(empty(2, 3, dtype=torch.int64), approximate="foo"))
    results["gelu_ expanded approximate=foo"] = outcome(
        lambda: ops.gelu_(empty(1, 3).expand(4, 3), approximate="foo"))
    results["gelu.out float64 approximate=foo"] = outcome(
        lambda: ops.gelu(empty(2, 3), approximate="foo", out=empty(2, 3, dtype=torch.float64)))
    results["gelu_backward int64 and bool approximate=foo"] = outcome(
        lambda: ops.gelu_backward(empty(2, 3, dtype=torch.int64), empty(2, 3, dtype=torch.bool),
                                  approximate="foo"))
    return results


if __name__ == "__main__":  # the library alone: python fake_parity_cases.py LIBRARY
    torch.ops.load_library(sys.argv[1])
    print(json.dumps(run("meta")))
