// The math of the four activations, one small functor per activation and direction, written
// once with Highway ops for every SIMD target (this header is re-included per target by
// foreach_target). Each functor maps vectors of the compute type (float or double; integers
// for ReLU) to vectors of the same type; loads, stores, conversions and tails are the loops'.
//
// Sigmoid and tanh use our own exp: n = round(y / ln2), r = y - n ln2 (Cody-Waite, |r| <=
// ln2/2), expm1(r) = r + r^2 Q(r) with Q fitted by scripts/fit_polynomials.py, and the scale
// 2^n put into the exponent bits.
#if defined(ACTIVATIONS_KERNELS_SIMD_FUNCTORS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ACTIVATIONS_KERNELS_SIMD_FUNCTORS_INL_H_
#undef ACTIVATIONS_KERNELS_SIMD_FUNCTORS_INL_H_
#else
#define ACTIVATIONS_KERNELS_SIMD_FUNCTORS_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/exp_constants.h"
#include "kernels/portable/activation_math.h"
#include "kernels/portable/rounding.h"
#include "kernels/silu_constants.h"
#include "kernels/simd/table_activations-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activations::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// y = n ln2 + r with |r| <= ln2/2 (of -y with kNegated), and Q(r) with e^r = 1 + r + r^2 Q(r).
// `rounded` holds n + kScaleBias in its low mantissa bits (for Pow2Bits). In double, r_lo is r's
// rounding error, which the callers fold into their low parts: without it float64 tanh reached
// 1.01 ULP (float keeps its exhaustively proven form, with r_lo zero, unless kFloatRoundingError
// asks for it, as GELU's tanh form does). The parts are returned
// through references, not as a struct: SVE's vectors are sizeless and cannot be members.
// kQTerms > 0 keeps only Q's first kQTerms coefficients (for results that need less than T's
// precision).
template <int kScaleBias, bool kNegated = false, size_t kQTerms = 0,
          bool kFloatRoundingError = false, class D, class V = hn::Vec<D>>
HWY_INLINE void ReduceExp(D d, V y, V& r, V& r_lo, V& q, V& n, V& rounded) {
  using T = hn::TFromD<D>;
  using C = ExpConstants<T>;
  const V magic = hn::Set(d, static_cast<T>(C::kRoundingMagic + kScaleBias));
  rounded = hn::MulAdd(y, hn::Set(d, kNegated ? -C::kLog2e : C::kLog2e), magic);
  n = hn::Sub(rounded, magic);
  // with kNegated, the reduction of -y without negating y: r = -y - n ln2_hi
  const V r_hi = kNegated ? hn::NegMulSub(n, hn::Set(d, C::kLn2Hi), y)
                          : hn::NegMulAdd(n, hn::Set(d, C::kLn2Hi), y);  // exact
  r = hn::NegMulAdd(n, hn::Set(d, C::kLn2Lo), r_hi);
  r_lo = hn::Zero(d);
  if constexpr (sizeof(T) == 8 || kFloatRoundingError) {
    // r_hi - r is exact but where r_hi is within n ln2_lo of 0, and r's error negligible there
    r_lo = hn::NegMulAdd(n, hn::Set(d, C::kLn2Lo), hn::Sub(r_hi, r));
  }
  constexpr size_t kDegree = (kQTerms > 0 ? kQTerms : sizeof(C::kQ) / sizeof(C::kQ[0])) - 1;
  q = hn::Set(d, C::kQ[kDegree]);
  for (size_t i = kDegree; i-- > 0;) q = hn::MulAdd(q, r, hn::Set(d, C::kQ[i]));
}

// AVX-512's vscalefps/pd multiplies by 2^n and rounds once, into the subnormal range too; other
// targets add n to the exponent bits, which needs a normal result.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
template <class V>
constexpr bool kHasScalef = sizeof(V) == 64;
template <class V>
HWY_INLINE V Scalef(V v, V n) {
  if constexpr (sizeof(hn::TFromV<V>) == 4) {
    return V{_mm512_scalef_ps(v.raw, n.raw)};
  } else {
    return V{_mm512_scalef_pd(v.raw, n.raw)};
  }
}
#else
template <class V>
constexpr bool kHasScalef = false;
template <class V>
HWY_INLINE V Scalef(V v, V /*n*/) {
  return v;  // never called
}
#endif

// (n_hi + n_lo) / (d_hi + d_lo), rounded about once: a first quotient q plus the correction
// (n_hi - q d_hi + n_lo - q d_lo) / d_hi, whose first term is exact with a fused multiply-add
// and for which a rough reciprocal is enough. The float quotient needs no division: the
// reciprocal estimate (rcpps, 1.5 * 2^-12) after one Newton step makes q good to about 2^-22,
// and the corrected quotient to 2^-40. (AVX-512's float sigmoid and tanh use the slot tables
// instead, table_activations-inl.h.)
template <class D, class V = hn::Vec<D>>
HWY_INLINE V DivideDoubleWord(D d, V n_hi, V n_lo, V d_hi, V d_lo) {
  auto correct = [&](V q) {
    return hn::NegMulAdd(q, d_lo, hn::Add(hn::NegMulAdd(q, d_hi, n_hi), n_lo));
  };
  if constexpr (sizeof(hn::TFromD<D>) == 4) {
    const V estimate = hn::ApproximateReciprocal(d_hi);
    const V residual = hn::NegMulAdd(d_hi, estimate, hn::Set(d, 1.0f));
    const V reciprocal = hn::MulAdd(residual, estimate, estimate);
    const V q = hn::Mul(n_hi, reciprocal);
    return hn::MulAdd(correct(q), reciprocal, q);
  } else {  // Highway has no double reciprocal estimate
    const V q = hn::Div(n_hi, d_hi);
    return hn::Add(q, hn::Div(correct(q), d_hi));
  }
}

