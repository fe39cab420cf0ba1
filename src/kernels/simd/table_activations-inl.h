// AVX-512 float32 sigmoid, tanh and GELU as slot-selected polynomials: a 32-slot
// table per coefficient, held in two zmm registers and looked up per lane with one vpermt2ps, so
// each lane evaluates the polynomial fitted to its own slot with no gather. Sigmoid's and tanh's
// paths end in one fused multiply-add c0 + t Q(t) whose constant c0 is exact (tanh's lowest
// slots: t itself) or within a few thousandths of an ULP of the exact value at the slot's
// expansion point, so the result is rounded about once; GELU's carries its products exactly to
// one last sum; GELU's tanh form reuses sigmoid's tables on its argument. The tables and how they
// were fitted: src/kernels/simd/activation_tables.h and gelu_tables.h, scripts/fit_tables.py and
// fit_gelu_tables.py.
//
// Highway 1.0.3 has no two-register table lookup: raw intrinsics, only in the AVX-512 targets
// (this header is re-included per target by foreach_target, like activation_functors-inl.h).
#if defined(ACTIVATIONS_KERNELS_SIMD_TABLE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ACTIVATIONS_KERNELS_SIMD_TABLE_INL_H_
#undef ACTIVATIONS_KERNELS_SIMD_TABLE_INL_H_
#else
#define ACTIVATIONS_KERNELS_SIMD_TABLE_INL_H_
#endif

#include <hwy/highway.h>

#include <cstdint>

#include "kernels/simd/activation_tables.h"
#include "kernels/simd/gelu_tables.h"

HWY_BEFORE_NAMESPACE();
namespace activations::kernels::HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
template <class V>
constexpr bool kHasSlotTables = sizeof(V) == 64 && sizeof(hwy::HWY_NAMESPACE::TFromV<V>) == 4;

// table[slot] for each lane's slot (the low 5 bits of `slot`).
HWY_INLINE __m512 LookUp(const float (&table)[32], __m512i slot) {
  return _mm512_permutex2var_ps(_mm512_loadu_ps(table), slot, _mm512_loadu_ps(table + 16));
}

// Q(t) = q0 + q1 t + ... + qN t^N with each lane's slot's coefficients.
template <int kTerms>
HWY_INLINE __m512 SlotPolynomial(const float (&q)[kTerms][32], __m512i slot, __m512 t) {
  __m512 sum = LookUp(q[kTerms - 1], slot);
  for (int j = kTerms - 2; j >= 0; --j) {
    sum = _mm512_fmadd_ps(sum, t, LookUp(q[j], slot));
  }
  return sum;
}

// 1.5 * 2^23: adding it to a float below 2^22 rounds to an integer, which then sits in the low
// mantissa bits (so the sum's bits are kRoundingMagicBits plus the integer).
constexpr float kRoundingMagic = 12582912.0f;
constexpr int32_t kRoundingMagicBits = 0x4B400000;

// round(a scale) of lanes 0 <= a scale < 2^22, as the low bits of a 32-bit lane (a table slot).
HWY_INLINE __m512i RoundedSlot(__m512 a, float scale) {
  return _mm512_castps_si512(
      _mm512_fmadd_ps(a, _mm512_set1_ps(scale), _mm512_set1_ps(kRoundingMagic)));
}

// magnitude | (x & sign bit): x's sign put back on a non-negative result (or kept on a result of
// x's sign), -0 included.
HWY_INLINE __m512 WithSignOf(__m512 magnitude, __m512 x) {
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
      _mm512_castps_si512(magnitude), _mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN), 0xF8));
}

// min(|x|, limit); x86's min returns its second operand where either is NaN, so a NaN stays
// NaN (vrangeps would do both in one operation, but returns the other operand for a NaN).
HWY_INLINE __m512 AbsMin(__m512 x, float limit) {
  return _mm512_min_ps(_mm512_set1_ps(limit), _mm512_abs_ps(x));
}

