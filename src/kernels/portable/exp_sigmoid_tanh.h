// Sigmoid and tanh from our exp (src/kernels/exp_constants.h), for the host and a CUDA device:
// - float64: the CPU SIMD kernels' algorithm (activation_functors-inl.h), with e^r, 1 + e^x and
//   expm1 carried as unevaluated sums into one compensated division, so the result is rounded
//   about once (within 0.5 ULP and a hair);
// - float32 for 16-bit results (float16, bfloat16): the same exp with every step rounded once,
//   about 2-3 float32 ULP, which the exhaustive proof shows rounds every float16 and bfloat16
//   input correctly; 16 of the 24 bits to spare cost fewer operations than the slot tables'
//   shared-memory lookups, which would bound a 2-byte type's throughput.
#pragma once

#include <cstdint>

#include "kernels/exp_constants.h"
#include "kernels/portable/rounding.h"

namespace activations::kernels::portable {

// y = n ln2 + r + r_lo with |r| <= ln2/2 and r_lo the rounding error of r, Q(r) with
// e^r = 1 + r + r^2 Q(r), and scale = 2^(n + bias).
template <typename T>
struct ReducedExp {
  T r;
  T r_lo;
  T q;
  T scale;
};

// Q(r) by Horner from the top coefficient, each read in a constant expression (a device cannot
// read a host array).
template <typename T, int kIndex = 0>
ACTIVATIONS_HOST_DEVICE T exp_polynomial(T r) {
  using C = ExpConstants<T>;
  constexpr int kDegree = sizeof(C::kQ) / sizeof(C::kQ[0]) - 1;
  constexpr T kCoefficient = C::kQ[kIndex];
  if constexpr (kIndex == kDegree) {
    return kCoefficient;
  } else {
    return fma(exp_polynomial<T, kIndex + 1>(r), r, kCoefficient);
  }
}

template <typename T>
ACTIVATIONS_HOST_DEVICE ReducedExp<T> reduce_exp(T y, int bias = 0) {
  using C = ExpConstants<T>;
  const T magic = add(C::kRoundingMagic, static_cast<T>(bias));
  const T rounded = fma(y, C::kLog2e, magic);  // n + bias in the low mantissa bits
  const T n = sub(rounded, magic);
  const T r_hi = fma(-n, C::kLn2Hi, y);  // exact
  const T r = fma(-n, C::kLn2Lo, r_hi);
  // r_hi - r is exact but where r_hi is within n ln2_lo of 0, and r's error negligible there
  const T r_lo = fma(-n, C::kLn2Lo, sub(r_hi, r));
  const T q = exp_polynomial(r);
  const T scale = bit_cast<T>(bits_of(T(1)) + (bits_of(rounded) << C::kMantissaBits));
  return {r, r_lo, q, scale};
}

// (n_hi + n_lo) / (d_hi + d_lo), rounded about once: a first quotient q plus the correction
// (n_hi - q d_hi + n_lo - q d_lo) / d_hi, whose first term is exact with a fused multiply-add.
template <typename T>
ACTIVATIONS_HOST_DEVICE T divide_double_word(T n_hi, T n_lo, T d_hi, T d_lo) {
  const T q = n_hi / d_hi;
  const T correction = fma(-q, d_lo, add(fma(-q, d_hi, n_hi), n_lo));
  return add(q, correction / d_hi);
}

// a + b as hi + lo exactly, where |a| >= |b| (Fast2Sum).
template <typename T>
struct DoubleWord {
  T hi;
  T lo;
};
template <typename T>
ACTIVATIONS_HOST_DEVICE DoubleWord<T> fast_two_sum(T a, T b) {
  const T hi = add(a, b);
  return {hi, add(sub(a, hi), b)};
}

// Eq. 3-113 in float64. With z = -|x| and e = e^z in (0, 1]: sigmoid(x) = 1/(1+e) for x >= 0
// and e/(1+e) for x < 0; e^r and 1 + e are carried as hi + lo into one division. Where e or
// its low part would leave the normal range, e is carried scaled by 2^64 and the quotient
// scaled back last, so that tiny results are rounded once.
ACTIVATIONS_HOST_DEVICE double sigmoid_float64(double x) {
  using C = ExpConstants<double>;
  const double z = at_least(C::kExpUnderflow, with_sign_of(magnitude(x), -1.0));
  const bool scaled = z < C::kUnscaledFloor;
  const auto reduced = reduce_exp(z, scaled ? C::kScaleShift : 0);
  const double inner = fma(reduced.q, reduced.r, 1.0);
  const double exp_r_hi = fma(inner, reduced.r, 1.0);
  // 1 - hi is exact; e^(r + r_lo) = e^r (1 + r_lo)
  const double exp_r_lo = fma(reduced.r_lo, exp_r_hi, fma(inner, reduced.r, sub(1.0, exp_r_hi)));
  const double e_hi = mul(exp_r_hi, reduced.scale);  // exact
  const double e_lo = mul(exp_r_lo, reduced.scale);
  const double unit = scaled ? C::kScaleUp : 1.0;
  const double e = scaled ? mul(e_hi, C::kScaleDown) : e_hi;
  const double denominator_hi = add(1.0, e);
  const double denominator_rest = add(sub(1.0, denominator_hi), e);  // exact
  const double denominator_lo =
      scaled ? fma(e_lo, C::kScaleDown, denominator_rest) : add(e_lo, denominator_rest);
  const bool negative = x < 0.0;
  const double result = divide_double_word(negative ? e_hi : unit, negative ? e_lo : 0.0,
                                           denominator_hi, denominator_lo);
  return scaled ? mul(result, C::kScaleDown) : result;
}

// Eq. 3-115 in float64 as tanh(a) = T / (T + 2), T = expm1(2a), a = |x| clamped where tanh
// rounds to 1: with 2a = n ln2 + r and S = 2^n, T + 2 = S expm1(r) + (S + 1) and T = (T + 2) - 2,
// each carried as hi + lo into one division; the sign is copied back, so tanh is exactly odd.
ACTIVATIONS_HOST_DEVICE double tanh_float64(double x) {
  using C = ExpConstants<double>;
  const double a = at_most(C::kTanhSaturation, magnitude(x));
  const auto reduced = reduce_exp(add(a, a));
  const double r_squared = mul(reduced.r, reduced.r);
  const double expm1_r_hi = fma(r_squared, reduced.q, reduced.r);
  // r - hi is exact (hi is within a factor 2 of r); expm1(r + r_lo) = expm1(r) + r_lo e^r
  const double expm1_r_lo = fma(reduced.r_lo, add(1.0, expm1_r_hi),
                                fma(r_squared, reduced.q, sub(reduced.r, expm1_r_hi)));
  const double product = mul(reduced.scale, expm1_r_hi);  // exact
  const double product_lo = mul(reduced.scale, expm1_r_lo);
  const auto denominator = fast_two_sum(add(reduced.scale, 1.0), product);
  const double denominator_lo = add(denominator.lo, product_lo);
  const auto shifted = fast_two_sum(denominator.hi, -2.0);
  auto numerator = fast_two_sum(shifted.hi, add(shifted.lo, denominator.lo));
  numerator.lo = add(numerator.lo, product_lo);
  return with_sign_of(
      divide_double_word(numerator.hi, numerator.lo, denominator.hi, denominator_lo), x);
}

// The device's reciprocal estimate (rcp.approx, within 1 ULP); the host stands in the
// correctly rounded reciprocal. Every use corrects it once, which leaves the estimate's error
// squared (below 2^-46): host and device agree but where a result lies within 2^-46 of a
// rounding boundary. The proof runs the 16-bit functions with estimates one ULP off each way
// too (their template argument), to show that no such result changes a 16-bit one.
struct ReciprocalEstimate {
  ACTIVATIONS_HOST_DEVICE static float of(float d) {
#if defined(__CUDA_ARCH__)
    float estimate;
    asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(estimate) : "f"(d));
    return estimate;
#else
    return 1.0f / d;
#endif
  }
};