// 1 / (d_hi + d_lo) in float, rounded about once, without a division: with the reciprocal
// estimate R (error 1.5 * 2^-12) and c = 1 - R (d_hi + d_lo), 1/d = R (1 + c + c^2 + ...), and
// R (1 + c + c^2) is good to about 2^-34.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V ReciprocalDoubleWord(D d, V d_hi, V d_lo) {
  static_assert(sizeof(hn::TFromD<D>) == 4, "Highway has no double reciprocal estimate");
  const V estimate = hn::ApproximateReciprocal(d_hi);
  const V c = hn::NegMulAdd(estimate, d_lo, hn::NegMulAdd(estimate, d_hi, hn::Set(d, 1.0f)));
  return hn::MulAdd(hn::MulAdd(c, c, c), estimate, estimate);
}

// a + b as an unevaluated sum hi + lo, exactly, where |a| >= |b| (Fast2Sum): returns hi.
template <class V>
HWY_INLINE V FastTwoSum(V a, V b, V& lo) {
  const V hi = hn::Add(a, b);
  lo = hn::Add(hn::Sub(a, hi), b);
  return hi;
}

// a + b as an unevaluated sum hi + lo, exactly, whatever their magnitudes (2Sum): returns hi.
template <class V>
HWY_INLINE V TwoSum(V a, V b, V& lo) {
  const V hi = hn::Add(a, b);
  const V b_part = hn::Sub(hi, a);
  lo = hn::Add(hn::Sub(a, hn::Sub(hi, b_part)), hn::Sub(b, b_part));
  return hi;
}

// sum c_i s^i by Horner, the coefficients in any floating type.
template <class D, class T, size_t N, class V = hn::Vec<D>>
HWY_INLINE V Polynomial(D d, V s, const T (&coefficients)[N]) {
  V result = hn::Set(d, static_cast<hn::TFromD<D>>(coefficients[N - 1]));
  for (size_t i = N - 1; i-- > 0;) {
    result = hn::MulAdd(result, s, hn::Set(d, static_cast<hn::TFromD<D>>(coefficients[i])));
  }
  return result;
}

