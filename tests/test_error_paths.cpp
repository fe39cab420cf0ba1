// Nothing lost on bad input: every error path raises a c10::Error whose message names the
// operator and the problem, and leaves every input and out= tensor as it was.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

// Calls `call`, expecting a c10::Error mentioning `op` and `problem`, with every tensor in
// `watched` bit for bit unchanged afterwards.
void expect_refused(const std::function<void()>& call, const std::string& op,
                    const std::string& problem, const std::vector<torch::Tensor>& watched) {
  std::vector<torch::Tensor> before;
  for (const auto& t : watched) before.push_back(t.detach().clone());
  try {
    call();
    ADD_FAILURE() << op << " accepted a call it must refuse (" << problem << ")";
  } catch (const c10::Error& error) {
    const std::string message = error.what_without_backtrace();
    EXPECT_NE(message.find(op), std::string::npos) << "'" << op << "' not in: " << message;
    EXPECT_NE(message.find(problem), std::string::npos)
        << "'" << problem << "' not in: " << message;
  }
  for (size_t i = 0; i < watched.size(); ++i) {
    EXPECT_EQ(first_bit_difference(watched[i].detach(), before[i]), -1)
        << op << ": a refused call changed tensor " << i;
  }
}

const std::vector<std::string> kNames = {"sigmoid", "tanh", "relu", "leaky_relu", "silu", "gelu"};

// A name missing below fails the test instead of running another activation.
[[noreturn]] void unknown(const std::string& name) {
  throw std::invalid_argument("test_error_paths.cpp does not know " + name);
}

torch::Tensor forward(const std::string& name, const torch::Tensor& x, double slope = 0.2) {
  if (name == "sigmoid") return activations::sigmoid(x);
  if (name == "tanh") return activations::tanh(x);
  if (name == "relu") return activations::relu(x);
  if (name == "leaky_relu") return activations::leaky_relu(x, slope);
  if (name == "silu") return activations::silu(x);
  if (name == "gelu") return activations::gelu(x, "tanh");
  unknown(name);
}
void inplace(const std::string& name, torch::Tensor& x, double slope = 0.2) {
  if (name == "sigmoid") return (void)activations::sigmoid_(x);
  if (name == "tanh") return (void)activations::tanh_(x);
  if (name == "relu") return (void)activations::relu_(x);
  if (name == "leaky_relu") return (void)activations::leaky_relu_(x, slope);
  if (name == "silu") return (void)activations::silu_(x);
  if (name == "gelu") return (void)activations::gelu_(x, "tanh");
  unknown(name);
}
void out_variant(const std::string& name, const torch::Tensor& x, torch::Tensor& out,
                 double slope = 0.2) {
  if (name == "sigmoid") return (void)activations::sigmoid_out(x, out);
  if (name == "tanh") return (void)activations::tanh_out(x, out);
  if (name == "relu") return (void)activations::relu_out(x, out);
  if (name == "leaky_relu") return (void)activations::leaky_relu_out(x, slope, out);
  if (name == "silu") return (void)activations::silu_out(x, out);
  if (name == "gelu") return (void)activations::gelu_out(x, "tanh", out);
  unknown(name);
}
torch::Tensor backward(const std::string& name, const torch::Tensor& g, const torch::Tensor& s,
                       double slope = 0.2) {
  if (name == "sigmoid") return activations::sigmoid_backward(g, s);
  if (name == "tanh") return activations::tanh_backward(g, s);
  if (name == "relu") return activations::relu_backward(g, s);
  if (name == "leaky_relu") return activations::leaky_relu_backward(g, s, slope, false);
  if (name == "silu") return activations::silu_backward(g, s);
  if (name == "gelu") return activations::gelu_backward(g, s, "tanh");
  unknown(name);
}

