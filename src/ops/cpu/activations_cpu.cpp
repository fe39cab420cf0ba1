// CPU kernels of every activations:: operator.
#include <torch/library.h>

#include "ops/cpu/cpu_launcher.h"
#include "ops/register_kernels.h"

namespace activations::ops {

TORCH_LIBRARY_IMPL(activations, CPU, m) {
  register_kernels<CpuLauncher>(m);
}

}  // namespace activations::ops
