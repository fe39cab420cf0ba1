// Autograd kernels of every activations:: operator, written as ATen's generated ones are (not as
// torch::autograd::Function, which functorch's transforms refuse): forward and in-place variants
// record a node of ours whose backward calls the matching *_backward operator; those operators
// record nodes too, so double backward works. Each also propagates forward-mode tangents (the
// same formulas: the Jacobians are diagonal). out= variants refuse both, as torch's do.
#include <ATen/TensorOperators.h>
#include <ATen/ops/exp.h>
#include <ATen/ops/sigmoid.h>
#include <ATen/ops/zeros_like.h>
#include <c10/util/string_view.h>
#include <torch/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/saved_variable.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/library.h>

#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "activations/functional.h"
#include "compat/torch_compat.h"
#include "ops/checks.h"

namespace activations::autograd {
namespace {

using torch::autograd::SavedVariable;
using torch::autograd::Variable;
using torch::autograd::variable_list;

// Per activation: how to call its operators and the derivative of its backward with respect
// to the saved tensor (the derivative with respect to grad_output is the backward itself,
// which is linear in it).
struct Sigmoid {
  static constexpr const char* kName = "sigmoid";
  static constexpr const char* kNodeName = "ActivationsSigmoidBackward";
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
  static constexpr const char* kNodeName = "ActivationsTanhBackward";
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
  static constexpr const char* kNodeName = "ActivationsReluBackward";
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
  static constexpr const char* kNodeName = "ActivationsLeakyReluBackward";
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
  static at::Tensor backward_wrt_saved(const at::Tensor&, const at::Tensor&, const at::Tensor& x,
                                       double) {
    return at::zeros_like(x);
  }
};

struct Silu {
  static constexpr const char* kName = "silu";
  static constexpr const char* kNodeName = "ActivationsSiluBackward";
  // The derivative needs x, which y does not give back; in place, x is saved as a copy before
  // it is overwritten (kInplaceSavesInputCopy), as torch's silu_ does.
  static constexpr bool kSavesOutput = false;
  static constexpr bool kInplaceSavesInputCopy = true;
  static at::Tensor forward(const at::Tensor& x) { return activations::silu(x); }
  static void forward_(at::Tensor& x) { activations::silu_(x); }
  static void forward_out(const at::Tensor& x, at::Tensor& out) { activations::silu_out(x, out); }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& x, bool) {
    return activations::silu_backward(grad, x);
  }
  // d/dx [g s (1 + x (1 - s))] = g s (1 - s) (2 + x (1 - 2 s)), s = sigmoid(x)
  static at::Tensor backward_wrt_saved(const at::Tensor& grad_grad, const at::Tensor& grad,
                                       const at::Tensor& x) {
    const at::Tensor s = at::sigmoid(x);
    return grad_grad * grad * s * (1 - s) * (2 + x * (1 - 2 * s));
  }
};

struct Gelu {
  static constexpr const char* kName = "gelu";
  static constexpr const char* kNodeName = "ActivationsGeluBackward";
  // As SiLU: the derivative needs x.
  static constexpr bool kSavesOutput = false;
  static constexpr bool kInplaceSavesInputCopy = true;
  static at::Tensor forward(const at::Tensor& x, c10::string_view approximate) {
    return activations::gelu(x, approximate);
  }
  static void forward_(at::Tensor& x, c10::string_view approximate) {
    activations::gelu_(x, approximate);
  }
  static void forward_out(const at::Tensor& x, c10::string_view approximate, at::Tensor& out) {
    activations::gelu_out(x, approximate, out);
  }
  static at::Tensor backward(const at::Tensor& grad, const at::Tensor& x, bool,
                             c10::string_view approximate) {
    return activations::gelu_backward(grad, x, approximate);
  }
  // erf form: d/dx [g (Phi + x phi)] = g phi (2 - x^2), phi = e^(-x^2/2) / sqrt(2 pi).
  // tanh form, f' = s + x v' s (1 - s) with s = sigmoid(v), v = 2k (x + a x^3), v' = 2k (1 +
  // 3a x^2), v'' = 12 k a x: f'' = s (1 - s) (2 v' + x v'' + x v'^2 (1 - 2s)).
  static at::Tensor backward_wrt_saved(const at::Tensor& grad_grad, const at::Tensor& grad,
                                       const at::Tensor& x, c10::string_view approximate) {
    constexpr double kSqrt2OverPi = 0.79788456080286535588;
    constexpr double kCubic = 0.044715;
    if (approximate == "tanh") {
      const at::Tensor square = x * x;
      const at::Tensor s = at::sigmoid(2 * kSqrt2OverPi * x * (1 + kCubic * square));
      const at::Tensor slope = 2 * kSqrt2OverPi * (1 + 3 * kCubic * square);
      const at::Tensor curvature = 12 * kSqrt2OverPi * kCubic * x;
      return grad_grad * grad * s * (1 - s) *
             (2 * slope + x * curvature + x * slope * slope * (1 - 2 * s));
    }
    constexpr double kInverseSqrt2Pi = 0.39894228040143267794;
    return grad_grad * grad * kInverseSqrt2Pi * at::exp(-0.5 * x * x) * (2 - x * x);
  }
};

// What a node keeps of an argument: strings by value (the caller's view does not outlive the
// call), everything else as it is.
template <class Arg>
struct Kept {
  using type = Arg;
};
template <>
struct Kept<c10::string_view> {
  using type = std::string;
};

// Whether an in-place call saves a copy of its input for backward (see Silu); the others save
// the result.
template <class Spec, class = void>
constexpr bool kInplaceSavesInputCopy = false;
template <class Spec>
constexpr bool kInplaceSavesInputCopy<Spec, std::void_t<decltype(Spec::kInplaceSavesInputCopy)>> =
    Spec::kInplaceSavesInputCopy;

// The node that y = f(x, args...) records, as ATen's generated SigmoidBackward0 is: one edge,
// to x, and the saved tensor (y or x, Spec::kSavesOutput) whose backward operator gives
// x's gradient. The operator records nodes in turn, so double backward works.
template <class Spec, class... Args>
struct ForwardNode : torch::autograd::TraceableFunction {
  SavedVariable saved;
  bool saved_is_output = false;
  std::tuple<typename Kept<Args>::type...> args;

