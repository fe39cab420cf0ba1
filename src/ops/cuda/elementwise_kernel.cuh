// The CUDA elementwise driver: out[i] = f(in0[i], ...) over flat arrays, for every functor of
// kernels/portable/activation_math.h. Torch's own launch shape on sm_90: blocks of 128 threads,
// each block a tile of 128 x 8 elements, each thread 16-byte packs (kPacksPerThread of them,
// loaded before any is used); a grid-stride loop over the tiles where they outnumber the grid.
// Misaligned arrays run the same loop one element per pack. Functors that use the slot tables
// get them in shared memory, copied once per block from global memory (through L1) while the
// block's first loads are in flight.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

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

// Threads per block and the largest grid; bench/cuda/launch_shapes.cu compares others.
struct LaunchShape {
  int threads = 128;
  int64_t max_blocks = (int64_t{1} << 31) - 1;
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

// One tile per block and step: packs[n / kLanes] in full, then (block 0) the n % kLanes
// elements after them.
template <typename T, int kLanes, int N, typename F>
__global__ void elementwise_kernel(Inputs<T, N> in, T* out, int64_t n, F f) {
  using P = Pack<T, kLanes>;
  constexpr int kPacks = kPacksPerThread<T, kLanes>;
  constexpr bool kTables = F::template kUsesSlotTables<T>;
  __shared__ std::conditional_t<kTables, portable::SlotTables, char> tables;
  const int64_t packs = n / kLanes;
  const int64_t tile_packs = static_cast<int64_t>(kPacks) * blockDim.x;
  const int64_t tiles = (packs + tile_packs - 1) / tile_packs;
  bool tables_ready = false;  // the same in every thread of a block
  auto compute = [&](const auto& values, int k) {
    if constexpr (kTables) {
      return apply<N>(f, values, k, tables);
    } else {
      return apply<N>(f, values, k);
    }
  };
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    P values[kPacks][N];
#pragma unroll
    for (int u = 0; u < kPacks; ++u) {
      const int64_t p = tile * tile_packs + u * blockDim.x + threadIdx.x;
      if (p < packs) {
#pragma unroll
        for (int i = 0; i < N; ++i) values[u][i] = reinterpret_cast<const P*>(in.pointer[i])[p];
      }
    }
    if constexpr (kTables) {
      if (!tables_ready) {
        copy_slot_tables<T>(tables);
        tables_ready = true;
      }
    }
#pragma unroll
    for (int u = 0; u < kPacks; ++u) {
      const int64_t p = tile * tile_packs + u * blockDim.x + threadIdx.x;
      if (p < packs) {
        P result;
#pragma unroll
        for (int k = 0; k < kLanes; ++k) result.lane[k] = compute(values[u], k);
        reinterpret_cast<P*>(out)[p] = result;
      }
    }
  }
  const int64_t rest = n - packs * kLanes;
  if (rest > 0 && blockIdx.x == 0) {
    if constexpr (kTables) {
      if (!tables_ready) copy_slot_tables<T>(tables);
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
  const int64_t per_block = static_cast<int64_t>(shape.threads) *
                            (vectorized ? kLanes * kPacksPerThread<T, kLanes> : kPacksPerThread<T, 1>);
  const int64_t blocks = std::clamp<int64_t>((n + per_block - 1) / per_block, 1, shape.max_blocks);
  if (vectorized) {
    elementwise_kernel<T, kLanes, N>
        <<<static_cast<unsigned>(blocks), shape.threads, 0, stream>>>(in, out, n, f);
  } else {
    elementwise_kernel<T, 1, N>
        <<<static_cast<unsigned>(blocks), shape.threads, 0, stream>>>(in, out, n, f);
  }
}

}  // namespace activations::ops::cuda
