// Tensors of other layouts reach the dispatcher under their own keys; every operator answers
// them with an error that names it and what it was given.
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include "ops/schemas.h"

namespace activations::ops {
namespace {

void reject_layout(const c10::OperatorHandle& op, c10::DispatchKeySet keys, torch::jit::Stack*) {
  TORCH_CHECK_NOT_IMPLEMENTED(false, op.schema().name(), ": tensors with dispatch key ",
                              keys.highestPriorityTypeId(),
                              " are not supported; it takes dense (strided) tensors");
}

void register_rejections(torch::Library& m) {
  for (const char* schema : kOperatorSchemas) {
    m.impl(operator_name(schema).c_str(),
           torch::CppFunction::makeFromBoxedFunction<&reject_layout>());
  }
}

}  // namespace

TORCH_LIBRARY_IMPL(activations, SparseCPU, m) {
  register_rejections(m);
}
TORCH_LIBRARY_IMPL(activations, SparseCsrCPU, m) {
  register_rejections(m);
}
TORCH_LIBRARY_IMPL(activations, QuantizedCPU, m) {
  register_rejections(m);
}
TORCH_LIBRARY_IMPL(activations, MkldnnCPU, m) {
  register_rejections(m);
}

}  // namespace activations::ops
