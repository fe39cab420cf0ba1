#include "kernels/elementwise.h"

#include "kernels/dispatch_dtype.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <c10/util/SmallVector.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <functional>

namespace activations::kernels {
namespace {

// Sigmoid, tanh, SiLU and GELU forward cost some 15 cycles per vector or more, SiLU's and GELU's
// backward too; the others (ReLU, LeakyReLU and the other backwards) are a few operations per
// load and store, bound by memory.
bool memory_bound(const KernelSpec& spec) {
  if (spec.activation == Activation::kSilu || spec.activation == Activation::kGelu ||
      spec.activation == Activation::kGeluTanh) {
    return false;
  }
  return spec.direction == Direction::kBackward || spec.activation == Activation::kRelu ||
         spec.activation == Activation::kLeakyRelu;
}

// Elements per task of at::parallel_for, measured with bench/ at 2 threads: a second thread pays
// off for sigmoid/tanh from about 8e3 elements (1e4: 3.9 us instead of 4.9 us), but slows a
// memory-bound ReLU down below about 3e4 elements (1e4: 1.8 us instead of 1.0 us).
int64_t grain_size(const KernelSpec& spec) {
  return memory_bound(spec) ? kMemoryBoundGrainSize : kComputeBoundGrainSize;
}

// Reused outputs at least this large are written with non-temporal stores: they exceed what the
// caches of the CPUs we run on hold, so caching them only evicts the inputs. That pays where
// memory is the bottleneck (a third more bandwidth for ReLU at 1.6e7 floats); sigmoid and tanh
// forward are compute-bound there and lose a little, so they keep ordinary stores, as do
// freshly allocated outputs (OutputMemory).
constexpr int64_t kStreamBytes = int64_t{16} << 20;

// Sigmoid and tanh forward over a megabyte or more of operands (inputs and output together:
// near or beyond what L2 holds) prefetch them in software: their loop is long enough per cache line
// that the hardware prefetchers fall behind, leaving it to wait on L3 or memory between stretches
// of arithmetic. Measured at 1 thread, float32, paired in one process: 1.03-1.12x at 1e6 elements
// and 1.16-1.26x at 1.6e7; neutral at 1e5 and for the memory-bound kernels, which stream well.
constexpr int64_t kPrefetchBytes = int64_t{1} << 20;

// AMD's AVX-512 cores (Zen 4) split each 512-bit load and store in two: there the memory-bound
// loops run on 256-bit vectors, measured at 1 thread, float32, paired with torch 2.15's AVX-512
// kernels on an AMD EPYC: ReLU, LeakyReLU and the backward operators at 1e6 elements (in L3)
// 0.82-0.97 of torch's speed with 512-bit vectors, 0.97-1.05 with 256-bit; level at 1e4-1e5
// and 1.6e7. Intel's cores keep 512-bit vectors.
bool cpu_splits_wide_vectors() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool amd = __builtin_cpu_is("amd");
  return amd;
#else
  return false;
#endif
}

// -1: as the CPU decides; 0 or 1: forced by a test.
std::atomic<int> forced_half_width{-1};

bool half_width_for_memory_bound() {
  const int forced = forced_half_width.load(std::memory_order_relaxed);
  return forced < 0 ? cpu_splits_wide_vectors() : forced == 1;
}

// The tensors of one call, by reference for the reason layout.h's TensorRefList gives.
template <size_t N>
using TensorRefs = std::array<std::reference_wrapper<const at::Tensor>, N>;

// N operands, the output first, as byte pointers with element strides.
template <size_t N>
struct Operands {
  TensorRefs<N> tensors;
  std::array<char*, N> base;
  int64_t element_size;

  explicit Operands(const TensorRefs<N>& t) : tensors(t) {
    for (size_t i = 0; i < N; ++i) base[i] = static_cast<char*>(tensors[i].get().data_ptr());
    element_size = tensors[0].get().element_size();
  }

  bool dense_with_equal_strides() const {
    for (const at::Tensor& t : tensors) {
      if (!t.is_non_overlapping_and_dense() || t.strides() != tensors[0].get().strides())
        return false;
    }
    return true;
  }
};

// The iteration space of strided operands: dimensions ordered fastest first by the output's
// strides, size-1 dimensions dropped, neighbours merged where every operand allows it.
template <size_t N>
struct Geometry {
  c10::SmallVector<int64_t, 6> sizes;
  std::array<c10::SmallVector<int64_t, 6>, N> strides;

  explicit Geometry(const TensorRefs<N>& operands) {
    const at::Tensor& out = operands[0];
    c10::SmallVector<int64_t, 6> dims;
    for (int64_t d = 0; d < out.dim(); ++d) {
      if (out.size(d) != 1) dims.push_back(d);
    }
    std::stable_sort(dims.begin(), dims.end(),
                     [&](int64_t a, int64_t b) { return out.stride(a) < out.stride(b); });
    for (const int64_t d : dims) {
      if (!sizes.empty() && continues_last(operands, d)) {
        sizes.back() *= out.size(d);
        continue;
      }
      sizes.push_back(out.size(d));
      for (size_t i = 0; i < N; ++i) strides[i].push_back(operands[i].get().stride(d));
    }
    if (sizes.empty()) {  // a single element
      sizes.push_back(1);
      for (auto& s : strides) s.push_back(1);
    }
  }

