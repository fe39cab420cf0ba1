// GELU's functors in both of torch's forms (gelu_constants.h): float32 in float where the
// target allows it (the erf form from AVX-512's slot tables, table_activations-inl.h; the tanh
// form with |x| <= 9 on targets with fused multiply-add), else, and float16 and bfloat16, in
// double vectors and rounded once, as SiLU; float64 lane by lane in the portable
// double math (src/kernels/portable/gelu_float64.h), which the CUDA kernels run too.
// Re-included per target by foreach_target, like activation_functors-inl.h.
#if defined(ACTIVATIONS_KERNELS_SIMD_GELU_FUNCTORS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ACTIVATIONS_KERNELS_SIMD_GELU_FUNCTORS_INL_H_
#undef ACTIVATIONS_KERNELS_SIMD_GELU_FUNCTORS_INL_H_
#else
#define ACTIVATIONS_KERNELS_SIMD_GELU_FUNCTORS_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>

#include "kernels/gelu_constants.h"
#include "kernels/portable/activation_math.h"
#include "kernels/portable/rounding.h"
#include "kernels/simd/activation_functors-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activations::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// An activation computed lane by lane in double by Math's scalar functions, rounded once to the
// lane type; for float16 and bfloat16 storage (kForReducedStorage) the float is rounded to odd
// first, so that the store's rounding to 16 bits is the correct one.
template <class Math, bool kForReducedStorage = false>
struct LanewiseForward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  using ForReducedStorage = LanewiseForward<Math, true>;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using T = hn::TFromD<D>;
    HWY_ALIGN T lanes[hn::MaxLanes(d)];
    hn::Store(x, d, lanes);
    for (size_t i = 0; i < hn::Lanes(d); ++i) {
      // a NaN stays itself (see InFloatWithDoubleTails)
      if (std::isnan(lanes[i])) continue;
      const double result = Math::value(static_cast<double>(lanes[i]));
      lanes[i] = kForReducedStorage ? portable::round_to_odd_float(result) : static_cast<T>(result);
    }
    return hn::Load(d, lanes);
  }
};

// g * f'(x) with f'(x) from Math lane by lane, the product in the compute type.
template <class Math>
struct LanewiseBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V x) const {
    using T = hn::TFromD<D>;
    HWY_ALIGN T lanes[hn::MaxLanes(d)];
    hn::Store(x, d, lanes);
    for (size_t i = 0; i < hn::Lanes(d); ++i) {
      lanes[i] = static_cast<T>(Math::derivative(static_cast<double>(lanes[i])));
    }
    return hn::Mul(grad, hn::Load(d, lanes));
  }
};

// float32 lanes computed in double registers by ValueInDouble and rounded once.
template <class ValueInDouble>
struct InDoubleRegistersOf {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    return InDoubleRegisters(d, x, ValueInDouble{});
  }
};

// A float activation's functors: float32 by Float32 (by default in double registers by
// ValueInDouble, rounded once; the backward's derivative likewise by DerivativeInDouble);
// float64, and float16 and bfloat16 storage (whose correct rounding needs Math's full precision:
// with the shorter forward Q, x Phi(x) of a tiny x lands on the wrong side of a 16-bit tie), lane
// by lane by Math.
template <class ValueInDouble, class Math, class Float32 = InDoubleRegistersOf<ValueInDouble>>
struct FloatInDoubleForward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  using ForReducedStorage = LanewiseForward<Math, true>;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (sizeof(hn::TFromD<D>) == 4) {
      return Float32{}(d, x);
    } else {
      return LanewiseForward<Math>{}(d, x);
    }
  }
};

template <class DerivativeInDouble, class Math,
          class Float32 = InDoubleRegistersOf<DerivativeInDouble>>
struct FloatInDoubleBackward {
  static constexpr bool kIntegral = false;
  static constexpr bool kRaw16 = false;
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V grad, V x) const {
    if constexpr (sizeof(hn::TFromD<D>) == 4) {
      return hn::Mul(grad, Float32{}(d, x));
    } else {
      return LanewiseBackward<Math>{}(d, grad, x);
    }
  }
};

