#include "kernels/layout.h"

#include "kernels/huge_pages.h"

#include <ATen/ops/empty_strided.h>
#include <c10/core/MemoryFormat.h>
#include <c10/util/SmallVector.h>
#include <c10/util/strides.h>

#include <algorithm>
#include <numeric>

namespace activations::kernels {
namespace {

bool all_of_inputs(TensorRefList inputs, bool (*predicate)(const at::Tensor&)) {
  return std::all_of(inputs.begin(), inputs.end(), predicate);
}

bool same_strides(TensorRefList inputs) {
  return std::all_of(inputs.begin(), inputs.end(),
                     [&](const at::Tensor& t) { return t.strides() == inputs[0].get().strides(); });
}

// TensorIteratorBase::reorder_dimensions: an insertion sort of the dimensions, fastest first,
// that consults each input in turn and skips broadcast (zero) strides; equal strides put the
// smaller dimension first.
c10::SmallVector<int64_t, 6> dimensions_fastest_first(TensorRefList inputs) {
  const auto sizes = inputs[0].get().sizes();
  const int64_t ndim = static_cast<int64_t>(sizes.size());
  c10::SmallVector<int64_t, 6> perm(ndim);
  std::iota(perm.rbegin(), perm.rend(), 0);
  auto should_swap = [&](int64_t dim0, int64_t dim1) {
    for (const at::Tensor& input : inputs) {
      const int64_t stride0 = input.stride(dim0);
      const int64_t stride1 = input.stride(dim1);
      if (stride0 == 0 || stride1 == 0) continue;
      if (stride0 != stride1) return stride0 < stride1 ? -1 : 1;
      if (sizes[dim0] > sizes[dim1]) return 1;
    }
    return 0;
  };
  for (int64_t i = 1; i < ndim; ++i) {
    int64_t dim1 = i;
    for (int64_t dim0 = i - 1; dim0 >= 0; --dim0) {
      const int comparison = should_swap(perm[dim0], perm[dim1]);
      if (comparison > 0) {
        std::swap(perm[dim0], perm[dim1]);
        dim1 = dim0;
      } else if (comparison < 0) {
        break;
      }
    }
  }
  return perm;
}

}  // namespace

c10::DimVector elementwise_strides(TensorRefList inputs) {
  const auto sizes = inputs[0].get().sizes();
  if (all_of_inputs(inputs, [](const at::Tensor& t) { return t.is_contiguous(); })) {
    return c10::contiguous_strides(sizes);
  }
  if (sizes.size() == 4 && all_of_inputs(inputs, [](const at::Tensor& t) {
        return t.is_contiguous(at::MemoryFormat::ChannelsLast);
      })) {
    const auto strides = c10::get_channels_last_strides_2d(sizes);
    return {strides.begin(), strides.end()};
  }
  if (all_of_inputs(inputs, [](const at::Tensor& t) { return t.is_non_overlapping_and_dense(); }) &&
      same_strides(inputs)) {
    return {inputs[0].get().strides().begin(), inputs[0].get().strides().end()};
  }
  c10::DimVector strides(sizes.size());
  int64_t next_stride = 1;
  for (const int64_t dim : dimensions_fastest_first(inputs)) {
    strides[dim] = next_stride;
    next_stride *= sizes[dim];
  }
  return strides;
}

at::Tensor empty_like_elementwise(TensorRefList inputs, const at::TensorOptions& options) {
  at::Tensor out = at::empty_strided(inputs[0].get().sizes(), elementwise_strides(inputs), options);
  advise_huge_pages(out);
  return out;
}

}  // namespace activations::kernels
