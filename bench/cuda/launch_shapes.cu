// On a GPU: GB/s (bytes read + written over the median time of a launch, CUDA events) of the
// CUDA driver (ops/cuda/elementwise_kernel.cuh) under several launch shapes (block size, and a
// grid capped so that the grid-stride loop runs several tiles per block),
// beside a device-to-device copy, for the forward sigmoid and tanh and an identity functor (the
// driver's own bound); and two alternatives to the chosen math, to show why it was chosen: the
// 16-bit types through the slot tables, float32 through the table-free 16-bit math. Inputs are
// normal with standard deviation 3. Prints a markdown table.
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/portable/activation_math.h"
#include "ops/cuda/elementwise_kernel.cuh"
#include "tests/cuda/cuda_check.h"

namespace {

namespace portable = activations::kernels::portable;
namespace cuda_programs = activations::cuda_programs;
namespace cuda = activations::ops::cuda;

using cuda_programs::check;

struct Identity : portable::PlainFunctor {
  template <typename T>
  __host__ __device__ T operator()(T x) const {
    return x;
  }
};

// The alternatives: slot tables for 16-bit types, the table-free math for float32.
struct SlotTablesFor16Bit {
  template <typename T>
  static constexpr bool kUsesSlotTables = true;
  template <typename T>
  static constexpr bool kComputeBound = false;
};
struct SlotSigmoidFor16Bit : SlotTablesFor16Bit {
  template <typename T>
  __host__ __device__ T operator()(T x, const portable::SlotTables& t) const {
    return static_cast<T>(portable::slot_sigmoid(static_cast<float>(x), t));
  }
};
struct SlotTanhFor16Bit : SlotTablesFor16Bit {
  template <typename T>
  __host__ __device__ T operator()(T x, const portable::SlotTables& t) const {
    return static_cast<T>(portable::slot_tanh(static_cast<float>(x), t));
  }
};
struct TableFreeSigmoid : portable::PlainFunctor {
  __host__ __device__ float operator()(float x) const { return portable::sigmoid_for_16_bit(x); }
};
struct TableFreeTanh : portable::PlainFunctor {
  __host__ __device__ float operator()(float x) const { return portable::tanh_for_16_bit<11>(x); }
};

template <typename F>
float median_ms(F launch, int repeats = 25) {
  for (int i = 0; i < 3; ++i) launch();
  check(cudaDeviceSynchronize(), "warm-up");
  std::vector<float> times;
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  for (int i = 0; i < repeats; ++i) {
    cudaEventRecord(start);
    launch();
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    times.push_back(ms);
  }
  check(cudaGetLastError(), "launch");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int multiprocessors() {
  int count = 0;
  check(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, 0), "attribute");
  return count;
}

template <typename T>
const char* dtype_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  if constexpr (std::is_same_v<T, c10::BFloat16>) return "bfloat16";
  return "float16";
}

template <typename T>
void run(int power, bool shapes) {
  const int64_t n = int64_t{1} << power;
  std::vector<T> host(n);
  std::mt19937 random(power);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (auto& v : host) v = static_cast<T>(normal(random));
  T *in, *out;
  check(cudaMalloc(&in, n * sizeof(T)), "cudaMalloc");
  check(cudaMalloc(&out, n * sizeof(T)), "cudaMalloc");
  check(cudaMemcpy(in, host.data(), n * sizeof(T), cudaMemcpyHostToDevice), "copy in");
  const double bytes = 2.0 * n * sizeof(T);
  const float copy_ms =
      median_ms([&] { cudaMemcpyAsync(out, in, n * sizeof(T), cudaMemcpyDeviceToDevice); });
  const double copy_gbs = bytes / copy_ms / 1e6;
  const T* inputs[1] = {in};
  const int sms = multiprocessors();
  auto row = [&](const std::string& op, const std::string& shape, float ms) {
    const double gbs = bytes / ms / 1e6;
    std::printf("| %s | 2^%d | %s | %s | %.0f | %.0f | %.2f |\n", dtype_name<T>(), power,
                op.c_str(), shape.c_str(), gbs, copy_gbs, gbs / copy_gbs);
  };
  const cuda::LaunchShape chosen;
  auto measure = [&](const std::string& op, auto f, cuda::LaunchShape shape, int blocks_per_sm) {
    const float ms =
        median_ms([&] { cuda::launch_elementwise<T, 1>(out, inputs, n, f, 0, shape); });
    row(op,
        std::to_string(shape.threads) + " threads, " +
            (blocks_per_sm == 0  ? std::string("the driver's choice")
             : blocks_per_sm < 0 ? std::string("a block per tile")
                                 : std::to_string(blocks_per_sm) + " blocks/SM, pipelined"),
        ms);
  };
  auto all_ops = [&](int threads, int blocks_per_sm) {
    cuda::LaunchShape shape;
    shape.threads = threads;
    if (blocks_per_sm > 0) shape.max_blocks = int64_t{sms} * blocks_per_sm;
    if (blocks_per_sm < 0) shape.max_blocks = (int64_t{1} << 31) - 1;
    measure("identity", Identity{}, shape, blocks_per_sm);
    measure("sigmoid", portable::SigmoidForward{}, shape, blocks_per_sm);
    measure("tanh", portable::TanhForward{}, shape, blocks_per_sm);
  };
  all_ops(chosen.threads, 0);
  if (shapes) {
    all_ops(128, -1);
    all_ops(128, 16);  // the H200's resident grid at 128 threads
    all_ops(256, -1);
    all_ops(128, 64);
    if constexpr (std::is_same_v<T, float>) {
      measure("sigmoid, table-free math", TableFreeSigmoid{}, chosen, 0);
      measure("tanh, table-free math", TableFreeTanh{}, chosen, 0);
    } else {
      measure("sigmoid, slot tables", SlotSigmoidFor16Bit{}, chosen, 0);
      measure("tanh, slot tables", SlotTanhFor16Bit{}, chosen, 0);
    }
  }
  cudaFree(in);
  cudaFree(out);
}

}  // namespace

int main() {
  cudaDeviceProp properties;
  check(cudaGetDeviceProperties(&properties, 0), "properties");
  std::printf("Device: %s, %d multiprocessors\n\n", properties.name,
              properties.multiProcessorCount);
  std::printf("| dtype | elements | op | launch | GB/s | copy GB/s | of copy |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const int power : {20, 24, 28}) {
    run<float>(power, power != 20);
    run<c10::BFloat16>(power, power != 20);
    run<c10::Half>(power, power != 20);
  }
  return 0;
}