// tanh(x) = sign(x) (c0 + t Q(t)), t = |x| - x0, the slot being the eighth-binade of |x| + 5/8
// (its bits >> 20, mod 32) up to the clamp, where tanh rounds to 1. In the five slots below
// |x| = 5/16, x0 = 0 and c0 = 0, and max(c0, t) makes t itself the base: tanh(t) = t + t Q(t),
// so tiny x gives x itself; elsewhere c0 > |t| is the slot's near-exact tanh(x0). The bias puts
// small |x| into slots of one width (1/16) with no compare or blend, and makes the slots over
// [3.4, 7.4] 1/2 wide, where quarter-binades of |x| are 1 wide: so degree 4 suffices (0.589 ULP;
// quarter-binades needed degree 5). The sign is put back with one bit operation, so tanh is
// exactly odd.
HWY_INLINE __m512 SlotTanhRaw(__m512 x) {
  const __m512 a = AbsMin(x, tables::kTanhClamp);
  // a NaN selects some slot, and stays NaN through t and max's operand order
  const __m512i slot = _mm512_srli_epi32(
      _mm512_castps_si512(_mm512_add_ps(a, _mm512_set1_ps(tables::kTanhSlotBias))), 20);
  const __m512 t = _mm512_sub_ps(a, LookUp(tables::kTanhX0, slot));  // exact (Sterbenz)
  const __m512 q = SlotPolynomial(tables::kTanhQ, slot, t);
  const __m512 c0 = _mm512_max_ps(LookUp(tables::kTanhC0, slot), t);
  return WithSignOf(_mm512_fmadd_ps(t, q, c0), x);
}

// sigmoid(-a) = 2^-m F_m(r) for a >= 0, m = round(a log2 e), r = a - m ln2 with a per-slot
// ln2_lo, and F_m(r) = e^-r / (1 + 2^-m e^-r) = c0 + r Q(r) from slot min(m, 31) (beyond 31 the
// 2^-m e^-r term is below 2^-30 of F): what sigmoid and GELU's tanh form share. f is F rounded
// once (c0 + r Q by one fused multiply-add); r_hi = a - m ln2_hi exactly.
struct SigmoidTerms {
  __m512 minus_m, r_hi, ln2_lo, r, q, c0, f;
};

HWY_INLINE SigmoidTerms SigmoidTermsOf(__m512 a) {
  SigmoidTerms terms;
  const __m512 magic = _mm512_set1_ps(kRoundingMagic);
  const __m512 rounded = _mm512_fmadd_ps(a, _mm512_set1_ps(tables::kLog2e), magic);
  terms.minus_m = _mm512_sub_ps(magic, rounded);
  const __m512i slot = _mm512_min_epi32(_mm512_castps_si512(rounded),
                                        _mm512_set1_epi32(kRoundingMagicBits + 31));  // min(m, 31)
  terms.r_hi = _mm512_fmadd_ps(terms.minus_m, _mm512_set1_ps(tables::kLn2Hi), a);     // exact
  terms.ln2_lo = LookUp(tables::kSigmoidLn2Lo, slot);
  terms.r = _mm512_fmadd_ps(terms.minus_m, terms.ln2_lo, terms.r_hi);
  terms.q = SlotPolynomial(tables::kSigmoidQ, slot, terms.r);
  terms.c0 = LookUp(tables::kSigmoidC0, slot);
  terms.f = _mm512_fmadd_ps(terms.r, terms.q, terms.c0);
  return terms;
}

// sigmoid(-a) for a = |x| (clamped where it rounds to 0) from SigmoidTermsOf; vscalefps applies
// 2^-m with one rounding, into the subnormal tail too. For x >= 0, sigmoid(x) = 1 - sigmoid(-x).
HWY_INLINE __m512 SlotSigmoidRaw(__m512 x) {
  const SigmoidTerms terms = SigmoidTermsOf(AbsMin(x, tables::kSigmoidClamp));
  const __m512 of_minus_a = _mm512_scalef_ps(terms.f, terms.minus_m);
  const __mmask16 non_negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ);
  return _mm512_mask_sub_ps(of_minus_a, non_negative, _mm512_set1_ps(1.0f), of_minus_a);
}

