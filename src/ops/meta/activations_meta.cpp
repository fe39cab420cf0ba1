// Meta kernels of every activations:: operator, for torch.compile, torch.export and FakeTensor:
// the shared operator bodies with a launcher that computes nothing, so results get the sizes,
// strides and dtype the CPU kernels give them, bad input gets the same errors, and no data is
// read or written.
#include <torch/library.h>

#include "ops/register_kernels.h"

namespace activations::ops {
namespace {

struct MetaLauncher {
  static void run(const kernels::KernelSpec& /*spec*/, const at::Tensor& /*out*/,
                  const at::Tensor& /*in0*/, const at::Tensor& /*in1*/ = {}) {}
};

}  // namespace

TORCH_LIBRARY_IMPL(activations, Meta, m) {
  register_kernels<MetaLauncher>(m);
}

}  // namespace activations::ops
