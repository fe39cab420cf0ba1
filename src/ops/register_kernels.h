// Registers the shared operator bodies (ops/elementwise_op.h) with one device's Launcher for
// every activations:: operator, inside that device's TORCH_LIBRARY_IMPL.
#pragma once

#include <torch/library.h>

#include "ops/elementwise_op.h"

namespace activations::ops {

template <class Launcher>
void register_kernels(torch::Library& m) {
  m.impl("sigmoid", &forward<SigmoidTraits, Launcher>);
  m.impl("sigmoid_", &forward_<SigmoidTraits, Launcher>);
  m.impl("sigmoid.out", &forward_out<SigmoidTraits, Launcher>);
  m.impl("sigmoid_backward", &backward<SigmoidTraits, Launcher>);

  m.impl("tanh", &forward<TanhTraits, Launcher>);
  m.impl("tanh_", &forward_<TanhTraits, Launcher>);
  m.impl("tanh.out", &forward_out<TanhTraits, Launcher>);
  m.impl("tanh_backward", &backward<TanhTraits, Launcher>);

  m.impl("relu", &forward<ReluTraits, Launcher>);
  m.impl("relu_", &forward_<ReluTraits, Launcher>);
  m.impl("relu.out", &forward_out<ReluTraits, Launcher>);
  m.impl("relu_backward", &backward<ReluTraits, Launcher>);

  m.impl("leaky_relu", &forward<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu_", &forward_<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu.out", &forward_out<LeakyReluTraits, Launcher, double>);
  m.impl("leaky_relu_backward", &leaky_relu_backward<Launcher>);

  m.impl("silu", &forward<SiluTraits, Launcher>);
  m.impl("silu_", &forward_<SiluTraits, Launcher>);
  m.impl("silu.out", &forward_out<SiluTraits, Launcher>);
  m.impl("silu_backward", &backward<SiluTraits, Launcher>);

  m.impl("gelu", &forward<GeluTraits, Launcher, c10::string_view>);
  m.impl("gelu_", &forward_<GeluTraits, Launcher, c10::string_view>);
  m.impl("gelu.out", &forward_out<GeluTraits, Launcher, c10::string_view>);
  m.impl("gelu_backward", &backward<GeluTraits, Launcher, c10::string_view>);
}

}  // namespace activations::ops