// GELU, tanh form, x sigmoid(v), of lanes with 2^-100 <= |x| <= 9 (the caller checks and takes
// x / 2 below), given v(|x|) = v + v_lo >= 0 (GeluTanhArgumentOfModerate; up to 66.4): with S =
// sigmoid(-v) = 2^-m F from SigmoidTermsOf, x S for x < 0 and x - x S for x >= 0, so max(x, 0) -
// |x| S. F is carried as f + f_lo: f's rounding error (exact: c0 - f is, by Sterbenz), and F's
// change over what r lacks of v + v_lo - m ln2 (v_lo, up to 2^-19, and r's rounding error),
// F'(r) = -F (1 - S). |x| 2^-m is exact, so only F's fit (within 0.34 of 2^-24) and the last sum
// round: max(x, 0) - |x| 2^-m f rounded once with its error exactly, as for GELU's erf form.
// 0.7974 ULP over all float32 inputs; with v_lo added to r (two roundings) and F' taken as -F,
// 1.22-1.26 ULP for 8 operations fewer per vector.
HWY_INLINE __m512 SlotGeluTanhRaw(__m512 x, __m512 v, __m512 v_lo) {
  const SigmoidTerms terms = SigmoidTermsOf(v);
  // what r lacks of v + v_lo - m ln2: r's rounding error (r_hi - r is a rounding of a number
  // below 0.03, so its own error is below 2^-30) and v_lo; F(r + delta) = F(r) - F (1 - S) delta
  const __m512 delta = _mm512_add_ps(
      _mm512_fmadd_ps(terms.minus_m, terms.ln2_lo, _mm512_sub_ps(terms.r_hi, terms.r)), v_lo);
  const __m512 slope = _mm512_fnmadd_ps(_mm512_scalef_ps(terms.f, terms.minus_m), terms.f,
                                        terms.f);  // F (1 - S)
  const __m512 f_lo = _mm512_fnmadd_ps(
      slope, delta,
      _mm512_fmadd_ps(terms.r, terms.q, _mm512_sub_ps(terms.c0, terms.f)));  // c0 + r Q - f
  const __m512 scaled_a = _mm512_scalef_ps(_mm512_abs_ps(x), terms.minus_m);
  const __m512 positive = _mm512_max_ps(x, _mm512_setzero_ps());
  const __m512 difference = _mm512_fnmadd_ps(scaled_a, terms.f, positive);
  const __m512 difference_lo =
      _mm512_fnmadd_ps(scaled_a, terms.f, _mm512_sub_ps(positive, difference));
  return _mm512_add_ps(difference, _mm512_fnmadd_ps(scaled_a, f_lo, difference_lo));
}

// SiLU of lanes with |x| <= tables::kSiluLimit (the caller checks): silu(x) = base - (c0 + t
// Q(t)) for a = |x| from the slot m = round(3 a), t = a - x0 (exact, Sterbenz; in slot 0 x0 = 0).
// From slot 2 up, base = max(x, 0) and c0 + t Q(t) = a sigmoid(-a); below, base = x / 2 and c0 +
// t Q(t) = -(a / 2) tanh(a / 2), for there a sigmoid(-a) is most of the result and Q's own
// rounding would show (up to 1.03 ULP; scripts/fit_tables.py). base - c0 is carried exactly
// (Fast2Sum: |base| >= |c0|), so only t Q(t), a small part of the result, and the last sum round.
// Some 23 operations per vector where the quotient path took about 30. -0 keeps its sign, and tiny
// inputs give x / 2 (slot 0's t Q(t) is about x^2 / 4).
HWY_INLINE __m512 SlotSiluRaw(__m512 x) {
  const __m512 a = _mm512_abs_ps(x);
  const __m512i slot = RoundedSlot(a, tables::kSiluSlotScale);
  const __m512 t = _mm512_sub_ps(a, LookUp(tables::kSiluX0, slot));
  const __m512 q = SlotPolynomial(tables::kSiluQ, slot, t);
  const __m512 c0 = LookUp(tables::kSiluC0, slot);
  const __mmask16 half_based =
      _mm512_cmplt_epi32_mask(slot, _mm512_set1_epi32(kRoundingMagicBits + tables::kSiluHalfSlots));
  const __m512 base = _mm512_mask_mul_ps(_mm512_max_ps(x, _mm512_setzero_ps()), half_based, x,
                                         _mm512_set1_ps(0.5f));
  const __m512 sum = _mm512_sub_ps(base, c0);
  const __m512 sum_lo = _mm512_sub_ps(_mm512_sub_ps(base, sum), c0);
  // silu(-0) = -0, where the sum gives +0; other results already have x's sign
  return WithSignOf(_mm512_add_ps(sum, _mm512_fnmadd_ps(t, q, sum_lo)), x);
}

