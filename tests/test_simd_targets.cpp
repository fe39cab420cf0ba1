// Every SIMD target compiled into the library and supported by this CPU gives correct results:
// the runtime dispatch is forced to each in turn (AVX-512, AVX2, SSE4, ...), so the paths that
// CPUs without AVX-512 or without FMA take are tested here too.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <activations/activations.h>

#include "kernels/kernel_spec.h"
#include "test_helpers.h"

namespace activations::testing {
namespace {

class SimdTargets : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    hwy::SetSupportedTargetsForTest(GetParam());
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  }
  void TearDown() override {
    hwy::SetSupportedTargetsForTest(0);
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  }
};

TEST_P(SimdTargets, DispatchUsesTheTarget) {
  EXPECT_STREQ(kernels::simd_target_name(), hwy::TargetName(GetParam()));
}

TEST_P(SimdTargets, ReluAndLeakyReluBitIdenticalToTorch) {
  torch::manual_seed(40);
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16}) {
    const auto x = mixed_values(5000, dtype);
    const bool any_nan = dtype == torch::kBFloat16;
    EXPECT_EQ(first_bit_difference(activations::relu(x), torch_relu(x), any_nan), -1) << dtype;
    EXPECT_EQ(
        first_bit_difference(activations::leaky_relu(x, 0.3), torch::leaky_relu(x, 0.3), any_nan),
        -1)
        << dtype;
  }
  for (const auto dtype :
       {torch::kUInt8, torch::kInt8, torch::kInt16, torch::kInt32, torch::kInt64}) {
    const auto x = torch::randint(-100, 100, {777}).to(dtype);
    EXPECT_EQ(first_bit_difference(activations::relu(x), torch_relu(x)), -1) << dtype;
  }
}

TEST_P(SimdTargets, SigmoidAndTanhWithinTheirBounds) {
  torch::manual_seed(41);
  const auto wide = torch::cat(
      {mixed_values(100000, torch::kFloat64), torch::linspace(-110, 110, 100001, torch::kFloat64)});
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto x = wide.to(dtype);
    for (const auto& [name, op, exact] :
         {std::tuple{"sigmoid", &activations::sigmoid, &exact_sigmoid},
          std::tuple{"tanh", &activations::tanh, &exact_tanh}}) {
      const auto report = ulp_report(x, op(x), exact);
      EXPECT_LE(report.max_ulp, 2.0) << name << " " << dtype << " at " << report.worst_input;
      EXPECT_EQ(report.nan_for_finite_input, 0) << name << " " << dtype;
    }
  }
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = torch::tensor({NAN, -NAN, INFINITY, -INFINITY}).to(dtype);
    for (const auto& y : {activations::sigmoid(x), activations::tanh(x)}) {
      EXPECT_TRUE(torch::isnan(y.slice(0, 0, 2)).all().item<bool>()) << dtype;
      EXPECT_FALSE(torch::isnan(y.slice(0, 2)).any().item<bool>()) << dtype;
    }
  }
  for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
    const auto x = torch::arange(-32768, 32768, torch::kInt32).to(torch::kInt16).view(dtype);
    EXPECT_LE(ulp_report(x, activations::sigmoid(x), &exact_sigmoid).max_ulp, 1.0) << dtype;
    EXPECT_LE(ulp_report(x, activations::tanh(x), &exact_tanh).max_ulp, 1.0) << dtype;
  }
}

// SiLU and its derivative compute float32 in float where |x| <= 16, with each target's
// reciprocal estimate, and in double beyond (float64: the double sigmoid takes the target's own
// path): float32 within 1 ULP (the derivative 2), float64 within 2.5, NaN kept.
TEST_P(SimdTargets, SiluWithinItsBounds) {
  torch::manual_seed(42);
  const auto wide = torch::cat(
      {mixed_values(100000, torch::kFloat64), torch::linspace(-115, 115, 100001, torch::kFloat64)});
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto x = wide.to(dtype);
    const auto report = ulp_report(x, activations::silu(x), &exact_silu);
    EXPECT_LE(report.max_ulp, dtype == torch::kFloat ? 1.0 : 2.5)
        << dtype << " at " << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << dtype;
    const auto derivative = activations::silu_backward(torch::ones_like(x), x);
    if (dtype == torch::kFloat) {
      EXPECT_LE(ulp_report(x, derivative, &exact_silu_derivative).max_ulp, 2.0);
    } else {  // near the derivative's zero (x = -1.2785) the error is absolute, a few 2^-53
      auto exact = x.clone();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const double v = x[i].item<double>();
        exact[i] = std::isnan(v) ? NAN : static_cast<double>(exact_silu_derivative(v));
      }
      EXPECT_TRUE(torch::allclose(derivative, exact, 1e-13, 1e-15, /*equal_nan=*/true));
    }
  }
  for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
    const auto x = all_16_bit_values(dtype);
    EXPECT_LE(ulp_report(x, activations::silu(x), &exact_silu).max_ulp, 0.5) << dtype;
    EXPECT_TRUE(torch::equal(torch::isnan(activations::silu(x)), torch::isnan(x))) << dtype;
  }
}

