// Accuracy of ours, ATen's and the peer libraries' float32 activations, for the Peers section of
// BENCHMARKS.md (scripts/benchmarks_report.py).
//
//   activations_peer_accuracy OUT.json [--only LIB[,LIB...]]
//
// LIB: ours, aten, onednn, xnnpack. ATen's kernels are those of the capability it runs with
// (ATEN_CPU_CAPABILITY=avx512 for its AVX-512 ones), recorded in the output's context.
//
// Inputs: every 4099th float32 bit pattern that is finite (about 1.05 million).
//   sigmoid, tanh, silu, gelu, gelu_tanh: max ULP error against a long double reference,
//     ulp(exact) = 2^(max(e, -126) - 23) with 2^e <= |exact| < 2^(e+1) (also over the normal
//     results alone, |exact| >= 2^-126, where flushing subnormals does not count); NaN outputs
//     for finite inputs; for all but tanh, the points of a grid over the negative tail (1700001
//     points: sigmoid [-104, -87], silu [-110, -85], gelu [-15, -5], gelu_tanh [-12, -4]) where
//     the result is 0 while the exact value rounds to a nonzero float (|exact| > denorm_min / 2).
//   The peers run as they do in an application: XNNPACK runs its operators with subnormals
//   flushed (pthreadpool's PTHREADPOOL_FLAG_DISABLE_DENORMALS), which shows here.
//   relu, leaky_relu (slope 0.2f): results that differ bitwise from x < 0 ? 0 : x and
//     x > 0 ? x : 0.2f * x, and those that differ in value (-0 and +0 equal).
#include <torch/torch.h>

#include <activations/activations.h>

#include <ATen/Version.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aten_capability.h"
#include "peers/peers.h"

namespace {

constexpr uint64_t kStride = 4099;
constexpr int64_t kTailPoints = 1700001;

// The negative tail where an activation's exact result is still a nonzero float and the
// textbook formulas underflow to 0 first; none for tanh.
struct Tail {
  double low = 0, high = 0;
  bool empty() const { return low == high; }
};

Tail tail_of(const std::string& activation) {
  if (activation == "sigmoid") return {-104, -87};
  if (activation == "silu") return {-110, -85};
  if (activation == "gelu") return {-15, -5};
  if (activation == "gelu_tanh") return {-12, -4};
  return {};
}

// y = f(x) on n floats.
using Apply = std::function<void(const float* x, float* y, int64_t n)>;

struct Subject {
  std::string library, activation;
  Apply apply;
};

Apply on_tensors(std::function<void(const torch::Tensor& x, torch::Tensor& y)> fn) {
  return [fn](const float* x, float* y, int64_t n) {
    const auto xt = torch::from_blob(const_cast<float*>(x), {n}, torch::kFloat);
    auto yt = torch::from_blob(y, {n}, torch::kFloat);
    fn(xt, yt);
  };
}

std::vector<Subject> subjects() {
  constexpr double slope = peers::kSlope;
  std::vector<Subject> result = {
      {"ours", "sigmoid", on_tensors([](const torch::Tensor& x, torch::Tensor& y) {
         activations::sigmoid_out(x, y);
       })},
      {"ours", "tanh",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { activations::tanh_out(x, y); })},
      {"ours", "relu",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { activations::relu_out(x, y); })},
      {"ours", "leaky_relu", on_tensors([=](const torch::Tensor& x, torch::Tensor& y) {
         activations::leaky_relu_out(x, slope, y);
       })},
      {"ours", "silu",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { activations::silu_out(x, y); })},
      {"ours", "gelu", on_tensors([](const torch::Tensor& x, torch::Tensor& y) {
         activations::gelu_out(x, "none", y);
       })},
      {"ours", "gelu_tanh", on_tensors([](const torch::Tensor& x, torch::Tensor& y) {
         activations::gelu_out(x, "tanh", y);
       })},
      {"aten", "sigmoid",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::sigmoid_out(y, x); })},
      {"aten", "tanh",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::tanh_out(y, x); })},
      // torch::relu is clamp_min(x, 0), as in the benchmark's paired_out.
      {"aten", "relu",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::clamp_min_out(y, x, 0); })},
      {"aten", "leaky_relu", on_tensors([=](const torch::Tensor& x, torch::Tensor& y) {
         at::leaky_relu_out(y, x, slope);
       })},
      {"aten", "silu",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::silu_out(y, x); })},
      {"aten", "gelu",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::gelu_out(y, x, "none"); })},
      {"aten", "gelu_tanh",
       on_tensors([](const torch::Tensor& x, torch::Tensor& y) { at::gelu_out(y, x, "tanh"); })},
  };
  for (const auto& p : peers::all()) {
    result.push_back({p.library, p.activation,
                      [p](const float* x, float* y, int64_t n) { p.prepare(x, y, n, 1)(); }});
  }
  return result;
}