// The bits to add to a float's bits to multiply it by 2^(n + kScaleBias).
template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Vec<hn::RebindToSigned<D>> Pow2Bits(D d, V rounded) {
  const hn::RebindToSigned<D> di;
  (void)d;
  return hn::ShiftLeft<ExpConstants<hn::TFromD<D>>::kMantissaBits>(hn::BitCast(di, rounded));
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE V MultiplyByPow2Bits(D d, V v, hn::Vec<hn::RebindToSigned<D>> pow2_bits) {
  const hn::RebindToSigned<D> di;
  return hn::BitCast(d, hn::Add(hn::BitCast(di, v), pow2_bits));
}

// Targets without fused multiply-add (SSE4 and older) cannot recover rounding errors exactly;
// there sigmoid and tanh fall back to a scalar loop in x87 long double (64-bit significand),
// rounded once to the lane type: slow, but as accurate.
template <class D, class V = hn::Vec<D>, class F>
HWY_INLINE V PerLaneLongDouble(D d, V x, F f) {
  using T = hn::TFromD<D>;
  HWY_ALIGN T lanes[hn::MaxLanes(d)];
  hn::Store(x, d, lanes);
  for (size_t i = 0; i < hn::Lanes(d); ++i) lanes[i] = static_cast<T>(f(lanes[i]));
  return hn::Load(d, lanes);
}

inline long double SigmoidLongDouble(long double x) {
  if (x >= 0) return 1.0L / (1.0L + std::exp(-x));
  const long double e = std::exp(x);
  return e / (1.0L + e);
}

inline long double TanhLongDouble(long double x) {
  const long double t = std::expm1(2.0L * std::fabs(x));
  return std::copysign(std::isinf(t) ? 1.0L : t / (t + 2.0L), x);
}

// Eq. 3-113. With z = -|x| and e = e^z in (0, 1]: sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e)
// for x < 0; neither overflows, and each amplifies the error of e by at most 1. e^r and 1 + e
// are carried as unevaluated sums (hi + lo) into one division, so the result is rounded about
// once. For the tiny results (x in [-104, -87]) to be rounded once too, e must not be rounded
// into the subnormals first: AVX-512's vscalef rounds the final scaling once; other targets
// carry e scaled by 2^S (kScaled) and scale the quotient back last. z = -|x|.
template <bool kScalef, bool kScaled, class D, class V = hn::Vec<D>>
HWY_INLINE V SigmoidOfNegativeMagnitude(D d, V x, V z) {
  using T = hn::TFromD<D>;
  using C = ExpConstants<T>;
  const V one = hn::Set(d, T(1));
  V r, r_lo, q, n, rounded;
  ReduceExp<kScaled ? C::kScaleShift : 0>(d, z, r, r_lo, q, n, rounded);
  const V inner = hn::MulAdd(q, r, one);
  const V exp_r_hi = hn::MulAdd(inner, r, one);
  // 1 - hi is exact; e^(r + r_lo) = e^r (1 + r_lo)
  V exp_r_lo = hn::MulAdd(inner, r, hn::Sub(one, exp_r_hi));
  if constexpr (sizeof(T) == 8) exp_r_lo = hn::MulAdd(r_lo, exp_r_hi, exp_r_lo);
  // e = 2^n e^r as hi + lo, times `unit` (2^S where scaled, else 1).
  V e_hi, e_lo;
  if constexpr (kScalef) {
    e_hi = Scalef(exp_r_hi, n);
    e_lo = Scalef(exp_r_lo, n);
  } else {
    const V scale = MultiplyByPow2Bits(d, one, Pow2Bits(d, rounded));  // 2^(n+S)
    e_hi = hn::Mul(exp_r_hi, scale);                                   // exact
    e_lo = hn::Mul(exp_r_lo, scale);
  }
  const V unit = kScaled ? hn::Set(d, C::kScaleUp) : one;
  const V unit_down = hn::Set(d, C::kScaleDown);
  const V e = kScaled ? hn::Mul(e_hi, unit_down) : e_hi;
  const V denominator_hi = hn::Add(one, e);
  const V denominator_rest = hn::Add(hn::Sub(one, denominator_hi), e);  // exact
  const V denominator_lo =
      kScaled ? hn::MulAdd(e_lo, unit_down, denominator_rest) : hn::Add(e_lo, denominator_rest);
  const auto negative = hn::Lt(x, hn::Zero(d));
  const V numerator_hi = hn::IfThenElse(negative, e_hi, unit);
  const V numerator_lo = hn::IfThenElseZero(negative, e_lo);
  const V result = DivideDoubleWord(d, numerator_hi, numerator_lo, denominator_hi, denominator_lo);
  return kScaled ? hn::Mul(result, unit_down) : result;
}

// 1 + e^-x in float for |x| <= kModerate (the callers check), as hi + lo: E = e^-x = 2^n e^r,
// n in [-23, 23], so 1 + E = (2^n + 1) + (2^n inner) r with 2^n + 1 exact. For sigmoid, its
// reciprocal: neither E nor the quotient amplifies the error of e^r (by E / (1 + E) < 1), and
// there is no 1 - t, selection or clamp to pay for; SiLU divides x by it.
// kCompensated also carries the rounding error of inner into lo, for a result that is not
// rounded before its product with x (SiLU): without it SiLU reached 0.96 ULP, with it 0.78 (on
// every 17th float32 pattern); carrying r's rounding error as well (r_lo) gave 0.63 at 13% more
// time, not taken. SiLU's derivative (a contract of 2 ULP) goes without: 1.0906 ULP over all
// float32 inputs, 0.7917 with it at 5-8% more time.
template <bool kCompensated = false, class D, class V = hn::Vec<D>>
HWY_INLINE void OnePlusExpOfNegatedModerate(D d, V x, V& hi, V& lo) {
  const V one = hn::Set(d, 1.0f);
  V r, r_lo, q, n, rounded;
  ReduceExp<0, /*kNegated=*/true>(d, x, r, r_lo, q, n, rounded);
  const V inner = hn::MulAdd(q, r, one);                             // e^r = 1 + r inner
  const V scale = MultiplyByPow2Bits(d, one, Pow2Bits(d, rounded));  // 2^n
  const V scaled_inner = hn::Mul(inner, scale);                      // exact
  const V scale_plus_one = hn::Add(scale, one);
  hi = hn::MulAdd(scaled_inner, r, scale_plus_one);
  // exact: hi is within a factor 2 of 2^n + 1
  const V rest = hn::Sub(scale_plus_one, hi);
  lo = hn::MulAdd(scaled_inner, r, rest);
  if constexpr (kCompensated) {
    // 1 - inner is exact, so this is q r - (inner - 1) to a rounding of its own size
    const V inner_lo = hn::MulAdd(q, r, hn::Sub(one, inner));
    lo = hn::MulAdd(hn::Mul(scale, r), inner_lo, lo);
  }
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE V SigmoidOfModerate(D d, V x) {
  V denominator_hi, denominator_lo;
  OnePlusExpOfNegatedModerate(d, x, denominator_hi, denominator_lo);
  return ReciprocalDoubleWord(d, denominator_hi, denominator_lo);
}

// x86's max and min return their second operand where either is NaN, which the callers order so
// that a NaN input stays NaN; Arm's (NEON's and SVE's maxnm and minnm) return the number, so there
// the NaN lanes are put back.
template <class V>
HWY_INLINE V KeepNaN(V x, V result) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128  // (emulated in C++)
  (void)x;
  return result;
#else
  return hn::IfThenElse(hn::IsNaN(x), x, result);
#endif
}

// Sigmoid without the moderate shortcut: the 2^S scaling only matters where e or its low part
// would leave the normal range, and vectors without such a lane (nearly all) skip its three
// multiplies. A vector of both kinds takes both and each lane its own kind's result, so that a
// lane's bits never depend on the lanes beside it (the layout, the tail).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V SigmoidOfAny(D d, V x) {
  using C = ExpConstants<hn::TFromD<D>>;
  // a NaN stays NaN throughout (KeepNaN)
  const V z = hn::Max(hn::Set(d, C::kExpUnderflow), hn::Or(x, hn::SignBit(d)));
  if constexpr (kHasScalef<V>) {
    return SigmoidOfNegativeMagnitude<true, false>(d, x, z);
  } else {
    const auto unscaled = hn::Ge(z, hn::Set(d, C::kUnscaledFloor));
    // (a NaN lane is never unscaled: Arm's max makes its z the underflow bound)
    if (hn::AllTrue(d, unscaled)) return SigmoidOfNegativeMagnitude<false, false>(d, x, z);
    const V scaled = KeepNaN(x, SigmoidOfNegativeMagnitude<false, true>(d, x, z));
    if (hn::AllFalse(d, unscaled)) return scaled;
    return hn::IfThenElse(unscaled, SigmoidOfNegativeMagnitude<false, false>(d, x, z), scaled);
  }
}

