// Autograd: gradients and second derivatives against torch's, in-place rules, out= refusal, and
// forward-mode AD.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/forward_grad.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

struct GradCase {
  std::string name;  // the operator's name, then a space and the variant where there are several
  std::function<torch::Tensor(const torch::Tensor&)> ours;
  std::function<torch::Tensor(const torch::Tensor&)> theirs;
  std::function<void(torch::Tensor&)> ours_;
  bool bit_identical;

  std::string operator_name() const { return name.substr(0, name.find(' ')); }
};

std::vector<GradCase> grad_cases(double slope) {
  return {
      {"sigmoid", [](const torch::Tensor& x) { return activations::sigmoid(x); },
       [](const torch::Tensor& x) { return torch::sigmoid(x); },
       [](torch::Tensor& x) { activations::sigmoid_(x); }, false},
      {"tanh", [](const torch::Tensor& x) { return activations::tanh(x); },
       [](const torch::Tensor& x) { return torch::tanh(x); },
       [](torch::Tensor& x) { activations::tanh_(x); }, false},
      {"relu", [](const torch::Tensor& x) { return activations::relu(x); },
       [](const torch::Tensor& x) { return torch_relu(x); },
       [](torch::Tensor& x) { activations::relu_(x); }, true},
      {"leaky_relu", [=](const torch::Tensor& x) { return activations::leaky_relu(x, slope); },
       [=](const torch::Tensor& x) { return torch::leaky_relu(x, slope); },
       [=](torch::Tensor& x) { activations::leaky_relu_(x, slope); }, true},
      {"silu", [](const torch::Tensor& x) { return activations::silu(x); },
       [](const torch::Tensor& x) { return torch::silu(x); },
       [](torch::Tensor& x) { activations::silu_(x); }, false},
      {"gelu", [](const torch::Tensor& x) { return activations::gelu(x); },
       [](const torch::Tensor& x) { return torch::gelu(x); },
       [](torch::Tensor& x) { activations::gelu_(x); }, false},
      {"gelu tanh", [](const torch::Tensor& x) { return activations::gelu(x, "tanh"); },
       [](const torch::Tensor& x) { return torch::gelu(x, "tanh"); },
       [](torch::Tensor& x) { activations::gelu_(x, "tanh"); }, false},
  };
}

// f'(x) and f''(x), from torch's f differentiated twice by autograd (torch 1.13's silu_backward
// has no derivative of its own).
std::pair<torch::Tensor, torch::Tensor> torch_derivatives(
    const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& x) {
  auto input = x.detach().clone().requires_grad_(true);
  const auto first = torch::autograd::grad({f(input).sum()}, {input}, {}, true, true)[0];
  const auto second = torch::autograd::grad({first.sum()}, {input})[0];
  return {first.detach(), second};
}
torch::Tensor torch_silu(const torch::Tensor& x) {
  return torch::silu(x);
}
torch::Tensor torch_gelu_tanh(const torch::Tensor& x) {
  return torch::gelu(x, "tanh");
}

// d/dx of sum(w * f(x)) for random weights w, and optionally the gradient of that gradient.
torch::Tensor gradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                       const torch::Tensor& x, const torch::Tensor& w, bool second = false) {
  auto input = x.detach().clone().requires_grad_(true);
  auto grad = torch::autograd::grad({(f(input) * w).sum()}, {input}, {}, true, second)[0];
  if (!second) return grad;
  return torch::autograd::grad({(grad * w).sum()}, {input})[0];
}

