// Runs a kernel over CPU tensors through the generic elementwise driver.
#pragma once

#include <ATen/core/Tensor.h>

#include "kernels/elementwise.h"

namespace activations::ops {

struct CpuLauncher {
  static void run(const kernels::KernelSpec& spec, const at::Tensor& out, const at::Tensor& in0,
                  const at::Tensor& in1 = {}) {
    kernels::apply_elementwise(spec, out, in0, in1);
  }
};

}  // namespace activations::ops