struct SigmoidForward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
#if HWY_NATIVE_FMA
    using T = hn::TFromD<D>;
    using C = ExpConstants<T>;
    if constexpr (kHasSlotTables<V>) return SlotSigmoid(x);
    // Activations' inputs nearly never leave [-16, 16]: such vectors take 24 vector operations
    // instead of about 35. As in SigmoidOfAny, a vector of both kinds chooses lane by lane.
    if constexpr (sizeof(T) == 4 && !kHasScalef<V>) {
      const auto moderate = hn::Le(hn::Abs(x), hn::Set(d, C::kModerate));
      if (hn::AllTrue(d, moderate)) return SigmoidOfModerate(d, x);
      const V any = SigmoidOfAny(d, x);
      if (hn::AllFalse(d, moderate)) return any;
      return hn::IfThenElse(moderate, SigmoidOfModerate(d, x), any);
    }
    return SigmoidOfAny(d, x);
#else
    return PerLaneLongDouble(d, x, &SigmoidLongDouble);
#endif
  }
};

// Eq. 3-115 as tanh(a) = T / (T + 2) with T = expm1(2a), a = |x|: the quotient amplifies the
// error of T by 2/(T+2) <= 1, and expm1 keeps tiny inputs (tanh(1e-8) = 1e-8). With 2a = n ln2
// + r and S = 2^n: T + 2 = S expm1(r) + (S + 1) and T, each carried as an unevaluated sum
// (S + 1 dominates S expm1(r), so Fast2Sum is exact) into one division.
// a is clamped where tanh rounds to 1; the sign is copied back, so tanh is exactly odd.
struct TanhForward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
#if HWY_NATIVE_FMA
    if constexpr (kHasSlotTables<V>) return SlotTanh(x);
    using T = hn::TFromD<D>;
    using C = ExpConstants<T>;
    const V one = hn::Set(d, T(1));
    const V two = hn::Set(d, T(2));
    // a NaN stays NaN throughout (KeepNaN)
    const V a = hn::Min(hn::Set(d, C::kTanhSaturation), hn::Abs(x));
    V r, r_lo, q, n, rounded;
    ReduceExp<0>(d, hn::Add(a, a), r, r_lo, q, n, rounded);
    const V r_squared = hn::Mul(r, r);
    const V expm1_r_hi = hn::MulAdd(r_squared, q, r);
    // r - hi is exact (hi is within a factor 2 of r)
    V expm1_r_lo = hn::MulAdd(r_squared, q, hn::Sub(r, expm1_r_hi));
    if constexpr (sizeof(T) == 8) {  // expm1(r + r_lo) = expm1(r) + r_lo e^r
      expm1_r_lo = hn::MulAdd(r_lo, hn::Add(one, expm1_r_hi), expm1_r_lo);
    }
    const V scale = MultiplyByPow2Bits(d, one, Pow2Bits(d, rounded));
    const V product = hn::Mul(scale, expm1_r_hi);  // exact
    const V product_lo = hn::Mul(scale, expm1_r_lo);
    V denominator_rest;
    const V denominator_hi = FastTwoSum(hn::Add(scale, one), product, denominator_rest);
    const V denominator_lo = hn::Add(denominator_rest, product_lo);
    // T = (T + 2) - 2 derived exactly from the denominator, so T / (T + 2) = 1 - 2 / (T + 2)
    // holds to the last bit even where S + 1 is rounded (S >= 2^24, T + 2 >= 2^24).
    V shifted_lo;
    const V shifted_hi = FastTwoSum(denominator_hi, hn::Neg(two), shifted_lo);
    // renormalised, so that hi holds T rounded also where T is tiny; product_lo joins after,
    // not to be rounded away with the rest where T is tiny.
    V numerator_lo;
    const V numerator_hi =
        FastTwoSum(shifted_hi, hn::Add(shifted_lo, denominator_rest), numerator_lo);
    numerator_lo = hn::Add(numerator_lo, product_lo);
    const V tanh_a =
        DivideDoubleWord(d, numerator_hi, numerator_lo, denominator_hi, denominator_lo);
    return KeepNaN(x, hn::CopySignToAbs(tanh_a, x));
