// GELU's contract, in both of torch's forms (approximate = "none" and "tanh"): within 1 ULP of
// the exact value everywhere in float32, tails included (torch gives 0 from x = -6 and -7.95),
// float64 within 10 ULP (the contract's 1e-13 relative is some 450), correctly rounded in
// float16 and bfloat16, the limits at the infinities, and a derivative within 2 ULP.
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <sstream>

#include "test_helpers.h"

namespace activations::testing {
namespace {

struct GeluForm {
  const char* approximate;
  long double (*exact)(long double);
  long double (*exact_derivative)(long double);
  double tail_start;   // where the float32 result reaches the subnormals and 0 (about)
  double float64_end;  // where the float64 result rounds to 0 (about)
};

const GeluForm kForms[] = {
    {"none", exact_gelu, exact_gelu_derivative, -14.5, -39.0},
    {"tanh", exact_gelu_tanh, exact_gelu_tanh_derivative, -11.0, -21.8},
};

class Gelu : public ::testing::TestWithParam<GeluForm> {};

std::string form_name(const ::testing::TestParamInfo<GeluForm>& info) {
  return std::string(info.param.approximate) == "none" ? "Erf" : "Tanh";
}

// A wide random sample, a dense grid where GELU bends, and one over its float32 tail.
torch::Tensor gelu_inputs(const GeluForm& form, torch::ScalarType dtype) {
  return torch::cat({mixed_values(200000, torch::kFloat64),
                     torch::linspace(-8, 8, 200001, torch::kFloat64),
                     torch::linspace(form.tail_start, -4, 200001, torch::kFloat64)})
      .to(dtype);
}

torch::Tensor derivative_of(const GeluForm& form, const torch::Tensor& x) {
  return activations::gelu_backward(torch::ones_like(x), x, form.approximate);
}

// float64: computed in double with some ten roundings, within 10 ULP (measured: the erf form 7.9
// at x = -8.71, the tanh form 2.0).
TEST_P(Gelu, Float32WithinOneUlpAndFloat64WithinTen) {
  const GeluForm& form = GetParam();
  torch::manual_seed(40);
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto x = gelu_inputs(form, dtype);
    const auto report = ulp_report(x, activations::gelu(x, form.approximate), form.exact);
    EXPECT_LE(report.max_ulp, dtype == torch::kFloat ? 1.0 : 10.0)
        << dtype << " at x=" << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << dtype;
  }
}

// The float64 tail into the subnormals, rounded once there ((f m) m), within 10 ULP where normal
// (measured 7.1) and of the subnormal spacing where not.
TEST_P(Gelu, Float64TailIntoTheSubnormals) {
  const GeluForm& form = GetParam();
  const auto x =
      torch::linspace(form.float64_end - 1.0, form.float64_end + 9.0, 200001, torch::kFloat64);
  const auto report = ulp_report(x, activations::gelu(x, form.approximate), form.exact);
  EXPECT_LE(report.max_ulp, 10.0) << "at x=" << report.worst_input;
  const auto derivative = ulp_report(x, derivative_of(form, x), form.exact_derivative);
  EXPECT_LE(derivative.max_ulp, 10.0) << "at x=" << derivative.worst_input;
}

TEST_P(Gelu, KeepsTheTailWhereTorchGivesZero) {
  const GeluForm& form = GetParam();
  const auto x = torch::linspace(form.tail_start, -5.5, 100001, torch::kFloat);
  const auto ours = activations::gelu(x, form.approximate);
  const auto theirs = torch::gelu(x, form.approximate);
  const auto exact = x.to(torch::kFloat64).clone();
  for (int64_t i = 0; i < x.numel(); ++i) {
    exact[i] = static_cast<double>(form.exact(x[i].item<float>()));
  }
  // every input whose exact value rounds to a nonzero float gets a nonzero result
  const auto nonzero = exact.to(torch::kFloat) != 0;
  EXPECT_TRUE((ours.masked_select(nonzero) != 0).all().item<bool>());
  EXPECT_GT((theirs.masked_select(nonzero) == 0).sum().item<int64_t>(), 0)
      << "torch no longer loses the tail: the README's comparison is out of date";
  const auto report = ulp_report(x, ours, form.exact);
  EXPECT_LE(report.max_ulp, 1.0) << "at x=" << report.worst_input;
}

TEST_P(Gelu, LimitsSignedZerosAndNaN) {
  const GeluForm& form = GetParam();
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = torch::tensor({-INFINITY, INFINITY, NAN, 0.0f, -0.0f}).to(dtype);
    const auto y = activations::gelu(x, form.approximate).to(torch::kFloat64);
    EXPECT_EQ(y[0].item<double>(), 0.0) << dtype;
    EXPECT_EQ(y[1].item<double>(), INFINITY) << dtype;
    EXPECT_TRUE(std::isnan(y[2].item<double>())) << dtype;
    EXPECT_EQ(y[3].item<double>(), 0.0) << dtype;
    EXPECT_FALSE(std::signbit(y[3].item<double>())) << dtype;
    EXPECT_TRUE(std::signbit(y[4].item<double>())) << dtype;
  }
  // the largest floats stay finite: gelu(x) = x there (torch's erf form gives inf at 3.4e38)
  const float max = std::numeric_limits<float>::max();
  EXPECT_EQ(activations::gelu(torch::tensor({max}), form.approximate).item<float>(), max);
  const double max64 = std::numeric_limits<double>::max();
  EXPECT_EQ(
      activations::gelu(torch::tensor({max64}, torch::kFloat64), form.approximate).item<double>(),
      max64);
  EXPECT_EQ(activations::gelu(torch::tensor({-max}), form.approximate).item<float>(), 0.0f);
}

