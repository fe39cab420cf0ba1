// Autograd kernels of every activations:: operator. Forward and in-place variants record a
// node whose backward calls the matching *_backward operator; those operators record nodes
// too, so double backward works. out= variants refuse to record, as torch's do.
#include <ATen/TensorOperators.h>
#include <ATen/ops/zeros_like.h>
#include <torch/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/library.h>

#include <string>
#include <tuple>
#include <utility>

#include "activations/functional.h"
#include "ops/checks.h"

namespace activations::autograd {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::Variable;
using torch::autograd::variable_list;

// Per activation: how to call its operators and the derivative of its backward with respect
// to the saved tensor (the derivative with respect to grad_output is the backward itself,
// which is linear in it).
struct Sigmoid {
  static constexpr const char* kName = "sigmoid";
  static constexpr bool kSavesOutput = true;
  static at::Tensor forward(const at::Tensor& x) { return activations::sigmoid(x); }
  static void forward_(at::Tensor& x) { activations::sigmoid_(x); }
  static void forward_out(const at::Tensor& x, at::Tensor& out) {
    activations::sigmoid_out(x, out);
  }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& y, bool) {
    return activations::sigmoid_backward(grad, y);
  }
  // d/dy [g * y * (1 - y)] = g * (1 - 2y)
  static at::Tensor backward_wrt_saved(const at::Tensor& grad_grad, const at::Tensor& grad,
                                       const at::Tensor& y) {
    return grad_grad * grad * (1 - 2 * y);
  }
};

struct Tanh {
  static constexpr const char* kName = "tanh";
  static constexpr bool kSavesOutput = true;
  static at::Tensor forward(const at::Tensor& x) { return activations::tanh(x); }
  static void forward_(at::Tensor& x) { activations::tanh_(x); }
  static void forward_out(const at::Tensor& x, at::Tensor& out) { activations::tanh_out(x, out); }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& y, bool) {
    return activations::tanh_backward(grad, y);
  }
  // d/dy [g * (1 - y^2)] = -2 g y
  static at::Tensor backward_wrt_saved(const at::Tensor& grad_grad, const at::Tensor& grad,
                                       const at::Tensor& y) {
    return grad_grad * (-2 * y * grad);
  }
};

struct Relu {
  static constexpr const char* kName = "relu";
  static constexpr bool kSavesOutput = true;
  static at::Tensor forward(const at::Tensor& x) { return activations::relu(x); }
  static void forward_(at::Tensor& x) { activations::relu_(x); }
  static void forward_out(const at::Tensor& x, at::Tensor& out) { activations::relu_out(x, out); }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& y, bool) {
    return activations::relu_backward(grad, y);
  }
  // The mask is piecewise constant in y: its gradient is zero.
  static at::Tensor backward_wrt_saved(const at::Tensor&, const at::Tensor&, const at::Tensor& y) {
    return at::zeros_like(y);
  }
};

struct LeakyRelu {
  static constexpr const char* kName = "leaky_relu";
  // The mask comes from the input: with a negative slope the output's signs are flipped.
  static constexpr bool kSavesOutput = false;
  static at::Tensor forward(const at::Tensor& x, double slope) {
    return activations::leaky_relu(x, slope);
  }
  static void forward_(at::Tensor& x, double slope) { activations::leaky_relu_(x, slope); }
  static void forward_out(const at::Tensor& x, double slope, at::Tensor& out) {
    activations::leaky_relu_out(x, slope, out);
  }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& saved, bool saved_is_output,
                             double slope) {
    return activations::leaky_relu_backward(grad, saved, slope, saved_is_output);
  }
  static at::Tensor backward_wrt_saved(const at::Tensor&, const at::Tensor&, const at::Tensor& x) {
    return at::zeros_like(x);
  }
};

// backward returns one gradient per forward input: none for the non-tensor ones.
template <class NonTensorArgument>
Variable no_gradient() {
  return {};
}

// Non-tensor arguments travel to backward through ctx->saved_data as "arg0", "arg1", ...
template <class... Args>
void save_arguments(AutogradContext* ctx, Args... args) {
  int index = 0;
  ((ctx->saved_data["arg" + std::to_string(index++)] = args), ...);
}

template <class... Args, size_t... I>
std::tuple<Args...> load_arguments(AutogradContext* ctx, std::index_sequence<I...>) {
  return {ctx->saved_data["arg" + std::to_string(I)].template to<Args>()...};
}