TEST(Autograd, GradientsEqualTorchs) {
  torch::manual_seed(20);
  for (const double slope : {0.2, -0.5}) {
    for (const auto& op : grad_cases(slope)) {
      for (const auto dtype : {torch::kFloat, torch::kDouble}) {
        const auto x = (torch::randn({500}) * 4).to(dtype);
        const auto w = torch::randn({500}).to(dtype);
        const auto ours = gradient(op.ours, x, w);
        const auto theirs = gradient(op.theirs, x, w);
        if (op.bit_identical) {
          EXPECT_EQ(first_bit_difference(ours, theirs), -1) << op.name << " " << dtype;
        } else {
          // Our forward values are the more accurate, so the gradients agree to a few ULP (torch's
          // float backward of GELU's tanh form to some ten: 1.0 for 1.00000103 at x = 5.06).
          const double float_tolerance = op.name == "gelu tanh" ? 1e-5 : 1e-6;
          const double tolerance = dtype == torch::kFloat ? float_tolerance : 1e-14;
          EXPECT_TRUE(torch::allclose(ours, theirs, tolerance, tolerance)) << op.name << dtype;
        }
      }
    }
  }
}

TEST(Autograd, SecondDerivativesEqualTorchs) {
  torch::manual_seed(21);
  for (const auto& op : grad_cases(0.2)) {
    const auto x = (torch::randn({300}) * 3).to(torch::kDouble);
    const auto w = torch::randn({300}).to(torch::kDouble);
    const auto ours = gradient(op.ours, x, w, true);
    const auto theirs = gradient(op.theirs, x, w, true);
    EXPECT_TRUE(torch::allclose(ours, theirs, 1e-12, 1e-12)) << op.name;
  }
}

// The backward operators are differentiable in both of their tensors.
TEST(Autograd, BackwardOperatorsHaveGradientsInBothArguments) {
  torch::manual_seed(22);
  const auto g = torch::randn({50}, torch::kDouble).requires_grad_(true);
  const auto y = torch::rand({50}, torch::kDouble).requires_grad_(true);
  const auto ours = torch::autograd::grad({activations::sigmoid_backward(g, y).sum()}, {g, y});
  const auto theirs = torch::autograd::grad({torch::sigmoid_backward(g, y).sum()}, {g, y});
  EXPECT_TRUE(torch::allclose(ours[0], theirs[0]));
  EXPECT_TRUE(torch::allclose(ours[1], theirs[1]));
  const auto ours_tanh = torch::autograd::grad({activations::tanh_backward(g, y).sum()}, {g, y});
  const auto theirs_tanh = torch::autograd::grad({torch::tanh_backward(g, y).sum()}, {g, y});
  EXPECT_TRUE(torch::allclose(ours_tanh[0], theirs_tanh[0]));
  EXPECT_TRUE(torch::allclose(ours_tanh[1], theirs_tanh[1]));
  // torch 1.13's silu_backward has no derivative: the expected ones come from differentiating
  // torch's silu twice.
  const auto x = (torch::randn({50}, torch::kDouble) * 4).requires_grad_(true);
  const auto ours_silu = torch::autograd::grad({activations::silu_backward(g, x).sum()}, {g, x});
  const auto [first, second] = torch_derivatives(torch_silu, x.detach());
  EXPECT_TRUE(torch::allclose(ours_silu[0], first));
  EXPECT_TRUE(torch::allclose(ours_silu[1], g.detach() * second));
  for (const char* approximate : {"none", "tanh"}) {
    const auto ours_gelu =
        torch::autograd::grad({activations::gelu_backward(g, x, approximate).sum()}, {g, x});
    const auto [gelu_first, gelu_second] = torch_derivatives(
        [approximate](const torch::Tensor& t) { return torch::gelu(t, approximate); }, x.detach());
    EXPECT_TRUE(torch::allclose(ours_gelu[0], gelu_first)) << approximate;
    EXPECT_TRUE(torch::allclose(ours_gelu[1], g.detach() * gelu_second)) << approximate;
  }
}

