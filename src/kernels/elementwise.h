// The generic elementwise driver: one loop structure for every activation and direction.
#pragma once

#include <ATen/core/Tensor.h>

#include "kernels/kernel_spec.h"

namespace activations::kernels {

// Elements per task: at::parallel_for keeps ranges below this on the calling thread.
constexpr int64_t kComputeBoundGrainSize = 4096;
constexpr int64_t kMemoryBoundGrainSize = 32768;

// out[i] = f(in0[i]) (forward) or f(in0[i], in1[i]) (backward), f given by `spec`, for every
// element, in parallel. All tensors have equal sizes and one dtype; any strides (inputs may be
// expanded); `out` may be one of the inputs (in place) but must not overlap them otherwise.
// Dense operands with equal strides are one flat run; other layouts are walked in runs along
// the output's fastest dimension, and strided runs are packed into small buffers so that the
// same contiguous SIMD kernel computes everything.
void apply_elementwise(const KernelSpec& spec, const at::Tensor& out, const at::Tensor& in0,
                       const at::Tensor& in1 = {});

}  // namespace activations::kernels
