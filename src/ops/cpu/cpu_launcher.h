// Runs a functor over CPU tensors through the generic elementwise driver.
#pragma once

#include <ATen/core/Tensor.h>

#include <string_view>

#include "kernels/dispatch.h"
#include "kernels/elementwise.h"

namespace activations::ops {

struct CpuLauncher {
  template <kernels::KernelDtypes kDtypes, class Functor, class... Inputs>
  static void run(std::string_view op, const at::Tensor& out, const Functor& functor,
                  const Inputs&... inputs) {
    kernels::dispatch_dtype<kDtypes>(out.scalar_type(), op, [&](auto tag) {
      using scalar_t = decltype(tag);
      kernels::apply_elementwise<scalar_t>(out, functor, inputs...);
    });
  }
};

}  // namespace activations::ops