long double exact_sigmoid(long double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const long double e = std::exp(x);
  return e / (1 + e);
}

long double exact_of(const std::string& activation, float xf) {
  const long double x = xf;
  if (activation == "sigmoid") return exact_sigmoid(x);
  if (activation == "silu") return x * exact_sigmoid(x);
  if (activation == "gelu") return x * std::erfc(-x / std::sqrt(2.0L)) / 2;
  if (activation == "gelu_tanh") {
    // x (1 + tanh(u)) / 2 = x sigmoid(2u); x^3 cannot overflow a long double
    const long double u = std::sqrt(2 / std::acos(-1.0L)) * (x + 0.044715L * x * x * x);
    return x * exact_sigmoid(2 * u);
  }
  return std::tanh(x);
}

// The spacing of float32 values at the exact result: 2^(max(e - 1, -126) - 23) with
// exact = m * 2^e, 0.5 <= |m| < 1 (subnormal spacing 2^-149 below 2^-126, and for 0).
long double ulp_of(long double exact) {
  int e = 0;
  if (exact == 0) return std::ldexp(1.0L, -149);
  std::frexp(exact, &e);
  return std::ldexp(1.0L, std::max(e - 1, -126) - 23);
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.9g", v);
  return buffer;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct Worst {
  double ulp = 0, x = 0, y = 0, exact = 0;
  void see(double u, float xv, float yv, long double ex) {
    if (u > ulp) ulp = u, x = xv, y = yv, exact = static_cast<double>(ex);
  }
  std::string json(const std::string& prefix) const {
    return quoted(prefix) + ": " + number(ulp) + ", " + quoted(prefix + "_x") + ": " + number(x) +
           ", " + quoted(prefix + "_y") + ": " + number(y) + ", " + quoted(prefix + "_exact") +
           ": " + number(exact);
  }
};

// One result's JSON object (without braces) for the smooth activations.
std::string smooth_report(const Subject& s, const std::vector<float>& xs) {
  std::vector<float> ys(xs.size());
  s.apply(xs.data(), ys.data(), static_cast<int64_t>(xs.size()));
  Worst all, normal;
  int64_t nan_for_finite = 0;
  double nan_low = std::numeric_limits<double>::infinity(), nan_high = 0;  // |x| giving NaN
  const long double smallest_normal = std::ldexp(1.0L, -126);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (std::isnan(ys[i])) {
      ++nan_for_finite;
      nan_low = std::min(nan_low, std::fabs(static_cast<double>(xs[i])));
      nan_high = std::max(nan_high, std::fabs(static_cast<double>(xs[i])));
      continue;
    }
    const long double exact = exact_of(s.activation, xs[i]);
    const double u = static_cast<double>(std::fabs(ys[i] - exact) / ulp_of(exact));
    all.see(u, xs[i], ys[i], exact);
    if (std::fabs(exact) >= smallest_normal) normal.see(u, xs[i], ys[i], exact);
  }
  std::ostringstream out;
  out << all.json("max_ulp") << ", " << normal.json("max_ulp_normal")
      << ", \"nan_for_finite\": " << nan_for_finite;
  if (nan_for_finite > 0) {
    out << ", \"nan_abs_x_low\": " << number(nan_low)
        << ", \"nan_abs_x_high\": " << number(nan_high);
  }
  const Tail grid = tail_of(s.activation);
  if (!grid.empty()) {
    std::vector<float> tail(kTailPoints);
    for (int64_t i = 0; i < kTailPoints; ++i) {
      tail[i] = static_cast<float>(grid.low + (grid.high - grid.low) * static_cast<double>(i) /
                                                  static_cast<double>(kTailPoints - 1));
    }
    std::vector<float> tys(tail.size());
    s.apply(tail.data(), tys.data(), static_cast<int64_t>(tail.size()));
    const long double half_denorm_min = std::ldexp(1.0L, -150);
    int64_t zeros = 0, positive = 0;
    double low = 0, high = 0;
    for (size_t i = 0; i < tail.size(); ++i) {
      if (std::fabs(exact_of(s.activation, tail[i])) <= half_denorm_min) continue;
      ++positive;
      if (tys[i] != 0) continue;
      if (zeros++ == 0) low = tail[i];
      high = tail[i];
    }
    out << ", \"tail_low\": " << number(grid.low) << ", \"tail_high\": " << number(grid.high)
        << ", \"tail_points\": " << positive << ", \"tail_zeros\": " << zeros;
    if (zeros > 0)
      out << ", \"tail_zeros_low\": " << number(low) << ", \"tail_zeros_high\": " << number(high);
  }
  return out.str();
}