// GELU's float32 paths (the erf form's slot tables on AVX-512, the tanh form in float where
// |x| <= 9) and its double paths, through each target's loads, stores, tails and 16-bit
// conversions: float32 within 1 ULP, the 16-bit types correctly rounded.
TEST_P(SimdTargets, GeluWithinItsBounds) {
  torch::manual_seed(43);
  const auto x = torch::cat(
      {mixed_values(20000, torch::kFloat64), torch::linspace(-15, 15, 20001, torch::kFloat64)});
  for (const auto& [approximate, exact] :
       {std::pair{"none", &exact_gelu}, std::pair{"tanh", &exact_gelu_tanh}}) {
    const auto x32 = x.to(torch::kFloat);
    const auto report = ulp_report(x32, activations::gelu(x32, approximate), exact);
    EXPECT_LE(report.max_ulp, 1.0) << approximate << " at " << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << approximate;
    for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
      const auto x16 = all_16_bit_values(dtype);
      const auto y16 = activations::gelu(x16, approximate);
      EXPECT_LE(ulp_report(x16, y16, exact).max_ulp, 0.5) << approximate << " " << dtype;
      EXPECT_TRUE(torch::equal(torch::isnan(y16), torch::isnan(x16))) << approximate;
    }
  }
}

// The limits and signed zeros of SiLU and both GELU forms, and of their derivatives, inside full
// vectors: of zeros and subnormals alone (which the float paths take whole) and mixed with the
// infinities and NaN (which send their vectors lane by lane to the double paths too).
TEST_P(SimdTargets, SiluAndGeluLimitsAndSignedZeros) {
  const auto moderate = torch::tensor({-0.0f, 0.0f, 1e-45f, -1e-45f}).repeat({16});
  const auto mixed = torch::tensor({-0.0f, 0.0f, -INFINITY, INFINITY, NAN, -1e-45f}).repeat({11});
  const auto x = torch::cat({moderate, mixed});
  const auto gradient = torch::ones_like(x);
  const std::vector<std::tuple<std::string, torch::Tensor, torch::Tensor>> results = {
      {"silu", activations::silu(x), activations::silu_backward(gradient, x)},
      {"gelu", activations::gelu(x, "none"), activations::gelu_backward(gradient, x, "none")},
      {"gelu tanh", activations::gelu(x, "tanh"), activations::gelu_backward(gradient, x, "tanh")}};
  for (const auto& [name, y, dy] : results) {
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float v = x[i].item<float>(), f = y[i].item<float>(), df = dy[i].item<float>();
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(f) && std::isnan(df)) << name << " at " << i;
      } else if (std::isinf(v)) {
        EXPECT_EQ(f, v > 0 ? INFINITY : 0.0f) << name << "(" << v << ")";
        EXPECT_EQ(df, v > 0 ? 1.0f : 0.0f) << name << "'(" << v << ")";
      } else {  // zeros and the smallest subnormals: f(x) has x's sign, f'(x) = 1/2
        EXPECT_EQ(std::signbit(f), std::signbit(v)) << name << "(" << v << ") at " << i;
        EXPECT_EQ(df, 0.5f) << name << "'(" << v << ") at " << i;
      }
    }
  }
}

// Where the target has FMA, tanh's backward fuses 1 - y^2 as ATen's AVX2, AVX-512 and Arm
// kernels do; without FMA it rounds twice, as ATen's default kernel for such CPUs does.
bool has_fma(int64_t target) {
  return target == HWY_AVX2 || target == HWY_AVX3 || target == HWY_NEON || target == HWY_SVE ||
         target == HWY_SVE2 || target == HWY_SVE_256 || target == HWY_SVE2_128;
}

TEST_P(SimdTargets, BackwardMatchesAten) {
  torch::manual_seed(42);
  const auto g = torch::randn({5000});
  const auto y = torch::rand({5000}) * 2 - 1;
  EXPECT_EQ(
      first_bit_difference(activations::sigmoid_backward(g, y), torch::sigmoid_backward(g, y)), -1);
  EXPECT_EQ(
      first_bit_difference(activations::relu_backward(g, y), torch::threshold_backward(g, y, 0)),
      -1);
  EXPECT_EQ(first_bit_difference(activations::leaky_relu_backward(g, y, 0.2, false),
                                 torch::leaky_relu_backward(g, y, 0.2, false)),
            -1);
  const auto expected = has_fma(GetParam()) ? torch::tanh_backward(g, y) : g * (1 - y * y);
  EXPECT_EQ(first_bit_difference(activations::tanh_backward(g, y), expected), -1);
}

