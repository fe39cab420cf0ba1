// Shared helpers of the C++ test suite: exact references, ULP distances, bitwise comparison,
// special values and tensor layouts.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "torch_relu_reference.h"

namespace activations::testing {

// References in long double (64-bit significand): far below one ULP of float or double.
inline long double exact_sigmoid(long double x) {
  if (x >= 0) return 1.0L / (1.0L + std::exp(-x));
  const long double e = std::exp(x);
  return e / (1.0L + e);
}
inline long double exact_tanh(long double x) {
  return std::tanh(x);
}
// x sigmoid(x); -inf gives -0 (the limit), not -inf * 0.
inline long double exact_silu(long double x) {
  return std::isinf(x) && x < 0 ? -0.0L : x * exact_sigmoid(x);
}
// s (1 + x (1 - s)) with 1 - s = sigmoid(-x).
inline long double exact_silu_derivative(long double x) {
  if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
  return exact_sigmoid(x) * (1.0L + x * exact_sigmoid(-x));
}

// GELU, erf form: x Phi(x) = x erfc(-x / sqrt2) / 2 (no 1 + erf, which cancels); -inf gives -0.
inline long double exact_gelu(long double x) {
  if (std::isinf(x)) return x > 0 ? x : -0.0L;
  return x * std::erfc(-x / std::sqrt(2.0L)) / 2;
}
// Phi(x) + x phi(x).
inline long double exact_gelu_derivative(long double x) {
  if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
  const long double density = std::exp(-x * x / 2) / std::sqrt(2 * 3.14159265358979323846264338L);
  return std::erfc(-x / std::sqrt(2.0L)) / 2 + x * density;
}
// GELU, tanh form: (x / 2) (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
inline long double gelu_tanh_argument(long double x) {
  const long double k = std::sqrt(2 / 3.14159265358979323846264338L);
  return 2 * k * (x + 0.044715L * x * x * x);
}
inline long double exact_gelu_tanh(long double x) {
  if (std::isinf(x)) return x > 0 ? x : -0.0L;
  return x * exact_sigmoid(gelu_tanh_argument(x));
}
// s + x v' s (1 - s) with s = sigmoid(v), 1 - s = sigmoid(-v), v' = 2k (1 + 3 * 0.044715 x^2).
inline long double exact_gelu_tanh_derivative(long double x) {
  if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
  const long double k = std::sqrt(2 / 3.14159265358979323846264338L);
  const long double v = gelu_tanh_argument(x);
  const long double slope = 2 * k * (1 + 3 * 0.044715L * x * x);
  return exact_sigmoid(v) * (1 + x * slope * exact_sigmoid(-v));
}

// Format of a floating dtype: significand digits (with the hidden bit), smallest normal exponent.
struct FloatFormat {
  int digits;
  int min_exponent;  // the smallest normal is 2^(min_exponent - 1)
};
inline FloatFormat format_of(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat:
      return {24, -125};
    case torch::kDouble:
      return {53, -1021};
    case torch::kHalf:
      return {11, -13};
    case torch::kBFloat16:
      return {8, -125};
    default:
      throw std::invalid_argument("not a floating dtype");
  }
}

// |computed - exact| in units of the last place of `exact` in the given format.
inline double ulp_error(long double computed, long double exact, FloatFormat format) {
  if (std::isnan(computed) || std::isnan(exact)) {
    return std::isnan(computed) && std::isnan(exact) ? 0.0 : INFINITY;
  }
  if (std::isinf(exact) || std::isinf(computed)) return computed == exact ? 0.0 : INFINITY;
  int exponent = 0;
  std::frexp(exact, &exponent);  // |exact| in [2^(exponent-1), 2^exponent)
  exponent = std::max(exponent, format.min_exponent);
  const long double ulp = std::ldexp(1.0L, exponent - format.digits);
  return static_cast<double>(std::fabs(computed - exact) / ulp);
}