#else
    return PerLaneLongDouble(d, x, &TanhLongDouble);
#endif
  }
};

// Eq. 3-117 as torch computes it: x < 0 ? 0 : x keeps -0.0 and NaN and maps -inf to +0.
struct ReluForward {
  static constexpr bool kIntegral = true;
  static constexpr bool kRaw16 = true;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (!hwy::IsSigned<hn::TFromD<D>>()) return x;
    return hn::IfThenZeroElse(hn::Lt(x, hn::Zero(d)), x);
  }
  // On the int16 bit patterns of a 16-bit float whose infinity is kInfinity: x < 0 means the
  // sign is set, the magnitude is not 0 (-0.0 stays) and not above infinity (NaN stays).
  template <int16_t kInfinity, class D, class V = hn::Vec<D>>
  HWY_INLINE V Raw16(D d, V x) const {
    const V magnitude = hn::And(x, hn::Set(d, int16_t{0x7FFF}));
    const auto negative =
        hn::And(hn::Lt(x, hn::Zero(d)),
                hn::And(hn::Gt(magnitude, hn::Zero(d)),
                        hn::Lt(magnitude, hn::Set(d, static_cast<int16_t>(kInfinity + 1)))));
    return hn::IfThenZeroElse(negative, x);
  }
};

// Eq. 3-119: x > 0 ? x : slope * x, the slope in the compute type as torch holds it.
struct LeakyReluForward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  double slope;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using T = hn::TFromD<D>;
    const V scaled = hn::Mul(x, hn::Set(d, static_cast<T>(slope)));
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), x, scaled);
  }
};

// Backward functors take (grad_output, saved) and keep ATen's order of operations, so the
// same inputs give the same bits as ATen's backward kernels.

// Eq. 3-114 from the output: g * (1 - y) * y.
struct SigmoidBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V y) const {
    return hn::Mul(hn::Mul(grad, hn::Sub(hn::Set(d, hn::TFromD<D>(1)), y)), y);
  }
};

// Eq. 3-116 from the output: g * (1 - y^2), 1 - y^2 fused as in ATen's kernel.
struct TanhBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V y) const {
    return hn::Mul(grad, hn::NegMulAdd(y, y, hn::Set(d, hn::TFromD<D>(1))));
  }
};

// Eq. 3-118 from the output, as torch's threshold_backward: y <= 0 ? 0 : g (a NaN output
// passes the gradient on).
struct ReluBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = true;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V y) const {
    return hn::IfThenZeroElse(hn::Le(y, hn::Zero(d)), grad);
  }
  // On int16 bit patterns: y <= 0 means a zero magnitude, or the sign set and not NaN.
  template <int16_t kInfinity, class D, class V = hn::Vec<D>>
  HWY_INLINE V Raw16(D d, V grad, V y) const {
    const V magnitude = hn::And(y, hn::Set(d, int16_t{0x7FFF}));
    const auto at_most_zero =
        hn::Or(hn::Eq(magnitude, hn::Zero(d)),
               hn::And(hn::Lt(y, hn::Zero(d)),
                       hn::Lt(magnitude, hn::Set(d, static_cast<int16_t>(kInfinity + 1)))));
    return hn::IfThenZeroElse(at_most_zero, grad);
  }
};

// Eq. 3-120 with the erratum (+gamma for x <= 0): x > 0 ? g : g * slope.
struct LeakyReluBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  double slope;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V x) const {
    using T = hn::TFromD<D>;
    const V scaled = hn::Mul(grad, hn::Set(d, static_cast<T>(slope)));
    return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), grad, scaled);
  }
};

// Float lanes computed in double by `f` (a functor of double vectors) and rounded once on the
// way back: the double result's own error (a few 2^-53) leaves the float within 0.5 ULP plus
// 2^-28. For float16 and bfloat16 storage (kToOdd) the float is rounded to odd, so that the
// store's rounding to 16 bits is the correct one. Lane for lane through memory, so it holds on
// every target, the one-lane ones too.
template <bool kToOdd, class D, class V = hn::Vec<D>, class F>
HWY_INLINE V InDouble(D d, V x, const F& f) {
  static_assert(sizeof(hn::TFromD<D>) == 4);
  const hn::ScalableTag<double> dd;
  const size_t lanes = hn::Lanes(d);
  const size_t double_lanes = hn::Lanes(dd);
  HWY_ALIGN float values[hn::MaxLanes(d)];
  HWY_ALIGN double wide[hn::MaxLanes(dd)];
  hn::Store(x, d, values);
  for (size_t i = 0; i < lanes; i += double_lanes) {
    for (size_t k = 0; k < double_lanes; ++k) wide[k] = values[i + k];
    hn::Store(f(dd, hn::Load(dd, wide)), dd, wide);
    for (size_t k = 0; k < double_lanes; ++k) {
      values[i + k] = kToOdd ? portable::round_to_odd_float(wide[k]) : static_cast<float>(wide[k]);
    }
  }
  return hn::Load(d, values);
}

