// Values: bit-identical ReLU/LeakyReLU, sigmoid/tanh within their ULP bounds, special values,
// and the backward formulas against ATen's own backward kernels.
#include <gtest/gtest.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

constexpr int64_t kSample = 20000;
const std::vector<double> kSlopes = {0.2, 0.01, 0.0, 1.0, -0.5, 3.0, 1e-30};

// float16 has no torch CPU kernel here: its reference is torch's float32 result rounded once.
torch::Tensor torch_reference(const std::function<torch::Tensor(const torch::Tensor&)>& op,
                              const torch::Tensor& x) {
  if (x.scalar_type() == torch::kHalf) return op(x.to(torch::kFloat)).to(torch::kHalf);
  return op(x);
}

bool nan_bits_may_differ(torch::ScalarType dtype) {
  return dtype != torch::kFloat && dtype != torch::kDouble;
}

TEST(Relu, BitIdenticalToTorch) {
  torch::manual_seed(1);
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16, torch::kHalf}) {
    const auto x = mixed_values(kSample, dtype);
    const auto expected = torch_reference([](const torch::Tensor& t) { return torch_relu(t); }, x);
    EXPECT_EQ(first_bit_difference(activations::relu(x), expected, nan_bits_may_differ(dtype)), -1)
        << dtype;
  }
}

TEST(Relu, SignOfZeroAndSpecialValuesAsTorch) {
  const auto x = special_values();
  const auto y = activations::relu(x);
  EXPECT_EQ(first_bit_difference(y, torch_relu(x)), -1);  // torch_relu_reference.h: why
  // Spelled out: -0.0 stays -0.0, a negative value gives +0.0, -inf gives +0.0, NaN stays NaN.
  const auto probe = activations::relu(torch::tensor({-0.0f, -3.0f, -INFINITY, NAN}));
  EXPECT_TRUE(std::signbit(probe[0].item<float>()));
  EXPECT_FALSE(std::signbit(probe[1].item<float>()));
  EXPECT_FALSE(std::signbit(probe[2].item<float>()));
  EXPECT_EQ(probe[2].item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(probe[3].item<float>()));
}

TEST(LeakyRelu, BitIdenticalToTorchForEverySlope) {
  torch::manual_seed(2);
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16, torch::kHalf}) {
    const auto x = mixed_values(kSample, dtype);
    for (const double slope : kSlopes) {
      const auto expected =
          torch_reference([&](const torch::Tensor& t) { return torch::leaky_relu(t, slope); }, x);
      EXPECT_EQ(first_bit_difference(activations::leaky_relu(x, slope), expected,
                                     nan_bits_may_differ(dtype)),
                -1)
          << dtype << " slope " << slope;
    }
  }
}

TEST(LeakyRelu, DefaultSlopeIsTheChaptersGamma) {
  const auto x = torch::tensor({-1.0, -0.5, 2.0}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(activations::leaky_relu(x), torch::leaky_relu(x, 0.2)));
  EXPECT_EQ(kDefaultNegativeSlope, 0.2);
}

// Inputs for the sigmoid/tanh bounds: a wide random sample, a dense grid over the range where
// both functions change, and the special values.
torch::Tensor accuracy_inputs(torch::ScalarType dtype) {
  return torch::cat({mixed_values(200000, torch::kFloat64),
                     torch::linspace(-110, 110, 200001, torch::kFloat64)})
      .to(dtype);
}

struct SmoothCase {
  const char* name;
  torch::Tensor (*ours)(const torch::Tensor&);
  long double (*exact)(long double);
};
const SmoothCase kSmooth[] = {{"sigmoid", &activations::sigmoid, &exact_sigmoid},
                              {"tanh", &activations::tanh, &exact_tanh}};

