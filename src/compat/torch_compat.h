// Where the torch releases we build against differ for the library's C++, in one place:
// - the owning pointer of a torch::autograd::Node was std::shared_ptr (with
//   enable_shared_from_this) and became c10::intrusive_ptr in later 2.x releases;
// - 1.13 had a torch function mode set apart from the mode stack (get_mode), later releases
//   only the stack.
// Decided from the types themselves, not from version numbers.
#pragma once

#include <ATen/PythonTorchFunctionTLS.h>
#include <c10/util/intrusive_ptr.h>
#include <torch/csrc/autograd/function.h>

#include <memory>
#include <type_traits>

namespace activations::compat {

using torch::autograd::Node;

template <class N>
constexpr bool kIntrusiveNode = std::is_base_of_v<c10::intrusive_ptr_target, N>;

// The owning pointer of a node of type N.
template <class N>
using NodePtr = std::conditional_t<kIntrusiveNode<N>, c10::intrusive_ptr<N>, std::shared_ptr<N>>;

// A new node of type N, owned as torch owns its own (shared_ptr nodes with torch's deleter,
// which frees long chains of nodes without deep recursion).
template <class N>
NodePtr<N> make_node() {
  if constexpr (kIntrusiveNode<N>) {
    return c10::make_intrusive<N>();
  } else {
    N* node = new N();
    // found by argument-dependent lookup, in the releases that have it
    return std::shared_ptr<N>(node, [](N* n) { deleteNode(n); });
  }
}

// The owning pointer to a node from inside it, as SavedVariable::unpack wants it.
template <class N>
auto owner_of(N* node) {
  if constexpr (kIntrusiveNode<N>) {
    return node->getptr();
  } else {
    return node->shared_from_this();
  }
}

namespace detail {
template <class TLS>
auto mode_set_apart(int) -> decltype(TLS::get_mode() != nullptr) {
  return TLS::get_mode() != nullptr;
}
template <class TLS>
bool mode_set_apart(long) {
  return false;
}
}  // namespace detail

// Whether a Python torch function mode may be active (torch.overrides.TorchFunctionMode): then
// a call must take torch's __torch_function__ handling. Errs on the side of true.
template <class TLS = at::impl::PythonTorchFunctionTLS>
bool torch_function_mode_active() {
  return TLS::stack_len() > 0 || detail::mode_set_apart<TLS>(0);
}

}  // namespace activations::compat
