// The exhaustive float32 sweep shared by the accuracy proofs (exhaustive_accuracy.cpp for the
// CPU kernels, portable_math_accuracy.cpp for the CUDA kernels' math built for the host): every
// bit pattern through an operator, in chunks, against a double reference.
#pragma once

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>

namespace activations::testing {

// Double references: their error (~1e-16 relative) is 2^-29 of a float32 ULP.
inline double sigmoid_reference(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}
inline double tanh_reference(double x) {
  return std::tanh(x);
}
// SiLU's derivative s (1 + x sigmoid(-x)); near its zero (x = -1.2785) the sum's error is a few
// 2^-53 absolute, below 2^-20 of a float32 ULP of the nearest float inputs' results.
inline double silu_derivative_reference(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  return sigmoid_reference(x) * (1.0 + x * sigmoid_reference(-x));
}
// x sigmoid(x), with its limit -0 at -inf; normal in double over float's whole tail.
inline double silu_reference(double x) {
  return std::isinf(x) && x < 0 ? -0.0 : x * sigmoid_reference(x);
}

// GELU, erf form: x Phi(x) = x erfc(-x / sqrt2) / 2, never 1 + erf (it cancels for x < 0). The
// argument's rounding moves erfc by 2 z^2 2^-53 relative, below 2^-40 where float's tail ends.
inline double gelu_reference(double x) {
  if (std::isinf(x)) return x > 0 ? x : -0.0;
  return 0.5 * x * std::erfc(-x * M_SQRT1_2);
}
// Phi(x) + x phi(x); near its zero (x = -0.7518) the sum's error is a few 2^-53 absolute.
inline double gelu_derivative_reference(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  return 0.5 * std::erfc(-x * M_SQRT1_2) +
         x * std::exp(-0.5 * x * x) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
}
// GELU, tanh form: x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3), as (x/2)(1 + tanh(v/2))
// without the sum that cancels.
inline double gelu_tanh_argument_reference(double x) {
  return 2.0 * M_SQRT2 * M_2_SQRTPI * 0.5 * (x + 0.044715 * x * x * x);
}
inline double gelu_tanh_reference(double x) {
  if (std::isinf(x)) return x > 0 ? x : -0.0;
  return x * sigmoid_reference(gelu_tanh_argument_reference(x));
}
// s (1 + x v' sigmoid(-v)), v' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2).
inline double gelu_tanh_derivative_reference(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  const double v = gelu_tanh_argument_reference(x);
  const double slope = 2.0 * M_SQRT2 * M_2_SQRTPI * 0.5 * (1.0 + 3.0 * 0.044715 * x * x);
  return sigmoid_reference(v) * (1.0 + x * slope * sigmoid_reference(-v));
}

struct Summary {
  double max_ulp = 0;
  float worst_input = 0;
  int64_t above_one_ulp = 0;
  int64_t nan_for_finite = 0;
  int64_t nan_lost = 0;  // NaN inputs whose result is not NaN
  int64_t checked = 0;
  uint64_t stride = 1;  // every stride-th bit pattern was checked