// All 65,536 values of each 16-bit type: the exact value correctly rounded.
TEST_P(Gelu, SixteenBitTypesCorrectlyRounded) {
  const GeluForm& form = GetParam();
  for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
    const auto x = all_16_bit_values(dtype);
    const auto report = ulp_report(x, activations::gelu(x, form.approximate), form.exact);
    EXPECT_LE(report.max_ulp, 0.5) << dtype << " at x=" << report.worst_input;
    EXPECT_EQ(report.nan_for_finite_input, 0) << dtype;
  }
}

// With a gradient of 1 the backward is the derivative: within 2 ULP in float32; in float64
// within 1e-13 relative but near the derivative's zero (x = -0.752), where Phi + x phi cancels
// and the error is a few 2^-53 absolute.
TEST_P(Gelu, DerivativeWithinTwoUlp) {
  const GeluForm& form = GetParam();
  torch::manual_seed(41);
  const auto x = gelu_inputs(form, torch::kFloat);
  const auto report = ulp_report(x, derivative_of(form, x), form.exact_derivative);
  EXPECT_LE(report.max_ulp, 2.0) << "at x=" << report.worst_input;
  EXPECT_EQ(report.nan_for_finite_input, 0);

  const auto x64 = gelu_inputs(form, torch::kFloat64);
  const auto exact64 = x64.clone();
  const double* xs = x64.data_ptr<double>();
  double* es = exact64.data_ptr<double>();
  for (int64_t i = 0; i < x64.numel(); ++i) {
    es[i] = std::isnan(xs[i]) ? NAN : static_cast<double>(form.exact_derivative(xs[i]));
  }
  EXPECT_TRUE(torch::allclose(derivative_of(form, x64), exact64, 1e-13, 1e-15, /*equal_nan=*/true));
}