// SiLU's derivative of lanes with |x| <= 16 (the caller checks): silu'(-a) = c0 + t Q(t) for a =
// |x| from the slot m = round(a k) (at most 25), t = a - x0, and silu'(x) = 1 - silu'(-x) for x
// >= 0. k puts the derivative's zero (x = -1.2785) in the middle of slot 2, which is expanded
// about the float nearest the zero, so that c0 + t Q(t) keeps its relative accuracy down to it;
// the other slots' x0 keep c0 + t Q(t) from cancelling (scripts/fit_tables.py).
HWY_INLINE __m512 SlotSiluDerivativeRaw(__m512 x) {
  const __m512 a = _mm512_abs_ps(x);
  const __m512i slot = RoundedSlot(a, tables::kSiluDerivativeSlotScale);
  const __m512 t = _mm512_sub_ps(a, LookUp(tables::kSiluDerivativeX0, slot));
  const __m512 of_minus_a = _mm512_fmadd_ps(t, SlotPolynomial(tables::kSiluDerivativeQ, slot, t),
                                            LookUp(tables::kSiluDerivativeC0, slot));
  const __mmask16 non_negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ);
  return _mm512_mask_sub_ps(of_minus_a, non_negative, _mm512_set1_ps(1.0f), of_minus_a);
}

// e^(-a^2 / 2) = hi (1 + rel) for 0 <= a <= tables::kGeluLimit, hi normal with 12 significant
// bits and rel below 0.012 (scripts/fit_gelu_tables.py): k = round(16 a^2 / ln2), r = a^2 - k ln2
// / 16 (k ln2_hi is exact, and a^2 - k ln2_hi rounds once inside a fused multiply-subtract: |r| <
// 0.06, so within 2^-29), e^(-r / 2) = 1 + r P(r), and 2^(-k / 32) = 2^-m 2^(-j / 32) from a
// table of 2^(-j / 32) as a 12-bit hi times 1 + rel, 2^-m put into the float's exponent.
HWY_INLINE void GaussianOf(__m512 a, __m512& hi, __m512& rel) {
  const __m512 square = _mm512_mul_ps(a, a);
  const __m512 magic = _mm512_set1_ps(kRoundingMagic);
  const __m512 rounded = _mm512_fmadd_ps(square, _mm512_set1_ps(tables::kGeluSquareToK), magic);
  const __m512 k = _mm512_sub_ps(rounded, magic);
  const __m512 r_hi =
      _mm512_fmsub_ps(a, a, _mm512_mul_ps(k, _mm512_set1_ps(tables::kGeluReductionHi)));
  const __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(tables::kGeluReductionLo), r_hi);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(tables::kGeluReductionP[2]), r,
                             _mm512_set1_ps(tables::kGeluReductionP[1]));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(tables::kGeluReductionP[0]));  // e^(-r / 2) = 1 + r p
  // k = 32 m + j sits in the low bits of `rounded`, whose bits << 18 are k << 18 mod 2^32: taken
  // from the table's hi (which carries j << 18 in its bits) they leave hi 2^-m
  const __m512i k_bits = _mm512_castps_si512(rounded);
  hi = _mm512_castsi512_ps(_mm512_sub_epi32(
      _mm512_castps_si512(LookUp(tables::kGeluExp2Hi, k_bits)), _mm512_slli_epi32(k_bits, 18)));
  // (1 + r p)(1 + table_rel) - 1, the product term kept (table_rel reaches 2^-12)
  const __m512 table_rel = LookUp(tables::kGeluExp2Rel, k_bits);
  rel = _mm512_fmadd_ps(p, _mm512_fmadd_ps(r, table_rel, r), table_rel);
}

