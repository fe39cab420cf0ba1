// The accuracy proof: every float32 bit pattern through sigmoid, tanh, SiLU and GELU against a
// double-precision reference, every float16 and bfloat16 value against a long double one, and
// the backward operators on a large sample. Reports the largest error in ULP, where it occurs
// and how many inputs exceed 1 ULP; fails above 1 ULP (on AVX-512 tanh 0.75, both GELU forms 0.8,
// SiLU 0.9; float16 and bfloat16: 0.5 plus a hair) or on a NaN for a finite input, and where
// backward differs from ATen's bits.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <activations/activations.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>

#include "accuracy/float32_sweep.h"
#include "test_helpers.h"

namespace activations::testing {
namespace {

class Exhaustive : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(2); }
};

// The sweeps run on each SIMD target with fused multiply-add this CPU has (AVX-512 and AVX2;
// on Arm NEON and the SVE targets); older targets compute sigmoid and tanh in long double and
// are sampled in test_simd_targets. Where sigmoid has several paths (AVX2, Arm), each lane takes
// the path of its own value whatever its neighbours (test_simd_targets holds that), so one
// sweep proves every input on the path it takes in any layout.
class ExhaustivePerTarget : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    torch::set_num_threads(2);
    hwy::SetSupportedTargetsForTest(GetParam());
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  }
  void TearDown() override {
    hwy::SetSupportedTargetsForTest(0);
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  }
  std::string label(const char* function) const {
    return std::string(function) + " float32 " + hwy::TargetName(GetParam());
  }
  // Sweeps every pattern through `op`, prints the summary and holds it to `max_ulp`, no NaN for
  // a finite input and NaN kept.
  void expect_within(const char* function, const Operator& op, double (*reference)(double),
                     double max_ulp = 1.0) const {
    const auto summary = sweep_float32(op, reference);
    print(label(function).c_str(), summary);
    EXPECT_LE(summary.max_ulp, max_ulp);
    EXPECT_EQ(summary.nan_for_finite, 0);
    EXPECT_EQ(summary.nan_lost, 0);
  }
};

TEST_P(ExhaustivePerTarget, SigmoidFloat32AllBitPatterns) {
  expect_within(
      "sigmoid", [](const torch::Tensor& x, torch::Tensor& y) { activations::sigmoid_out(x, y); },
      &sigmoid_reference);
}

TEST_P(ExhaustivePerTarget, TanhFloat32AllBitPatterns) {
  // AVX-512's slot tables end in one fused multiply-add on a nearly exact constant
  expect_within(
      "tanh", [](const torch::Tensor& x, torch::Tensor& y) { activations::tanh_out(x, y); },
      &tanh_reference, GetParam() == HWY_AVX3 ? 0.75 : 1.0);
}

// SiLU's float path: on AVX-512 slot tables where |x| <= 10.48, whose constant part is carried
// exactly to the last sum (held to 0.9 ULP there); on the other targets (|x| <= 16) each target's
// reciprocal estimate (rcpps, NEON's and SVE's). Every vector that mixes it with the double path
// (the tails, tiny x where the estimate of 2 is inexact) picks lane by lane.
TEST_P(ExhaustivePerTarget, SiluFloat32AllBitPatterns) {
  expect_within(
      "silu", [](const torch::Tensor& x, torch::Tensor& y) { activations::silu_out(x, y); },
      &silu_reference, GetParam() == HWY_AVX3 ? 0.9 : 1.0);
}

// SiLU's backward with a gradient of 1 is its derivative: within 2 ULP for every float32 input
// (in float where |x| <= 16: on AVX-512 from slot tables, whose largest errors lie at the edge of
// the slot around the derivative's zero, elsewhere with each target's reciprocal estimate; the
// gradient's product is exact).
TEST_P(ExhaustivePerTarget, SiluDerivativeFloat32AllBitPatterns) {
  expect_within(
      "silu derivative",
      [](const torch::Tensor& x, torch::Tensor& y) {
        y.copy_(activations::silu_backward(torch::ones_like(x), x));
      },
      &silu_derivative_reference, /*max_ulp=*/2.0);
}

