// The accuracy proof of the CUDA kernels' math, run on the CPU: kernels/portable/ compiled for
// the host (tests/cuda/device_matches_host.cu shows on a GPU that the device computes the same
// bits). Every float32 bit pattern through sigmoid and tanh against a double reference (and,
// where this CPU runs the AVX-512 kernels, against their bits, which the slot-table math is
// meant to reproduce); every float16 and bfloat16 value, also with the device's reciprocal
// estimate one ULP off either way; float64 on a sample against long double.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "accuracy/float32_sweep.h"
#include "kernels/kernel_spec.h"
#include "kernels/portable/activation_math.h"
#include "test_helpers.h"

namespace activations::testing {
namespace {

namespace portable = kernels::portable;

const portable::SlotTables& slot_tables() {
  static const portable::SlotTables tables = portable::make_slot_tables();
  return tables;
}

bool runs_avx512_slot_tables() {
  const std::string target = kernels::simd_target_name();
  return target == "AVX3" || target == "AVX3_DL";
}

// The portable function as a sweep operator; where this CPU runs the AVX-512 kernels, it also
// counts the inputs where the library's result (`cpu_op`) has other bits.
template <typename Portable>
Operator portable_operator(Portable portable_fn,
                           void (*cpu_op)(const torch::Tensor&, torch::Tensor&),
                           std::atomic<int64_t>* differ_from_avx512) {
  return [=](const torch::Tensor& x, torch::Tensor& y) {
    const float* xs = x.data_ptr<float>();
    float* ys = y.data_ptr<float>();
    at::parallel_for(0, x.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) ys[i] = portable_fn(xs[i]);
    });
    if (!runs_avx512_slot_tables()) return;
    auto cpu = torch::empty_like(x);
    cpu_op(x, cpu);
    const float* cpu_ys = cpu.data_ptr<float>();
    int64_t differ = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      differ += std::memcmp(&ys[i], &cpu_ys[i], sizeof(float)) != 0 &&
                !(std::isnan(ys[i]) && std::isnan(cpu_ys[i]));
    }
    *differ_from_avx512 += differ;
  };
}

void print_comparison(const char* what, int64_t differ_from_avx512) {
  if (runs_avx512_slot_tables()) {
    std::printf("[ accuracy ] %s: %lld of 2^32 results differ from the AVX-512 kernels'\n", what,
                static_cast<long long>(differ_from_avx512));
  } else {
    std::printf("[ accuracy ] %s: this CPU runs no AVX-512 kernel to compare with\n", what);
  }
}

class PortableMath : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(2); }
};

TEST_F(PortableMath, SigmoidFloat32AllBitPatterns) {
  std::atomic<int64_t> differ{0};
  const auto summary = sweep_float32(
      portable_operator(
          [](float x) { return portable::slot_sigmoid(x, slot_tables()); },
          [](const torch::Tensor& x, torch::Tensor& y) { activations::sigmoid_out(x, y); },
          &differ),
      &sigmoid_reference);
  print("sigmoid float32, CUDA math on the host", summary);
  print_comparison("sigmoid float32, CUDA math on the host", differ);
  EXPECT_LE(summary.max_ulp, 0.91);
  EXPECT_EQ(summary.nan_for_finite, 0);
  EXPECT_EQ(summary.nan_lost, 0);
  EXPECT_EQ(differ, 0);
}

TEST_F(PortableMath, TanhFloat32AllBitPatterns) {
  std::atomic<int64_t> differ{0};
  const auto summary = sweep_float32(
      portable_operator(
          [](float x) { return portable::slot_tanh(x, slot_tables()); },
          [](const torch::Tensor& x, torch::Tensor& y) { activations::tanh_out(x, y); }, &differ),
      &tanh_reference);
  print("tanh float32, CUDA math on the host", summary);
  print_comparison("tanh float32, CUDA math on the host", differ);
  EXPECT_LE(summary.max_ulp, 0.59);
  EXPECT_EQ(summary.nan_for_finite, 0);
  EXPECT_EQ(summary.nan_lost, 0);
  EXPECT_EQ(differ, 0);
}

// The device's rcp.approx is within 1 ULP of the reciprocal: the host's exact one, and one ULP
// off either way, must give the same 16-bit results.
template <int kUlps>
struct OffsetEstimate {
  static float of(float d) { return std::nextafter(1.0f / d, kUlps > 0 ? INFINITY : -INFINITY); }
};

template <typename T, typename F>
void every_16_bit_value(const char* name, const char* dtype_name, const F& function,
                        long double (*exact)(long double), FloatFormat format) {
  double max_ulp = 0;
  double worst = 0;
  int not_correctly_rounded = 0;
  int estimate_dependent = 0;
  for (int i = 0; i < 65536; ++i) {
    const uint16_t bits = static_cast<uint16_t>(i);
    T x;
    std::memcpy(&x, &bits, sizeof x);
    const float wide = static_cast<float>(x);
    const T y = static_cast<T>(function(wide, portable::ReciprocalEstimate{}));
    const T low = static_cast<T>(function(wide, OffsetEstimate<-1>{}));
    const T high = static_cast<T>(function(wide, OffsetEstimate<+1>{}));
    if (std::isnan(wide)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(y))) << name << " " << dtype_name;
      continue;
    }
    estimate_dependent +=
        std::memcmp(&y, &low, sizeof y) != 0 || std::memcmp(&y, &high, sizeof y) != 0;
    const double error = ulp_error(static_cast<float>(y), exact(wide), format);
    not_correctly_rounded += error > 0.5 + 1e-9;
    if (error > max_ulp) {
      max_ulp = error;
      worst = wide;
    }
  }
  std::printf(
      "[ accuracy ] CUDA math, host build: %-8s %-9s max %.6f ULP at x = %.6g; %d of 65536 values "
      "not correctly rounded; %d change with the reciprocal estimate\n",
      name, dtype_name, max_ulp, worst, not_correctly_rounded, estimate_dependent);
  // computed in float32 and rounded once, as the CPU kernels: 0.5 ULP plus a hair
  EXPECT_LE(max_ulp, 0.5 + 1e-3) << name << " " << dtype_name;
  EXPECT_EQ(estimate_dependent, 0) << name << " " << dtype_name;
}

