// SiLU's contract: within 1 ULP of x sigmoid(x) everywhere in float32 and float64, its tail down
// to the subnormals included (torch gives 0 from x = -88.7), correctly rounded in float16 and
// bfloat16, the limits at the infinities, and a derivative within 2 ULP.
#include <gtest/gtest.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

// A wide random sample, a dense grid where silu bends, and one over its tail (normal results
// down to -91.9, subnormal ones to -108.7, 0 below).
torch::Tensor silu_inputs(torch::ScalarType dtype) {
  return torch::cat({mixed_values(200000, torch::kFloat64),
                     torch::linspace(-20, 20, 200001, torch::kFloat64),
                     torch::linspace(-115, -80, 200001, torch::kFloat64)})
      .to(dtype);
}

// float64: the double sigmoid (within 0.66 ULP) times x, rounded once more, is within 2.32 ULP
// of its binade's spacing (relative 5.2e-16), far inside the contract's 1e-13.
TEST(Silu, Float32WithinOneUlpAndFloat64WithinTwoAndAHalf) {
  torch::manual_seed(30);
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto x = silu_inputs(dtype);
    const auto report = ulp_report(x, activations::silu(x), exact_silu);
    EXPECT_LE(report.max_ulp, dtype == torch::kFloat ? 1.0 : 2.5)
        << dtype << " at x=" << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << dtype;
  }
}

// Below -700 the float64 result nears and enters the subnormals: computed as (x m) m with
// m = sigmoid(x / 2), within 5 ULP (relative 1.1e-15) where normal and of the subnormal spacing
// where not (x times a subnormal sigmoid was 349 ULP off at x = -745.2).
TEST(Silu, Float64TailIntoTheSubnormals) {
  const auto x = torch::linspace(-760, -690, 200001, torch::kFloat64);
  const auto report = ulp_report(x, activations::silu(x), exact_silu);
  EXPECT_LE(report.max_ulp, 5.0) << "at x=" << report.worst_input;
  const auto derivative = activations::silu_backward(torch::ones_like(x), x);
  const auto derivative_report = ulp_report(x, derivative, exact_silu_derivative);
  EXPECT_LE(derivative_report.max_ulp, 5.0) << "at x=" << derivative_report.worst_input;
}

TEST(Silu, KeepsTheTailWhereTorchGivesZero) {
  const auto x = torch::linspace(-108.0, -88.8, 100001, torch::kFloat);
  const auto ours = activations::silu(x);
  const auto theirs = torch::silu(x);
  const auto exact = x.to(torch::kFloat64).clone();
  for (int64_t i = 0; i < x.numel(); ++i) {
    exact[i] = static_cast<double>(exact_silu(x[i].item<float>()));
  }
  // every input whose exact value rounds to a nonzero float gets a nonzero result
  const auto nonzero = exact.to(torch::kFloat) != 0;
  EXPECT_TRUE((ours.masked_select(nonzero) != 0).all().item<bool>());
  EXPECT_GT((theirs.masked_select(nonzero) == 0).sum().item<int64_t>(), 0)
      << "torch no longer loses the tail: the README's comparison is out of date";
  const auto report = ulp_report(x, ours, exact_silu);
  EXPECT_LE(report.max_ulp, 1.0) << "at x=" << report.worst_input;
}

TEST(Silu, LimitsSignedZerosAndNaN) {
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = torch::tensor({-INFINITY, INFINITY, NAN, 0.0f, -0.0f}).to(dtype);
    const auto y = activations::silu(x).to(torch::kFloat64);
    EXPECT_EQ(y[0].item<double>(), 0.0) << dtype;
    EXPECT_EQ(y[1].item<double>(), INFINITY) << dtype;
    EXPECT_TRUE(std::isnan(y[2].item<double>())) << dtype;
    EXPECT_EQ(y[3].item<double>(), 0.0) << dtype;
    EXPECT_FALSE(std::signbit(y[3].item<double>())) << dtype;
    EXPECT_TRUE(std::signbit(y[4].item<double>())) << dtype;
  }
  // the largest floats stay finite (x sigmoid(x) = x there)
  const float max = std::numeric_limits<float>::max();
  EXPECT_EQ(activations::silu(torch::tensor({max})).item<float>(), max);
  const double max64 = std::numeric_limits<double>::max();
  EXPECT_EQ(activations::silu(torch::tensor({max64}, torch::kFloat64)).item<double>(), max64);
  EXPECT_EQ(activations::silu(torch::tensor({-max})).item<float>(), 0.0f);
}

// All 65,536 values of each 16-bit type: the result is the exact value correctly rounded
// (within half a ULP of it).
TEST(Silu, SixteenBitTypesCorrectlyRounded) {
  for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
    const auto x = all_16_bit_values(dtype);
    const auto report = ulp_report(x, activations::silu(x), exact_silu);
    EXPECT_LE(report.max_ulp, 0.5) << dtype << " at x=" << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << dtype;
  }
}

// With a gradient of 1 the backward is the derivative: within 2 ULP in float32 (1 in practice:
// it is computed in double and rounded), and within 1e-13 relative in float64 but near the
// derivative's zero at x = -1.2785, where 1 + x (1 - s) cancels and the error is absolute.
TEST(Silu, DerivativeWithinTwoUlp) {
  torch::manual_seed(31);
  const auto x = silu_inputs(torch::kFloat);
  const auto grad = activations::silu_backward(torch::ones_like(x), x);
  const auto report = ulp_report(x, grad, exact_silu_derivative);
  EXPECT_LE(report.max_ulp, 2.0) << "at x=" << report.worst_input;
  EXPECT_EQ(report.nan_for_finite_input, 0);

  const auto x64 = silu_inputs(torch::kFloat64);
  const auto grad64 = activations::silu_backward(torch::ones_like(x64), x64);
  const auto exact64 = x64.clone();
  const double* xs = x64.data_ptr<double>();
  double* es = exact64.data_ptr<double>();
  for (int64_t i = 0; i < x64.numel(); ++i) {
    es[i] = std::isnan(xs[i]) ? NAN : static_cast<double>(exact_silu_derivative(xs[i]));
  }
  EXPECT_TRUE(torch::allclose(grad64, exact64, 1e-13, 1e-15, /*equal_nan=*/true));
}

// The derivative's limits, and the gradient passed through scaled.
TEST(Silu, BackwardAtTheLimits) {
  const auto x = torch::tensor({-INFINITY, INFINITY, -1e30f, 1e30f, 0.0f});
  const auto d = activations::silu_backward(torch::full({5}, 3.0f), x);
  EXPECT_EQ(d[0].item<float>(), 0.0f);
  EXPECT_EQ(d[1].item<float>(), 3.0f);
  EXPECT_EQ(d[2].item<float>(), 0.0f);
  EXPECT_EQ(d[3].item<float>(), 3.0f);
  EXPECT_EQ(d[4].item<float>(), 1.5f);
}

TEST(Silu, ChaptersExampleShapeMatchesTorchClosely) {
  torch::manual_seed(32);
  const auto x = torch::randn({2, 5});
  EXPECT_TRUE(torch::allclose(activations::silu(x), torch::silu(x), 1e-6, 1e-7));
  auto module = activations::MySiLU();
  EXPECT_TRUE(torch::equal(module->forward(x), activations::silu(x)));
}

}  // namespace
}  // namespace activations::testing
