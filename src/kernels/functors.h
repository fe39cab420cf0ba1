// Elementwise math of the four activations: one small functor per activation and direction.
// Each takes and returns the compute type (float for float16/bfloat16, the tensor's own type
// otherwise); the elementwise driver does the loads, stores and conversions.
#pragma once

#include <cmath>
#include <type_traits>

namespace activations::kernels {

// n / d with d = a + b not rounded: the rounding error of the sum is recovered exactly
// (Fast2Sum, |a| >= |b|) and folded into the quotient, which leaves one rounding of the
// division and the error of b.
inline double divide_by_sum(double n, double a, double b) {
  const double d = a + b;
  const double d_error = (a - d) + b;
  const double q = n / d;
  return q - q * (d_error / d);
}

// Eq. 3-113, written so that exp never overflows: for x < 0, 1/(1+e^-x) = e^x/(1+e^x).
inline double stable_sigmoid(double x) {
  if (x >= 0.0) return divide_by_sum(1.0, 1.0, std::exp(-x));
  const double e = std::exp(x);
  return divide_by_sum(e, 1.0, e);
}

// Eq. 3-115 for a = |x|: (1 - e^-2a)/(1 + e^-2a). Near zero it goes through expm1, which keeps
// tanh(1e-8) == 1e-8; further out 1 - 2/(e^2a + 1) has no cancellation and saturates to 1.
inline double stable_tanh_of_abs(double a) {
  if (a < 0.55) {
    const double t = std::expm1(-2.0 * a);
    return divide_by_sum(-t, 2.0, t);
  }
  const double e = std::exp(2.0 * a);
  if (std::isinf(e)) return 1.0;
  return 1.0 - divide_by_sum(2.0, e, 1.0);
}

struct SigmoidForward {
  // float goes through double so it is rounded once: within 0.5 ULP, tiny tail included.
  float operator()(float x) const { return static_cast<float>(stable_sigmoid(x)); }
  double operator()(double x) const { return stable_sigmoid(x); }
};

struct TanhForward {
  // copysign makes tanh exactly odd and passes NaN through.
  float operator()(float x) const {
    return std::copysign(static_cast<float>(stable_tanh_of_abs(std::fabs(double{x}))), x);
  }
  double operator()(double x) const { return std::copysign(stable_tanh_of_abs(std::fabs(x)), x); }
};

struct ReluForward {
  // Keeps -0.0 and NaN as they are and maps -inf to +0, exactly as torch::relu (clamp_min).
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(0) : x;
  }
};

// The slope in the precision torch uses: float for float32, float16 and bfloat16 tensors,
// double for float64 ones.
class NegativeSlope {
 public:
  explicit NegativeSlope(double value) : double_(value), float_(static_cast<float>(value)) {}
  template <typename T>
  T as() const {
    if constexpr (std::is_same_v<T, double>) return double_;
    return float_;
  }

 private:
  double double_;
  float float_;
};

struct LeakyReluForward {
  NegativeSlope slope;
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? x : x * slope.as<T>();
  }
};

// Backward functors take (grad_output, saved) and keep torch's order of operations, so that for
// the same inputs they give the same bits as ATen's own backward kernels.

// Eq. 3-114 from the output y: g * y * (1 - y).
struct SigmoidBackward {
  template <typename T>
  T operator()(T grad, T y) const {
    return grad * (T(1) - y) * y;
  }
};

// Eq. 3-116 from the output y: g * (1 - y^2), with 1 - y^2 rounded once (fused), as ATen's
// kernels compute it.
struct TanhBackward {
  template <typename T>
  T operator()(T grad, T y) const {
    return grad * std::fma(-y, y, T(1));
  }
};

// Eq. 3-118 from the output y. Written as torch's threshold_backward (y <= 0 ? 0 : g), so a NaN
// output passes the gradient on as torch does.
struct ReluBackward {
  template <typename T>
  T operator()(T grad, T y) const {
    return y <= T(0) ? T(0) : grad;
  }
};

// Eq. 3-120 with the erratum: the slope for x <= 0 is +gamma. `x` is the forward input, or the
// output of an in-place forward with a non-negative slope (same sign, so the same mask).
struct LeakyReluBackward {
  NegativeSlope slope;
  template <typename T>
  T operator()(T grad, T x) const {
    return x > T(0) ? grad : grad * slope.as<T>();
  }
};

}  // namespace activations::kernels