// LibTorch's own silu for the README's comparison (normal outputs, and its zeros and NaN), and
// its backward on every 5th pattern.
TEST_F(Exhaustive, TorchSiluFloat32ForComparison) {
  const auto normal = sweep_float32(
      [](const torch::Tensor& x, torch::Tensor& y) { at::silu_out(y, x); }, &silu_reference,
      /*normal_outputs_only=*/true, torch_sweep_stride());
  print("torch::silu, normal outputs", normal);
  const auto x = torch::linspace(-110.0, -80.0, 300001, torch::kFloat);
  const auto zeros = x.index({torch::silu(x) == 0});
  std::printf("[ accuracy ] torch::silu returns 0 for x in [%.4f, %.4f]; silu(-inf) = %g\n",
              zeros.min().item<float>(), zeros.max().item<float>(),
              torch::silu(torch::tensor({-INFINITY})).item<float>());
  const auto backward =
      sweep_float32([](const torch::Tensor& x,
                       torch::Tensor& y) { y.copy_(at::silu_backward(torch::ones_like(x), x)); },
                    &silu_derivative_reference, /*normal_outputs_only=*/true,
                    std::max<uint64_t>(5, torch_sweep_stride()));
  print("torch::silu_backward, normal outputs", backward);
}

// GELU's erf form computes float32 from AVX-512's slot tables where |x| <= 11.75, whose products
// are carried exactly to one last sum (held to 0.8 ULP there), and in double registers elsewhere
// and on the other targets, where the exp, the division and the polynomial take each target's
// instructions. The tanh form: in float where |x| <= 9 on targets with fused multiply-add.
TEST_P(ExhaustivePerTarget, GeluFloat32AllBitPatterns) {
  expect_within(
      "gelu", [](const torch::Tensor& x, torch::Tensor& y) { activations::gelu_out(x, "none", y); },
      &gelu_reference, GetParam() == HWY_AVX3 ? 0.8 : 1.0);
}

TEST_P(ExhaustivePerTarget, GeluTanhFloat32AllBitPatterns) {
  expect_within(
      "gelu tanh",
      [](const torch::Tensor& x, torch::Tensor& y) { activations::gelu_out(x, "tanh", y); },
      &gelu_tanh_reference, GetParam() == HWY_AVX3 ? 0.8 : 1.0);
}

// GELU's backward with a gradient of 1, both forms, on every 5th float32 pattern (every exponent
// and the tails; the contract is 2 ULP on a large sample), beside torch's on the same inputs.
TEST_F(Exhaustive, GeluDerivativesFloat32Sampled) {
  constexpr uint64_t kStride = 5;
  for (const char* approximate : {"none", "tanh"}) {
    const bool erf_form = std::strcmp(approximate, "none") == 0;
    const auto reference = erf_form ? &gelu_derivative_reference : &gelu_tanh_derivative_reference;
    const auto summary = sweep_float32(
        [approximate](const torch::Tensor& x, torch::Tensor& y) {
          y.copy_(activations::gelu_backward(torch::ones_like(x), x, approximate));
        },
        reference, /*normal_outputs_only=*/false, kStride);
    print(erf_form ? "gelu derivative float32" : "gelu tanh derivative float32", summary);
    EXPECT_LE(summary.max_ulp, 2.0) << approximate;
    EXPECT_EQ(summary.nan_for_finite, 0) << approximate;
    const auto torch_summary = sweep_float32(
        [approximate](const torch::Tensor& x, torch::Tensor& y) {
          y.copy_(at::gelu_backward(torch::ones_like(x), x, approximate));
        },
        reference, /*normal_outputs_only=*/true, std::max(kStride, torch_sweep_stride()));
    print(erf_form ? "torch::gelu_backward, normal outputs"
                   : "torch::gelu_backward tanh, normal outputs",
          torch_summary);
  }
}