TEST(ErrorPaths, WrongDtype) {
  const auto z = torch::randn({6}, torch::kComplexFloat);
  for (const auto& name : kNames) {
    auto target = z.clone();
    auto out = torch::zeros({6}, torch::kComplexFloat);
    expect_refused([&] { forward(name, z); }, "activations::" + name, "complex", {z});
    expect_refused([&] { inplace(name, target); }, "activations::" + name + "_", "complex",
                   {target});
    expect_refused([&] { out_variant(name, z, out); }, "activations::" + name + ".out", "complex",
                   {z, out});
    expect_refused([&] { backward(name, z, z); }, "activations::" + name + "_backward", "complex",
                   {z});
  }
  auto ints = torch::arange(6);
  expect_refused([&] { activations::leaky_relu(ints); }, "activations::leaky_relu", "Long", {ints});
  expect_refused([&] { activations::silu(ints); }, "activations::silu", "Long", {ints});
  expect_refused([&] { activations::gelu(ints); }, "activations::gelu", "Long", {ints});
  expect_refused([&] { activations::sigmoid_(ints); }, "activations::sigmoid_",
                 "can't be cast to the desired output type Long", {ints});
  auto flags = torch::tensor({true, false});
  expect_refused([&] { activations::relu_(flags); }, "activations::relu_", "Boolean", {flags});
}

TEST(ErrorPaths, DtypesOfNewerTorchesAreRefusedByName) {
  const auto dtypes = newer_torch_dtypes();
  if (dtypes.empty()) GTEST_SKIP() << "this torch has no such dtypes";
  for (const auto dtype : dtypes) {
    const std::string dtype_name = c10::toString(dtype);
    const auto x = torch::arange(6).to(dtype);
    const auto grad = torch::ones({6});
    for (const auto& name : kNames) {
      auto target = x.clone();
      auto out = torch::zeros({6}).to(dtype);
      expect_refused([&] { forward(name, x); }, "activations::" + name, dtype_name, {x});
      expect_refused([&] { inplace(name, target); }, "activations::" + name + "_", dtype_name,
                     {target});
      expect_refused([&] { out_variant(name, x, out); }, "activations::" + name + ".out",
                     dtype_name, {x, out});
      expect_refused([&] { backward(name, grad, x); }, "activations::" + name + "_backward",
                     dtype_name, {grad, x});
    }
  }
}

TEST(ErrorPaths, OverlappingInplaceTarget) {
  for (const auto& name : kNames) {
    auto base = torch::randn({1, 8});
    auto expanded = base.expand({3, 8});
    expect_refused([&] { inplace(name, expanded); }, "activations::" + name + "_",
                   "more than one element", {base});
    auto out_base = torch::randn({1, 8});
    auto out = out_base.expand({3, 8});
    const auto x = torch::randn({3, 8});
    expect_refused([&] { out_variant(name, x, out); }, "activations::" + name + ".out",
                   "more than one element", {out_base, x});
    auto shared = torch::randn({16});
    auto partial_out = shared.slice(0, 4, 12);
    expect_refused([&] { out_variant(name, shared.slice(0, 0, 8), partial_out); },
                   "activations::" + name + ".out", "some elements of the input tensor", {shared});
  }
}

// Found by the differential fuzzer: under autograd, in place on an overlapping view took the
// out-of-place route and failed in copy_, with torch's message instead of ours.
TEST(ErrorPaths, OverlappingInplaceTargetUnderAutograd) {
  for (const auto& name : kNames) {
    auto leaf = torch::randn({1, 8}, torch::kDouble).requires_grad_(true);
    auto base = leaf * 1.0;
    auto expanded = base.expand({3, 8});
    expect_refused([&] { inplace(name, expanded); }, "activations::" + name + "_",
                   "more than one element", {base, leaf});
  }
}

TEST(ErrorPaths, LeafInplace) {
  for (const auto& name : kNames) {
    auto leaf = torch::randn({5}).requires_grad_(true);
    expect_refused([&] { inplace(name, leaf); }, "activations::" + name + "_",
                   "a leaf Variable that requires grad", {leaf});
    auto view = leaf.slice(0, 1, 4);
    expect_refused([&] { inplace(name, view); }, "activations::" + name + "_",
                   "a view of a leaf Variable", {leaf});
  }
}

