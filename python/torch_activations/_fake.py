"""Fake (meta) kernels of the ``activations`` operators for torch.compile and torch.export,
written with symbolic sizes so that ``dynamic=True`` does not specialise on each shape: the C++
Meta kernels read concrete sizes. They give what the C++ kernels give (dtype, sizes, strides as
TensorIterator lays them out) and refuse what they refuse, and are registered in place of the C++
Meta kernels where this torch allows it (``_compat.fake_registration``)."""
from __future__ import annotations

from typing import Optional, Sequence

import torch

from . import _compat

FLOATING = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
INTEGRAL = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)

# How each activation treats an input's dtype (src/ops/activation_traits.h): integral inputs
# give the default float dtype, stay integral, or are refused.
INTEGRAL_INPUTS = {"sigmoid": "float result", "tanh": "float result", "relu": "kept",
                   "leaky_relu": "refused", "silu": "refused", "gelu": "refused"}
OUT_MAY_CAST = {"sigmoid": True, "tanh": True, "relu": False, "leaky_relu": False, "silu": False,
                "gelu": False}
BACKWARD_LAYOUT_FROM_SAVED = {"sigmoid": False, "tanh": False, "relu": True, "leaky_relu": True,
                              "silu": False, "gelu": False}
APPROXIMATIONS = ("none", "tanh")  # GELU's


def _check(condition: bool, op: str, message: str) -> None:
    if not condition:
        raise RuntimeError(f"activations::{op}: {message}")


# dtypes as the C++ kernels' messages print them (c10's names), so that both say the same
_C10_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
              "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
              "bool": "Bool", "complex32": "ComplexHalf", "complex64": "ComplexFloat",
              "complex128": "ComplexDouble"}


def c10_name(dtype: torch.dtype) -> str:
    name = str(dtype).replace("torch.", "")
    if name in _C10_NAMES:
        return _C10_NAMES[name]
    return "UInt" + name[4:] if name.startswith("uint") else name[0].upper() + name[1:]


def result_dtype(op: str, name: str, x: torch.Tensor) -> torch.dtype:
    dtype = x.dtype
    _check(not dtype.is_complex, op, f"complex tensors are not supported (got {c10_name(dtype)})")
    if dtype in FLOATING:
        return dtype
    _check(dtype in INTEGRAL or dtype == torch.bool, op,
           f"{c10_name(dtype)} tensors are not supported; it takes float, double, half, "
           "bfloat16, integer and bool tensors")
    rule = INTEGRAL_INPUTS[name]
    if rule == "float result":
        return torch.get_default_dtype()
    _check(rule == "kept", op,
           f"{c10_name(dtype)} inputs are not supported; it takes floating-point tensors")
    _check(dtype != torch.bool, op, "Boolean inputs are not supported")
    return dtype


def check_no_internal_overlap(op: str, written: torch.Tensor) -> None:
    _check(torch._debug_has_internal_overlap(written) != 1, op,
           "unsupported operation: more than one element of the written-to tensor refers to a "
           "single memory location. Please clone() the tensor before performing the operation.")


def partly_overlap(a: torch.Tensor, b: torch.Tensor) -> bool:
    """As ATen's get_overlap_status(a, b) == Partial: dense tensors over one storage whose byte
    ranges meet without being the same."""
    if a.numel() == 0 or b.numel() == 0 or not torch._C._is_alias_of(a, b):
        return False
    dense = _compat.is_non_overlapping_and_dense
    if not (dense(a) and dense(b)):
        return False
    a_start, b_start = a.storage_offset() * a.element_size(), b.storage_offset() * b.element_size()
    a_end, b_end = a_start + a.numel() * a.element_size(), b_start + b.numel() * b.element_size()
    return (a_start, a_end) != (b_start, b_end) and a_start < b_end and b_start < a_end


def check_slope(op: str, negative_slope: float) -> None:
    _check(negative_slope == negative_slope and abs(negative_slope) != float("inf"), op,
           f"negative_slope must be finite, got {negative_slope}")


def check_approximate(op: str, approximate: str) -> None:
    _check(approximate in APPROXIMATIONS, op,
           f"approximate must be 'none' or 'tanh', got '{approximate}'")


def check_extra(op: str, negative_slope: Optional[float], approximate: Optional[str]) -> None:
    """The checks of an operator's extra argument, LeakyReLU's slope or GELU's approximation,
    where the C++ kernels make them: after the input's dtype, before anything else."""
    if negative_slope is not None:
        check_slope(op, negative_slope)
    if approximate is not None:
        check_approximate(op, approximate)


