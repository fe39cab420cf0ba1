// CUDA kernels of every activations:: operator, registered under the CUDA dispatch key when the
// Torch found by CMake has CUDA. The operator bodies (checks, allocation, in-place and out=) are
// the CPU's (ops/elementwise_op.h); this file holds the device launcher and math.
//
// Dense operands with equal strides run one kernel over flat arrays with 16-byte vector loads
// and stores; other layouts run on contiguous copies (the strided fallback). Everything goes
// on the current stream with no host synchronisation.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/library.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/dispatch_dtype.h"
#include "kernels/kernel_spec.h"
#include "ops/register_kernels.h"

namespace activations::ops {
namespace {

// --- math ---------------------------------------------------------------------------------
// float, float16 and bfloat16 are computed in double and rounded once at the store: the
// double result is accurate to ~1e-16, so the stored value is within 0.5 ULP plus a hair, and
// the GPU has double throughput to spare in these memory-bound kernels. double itself uses the
// stable forms with the rounding error of the denominator's sum folded back in.

__device__ __forceinline__ double divide_by_sum(double n, double a, double b) {  // n / (a + b)
  const double d = a + b;
  const double d_error = (a - d) + b;  // exact when |a| >= |b|
  const double q = n / d;
  return q - q * (d_error / d);
}

// eq. 3-113: 1/(1 + e^-x), for x < 0 as e^x / (1 + e^x); no overflow, tiny tail kept.
__device__ __forceinline__ double sigmoid_math(double x) {
  if (x >= 0) return divide_by_sum(1.0, 1.0, exp(-x));
  const double e = exp(x);
  return divide_by_sum(e, 1.0, e);
}

// eq. 3-115 for a = |x| as T / (T + 2), T = expm1(2a); the sign copied back (exactly odd).
__device__ __forceinline__ double tanh_math(double x) {
  const double t = expm1(2.0 * fabs(x));
  return copysign(isinf(t) ? 1.0 : divide_by_sum(t, t, 2.0), x);
}

struct SigmoidForward {
  template <typename T>
  __device__ T operator()(T x) const {
    return static_cast<T>(sigmoid_math(static_cast<double>(x)));
  }
};

struct TanhForward {
  template <typename T>
  __device__ T operator()(T x) const {
    return static_cast<T>(tanh_math(static_cast<double>(x)));
  }
};

// x < 0 ? 0 : x keeps -0.0 and NaN and maps -inf to +0, as torch's clamp_min.
struct ReluForward {
  template <typename T>
  __device__ T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      return x < T(0) ? T(0) : x;
    } else {
      return static_cast<double>(x) < 0.0 ? T(0) : x;
    }
  }
};

// The slope in the precision torch uses: float for float/half/bfloat16, double for double.
template <typename T>
using SlopeType = std::conditional_t<std::is_same_v<T, double>, double, float>;

struct LeakyReluForward {
  double slope;
  template <typename T>
  __device__ T operator()(T x) const {
    using S = SlopeType<T>;
    const S v = static_cast<S>(x);
    return static_cast<T>(v > S(0) ? v : v * static_cast<S>(slope));
  }
};

// Backward: torch's formulas in the precision torch computes them (float for reduced types).
struct SigmoidBackward {
  template <typename T>
  __device__ T operator()(T g, T y) const {
    using S = SlopeType<T>;
    return static_cast<T>(static_cast<S>(g) * (S(1) - static_cast<S>(y)) * static_cast<S>(y));
  }
};

struct TanhBackward {
  template <typename T>
  __device__ T operator()(T g, T y) const {
    using S = SlopeType<T>;
    const S v = static_cast<S>(y);
    return static_cast<T>(static_cast<S>(g) * fma(-v, v, S(1)));
  }
};

struct ReluBackward {
  template <typename T>
  __device__ T operator()(T g, T y) const {
    using S = SlopeType<T>;
    return static_cast<S>(y) <= S(0) ? T(0) : g;
  }
};

struct LeakyReluBackward {
  double slope;
  template <typename T>
  __device__ T operator()(T g, T x) const {
    using S = SlopeType<T>;
    return static_cast<S>(x) > S(0) ? g : static_cast<T>(static_cast<S>(g) * static_cast<S>(slope));
  }
};

