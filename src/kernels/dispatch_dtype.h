// Dtype dispatch shared by the CPU (Highway) and CUDA kernels: calls body(T{}) with the element
// type of `dtype`, the 16-bit floating types being each side's own (hwy:: or c10::).
#pragma once

#include <c10/core/ScalarType.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <optional>

#include "kernels/kernel_spec.h"

namespace activations::kernels {

// The kernel dtype of a tensor's scalar type, if a kernel computes in it.
std::optional<Dtype> find_kernel_dtype(c10::ScalarType dtype);

// The kernel dtype of a tensor's scalar type; an error for others.
Dtype kernel_dtype(c10::ScalarType dtype);

inline bool is_floating(Dtype dtype) {
  return dtype == Dtype::kFloat32 || dtype == Dtype::kFloat64 || dtype == Dtype::kFloat16 ||
         dtype == Dtype::kBFloat16;
}

// kIntegral: integer dtypes are dispatched too (ReLU forward); otherwise they are an error.
template <typename Float16, typename BFloat16, bool kIntegral, typename Body>
void dispatch_dtype(Dtype dtype, const Body& body) {
  switch (dtype) {
    case Dtype::kFloat32:
      return body(float{});
    case Dtype::kFloat64:
      return body(double{});
    case Dtype::kFloat16:
      return body(Float16{});
    case Dtype::kBFloat16:
      return body(BFloat16{});
    default:
      break;
  }
  if constexpr (kIntegral) {
    switch (dtype) {
      case Dtype::kUInt8:
        return body(uint8_t{});
      case Dtype::kInt8:
        return body(int8_t{});
      case Dtype::kInt16:
        return body(int16_t{});
      case Dtype::kInt32:
        return body(int32_t{});
      case Dtype::kInt64:
        return body(int64_t{});
      default:
        break;
    }
  }
  TORCH_CHECK(false, "activations: no kernel for dtype ", static_cast<int>(dtype));
}

}  // namespace activations::kernels
