#include "kernels/dispatch_dtype.h"

namespace activations::kernels {

Dtype kernel_dtype(c10::ScalarType dtype) {
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
      TORCH_CHECK(false, "activations: no kernel for dtype ", dtype);
  }
}

}  // namespace activations::kernels