// LibTorch's own gelu, both forms, for the README's comparison: on normal outputs, and where it
// returns 0 for an exact result that rounds to a nonzero float.
TEST_F(Exhaustive, TorchGeluFloat32ForComparison) {
  for (const char* approximate : {"none", "tanh"}) {
    const bool erf_form = std::strcmp(approximate, "none") == 0;
    const auto normal =
        sweep_float32([approximate](const torch::Tensor& x,
                                    torch::Tensor& y) { at::gelu_out(y, x, approximate); },
                      erf_form ? &gelu_reference : &gelu_tanh_reference,
                      /*normal_outputs_only=*/true, torch_sweep_stride());
    print(erf_form ? "torch::gelu, normal outputs" : "torch::gelu tanh, normal outputs", normal);
    const auto x = torch::linspace(-16.0, -3.0, 1300001, torch::kFloat);
    const auto zeros = x.index({torch::gelu(x, approximate) == 0});
    std::printf(
        "[ accuracy ] torch::gelu(approximate='%s') returns 0 from x = %.4f down (tried to "
        "-16); gelu(-inf) = %g, gelu(+inf) = %g\n",
        approximate, zeros.numel() ? zeros.max().item<float>() : NAN,
        torch::gelu(torch::tensor({-INFINITY}), approximate).item<float>(),
        torch::gelu(torch::tensor({INFINITY}), approximate).item<float>());
  }
}

std::vector<int64_t> fma_targets() {
  std::vector<int64_t> targets;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    if (target == HWY_AVX3 || target == HWY_AVX2 || target == HWY_NEON || target == HWY_SVE ||
        target == HWY_SVE2 || target == HWY_SVE_256 || target == HWY_SVE2_128) {
      targets.push_back(target);
    }
  }
  return targets;
}

INSTANTIATE_TEST_SUITE_P(Fma, ExhaustivePerTarget, ::testing::ValuesIn(fma_targets()),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return std::string(hwy::TargetName(info.param));
                         });

// LibTorch's own sigmoid for the README's comparison: on normal outputs, and where it returns
// 0 for a positive result. Ours must be positive wherever the exact value rounds to a positive
// float (above half the smallest subnormal, x > -103.97).
TEST_F(Exhaustive, TorchSigmoidFloat32ForComparison) {
  const auto normal = sweep_float32(
      [](const torch::Tensor& x, torch::Tensor& y) { at::sigmoid_out(y, x); }, &sigmoid_reference,
      /*normal_outputs_only=*/true, torch_sweep_stride());
  print("torch::sigmoid, normal outputs", normal);
  const auto x = torch::linspace(-104.0, -87.0, 1700001, torch::kFloat);
  const auto zeros = x.index({torch::sigmoid(x) == 0});
  const auto rounds_to_positive =
      x.to(torch::kDouble).exp() > std::numeric_limits<float>::denorm_min() / 2.0;
  const auto ours = activations::sigmoid(x);
  const int64_t our_zeros = (ours.index({rounds_to_positive}) == 0).sum().item<int64_t>();
  std::printf(
      "[ accuracy ] torch::sigmoid returns 0 for x in [%.4f, %.4f]; ours returns 0 for %lld of "
      "the %lld inputs there whose exact value rounds to a positive float\n",
      zeros.min().item<float>(), zeros.max().item<float>(), static_cast<long long>(our_zeros),
      static_cast<long long>(rounds_to_positive.sum().item<int64_t>()));
  EXPECT_EQ(our_zeros, 0);
}