TEST_F(PortableMath, SixteenBitTypesEveryValue) {
  const auto sigmoid = [](float x, auto estimate) {
    return portable::sigmoid_for_16_bit<decltype(estimate)>(x);
  };
  const auto tanh_float16 = [](float x, auto estimate) {
    return portable::tanh_for_16_bit<11, decltype(estimate)>(x);
  };
  const auto tanh_bfloat16 = [](float x, auto estimate) {
    return portable::tanh_for_16_bit<8, decltype(estimate)>(x);
  };
  every_16_bit_value<c10::Half>("sigmoid", "float16", sigmoid, &exact_sigmoid, {11, -13});
  every_16_bit_value<c10::BFloat16>("sigmoid", "bfloat16", sigmoid, &exact_sigmoid, {8, -125});
  every_16_bit_value<c10::Half>("tanh", "float16", tanh_float16, &exact_tanh, {11, -13});
  every_16_bit_value<c10::BFloat16>("tanh", "bfloat16", tanh_bfloat16, &exact_tanh, {8, -125});
}

// SiLU's CUDA math (double, then rounded: to odd first for the 16-bit types) on the host: every
// 16-bit value, and float64 over its subnormal tail.
TEST_F(PortableMath, SiluEvery16BitValueAndFloat64Tail) {
  // Its float32 sweeps (all 2^32 inputs, forward 0.5000 ULP, derivative 0.5001) took 16 minutes
  // of scalar double code on 2 cores, too long for CI; float32 is the same double computation
  // as the 16-bit types below, rounded to nearest instead of to odd.
  double half_max = 0, bfloat16_max = 0;
  for (int bits = 0; bits < 65536; ++bits) {
    const c10::Half h(static_cast<uint16_t>(bits), c10::Half::from_bits());
    const c10::BFloat16 b(static_cast<uint16_t>(bits), c10::BFloat16::from_bits());
    if (!std::isnan(static_cast<float>(h))) {
      const float y = static_cast<float>(portable::SiluForward{}(h));
      half_max = std::max(half_max, ulp_error(y, exact_silu(static_cast<float>(h)), {11, -13}));
    }
    if (!std::isnan(static_cast<float>(b))) {
      const float y = static_cast<float>(portable::SiluForward{}(b));
      bfloat16_max =
          std::max(bfloat16_max, ulp_error(y, exact_silu(static_cast<float>(b)), {8, -125}));
    }
  }
  std::printf("[ accuracy ] CUDA math, host build: silu float16 max %.4f ULP, bfloat16 max %.4f\n",
              half_max, bfloat16_max);
  EXPECT_LE(half_max, 0.5);
  EXPECT_LE(bfloat16_max, 0.5);

  double float64_max = 0;
  for (double x = -760.0; x <= 40.0; x += 0.0037) {
    float64_max = std::max(
        float64_max, ulp_error(portable::silu_float64(x), exact_silu(x), FloatFormat{53, -1021}));
  }
  std::printf("[ accuracy ] CUDA math, host build: silu float64 on [-760, 40] max %.4f ULP\n",
              float64_max);
  EXPECT_LE(float64_max, 5.0);
  EXPECT_EQ(portable::silu_float64(-INFINITY), 0.0);
  EXPECT_EQ(portable::silu_float64(INFINITY), INFINITY);
  EXPECT_TRUE(std::isnan(portable::silu_float64(NAN)));
}

// float64 over 2^24 inputs spread over binades 2^-40 to 2^10, and the tails.
TEST_F(PortableMath, Float64Sample) {
  std::mt19937_64 random(7);
  const FloatFormat format{53, -1021};
  double sigmoid_max = 0, tanh_max = 0;
  auto check = [&](double x) {
    sigmoid_max =
        std::max(sigmoid_max, ulp_error(portable::sigmoid_float64(x), exact_sigmoid(x), format));
    tanh_max = std::max(tanh_max, ulp_error(portable::tanh_float64(x), exact_tanh(x), format));
  };
  for (int i = 0; i < (1 << 24); ++i) {
    check(std::ldexp(std::uniform_real_distribution<double>(-1, 1)(random),
                     std::uniform_int_distribution<int>(-40, 10)(random)));
  }
  for (const double x : {-745.1, -744.4, -708.8, -700.0, 0.0, -0.0, 19.06, 36.7, 710.0}) check(x);
  std::printf(
      "[ accuracy ] CUDA math, host build: float64 sample: sigmoid max %.4f ULP, tanh "
      "max %.4f ULP\n",
      sigmoid_max, tanh_max);
  EXPECT_LE(sigmoid_max, 1.0);
  EXPECT_LE(tanh_max, 1.0);
  EXPECT_TRUE(std::isnan(portable::sigmoid_float64(NAN)));
  EXPECT_TRUE(std::isnan(portable::tanh_float64(NAN)));
  EXPECT_EQ(portable::sigmoid_float64(-INFINITY), 0.0);
  EXPECT_EQ(portable::sigmoid_float64(INFINITY), 1.0);
  EXPECT_EQ(portable::tanh_float64(-INFINITY), -1.0);
}

}  // namespace
}  // namespace activations::testing
