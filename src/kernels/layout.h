// Output allocation with the sizes and strides torch's TensorIterator gives an elementwise op.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/ArrayRef.h>
#include <c10/util/DimVector.h>

namespace activations::kernels {

// The strides TensorIterator gives the output of an elementwise op on inputs of equal sizes:
// contiguous, channels_last, the inputs' own strides when they are dense and equal, otherwise
// dense in the order of the inputs' strides.
c10::DimVector elementwise_strides(at::TensorList inputs);

// A new tensor of the inputs' sizes with elementwise_strides(inputs); large CPU ones may be
// advised to use huge pages (kernels/huge_pages.h).
at::Tensor empty_like_elementwise(at::TensorList inputs, const at::TensorOptions& options);

}  // namespace activations::kernels
