// The math of every activations:: operator as one small functor per activation and direction,
// for the CUDA kernels (src/ops/cuda/) and the host build that proves them
// (tests/accuracy/portable_math_accuracy.cpp). Each maps one element of the storage type;
// loads, stores and the layout are the driver's.
//
// Sigmoid and tanh forward: float32 from the slot tables (bit for bit the CPU's AVX-512
// kernels), float64 compensated, float16 and bfloat16 from a float32 exp with each step rounded
// once (exp_sigmoid_tanh.h says why each). Functors whose kUsesSlotTables<T> is true take the
// tables as a second argument: the driver keeps them in shared memory. kComputeBound<T> marks
// the functors whose arithmetic per byte outlasts a tile's loads (the 16-bit sigmoid and tanh,
// measured on an H200): the driver keeps the next tile's loads in flight while they compute.
#pragma once

#if defined(__CUDACC__)
// Before c10's 16-bit types: with CUDA_VERSION set, BFloat16 converts with the device's
// instruction instead of integer rounding.
#include <cuda.h>
#include <cuda_bf16.h>
#endif
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <type_traits>

#include "kernels/portable/exp_sigmoid_tanh.h"
#include "kernels/portable/gelu_float64.h"
#include "kernels/portable/slot_sigmoid_tanh.h"

namespace activations::kernels::portable {

template <typename T>
constexpr bool kIs16Bit = std::is_same_v<T, c10::Half> || std::is_same_v<T, c10::BFloat16>;

// The precision torch computes in: float for float/half/bfloat16, double for double.
template <typename T>
using ComputeType = std::conditional_t<std::is_same_v<T, double>, double, float>;

// What the driver asks of a functor (see above): nothing, for most.
struct PlainFunctor {
  template <typename T>
  static constexpr bool kUsesSlotTables = false;
  template <typename T>
  static constexpr bool kComputeBound = false;
};

// Sigmoid and tanh forward: float32 from the slot tables, the 16-bit types compute-bound.
struct SmoothForward {
  template <typename T>
  static constexpr bool kUsesSlotTables = std::is_same_v<T, float>;
  template <typename T>
  static constexpr bool kComputeBound = kIs16Bit<T>;
};

// Eq. 3-113.
struct SigmoidForward : SmoothForward {
  ACTIVATIONS_HOST_DEVICE float operator()(float x, const SlotTables& tables) const {
    return slot_sigmoid(x, tables);
  }
  ACTIVATIONS_HOST_DEVICE double operator()(double x) const { return sigmoid_float64(x); }
  template <typename T, typename = std::enable_if_t<kIs16Bit<T>>>
  ACTIVATIONS_HOST_DEVICE T operator()(T x) const {
    return static_cast<T>(sigmoid_for_16_bit(static_cast<float>(x)));
  }
};

// Eq. 3-115.
struct TanhForward : SmoothForward {
  ACTIVATIONS_HOST_DEVICE float operator()(float x, const SlotTables& tables) const {
    return slot_tanh(x, tables);
  }
  ACTIVATIONS_HOST_DEVICE double operator()(double x) const { return tanh_float64(x); }
  template <typename T, typename = std::enable_if_t<kIs16Bit<T>>>
  ACTIVATIONS_HOST_DEVICE T operator()(T x) const {
    constexpr int kBits = std::is_same_v<T, c10::Half> ? 11 : 8;
    return static_cast<T>(tanh_for_16_bit<kBits>(static_cast<float>(x)));
  }
};

// Eq. 3-117 as torch's CUDA kernel computes it: x <= 0 gives +0 (-0.0 too, where torch's CPU
// kernel keeps -0.0), a NaN stays NaN.
struct ReluForward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < T(0) ? T(0) : x;
    } else {
      return static_cast<ComputeType<T>>(x) <= 0 ? T(0) : x;
    }
  }
};

// Eq. 3-119.
struct LeakyReluForward : PlainFunctor {
  ACTIVATIONS_HOST_DEVICE explicit LeakyReluForward(double negative_slope)
      : slope(negative_slope) {}
  double slope;
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T x) const {
    using S = ComputeType<T>;
    const S v = static_cast<S>(x);
    return static_cast<T>(v > S(0) ? v : mul(v, static_cast<S>(slope)));
  }
};

// Backward, from (grad_output, saved): torch's formulas in the precision torch computes them
// (float for the 16-bit types), so the bits are torch's.

// Eq. 3-114 from the output: g (1 - y) y.
struct SigmoidBackward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T g, T y) const {
    using S = ComputeType<T>;
    const S v = static_cast<S>(y);
    return static_cast<T>(mul(mul(static_cast<S>(g), sub(S(1), v)), v));
  }
};

