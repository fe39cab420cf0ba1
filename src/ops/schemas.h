// The schemas of every activations:: operator, in one place for the library definition and
// for the registrations that must cover every operator.
#pragma once

#include <array>
#include <string>

namespace activations::ops {

inline constexpr std::array<const char*, 16> kOperatorSchemas = {
    "sigmoid(Tensor self) -> Tensor",
    "sigmoid_(Tensor(a!) self) -> Tensor(a!)",
    "sigmoid.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
    "sigmoid_backward(Tensor grad_output, Tensor output) -> Tensor",
    "tanh(Tensor self) -> Tensor",
    "tanh_(Tensor(a!) self) -> Tensor(a!)",
    "tanh.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
    "tanh_backward(Tensor grad_output, Tensor output) -> Tensor",
    "relu(Tensor self) -> Tensor",
    "relu_(Tensor(a!) self) -> Tensor(a!)",
    "relu.out(Tensor self, *, Tensor(a!) out) -> Tensor(a!)",
    "relu_backward(Tensor grad_output, Tensor output) -> Tensor",
    "leaky_relu(Tensor self, float negative_slope=0.2) -> Tensor",
    "leaky_relu_(Tensor(a!) self, float negative_slope=0.2) -> Tensor(a!)",
    "leaky_relu.out(Tensor self, float negative_slope=0.2, *, Tensor(a!) out) -> Tensor(a!)",
    "leaky_relu_backward(Tensor grad_output, Tensor self, float negative_slope, "
    "bool self_is_result) -> Tensor",
};

// "sigmoid.out(Tensor self, ...) -> ..." gives "sigmoid.out".
inline std::string operator_name(const char* schema) {
  const std::string text(schema);
  return text.substr(0, text.find('('));
}

}  // namespace activations::ops
