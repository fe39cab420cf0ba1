// Dtype dispatch: calls body(scalar_t{}) with the C++ type of a tensor's dtype.
#pragma once

#include <c10/core/ScalarType.h>
#include <c10/util/Exception.h>

#include <string_view>

namespace activations::kernels {

// The dtypes a kernel is instantiated for.
enum class KernelDtypes {
  kFloating,            // float, double, float16, bfloat16
  kFloatingAndIntegral  // the above and int8/16/32/64, uint8
};

template <KernelDtypes kDtypes, typename Body>
void dispatch_dtype(c10::ScalarType dtype, std::string_view op, const Body& body) {
  switch (dtype) {
    case c10::kFloat:
      return body(float{});
    case c10::kDouble:
      return body(double{});
    case c10::kHalf:
      return body(c10::Half{});
    case c10::kBFloat16:
      return body(c10::BFloat16{});
    default:
      break;
  }
  if constexpr (kDtypes == KernelDtypes::kFloatingAndIntegral) {
    switch (dtype) {
      case c10::kByte:
        return body(uint8_t{});
      case c10::kChar:
        return body(int8_t{});
      case c10::kShort:
        return body(int16_t{});
      case c10::kInt:
        return body(int32_t{});
      case c10::kLong:
        return body(int64_t{});
      default:
        break;
    }
  }
  TORCH_CHECK(false, "activations::", op, ": no kernel for dtype ", dtype);
}

}  // namespace activations::kernels
