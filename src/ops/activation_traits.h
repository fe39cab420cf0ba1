// What distinguishes one activation from another at the operator level: its name, which
// dtypes it takes, its kernel (whose math functors live in src/kernels/simd/) and its extra
// arguments. Everything else (validation,
// allocation, in-place and out= handling, the loop) is shared.
#pragma once

#include <c10/util/Exception.h>

#include <c10/util/string_view.h>

#include <cmath>
#include <string_view>

#include "kernels/kernel_spec.h"

namespace activations::ops {

// How an activation treats its input's dtype, as torch does for the same op.
enum class InputDtypes {
  kFloatResult,    // floating kept; integral and bool computed in the default float dtype
  kNumericNoBool,  // floating and integral kept; bool refused
  kFloatingOnly,   // floating kept; integral and bool refused
};

struct NoExtraArguments {
  template <class Name>
  static void check_arguments(const Name& /*op*/) {}
};

struct SigmoidTraits : NoExtraArguments {
  static constexpr std::string_view kName = "sigmoid";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatResult;
  static constexpr bool kOutMayCast = true;  // torch's unary float ops cast into out=
  // Which backward input TensorIterator lays the gradient out after: ATen's sigmoid_backward
  // and tanh_backward take (grad_output, output), threshold_backward and leaky_relu_backward
  // (self, grad_output).
  static constexpr bool kBackwardLayoutFromSaved = false;
  static kernels::KernelSpec kernel(kernels::Direction direction) {
    return {kernels::Activation::kSigmoid, direction};
  }
};

struct TanhTraits : NoExtraArguments {
  static constexpr std::string_view kName = "tanh";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatResult;
  static constexpr bool kOutMayCast = true;
  static constexpr bool kBackwardLayoutFromSaved = false;
  static kernels::KernelSpec kernel(kernels::Direction direction) {
    return {kernels::Activation::kTanh, direction};
  }
};

struct ReluTraits : NoExtraArguments {
  static constexpr std::string_view kName = "relu";
  static constexpr InputDtypes kInputs = InputDtypes::kNumericNoBool;
  static constexpr bool kOutMayCast = false;  // torch's clamp_min needs out= of the same dtype
  static constexpr bool kBackwardLayoutFromSaved = true;
  static kernels::KernelSpec kernel(kernels::Direction direction) {
    return {kernels::Activation::kRelu, direction};
  }
};

struct LeakyReluTraits {
  static constexpr std::string_view kName = "leaky_relu";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatingOnly;
  static constexpr bool kOutMayCast = false;
  static constexpr bool kBackwardLayoutFromSaved = true;
  template <class Name>
  static void check_arguments(const Name& op, double negative_slope) {
    TORCH_CHECK(std::isfinite(negative_slope), "activations::", op,
                ": negative_slope must be finite, got ", negative_slope);
  }
  static kernels::KernelSpec kernel(kernels::Direction direction, double negative_slope) {
    return {kernels::Activation::kLeakyRelu, direction, negative_slope};
  }
};

struct SiluTraits : NoExtraArguments {
  static constexpr std::string_view kName = "silu";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatingOnly;
  static constexpr bool kOutMayCast = false;  // torch's silu needs out= of the same dtype
  static constexpr bool kBackwardLayoutFromSaved = false;  // silu_backward(grad_output, self)
  static kernels::KernelSpec kernel(kernels::Direction direction) {
    return {kernels::Activation::kSilu, direction};
  }
};

// GELU's `approximate` selects the kernel: "none" (the erf form) or "tanh", as torch's gelu.
struct GeluTraits {
  static constexpr std::string_view kName = "gelu";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatingOnly;
  static constexpr bool kOutMayCast = false;  // torch's gelu needs out= of the same dtype
  static constexpr bool kBackwardLayoutFromSaved = false;  // gelu_backward(grad_output, self)
  template <class Name>
  static void check_arguments(const Name& op, c10::string_view approximate) {
    TORCH_CHECK(approximate == "none" || approximate == "tanh", "activations::", op,
                ": approximate must be 'none' or 'tanh', got '", approximate, "'");
  }
  static kernels::KernelSpec kernel(kernels::Direction direction, c10::string_view approximate) {
    return {approximate == "tanh" ? kernels::Activation::kGeluTanh : kernels::Activation::kGelu,
            direction};
  }
};

}  // namespace activations::ops