TEST(Autograd, InplaceGradientsEqualOutOfPlaceOnes) {
  torch::manual_seed(23);
  for (const auto& op : grad_cases(0.2)) {
    const auto x = torch::randn({200}, torch::kDouble) * 3;
    const auto w = torch::randn({200}, torch::kDouble);
    const auto inplace = [&](const torch::Tensor& input) {
      auto copy = input * 1.0;  // a non-leaf that may be overwritten
      op.ours_(copy);
      return copy;
    };
    EXPECT_EQ(first_bit_difference(gradient(inplace, x, w), gradient(op.ours, x, w)), -1)
        << op.name;
    // In place on a view of a non-leaf: the gradient flows through the view.
    const auto on_view = [&](const torch::Tensor& input) {
      auto copy = input * 1.0;
      auto view = copy.slice(0, 10, 100);
      op.ours_(view);
      return copy;
    };
    const auto expected = [&](const torch::Tensor& input) {
      return torch::cat(
          {input.slice(0, 0, 10), op.ours(input.slice(0, 10, 100)), input.slice(0, 100)});
    };
    EXPECT_TRUE(torch::allclose(gradient(on_view, x, w), gradient(expected, x, w))) << op.name;
  }
}

TEST(Autograd, InplaceOnALeafThatRequiresGradIsRefusedAndChangesNothing) {
  for (const auto& op : grad_cases(0.2)) {
    auto leaf = torch::randn({5}).requires_grad_(true);
    const auto before = leaf.detach().clone();
    try {
      op.ours_(leaf);
      ADD_FAILURE() << op.name;
    } catch (const c10::Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("activations::" + op.operator_name() + "_"), std::string::npos)
          << message;
      EXPECT_NE(message.find("leaf Variable"), std::string::npos) << message;
    }
    EXPECT_TRUE(torch::equal(leaf.detach(), before)) << op.name;
    auto view = leaf.slice(0, 1, 3);
    EXPECT_THROW(op.ours_(view), c10::Error) << op.name;
    EXPECT_TRUE(torch::equal(leaf.detach(), before)) << op.name;
    // Without grad mode it is allowed, as in torch.
    torch::NoGradGuard no_grad;
    op.ours_(leaf);
    EXPECT_TRUE(torch::equal(leaf.detach(), op.ours(before))) << op.name;
  }
}

TEST(Autograd, InplaceBumpsTheVersionSoLaterMisuseIsCaught) {
  for (const auto& op : grad_cases(0.2)) {
    auto x = torch::randn({5}, torch::kDouble).requires_grad_(true);
    auto y = torch::exp(x);  // exp saves its result for backward
    const auto version = y._version();
    op.ours_(y);
    EXPECT_GT(y._version(), version) << op.name;
    EXPECT_THROW(torch::autograd::grad({y.sum()}, {x}), c10::Error) << op.name;
    // Also without autograd recording.
    auto plain = torch::randn({5});
    const auto plain_version = plain._version();
    {
      torch::NoGradGuard no_grad;
      op.ours_(plain);
    }
    EXPECT_GT(plain._version(), plain_version) << op.name;
    {
      c10::InferenceMode inference;
      op.ours_(plain);
    }
    EXPECT_GT(plain._version(), plain_version + 1) << op.name;
  }
}

// silu_'s and gelu_'s backward need the input, which the call overwrites: they keep a copy,
// recorded in the graph, so that first and second derivatives through it are the out-of-place
// ones.
TEST(Autograd, InplaceSiluAndGeluKeepTheirInputForFirstAndSecondDerivatives) {
  torch::manual_seed(23);
  const auto x = (torch::randn({200}, torch::kDouble) * 4).requires_grad_(true);
  const auto w = torch::randn({200}, torch::kDouble);
  for (const auto& op : grad_cases(0.2)) {
    if (op.name != "silu" && op.operator_name() != "gelu") continue;
    auto y = x * 1.0;
    op.ours_(y);
    const auto grad = torch::autograd::grad({(y * w).sum()}, {x}, {}, true, true)[0];
    const auto second = torch::autograd::grad({(grad * w).sum()}, {x})[0];
    EXPECT_TRUE(torch::allclose(grad, gradient(op.theirs, x, w), 1e-14, 1e-14)) << op.name;
    EXPECT_TRUE(torch::allclose(second, gradient(op.theirs, x, w, true), 1e-12, 1e-12)) << op.name;
  }
}

