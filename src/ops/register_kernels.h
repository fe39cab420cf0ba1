// Registers the shared operator bodies (ops/elementwise_op.h) with one device's Launcher for
// every activations:: operator, inside that device's TORCH_LIBRARY_IMPL.
#pragma once

#include <torch/library.h>

#include "ops/elementwise_op.h"

namespace activations::ops {

// The mutating schemas return nothing (ops/schemas.h).
template <class Traits, class Launcher, class... Args>
void forward_inplace_op(at::Tensor& self, Args... args) {
  forward_<Traits, Launcher>(self, args...);
}

template <class Traits, class Launcher, class... Args>
void forward_out_op(const at::Tensor& self, Args... args, at::Tensor& out) {
  forward_out<Traits, Launcher, Args...>(self, args..., out);
}

template <class Launcher>
void register_kernels(torch::Library& m) {
  m.impl("sigmoid", &forward<SigmoidTraits, Launcher>);
  m.impl("sigmoid_", &forward_inplace_op<SigmoidTraits, Launcher>);
  m.impl("sigmoid.out", &forward_out_op<SigmoidTraits, Launcher>);
  m.impl("sigmoid_backward", &backward<SigmoidTraits, Launcher>);

  m.impl("tanh", &forward<TanhTraits, Launcher>);
  m.impl("tanh_", &forward_inplace_op<TanhTraits, Launcher>);
  m.impl("tanh.out", &forward_out_op<TanhTraits, Launcher>);
  m.impl("tanh_backward", &backward<TanhTraits, Launcher>);

  m.impl("relu", &forward<ReluTraits, Launcher>);
  m.impl("relu_", &forward_inplace_op<ReluTraits, Launcher>);
  m.impl("relu.out", &forward_out_op<ReluTraits, Launcher>);
  m.impl("relu_backward", &backward<ReluTraits, Launcher>);

  m.impl("leaky_relu", &forward<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu_", &forward_inplace_op<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu.out", &forward_out_op<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu_backward", &leaky_relu_backward<Launcher>);
}

}  // namespace activations::ops