// For a = |x| of a float x, clamped to kFloatErfcLimit: h = t Q(t) / 2 with t = 2 / (2 + a /
// sqrt2), so that Phi(-a) = h e with e = e^(-a^2 / 2); a^2 is exact (a has 24 bits), e within
// 2^-37, Q the shorter kErfcQFloat (2.6e-11 relative).
template <class D, class V = hn::Vec<D>>
HWY_INLINE void GaussianTailOfFloat(D d, V a, V& h, V& e) {
  using C = GeluConstants;
  const V two = hn::Set(d, 2.0);
  const V t = hn::Div(two, hn::MulAdd(a, hn::Set(d, C::kInverseSqrt2), two));
  const V q =
      Polynomial(d, hn::MulAdd(t, hn::Set(d, C::kErfcFloatScale), hn::Set(d, C::kErfcFloatOffset)),
                 C::kErfcQFloat);
  h = hn::Mul(hn::Mul(hn::Set(d, 0.5), t), q);
  e = ExpOfNegatedForFloat(d, hn::Mul(hn::Mul(a, a), hn::Set(d, 0.5)));
}

// GELU, erf form, of float inputs: x < 0: -a Phi(-a); x >= 0: x (1 - Phi(-x)). -inf gives -0
// (through the clamped a), +inf gives +inf, NaN stays NaN.
struct GeluOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    const V a = hn::Min(hn::Set(d, GeluConstants::kFloatErfcLimit), hn::Abs(x));
    V h, e;
    GaussianTailOfFloat(d, a, h, e);
    const V lower = hn::Mul(h, e);  // Phi(-a)
    const V positive = hn::Mul(x, hn::Sub(hn::Set(d, 1.0), lower));
    return KeepNaN(x, hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Neg(hn::Mul(a, lower)), positive));
  }
};

// Phi(x) + x phi(x), phi(x) = e^(-x^2 / 2) / sqrt(2 pi): x < 0: (h - a / sqrt(2 pi)) e, whose
// difference cancels only near the zero at x0 = -0.7518, where d G(d) takes over (d = x - x0;
// GeluConstants); x >= 0: (1 - h e) + (a / sqrt(2 pi)) e.
struct GeluDerivativeOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using C = GeluConstants;
    const V a = hn::Min(hn::Set(d, C::kFloatErfcLimit), hn::Abs(x));
    V h, e;
    GaussianTailOfFloat(d, a, h, e);
    const V density = hn::Mul(a, hn::Set(d, C::kInverseSqrt2Pi));
    const V negative = hn::Mul(hn::Sub(h, density), e);
    const V positive = hn::MulAdd(density, e, hn::NegMulAdd(h, e, hn::Set(d, 1.0)));
    return KeepNaN(x, hn::IfThenElse(hn::Lt(x, hn::Zero(d)), negative, positive));
  }
};

// d G(d) with d = x - x0 (x - kDerivativeRootHi is exact there), for |d| <= kDerivativeNearRoot.
struct GeluDerivativeNearRootInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using C = GeluConstants;
    const V from_root =
        hn::Sub(hn::Sub(x, hn::Set(d, C::kDerivativeRootHi)), hn::Set(d, C::kDerivativeRootLo));
    return hn::Mul(from_root, Polynomial(d, from_root, C::kDerivativeNearRootSeries));
  }
};

struct SlotGeluDerivativeOfFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D, V x) const {
    return SlotGeluDerivative(x);
  }
};

// GELU's derivative of float lanes: on AVX-512 from the slot tables where |x| <= kGeluLimit, in
// double elsewhere. Other targets compute it in double registers, the lanes near its zero again
// by GeluDerivativeNearRootInDouble (some 0.2% of lanes spread as activations are), checked once
// per float vector; the check costs about 7% of the time.
struct GeluDerivativeOfFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using C = GeluConstants;
    if constexpr (kHasSlotTables<V>) {
      return InFloatWithDoubleTails</*kTinyIsHalf=*/false>(
          d, x, tables::kGeluLimit, SlotGeluDerivativeOfFloat{}, GeluDerivativeOfFloatInDouble{});
    } else {
      return WithNearRoot(d, x, InDoubleRegisters(d, x, GeluDerivativeOfFloatInDouble{}),
                          static_cast<float>(C::kDerivativeRootHi),
                          static_cast<float>(C::kDerivativeNearRoot),
                          InDoubleRegistersOf<GeluDerivativeNearRootInDouble>{});
    }
  }
};

// GELU tanh's float path covers |x| <= 9; beyond, its double path (x E would leave the normal
// floats near x = -9.9, and for x > 9 the result is x).
constexpr float kGeluTanhModerate = 9.0f;

// v = 2 sqrt(2/pi) x (1 + 0.044715 x^2) of a float x, within a few 2^-53 relative (x^2 is exact);
// sigmoid(v)'s error from it is below 2^-44 relative wherever the float result is not 0.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V GeluTanhArgumentOfFloat(D d, V x) {
  using C = GeluConstants;
  const V widened = hn::MulAdd(hn::Mul(x, x), hn::Set(d, C::kCubicHi), hn::Set(d, 1.0));
  return hn::Mul(hn::Mul(x, hn::Set(d, C::kTwoSqrt2OverPiHi)), widened);
}

