// What distinguishes one activation from another at the operator level: its name, which
// dtypes it takes, its math functors and its extra arguments. Everything else (validation,
// allocation, in-place and out= handling, the loop) is shared.
#pragma once

#include <c10/util/Exception.h>

#include <cmath>
#include <string_view>

#include "kernels/dispatch.h"
#include "kernels/functors.h"

namespace activations::ops {

// How an activation treats its input's dtype, as torch does for the same op.
enum class InputDtypes {
  kFloatResult,    // floating kept; integral and bool computed in the default float dtype
  kNumericNoBool,  // floating and integral kept; bool refused
  kFloatingOnly,   // floating kept; integral and bool refused
};

struct NoExtraArguments {
  static void check_arguments(std::string_view /*op*/) {}
};

struct SigmoidTraits : NoExtraArguments {
  static constexpr std::string_view kName = "sigmoid";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatResult;
  static constexpr kernels::KernelDtypes kKernelDtypes = kernels::KernelDtypes::kFloating;
  static constexpr bool kOutMayCast = true;  // torch's unary float ops cast into out=
  static kernels::SigmoidForward forward() { return {}; }
  static kernels::SigmoidBackward backward() { return {}; }
};

struct TanhTraits : NoExtraArguments {
  static constexpr std::string_view kName = "tanh";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatResult;
  static constexpr kernels::KernelDtypes kKernelDtypes = kernels::KernelDtypes::kFloating;
  static constexpr bool kOutMayCast = true;
  static kernels::TanhForward forward() { return {}; }
  static kernels::TanhBackward backward() { return {}; }
};

struct ReluTraits : NoExtraArguments {
  static constexpr std::string_view kName = "relu";
  static constexpr InputDtypes kInputs = InputDtypes::kNumericNoBool;
  static constexpr kernels::KernelDtypes kKernelDtypes =
      kernels::KernelDtypes::kFloatingAndIntegral;
  static constexpr bool kOutMayCast = false;  // torch's clamp_min needs out= of the same dtype
  static kernels::ReluForward forward() { return {}; }
  static kernels::ReluBackward backward() { return {}; }
};

struct LeakyReluTraits {
  static constexpr std::string_view kName = "leaky_relu";
  static constexpr InputDtypes kInputs = InputDtypes::kFloatingOnly;
  static constexpr kernels::KernelDtypes kKernelDtypes = kernels::KernelDtypes::kFloating;
  static constexpr bool kOutMayCast = false;
  static void check_arguments(std::string_view op, double negative_slope) {
    TORCH_CHECK(std::isfinite(negative_slope), "activations::", op,
                ": negative_slope must be finite, got ", negative_slope);
  }
  static kernels::LeakyReluForward forward(double negative_slope) {
    return {kernels::NegativeSlope(negative_slope)};
  }
  static kernels::LeakyReluBackward backward(double negative_slope) {
    return {kernels::NegativeSlope(negative_slope)};
  }
};

}  // namespace activations::ops