template <class... Args>
std::tuple<Args...> load_arguments(AutogradContext* ctx) {
  return load_arguments<Args...>(ctx, std::index_sequence_for<Args...>{});
}

// y = f(x, args...): saves x or y (kSaveOutput: y, whatever the activation would save; for
// results that are about to be copied over their own input).
template <class Spec, bool kSaveOutput, class... Args>
struct ForwardFunction : torch::autograd::Function<ForwardFunction<Spec, kSaveOutput, Args...>> {
  static Variable forward(AutogradContext* ctx, const Variable& self, Args... args) {
    at::Tensor result;
    {
      at::AutoDispatchBelowADInplaceOrView below_autograd;
      result = Spec::forward(self, args...);
    }
    ctx->save_for_backward({kSaveOutput ? result : self});
    save_arguments(ctx, args...);
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const Variable saved = ctx->get_saved_variables()[0];
    const auto args = load_arguments<Args...>(ctx);
    const at::Tensor grad_input = std::apply(
        [&](auto... a) { return Spec::backward(grad_outputs[0], saved, kSaveOutput, a...); }, args);
    return {grad_input, no_gradient<Args>()...};
  }
};

// f_(x, args...) in place: saves the result, the tensor is marked dirty (its version counter
// moves on, so a later use of an older value is caught).
template <class Spec, class... Args>
struct InplaceFunction : torch::autograd::Function<InplaceFunction<Spec, Args...>> {
  static Variable forward(AutogradContext* ctx, Variable self, Args... args) {
    ctx->mark_dirty({self});
    {
      at::AutoDispatchBelowADInplaceOrView below_autograd;
      Spec::forward_(self, args...);
    }
    ctx->save_for_backward({self});
    save_arguments(ctx, args...);
    return self;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const Variable result = ctx->get_saved_variables()[0];
    const at::Tensor grad_input =
        std::apply([&](auto... a) { return Spec::backward(grad_outputs[0], result, true, a...); },
                   load_arguments<Args...>(ctx));
    return {grad_input, no_gradient<Args>()...};
  }
};

// grad_input = backward(grad_output, saved, args...): differentiable in both tensors.
template <class Spec, class... Args>
struct BackwardFunction : torch::autograd::Function<BackwardFunction<Spec, Args...>> {
  static Variable forward(AutogradContext* ctx, const Variable& grad_output, const Variable& saved,
                          bool saved_is_output, Args... args) {
    ctx->save_for_backward({grad_output, saved});
    ctx->saved_data["saved_is_output"] = saved_is_output;
    save_arguments(ctx, args...);
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return Spec::backward(grad_output, saved, saved_is_output, args...);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved_tensors = ctx->get_saved_variables();
    const Variable& grad_output = saved_tensors[0];
    const Variable& saved = saved_tensors[1];
    const bool saved_is_output = ctx->saved_data["saved_is_output"].toBool();
    const at::Tensor& grad_grad = grad_outputs[0];
    const at::Tensor wrt_grad_output = std::apply(
        [&](auto... a) { return Spec::backward(grad_grad, saved, saved_is_output, a...); },
        load_arguments<Args...>(ctx));
    const at::Tensor wrt_saved = Spec::backward_wrt_saved(grad_grad, grad_output, saved);
    return {wrt_grad_output, wrt_saved, Variable(), no_gradient<Args>()...};
  }
};

// Refuses what torch refuses for in-place ops under autograd, before any data changes.
void check_inplace_allowed(const ops::OpName& op, const at::Tensor& self) {
  TORCH_CHECK(!self.is_leaf(), "activations::", op,
              ": a leaf Variable that requires grad is being used in an in-place operation.");
  TORCH_CHECK(!(self.is_view() && self._base().is_leaf()), "activations::", op,
              ": a view of a leaf Variable that requires grad is being used in an in-place "
              "operation.");
}

// Whether a call must record a node. Where it need not (no grad mode, or nothing requires
// grad) the kernels go straight below autograd, as torch's own kernels do; ADInplaceOrView
// still bumps the version of what an in-place call writes.
bool records_gradient(const at::Tensor& a, const at::Tensor& b = {}) {
  return torch::autograd::GradMode::is_enabled() &&
         (a.requires_grad() || (b.defined() && b.requires_grad()));
}

