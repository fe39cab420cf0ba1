// CPU kernels of every activations:: operator.
#include <torch/library.h>

#include "ops/cpu/cpu_launcher.h"
#include "ops/elementwise_op.h"

namespace activations::ops {
TORCH_LIBRARY_IMPL(activations, CPU, m) {
  m.impl("sigmoid", &forward<SigmoidTraits, CpuLauncher>);
  m.impl("sigmoid_", &forward_<SigmoidTraits, CpuLauncher>);
  m.impl("sigmoid.out", &forward_out<SigmoidTraits, CpuLauncher>);
  m.impl("sigmoid_backward", &backward<SigmoidTraits, CpuLauncher>);

  m.impl("tanh", &forward<TanhTraits, CpuLauncher>);
  m.impl("tanh_", &forward_<TanhTraits, CpuLauncher>);
  m.impl("tanh.out", &forward_out<TanhTraits, CpuLauncher>);
  m.impl("tanh_backward", &backward<TanhTraits, CpuLauncher>);

  m.impl("relu", &forward<ReluTraits, CpuLauncher>);
  m.impl("relu_", &forward_<ReluTraits, CpuLauncher>);
  m.impl("relu.out", &forward_out<ReluTraits, CpuLauncher>);
  m.impl("relu_backward", &backward<ReluTraits, CpuLauncher>);

  m.impl("leaky_relu", &forward<LeakyReluTraits, CpuLauncher, double>);
  m.impl("leaky_relu_", &forward_<LeakyReluTraits, CpuLauncher, double>);
  m.impl("leaky_relu.out", &forward_out<LeakyReluTraits, CpuLauncher, double>);
  m.impl("leaky_relu_backward", &leaky_relu_backward<CpuLauncher>);
}

}  // namespace activations::ops