// x clamped to [-1e300, 1e300] in double (a NaN stays NaN), so that x times a sigmoid that
// rounded to 0 is 0, not NaN, where x is infinite.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V ClampForProducts(D d, V x, double upper = 1e300) {
  static_assert(sizeof(hn::TFromD<D>) == 8);
  return KeepNaN(x, hn::Min(hn::Set(d, upper), hn::Max(hn::Set(d, -1e300), x)));
}

// Below x = -700, where sigmoid(x) = e^x (1 - e^x) is e^x to 2^-1000, and where x e^x nears or
// enters double's subnormals: (x m) m with m = sigmoid(x / 2), both products normal but the last,
// so that a subnormal result is rounded once (x sigmoid(x) would scale the rounding error of a
// subnormal sigmoid by |x|: 349 ULP at x = -745.2). `factor` is what multiplies m first (a
// vector, not a lambda: GCC 12 crashes compiling lambdas that capture SVE vectors by value).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V WithDoubleTail(D d, V x, V result, V factor) {
  const auto tail = hn::Lt(x, hn::Set(d, -700.0));
  if (hn::AllFalse(d, tail)) return result;
  const V m = SigmoidForward{}(d, hn::Mul(x, hn::Set(d, 0.5)));
  return hn::IfThenElse(tail, hn::Mul(hn::Mul(factor, m), m), result);
}

// Float lanes widened to double in registers, computed by `f` and rounded once on the way back,
// on x86's multi-lane targets; elsewhere through memory (InDouble).
template <class D, class V = hn::Vec<D>, class F>
HWY_INLINE V InDoubleRegisters(D d, V x, const F& f) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR
  const hn::Half<D> dh;
  const hn::Rebind<double, decltype(dh)> dd;
  const auto lower = f(dd, hn::PromoteTo(dd, hn::LowerHalf(dh, x)));
  const auto upper = f(dd, hn::PromoteTo(dd, hn::UpperHalf(dh, x)));
  return hn::Combine(d, hn::DemoteTo(dh, upper), hn::DemoteTo(dh, lower));
#else
  return InDouble<false>(d, x, f);
#endif
}

// e^-x in double for the float kernels, with -x clamped to [-200, 200] (where 1 + e^-x is 1 or
// e^-x alone to 2^-288): our exp's reduction and the first 8 of Q's 11 coefficients, whose
// remainder (below 2.8e-7 r^10 with |r| <= ln2/2) leaves e^-x within 2^-37 relative: a float
// result rounded from it is within 0.5 + 2^-13 ULP.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V ExpOfNegatedForFloat(D d, V x) {
  const V y = hn::Min(hn::Set(d, 200.0), hn::Max(hn::Set(d, -200.0), hn::Neg(x)));
  V r, r_lo, q, n, rounded;
  ReduceExp<0, false, 8>(d, y, r, r_lo, q, n, rounded);
  const V one = hn::Set(d, 1.0);
  const V exp_r = hn::MulAdd(hn::MulAdd(q, r, one), r, one);
  return hn::Mul(exp_r, MultiplyByPow2Bits(d, one, Pow2Bits(d, rounded)));
}

// SiLU of float inputs, in double: x / (1 + e^-x), one division. Its error (a few 2^-53
// relative) is 2^-28 of a float ULP, so the float is rounded once from nearly the exact value;
// nothing overflows, and the result is a normal float down to x = -91.9 and subnormal to
// -108.7. x is clamped to -1e30 so that -inf gives -0, not -inf / e^200.
struct SiluOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    const V clamped = KeepNaN(x, hn::Max(hn::Set(d, -1e30), x));
    return hn::Div(clamped, hn::Add(hn::Set(d, 1.0), ExpOfNegatedForFloat(d, x)));
  }
};

// SiLU's derivative for float inputs, in double: with e = e^-x and i = 1 / (1 + e),
// s = i and 1 - s = e i, so s (1 + x (1 - s)) = i (1 + x e i) from one division. Near the
// derivative's zero (x = -1.2785) the sum's error is a few 2^-53 absolute.
struct SiluDerivativeOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    const V one = hn::Set(d, 1.0);
    const V e = ExpOfNegatedForFloat(d, x);
    const V inverse = hn::Div(one, hn::Add(one, e));
    const V clamped = KeepNaN(x, hn::Min(hn::Set(d, 1e30), hn::Max(hn::Set(d, -1e30), x)));
    return hn::Mul(inverse, hn::MulAdd(clamped, hn::Mul(e, inverse), one));
  }
};

// SiLU of float lanes with |x| <= kModerate: x / (1 + E) with 1 + E = hi + lo as for sigmoid
// (OnePlusExpOfNegatedModerate), in float. With the reciprocal estimate R and c = 1 - R (hi +
// lo), x / (hi + lo) = x R (1 + c + c^2) to c^3 (about 2^-36), and fma(x, R, x R (c + c^2))
// rounds it once: the small term's own roundings are 2^-36 of the result. The error left is
// e^r's, and no product is rounded before the last. Below |x| = kSiluTiny the small term would
// round in the subnormals, at up to half the result's ULP (SiluOfFloat takes x / 2 there).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V SiluOfModerate(D d, V x) {
  V hi, lo;
  OnePlusExpOfNegatedModerate</*kCompensated=*/true>(d, x, hi, lo);
  const V estimate = hn::ApproximateReciprocal(hi);
  const V c = hn::NegMulAdd(estimate, lo, hn::NegMulAdd(estimate, hi, hn::Set(d, 1.0f)));
  return hn::MulAdd(x, estimate, hn::Mul(hn::Mul(x, estimate), hn::MulAdd(c, c, c)));
}

