// The operator bodies shared by every activation and every device: argument checks, result
// allocation, in-place and out= handling. A device supplies a Launcher with
//   static void run(const kernels::KernelSpec& spec, const at::Tensor& out,
//                   const at::Tensor& in0, const at::Tensor& in1 = {});
// that computes the kernel elementwise into `out` (all of one dtype and equal sizes).
#pragma once

#include <ATen/ExpandUtils.h>
#include <ATen/core/Tensor.h>
#include <c10/util/MaybeOwned.h>

#include "kernels/layout.h"
#include "ops/activation_traits.h"
#include "ops/checks.h"

namespace activations::ops {

// Writes the activation of `self` into `out`, whose dtype is the result dtype; `self` may be an
// integral tensor of a float-result activation, converted first.
template <class Traits, class Launcher, class... Args>
void forward_into(kernels::OutputMemory memory, const at::Tensor& out, const at::Tensor& self,
                  Args... args) {
  auto spec = Traits::kernel(kernels::Direction::kForward, args...);
  if (self.scalar_type() == out.scalar_type()) {
    spec.output = memory;
    Launcher::run(spec, out, self);
  } else {
    out.copy_(self);
    Launcher::run(spec, out, out);
  }
}

template <class Traits, class Launcher, class... Args>
at::Tensor forward(const at::Tensor& self, Args... args) {
  const OpName op{Traits::kName};
  const c10::ScalarType dtype = result_dtype(op, Traits::kInputs, self);
  Traits::check_arguments(op, args...);
  at::Tensor out = kernels::empty_like_elementwise({self}, self.options().dtype(dtype));
  forward_into<Traits, Launcher>(kernels::OutputMemory::kFresh, out, self, args...);
  return out;
}

// The mutating operators return nothing (ops/schemas.h).
template <class Traits, class Launcher, class... Args>
void forward_(at::Tensor& self, Args... args) {
  const OpName op{Traits::kName, "_"};
  check_inplace_dtype(op, result_dtype(op, Traits::kInputs, self), self);
  Traits::check_arguments(op, args...);
  check_no_internal_overlap(op, self);
  Launcher::run(Traits::kernel(kernels::Direction::kForward, args...), self, self);
}

template <class Traits, class Launcher, class... Args>
void forward_out(const at::Tensor& self, Args... args, at::Tensor& out) {
  const OpName op{Traits::kName, ".out"};
  const c10::ScalarType dtype = result_dtype(op, Traits::kInputs, self);
  Traits::check_arguments(op, args...);
  TORCH_CHECK(out.device() == self.device(), "activations::", op, ": expected out on ",
              self.device(), " but got ", out.device());
  check_out_dtype(op, dtype, Traits::kOutMayCast, out);
  check_no_internal_overlap(op, out);
  check_no_partial_overlap(op, out, self);
  resize_out(out, {self});
  if (out.scalar_type() == dtype) {
    forward_into<Traits, Launcher>(kernels::OutputMemory::kReused, out, self, args...);
  } else {
    out.copy_(forward<Traits, Launcher>(self, args...));
  }
}

// `tensor` broadcast against `other` and converted to `dtype`, each only where needed; borrowed
// where neither is (kernels::TensorRefList says why a copy costs).
inline c10::MaybeOwned<at::Tensor> broadcast_and_convert(const OpName& op, const at::Tensor& tensor,
                                                         const at::Tensor& other,
                                                         c10::ScalarType dtype) {
  auto result = c10::MaybeOwned<at::Tensor>::borrowed(tensor);
  if (tensor.sizes() != other.sizes()) {
    c10::DimVector sizes;
    try {
      sizes = at::infer_size_dimvector(tensor.sizes(), other.sizes());
    } catch (const c10::Error& error) {
      TORCH_CHECK(false, "activations::", op, ": ", error.what_without_backtrace());
    }
    result = c10::MaybeOwned<at::Tensor>::owned(tensor.expand(sizes));
  }
  if (result->scalar_type() != dtype)
    result = c10::MaybeOwned<at::Tensor>::owned(result->to(dtype));
  return result;
}

// grad_input = f(grad_output, saved) elementwise; the two broadcast and promote as in torch.
template <class Traits, class Launcher, class... Args>
at::Tensor backward(const at::Tensor& grad_output, const at::Tensor& saved, Args... args) {
  const OpName op{Traits::kName, "_backward"};
  TORCH_CHECK(grad_output.device() == saved.device(), "activations::", op,
              ": expected tensors on one device, got ", grad_output.device(), " and ",
              saved.device());
  // Dtypes without a kernel (complex, float8, ...) are refused by name before the promotion,
  // which would throw its own message for some of them.
  result_dtype(op, InputDtypes::kFloatResult, grad_output);
  result_dtype(op, InputDtypes::kFloatResult, saved);
  const c10::ScalarType dtype = c10::promoteTypes(grad_output.scalar_type(), saved.scalar_type());
  TORCH_CHECK(is_kernel_floating_type(dtype), "activations::", op,
              ": expected float, double, half or bfloat16 tensors, got ", grad_output.scalar_type(),
              " and ", saved.scalar_type());
  Traits::check_arguments(op, args...);
  const auto grad_owner = broadcast_and_convert(op, grad_output, saved, dtype);
  const auto values_owner = broadcast_and_convert(op, saved, grad_output, dtype);
  const at::Tensor& grad = *grad_owner;
  const at::Tensor& values = *values_owner;
  at::Tensor grad_input = Traits::kBackwardLayoutFromSaved
                              ? kernels::empty_like_elementwise({values, grad}, grad.options())
                              : kernels::empty_like_elementwise({grad, values}, grad.options());
  auto spec = Traits::kernel(kernels::Direction::kBackward, args...);
  spec.output = kernels::OutputMemory::kFresh;
  Launcher::run(spec, grad_input, grad, values);
  return grad_input;
}

template <class Launcher>
at::Tensor leaky_relu_backward(const at::Tensor& grad_output, const at::Tensor& self,
                               double negative_slope, bool self_is_result) {
  // After an in-place forward with a negative slope the output's signs are flipped and the
  // mask can no longer be recovered from it.
  TORCH_CHECK(!self_is_result || negative_slope >= 0.0,
              "activations::leaky_relu_backward: in-place leaky_relu backward with a negative "
              "slope is not supported; use the out-of-place leaky_relu");
  return backward<LeakyReluTraits, Launcher>(grad_output, self, negative_slope);
}

}  // namespace activations::ops
