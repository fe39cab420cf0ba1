// Argument checks shared by every operator. Each raises a c10::Error that starts with
// "activations::<op>: " and runs before anything is written.
#pragma once

#include <ATen/core/Tensor.h>

#include <ostream>
#include <string_view>

#include "kernels/layout.h"
#include "ops/activation_traits.h"

namespace activations::ops {

// An operator's name for messages, "sigmoid" + "_backward", joined only when printed.
struct OpName {
  std::string_view base;
  std::string_view suffix = {};
};
inline std::ostream& operator<<(std::ostream& stream, const OpName& name) {
  return stream << name.base << name.suffix;
}

// float, double, half and bfloat16: the floating types the kernels compute in.
bool is_kernel_floating_type(c10::ScalarType dtype);

// The dtype the result has for this input, or an error for inputs the activation refuses.
c10::ScalarType result_dtype(const OpName& op, InputDtypes rule, const at::Tensor& self);

// In-place: the result must fit the tensor's own dtype.
void check_inplace_dtype(const OpName& op, c10::ScalarType result, const at::Tensor& self);

// out=: the result must equal (or, where torch allows it, be castable to) out's dtype.
void check_out_dtype(const OpName& op, c10::ScalarType result, bool may_cast,
                     const at::Tensor& out);

// A tensor about to be written must not have two elements in one memory location.
void check_no_internal_overlap(const OpName& op, const at::Tensor& written);

// A tensor about to be written must be either the input itself or apart from it.
void check_no_partial_overlap(const OpName& op, const at::Tensor& written, const at::Tensor& read);

// Resizes out= to the inputs' sizes as torch does (a warning when it held elements) and then
// gives it the strides a fresh result would have.
void resize_out(const at::Tensor& out, kernels::TensorRefList inputs);

}  // namespace activations::ops