TEST(SigmoidTanh, Float32AndFloat64WithinOneUlp) {
  torch::manual_seed(3);
  for (const auto& op : kSmooth) {
    for (const auto dtype : {torch::kFloat, torch::kDouble}) {
      const auto x = accuracy_inputs(dtype);
      const auto report = ulp_report(x, op.ours(x), op.exact);
      EXPECT_LE(report.max_ulp, 1.0) << op.name << " " << dtype << " at x=" << report.worst_input;
      EXPECT_EQ(report.nan_for_finite_input, 0) << op.name << " " << dtype;
    }
  }
}

TEST(SigmoidTanh, NanAndInfinities) {
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = torch::tensor({NAN, INFINITY, -INFINITY}).to(dtype);
    const auto s = activations::sigmoid(x).to(torch::kFloat64);
    const auto t = activations::tanh(x).to(torch::kFloat64);
    EXPECT_TRUE(std::isnan(s[0].item<double>())) << dtype;
    EXPECT_EQ(s[1].item<double>(), 1.0) << dtype;
    EXPECT_EQ(s[2].item<double>(), 0.0) << dtype;
    EXPECT_TRUE(std::isnan(t[0].item<double>())) << dtype;
    EXPECT_EQ(t[1].item<double>(), 1.0) << dtype;
    EXPECT_EQ(t[2].item<double>(), -1.0) << dtype;
  }
}

TEST(Tanh, KeepsTinyInputs) {
  EXPECT_EQ(activations::tanh(torch::tensor({1e-8f})).item<float>(), 1e-8f);
  EXPECT_EQ(activations::tanh(torch::tensor({1e-8}, torch::kFloat64)).item<double>(), 1e-8);
  const float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(activations::tanh(torch::tensor({tiny})).item<float>(), tiny);
}

TEST(Tanh, ExactlyOdd) {
  torch::manual_seed(4);
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = mixed_values(kSample, dtype);
    EXPECT_EQ(first_bit_difference(activations::tanh(-x), -activations::tanh(x), true), -1)
        << dtype;
  }
}

TEST(Sigmoid, KeepsTheTinyTailWhereTorchGivesZero) {
  const auto x = torch::linspace(-103.0, -88.0, 150001, torch::kFloat);
  const auto ours = activations::sigmoid(x);
  const auto theirs = torch::sigmoid(x);
  EXPECT_TRUE((ours > 0).all().item<bool>());
  const auto our_report = ulp_report(x, ours, exact_sigmoid);
  const auto their_report = ulp_report(x, theirs, exact_sigmoid);
  EXPECT_LE(our_report.max_ulp, 2.0) << "at x=" << our_report.worst_input;
  EXPECT_LT(our_report.max_ulp, their_report.max_ulp);
  std::cout << "[ info ] sigmoid on [-103, -88]: torch gives 0 for "
            << (theirs == 0).sum().item<int64_t>() << " of " << x.numel() << " inputs, ours for "
            << (ours == 0).sum().item<int64_t>() << "; max ULP ours " << our_report.max_ulp
            << ", torch " << their_report.max_ulp << "\n";
}

TEST(SigmoidTanh, FloatInputsOfTheChaptersExamplesMatchTorchClosely) {
  torch::manual_seed(5);
  const auto x = torch::randn({2, 5});
  EXPECT_TRUE(torch::allclose(activations::sigmoid(x), torch::sigmoid(x), 1e-6, 0));
  EXPECT_TRUE(torch::allclose(activations::tanh(x), torch::tanh(x), 1e-6, 0));
}

