// The CUDA elementwise driver: out[i] = f(in0[i], ...) over flat arrays, for every functor of
// kernels/portable/activation_math.h. Torch's launch on sm_90: blocks of 128 threads, each block a
// tile of 128 x 8 elements in 16-byte packs, a block per tile. For compute-bound functors
// (kComputeBound) the grid is instead what the device holds resident at once, and each block
// loops over its tiles with the next tile's loads issued before the current one is computed, so
// that loads stay in flight while the math runs (on an H200 that lifts the 16-bit sigmoid and
// tanh by 5-15%, and costs memory-bound kernels 5-10%: bench/cuda/launch_shapes.cu). Misaligned
// arrays run the same loop one element per pack. Functors that use the slot tables get them in
// shared memory, copied once per block from global memory (through L1) while the block's first
// loads are in flight.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <type_traits>

#include "kernels/portable/activation_math.h"

namespace activations::ops::cuda {

namespace portable = kernels::portable;

template <typename T, int kLanes>
struct alignas(sizeof(T) * kLanes) Pack {
  T lane[kLanes];
};

template <typename T, int N>
struct Inputs {
  const T* pointer[N];
};

// Threads per block, and the largest grid (0: the functor's choice, a block per tile or, for a
// compute-bound one, as many blocks as the device holds resident); bench/cuda/launch_shapes.cu
// compares others.
struct LaunchShape {
  int threads = 128;
  int64_t max_blocks = 0;
  int multiprocessors = 0;  // 0: ask the current device
};

// Elements per thread and tile: 8, as torch's vectorized kernel on sm_90 (16 for 1-byte types).
template <typename T, int kLanes>
constexpr int kPacksPerThread = kLanes >= 8 ? 1 : 8 / kLanes;

static __device__ const portable::SlotTables kSlotTablesOnDevice = portable::make_slot_tables();

template <typename T>
__device__ __forceinline__ void copy_slot_tables(portable::SlotTables& tables) {
  constexpr int kVectors = sizeof(portable::SlotTables) / sizeof(float4);
  static_assert(sizeof(portable::SlotTables) % sizeof(float4) == 0, "whole float4s");
  const auto* source = reinterpret_cast<const float4*>(&kSlotTablesOnDevice);
  auto* destination = reinterpret_cast<float4*>(&tables);
  for (int i = threadIdx.x; i < kVectors; i += blockDim.x) destination[i] = __ldg(source + i);
  __syncthreads();
}

// f applied to the k-th lanes of the N operands, with the tables where f takes them.
template <int N, typename F, typename V, typename... Tables>
__device__ __forceinline__ auto apply(const F& f, const V (&values)[N], int k,
                                      const Tables&... tables) {
  if constexpr (N == 1) {
    return f(values[0].lane[k], tables...);
  } else {
    return f(values[0].lane[k], values[1].lane[k], tables...);
  }
}

template <int kPacks, int N, typename P, typename T>
__device__ __forceinline__ void load_tile(const Inputs<T, N>& in, int64_t tile, int64_t packs,
                                          P (&values)[kPacks][N]) {
  const int64_t first = tile * kPacks * blockDim.x + threadIdx.x;
#pragma unroll
  for (int u = 0; u < kPacks; ++u) {
    const int64_t p = first + static_cast<int64_t>(u) * blockDim.x;
    if (p < packs) {
#pragma unroll
      for (int i = 0; i < N; ++i) values[u][i] = reinterpret_cast<const P*>(in.pointer[i])[p];
    }
  }
}

// The tiles blockIdx.x, + gridDim.x, ... of packs[n / kLanes], then (block 0) the n % kLanes
// elements after them. `tiles` is ceil(packs / (kPacks * blockDim.x)), from the host.
template <typename T, int kLanes, int N, typename F>
__global__ void elementwise_kernel(Inputs<T, N> in, T* out, int64_t n, int64_t tiles, F f) {
  using P = Pack<T, kLanes>;
  constexpr int kPacks = kPacksPerThread<T, kLanes>;
  constexpr bool kTables = F::template kUsesSlotTables<T>;
  __shared__ std::conditional_t<kTables, portable::SlotTables, char> tables;
  const int64_t packs = n / kLanes;
  auto compute = [&](const auto& values, int k) {
    if constexpr (kTables) {
      return apply<N>(f, values, k, tables);
    } else {
      return apply<N>(f, values, k);
    }
  };
  int64_t tile = blockIdx.x;
  if (tile < tiles) {  // the same in every thread of a block
    P current[kPacks][N];
    load_tile(in, tile, packs, current);
    if constexpr (kTables) copy_slot_tables<T>(tables);
    for (;;) {
      const int64_t next = tile + gridDim.x;
      P upcoming[kPacks][N];
      if (next < tiles) load_tile(in, next, packs, upcoming);
      const int64_t first = tile * kPacks * blockDim.x + threadIdx.x;
#pragma unroll
      for (int u = 0; u < kPacks; ++u) {
        const int64_t p = first + static_cast<int64_t>(u) * blockDim.x;
        if (p < packs) {
          P result;
#pragma unroll
          for (int k = 0; k < kLanes; ++k) result.lane[k] = compute(current[u], k);
          reinterpret_cast<P*>(out)[p] = result;
        }
      }
      if (next >= tiles) break;
      tile = next;
#pragma unroll
      for (int u = 0; u < kPacks; ++u) {
#pragma unroll
        for (int i = 0; i < N; ++i) current[u][i] = upcoming[u][i];
      }
    }
  }
  const int64_t rest = n - packs * kLanes;
  if (rest > 0 && blockIdx.x == 0) {
    if constexpr (kTables) {
      if (tiles == 0) copy_slot_tables<T>(tables);
    }
    if (threadIdx.x < rest) {
      const int64_t j = packs * kLanes + threadIdx.x;
      Pack<T, 1> values[N];
#pragma unroll
      for (int i = 0; i < N; ++i) values[i].lane[0] = in.pointer[i][j];
      out[j] = compute(values, 0);
    }
  }
}

// The current device's multiprocessors.
inline int multiprocessor_count() {
  int device = 0;
  int count = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
    (void)cudaGetLastError();  // not sticky
    return 1;
  }
  return count;
}