  void merge(const Summary& other) {
    if (other.max_ulp > max_ulp) {
      max_ulp = other.max_ulp;
      worst_input = other.worst_input;
    }
    above_one_ulp += other.above_one_ulp;
    nan_for_finite += other.nan_for_finite;
    nan_lost += other.nan_lost;
    checked += other.checked;
  }
};

// |y - exact| in float32 ULPs of `exact`, from the exponent bits of the double (never subnormal
// here): the long double helper is too slow for 2^32 inputs.
inline double float32_ulp_error(float y, double exact) {
  if (std::isinf(exact) || std::isinf(y)) return y == exact ? 0.0 : INFINITY;
  if (exact == 0) return y == 0 ? 0.0 : std::fabs(y) / std::numeric_limits<float>::denorm_min();
  uint64_t bits;
  std::memcpy(&bits, &exact, sizeof bits);
  const int exponent = std::max(static_cast<int>((bits >> 52) & 0x7FF) - 1022, -125);
  const uint64_t ulp_bits = static_cast<uint64_t>(exponent - 24 + 1023) << 52;
  double ulp;
  std::memcpy(&ulp, &ulp_bits, sizeof ulp);
  return std::fabs(static_cast<double>(y) - exact) / ulp;
}

using Operator = std::function<void(const torch::Tensor& x, torch::Tensor& out)>;

// The sweep's step through the bit patterns: 1 (every pattern) unless ACTIVATIONS_SWEEP_STRIDE
// names another, as under emulation (scripts/test_arm64.sh), where every pattern would take
// hours. An odd step visits every exponent and low mantissa bit.
inline uint64_t stride_from_environment(const char* variable) {
  const char* text = std::getenv(variable);
  const unsigned long long stride = text ? std::strtoull(text, nullptr, 10) : 1;
  return stride > 0 ? stride : 1;
}
inline uint64_t sweep_stride() {
  return stride_from_environment("ACTIVATIONS_SWEEP_STRIDE");
}

// The step for the sweeps of LibTorch's own kernels, which only give the README's comparison:
// 1 unless ACTIVATIONS_TORCH_SWEEP_STRIDE names another, as in CI (scripts/test.sh), where the
// full sweeps of torch's kernels would cost some five minutes and prove nothing of ours.
inline uint64_t torch_sweep_stride() {
  return stride_from_environment("ACTIVATIONS_TORCH_SWEEP_STRIDE");
}

// Every float32 bit pattern (or every sweep_stride()-th, or every `sample_stride`-th if that is
// larger) in chunks of 2^24, the reference computed in parallel. `normal_outputs_only` skips
// inputs whose exact result is below FLT_MIN.
inline Summary sweep_float32(const Operator& op, double (*reference)(double),
                             bool normal_outputs_only = false, uint64_t sample_stride = 1) {
  constexpr int64_t kChunk = int64_t{1} << 24;
  const uint64_t stride = std::max(sweep_stride(), sample_stride);
  const int64_t count = static_cast<int64_t>(((uint64_t{1} << 32) + stride - 1) / stride);
  auto x = torch::empty({kChunk}, torch::kFloat);
  auto y = torch::empty({kChunk}, torch::kFloat);
  Summary total;
  total.stride = stride;
  std::mutex merge_mutex;
  for (int64_t start = 0; start < count; start += kChunk) {
    const int64_t size = std::min(kChunk, count - start);
    auto* bits = static_cast<uint32_t*>(x.data_ptr());
    at::parallel_for(0, size, 1 << 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        bits[i] = static_cast<uint32_t>(static_cast<uint64_t>(start + i) * stride);
      }
    });
    auto y_part = y.narrow(0, 0, size);
    op(x.narrow(0, 0, size), y_part);
    const float* xs = x.data_ptr<float>();
    const float* ys = y.data_ptr<float>();
    at::parallel_for(0, size, 1 << 16, [&](int64_t begin, int64_t end) {
      Summary part;
      for (int64_t i = begin; i < end; ++i) {
        if (std::isnan(xs[i])) {
          part.nan_lost += !std::isnan(ys[i]);
          continue;
        }
        const double exact = reference(xs[i]);
        if (normal_outputs_only && std::fabs(exact) < std::numeric_limits<float>::min()) continue;
        ++part.checked;
        if (std::isnan(ys[i])) {
          ++part.nan_for_finite;
          continue;
        }
        const double error = float32_ulp_error(ys[i], exact);
        if (error > 1.0) ++part.above_one_ulp;
        if (error > part.max_ulp) {
          part.max_ulp = error;
          part.worst_input = xs[i];
        }
      }
      std::lock_guard<std::mutex> lock(merge_mutex);
      total.merge(part);
    });
  }
  return total;
}

inline void print(const char* what, const Summary& s) {
  std::printf(
      "[ accuracy ] %-28s max %.4f ULP at x = %.9g; %lld of %lld inputs above 1 ULP; "
      "%lld NaN for finite inputs",
      what, s.max_ulp, static_cast<double>(s.worst_input), static_cast<long long>(s.above_one_ulp),
      static_cast<long long>(s.checked), static_cast<long long>(s.nan_for_finite));
  if (s.stride > 1) {
    std::printf(" (every %llu-th float32 pattern)", static_cast<unsigned long long>(s.stride));
  }
  std::printf("\n");
}

}  // namespace activations::testing