TEST(ErrorPaths, NegativeSlopeInplaceUnderAutograd) {
  auto leaf = torch::randn({5}, torch::kDouble).requires_grad_(true);
  auto nonleaf = leaf * 2;
  expect_refused([&] { activations::leaky_relu_(nonleaf, -0.1); }, "activations::leaky_relu_",
                 "negative slope", {nonleaf, leaf});
}

TEST(ErrorPaths, OutOfWrongDtypeIsRefusedAsTorchRefuses) {
  const auto x = torch::randn({4});
  for (const auto& name :
       {std::string("relu"), std::string("leaky_relu"), std::string("silu"), std::string("gelu")}) {
    auto out = torch::full({4}, 7.0, torch::kDouble);
    expect_refused([&] { out_variant(name, x, out); }, "activations::" + name + ".out",
                   "expected out to have dtype Float", {x, out});
  }
  for (const auto& name : {std::string("sigmoid"), std::string("tanh")}) {
    auto out = torch::full({4}, 7, torch::kLong);
    expect_refused([&] { out_variant(name, x, out); }, "activations::" + name + ".out",
                   "can't be cast to the desired output type Long", {x, out});
  }
}

TEST(ErrorPaths, OutOfWrongShapeIsResizedAsTorchResizes) {
  const auto x = torch::randn({5, 3}).t();
  for (const auto& name : kNames) {
    auto ours = torch::full({4}, 7.0);
    auto theirs = torch::full({4}, 7.0);
    out_variant(name, x, ours);
    at::sigmoid_out(theirs, x);
    EXPECT_EQ(ours.sizes(), theirs.sizes()) << name;
    EXPECT_EQ(ours.strides(), theirs.strides()) << name;
  }
}

TEST(ErrorPaths, OutThatWouldRecordGradients) {
  const auto x = torch::randn({4}).requires_grad_(true);
  for (const auto& name : kNames) {
    auto out = torch::zeros({4});
    expect_refused([&] { out_variant(name, x, out); }, "activations::" + name + ".out",
                   "don't support automatic differentiation", {x, out});
  }
}

TEST(ErrorPaths, UndefinedTensor) {
  const torch::Tensor undefined;
  const auto x = torch::randn({3});
  for (const auto& name : kNames) {
    expect_refused([&] { forward(name, undefined); }, "activations::" + name, "undefined", {});
    torch::Tensor target;
    expect_refused([&] { inplace(name, target); }, "activations::" + name + "_", "undefined", {});
    auto out = torch::zeros({3});
    expect_refused([&] { out_variant(name, undefined, out); }, "activations::" + name + ".out",
                   "undefined", {out});
    torch::Tensor no_out;
    expect_refused([&] { out_variant(name, x, no_out); }, "activations::" + name + ".out",
                   "undefined", {x});
    expect_refused([&] { backward(name, x, undefined); }, "activations::" + name + "_backward",
                   "undefined", {x});
  }
}

TEST(ErrorPaths, NonFiniteSlope) {
  const auto x = torch::randn({4});
  for (const double slope : {INFINITY, -INFINITY, NAN}) {
    auto target = x.clone();
    auto out = torch::zeros({4});
    expect_refused([&] { activations::leaky_relu(x, slope); }, "activations::leaky_relu",
                   "negative_slope must be finite", {x});
    expect_refused([&] { activations::leaky_relu_(target, slope); }, "activations::leaky_relu_",
                   "negative_slope must be finite", {target});
    expect_refused([&] { activations::leaky_relu_out(x, slope, out); },
                   "activations::leaky_relu.out", "negative_slope must be finite", {x, out});
    expect_refused([&] { activations::leaky_relu_backward(x, x, slope, false); },
                   "activations::leaky_relu_backward", "negative_slope must be finite", {x});
    MyLeakyReLU module(0.2);
    module->options.negative_slope(slope);
    expect_refused([&] { module->reset(); }, "activations::MyLeakyReLU",
                   "negative_slope must be finite", {});
  }
}

}  // namespace
}  // namespace activations::testing
