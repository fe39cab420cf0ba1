// Arithmetic that rounds exactly once per operation on the host and on a CUDA device, for the
// math that both compile (src/kernels/portable/): the host build is what the exhaustive proof
// runs, so it must compute the device's bits. nvcc fuses a multiply and an add into one fma
// unless told otherwise, which would change the error terms; the __f*_rn intrinsics are never
// fused. The host side relies on -ffp-contract=off (the ISO C++ default of g++).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__CUDACC__)
#define ACTIVATIONS_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define ACTIVATIONS_HOST_DEVICE inline
#endif

namespace activations::kernels::portable {

// float or double: a + b, a - b, a * b and a * b + c, each rounded once to nearest.
template <typename T>
ACTIVATIONS_HOST_DEVICE T add(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) return __fadd_rn(a, b);
  if constexpr (sizeof(T) == 8) return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
template <typename T>
ACTIVATIONS_HOST_DEVICE T sub(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) return __fsub_rn(a, b);
  if constexpr (sizeof(T) == 8) return __dsub_rn(a, b);
#else
  return a - b;
#endif
}
template <typename T>
ACTIVATIONS_HOST_DEVICE T mul(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) return __fmul_rn(a, b);
  if constexpr (sizeof(T) == 8) return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
template <typename T>
ACTIVATIONS_HOST_DEVICE T fma(T a, T b, T c) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 4) return __fmaf_rn(a, b, c);
  if constexpr (sizeof(T) == 8) return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

// The bits of a float or double, and back.
template <typename T>
using BitsOf = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;

template <typename To, typename From>
ACTIVATIONS_HOST_DEVICE To bit_cast(From v) {
  static_assert(sizeof(To) == sizeof(From), "same size");
  To result;
  std::memcpy(&result, &v, sizeof result);
  return result;
}
template <typename T>
ACTIVATIONS_HOST_DEVICE BitsOf<T> bits_of(T v) {
  return bit_cast<BitsOf<T>>(v);
}
ACTIVATIONS_HOST_DEVICE float float_of(uint32_t bits) {
  return bit_cast<float>(bits);
}

// |v| and sign transfer on the bits: exact, and NaN payloads pass through.
template <typename T>
constexpr BitsOf<T> kSignBit = BitsOf<T>{1} << (8 * sizeof(T) - 1);
template <typename T>
ACTIVATIONS_HOST_DEVICE T magnitude(T v) {
  return bit_cast<T>(bits_of(v) & ~kSignBit<T>);
}
template <typename T>
ACTIVATIONS_HOST_DEVICE T with_sign_of(T magnitude_value, T sign_source) {
  return bit_cast<T>(bits_of(magnitude_value) | (bits_of(sign_source) & kSignBit<T>));
}

// min(limit, v) and max(limit, v) returning v where v is NaN, as x86's minps/maxps with v second
// (IEEE fminf/fmaxf would return the limit and lose the NaN). A device does it for float in one
// instruction (a canonical NaN for a NaN).
template <typename T>
ACTIVATIONS_HOST_DEVICE T at_most(T limit, T v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (sizeof(T) == 4) {
    T result;
    asm("min.NaN.f32 %0, %1, %2;" : "=f"(result) : "f"(limit), "f"(v));
    return result;
  }
#endif
  return limit < v ? limit : v;
}
template <typename T>
ACTIVATIONS_HOST_DEVICE T at_least(T limit, T v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (sizeof(T) == 4) {
    T result;
    asm("max.NaN.f32 %0, %1, %2;" : "=f"(result) : "f"(limit), "f"(v));
    return result;
  }
#endif
  return limit > v ? limit : v;
}

// v rounded to float toward zero, with the last bit set where that was inexact ("round to
// odd"). A value rounded so and then to a format at least 2 bits narrower (float16, bfloat16)
// is rounded as if directly: rounding a double to float and then to 16 bits instead can land
// on a 16-bit midpoint and round the wrong way.
ACTIVATIONS_HOST_DEVICE float round_to_odd_float(double v) {
  const float nearest = static_cast<float>(v);
  if (static_cast<double>(nearest) == v || v != v) return nearest;
  uint32_t bits = bits_of(nearest);
  // nearest rounded away from zero (to infinity too): step back toward zero
  if (magnitude(static_cast<double>(nearest)) > magnitude(v)) bits -= 1;
  return float_of(bits | 1u);
}

}  // namespace activations::kernels::portable
