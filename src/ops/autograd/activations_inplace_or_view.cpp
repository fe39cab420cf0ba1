// ADInplaceOrView kernels of the mutating operators (in-place and out=): they bump the version
// counter of every tensor the operator writes, as torch's own in-place ops do, also where the
// Autograd kernel is skipped (inference mode on normal tensors, calls below autograd).
#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/library.h>

#include <string>
#include <vector>

#include "ops/schemas.h"

namespace activations::autograd {
namespace {

void run_then_bump_versions(const c10::OperatorHandle& op, c10::DispatchKeySet keys,
                            torch::jit::Stack* stack) {
  const auto& arguments = op.schema().arguments();
  const size_t first = stack->size() - arguments.size();
  std::vector<at::Tensor> written;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const auto* alias = arguments[i].alias_info();
    if (alias != nullptr && alias->isWrite()) written.push_back((*stack)[first + i].toTensor());
  }
  {
    at::AutoDispatchBelowADInplaceOrView below;
    op.redispatchBoxed(keys & c10::after_ADInplaceOrView_keyset, stack);
  }
  for (const auto& tensor : written) torch::autograd::impl::bump_version(tensor);
}

}  // namespace

TORCH_LIBRARY_IMPL(activations, ADInplaceOrView, m) {
  for (const char* schema : ops::kOperatorSchemas) {
    if (std::string(schema).find("(a!)") == std::string::npos) continue;
    m.impl(ops::operator_name(schema).c_str(),
           torch::CppFunction::makeFromBoxedFunction<&run_then_bump_versions>());
  }
}

}  // namespace activations::autograd
