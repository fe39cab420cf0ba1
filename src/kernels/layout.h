// Output allocation with the sizes and strides torch's TensorIterator gives an elementwise op.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/ArrayRef.h>
#include <c10/util/DimVector.h>

#include <functional>

namespace activations::kernels {

// Input tensors by reference. Copying an at::Tensor that Python owns takes the GIL in torch 2.x
// (TensorImpl::incref_pyobject), which the eager calls have released: a round trip per copy, as
// long as a kernel on 1e3 elements. {a, b} makes one without copying a or b.
using TensorRefList = c10::ArrayRef<std::reference_wrapper<const at::Tensor>>;

// The strides TensorIterator gives the output of an elementwise op on inputs of equal sizes:
// contiguous, channels_last, the inputs' own strides when they are dense and equal, otherwise
// dense in the order of the inputs' strides.
c10::DimVector elementwise_strides(TensorRefList inputs);

// A new tensor of the inputs' sizes with elementwise_strides(inputs); large CPU ones may be
// advised to use huge pages (kernels/huge_pages.h).
at::Tensor empty_like_elementwise(TensorRefList inputs, const at::TensorOptions& options);

}  // namespace activations::kernels