constexpr float kSiluTiny = 0x1p-100f;  // silu(x) = x / 2 below it, to 2^-100 relative
// AVX-512's rcp14ps returns 1/2 for 2 exactly; rcpps (AVX2) and Arm's estimates do not.
constexpr bool kReciprocalOfTwoIsExact = HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL;

// f of float lanes: in float by `in_float` where |x| <= limit (nearly every activation's
// input), in double by `in_double` elsewhere (the tails, down to the subnormal results, and inf
// and NaN); lane by lane, so that a lane's bits never depend on the lanes beside it. Targets
// without fused multiply-add cannot carry the float path's rounding errors: all in double there.
// With kTinyIsHalf (SiLU's forward where the reciprocal estimate of 2 is inexact), below
// kSiluTiny x sigmoid(x) is x / 2 to 2^-100 relative, and the float path's small term would
// round in the subnormals, at up to half the result's ULP (1.0000 ULP on AVX2 without this);
// vectors without zeros or tiny lanes skip that selection. The range checks cost some 15% of
// SiLU's time, so the others (GELU's tanh form, SiLU's derivative, SiLU on AVX-512, whose slot
// path gives x / 2 itself and whose rcp14ps of 2 is exactly 1/2) do without the tiny one: their
// proofs hold without it.
template <bool kTinyIsHalf, class D, class V = hn::Vec<D>, class InFloat, class InDoubleF>
HWY_INLINE V InFloatWithDoubleTails(D d, V x, float limit, const InFloat& in_float,
                                    const InDoubleF& in_double) {
#if !HWY_NATIVE_FMA
  (void)limit;
  (void)in_float;
  return InDoubleRegisters(d, x, in_double);
#else
  const V magnitude = hn::Abs(x);
  V near;
  if constexpr (kTinyIsHalf) {
    // tiny <= |x| <= limit as one unsigned compare of |x|'s bits (NaN's are above limit's)
    const hn::RebindToUnsigned<D> du;
    const V tiny = hn::Set(d, kSiluTiny);
    const auto tiny_bits = hn::BitCast(du, tiny);
    const auto past_limit = hn::Add(hn::BitCast(du, hn::Set(d, limit)), hn::Set(du, 1u));
    if (hn::AllTrue(du, hn::Lt(hn::Sub(hn::BitCast(du, magnitude), tiny_bits),
                               hn::Sub(past_limit, tiny_bits)))) {
      return in_float(d, x);
    }
    near = hn::IfThenElse(hn::Lt(magnitude, tiny), hn::Mul(x, hn::Set(d, 0.5f)), in_float(d, x));
  } else {
    if (hn::AllTrue(d, hn::Le(magnitude, hn::Set(d, limit)))) return in_float(d, x);
    near = in_float(d, x);
  }
  const auto moderate = hn::Le(magnitude, hn::Set(d, limit));  // false for NaN
  if (hn::AllTrue(d, moderate)) return near;
  // x86 gives the first of two NaN operands, and a NaN's |x| has lost its sign: put a NaN lane
  // back itself, or its sign would follow the operand order the compiler chose for this copy
  const V wide = hn::IfThenElse(hn::IsNaN(x), x, InDoubleRegisters(d, x, in_double));
  if (hn::AllFalse(d, moderate)) return wide;
  return hn::IfThenElse(moderate, near, wide);
#endif
}

struct SiluOfModerateFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (kHasSlotTables<V>) {
      return SlotSilu(x);
    } else {
      return SiluOfModerate(d, x);
    }
  }
};

// SiLU of float lanes: in float where |x| <= kModerate (AVX-512's slot tables: kSiluLimit), in
// double elsewhere.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V SiluOfFloat(D d, V x) {
  constexpr float kLimit = kHasSlotTables<V> ? tables::kSiluLimit : ExpConstants<float>::kModerate;
  return InFloatWithDoubleTails<!kReciprocalOfTwoIsExact>(d, x, kLimit, SiluOfModerateFloat{},
                                                          SiluOfFloatInDouble{});
}

// `result` but where |x - root| <= radius: there near_root(d, x), where a derivative's sum
// cancels towards its zero at `root`. Such lanes are rare (a fraction of a percent of lanes
// spread as activations are), so vectors without them skip it.
template <class D, class V = hn::Vec<D>, class NearRoot>
HWY_INLINE V WithNearRoot(D d, V x, V result, hn::TFromD<D> root, hn::TFromD<D> radius,
                          const NearRoot& near_root) {
  const auto near = hn::Le(hn::Abs(hn::Sub(x, hn::Set(d, root))), hn::Set(d, radius));
  if (hn::AllFalse(d, near)) return result;
  return hn::IfThenElse(near, near_root(d, x), result);
}

