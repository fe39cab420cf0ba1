// CUDA kernels of every activations:: operator, registered under the CUDA dispatch key when the
// Torch found by CMake has CUDA. The operator bodies (checks, allocation, in-place and out=) are
// the CPU's (ops/elementwise_op.h); the math is kernels/portable/activation_math.h, which the
// host build proves, and the loop is cuda/elementwise_kernel.cuh.
//
// Dense operands with equal strides run one kernel over flat arrays; other layouts run on
// contiguous copies (the strided fallback). Everything goes on the current stream with no host
// synchronisation.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include <array>

#include "kernels/dispatch_dtype.h"
#include "kernels/kernel_spec.h"
#include "kernels/portable/activation_math.h"
#include "ops/cuda/elementwise_kernel.cuh"
#include "ops/register_kernels.h"

namespace activations::ops {
namespace {

namespace portable = kernels::portable;

template <typename T, int N, typename F>
void launch(const at::Tensor& out, const std::array<const at::Tensor*, N>& inputs, const F& f) {
  const T* pointers[N];
  for (int i = 0; i < N; ++i) pointers[i] = static_cast<const T*>(inputs[i]->data_ptr());
  cuda::LaunchShape shape;
  shape.multiprocessors = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
  cuda::launch_elementwise<T, N>(static_cast<T*>(out.data_ptr()), pointers, out.numel(), f,
                                 at::cuda::getCurrentCUDAStream(), shape);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <bool kIntegral, typename Body>
void dispatch_dtype(c10::ScalarType dtype, const Body& body) {
  kernels::dispatch_dtype<c10::Half, c10::BFloat16, kIntegral>(kernels::kernel_dtype(dtype), body);
}

template <bool kIntegral, typename Forward, typename Backward>
void run_kernel(const kernels::KernelSpec& spec, const Forward& forward, const Backward& backward,
                const at::Tensor& out, const at::Tensor& in0, const at::Tensor& in1) {
  if (spec.direction == kernels::Direction::kForward) {
    dispatch_dtype<kIntegral>(out.scalar_type(),
                              [&](auto tag) { launch<decltype(tag), 1>(out, {&in0}, forward); });
  } else {
    dispatch_dtype<false>(out.scalar_type(), [&](auto tag) {
      launch<decltype(tag), 2>(out, {&in0, &in1}, backward);
    });
  }
}

bool dense_with_equal_strides(const at::Tensor& out, const at::Tensor& in0, const at::Tensor& in1) {
  for (const auto* t : {&out, &in0, &in1}) {
    if (!t->defined()) continue;
    if (!t->is_non_overlapping_and_dense() || t->strides() != out.strides()) return false;
  }
  return true;
}

struct CudaLauncher {
  static void run(const kernels::KernelSpec& spec, const at::Tensor& out, const at::Tensor& in0,
                  const at::Tensor& in1 = {}) {
    const c10::cuda::CUDAGuard device_guard(out.device());
    if (!dense_with_equal_strides(out, in0, in1)) {
      // The strided fallback: contiguous copies in, one contiguous result, copied into out.
      auto result =
          at::empty(out.sizes(), out.options().memory_format(at::MemoryFormat::Contiguous));
      run(spec, result, in0.contiguous(), in1.defined() ? in1.contiguous() : in1);
      out.copy_(result);
      return;
    }
    switch (spec.activation) {
      case kernels::Activation::kSigmoid:
        return run_kernel<false>(spec, portable::SigmoidForward{}, portable::SigmoidBackward{}, out,
                                 in0, in1);
      case kernels::Activation::kTanh:
        return run_kernel<false>(spec, portable::TanhForward{}, portable::TanhBackward{}, out, in0,
                                 in1);
      case kernels::Activation::kRelu:
        return run_kernel<true>(spec, portable::ReluForward{}, portable::ReluBackward{}, out, in0,
                                in1);
      case kernels::Activation::kLeakyRelu:
        return run_kernel<false>(spec, portable::LeakyReluForward{spec.negative_slope},
                                 portable::LeakyReluBackward{spec.negative_slope}, out, in0, in1);
      case kernels::Activation::kSilu:
        return run_kernel<false>(spec, portable::SiluForward{}, portable::SiluBackward{}, out, in0,
                                 in1);
      case kernels::Activation::kGelu:
        return run_kernel<false>(spec, portable::GeluForward{}, portable::GeluBackward{}, out, in0,
                                 in1);
      case kernels::Activation::kGeluTanh:
        return run_kernel<false>(spec, portable::GeluTanhForward{}, portable::GeluTanhBackward{},
                                 out, in0, in1);
    }
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(activations, CUDA, m) {
  register_kernels<CudaLauncher>(m);
}

}  // namespace activations::ops