// How many blocks of `threads` threads of the kernel one multiprocessor holds at once, asked
// once per kernel and block size.
template <typename T, int kLanes, int N, typename F>
int resident_blocks_per_multiprocessor(int threads) {
  static std::atomic<int> asked_threads{0};
  static std::atomic<int> answer{0};
  if (asked_threads.load(std::memory_order_acquire) == threads) return answer.load();
  int count = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&count, elementwise_kernel<T, kLanes, N, F>,
                                                    threads, 0) != cudaSuccess) {
    (void)cudaGetLastError();  // not sticky; as for a full 2048-thread multiprocessor
    count = 2048 / threads;
  }
  count = std::max(count, 1);
  answer.store(count);
  asked_threads.store(threads, std::memory_order_release);
  return count;
}

inline bool aligned16(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

// Launches f over n elements on `stream`; the caller checks the launch.
template <typename T, int N, typename F>
void launch_elementwise(T* out, const T* const (&inputs)[N], int64_t n, const F& f,
                        cudaStream_t stream, LaunchShape shape = {}) {
  if (n == 0) return;
  constexpr int kLanes = 16 / sizeof(T);
  Inputs<T, N> in;
  bool vectorized = aligned16(out);
  for (int i = 0; i < N; ++i) {
    in.pointer[i] = inputs[i];
    vectorized = vectorized && aligned16(inputs[i]);
  }
  auto run = [&](auto lanes_tag) {
    constexpr int kRunLanes = decltype(lanes_tag)::value;
    const int64_t tile_packs = int64_t{kPacksPerThread<T, kRunLanes>} * shape.threads;
    const int64_t tiles = (n / kRunLanes + tile_packs - 1) / tile_packs;
    int64_t cap = shape.max_blocks;
    if (cap <= 0 && !F::template kComputeBound<T>) cap = (int64_t{1} << 31) - 1;
    if (cap <= 0) {
      const int multiprocessors =
          shape.multiprocessors > 0 ? shape.multiprocessors : multiprocessor_count();
      cap = int64_t{multiprocessors} *
            resident_blocks_per_multiprocessor<T, kRunLanes, N, F>(shape.threads);
    }
    const int64_t blocks = std::clamp<int64_t>(tiles, 1, std::min(cap, (int64_t{1} << 31) - 1));
    elementwise_kernel<T, kRunLanes, N>
        <<<static_cast<unsigned>(blocks), shape.threads, 0, stream>>>(in, out, n, tiles, f);
  };
  if (vectorized) {
    run(std::integral_constant<int, kLanes>{});
  } else {
    run(std::integral_constant<int, 1>{});
  }
}

}  // namespace activations::ops::cuda
