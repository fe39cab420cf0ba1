#include "ops/checks.h"

#include <ATen/MemoryOverlap.h>
#include <ATen/native/Resize.h>
#include <c10/core/DefaultDtype.h>

#include "kernels/dispatch_dtype.h"
#include "kernels/layout.h"

namespace activations::ops {
bool is_kernel_floating_type(c10::ScalarType dtype) {
  const std::optional<kernels::Dtype> kernel = kernels::find_kernel_dtype(dtype);
  return kernel.has_value() && kernels::is_floating(*kernel);
}

c10::ScalarType result_dtype(const OpName& op, InputDtypes rule, const at::Tensor& self) {
  const c10::ScalarType dtype = self.scalar_type();
  TORCH_CHECK(!c10::isComplexType(dtype), "activations::", op,
              ": complex tensors are not supported (got ", dtype, ")");
  TORCH_CHECK(!c10::isQIntType(dtype), "activations::", op,
              ": quantized tensors are not supported (got ", dtype, ")");
  if (is_kernel_floating_type(dtype)) return dtype;
  // Newer torches add dtypes (float8, unsigned 16 to 64 bit, ...) that no kernel here takes.
  // Bool has no kernel of its own: it is converted, or refused below.
  TORCH_CHECK(kernels::find_kernel_dtype(dtype).has_value() || dtype == c10::kBool,
              "activations::", op, ": ", dtype,
              " tensors are not supported; it takes float, double, half, bfloat16, "
              "integer and bool tensors");
  switch (rule) {
    case InputDtypes::kFloatResult:
      return c10::typeMetaToScalarType(c10::get_default_dtype());
    case InputDtypes::kNumericNoBool:
      TORCH_CHECK(dtype != c10::kBool, "activations::", op, ": Boolean inputs are not supported");
      return dtype;
    case InputDtypes::kFloatingOnly:
      break;
  }
  TORCH_CHECK(false, "activations::", op, ": ", dtype,
              " inputs are not supported; it takes floating-point tensors");
}

void check_inplace_dtype(const OpName& op, c10::ScalarType result, const at::Tensor& self) {
  TORCH_CHECK(result == self.scalar_type(), "activations::", op, ": result type ", result,
              " can't be cast to the desired output type ", self.scalar_type());
}

void check_out_dtype(const OpName& op, c10::ScalarType result, bool may_cast,
                     const at::Tensor& out) {
  if (may_cast) {
    TORCH_CHECK(c10::canCast(result, out.scalar_type()), "activations::", op, ": result type ",
                result, " can't be cast to the desired output type ", out.scalar_type());
  } else {
    TORCH_CHECK(result == out.scalar_type(), "activations::", op, ": expected out to have dtype ",
                result, " but got ", out.scalar_type());
  }
}

void check_no_internal_overlap(const OpName& op, const at::Tensor& written) {
  TORCH_CHECK(at::has_internal_overlap(written) != at::MemOverlap::Yes, "activations::", op,
              ": unsupported operation: more than one element of the written-to tensor refers to "
              "a single memory location. Please clone() the tensor before performing the "
              "operation.");
}

void check_no_partial_overlap(const OpName& op, const at::Tensor& written, const at::Tensor& read) {
  TORCH_CHECK(at::get_overlap_status(written, read) != at::MemOverlapStatus::Partial,
              "activations::", op,
              ": unsupported operation: some elements of the input tensor and the written-to "
              "tensor refer to a single memory location. Please clone() the tensor before "
              "performing the operation.");
}

void resize_out(const at::Tensor& out, kernels::TensorRefList inputs) {
  const auto sizes = inputs[0].get().sizes();
  if (at::native::resize_output(out, sizes)) {
    out.as_strided_(sizes, kernels::elementwise_strides(inputs));
  }
}

}  // namespace activations::ops