def elementwise_like(tensors: Sequence[torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
    """A new tensor laid out as TensorIterator lays out the result of an elementwise op."""
    from torch._prims_common import compute_elementwise_output_strides

    strides = compute_elementwise_output_strides(*tensors)
    return torch.empty_strided(tensors[0].shape, strides, dtype=dtype, device=tensors[0].device)


def forward(name: str, x: torch.Tensor, negative_slope: Optional[float] = None,
            approximate: Optional[str] = None) -> torch.Tensor:
    dtype = result_dtype(name, name, x)
    check_extra(name, negative_slope, approximate)
    return elementwise_like([x], dtype)


def forward_(name: str, x: torch.Tensor, negative_slope: Optional[float] = None,
             approximate: Optional[str] = None) -> None:
    op = name + "_"
    dtype = result_dtype(op, name, x)
    _check(dtype == x.dtype, op, f"result type {c10_name(dtype)} can't be cast to the desired "
           f"output type {c10_name(x.dtype)}")
    check_extra(op, negative_slope, approximate)
    check_no_internal_overlap(op, x)


def forward_out(name: str, x: torch.Tensor, out: torch.Tensor,
                negative_slope: Optional[float] = None, approximate: Optional[str] = None) -> None:
    op = name + ".out"
    dtype = result_dtype(op, name, x)
    check_extra(op, negative_slope, approximate)
    _check(out.device == x.device, op, f"expected out on {x.device} but got {out.device}")
    if OUT_MAY_CAST[name]:
        _check(torch.can_cast(dtype, out.dtype), op, f"result type {c10_name(dtype)} can't be "
               f"cast to the desired output type {c10_name(out.dtype)}")
    else:
        _check(dtype == out.dtype, op, f"expected out to have dtype {c10_name(dtype)} but got "
               f"{c10_name(out.dtype)}")
    check_no_internal_overlap(op, out)
    _check(not partly_overlap(out, x), op,
           "unsupported operation: some elements of the input tensor and the written-to tensor "
           "refer to a single memory location. Please clone() the tensor before performing the "
           "operation.")
    if out.shape != x.shape:  # as the C++ resize_out: torch's resize, then the result's layout
        from torch._prims_common import compute_elementwise_output_strides

        out.resize_(x.shape)
        out.as_strided_(x.shape, compute_elementwise_output_strides(x))


def backward(name: str, grad_output: torch.Tensor, saved: torch.Tensor,
             approximate: Optional[str] = None) -> torch.Tensor:
    op = name + "_backward"
    result_dtype(op, "sigmoid", grad_output)
    result_dtype(op, "sigmoid", saved)
    dtype = torch.promote_types(grad_output.dtype, saved.dtype)
    _check(dtype in FLOATING, op, "expected float, double, half or bfloat16 tensors, got "
           f"{c10_name(grad_output.dtype)} and {c10_name(saved.dtype)}")
    check_extra(op, None, approximate)
    shape = torch.broadcast_shapes(grad_output.shape, saved.shape)
    grad, values = grad_output.expand(shape), saved.expand(shape)
    return elementwise_like([values, grad] if BACKWARD_LAYOUT_FROM_SAVED[name] else [grad, values],
                            dtype)


def register() -> bool:
    """Registers every fake kernel; False where this torch cannot (the C++ Meta kernels serve)."""
    register_fake = _compat.fake_registration()
    if register_fake is None:
        return False
    # silu_backward takes the forward input where the others take the output; its fake kernel
    # is the same, as only dtypes and layouts matter here.
    for name in ("sigmoid", "tanh", "relu", "silu"):
        register_fake(f"activations::{name}", lambda x, name=name: forward(name, x))
        register_fake(f"activations::{name}_", lambda x, name=name: forward_(name, x))
        register_fake(f"activations::{name}.out",
                      lambda x, *, out, name=name: forward_out(name, x, out))
        register_fake(f"activations::{name}_backward",
                      lambda g, y, name=name: backward(name, g, y))
    register_fake("activations::leaky_relu",
                  lambda x, negative_slope=0.2: forward("leaky_relu", x, negative_slope))
    register_fake("activations::leaky_relu_",
                  lambda x, negative_slope=0.2: forward_("leaky_relu", x, negative_slope))
    register_fake("activations::leaky_relu.out",
                  lambda x, negative_slope=0.2, *, out: forward_out("leaky_relu", x, out,
                                                                    negative_slope))
    register_fake("activations::leaky_relu_backward", leaky_relu_backward)
    # gelu_backward takes the forward input, as silu_backward does.
    register_fake("activations::gelu",
                  lambda x, *, approximate="none": forward("gelu", x, approximate=approximate))
    register_fake("activations::gelu_",
                  lambda x, *, approximate="none": forward_("gelu", x, approximate=approximate))
    register_fake("activations::gelu.out",
                  lambda x, *, approximate="none", out: forward_out("gelu", x, out,
                                                                    approximate=approximate))
    register_fake("activations::gelu_backward",
                  lambda g, x, *, approximate="none": backward("gelu", g, x, approximate))
    return True


def leaky_relu_backward(grad_output: torch.Tensor, saved: torch.Tensor, negative_slope: float,
                        self_is_result: bool) -> torch.Tensor:
    op = "leaky_relu_backward"
    _check(not self_is_result or negative_slope >= 0, op,
           "in-place leaky_relu backward with a negative slope is not supported; use the "
           "out-of-place leaky_relu")
    result = backward("leaky_relu", grad_output, saved)
    check_slope(op, negative_slope)
    return result