uint32_t bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

std::string piecewise_report(const Subject& s, const std::vector<float>& xs) {
  std::vector<float> ys(xs.size());
  s.apply(xs.data(), ys.data(), static_cast<int64_t>(xs.size()));
  int64_t bitwise = 0, value = 0, nan_for_finite = 0;
  double example = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const float x = xs[i];
    const float want = s.activation == "relu" ? (x < 0 ? 0.f : x) : (x > 0 ? x : peers::kSlope * x);
    if (std::isnan(ys[i])) ++nan_for_finite;
    if (bits(ys[i]) != bits(want)) {
      if (bitwise++ == 0) example = x;
    }
    if (!(ys[i] == want)) ++value;
  }
  std::ostringstream out;
  out << "\"bitwise_differs\": " << bitwise << ", \"value_differs\": " << value
      << ", \"nan_for_finite\": " << nan_for_finite;
  if (bitwise > 0) out << ", \"first_differing_x\": " << number(example);
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--only" && i + 1 < argc) {
      std::stringstream list(argv[++i]);
      for (std::string lib; std::getline(list, lib, ',');) only.insert(lib);
    } else if (path.empty() && arg.rfind("--", 0) != 0) {
      path = arg;
    } else {
      std::cerr << "usage: " << argv[0] << " OUT.json [--only LIB[,LIB...]]\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: " << argv[0] << " OUT.json [--only LIB[,LIB...]]\n";
    return 2;
  }
  torch::set_num_threads(1);
  torch::NoGradGuard no_grad;

  std::vector<float> xs;
  for (uint64_t b = 0; b <= std::numeric_limits<uint32_t>::max(); b += kStride) {
    float x;
    const auto pattern = static_cast<uint32_t>(b);
    std::memcpy(&x, &pattern, sizeof x);
    if (std::isfinite(x)) xs.push_back(x);
  }
  std::ostringstream out;
  std::string libraries;
  for (const auto& v : peers::versions()) libraries += (libraries.empty() ? "" : "; ") + v;
  out << "{\n  \"context\": {\"torch_version\": " << quoted(TORCH_VERSION)
      << ", \"aten_capability\": " << quoted(aten_capability())
      << ", \"simd_target\": " << quoted(activations::simd_target())
      << ", \"peer_libraries\": " << quoted(libraries) << ", \"stride\": " << kStride
      << ", \"inputs\": " << xs.size() << ", \"tail_grid_points\": " << kTailPoints
      << "},\n  \"results\": [";
  bool first = true;
  for (const auto& s : subjects()) {
    if (!only.empty() && !only.count(s.library)) continue;
    const bool piecewise = s.activation == "relu" || s.activation == "leaky_relu";
    const std::string body = piecewise ? piecewise_report(s, xs) : smooth_report(s, xs);
    out << (first ? "\n" : ",\n") << "    {\"library\": " << quoted(s.library)
        << ", \"activation\": " << quoted(s.activation) << ", " << body << "}";
    std::cout << s.library << " " << s.activation << ": " << body << "\n";
    first = false;
  }
  out << "\n  ]\n}\n";
  std::ofstream file(path);
  file << out.str();
  if (!file) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  return 0;
}
