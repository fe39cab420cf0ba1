// The schemas of every activations:: operator, in one place for the library definition and
// for the registrations that must cover every operator.
#pragma once

#include <array>
#include <string>

namespace activations::ops {

// The mutating operators (in place, out=) return nothing: PyTorch 2's functionalization
// (torch.compile, torch.export) can rewrite a custom op that mutates its arguments only when it
// returns no alias of them. The C++ functional API still returns the tensor written.
inline constexpr std::array<const char*, 24> kOperatorSchemas = {
    "sigmoid(Tensor input) -> Tensor",
    "sigmoid_(Tensor(a!) input) -> ()",
    "sigmoid.out(Tensor input, *, Tensor(a!) out) -> ()",
    "sigmoid_backward(Tensor grad_output, Tensor output) -> Tensor",
    "tanh(Tensor input) -> Tensor",
    "tanh_(Tensor(a!) input) -> ()",
    "tanh.out(Tensor input, *, Tensor(a!) out) -> ()",
    "tanh_backward(Tensor grad_output, Tensor output) -> Tensor",
    "relu(Tensor input) -> Tensor",
    "relu_(Tensor(a!) input) -> ()",
    "relu.out(Tensor input, *, Tensor(a!) out) -> ()",
    "relu_backward(Tensor grad_output, Tensor output) -> Tensor",
    "leaky_relu(Tensor input, float negative_slope=0.2) -> Tensor",
    "leaky_relu_(Tensor(a!) input, float negative_slope=0.2) -> ()",
    "leaky_relu.out(Tensor input, float negative_slope=0.2, *, Tensor(a!) out) -> ()",
    "leaky_relu_backward(Tensor grad_output, Tensor input, float negative_slope, "
    "bool self_is_result) -> Tensor",
    "silu(Tensor input) -> Tensor",
    "silu_(Tensor(a!) input) -> ()",
    "silu.out(Tensor input, *, Tensor(a!) out) -> ()",
    "silu_backward(Tensor grad_output, Tensor input) -> Tensor",
    "gelu(Tensor input, *, str approximate='none') -> Tensor",
    "gelu_(Tensor(a!) input, *, str approximate='none') -> ()",
    "gelu.out(Tensor input, *, str approximate='none', Tensor(a!) out) -> ()",
    "gelu_backward(Tensor grad_output, Tensor input, *, str approximate='none') -> Tensor",
};

// "sigmoid.out(Tensor input, ...) -> ..." gives "sigmoid.out".
inline std::string operator_name(const char* schema) {
  const std::string text(schema);
  return text.substr(0, text.find('('));
}

}  // namespace activations::ops
