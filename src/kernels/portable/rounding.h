// Arithmetic that rounds exactly once per operation on the host and on a CUDA device, for the
// math that both compile (src/kernels/portable/): the host build is what the exhaustive proof
// runs, so it must compute the device's bits. nvcc fuses a multiply and an add into one fma
// unless told otherwise, which would change the error terms; the __f*_rn intrinsics are never
// fused. The host side relies on -ffp-contract=off (the ISO C++ default of g++).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define ACTIVATIONS_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define ACTIVATIONS_HOST_DEVICE inline
#endif

namespace activations::kernels::portable {

#if defined(__CUDA_ARCH__)
ACTIVATIONS_HOST_DEVICE float add(float a, float b) { return __fadd_rn(a, b); }
ACTIVATIONS_HOST_DEVICE float sub(float a, float b) { return __fsub_rn(a, b); }
ACTIVATIONS_HOST_DEVICE float mul(float a, float b) { return __fmul_rn(a, b); }
ACTIVATIONS_HOST_DEVICE float fma(float a, float b, float c) { return __fmaf_rn(a, b, c); }
ACTIVATIONS_HOST_DEVICE double add(double a, double b) { return __dadd_rn(a, b); }
ACTIVATIONS_HOST_DEVICE double sub(double a, double b) { return __dsub_rn(a, b); }
ACTIVATIONS_HOST_DEVICE double mul(double a, double b) { return __dmul_rn(a, b); }
ACTIVATIONS_HOST_DEVICE double fma(double a, double b, double c) { return __fma_rn(a, b, c); }
ACTIVATIONS_HOST_DEVICE uint32_t bits_of(float v) { return __float_as_uint(v); }
ACTIVATIONS_HOST_DEVICE float float_of(uint32_t b) { return __uint_as_float(b); }
ACTIVATIONS_HOST_DEVICE uint64_t bits_of(double v) {
  return static_cast<uint64_t>(__double_as_longlong(v));
}
ACTIVATIONS_HOST_DEVICE double double_of(uint64_t b) {
  return __longlong_as_double(static_cast<long long>(b));
}
#else
ACTIVATIONS_HOST_DEVICE float add(float a, float b) { return a + b; }
ACTIVATIONS_HOST_DEVICE float sub(float a, float b) { return a - b; }
ACTIVATIONS_HOST_DEVICE float mul(float a, float b) { return a * b; }
ACTIVATIONS_HOST_DEVICE float fma(float a, float b, float c) { return std::fma(a, b, c); }
ACTIVATIONS_HOST_DEVICE double add(double a, double b) { return a + b; }
ACTIVATIONS_HOST_DEVICE double sub(double a, double b) { return a - b; }
ACTIVATIONS_HOST_DEVICE double mul(double a, double b) { return a * b; }
ACTIVATIONS_HOST_DEVICE double fma(double a, double b, double c) { return std::fma(a, b, c); }
ACTIVATIONS_HOST_DEVICE uint32_t bits_of(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
ACTIVATIONS_HOST_DEVICE float float_of(uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}
ACTIVATIONS_HOST_DEVICE uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
ACTIVATIONS_HOST_DEVICE double double_of(uint64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}
#endif

// |v| and sign transfer on the bits: exact, and NaN payloads pass through.
ACTIVATIONS_HOST_DEVICE float magnitude(float v) { return float_of(bits_of(v) & 0x7FFFFFFFu); }
ACTIVATIONS_HOST_DEVICE double magnitude(double v) {
  return double_of(bits_of(v) & 0x7FFFFFFFFFFFFFFFull);
}
ACTIVATIONS_HOST_DEVICE float with_sign_of(float magnitude_value, float sign_source) {
  return float_of(bits_of(magnitude_value) | (bits_of(sign_source) & 0x80000000u));
}
ACTIVATIONS_HOST_DEVICE double with_sign_of(double magnitude_value, double sign_source) {
  return double_of(bits_of(magnitude_value) | (bits_of(sign_source) & 0x8000000000000000ull));
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

}  // namespace activations::kernels::portable