// What GELU and its derivative share for lanes x: a = |x|, e^(-a^2 / 2) = exp_hi (1 + exp_rel),
// and from the slot of a (the eighth-binade of a + 1) in the given tables t = a - x0, Q(t) and c0.
struct GeluTerms {
  __m512 a, exp_hi, exp_rel, t, q, c0;
};

template <int kTerms>
HWY_INLINE GeluTerms GeluTermsOf(__m512 x, const float (&x0)[32], const float (&c0)[32],
                                 const float (&q)[kTerms][32]) {
  GeluTerms terms;
  terms.a = _mm512_abs_ps(x);
  GaussianOf(terms.a, terms.exp_hi, terms.exp_rel);
  const __m512i slot = _mm512_srli_epi32(
      _mm512_castps_si512(_mm512_add_ps(terms.a, _mm512_set1_ps(tables::kGeluSlotBias))), 20);
  terms.t = _mm512_sub_ps(terms.a, LookUp(x0, slot));
  terms.q = SlotPolynomial(q, slot, terms.t);
  terms.c0 = LookUp(c0, slot);
  return terms;
}

// GELU (erf form) of lanes with |x| <= tables::kGeluLimit (the caller checks): x - G(a) for x >= 0
// and -G(a) for x < 0, G(a) = a R(a) e^(-a^2 / 2), R(a) = c0 (1 + t Q(t)) from the slot of a.
// So G = a S (1 + delta) with S = c0 hi exactly (c0 and the table's hi have 12 significant bits
// each); delta = (1 + t Q)(1 + rel) - 1 stays below 0.1, so its roundings are small beside a S,
// which fused multiply-adds take exactly, with x for x >= 0, so that the result rounds about once.
// Tiny |x| would make the products subnormal: the caller takes x / 2 there (and for +-0, whose sign
// this would lose).
HWY_INLINE __m512 SlotGeluRaw(__m512 x) {
  const auto [a, exp_hi, exp_rel, t, q, c0] =
      GeluTermsOf(x, tables::kGeluX0, tables::kGeluC0, tables::kGeluQ);
  const __m512 delta = _mm512_fmadd_ps(t, _mm512_fmadd_ps(q, exp_rel, q), exp_rel);
  const __m512 scale = _mm512_mul_ps(c0, exp_hi);    // exact: 12 significant bits each
  const __m512 small = _mm512_mul_ps(scale, delta);  // G - a scale = a small
  // max(x, 0) - a scale: rounded once, and its error exactly (max(x, 0) - difference is exact,
  // Sterbenz, and x - a scale's error is one rounding of a number below its half ULP)
  const __m512 positive = _mm512_max_ps(x, _mm512_setzero_ps());
  const __m512 difference = _mm512_fnmadd_ps(a, scale, positive);
  const __m512 difference_lo = _mm512_fnmadd_ps(a, scale, _mm512_sub_ps(positive, difference));
  return _mm512_add_ps(difference, _mm512_fnmadd_ps(a, small, difference_lo));
}