// GELU, tanh form, of float inputs: x / (1 + e^-v), one division, as SiLU. x is clamped to
// -1e30 so that -inf gives -0; +inf gives +inf (e^-v clamped to e^-200).
struct GeluTanhOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    const V clamped = KeepNaN(x, hn::Max(hn::Set(d, -1e30), x));
    const V e = ExpOfNegatedForFloat(d, GeluTanhArgumentOfFloat(d, clamped));
    return hn::Div(clamped, hn::Add(hn::Set(d, 1.0), e));
  }
};

// v = k a (1 + c a^2) of float lanes a = |x| <= kGeluTanhModerate (k = 2 sqrt(2/pi) and c =
// 0.044715 as float hi + lo) as v + v_lo, to some 2^-40 relative: x^2, c x^2 and k a split exactly
// by fused multiply-adds, 1 + c x^2 by Fast2Sum. The float paths' sigmoid(v) is proportional to
// e^-v where x < 0, and v reaches 66 there, so a float v alone would cost up to 2^-19 of it.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V GeluTanhArgumentOfModerate(D d, V a, V& v_lo) {
  using C = GeluConstants;
  constexpr float kHi = static_cast<float>(C::kTwoSqrt2OverPiHi);
  constexpr float kLo = static_cast<float>(C::kTwoSqrt2OverPiHi - static_cast<double>(kHi));
  constexpr float kCubicHi = static_cast<float>(C::kCubicHi);
  constexpr float kCubicLo = static_cast<float>(C::kCubicHi - static_cast<double>(kCubicHi));
  const V one = hn::Set(d, 1.0f);
  const V square = hn::Mul(a, a);
  const V square_lo = hn::MulSub(a, a, square);
  const V cubic = hn::Mul(hn::Set(d, kCubicHi), square);
  const V cubic_lo = hn::MulSub(hn::Set(d, kCubicHi), square, cubic);
  const V widened = hn::Add(one, cubic);  // 1 + c x^2 in [1, 4.7]: Fast2Sum from 1 is exact
  V widened_lo = hn::Sub(cubic, hn::Sub(widened, one));
  widened_lo = hn::MulAdd(hn::Set(d, kCubicHi), square_lo,
                          hn::MulAdd(hn::Set(d, kCubicLo), square, hn::Add(widened_lo, cubic_lo)));
  const V scaled = hn::Mul(hn::Set(d, kHi), a);
  const V scaled_lo = hn::MulAdd(hn::Set(d, kLo), a, hn::MulSub(hn::Set(d, kHi), a, scaled));
  const V v = hn::Mul(scaled, widened);
  v_lo = hn::Add(hn::MulSub(scaled, widened, v),
                 hn::MulAdd(scaled, widened_lo, hn::Mul(scaled_lo, widened)));
  return v;
}

// GELU, tanh form, of float lanes with |x| <= kGeluTanhModerate (the caller checks), in float:
// x sigmoid(v) as x / (1 + E) for x >= 0 and x E / (1 + E) for x < 0, E = e^-|v| <= 1, one
// quotient of double-word parts (DivideDoubleWord), so the result is rounded about once. Where x
// < 0 the result is proportional to E: v is carried as hi + lo (GeluTanhArgumentOfModerate), and
// E = 2^n e^r takes v's low part, r's rounding error and e^r's own (its inner sum's) into its low
// part. With |x| <= 9, E >= 2^-96 and x E are normal. (AVX-512 takes sigmoid's slot tables
// instead: SlotGeluTanhRaw.)
template <class D, class V = hn::Vec<D>>
HWY_INLINE V GeluTanhOfModerate(D d, V x) {
  const V one = hn::Set(d, 1.0f);
  V v_lo;
  const V v = GeluTanhArgumentOfModerate(d, hn::Abs(x), v_lo);
  V r, r_error, q, n, rounded;
  ReduceExp<0, /*kNegated=*/true, 0, /*kFloatRoundingError=*/true>(d, v, r, r_error, q, n, rounded);
  const V inner = hn::MulAdd(q, r, one);  // e^r = 1 + r inner
  const V exp_r = hn::MulAdd(inner, r, one);
  V exp_r_lo = hn::MulAdd(inner, r, hn::Sub(one, exp_r));
  exp_r_lo = hn::MulAdd(r, hn::MulAdd(q, r, hn::Sub(one, inner)), exp_r_lo);
  exp_r_lo = hn::MulAdd(hn::Sub(r_error, v_lo), exp_r, exp_r_lo);    // e^(r + r_error - v_lo)
  const V scale = MultiplyByPow2Bits(d, one, Pow2Bits(d, rounded));  // 2^n
  const V e = hn::Mul(exp_r, scale);                                 // exact
  const V e_lo = hn::Mul(exp_r_lo, scale);
  const V denominator = hn::Add(one, e);
  const V denominator_lo = hn::Add(hn::Add(hn::Sub(one, denominator), e), e_lo);
  const auto negative = hn::Lt(x, hn::Zero(d));
  const V product = hn::Mul(x, e);
  const V numerator = hn::IfThenElse(negative, product, x);
  const V numerator_lo =
      hn::IfThenElseZero(negative, hn::MulAdd(x, e_lo, hn::MulSub(x, e, product)));
  // the result has x's sign, -0 included (the quotient of -0 comes out +0)
  return hn::CopySign(DivideDoubleWord(d, numerator, numerator_lo, denominator, denominator_lo), x);
}