// torch accepts leaky_relu_ with a negative slope under autograd and fails only in backward,
// when the input is already overwritten; we refuse before writing.
TEST(Autograd, InplaceLeakyReluWithNegativeSlopeUnderAutogradIsRefusedUpFront) {
  auto x = torch::randn({6}, torch::kDouble).requires_grad_(true);
  auto y = x * 1.0;
  const auto before = y.detach().clone();
  try {
    activations::leaky_relu_(y, -0.5);
    ADD_FAILURE();
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("activations::leaky_relu_"), std::string::npos);
  }
  EXPECT_TRUE(torch::equal(y.detach(), before));
  torch::NoGradGuard no_grad;
  activations::leaky_relu_(y, -0.5);
  EXPECT_TRUE(torch::equal(y, torch::leaky_relu(before, -0.5)));
}

TEST(Autograd, OutVariantsRefuseToRecordGradients) {
  const auto x = torch::randn({4}).requires_grad_(true);
  auto out = torch::zeros({4});
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { activations::sigmoid_out(x, out); }, [&] { activations::tanh_out(x, out); },
           [&] { activations::relu_out(x, out); },
           [&] { activations::leaky_relu_out(x, 0.2, out); },
           [&] { activations::silu_out(x, out); },
           [&] { activations::gelu_out(x, "tanh", out); }}) {
    try {
      call();
      ADD_FAILURE();
    } catch (const c10::Error& error) {
      EXPECT_NE(std::string(error.what()).find("out=... arguments don't support"),
                std::string::npos);
    }
    EXPECT_TRUE(torch::equal(out, torch::zeros({4})));
  }
  torch::NoGradGuard no_grad;
  activations::sigmoid_out(x, out);
  EXPECT_TRUE(torch::equal(out, activations::sigmoid(x)));
}

}  // namespace
}  // namespace activations::testing

namespace activations::testing {
namespace {

// Found by LeakSanitizer: saving the in-place output on a view made a reference cycle through
// autograd's CopySlices, and the whole graph (with its tensors) was never freed.
TEST(Autograd, InplaceOnAViewLeavesNoReferenceCycle) {
  for (const auto& op : grad_cases(0.2)) {
    c10::weak_intrusive_ptr<c10::StorageImpl> storage(
        c10::intrusive_ptr<c10::StorageImpl>::reclaim(nullptr));
    {
      auto leaf = torch::randn({10}, torch::kDouble).requires_grad_(true);
      auto base = leaf * 1.0;
      auto view = base.slice(0, 2, 6);
      op.ours_(view);
      storage = base.storage().getWeakStorageImpl();
      // retain_graph keeps the saved tensors, so a cycle through them would keep them forever
      const auto grad = torch::autograd::grad({base.sum()}, {leaf}, {}, /*retain_graph=*/true);
      EXPECT_TRUE(grad[0].defined()) << op.name;
    }
    EXPECT_TRUE(storage.expired()) << op.name << ": the graph still holds the base's memory";
  }
}

}  // namespace
}  // namespace activations::testing