// GELU's derivative of lanes with |x| <= tables::kGeluLimit (the caller checks): 1 + E D(a) for
// x >= 0 and -E D(a) for x < 0, with E = e^(-a^2 / 2) = hi (1 + rel) and D(a) = a / sqrt(2 pi) -
// R(a) = c0 + t Q(t) from the slot of a. D is 0 at a = 0.7518: the slots within 0.13 of it expand
// about the float nearest that zero, where c0 is tiny and t Q(t) the larger term, so that D keeps
// its relative precision through the zero (no near-root series is needed). c0 + t Q(t) is carried
// exactly as hi + lo, and so is hi's product with it, so only Q's own evaluation (in those slots
// up to 2^-24 of D) and the last sum round, with 1 or 0 by Fast2Sum (|E D| <= 1/2).
HWY_INLINE __m512 SlotGeluDerivativeRaw(__m512 x) {
  const auto [a, exp_hi, exp_rel, t, q, c0] = GeluTermsOf(
      x, tables::kGeluDerivativeX0, tables::kGeluDerivativeC0, tables::kGeluDerivativeQ);
  // D = c0 + y + y_lo = sum + sum_lo exactly: TwoProduct, then Fast2Sum from whichever of c0 and
  // y is the larger in magnitude (either may be). vrangeps picks them, each with its own sign
  // (sign control 01); of equal magnitudes and opposite signs, max takes the positive and min
  // the negative, so the two are always c0 and y.
  const __m512 y = _mm512_mul_ps(t, q);
  const __m512 y_lo = _mm512_fmsub_ps(t, q, y);
  const __m512 larger = _mm512_range_ps(c0, y, 0x7);
  const __m512 smaller = _mm512_range_ps(c0, y, 0x6);
  const __m512 sum = _mm512_add_ps(larger, smaller);
  const __m512 sum_lo = _mm512_add_ps(_mm512_add_ps(_mm512_sub_ps(larger, sum), smaller), y_lo);
  // x < 0: -E D, x >= 0: 1 + E D, so E takes x's sign: (-1)^s E D = main + small, main exact
  const __m512i x_bits = _mm512_castps_si512(x);
  const __m512 signed_hi = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
      _mm512_castps_si512(exp_hi), x_bits, _mm512_set1_epi32(INT32_MIN), 0x78));  // hi ^ (x & sign)
  const __m512 main = _mm512_mul_ps(sum, signed_hi);
  const __m512 main_lo = _mm512_fmsub_ps(sum, signed_hi, main);
  const __m512 small = _mm512_fmadd_ps(main, exp_rel, _mm512_fmadd_ps(signed_hi, sum_lo, main_lo));
  // the last sum from 0 or 1 by Fast2Sum (|E D| <= 1/2)
  const __m512 base = _mm512_castsi512_ps(_mm512_andnot_si512(
      _mm512_srai_epi32(x_bits, 31), _mm512_castps_si512(_mm512_set1_ps(1.0f))));
  const __m512 total = _mm512_add_ps(base, main);
  const __m512 total_lo = _mm512_add_ps(_mm512_sub_ps(base, total), main);
  return _mm512_add_ps(total, _mm512_add_ps(total_lo, small));
}

template <class V>
HWY_INLINE V SlotTanh(V x) {
  return V{SlotTanhRaw(x.raw)};
}
template <class V>
HWY_INLINE V SlotSigmoid(V x) {
  return V{SlotSigmoidRaw(x.raw)};
}
template <class V>
HWY_INLINE V SlotGeluTanh(V x, V v, V v_lo) {
  return V{SlotGeluTanhRaw(x.raw, v.raw, v_lo.raw)};
}
template <class V>
HWY_INLINE V SlotSilu(V x) {
  return V{SlotSiluRaw(x.raw)};
}
template <class V>
HWY_INLINE V SlotSiluDerivative(V x) {
  return V{SlotSiluDerivativeRaw(x.raw)};
}
template <class V>
HWY_INLINE V SlotGelu(V x) {
  return V{SlotGeluRaw(x.raw)};
}
template <class V>
HWY_INLINE V SlotGeluDerivative(V x) {
  return V{SlotGeluDerivativeRaw(x.raw)};
}
#else
template <class V>
constexpr bool kHasSlotTables = false;
template <class V>
HWY_INLINE V SlotTanh(V x) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotSigmoid(V x) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotGeluTanh(V x, V, V) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotSilu(V x) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotSiluDerivative(V x) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotGelu(V x) {
  return x;  // never called
}
template <class V>
HWY_INLINE V SlotGeluDerivative(V x) {
  return x;  // never called
}
#endif

}  // namespace activations::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ACTIVATIONS_KERNELS_SIMD_TABLE_INL_H_
