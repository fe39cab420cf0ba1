// On a GPU: the CUDA kernels' sigmoid and tanh against the host build of the same math
// (kernels/portable/), which tests/accuracy/portable_math_accuracy.cpp proves exhaustively on the
// CPU. Every float32 bit pattern must give the host's bits exactly (the slot tables use only
// IEEE operations); every float16 and bfloat16 value too (the proof shows that the device's
// reciprocal estimate, rcp.approx, cannot change those: a difference is reported and fails);
// float64 on a sample. Exit status 1 on any difference.
//
//   device_matches_host [log2 chunk | --probe]
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <cuda_runtime.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/portable/activation_math.h"
#include "ops/cuda/elementwise_kernel.cuh"
#include "tests/cuda/cuda_check.h"

namespace {

namespace portable = activations::kernels::portable;
namespace cuda_programs = activations::cuda_programs;
namespace cuda = activations::ops::cuda;

using cuda_programs::check;

template <typename T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename T>
bool is_nan(T v) {
  const double d = static_cast<double>(v);
  return d != d;
}

// Runs f on the device over `host_in` and compares with f on the host; returns the number of
// differences, NaN results matching any NaN.
template <typename T, typename F>
int64_t compare(const char* name, const std::vector<T>& host_in, const F& f, int64_t* worst_index,
                bool print = true) {
  const int64_t n = static_cast<int64_t>(host_in.size());
  T* in = nullptr;
  T* out = nullptr;
  check(cudaMalloc(&in, n * sizeof(T)), "cudaMalloc");
  check(cudaMalloc(&out, n * sizeof(T)), "cudaMalloc");
  check(cudaMemcpy(in, host_in.data(), n * sizeof(T), cudaMemcpyHostToDevice), "copy in");
  const T* inputs[1] = {in};
  cuda::launch_elementwise<T, 1>(out, inputs, n, f, nullptr);
  check(cudaGetLastError(), "launch");
  std::vector<T> device_out(n);
  check(cudaMemcpy(device_out.data(), out, n * sizeof(T), cudaMemcpyDeviceToHost), "copy out");
  cudaFree(in);
  cudaFree(out);
  const portable::SlotTables tables = portable::make_slot_tables();
  int64_t differences = 0;
#pragma omp parallel for reduction(+ : differences) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    T expected;
    if constexpr (F::template kUsesSlotTables<T>) {
      expected = f(host_in[i], tables);
    } else {
      expected = f(host_in[i]);
    }
    const T got = device_out[i];
    if (!same_bits(expected, got) && !(is_nan(expected) && is_nan(got))) {
      ++differences;
      *worst_index = i;
    }
  }
  if (print && differences > 0) {
    const int64_t i = *worst_index;
    T expected;
    if constexpr (F::template kUsesSlotTables<T>) {
      expected = f(host_in[i], tables);
    } else {
      expected = f(host_in[i]);
    }
    std::printf("  %s: e.g. x = %.9g: device %.9g, host %.9g\n", name,
                static_cast<double>(host_in[i]), static_cast<double>(device_out[i]),
                static_cast<double>(expected));
  }
  return differences;
}

// Every 16-bit value, repeated 256 times: 2^24 elements, so that each block of the kernel runs
// several tiles (the pipelined loop) as on large tensors.
template <typename T>
std::vector<T> all_16_bit_values() {
  std::vector<T> values(int64_t{1} << 24);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint16_t bits = static_cast<uint16_t>(i);
    std::memcpy(&values[i], &bits, sizeof bits);
  }
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  const bool probe = argc > 1 && std::strcmp(argv[1], "--probe") == 0;
  const int chunk_log2 = argc > 1 && !probe ? std::atoi(argv[1]) : 28;
  int failures = 0;
  cudaDeviceProp properties;
  check(cudaGetDeviceProperties(&properties, 0), "properties");
  std::printf("device: %s, %d multiprocessors\n", properties.name, properties.multiProcessorCount);
  if (probe) return 0;  // this build runs here

  // float32: every bit pattern, in chunks
  for (const char* name : {"sigmoid", "tanh"}) {
    const bool sigmoid = std::strcmp(name, "sigmoid") == 0;
    int64_t differences = 0, index = 0;
    const int64_t chunk = int64_t{1} << chunk_log2;
    std::vector<float> x(chunk);
    for (int64_t start = 0; start < (int64_t{1} << 32); start += chunk) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < chunk; ++i) {
        const uint32_t bits = static_cast<uint32_t>(start + i);
        std::memcpy(&x[i], &bits, sizeof bits);
      }
      differences += sigmoid ? compare(name, x, portable::SigmoidForward{}, &index)
                             : compare(name, x, portable::TanhForward{}, &index);
    }
    std::printf("%-8s float32: %lld of 2^32 bit patterns differ from the host build\n", name,
                static_cast<long long>(differences));
    failures += differences != 0;
  }

  // float16 and bfloat16: every value; differences from the reciprocal estimate are reported
  auto sixteen = [&](const char* name, auto values, auto f) {
    int64_t index = 0;
    const int64_t differences = compare(name, values, f, &index);
    const bool half = std::is_same_v<typename decltype(values)::value_type, c10::Half>;
    std::printf(
        "%-8s %s: %lld of 2^24 elements (every value 256 times) differ from the host "
        "build\n",
        name, half ? "float16" : "bfloat16", static_cast<long long>(differences));
    return differences;
  };
  int64_t sixteen_differences = 0;
  sixteen_differences +=
      sixteen("sigmoid", all_16_bit_values<c10::Half>(), portable::SigmoidForward{});
  sixteen_differences +=
      sixteen("sigmoid", all_16_bit_values<c10::BFloat16>(), portable::SigmoidForward{});
  sixteen_differences += sixteen("tanh", all_16_bit_values<c10::Half>(), portable::TanhForward{});
  sixteen_differences +=
      sixteen("tanh", all_16_bit_values<c10::BFloat16>(), portable::TanhForward{});
  failures += sixteen_differences != 0;

  // float64: a sample over many binades
  std::mt19937_64 random(42);
  std::vector<double> x64(1 << 24);
  for (auto& v : x64) {
    v = std::ldexp(std::uniform_real_distribution<double>(-1, 1)(random),
                   std::uniform_int_distribution<int>(-30, 10)(random));
  }
  for (const char* name : {"sigmoid", "tanh"}) {
    int64_t index = 0;
    const int64_t differences = std::strcmp(name, "sigmoid") == 0
                                    ? compare(name, x64, portable::SigmoidForward{}, &index)
                                    : compare(name, x64, portable::TanhForward{}, &index);
    std::printf("%-8s float64: %lld of %zu sampled inputs differ from the host build\n", name,
                static_cast<long long>(differences), x64.size());
    failures += differences != 0;
  }
  std::printf("device matches host: %s\n", failures == 0 ? "yes" : "NO");
  return failures == 0 ? 0 : 1;
}