// The largest ULP error of a floating tensor against a reference function of its input.
struct UlpReport {
  double max_ulp = 0;
  double worst_input = 0;
  int64_t above_one_ulp = 0;
  int64_t nan_for_finite_input = 0;
};
inline UlpReport ulp_report(const torch::Tensor& input, const torch::Tensor& output,
                            long double (*exact)(long double)) {
  const FloatFormat format = format_of(output.scalar_type());
  const auto x = input.to(torch::kFloat64).contiguous();
  const auto y = output.to(torch::kFloat64).contiguous();
  const double* xs = x.data_ptr<double>();
  const double* ys = y.data_ptr<double>();
  UlpReport report;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (std::isnan(xs[i])) continue;
    if (std::isnan(ys[i])) {
      ++report.nan_for_finite_input;
      continue;
    }
    const double error = ulp_error(ys[i], exact(xs[i]), format);
    if (error > 1.0) ++report.above_one_ulp;
    if (error > report.max_ulp) {
      report.max_ulp = error;
      report.worst_input = xs[i];
    }
  }
  return report;
}

// Dtypes that newer torches added and no kernel here takes: float8 (2.1) and unsigned 16 to 64
// bit (2.3), which torch 2.x counts as floating and integral types. Empty on older torches.
inline std::vector<torch::ScalarType> newer_torch_dtypes() {
  return {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    torch::kFloat8_e4m3fn, torch::kFloat8_e5m2,
#endif
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
        torch::kUInt16, torch::kUInt32, torch::kUInt64,
#endif
  };
}

// Every value a 16-bit float type can hold: all 65,536 bit patterns.
inline torch::Tensor all_16_bit_values(torch::ScalarType dtype) {
  return torch::arange(-32768, 32768, torch::kInt32).to(torch::kInt16).view(dtype);
}

inline bool is_nan_bits(const uint8_t* p, torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat: {
      float v;
      std::memcpy(&v, p, sizeof v);
      return std::isnan(v);
    }
    case torch::kDouble: {
      double v;
      std::memcpy(&v, p, sizeof v);
      return std::isnan(v);
    }
    case torch::kHalf:
    case torch::kBFloat16: {
      uint16_t v;
      std::memcpy(&v, p, sizeof v);
      const uint16_t exponent_mask = dtype == torch::kHalf ? 0x7C00 : 0x7F80;
      return (v & exponent_mask) == exponent_mask && (v & ~exponent_mask & 0x7FFF) != 0;
    }
    default:
      return false;
  }
}

// Index of the first element whose bits differ, -1 if none. Where `any_nan` is set, two NaNs
// count as equal whatever their payloads (torch's own bfloat16 kernels give different NaN bits
// in their vector and scalar loops).
inline int64_t first_bit_difference(const torch::Tensor& a, const torch::Tensor& b,
                                    bool any_nan = false) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return 0;
  const auto ca = a.contiguous();
  const auto cb = b.contiguous();
  const size_t size = ca.element_size();
  const auto* pa = static_cast<const uint8_t*>(ca.data_ptr());
  const auto* pb = static_cast<const uint8_t*>(cb.data_ptr());
  for (int64_t i = 0; i < ca.numel(); ++i, pa += size, pb += size) {
    if (std::memcmp(pa, pb, size) == 0) continue;
    if (any_nan && is_nan_bits(pa, a.scalar_type()) && is_nan_bits(pb, a.scalar_type())) continue;
    return i;
  }
  return -1;
}