// Forward-mode AD through LibTorch's API (a dual level, at::_make_dual, _fw_grad): every
// operator and variant gives torch's tangent, in place updates the tangent, the backward
// operators carry tangents in both arguments, and out= refuses by name instead of dropping one.
namespace activations::testing {
namespace {

struct DualLevel {
  uint64_t level = torch::autograd::ForwardADLevel::get_next_idx();
  ~DualLevel() { torch::autograd::ForwardADLevel::release_idx(level); }
};

torch::Tensor away_from_kinks(int64_t n, uint64_t seed) {
  torch::manual_seed(seed);
  const auto x = torch::randn({n}, torch::kDouble);
  return x + 0.2 * torch::sign(x);
}

TEST(ForwardAD, TangentsEqualTorchsForEveryVariant) {
  const auto x = away_from_kinks(9, 1);
  const auto t = away_from_kinks(9, 2);
  for (const auto& op : grad_cases(0.2)) {
    const DualLevel dual_level;
    const auto ours = op.ours(at::_make_dual(x, t, 0))._fw_grad(0);
    const auto theirs = op.theirs(at::_make_dual(x, t, 0))._fw_grad(0);
    ASSERT_TRUE(ours.defined()) << op.name;
    EXPECT_TRUE(torch::allclose(ours, theirs)) << op.name;
    auto inplace = at::_make_dual(x.clone(), t.clone(), 0);
    op.ours_(inplace);
    EXPECT_TRUE(torch::allclose(inplace._fw_grad(0), theirs)) << op.name << "_";
    auto out = torch::empty_like(x);
    try {
      if (op.name == "sigmoid") activations::sigmoid_out(at::_make_dual(x, t, 0), out);
      if (op.name == "tanh") activations::tanh_out(at::_make_dual(x, t, 0), out);
      if (op.name == "relu") activations::relu_out(at::_make_dual(x, t, 0), out);
      if (op.name == "leaky_relu") activations::leaky_relu_out(at::_make_dual(x, t, 0), 0.2, out);
      if (op.name == "silu") activations::silu_out(at::_make_dual(x, t, 0), out);
      if (op.name == "gelu") activations::gelu_out(at::_make_dual(x, t, 0), "none", out);
      if (op.name == "gelu tanh") activations::gelu_out(at::_make_dual(x, t, 0), "tanh", out);
      ADD_FAILURE() << op.name << ".out took a tangent";
    } catch (const c10::Error& error) {
      EXPECT_NE(std::string(error.what())
                    .find("activations::" + op.operator_name() + ".out: forward-mode AD"),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(ForwardAD, BackwardOperatorsCarryTangentsInBothArguments) {
  const auto g = away_from_kinks(8, 3);
  const auto y = torch::rand({8}, torch::kDouble) * 0.9 + 0.05;
  const auto gt = away_from_kinks(8, 4);
  const auto yt = away_from_kinks(8, 5);
  const DualLevel dual_level;
  const auto ours =
      activations::sigmoid_backward(at::_make_dual(g, gt, 0), at::_make_dual(y, yt, 0))._fw_grad(0);
  const auto theirs =
      torch::sigmoid_backward(at::_make_dual(g, gt, 0), at::_make_dual(y, yt, 0))._fw_grad(0);
  EXPECT_TRUE(torch::allclose(ours, theirs));
  const auto ours_tanh =
      activations::tanh_backward(at::_make_dual(g, gt, 0), at::_make_dual(y, yt, 0))._fw_grad(0);
  const auto theirs_tanh =
      torch::tanh_backward(at::_make_dual(g, gt, 0), at::_make_dual(y, yt, 0))._fw_grad(0);
  EXPECT_TRUE(torch::allclose(ours_tanh, theirs_tanh));
  const auto x = y * 8 - 4;  // silu's backward takes the input
  const auto ours_silu =
      activations::silu_backward(at::_make_dual(g, gt, 0), at::_make_dual(x, yt, 0))._fw_grad(0);
  const auto [first, second] = torch_derivatives(torch_silu, x);
  EXPECT_TRUE(torch::allclose(ours_silu, gt * first + g * second * yt));
  const auto ours_gelu =
      activations::gelu_backward(at::_make_dual(g, gt, 0), at::_make_dual(x, yt, 0), "tanh")
          ._fw_grad(0);
  const auto [gelu_first, gelu_second] = torch_derivatives(torch_gelu_tanh, x);
  EXPECT_TRUE(torch::allclose(ours_gelu, gt * gelu_first + g * gelu_second * yt));
}

}  // namespace
}  // namespace activations::testing
