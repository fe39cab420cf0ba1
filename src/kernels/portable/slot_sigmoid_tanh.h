// Float32 sigmoid and tanh as slot-selected polynomials, the CPU's AVX-512 algorithm
// (src/kernels/simd/table_activations-inl.h) written once for the host and a CUDA device: each
// operation is the same IEEE operation as there, so the results are the AVX-512 kernels' bits,
// and the exhaustive proof of those (0.90 / 0.59 ULP) covers these. The tables are
// src/kernels/simd/activation_tables.h, laid out [coefficient][slot]: on a device they sit in
// shared memory, where the 32 slots fall in the 32 banks, so a warp's lookups never conflict.
#pragma once

#include <cstdint>

#include "kernels/portable/rounding.h"
#include "kernels/simd/activation_tables.h"

namespace activations::kernels::portable {

constexpr int kSlots = 32;

struct SlotTables {
  float tanh_x0[kSlots];
  float tanh_c0[kSlots];
  float tanh_q[5][kSlots];
  float sigmoid_ln2_lo[kSlots];
  float sigmoid_c0[kSlots];
  float sigmoid_q[6][kSlots];
};

// The generated tables in SlotTables' layout (a constant expression, for device constant data).
constexpr SlotTables make_slot_tables() {
  SlotTables t{};
  for (int s = 0; s < kSlots; ++s) {
    t.tanh_x0[s] = tables::kTanhX0[s];
    t.tanh_c0[s] = tables::kTanhC0[s];
    for (int j = 0; j < 5; ++j) t.tanh_q[j][s] = tables::kTanhQ[j][s];
    t.sigmoid_ln2_lo[s] = tables::kSigmoidLn2Lo[s];
    t.sigmoid_c0[s] = tables::kSigmoidC0[s];
    for (int j = 0; j < 6; ++j) t.sigmoid_q[j][s] = tables::kSigmoidQ[j][s];
  }
  return t;
}

// q[0] + q[1] t + ... with the slot's coefficients, in the AVX-512 kernels' Horner order.
template <int kTerms>
ACTIVATIONS_HOST_DEVICE float slot_polynomial(const float (&q)[kTerms][kSlots], uint32_t slot,
                                              float t) {
  float sum = q[kTerms - 1][slot];
  for (int j = kTerms - 2; j >= 0; --j) sum = fma(sum, t, q[j][slot]);
  return sum;
}

// tanh(x) = sign(x) (c0 + t Q(t)), t = |x| - x0, the slot being the eighth-binade of
// |x| + 5/8 (table_activations-inl.h's SlotTanhRaw says why).
ACTIVATIONS_HOST_DEVICE float slot_tanh(float x, const SlotTables& t) {
  const float a = at_most(tables::kTanhClamp, magnitude(x));
  const uint32_t slot = (bits_of(add(a, tables::kTanhSlotBias)) >> 20) % kSlots;
  const float offset = sub(a, t.tanh_x0[slot]);  // exact (Sterbenz)
  const float q = slot_polynomial(t.tanh_q, slot, offset);
  const float c0 = at_least(t.tanh_c0[slot], offset);
  return with_sign_of(fma(offset, q, c0), x);
}

// sigmoid(-a) = 2^-m F_m(r), a = |x|, m = round(a log2 e), from slot min(m, 31); for x >= 0,
// 1 - sigmoid(-a) (table_activations-inl.h's SlotSigmoidRaw). 2^-m is applied with one
// rounding, into the subnormals too, as vscalefps does: f 2^-64 is exact, and 2^(64-m) is a
// normal float for every m up to the clamp's 150.
ACTIVATIONS_HOST_DEVICE float slot_sigmoid(float x, const SlotTables& t) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  constexpr uint32_t kMagicBits = 0x4B400000u;
  const float a = at_most(tables::kSigmoidClamp, magnitude(x));
  const float rounded = fma(a, tables::kLog2e, kMagic);
  const float minus_m = sub(kMagic, rounded);
  const uint32_t rounded_bits = bits_of(rounded);  // kMagicBits + m
  const uint32_t slot = (rounded_bits < kMagicBits + 31 ? rounded_bits : kMagicBits + 31) % kSlots;
  const float r_hi = fma(minus_m, tables::kLn2Hi, a);  // exact
  const float r = fma(minus_m, t.sigmoid_ln2_lo[slot], r_hi);
  const float q = slot_polynomial(t.sigmoid_q, slot, r);
  const float f = fma(r, q, t.sigmoid_c0[slot]);
  const float pow2_64_minus_m = float_of((kMagicBits + 127 + 64 - rounded_bits) << 23);
  const float of_minus_a = mul(mul(f, 0x1p-64f), pow2_64_minus_m);
  return x >= 0.0f ? sub(1.0f, of_minus_a) : of_minus_a;
}

}  // namespace activations::kernels::portable