// Special float values: signed zeros, subnormals, extremes, infinities, NaNs and the points
// where exp overflows and sigmoid/tanh saturate.
inline torch::Tensor special_values() {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float max = std::numeric_limits<float>::max();
  const float tiny = std::numeric_limits<float>::denorm_min();
  const float min_normal = std::numeric_limits<float>::min();
  std::vector<float> values = {
      0.0f,   -0.0f,  tiny,    -tiny,   min_normal, -min_normal, 1e-8f,   -1e-8f,  1e-30f,
      0.5f,   -0.5f,  1.0f,    -1.0f,   2.0f,       -2.0f,       9.0f,    -9.0f,   17.0f,
      -17.0f, 20.0f,  44.0f,   -44.0f,  45.0f,      -45.0f,      88.72f,  -88.72f, 89.0f,
      -89.0f, 100.0f, -100.0f, 103.97f, -103.97f,   104.0f,      -104.0f, 1e10f,   -1e10f,
      1e30f,  -1e30f, max,     -max,    inf,        -inf,        nan,     -nan};
  return torch::tensor(values);
}

// Random normal values spread over many magnitudes, with the special values appended.
inline torch::Tensor mixed_values(int64_t n, torch::ScalarType dtype = torch::kFloat) {
  const auto scale = torch::pow(10.0, torch::randint(-3, 3, {n}).to(torch::kFloat));
  return torch::cat({torch::randn({n}) * scale, special_values()}).to(dtype);
}

// Views of one base tensor with different memory layouts, all of sizes `sizes`-ish.
struct Layout {
  std::string name;
  std::function<torch::Tensor(torch::ScalarType)> make;
};
inline std::vector<Layout> layouts() {
  // Random values with special ones at random places (integral dtypes: small integers).
  auto base = [](std::vector<int64_t> sizes, torch::ScalarType dtype) {
    if (!c10::isFloatingType(dtype)) return torch::randint(-100, 100, sizes).to(dtype);
    auto values = torch::randn(sizes) * 3;
    auto flat = values.view({-1});
    const auto specials = special_values();
    const int64_t count = std::min(flat.numel(), specials.numel());
    flat.index_put_({torch::randperm(flat.numel()).slice(0, 0, count)},
                    specials.index({torch::randperm(specials.numel()).slice(0, 0, count)}));
    return values.to(dtype);
  };
  return {
      {"zero_dim", [=](torch::ScalarType d) { return base({}, d); }},
      {"empty",
       [=](torch::ScalarType d) {
         return base({0, 3}, d);
       }},
      {"one", [=](torch::ScalarType d) { return base({1}, d); }},
      {"contiguous_2x5",
       [=](torch::ScalarType d) {
         return base({2, 5}, d);
       }},
      {"contiguous_6d",
       [=](torch::ScalarType d) {
         return base({2, 3, 1, 2, 3, 2}, d);
       }},
      {"transposed",
       [=](torch::ScalarType d) {
         return base({7, 9}, d).t();
       }},
      {"permuted_3d",
       [=](torch::ScalarType d) {
         return base({4, 5, 6}, d).permute({2, 0, 1});
       }},
      {"sliced_steps",
       [=](torch::ScalarType d) {
         return base({6, 10}, d).slice(0, 0, 6, 2).slice(1, 1, 10, 3);
       }},
      {"transposed_sliced",
       [=](torch::ScalarType d) {
         return base({4, 5, 6}, d).transpose(0, 2).slice(0, 0, 6, 2);
       }},
      {"storage_offset", [=](torch::ScalarType d) { return base({50}, d).slice(0, 3, 40); }},
      {"channels_last",
       [=](torch::ScalarType d) {
         return base({2, 3, 4, 5}, d).contiguous(torch::MemoryFormat::ChannelsLast);
       }},
      {"channels_last_3d",
       [=](torch::ScalarType d) {
         return base({2, 3, 2, 4, 5}, d).contiguous(torch::MemoryFormat::ChannelsLast3d);
       }},
      {"expanded",
       [=](torch::ScalarType d) {
         return base({1, 5}, d).expand({4, 5});
       }},
      {"large_strided",
       [=](torch::ScalarType d) {
         return base({300, 400}, d).t().slice(0, 0, 400, 3);
       }},
  };
}

}  // namespace activations::testing