  std::string name() const override { return Spec::kNodeName; }

  variable_list apply(variable_list&& grads) override {
    std::lock_guard<std::mutex> lock(mutex_);
    variable_list result(1);
    if (task_should_compute_output(0) && grads[0].defined()) {
      const Variable s = saved.unpack(compat::owner_of(this));
      result[0] = std::apply(
          [&](auto... a) { return Spec::backward(grads[0], s, saved_is_output, a...); }, args);
    }
    return result;
  }

  void release_variables() override {
    std::lock_guard<std::mutex> lock(mutex_);
    saved.reset_data();
  }
};

// The node that grad_input = backward(grad_output, saved, args...) records: two edges, and the
// derivative with respect to each (the backward is linear in grad_output).
template <class Spec, class... Args>
struct BackwardNode : torch::autograd::TraceableFunction {
  SavedVariable grad_output;
  SavedVariable saved;
  bool saved_is_output = false;
  std::tuple<typename Kept<Args>::type...> args;

  std::string name() const override { return std::string(Spec::kNodeName) + "Backward"; }

  variable_list apply(variable_list&& grads) override {
    std::lock_guard<std::mutex> lock(mutex_);
    variable_list result(2);
    const at::Tensor& grad_grad = grads[0];
    if (!grad_grad.defined()) return result;
    const Variable s = saved.unpack(compat::owner_of(this));
    if (task_should_compute_output(0)) {
      result[0] = std::apply(
          [&](auto... a) { return Spec::backward(grad_grad, s, saved_is_output, a...); }, args);
    }
    if (task_should_compute_output(1)) {
      const Variable g = grad_output.unpack(compat::owner_of(this));
      result[1] = std::apply(
          [&](auto... a) { return Spec::backward_wrt_saved(grad_grad, g, s, a...); }, args);
    }
    return result;
  }

