// The functional API: typed calls of the activations:: operators through the dispatcher.
#include "activations/functional.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <string>
#include <utility>

namespace activations {
namespace {

// One activations:: operator, found once, called with its arguments checked.
template <typename Signature>
class Operator {
 public:
  explicit Operator(const char* name, const char* overload = "")
      : handle_(c10::Dispatcher::singleton()
                    .findSchemaOrThrow((std::string("activations::") + name).c_str(), overload)
                    .template typed<Signature>()),
        display_name_(std::string("activations::") + name + (*overload ? "." : "") + overload) {}

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const {
    int position = 0;
    (check_defined(args, ++position), ...);
    return handle_.call(std::forward<Args>(args)...);
  }

 private:
  // From C++ an undefined tensor could reach the dispatcher, which has no kernel for it.
  void check_defined(const at::Tensor& tensor, int position) const {
    TORCH_CHECK(tensor.defined(), display_name_, ": expected a defined tensor as argument ",
                position, " but got an undefined one");
  }
  template <typename NotATensor>
  void check_defined(const NotATensor&, int) const {}

  c10::TypedOperatorHandle<Signature> handle_;
  std::string display_name_;
};

using Unary = at::Tensor(const at::Tensor&);
// The mutating operators return nothing (ops/schemas.h); these functions return what they wrote.
using UnaryInplace = void(at::Tensor&);
using UnaryOut = void(const at::Tensor&, at::Tensor&);
using Backward = at::Tensor(const at::Tensor&, const at::Tensor&);

}  // namespace

at::Tensor sigmoid(const at::Tensor& self) {
  static const Operator<Unary> op("sigmoid");
  return op(self);
}

at::Tensor& sigmoid_(at::Tensor& self) {
  static const Operator<UnaryInplace> op("sigmoid_");
  op(self);
  return self;
}

at::Tensor& sigmoid_out(const at::Tensor& self, at::Tensor& out) {
  static const Operator<UnaryOut> op("sigmoid", "out");
  op(self, out);
  return out;
}

at::Tensor tanh(const at::Tensor& self) {
  static const Operator<Unary> op("tanh");
  return op(self);
}

at::Tensor& tanh_(at::Tensor& self) {
  static const Operator<UnaryInplace> op("tanh_");
  op(self);
  return self;
}

at::Tensor& tanh_out(const at::Tensor& self, at::Tensor& out) {
  static const Operator<UnaryOut> op("tanh", "out");
  op(self, out);
  return out;
}

at::Tensor relu(const at::Tensor& self) {
  static const Operator<Unary> op("relu");
  return op(self);
}

at::Tensor& relu_(at::Tensor& self) {
  static const Operator<UnaryInplace> op("relu_");
  op(self);
  return self;
}

at::Tensor& relu_out(const at::Tensor& self, at::Tensor& out) {
  static const Operator<UnaryOut> op("relu", "out");
  op(self, out);
  return out;
}

at::Tensor leaky_relu(const at::Tensor& self, double negative_slope) {
  static const Operator<at::Tensor(const at::Tensor&, double)> op("leaky_relu");
  return op(self, negative_slope);
}

at::Tensor& leaky_relu_(at::Tensor& self, double negative_slope) {
  static const Operator<void(at::Tensor&, double)> op("leaky_relu_");
  op(self, negative_slope);
  return self;
}

at::Tensor& leaky_relu_out(const at::Tensor& self, double negative_slope, at::Tensor& out) {
  static const Operator<void(const at::Tensor&, double, at::Tensor&)> op("leaky_relu", "out");
  op(self, negative_slope, out);
  return out;
}

at::Tensor silu(const at::Tensor& self) {
  static const Operator<Unary> op("silu");
  return op(self);
}

at::Tensor& silu_(at::Tensor& self) {
  static const Operator<UnaryInplace> op("silu_");
  op(self);
  return self;
}

at::Tensor& silu_out(const at::Tensor& self, at::Tensor& out) {
  static const Operator<UnaryOut> op("silu", "out");
  op(self, out);
  return out;
}

at::Tensor gelu(const at::Tensor& self, c10::string_view approximate) {
  static const Operator<at::Tensor(const at::Tensor&, c10::string_view)> op("gelu");
  return op(self, approximate);
}

at::Tensor& gelu_(at::Tensor& self, c10::string_view approximate) {
  static const Operator<void(at::Tensor&, c10::string_view)> op("gelu_");
  op(self, approximate);
  return self;
}

at::Tensor& gelu_out(const at::Tensor& self, c10::string_view approximate, at::Tensor& out) {
  static const Operator<void(const at::Tensor&, c10::string_view, at::Tensor&)> op("gelu", "out");
  op(self, approximate, out);
  return out;
}

at::Tensor sigmoid_backward(const at::Tensor& grad_output, const at::Tensor& output) {
  static const Operator<Backward> op("sigmoid_backward");
  return op(grad_output, output);
}

at::Tensor tanh_backward(const at::Tensor& grad_output, const at::Tensor& output) {
  static const Operator<Backward> op("tanh_backward");
  return op(grad_output, output);
}

at::Tensor relu_backward(const at::Tensor& grad_output, const at::Tensor& output) {
  static const Operator<Backward> op("relu_backward");
  return op(grad_output, output);
}

at::Tensor leaky_relu_backward(const at::Tensor& grad_output, const at::Tensor& self,
                               double negative_slope, bool self_is_result) {
  static const Operator<at::Tensor(const at::Tensor&, const at::Tensor&, double, bool)> op(
      "leaky_relu_backward");
  return op(grad_output, self, negative_slope, self_is_result);
}

at::Tensor silu_backward(const at::Tensor& grad_output, const at::Tensor& self) {
  static const Operator<Backward> op("silu_backward");
  return op(grad_output, self);
}

at::Tensor gelu_backward(const at::Tensor& grad_output, const at::Tensor& self,
                         c10::string_view approximate) {
  static const Operator<at::Tensor(const at::Tensor&, const at::Tensor&, c10::string_view)> op(
      "gelu_backward");
  return op(grad_output, self, approximate);
}

}  // namespace activations
