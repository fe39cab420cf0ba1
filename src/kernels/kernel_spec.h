// What the SIMD kernels are asked to compute: which activation, which direction, in which
// dtype, over which contiguous arrays. Plain data, so that it crosses into the per-target
// (Highway) code, which holds the math functors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace activations::kernels {

// kGelu and kGeluTanh: GELU's two forms, torch's approximate='none' and 'tanh'.
enum class Activation : uint8_t { kSigmoid, kTanh, kRelu, kLeakyRelu, kSilu, kGelu, kGeluTanh };

// kForward: out = f(x). kBackward: out = f'(grad, saved), saved being what autograd kept.
enum class Direction : uint8_t { kForward, kBackward };

enum class Dtype : uint8_t {
  kFloat32,
  kFloat64,
  kFloat16,
  kBFloat16,
  kUInt8,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
};

// Where the output lives: memory this call just allocated, whose pages fault in on the first
// store, or memory written before (out=, in place). Measured at 1.6e7 float32 elements:
// non-temporal stores lose a quarter against ordinary ones on fresh pages (the kernel's
// zeroing of a faulted page leaves it in the cache) and win a third on reused ones.
enum class OutputMemory : uint8_t { kReused, kFresh };

struct KernelSpec {
  Activation activation;
  Direction direction;
  double negative_slope = 0.0;  // LeakyReLU only
  OutputMemory output = OutputMemory::kReused;
};

// out[i] = f(in0[i]) (forward) or f(in0[i], in1[i]) (backward: in0 = grad, in1 = saved) for
// i < size. out may alias an input exactly (in place), never partially.
struct ContiguousCall {
  KernelSpec spec;
  Dtype dtype;
  void* out;
  const void* in0;
  const void* in1;
  size_t size;
  bool stream_output = false;  // write `out` past the caches (non-temporal stores)
  bool prefetch = false;       // prefetch every operand ahead in software
  bool half_width = false;     // 256-bit vectors on AVX-512 targets (elementwise.cpp says when)
};

// Runs the call with the best SIMD target this CPU supports (chosen once, at first use).
void run_contiguous(const ContiguousCall& call);

// The name of the SIMD target run_contiguous uses on this CPU ("AVX3", "AVX2", ...).
const char* simd_target_name();

// For tests: the memory-bound loops on 256-bit vectors (true), on full-width ones (false), or as
// the CPU's vendor decides (nullopt, the default), so that both loops are tested on any CPU.
void force_half_width_for_memory_bound(std::optional<bool> half_width);

}  // namespace activations::kernels