struct GeluTanhOfModerateFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (kHasSlotTables<V>) {
      V v_lo;
      const V v = GeluTanhArgumentOfModerate(d, hn::Abs(x), v_lo);
      return SlotGeluTanh(x, v, v_lo);
    } else {
      return GeluTanhOfModerate(d, x);
    }
  }
};

// GELU, tanh form, of float32 lanes: in float where |x| <= kGeluTanhModerate, in double
// elsewhere (InFloatWithDoubleTails).
struct GeluTanhOfFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    // AVX-512's slot path would lose -0's sign and round tiny products in the subnormals
    return InFloatWithDoubleTails</*kTinyIsHalf=*/kHasSlotTables<V>>(
        d, x, kGeluTanhModerate, GeluTanhOfModerateFloat{}, GeluTanhOfFloatInDouble{});
  }
};

// s (1 + x v' (1 - s)) with i = 1 / (1 + e^-v) = s and 1 - s = e^-v i, from one division; x
// clamped to the portable math's kTanhFormLimit, beyond which the derivative rounds to 1 or -0
// (and x v' e^-v could not meet e^-v's own clamp).
struct GeluTanhDerivativeOfFloatInDouble {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    using C = GeluConstants;
    const V limit = hn::Set(d, C::kTanhFormLimit);
    const V clamped = KeepNaN(x, hn::Min(limit, hn::Max(hn::Neg(limit), x)));
    const V one = hn::Set(d, 1.0);
    const V e = ExpOfNegatedForFloat(d, GeluTanhArgumentOfFloat(d, clamped));
    const V inverse = hn::Div(one, hn::Add(one, e));
    const V slope = hn::MulAdd(hn::Mul(clamped, clamped), hn::Set(d, C::kSlopeOfCubic),
                               hn::Set(d, C::kTwoSqrt2OverPiHi));
    return hn::Mul(inverse, hn::MulAdd(hn::Mul(clamped, slope), hn::Mul(e, inverse), one));
  }
};

struct SlotGeluOfFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D, V x) const {
    return SlotGelu(x);
  }
};

// GELU, erf form, of float32 lanes: on AVX-512 from the slot tables where |x| <= kGeluLimit
// (x / 2 for tiny |x|), in double elsewhere; other targets in double registers throughout.
struct GeluOfFloat {
  template <class D, class V = hn::Vec<D>>
  HWY_INLINE V operator()(D d, V x) const {
    if constexpr (kHasSlotTables<V>) {
      return InFloatWithDoubleTails</*kTinyIsHalf=*/true>(d, x, tables::kGeluLimit,
                                                          SlotGeluOfFloat{}, GeluOfFloatInDouble{});
    } else {
      return InDoubleRegisters(d, x, GeluOfFloatInDouble{});
    }
  }
};

using GeluForward = FloatInDoubleForward<GeluOfFloatInDouble, portable::GeluMath, GeluOfFloat>;
using GeluBackward =
    FloatInDoubleBackward<GeluDerivativeOfFloatInDouble, portable::GeluMath, GeluDerivativeOfFloat>;
using GeluTanhForward =
    FloatInDoubleForward<GeluTanhOfFloatInDouble, portable::GeluTanhMath, GeluTanhOfFloat>;
using GeluTanhBackward =
    FloatInDoubleBackward<GeluTanhDerivativeOfFloatInDouble, portable::GeluTanhMath>;

}  // namespace activations::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ACTIVATIONS_KERNELS_SIMD_GELU_FUNCTORS_INL_H_