// The derivative's limits (torch's tanh form gives inf at 1.9e19, where x^3 overflows), and the
// gradient passed through scaled.
TEST_P(Gelu, BackwardAtTheLimits) {
  const GeluForm& form = GetParam();
  const auto x = torch::tensor({-INFINITY, INFINITY, -1e30f, 1.9e19f, 0.0f});
  const auto d = activations::gelu_backward(torch::full({5}, 3.0f), x, form.approximate);
  EXPECT_EQ(d[0].item<float>(), 0.0f);
  EXPECT_EQ(d[1].item<float>(), 3.0f);
  EXPECT_EQ(d[2].item<float>(), 0.0f);
  EXPECT_EQ(d[3].item<float>(), 3.0f);
  EXPECT_EQ(d[4].item<float>(), 1.5f);
}

TEST_P(Gelu, ChaptersExampleShapeMatchesTorchClosely) {
  const GeluForm& form = GetParam();
  torch::manual_seed(42);
  const auto x = torch::randn({2, 5});
  EXPECT_TRUE(torch::allclose(activations::gelu(x, form.approximate),
                              torch::gelu(x, form.approximate), 1e-6, 1e-7));
  auto module = activations::MyGELU(activations::MyGELUOptions().approximate(form.approximate));
  EXPECT_TRUE(torch::equal(module->forward(x), activations::gelu(x, form.approximate)));
  auto in_place = x.clone();
  activations::gelu_(in_place, form.approximate);
  EXPECT_TRUE(torch::equal(in_place, activations::gelu(x, form.approximate)));
}

INSTANTIATE_TEST_SUITE_P(Forms, Gelu, ::testing::ValuesIn(kForms), form_name);

// The default is the erf form, as torch's; the two forms differ.
TEST(GeluOptions, DefaultIsTheErfForm) {
  const auto x = torch::linspace(-3, 3, 101);
  EXPECT_TRUE(torch::equal(activations::gelu(x), activations::gelu(x, "none")));
  EXPECT_FALSE(torch::equal(activations::gelu(x, "none"), activations::gelu(x, "tanh")));
  EXPECT_TRUE(torch::equal(activations::MyGELU()->forward(x), activations::gelu(x, "none")));
}

// An unknown approximation is refused by name before anything is written, in every variant and
// in the module's options.
TEST(GeluOptions, UnknownApproximationRefused) {
  auto x = torch::linspace(-3, 3, 11);
  const auto before = x.clone();
  auto out = torch::zeros_like(x);
  const auto expect_refused = [&](const std::function<void()>& call, const std::string& op) {
    try {
      call();
      ADD_FAILURE() << op << " accepted approximate='sigmoid'";
    } catch (const c10::Error& error) {
      EXPECT_NE(std::string(error.what())
                    .find("activations::" + op +
                          ": approximate must be 'none' or 'tanh', got "
                          "'sigmoid'"),
                std::string::npos)
          << error.what();
    }
  };
  expect_refused([&] { activations::gelu(x, "sigmoid"); }, "gelu");
  expect_refused([&] { activations::gelu_(x, "sigmoid"); }, "gelu_");
  expect_refused([&] { activations::gelu_out(x, "sigmoid", out); }, "gelu.out");
  expect_refused([&] { activations::gelu_backward(x, x, "sigmoid"); }, "gelu_backward");
  EXPECT_TRUE(torch::equal(x, before));
  EXPECT_TRUE(torch::equal(out, torch::zeros_like(x)));
  EXPECT_THROW(activations::MyGELU(activations::MyGELUOptions().approximate("Tanh")), c10::Error);
}

TEST(GeluOptions, PrettyPrintShowsTheApproximation) {
  std::ostringstream plain;
  std::ostringstream tanh;
  activations::MyGELU()->pretty_print(plain);
  activations::MyGELU(activations::MyGELUOptions().approximate("tanh"))->pretty_print(tanh);
  EXPECT_EQ(plain.str(), "activations::MyGELU()");
  EXPECT_EQ(tanh.str(), "activations::MyGELU(approximate='tanh')");
}

}  // namespace
}  // namespace activations::testing
