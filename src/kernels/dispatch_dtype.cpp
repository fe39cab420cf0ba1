#include "kernels/dispatch_dtype.h"

namespace activations::kernels {

std::optional<Dtype> find_kernel_dtype(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kFloat:
      return Dtype::kFloat32;
    case c10::kDouble:
      return Dtype::kFloat64;
    case c10::kHalf:
      return Dtype::kFloat16;
    case c10::kBFloat16:
      return Dtype::kBFloat16;
    case c10::kByte:
      return Dtype::kUInt8;
    case c10::kChar:
      return Dtype::kInt8;
    case c10::kShort:
      return Dtype::kInt16;
    case c10::kInt:
      return Dtype::kInt32;
    case c10::kLong:
      return Dtype::kInt64;
    default:
      return std::nullopt;
  }
}

Dtype kernel_dtype(c10::ScalarType dtype) {
  const std::optional<Dtype> found = find_kernel_dtype(dtype);
  TORCH_CHECK(found.has_value(), "activations: no kernel for dtype ", dtype);
  return *found;
}

}  // namespace activations::kernels