// Eq. 3-116 from the output: g (1 - y^2), 1 - y^2 fused as in torch's kernel.
struct TanhBackward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T g, T y) const {
    using S = ComputeType<T>;
    const S v = static_cast<S>(y);
    return static_cast<T>(mul(static_cast<S>(g), fma(-v, v, S(1))));
  }
};

// Eq. 3-118 from the output, as torch's threshold_backward: y <= 0 ? 0 : g.
struct ReluBackward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T g, T y) const {
    using S = ComputeType<T>;
    return static_cast<S>(y) <= S(0) ? T(0) : g;
  }
};

// Eq. 3-120 with the erratum (+gamma for x <= 0): x > 0 ? g : g * slope.
struct LeakyReluBackward : PlainFunctor {
  ACTIVATIONS_HOST_DEVICE explicit LeakyReluBackward(double negative_slope)
      : slope(negative_slope) {}
  double slope;
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T g, T x) const {
    using S = ComputeType<T>;
    return static_cast<S>(x) > S(0) ? g
                                    : static_cast<T>(mul(static_cast<S>(g), static_cast<S>(slope)));
  }
};

// SiLU, x sigmoid(x), in double for every dtype (as the CPU's kernels compute it): the float
// result is rounded once from a value within 2^-50 of exact. -inf gives -0 (x clamped to
// -1e300 where the sigmoid rounds to 0), +inf gives +inf.
// Below -700, (x m) m with m = sigmoid(x / 2), so that a subnormal result is rounded once (as
// the CPU's WithDoubleTail).
ACTIVATIONS_HOST_DEVICE double silu_float64(double x) {
  const double clamped = at_least(-1e300, x);
  if (x < -700.0) {
    const double m = sigmoid_float64(mul(x, 0.5));
    return mul(mul(clamped, m), m);
  }
  return mul(clamped, sigmoid_float64(x));
}

// SiLU's derivative: s (1 + x (1 - s)), 1 - s = sigmoid(-x) evaluated, not subtracted.
ACTIVATIONS_HOST_DEVICE double silu_derivative_float64(double x) {
  const double clamped = at_most(1e300, at_least(-1e300, x));
  const double sum = fma(clamped, sigmoid_float64(-x), 1.0);
  if (x < -700.0) {
    const double m = sigmoid_float64(mul(x, 0.5));
    return mul(mul(sum, m), m);
  }
  return mul(sigmoid_float64(x), sum);
}

// The activations computed in double for every dtype: Math::value(x) and Math::derivative(x).
struct SiluMath {
  ACTIVATIONS_HOST_DEVICE static double value(double x) { return silu_float64(x); }
  ACTIVATIONS_HOST_DEVICE static double derivative(double x) { return silu_derivative_float64(x); }
};
struct GeluMath {
  ACTIVATIONS_HOST_DEVICE static double value(double x) { return gelu_float64(x); }
  ACTIVATIONS_HOST_DEVICE static double derivative(double x) { return gelu_derivative_float64(x); }
};
struct GeluTanhMath {
  ACTIVATIONS_HOST_DEVICE static double value(double x) { return gelu_tanh_float64(x); }
  ACTIVATIONS_HOST_DEVICE static double derivative(double x) {
    return gelu_tanh_derivative_float64(x);
  }
};

// float16 and bfloat16 through a float rounded to odd, so that they are correctly rounded.
template <class Math>
struct InDoubleForward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T x) const {
    const double result = Math::value(static_cast<double>(x));
    if constexpr (kIs16Bit<T>) return static_cast<T>(round_to_odd_float(result));
    return static_cast<T>(result);
  }
};

// g * f'(x), the product in the compute type, as the CPU's kernels.
template <class Math>
struct InDoubleBackward : PlainFunctor {
  template <typename T>
  ACTIVATIONS_HOST_DEVICE T operator()(T g, T x) const {
    using S = ComputeType<T>;
    const S derivative = static_cast<S>(Math::derivative(static_cast<double>(x)));
    return static_cast<T>(mul(static_cast<S>(g), derivative));
  }
};

using SiluForward = InDoubleForward<SiluMath>;
using SiluBackward = InDoubleBackward<SiluMath>;
using GeluForward = InDoubleForward<GeluMath>;
using GeluBackward = InDoubleBackward<GeluMath>;
using GeluTanhForward = InDoubleForward<GeluTanhMath>;
using GeluTanhBackward = InDoubleBackward<GeluTanhMath>;

}  // namespace activations::kernels::portable