// The memory-bound loops run on 256-bit vectors on AMD's AVX-512 cores and full-width ones on
// Intel's (src/kernels/elementwise.cpp): both, forced in turn, give ATen's bits for every length
// of tail, dtype and slope.
TEST_P(SimdTargets, MemoryBoundLoopsAtBothWidthsBitIdenticalToTorch) {
  torch::manual_seed(44);
  for (const bool half_width : {true, false}) {
    kernels::force_half_width_for_memory_bound(half_width);
    for (const int64_t n : {1, 7, 8, 15, 16, 17, 31, 33, 63, 65, 4099}) {
      for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16}) {
        const auto x = mixed_values(n, dtype);
        const auto g = torch::randn({n}).to(dtype);
        const auto y = (torch::rand({n}) * 2 - 1).to(dtype);
        const bool any_nan = dtype == torch::kBFloat16;
        const auto where = ::testing::Message() << half_width << " " << n << " " << dtype;
        EXPECT_EQ(first_bit_difference(activations::relu(x), torch_relu(x), any_nan), -1) << where;
        EXPECT_EQ(first_bit_difference(activations::leaky_relu(x, 0.3), torch::leaky_relu(x, 0.3),
                                       any_nan),
                  -1)
            << where;
        EXPECT_EQ(first_bit_difference(activations::relu_backward(g, y),
                                       torch::threshold_backward(g, y, 0)),
                  -1)
            << where;
        EXPECT_EQ(first_bit_difference(activations::leaky_relu_backward(g, y, 0.2, false),
                                       torch::leaky_relu_backward(g, y, 0.2, false)),
                  -1)
            << where;
        if (dtype == torch::kFloat || dtype == torch::kDouble) {
          EXPECT_EQ(first_bit_difference(activations::sigmoid_backward(g, y),
                                         torch::sigmoid_backward(g, y)),
                    -1)
              << where;
        }
      }
      const auto integers = torch::randint(-100, 100, {n}).to(torch::kInt32);
      EXPECT_EQ(first_bit_difference(activations::relu(integers), torch_relu(integers)), -1) << n;
    }
  }
  kernels::force_half_width_for_memory_bound(std::nullopt);
}

TEST_P(SimdTargets, StridedAndTailsMatchContiguous) {
  torch::manual_seed(43);
  for (const int64_t n : {1, 7, 8, 15, 16, 17, 31, 33, 63, 65, 1000}) {
    const auto base = torch::randn({n, 3});
    const auto strided = base.t();
    EXPECT_EQ(
        first_bit_difference(activations::tanh(strided), activations::tanh(strided.contiguous())),
        -1)
        << n;
    EXPECT_EQ(first_bit_difference(activations::sigmoid(strided.to(torch::kHalf)),
                                   activations::sigmoid(strided.contiguous().to(torch::kHalf))),
              -1)
        << n;
    // Inputs on both sides of every boundary between sigmoid's paths (|x| = 16, the subnormal
    // tail below -87), so that vectors mix lanes of different paths: a lane's bits must not
    // depend on its neighbours.
    const auto wide = (torch::randn({n, 3}) * 40).t();
    for (const auto dtype : {torch::kFloat, torch::kDouble}) {
      const auto x = wide.to(dtype);
      EXPECT_EQ(first_bit_difference(activations::sigmoid(x), activations::sigmoid(x.contiguous())),
                -1)
          << n << " " << dtype;
    }
    // GELU's erf form likewise across its float path's bounds (AVX-512: |x| = 11.75, x / 2 below
    // 2^-100) and its zeros: inputs spread to +-16 with every fifth one tiny or zero.
    const auto spread = torch::randn({n, 3}) * 6;
    const auto tiny = torch::where(torch::rand({n, 3}) < 0.5, 1e-38, 0.0) * torch::randn({n, 3});
    const auto gelu_inputs =
        torch::where(torch::rand({n, 3}) < 0.2, tiny, spread).to(torch::kFloat).t();
    EXPECT_EQ(first_bit_difference(activations::gelu(gelu_inputs),
                                   activations::gelu(gelu_inputs.contiguous())),
              -1)
        << n;
  }
}

std::vector<int64_t> targets() {
  std::vector<int64_t> supported = hwy::SupportedAndGeneratedTargets();
  return supported;
}

std::string target_name(const ::testing::TestParamInfo<int64_t>& info) {
  std::string name = hwy::TargetName(info.param);
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, SimdTargets, ::testing::ValuesIn(targets()), target_name);

}  // namespace
}  // namespace activations::testing