// The backward operators on the same (grad, saved) pairs give ATen's backward bits.
TEST(Backward, BitIdenticalToAtenBackwardKernels) {
  torch::manual_seed(6);
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16, torch::kHalf}) {
    const auto grad = mixed_values(kSample, dtype);
    const auto x = mixed_values(kSample, dtype);
    const auto y_sigmoid = torch::sigmoid(x.to(torch::kFloat)).to(dtype);
    const auto y_tanh = torch::tanh(x.to(torch::kFloat)).to(dtype);
    const auto y_relu = torch_relu(x.to(torch::kFloat)).to(dtype);
    // NaN in, NaN out; which NaN bits an arithmetic NaN carries is the compiler's choice of
    // instruction, not a property of the formula.
    const bool any_nan = true;
    auto reference = [&](auto op) {
      if (dtype == torch::kHalf) {
        return op(grad.to(torch::kFloat)).to(torch::kHalf);
      }
      return op(grad);
    };
    EXPECT_EQ(first_bit_difference(activations::sigmoid_backward(grad, y_sigmoid),
                                   reference([&](const torch::Tensor& g) {
                                     return torch::sigmoid_backward(g,
                                                                    y_sigmoid.to(g.scalar_type()));
                                   }),
                                   any_nan),
              -1)
        << dtype;
    EXPECT_EQ(first_bit_difference(activations::tanh_backward(grad, y_tanh),
                                   reference([&](const torch::Tensor& g) {
                                     return torch::tanh_backward(g, y_tanh.to(g.scalar_type()));
                                   }),
                                   any_nan),
              -1)
        << dtype;
    EXPECT_EQ(first_bit_difference(
                  activations::relu_backward(grad, y_relu), reference([&](const torch::Tensor& g) {
                    return torch::threshold_backward(g, y_relu.to(g.scalar_type()), 0);
                  }),
                  any_nan),
              -1)
        << dtype;
    for (const double slope : kSlopes) {
      EXPECT_EQ(first_bit_difference(activations::leaky_relu_backward(grad, x, slope, false),
                                     reference([&](const torch::Tensor& g) {
                                       return torch::leaky_relu_backward(g, x.to(g.scalar_type()),
                                                                         slope, false);
                                     }),
                                     any_nan),
                -1)
          << dtype << " slope " << slope;
    }
  }
}

// Eq. 3-114 in its first form, e^-x / (1 + e^-x)^2, against g*y*(1-y) from the output.
TEST(Backward, SigmoidDerivativeIsEquation3_114) {
  const auto x = torch::linspace(-20, 20, 4001, torch::kFloat64);
  const auto direct = torch::exp(-x) / torch::pow(1 + torch::exp(-x), 2);
  const auto ours = activations::sigmoid_backward(torch::ones_like(x), activations::sigmoid(x));
  // From the output, 1 - y loses relative precision where y is near 1 (as torch's does): the
  // absolute error stays below 1e-15 of the maximum 0.25.
  EXPECT_TRUE(torch::allclose(ours, direct, 1e-12, 1e-15));
}

// Eq. 3-116: 1 - tanh(x)^2, against 1/cosh(x)^2.
TEST(Backward, TanhDerivativeIsEquation3_116) {
  const auto x = torch::linspace(-20, 20, 4001, torch::kFloat64);
  const auto direct = 1 / torch::pow(torch::cosh(x), 2);
  const auto ours = activations::tanh_backward(torch::ones_like(x), activations::tanh(x));
  EXPECT_TRUE(torch::allclose(ours, direct, 1e-12, 1e-15));
}

// Eqs. 3-118 and 3-120 with the erratum: for x <= 0 the slope is +gamma (the chapter prints
// -gamma), for x > 0 it is 1; ReLU's derivative is 0 for x <= 0.
TEST(Backward, ReluAndLeakyReluDerivativesAreEquations3_118And3_120) {
  const auto x = torch::tensor({-2.0, -0.0, 0.0, 3.0}, torch::kFloat64);
  const auto ones = torch::ones_like(x);
  const auto leaky = activations::leaky_relu_backward(ones, x, 0.2, false);
  EXPECT_TRUE(torch::equal(leaky, torch::tensor({0.2, 0.2, 0.2, 1.0}, torch::kFloat64)));
  const auto relu = activations::relu_backward(ones, activations::relu(x));
  EXPECT_TRUE(torch::equal(relu, torch::tensor({0.0, 0.0, 0.0, 1.0}, torch::kFloat64)));
}

}  // namespace
}  // namespace activations::testing
