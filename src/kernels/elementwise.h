// The generic elementwise driver: one loop structure for every activation and direction.
// It walks N operands of equal sizes (output first, all of one dtype) in runs of elements,
// dense operands as one flat run split across threads, any other strides as runs along the
// output's fastest dimension, and hands each run to a functor-specific inner loop.
#pragma once

#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <c10/util/SmallVector.h>

#include <algorithm>
#include <array>
#include <utility>

namespace activations::kernels {

// Elements per task: below this at::parallel_for stays on the calling thread.
constexpr int64_t kGrainSize = 32768;

template <typename scalar_t, size_t N>
struct Run {
  std::array<scalar_t*, N> data;
  std::array<int64_t, N> strides;  // in elements
  int64_t size;
};

namespace detail {

template <size_t N>
bool dense_with_equal_strides(const std::array<at::Tensor, N>& operands) {
  for (const auto& operand : operands) {
    if (!operand.is_non_overlapping_and_dense() || operand.strides() != operands[0].strides()) {
      return false;
    }
  }
  return true;
}

// The iteration space of strided operands: dimensions ordered fastest first by the output's
// strides, size-1 dimensions dropped, neighbours merged where every operand allows it.
template <size_t N>
struct Geometry {
  c10::SmallVector<int64_t, 6> sizes;
  std::array<c10::SmallVector<int64_t, 6>, N> strides;

  explicit Geometry(const std::array<at::Tensor, N>& operands) {
    const auto& out = operands[0];
    c10::SmallVector<int64_t, 6> dims;
    for (int64_t d = 0; d < out.dim(); ++d) {
      if (out.size(d) != 1) dims.push_back(d);
    }
    std::stable_sort(dims.begin(), dims.end(),
                     [&](int64_t a, int64_t b) { return out.stride(a) < out.stride(b); });
    for (const int64_t d : dims) {
      if (!sizes.empty() && mergeable_with_last(operands, d)) {
        sizes.back() *= out.size(d);
        continue;
      }
      sizes.push_back(out.size(d));
      for (size_t i = 0; i < N; ++i) strides[i].push_back(operands[i].stride(d));
    }
    if (sizes.empty()) {  // a single element
      sizes.push_back(1);
      for (auto& s : strides) s.push_back(1);
    }
  }

 private:
  // Dimension d continues the last one in every operand: one stride walks across both.
  bool mergeable_with_last(const std::array<at::Tensor, N>& operands, int64_t d) const {
    for (size_t i = 0; i < N; ++i) {
      if (strides[i].back() * sizes.back() != operands[i].stride(d)) return false;
    }
    return true;
  }
};

}  // namespace detail

// Calls `body(const Run<scalar_t, N>&)` on runs covering every element of `operands` exactly
// once, in parallel. Runs never span two threads' ranges.
template <typename scalar_t, size_t N, typename Body>
void for_each_run(const std::array<at::Tensor, N>& operands, const Body& body) {
  const int64_t numel = operands[0].numel();
  if (numel == 0) return;
  std::array<scalar_t*, N> base;
  for (size_t i = 0; i < N; ++i) base[i] = static_cast<scalar_t*>(operands[i].data_ptr());

  if (detail::dense_with_equal_strides(operands)) {
    at::parallel_for(0, numel, kGrainSize, [&](int64_t begin, int64_t end) {
      Run<scalar_t, N> run{base, {}, end - begin};
      for (size_t i = 0; i < N; ++i) {
        run.data[i] += begin;
        run.strides[i] = 1;
      }
      body(run);
    });
    return;
  }

  const detail::Geometry<N> geometry(operands);
  const size_t ndim = geometry.sizes.size();
  at::parallel_for(0, numel, kGrainSize, [&](int64_t begin, int64_t end) {
    c10::SmallVector<int64_t, 6> index(ndim);
    int64_t rest = begin;
    for (size_t d = 0; d < ndim; ++d) {
      index[d] = rest % geometry.sizes[d];
      rest /= geometry.sizes[d];
    }
    Run<scalar_t, N> run;
    for (size_t i = 0; i < N; ++i) run.strides[i] = geometry.strides[i][0];
    while (begin < end) {
      for (size_t i = 0; i < N; ++i) {
        int64_t offset = 0;
        for (size_t d = 0; d < ndim; ++d) offset += index[d] * geometry.strides[i][d];
        run.data[i] = base[i] + offset;
      }
      run.size = std::min(geometry.sizes[0] - index[0], end - begin);
      body(run);
      begin += run.size;
      index[0] += run.size;
      for (size_t d = 0; d + 1 < ndim && index[d] == geometry.sizes[d]; ++d) {
        index[d] = 0;
        ++index[d + 1];
      }
    }
  });
}

namespace detail {

template <typename scalar_t, size_t N, typename Functor, size_t... I>
void scalar_inner_loop(const Run<scalar_t, N>& run, const Functor& f, std::index_sequence<I...>) {
  using compute_t = at::opmath_type<scalar_t>;
  scalar_t* out = run.data[0];
  if (run.strides[0] == 1 && ((run.strides[I + 1] == 1) && ...)) {
    for (int64_t k = 0; k < run.size; ++k) {
      out[k] = static_cast<scalar_t>(f(static_cast<compute_t>(run.data[I + 1][k])...));
    }
    return;
  }
  for (int64_t k = 0; k < run.size; ++k) {
    out[k * run.strides[0]] = static_cast<scalar_t>(
        f(static_cast<compute_t>(run.data[I + 1][k * run.strides[I + 1]])...));
  }
}

}  // namespace detail

// out[i] = f(inputs[i]...) for every element; f works in the compute type (float for
// float16/bfloat16). All tensors have the same sizes and the dtype scalar_t; `out` may be one
// of the inputs (in place).
template <typename scalar_t, typename Functor, typename... Inputs>
void apply_elementwise(const at::Tensor& out, const Functor& f, const Inputs&... inputs) {
  constexpr size_t N = 1 + sizeof...(Inputs);
  for_each_run<scalar_t, N>({out, inputs...}, [&](const Run<scalar_t, N>& run) {
    detail::scalar_inner_loop(run, f, std::make_index_sequence<N - 1>{});
  });
}

}  // namespace activations::kernels