// The short exp of the 16-bit functions: y = n ln2 + r with one rounded reduction step and
// the degree kDegree polynomial of e^r = 1 + r + r^2 Q(r) (ExpConstants<float>: kQ, degree 4,
// or kShortQ, degree 3); scale = 2^n.
template <int kDegree, int kIndex = 0>
ACTIVATIONS_HOST_DEVICE float short_exp_polynomial(float r) {
  using C = ExpConstants<float>;
  constexpr float kCoefficient = kDegree == 3 ? C::kShortQ[kIndex] : C::kQ[kIndex];
  if constexpr (kIndex == kDegree) {
    return kCoefficient;
  } else {
    return fma(short_exp_polynomial<kDegree, kIndex + 1>(r), r, kCoefficient);
  }
}

template <int kDegree>
ACTIVATIONS_HOST_DEVICE ReducedExp<float> reduce_exp_short(float y) {
  using C = ExpConstants<float>;
  const float rounded = fma(y, C::kLog2e, C::kRoundingMagic);
  const float n = sub(rounded, C::kRoundingMagic);
  const float r = fma(-n, C::kLn2, y);
  const float scale = float_of(bits_of(1.0f) + (bits_of(rounded) << C::kMantissaBits));
  return {r, 0.0f, short_exp_polynomial<kDegree>(r), scale};
}