// SiLU's derivative of float lanes with |x| <= kModerate, in float: with D = 1 + e^-x as hi +
// lo (OnePlusExpOfNegatedModerate) and e^-x = D - 1, s (1 + x (1 - s)) = (D + x e^-x) / D^2,
// numerator and denominator carried as hi + lo into one quotient (DivideDoubleWord). For x < 0
// the numerator cancels towards the zero at x0 = -1.2785, scaling e^r's error (2^-26) up, by 4 at
// |x - x0| = 1/16 and by 2.5 at 1/8; within kNearRoot of x0, silu'(x0 + d) = d G(d) with G's
// Taylor series (SiluConstants), whose terms after the first stay below 0.1 of it, so the result
// is rounded about once there. d = x - x0 is exact as hi + lo (x - kRootHi is exact).
struct SiluDerivativeNearRoot {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using C = SiluConstants;
    V offset_lo;
    const V offset =
        FastTwoSum(hn::Sub(x, hn::Set(d, C::kRootHi)), hn::Set(d, -C::kRootLo), offset_lo);
    offset_lo = hn::Sub(offset_lo, hn::Set(d, C::kRootLo2));
    const V slope = hn::Set(d, C::kSlopeHi);
    const V tail = hn::Mul(offset, Polynomial(d, offset, C::kNearRootSeries));
    const V product = hn::Mul(offset, slope);
    const V small = hn::MulAdd(offset, hn::Add(hn::Set(d, C::kSlopeLo), tail),
                               hn::MulAdd(offset_lo, slope, hn::MulSub(offset, slope, product)));
    return hn::Add(product, small);
  }
};

struct SiluDerivativeOfModerateFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (kHasSlotTables<V>) return SlotSiluDerivative(x);
    V hi, lo;
    OnePlusExpOfNegatedModerate</*kCompensated=*/false>(d, x, hi, lo);
    const V exp_of_negated = hn::Sub(hi, hn::Set(d, 1.0f));  // exact: hi is in [1, 2^24)
    const V product = hn::Mul(x, exp_of_negated);
    const V product_lo = hn::MulAdd(x, lo, hn::MulSub(x, exp_of_negated, product));
    V numerator_lo;
    const V numerator = TwoSum(hi, product, numerator_lo);
    numerator_lo = hn::Add(numerator_lo, hn::Add(lo, product_lo));
    const V square = hn::Mul(hi, hi);
    const V square_lo = hn::MulAdd(hn::Add(hi, hi), lo, hn::MulSub(hi, hi, square));
    return WithNearRoot(d, x, DivideDoubleWord(d, numerator, numerator_lo, square, square_lo),
                        SiluConstants::kRootHi, SiluConstants::kNearRoot, SiluDerivativeNearRoot{});
  }
};

// SiLU's derivative of float lanes: in float where |x| <= kModerate, in double elsewhere.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V SiluDerivativeOfFloat(D d, V x) {
  return InFloatWithDoubleTails</*kTinyIsHalf=*/false>(d, x, ExpConstants<float>::kModerate,
                                                       SiluDerivativeOfModerateFloat{},
                                                       SiluDerivativeOfFloatInDouble{});
}

// SiLU, x sigmoid(x). float32 in float where moderate, else in double (SiluOfFloat); float16
// and bfloat16 in double through memory, their double result rounded to odd (kForReducedStorage,
// InDouble), so that they stay correctly rounded. float64: the double sigmoid (within 0.7 ULP)
// times x, rounded once more, within 2.5 ULP, and with its subnormal tail rounded once
// (WithDoubleTail). silu(-inf) = -0, silu(+inf) = +inf.
template <bool kForReducedStorage = false>
struct SiluForwardOf {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  using ForReducedStorage = SiluForwardOf<true>;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (sizeof(hn::TFromD<D>) == 4) {
      if constexpr (kForReducedStorage) return InDouble<true>(d, x, SiluOfFloatInDouble{});
      return SiluOfFloat(d, x);
    } else {
      // only -inf needs the clamp: sigmoid(+inf) is 1
      const V clamped = ClampForProducts(d, x, HUGE_VAL);
      return WithDoubleTail(d, x, hn::Mul(clamped, SigmoidForward{}(d, x)), clamped);
    }
  }
};

using SiluForward = SiluForwardOf<>;

// SiLU's derivative from the input, times the gradient: s (1 + x (1 - s)) with s = sigmoid(x),
// float32 in float where moderate, else in double (SiluDerivativeOfFloat). float64: 1 - s =
// sigmoid(-x) evaluated, not subtracted (which cancels for large x); within a few 2^-53 relative
// but near its zero at x = -1.2785, where the error stays a few 2^-53 absolute.
struct SiluBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V x) const {
    if constexpr (sizeof(hn::TFromD<D>) == 4) {
      return hn::Mul(grad, SiluDerivativeOfFloat(d, x));
    } else {
      const V s = SigmoidForward{}(d, x);
      const V complement = SigmoidForward{}(d, hn::Neg(x));
      const V sum = hn::MulAdd(ClampForProducts(d, x), complement, hn::Set(d, 1.0));
      return hn::Mul(grad, WithDoubleTail(d, x, hn::Mul(s, sum), sum));
    }
  }
};

}  // namespace activations::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ACTIVATIONS_KERNELS_SIMD_FUNCTORS_INL_H_
