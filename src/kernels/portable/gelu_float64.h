// GELU in both of torch's forms, and their derivatives, in double for the host and a CUDA device:
// the CPU's kernels and the CUDA kernels compute every dtype from these, and the float result
// is rounded once from a value within a few 2^-53 of exact.
// - erf form: x Phi(x), Phi(x) = erfc(-x / sqrt2) / 2 from our erfc (gelu_constants.h), never
//   1 + erf(x / sqrt2), which cancels below x = -5.
// - tanh form: x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3), never 1 + tanh(v / 2), which
//   cancels too; v is carried as hi + lo, its error scaled by |v| would reach 2e-13 at v = -745.
// Tiny results are rounded once: (f m) m with m the square root of the vanishing factor, both
// products normal but the last.
#pragma once

#include "kernels/gelu_constants.h"
#include "kernels/portable/exp_sigmoid_tanh.h"

namespace activations::kernels::portable {

// e^y for y in [-700, 700]: our exp, with r's rounding error folded in.
ACTIVATIONS_HOST_DEVICE double exp_float64(double y) {
  const auto reduced = reduce_exp(y);
  const double exp_r = fma(fma(reduced.q, reduced.r, 1.0), reduced.r, 1.0);
  return mul(fma(reduced.r_lo, exp_r, exp_r), reduced.scale);
}

// Q(t) of erfc(z) = t e^(-z^2) Q(t), by Horner from the top coefficient, each read in a constant
// expression (a device cannot read a host array).
template <int kIndex = 0>
ACTIVATIONS_HOST_DEVICE double erfc_polynomial(double s) {
  using C = GeluConstants;
  constexpr int kDegree = sizeof(C::kErfcQ) / sizeof(C::kErfcQ[0]) - 1;
  constexpr double kCoefficient = C::kErfcQ[kIndex];
  if constexpr (kIndex == kDegree) {
    return kCoefficient;
  } else {
    return fma(erfc_polynomial<kIndex + 1>(s), s, kCoefficient);
  }
}

// For a = |x| clamped to kErfcLimit: Phi(-a) = h m^2 with h = t Q(t) / 2 and m = e^(-a^2 / 4),
// a^2 carried as hi + lo (a float's square is exact; a double's is not).
struct GaussianTail {
  double h;
  double m;
};
ACTIVATIONS_HOST_DEVICE GaussianTail gaussian_tail(double a) {
  using C = GeluConstants;
  const double t = 2.0 / add(2.0, mul(a, C::kInverseSqrt2));
  const double q = erfc_polynomial(fma(t, C::kErfcScale, C::kErfcOffset));
  const double square = mul(a, a);
  const double square_lo = fma(a, a, -square);
  // e^(-(hi + lo) / 4) = e^(-hi / 4) (1 - lo / 4)
  const double m = mul(exp_float64(mul(square, -0.25)), fma(square_lo, -0.25, 1.0));
  return {mul(mul(0.5, t), q), m};
}

// GELU, erf form. x < 0: x Phi(x) = ((x h) m) m. x >= 0: x (1 - Phi(-x)). gelu(-inf) = -0,
// gelu(+inf) = +inf, NaN stays NaN.
ACTIVATIONS_HOST_DEVICE double gelu_float64(double x) {
  const double a = at_most(GeluConstants::kErfcLimit, magnitude(x));
  const GaussianTail tail = gaussian_tail(a);
  if (x < 0.0) return mul(mul(mul(-a, tail.h), tail.m), tail.m);
  return mul(x, sub(1.0, mul(mul(tail.h, tail.m), tail.m)));
}

// Phi(x) + x phi(x), phi(x) = e^(-x^2 / 2) / sqrt(2 pi) = m^2 / sqrt(2 pi). x < 0: (h - a /
// sqrt(2 pi)) m^2, whose difference cancels only near the zero at x = -0.7518 (a few 2^-53
// absolute there). x >= 0: (1 - h m^2) + (a / sqrt(2 pi)) m^2, two positive terms.
ACTIVATIONS_HOST_DEVICE double gelu_derivative_float64(double x) {
  using C = GeluConstants;
  const double a = at_most(C::kErfcLimit, magnitude(x));
  const GaussianTail tail = gaussian_tail(a);
  if (x < 0.0) return mul(mul(fma(-a, C::kInverseSqrt2Pi, tail.h), tail.m), tail.m);
  const double density = mul(mul(mul(a, C::kInverseSqrt2Pi), tail.m), tail.m);
  return add(sub(1.0, mul(mul(tail.h, tail.m), tail.m)), density);
}

// a + b as hi + lo exactly, in any order of magnitude (Knuth's TwoSum).
ACTIVATIONS_HOST_DEVICE DoubleWord<double> two_sum(double a, double b) {
  const double hi = add(a, b);
  const double b_part = sub(hi, a);
  return {hi, add(sub(a, sub(hi, b_part)), sub(b, b_part))};
}

// v = 2 sqrt(2/pi) x (1 + 0.044715 x^2) as hi + lo, for |x| <= kTanhFormLimit.
ACTIVATIONS_HOST_DEVICE DoubleWord<double> gelu_tanh_argument(double x) {
  using C = GeluConstants;
  const double square = mul(x, x);
  const double square_lo = fma(x, x, -square);
  const double cubic = mul(C::kCubicHi, square);
  const double cubic_lo =
      fma(C::kCubicLo, square, fma(C::kCubicHi, square_lo, fma(C::kCubicHi, square, -cubic)));
  const DoubleWord<double> w = two_sum(1.0, cubic);
  const double w_lo = add(w.lo, cubic_lo);
  const double c = mul(C::kTwoSqrt2OverPiHi, x);
  const double c_lo = fma(C::kTwoSqrt2OverPiLo, x, fma(C::kTwoSqrt2OverPiHi, x, -c));
  const double v = mul(c, w.hi);
  return {v, fma(c_lo, w.hi, fma(c, w_lo, fma(c, w.hi, -v)))};
}

// sigmoid(hi + lo) = s (1 + (1 - s) lo) to first order, |lo| being a few 2^-53 of |hi|.
ACTIVATIONS_HOST_DEVICE double sigmoid_of_double_word(DoubleWord<double> v) {
  const double s = sigmoid_float64(v.hi);
  return fma(mul(s, sub(1.0, s)), v.lo, s);
}

// For v below kTanhFormTail, where sigmoid(v) nears the subnormals: m = sigmoid(v / 2), whose
// square is sigmoid(v) to 2^-1000.
ACTIVATIONS_HOST_DEVICE double gelu_tanh_tail_root(DoubleWord<double> v) {
  return sigmoid_of_double_word({mul(v.hi, 0.5), mul(v.lo, 0.5)});
}

// GELU, tanh form: x sigmoid(v). gelu(-inf) = -0, gelu(+inf) = +inf, NaN stays NaN.
ACTIVATIONS_HOST_DEVICE double gelu_tanh_float64(double x) {
  using C = GeluConstants;
  const double low = at_least(-C::kTanhFormLimit, x);
  const DoubleWord<double> v = gelu_tanh_argument(at_most(C::kTanhFormLimit, low));
  if (v.hi < C::kTanhFormTail) {
    const double m = gelu_tanh_tail_root(v);
    return mul(mul(low, m), m);
  }
  return mul(low, sigmoid_of_double_word(v));
}

// s + x v' s (1 - s) = s (1 + x v' (1 - s)), s = sigmoid(v) and 1 - s = sigmoid(-v) evaluated,
// not subtracted (which cancels for large x); cancels only near the zero at x = -0.7522.
ACTIVATIONS_HOST_DEVICE double gelu_tanh_derivative_float64(double x) {
  using C = GeluConstants;
  const double c = at_most(C::kTanhFormLimit, at_least(-C::kTanhFormLimit, x));
  const DoubleWord<double> v = gelu_tanh_argument(c);
  const double slope = fma(C::kSlopeOfCubic, mul(c, c), C::kTwoSqrt2OverPiHi);
  const double complement = sigmoid_of_double_word({-v.hi, -v.lo});
  const double sum = fma(mul(c, slope), complement, 1.0);
  if (v.hi < C::kTanhFormTail) {
    const double m = gelu_tanh_tail_root(v);
    return mul(mul(sum, m), m);
  }
  return mul(sigmoid_of_double_word(v), sum);
}

}  // namespace activations::kernels::portable