// Float sigmoid for an input that is a float16 or bfloat16 value, to be rounded to that type.
// For |x| <= 16, 1 / (1 + e^-x) with each step rounded once and the reciprocal estimate
// refined once; beyond, where x < -16 reaches the subnormals (bfloat16 has float32's range),
// e^x (1 - e^x) with e^x scaled by 2^32 until the last multiply, and 1 - e^-x for x > 16.
template <typename Estimate = ReciprocalEstimate>
ACTIVATIONS_HOST_DEVICE float sigmoid_for_16_bit(float x) {
  using C = ExpConstants<float>;
  if (magnitude(x) <= C::kModerate) {
    const auto reduced = reduce_exp_short<3>(-x);
    const float exp_r = fma(fma(reduced.q, reduced.r, 1.0f), reduced.r, 1.0f);
    const float denominator = add(1.0f, mul(exp_r, reduced.scale));
    const float estimate = Estimate::of(denominator);
    return fma(fma(-estimate, denominator, 1.0f), estimate, estimate);
  }
  if (x > 0.0f) {
    const auto reduced = reduce_exp(-at_most(C::kTanhSaturation * 2, x));
    return sub(1.0f, mul(fma(fma(reduced.q, reduced.r, 1.0f), reduced.r, 1.0f), reduced.scale));
  }
  if (!(x < 0.0f)) return add(x, x);  // NaN
  const float z = at_least(C::kExpUnderflow, x);
  const auto reduced = reduce_exp(z, C::kScaleShift);
  const float exp_r = fma(fma(reduced.q, reduced.r, 1.0f), reduced.r, 1.0f);
  const float e_scaled = mul(exp_r, reduced.scale);  // e^z 2^32, normal
  return mul(fma(-e_scaled, mul(e_scaled, C::kScaleDown), e_scaled), C::kScaleDown);
}

// Float tanh for an input that is a value of a 16-bit type with kBits significand bits
// (float16 11, bfloat16 8), to be rounded to that type: T / (T + 2) with T = expm1(2a) =
// S expm1(r) + (S - 1), a = |x| clamped where tanh rounds to 1 in either type, the sign copied
// back. float16 needs the degree-4 polynomial and the quotient corrected once; bfloat16 rounds
// correctly without either.
template <int kBits, typename Estimate = ReciprocalEstimate>
ACTIVATIONS_HOST_DEVICE float tanh_for_16_bit(float x) {
  static_assert(kBits == 8 || kBits == 11, "float16 or bfloat16");
  constexpr bool kHalf = kBits == 11;
  const float a = at_most(ExpConstants<float>::kShortTanhSaturation, magnitude(x));
  const auto reduced = reduce_exp_short < kHalf ? 4 : 3 > (add(a, a));
  const float expm1_r = fma(mul(reduced.r, reduced.r), reduced.q, reduced.r);
  const float t = fma(reduced.scale, expm1_r, sub(reduced.scale, 1.0f));
  const float denominator = add(t, 2.0f);
  const float estimate = Estimate::of(denominator);
  const float quotient = mul(t, estimate);
  if constexpr (!kHalf) return with_sign_of(quotient, x);
  return with_sign_of(fma(fma(-quotient, denominator, t), estimate, quotient), x);
}

}  // namespace activations::kernels::portable