 private:
  // Dimension d continues the last one in every operand: one stride walks across both.
  bool continues_last(const TensorRefs<N>& operands, int64_t d) const {
    for (size_t i = 0; i < N; ++i) {
      if (strides[i].back() * sizes.back() != operands[i].get().stride(d)) return false;
    }
    return true;
  }
};

// Copies `count` elements between a strided and a packed array.
void gather(char* packed, const char* source, int64_t stride, int64_t count, int64_t size) {
  const int64_t step = stride * size;
  for (int64_t k = 0; k < count; ++k) std::memcpy(packed + k * size, source + k * step, size);
}
void scatter(char* target, const char* packed, int64_t stride, int64_t count, int64_t size) {
  const int64_t step = stride * size;
  for (int64_t k = 0; k < count; ++k) std::memcpy(target + k * step, packed + k * size, size);
}

// Elements packed per chunk of a strided run: 8 KiB per operand at most.
constexpr int64_t kChunk = 1024;

template <size_t N>
ContiguousCall make_call(const KernelSpec& spec, Dtype dtype, const std::array<char*, N>& p,
                         int64_t size, bool stream_output = false, bool prefetch = false) {
  ContiguousCall call{
      spec, dtype, p[0], p[1], N > 2 ? p[N - 1] : nullptr, static_cast<size_t>(size)};
  call.stream_output = stream_output;
  call.prefetch = prefetch;
  call.half_width = memory_bound(spec) && half_width_for_memory_bound();
  return call;
}

// One run: `size` elements from pointers p with element strides s.
template <size_t N>
void run(const KernelSpec& spec, Dtype dtype, int64_t element_size, std::array<char*, N> p,
         const std::array<int64_t, N>& s, int64_t size) {
  if (std::all_of(s.begin(), s.end(), [](int64_t stride) { return stride == 1; })) {
    run_contiguous(make_call<N>(spec, dtype, p, size));
    return;
  }
  alignas(64) char buffers[N][kChunk * 8];
  for (int64_t done = 0; done < size; done += kChunk) {
    const int64_t count = std::min(kChunk, size - done);
    std::array<char*, N> chunk;
    for (size_t i = 0; i < N; ++i) {
      char* at = p[i] + done * s[i] * element_size;
      chunk[i] = s[i] == 1 ? at : buffers[i];
      if (i > 0 && s[i] != 1) gather(buffers[i], at, s[i], count, element_size);
    }
    run_contiguous(make_call<N>(spec, dtype, chunk, count));
    if (s[0] != 1)
      scatter(p[0] + done * s[0] * element_size, buffers[0], s[0], count, element_size);
  }
}

template <size_t N>
void apply(const KernelSpec& spec, const Operands<N>& ops) {
  const int64_t numel = ops.tensors[0].get().numel();
  if (numel == 0) return;
  const Dtype dtype = kernel_dtype(ops.tensors[0].get().scalar_type());
  const int64_t size = ops.element_size;

  if (ops.dense_with_equal_strides()) {
    const bool stream =
        spec.output == OutputMemory::kReused && numel * size >= kStreamBytes && memory_bound(spec);
    at::parallel_for(0, numel, grain_size(spec), [&](int64_t begin, int64_t end) {
      std::array<char*, N> p = ops.base;
      for (auto& pointer : p) pointer += begin * size;
      const bool prefetch =
          !memory_bound(spec) && (end - begin) * size * static_cast<int64_t>(N) >= kPrefetchBytes;
      run_contiguous(make_call<N>(spec, dtype, p, end - begin, stream, prefetch));
    });
    return;
  }

  const Geometry<N> geometry(ops.tensors);
  const size_t ndim = geometry.sizes.size();
  at::parallel_for(0, numel, grain_size(spec), [&](int64_t begin, int64_t end) {
    c10::SmallVector<int64_t, 6> index(ndim);
    int64_t rest = begin;
    for (size_t d = 0; d < ndim; ++d) {
      index[d] = rest % geometry.sizes[d];
      rest /= geometry.sizes[d];
    }
    std::array<int64_t, N> inner_strides;
    for (size_t i = 0; i < N; ++i) inner_strides[i] = geometry.strides[i][0];
    while (begin < end) {
      std::array<char*, N> p;
      for (size_t i = 0; i < N; ++i) {
        int64_t offset = 0;
        for (size_t d = 0; d < ndim; ++d) offset += index[d] * geometry.strides[i][d];
        p[i] = ops.base[i] + offset * size;
      }
      const int64_t count = std::min(geometry.sizes[0] - index[0], end - begin);
      run<N>(spec, dtype, size, p, inner_strides, count);
      begin += count;
      index[0] += count;
      for (size_t d = 0; d + 1 < ndim && index[d] == geometry.sizes[d]; ++d) {
        index[d] = 0;
        ++index[d + 1];
      }
    }
  });
}

}  // namespace

void force_half_width_for_memory_bound(std::optional<bool> half_width) {
  forced_half_width.store(half_width ? int{*half_width} : -1, std::memory_order_relaxed);
}

void apply_elementwise(const KernelSpec& spec, const at::Tensor& out, const at::Tensor& in0,
                       const at::Tensor& in1) {
  if (in1.defined()) {
    apply(spec, Operands<3>({std::cref(out), std::cref(in0), std::cref(in1)}));
  } else {
    apply(spec, Operands<2>({std::cref(out), std::cref(in0)}));
  }
}

}  // namespace activations::kernels