template <class Spec, class... Args>
at::Tensor forward_autograd(const at::Tensor& self, Args... args) {
  if (!records_gradient(self)) {
    at::AutoDispatchBelowAutograd below_autograd;
    return Spec::forward(self, args...);
  }
  return ForwardFunction<Spec, Spec::kSavesOutput, Args...>::apply(self, args...);
}

template <class Spec, class... Args>
void inplace_autograd(at::Tensor& self, Args... args) {
  if (!records_gradient(self)) {
    at::AutoDispatchBelowAutograd below_autograd;
    Spec::forward_(self, args...);
    return;
  }
  const ops::OpName op{Spec::kName, "_"};
  check_inplace_allowed(op, self);
  if (self.is_view()) {
    ops::check_no_internal_overlap(op, self);  // as the in-place kernel would, before writing
    // A custom Function cannot save its in-place output on a view without a reference cycle
    // (torch's own kernels mark such saves specially): compute out of place and copy into the
    // view, which autograd records as CopySlices over our node.
    self.copy_(ForwardFunction<Spec, true, Args...>::apply(self, args...));
    return;
  }
  InplaceFunction<Spec, Args...>::apply(self, args...);
}

// torch refuses to let out= variants record gradients; so do we, before writing.
template <class Spec, class... Args>
void out_autograd(const at::Tensor& self, Args... args, at::Tensor& out) {
  TORCH_CHECK(!records_gradient(self, out), "activations::", Spec::kName,
              ".out: functions with out=... arguments don't support automatic differentiation, "
              "but one of the arguments requires grad.");
  at::AutoDispatchBelowAutograd below_autograd;  // ADInplaceOrView bumps out's version
  Spec::forward_out(self, args..., out);
}

template <class Spec>
at::Tensor backward_autograd(const at::Tensor& grad_output, const at::Tensor& output) {
  if (!records_gradient(grad_output, output)) {
    at::AutoDispatchBelowAutograd below_autograd;
    return Spec::backward(grad_output, output, true);
  }
  return BackwardFunction<Spec>::apply(grad_output, output, true);
}

void leaky_relu_inplace_autograd(at::Tensor& self, double negative_slope) {
  // torch accepts this and fails later in backward, when the input is already overwritten.
  TORCH_CHECK(!(negative_slope < 0.0 && records_gradient(self)),
              "activations::leaky_relu_: a negative slope in place on a tensor that requires "
              "grad is not supported: backward needs the input's signs, which the result no "
              "longer has. Use the out-of-place leaky_relu.");
  inplace_autograd<LeakyRelu, double>(self, negative_slope);
}

at::Tensor leaky_relu_backward_autograd(const at::Tensor& grad_output, const at::Tensor& self,
                                        double negative_slope, bool self_is_result) {
  if (!records_gradient(grad_output, self)) {
    at::AutoDispatchBelowAutograd below_autograd;
    return LeakyRelu::backward(grad_output, self, self_is_result, negative_slope);
  }
  return BackwardFunction<LeakyRelu, double>::apply(grad_output, self, self_is_result,
                                                    negative_slope);
}

}  // namespace

TORCH_LIBRARY_IMPL(activations, Autograd, m) {
  m.impl("sigmoid", &forward_autograd<Sigmoid>);
  m.impl("sigmoid_", &inplace_autograd<Sigmoid>);
  m.impl("sigmoid.out", &out_autograd<Sigmoid>);
  m.impl("sigmoid_backward", &backward_autograd<Sigmoid>);

  m.impl("tanh", &forward_autograd<Tanh>);
  m.impl("tanh_", &inplace_autograd<Tanh>);
  m.impl("tanh.out", &out_autograd<Tanh>);
  m.impl("tanh_backward", &backward_autograd<Tanh>);

  m.impl("relu", &forward_autograd<Relu>);
  m.impl("relu_", &inplace_autograd<Relu>);
  m.impl("relu.out", &out_autograd<Relu>);
  m.impl("relu_backward", &backward_autograd<Relu>);

  m.impl("leaky_relu", &forward_autograd<LeakyRelu, double>);
  m.impl("leaky_relu_", &leaky_relu_inplace_autograd);
  m.impl("leaky_relu.out", &out_autograd<LeakyRelu, double>);
  m.impl("leaky_relu_backward", &leaky_relu_backward_autograd);
}

}  // namespace activations::autograd