// All 65,536 values of float16 and of bfloat16, computed in float and rounded once.
TEST_F(Exhaustive, SixteenBitTypesEveryValue) {
  struct Function {
    const char* name;
    torch::Tensor (*ours)(const torch::Tensor&);
    long double (*exact)(long double);
  };
  for (const Function& f :
       {Function{"sigmoid", &activations::sigmoid, &exact_sigmoid},
        Function{"tanh", &activations::tanh, &exact_tanh},
        Function{"silu", &activations::silu, &exact_silu},
        Function{"gelu", [](const torch::Tensor& x) { return activations::gelu(x); }, &exact_gelu},
        Function{"gelu tanh", [](const torch::Tensor& x) { return activations::gelu(x, "tanh"); },
                 &exact_gelu_tanh}}) {
    for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
      const auto x = all_16_bit_values(dtype);
      const auto report = ulp_report(x, f.ours(x), f.exact);
      std::printf(
          "[ accuracy ] %-8s %-9s max %.4f ULP at x = %.6g; %lld of 65536 values above 1 ULP; "
          "%lld NaN for finite inputs\n",
          f.name, dtype == torch::kHalf ? "float16" : "bfloat16", report.max_ulp,
          report.worst_input, static_cast<long long>(report.above_one_ulp),
          static_cast<long long>(report.nan_for_finite_input));
      // computed in float (within 1 ULP of float) and rounded once: 0.5 ULP plus a hair
      EXPECT_LE(report.max_ulp, 0.5 + 1e-3) << f.name << " " << dtype;
      EXPECT_EQ(report.nan_for_finite_input, 0) << f.name << " " << dtype;
    }
  }
}

// The backward operators on 2^24 (grad, saved) pairs of float32: the same bits as ATen's
// backward kernels (what autograd compares against), and the error of the formula's three
// roundings against the exact product of the same floats, reported.
TEST_F(Exhaustive, BackwardLargeSample) {
  constexpr int64_t kPairs = int64_t{1} << 24;
  torch::manual_seed(11);
  const auto scale = torch::pow(10.0, torch::randint(-30, 30, {kPairs}).to(torch::kFloat));
  const auto grad = torch::randn({kPairs}) * scale;
  const auto x = torch::randn({kPairs}) * torch::pow(10.0, torch::randint(-8, 3, {kPairs}));
  struct Case {
    const char* name;
    torch::Tensor saved, ours, aten;
    long double (*derivative)(long double saved);  // d activation / dx from the saved tensor
  };
  const auto y_sigmoid = activations::sigmoid(x);
  const auto y_tanh = activations::tanh(x);
  const auto y_relu = activations::relu(x);
  const Case cases[] = {
      {"sigmoid", y_sigmoid, activations::sigmoid_backward(grad, y_sigmoid),
       at::sigmoid_backward(grad, y_sigmoid), [](long double y) { return y * (1 - y); }},
      {"tanh", y_tanh, activations::tanh_backward(grad, y_tanh), at::tanh_backward(grad, y_tanh),
       [](long double y) { return 1 - y * y; }},
      {"relu", y_relu, activations::relu_backward(grad, y_relu),
       at::threshold_backward(grad, y_relu, 0), [](long double y) { return y > 0 ? 1.0L : 0.0L; }},
      {"leaky_relu", x, activations::leaky_relu_backward(grad, x, 0.2, false),
       at::leaky_relu_backward(grad, x, 0.2, false),
       [](long double v) { return v > 0 ? 1.0L : static_cast<long double>(0.2f); }},
  };
  const FloatFormat format = format_of(torch::kFloat);
  for (const Case& c : cases) {
    EXPECT_EQ(first_bit_difference(c.ours, c.aten), -1) << c.name;
    const float* g = grad.data_ptr<float>();
    const float* saved = c.saved.data_ptr<float>();
    const float* ours = c.ours.data_ptr<float>();
    double max_ulp = 0;
    int64_t above_one = 0;
    for (int64_t i = 0; i < kPairs; ++i) {
      const double error = ulp_error(ours[i], g[i] * c.derivative(saved[i]), format);
      above_one += error > 1.0;
      max_ulp = std::max(max_ulp, error);
    }
    std::printf(
        "[ accuracy ] %-10s backward float32: bit-identical to ATen on %lld pairs; max %.4f ULP "
        "from the exact product of the same floats, %lld pairs above 1 ULP\n",
        c.name, static_cast<long long>(kPairs), max_ulp, static_cast<long long>(above_one));
  }
}

}  // namespace
}  // namespace activations::testing