// --- kernels ------------------------------------------------------------------------------

template <typename T, int kLanes>
struct alignas(sizeof(T) * kLanes) Pack {
  T lane[kLanes];
};

constexpr int kThreads = 256;

template <typename T, int N>
struct Inputs {
  const T* pointer[N];
};

// f applied to the k-th lanes (or elements) of the N inputs.
template <int N, typename F, typename V>
__device__ __forceinline__ auto apply(const F& f, const V (&values)[N], int k) {
  if constexpr (N == 1) {
    return f(values[0].lane[k]);
  } else {
    return f(values[0].lane[k], values[1].lane[k]);
  }
}

// out[i] = f(in[0][i], ...) over n elements, 16 bytes per input and thread and step where all
// pointers are 16-byte aligned, one element at a time otherwise. out may equal an input.
template <typename T, int kLanes, int N, typename F>
__global__ void elementwise_kernel(Inputs<T, N> in, T* out, int64_t n, F f, bool vectorized) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t done = 0;
  if (vectorized) {
    const int64_t packs = n / kLanes;
    for (int64_t p = first; p < packs; p += stride) {
      Pack<T, kLanes> values[N];
#pragma unroll
      for (int i = 0; i < N; ++i)
        values[i] = reinterpret_cast<const Pack<T, kLanes>*>(in.pointer[i])[p];
      Pack<T, kLanes> result;
#pragma unroll
      for (int k = 0; k < kLanes; ++k) result.lane[k] = apply<N>(f, values, k);
      reinterpret_cast<Pack<T, kLanes>*>(out)[p] = result;
    }
    done = packs * kLanes;
  }
  for (int64_t j = done + first; j < n; j += stride) {
    Pack<T, 1> values[N];
#pragma unroll
    for (int i = 0; i < N; ++i) values[i].lane[0] = in.pointer[i][j];
    out[j] = apply<N>(f, values, 0);
  }
}

bool aligned16(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

template <typename T, int N, typename F>
void launch(const at::Tensor& out, const std::array<const at::Tensor*, N>& inputs, const F& f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  constexpr int kLanes = 16 / sizeof(T);
  Inputs<T, N> in;
  bool vectorized = aligned16(out.data_ptr());
  for (int i = 0; i < N; ++i) {
    in.pointer[i] = static_cast<const T*>(inputs[i]->data_ptr());
    vectorized = vectorized && aligned16(in.pointer[i]);
  }
  const int64_t work = vectorized ? (n + kLanes - 1) / kLanes : n;
  const int blocks =
      static_cast<int>(std::min<int64_t>((work + kThreads - 1) / kThreads, int64_t{1} << 16));
  elementwise_kernel<T, kLanes, N><<<blocks, kThreads, 0, at::cuda::getCurrentCUDAStream()>>>(
      in, static_cast<T*>(out.data_ptr()), n, f, vectorized);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

template <bool kIntegral, typename Body>
void dispatch_dtype(c10::ScalarType dtype, const Body& body) {
  kernels::dispatch_dtype<c10::Half, c10::BFloat16, kIntegral>(kernels::kernel_dtype(dtype), body);
}

template <typename Forward, typename Backward, bool kIntegral>
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
        return run_kernel<SigmoidForward, SigmoidBackward, false>(spec, {}, {}, out, in0, in1);
      case kernels::Activation::kTanh:
        return run_kernel<TanhForward, TanhBackward, false>(spec, {}, {}, out, in0, in1);
      case kernels::Activation::kRelu:
        return run_kernel<ReluForward, ReluBackward, true>(spec, {}, {}, out, in0, in1);
      case kernels::Activation::kLeakyRelu:
        return run_kernel<LeakyReluForward, LeakyReluBackward, false>(
            spec, LeakyReluForward{spec.negative_slope}, LeakyReluBackward{spec.negative_slope},
            out, in0, in1);
    }
  }
};

}  // namespace

TORCH_LIBRARY_IMPL(activations, CUDA, m) {
  register_kernels<CudaLauncher>(m);
}

}  // namespace activations::ops