  void release_variables() override {
    std::lock_guard<std::mutex> lock(mutex_);
    grad_output.reset_data();
    saved.reset_data();
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
// grad) no node is made; ADInplaceOrView still bumps the version of what an in-place call
// writes.
bool records_gradient(const at::Tensor& a, const at::Tensor& b = {}) {
  return torch::autograd::GradMode::is_enabled() &&
         (a.requires_grad() || (b.defined() && b.requires_grad()));
}

// A tensor's tangent under forward-mode AD (torch.autograd.forward_ad, torch.func.jvp), or an
// undefined tensor. Level 0: functorch's transforms unwrap their levels before kernels run.
at::Tensor tangent_of(const at::Tensor& t) {
  return t.defined() ? t._fw_grad(/*level=*/0) : at::Tensor();
}

// The tensor without its tangent, for the tangent formulas (a tangent must not carry one).
at::Tensor primal_of(const at::Tensor& t) {
  return t._fw_primal(/*level=*/0);
}

at::Tensor sum_defined(const at::Tensor& a, const at::Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return a + b;
}

// y = f(x, args...). The forward-mode tangent is the backward formula applied to x's tangent:
// the Jacobian is diagonal, so one formula serves both modes.
template <class Spec, class... Args>
at::Tensor forward_autograd(const at::Tensor& self, Args... args) {
  const bool record = records_gradient(self);
  const at::Tensor tangent = tangent_of(self);
  compat::NodePtr<ForwardNode<Spec, Args...>> node;
  if (record) {
    node = compat::make_node<ForwardNode<Spec, Args...>>();
    node->set_next_edges(torch::autograd::collect_next_edges(self));
  }
  at::Tensor result;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    result = Spec::forward(self, args...);
  }
  const at::Tensor& saved = Spec::kSavesOutput ? result : self;
  if (node) torch::autograd::set_history(result, node);
  if (tangent.defined()) {
    result._set_fw_grad(Spec::backward(tangent, primal_of(saved), Spec::kSavesOutput, args...),
                        /*level=*/0, /*is_inplace_op=*/false);
  }
  if (node) {  // after the tangent: a saved output keeps it (forward-over-reverse)
    node->saved = SavedVariable(saved, /*is_output=*/Spec::kSavesOutput);
    node->saved_is_output = Spec::kSavesOutput;
    node->args = std::make_tuple(typename Kept<Args>::type(args)...);
  }
  return result;
}

// f_(x, args...): the node saves the result (or a copy of x, kInplaceSavesInputCopy) and
// replaces x's history (through CopySlices where
// x is a view, as torch's in-place ops do); x's tangent is updated in place, as torch's are.
template <class Spec, class... Args>
void inplace_autograd(at::Tensor& self, Args... args) {
  const ops::OpName op{Spec::kName, "_"};
  const bool record = records_gradient(self);
  if (record) check_inplace_allowed(op, self);
  const at::Tensor tangent = tangent_of(self);
  // recorded itself (a clone), so double backward reaches x's history through it
  at::Tensor input_copy;
  if (record && kInplaceSavesInputCopy<Spec>) input_copy = self.clone();
  compat::NodePtr<ForwardNode<Spec, Args...>> node;
  if (record) {
    node = compat::make_node<ForwardNode<Spec, Args...>>();
    node->set_next_edges(torch::autograd::collect_next_edges(self));
  }
  // A spec that saves its input takes the tangent from the input, before it is overwritten.
  at::Tensor new_tangent;
  if (tangent.defined() && !Spec::kSavesOutput) {
    new_tangent = Spec::backward(tangent, primal_of(self).clone(), false, args...);
  }
  {
    at::AutoDispatchBelowAutograd below_autograd;  // ADInplaceOrView bumps the version
    Spec::forward_(self, args...);
  }
  if (node) {
    node->add_input_metadata(self);
    torch::autograd::impl::rebase_history(self, {node, 0});
  }
  if (tangent.defined()) {
    if (Spec::kSavesOutput) new_tangent = Spec::backward(tangent, primal_of(self), true, args...);
    // as torch's in-place ops: the existing tangent is updated in place
    at::Tensor updated = tangent;
    updated.copy_(new_tangent);
    self._set_fw_grad(updated, /*level=*/0, /*is_inplace_op=*/true);
  }
  if (node) {  // after the tangent: the saved result keeps it
    if (input_copy.defined()) {
      node->saved = SavedVariable(input_copy, /*is_output=*/false);
    } else {
      node->saved = SavedVariable(self, /*is_output=*/true, /*is_inplace_on_view=*/self.is_view());
    }
    node->saved_is_output = !input_copy.defined();
    node->args = std::make_tuple(typename Kept<Args>::type(args)...);
  }
}

// torch refuses to let out= variants record gradients or carry tangents; so do we, by name,
// before writing.
template <class Spec, class... Args>
void out_autograd(const at::Tensor& self, Args... args, at::Tensor& out) {
  TORCH_CHECK(!records_gradient(self, out), "activations::", Spec::kName,
              ".out: functions with out=... arguments don't support automatic differentiation, "
              "but one of the arguments requires grad.");
  TORCH_CHECK(!tangent_of(self).defined() && !tangent_of(out).defined(),
              "activations::", Spec::kName,
              ".out: forward-mode AD is not supported for out= variants; use the out-of-place "
              "operator");
  at::AutoDispatchBelowAutograd below_autograd;  // ADInplaceOrView bumps out's version
  Spec::forward_out(self, args..., out);
}

// grad_input = backward(grad_output, saved, args...), differentiable in both tensors and in
// both modes: its tangent is backward(tangent of grad_output) + d/d saved (tangent of saved).
template <class Spec, class... Args>
at::Tensor backward_autograd_with(const at::Tensor& grad_output, const at::Tensor& saved,
                                  bool saved_is_output, Args... args) {
  const bool record = records_gradient(grad_output, saved);
  const at::Tensor grad_tangent = tangent_of(grad_output);
  const at::Tensor saved_tangent = tangent_of(saved);
  compat::NodePtr<BackwardNode<Spec, Args...>> node;
  if (record) {
    node = compat::make_node<BackwardNode<Spec, Args...>>();
    node->set_next_edges(torch::autograd::collect_next_edges(grad_output, saved));
  }
  at::Tensor result;
  {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    result = Spec::backward(grad_output, saved, saved_is_output, args...);
  }
  if (node) {
    torch::autograd::set_history(result, node);
    node->grad_output = SavedVariable(grad_output, /*is_output=*/false);
    node->saved = SavedVariable(saved, /*is_output=*/false);
    node->saved_is_output = saved_is_output;
    node->args = std::make_tuple(typename Kept<Args>::type(args)...);
  }
  if (grad_tangent.defined() || saved_tangent.defined()) {
    const at::Tensor grad_primal = primal_of(grad_output);
    const at::Tensor saved_primal = primal_of(saved);
    const at::Tensor from_grad = grad_tangent.defined() ? Spec::backward(grad_tangent, saved_primal,
                                                                         saved_is_output, args...)
                                                        : at::Tensor();
    const at::Tensor from_saved =
        saved_tangent.defined()
            ? Spec::backward_wrt_saved(saved_tangent, grad_primal, saved_primal, args...)
            : at::Tensor();
    at::Tensor sum = sum_defined(from_grad, from_saved);
    if (!sum.sizes().equals(result.sizes())) sum = sum.expand(result.sizes()).contiguous();
    result._set_fw_grad(sum, /*level=*/0, /*is_inplace_op=*/false);
  }
  return result;
}

// From the output (sigmoid, tanh, relu) or the input (silu, gelu), as the Spec saves.
template <class Spec, class... Args>
at::Tensor backward_autograd(const at::Tensor& grad_output, const at::Tensor& saved, Args... args) {
  return backward_autograd_with<Spec, Args...>(grad_output, saved, Spec::kSavesOutput, args...);
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
  return backward_autograd_with<LeakyRelu, double>(grad_output, self, self_is_result,
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

  m.impl("silu", &forward_autograd<Silu>);
  m.impl("silu_", &inplace_autograd<Silu>);
  m.impl("silu.out", &out_autograd<Silu>);
  m.impl("silu_backward", &backward_autograd<Silu>);

  m.impl("gelu", &forward_autograd<Gelu, c10::string_view>);
  m.impl("gelu_", &inplace_autograd<Gelu, c10::string_view>);
  m.impl("gelu.out", &out_autograd<Gelu, c10::string_view>);
  m.impl("gelu_backward", &backward_autograd<Gelu, c10::string_view>);
}

}  // namespace activations::autograd
