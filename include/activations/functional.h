// Functional API. Every function calls the matching `activations::` operator through the
// dispatcher, so C++, Python (torch.ops.activations) and TorchScript reach the same kernels.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/util/string_view.h>

namespace activations {

// The chapter's default slope; LibTorch's own torch::nn::LeakyReLU defaults to 0.01.
constexpr double kDefaultNegativeSlope = 0.2;

// Sigmoid, eq. 3-113: 1 / (1 + e^-x).
at::Tensor sigmoid(const at::Tensor& self);
at::Tensor& sigmoid_(at::Tensor& self);
at::Tensor& sigmoid_out(const at::Tensor& self, at::Tensor& out);

// Tanh, eq. 3-115: (e^x - e^-x) / (e^x + e^-x).
at::Tensor tanh(const at::Tensor& self);
at::Tensor& tanh_(at::Tensor& self);
at::Tensor& tanh_out(const at::Tensor& self, at::Tensor& out);

// ReLU, eq. 3-117: max(0, x).
at::Tensor relu(const at::Tensor& self);
at::Tensor& relu_(at::Tensor& self);
at::Tensor& relu_out(const at::Tensor& self, at::Tensor& out);

// LeakyReLU, eq. 3-119: x for x > 0, negative_slope * x otherwise.
at::Tensor leaky_relu(const at::Tensor& self, double negative_slope = kDefaultNegativeSlope);
at::Tensor& leaky_relu_(at::Tensor& self, double negative_slope = kDefaultNegativeSlope);
at::Tensor& leaky_relu_out(const at::Tensor& self, double negative_slope, at::Tensor& out);

// SiLU (swish): x * sigmoid(x), exact to within 1 ULP down to its subnormal tail.
at::Tensor silu(const at::Tensor& self);
at::Tensor& silu_(at::Tensor& self);
at::Tensor& silu_out(const at::Tensor& self, at::Tensor& out);

// GELU: x Phi(x), Phi the standard normal's distribution function (approximate = "none"), or
// x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 (approximate = "tanh"), as torch's gelu;
// within 1 ULP of exact for every input, tails included.
at::Tensor gelu(const at::Tensor& self, c10::string_view approximate = "none");
at::Tensor& gelu_(at::Tensor& self, c10::string_view approximate = "none");
at::Tensor& gelu_out(const at::Tensor& self, c10::string_view approximate, at::Tensor& out);

// Gradients (eqs. 3-114, 3-116, 3-118, 3-120), written in terms of the forward output where
// that is enough. Autograd calls these; they are differentiable themselves.
at::Tensor sigmoid_backward(const at::Tensor& grad_output, const at::Tensor& output);
at::Tensor tanh_backward(const at::Tensor& grad_output, const at::Tensor& output);
at::Tensor relu_backward(const at::Tensor& grad_output, const at::Tensor& output);
// `self` is the forward input, or the forward output when `self_is_result` (in-place forward).
at::Tensor leaky_relu_backward(const at::Tensor& grad_output, const at::Tensor& self,
                               double negative_slope, bool self_is_result);
// From the forward input, as torch's silu_backward.
at::Tensor silu_backward(const at::Tensor& grad_output, const at::Tensor& self);
// From the forward input, as torch's gelu_backward.
at::Tensor gelu_backward(const at::Tensor& grad_output, const at::Tensor& self,
                         c10::string_view approximate = "none");

}  // namespace activations
