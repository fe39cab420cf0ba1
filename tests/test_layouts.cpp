// Tensors of any shape and strides: output layout as torch's, values independent of layout,
// inputs untouched, in-place and out= semantics, thread-count independence.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

// One activation seen through all its variants, beside torch's counterpart.
struct OpCase {
  std::string name;  // the operator's name, then a space and the variant where there are several
  std::function<torch::Tensor(const torch::Tensor&)> ours;
  std::function<torch::Tensor(const torch::Tensor&)> theirs;
  std::function<torch::Tensor&(torch::Tensor&)> ours_;
  std::function<torch::Tensor&(torch::Tensor&)> theirs_;
  std::function<torch::Tensor&(const torch::Tensor&, torch::Tensor&)> ours_out;
  std::function<torch::Tensor&(const torch::Tensor&, torch::Tensor&)> theirs_out;
  bool bit_identical_to_torch;

  std::string operator_name() const { return name.substr(0, name.find(' ')); }
};

std::vector<OpCase> op_cases() {
  return {
      {"sigmoid", [](const torch::Tensor& x) { return activations::sigmoid(x); },
       [](const torch::Tensor& x) { return torch::sigmoid(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::sigmoid_(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::sigmoid_(x); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::sigmoid_out(x, o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::sigmoid_out(o, x);
       },
       false},
      {"tanh", [](const torch::Tensor& x) { return activations::tanh(x); },
       [](const torch::Tensor& x) { return torch::tanh(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::tanh_(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::tanh_(x); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::tanh_out(x, o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::tanh_out(o, x);
       },
       false},
      {"relu", [](const torch::Tensor& x) { return activations::relu(x); },
       [](const torch::Tensor& x) { return torch_relu(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::relu_(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch_relu_(x); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::relu_out(x, o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch_clamp_min_out(o, x);
       },
       true},
      {"leaky_relu", [](const torch::Tensor& x) { return activations::leaky_relu(x, 0.3); },
       [](const torch::Tensor& x) { return torch::leaky_relu(x, 0.3); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::leaky_relu_(x, 0.3); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::leaky_relu_(x, 0.3); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::leaky_relu_out(x, 0.3, o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::leaky_relu_out(o, x, 0.3);
       },
       true},
      {"silu", [](const torch::Tensor& x) { return activations::silu(x); },
       [](const torch::Tensor& x) { return torch::silu(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::silu_(x); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::silu_(x); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::silu_out(x, o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::silu_out(o, x);
       },
       false},
      {"gelu", [](const torch::Tensor& x) { return activations::gelu(x, "none"); },
       [](const torch::Tensor& x) { return torch::gelu(x, "none"); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::gelu_(x, "none"); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::gelu_(x, "none"); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::gelu_out(x, "none", o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::gelu_out(o, x, "none");
       },
       false},
      {"gelu tanh", [](const torch::Tensor& x) { return activations::gelu(x, "tanh"); },
       [](const torch::Tensor& x) { return torch::gelu(x, "tanh"); },
       [](torch::Tensor& x) -> torch::Tensor& { return activations::gelu_(x, "tanh"); },
       [](torch::Tensor& x) -> torch::Tensor& { return torch::gelu_(x, "tanh"); },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return activations::gelu_out(x, "tanh", o);
       },
       [](const torch::Tensor& x, torch::Tensor& o) -> torch::Tensor& {
         return torch::gelu_out(o, x, "tanh");
       },
       false},
  };
}

TEST(Layouts, OutputSizesStridesAndDtypeMatchTorch) {
  torch::manual_seed(10);
  for (const auto& op : op_cases()) {
    for (const auto& layout : layouts()) {
      const auto x = layout.make(torch::kFloat);
      const auto ours = op.ours(x);
      const auto theirs = op.theirs(x);
      EXPECT_EQ(ours.sizes(), theirs.sizes()) << op.name << " " << layout.name;
      EXPECT_EQ(ours.strides(), theirs.strides()) << op.name << " " << layout.name;
      EXPECT_EQ(ours.scalar_type(), theirs.scalar_type()) << op.name << " " << layout.name;
      if (op.bit_identical_to_torch) {
        EXPECT_EQ(first_bit_difference(ours, theirs), -1) << op.name << " " << layout.name;
      }
    }
  }
}

TEST(Layouts, ValuesDoNotDependOnLayout) {
  torch::manual_seed(11);
  for (const auto& op : op_cases()) {
    for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16, torch::kHalf}) {
      for (const auto& layout : layouts()) {
        const auto x = layout.make(dtype);
        EXPECT_EQ(first_bit_difference(op.ours(x), op.ours(x.contiguous())), -1)
            << op.name << " " << dtype << " " << layout.name;
      }
    }
  }
}

TEST(Layouts, OutOfPlaceCallsLeaveTheirInputAlone) {
  torch::manual_seed(12);
  for (const auto& op : op_cases()) {
    for (const auto& layout : layouts()) {
      const auto x = layout.make(torch::kFloat);
      const auto before = x.clone();
      op.ours(x);
      EXPECT_EQ(first_bit_difference(x, before), -1) << op.name << " " << layout.name;
    }
  }
}

// In place on a view writes exactly the view's elements, with the out-of-place values.
TEST(Layouts, InplaceOnViewsWritesOnlyTheView) {
  torch::manual_seed(13);
  for (const auto& op : op_cases()) {
    for (const auto& layout : layouts()) {
      const auto shape = layout.make(torch::kFloat);
      if (at::has_internal_overlap(shape) == at::MemOverlap::Yes) continue;
      const int64_t offset = 3;
      int64_t extent = offset + 1;
      for (int64_t d = 0; d < shape.dim(); ++d) extent += (shape.size(d) - 1) * shape.stride(d);
      auto base = torch::randn({extent + 5});
      auto view = base.as_strided(shape.sizes(), shape.strides(), offset);
      auto expected_base = base.clone();
      expected_base.as_strided(shape.sizes(), shape.strides(), offset).copy_(op.ours(view));
      auto& result = op.ours_(view);
      EXPECT_TRUE(result.is_same(view)) << op.name << " " << layout.name;
      EXPECT_EQ(first_bit_difference(base, expected_base), -1) << op.name << " " << layout.name;
    }
  }
}

TEST(Layouts, InplaceOnOverlappingElementsRaisesAndChangesNothing) {
  for (const auto& op : op_cases()) {
    auto base = torch::randn({1, 5});
    auto expanded = base.expand({4, 5});
    const auto before = base.clone();
    try {
      op.ours_(expanded);
      ADD_FAILURE() << op.name << " accepted an overlapping in-place target";
    } catch (const c10::Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("activations::" + op.operator_name() + "_"), std::string::npos)
          << message;
      EXPECT_NE(message.find("more than one element"), std::string::npos) << message;
    }
    EXPECT_EQ(first_bit_difference(base, before), -1) << op.name;
    EXPECT_THROW(op.theirs_(expanded), c10::Error) << op.name << ": torch raises there too";
  }
}

TEST(Out, KeepsTheStridesOfAnOutOfTheRightShape) {
  torch::manual_seed(14);
  for (const auto& op : op_cases()) {
    const auto x = torch::randn({4, 6});
    auto out = torch::empty({6, 4}).t();
    auto& result = op.ours_out(x, out);
    EXPECT_TRUE(result.is_same(out));
    EXPECT_EQ(out.strides(), c10::IntArrayRef({1, 4})) << op.name;
    EXPECT_EQ(first_bit_difference(out, op.ours(x)), -1) << op.name;
  }
}

TEST(Out, ResizesAWrongSizedOutAsTorchDoes) {
  torch::manual_seed(15);
  for (const auto& op : op_cases()) {
    for (const auto& layout : layouts()) {
      const auto x = layout.make(torch::kFloat);
      for (const int64_t held : {0, 7}) {
        auto ours = torch::empty({held});
        auto theirs = torch::empty({held});
        op.ours_out(x, ours);
        op.theirs_out(x, theirs);
        EXPECT_EQ(ours.sizes(), theirs.sizes()) << op.name << " " << layout.name;
        EXPECT_EQ(ours.strides(), theirs.strides()) << op.name << " " << layout.name;
        EXPECT_EQ(first_bit_difference(ours, op.ours(x)), -1) << op.name << " " << layout.name;
      }
    }
  }
}

// torch casts sigmoid/tanh results into a wider out= and refuses a narrower kind; relu
// (clamp_min) and leaky_relu want out= of the input's dtype. Ours follow each rule.
TEST(Out, DtypeRulesFollowTorch) {
  torch::manual_seed(16);
  const auto x = torch::randn({3, 4});
  for (const auto& op : op_cases()) {
    for (const auto dtype : {torch::kDouble, torch::kHalf, torch::kLong}) {
      auto ours = torch::full({3, 4}, 7.0).to(dtype);
      auto theirs = torch::full({3, 4}, 7.0).to(dtype);
      const auto before = ours.clone();
      bool torch_accepts = true;
      try {
        op.theirs_out(x, theirs);
      } catch (const c10::Error&) {
        torch_accepts = false;
      }
      if (torch_accepts) {
        op.ours_out(x, ours);
        EXPECT_EQ(first_bit_difference(ours, op.ours(x).to(dtype)), -1) << op.name << dtype;
      } else {
        EXPECT_THROW(op.ours_out(x, ours), c10::Error) << op.name << " " << dtype;
        EXPECT_EQ(first_bit_difference(ours, before), -1) << op.name << " " << dtype;
      }
    }
  }
}

TEST(Out, RefusesPartialOverlapAndAcceptsTheInputItself) {
  for (const auto& op : op_cases()) {
    auto base = torch::randn({10});
    const auto before = base.clone();
    auto out = base.slice(0, 2, 7);
    try {
      op.ours_out(base.slice(0, 0, 5), out);
      ADD_FAILURE() << op.name << " accepted a partially overlapping out=";
    } catch (const c10::Error& error) {
      EXPECT_NE(std::string(error.what()).find("activations::" + op.operator_name() + ".out"),
                std::string::npos);
    }
    EXPECT_EQ(first_bit_difference(base, before), -1) << op.name;
    auto same = base.clone();
    op.ours_out(same, same);
    EXPECT_EQ(first_bit_difference(same, op.ours(base)), -1) << op.name;
  }
}

TEST(Threads, ResultsAreBitIdenticalForAnyThreadCount) {
  torch::manual_seed(17);
  const auto dense = mixed_values(1 << 20);
  const auto strided = torch::randn({1100, 1300}).t().slice(0, 0, 1300, 2);
  const int threads_before = torch::get_num_threads();
  for (const auto& op : op_cases()) {
    for (const auto& x : {dense, strided}) {
      torch::set_num_threads(1);
      const auto one = op.ours(x);
      torch::set_num_threads(2);
      const auto two = op.ours(x);
      torch::set_num_threads(3);
      const auto three = op.ours(x);
      EXPECT_EQ(first_bit_difference(one, two), -1) << op.name;
      EXPECT_EQ(first_bit_difference(one, three), -1) << op.name;
    }
  }
  torch::set_num_threads(threads_before);
}

}  // namespace
}  // namespace activations::testing

namespace activations::testing {
namespace {

// Outputs of 16 MiB and more are written with non-temporal stores after an aligning head; the
// out= target here starts 4 bytes past a 64-byte boundary, and two threads split the range.
TEST(Streaming, LargeOutputsAreExactAtAnyAlignment) {
  torch::manual_seed(18);
  const int64_t n = (int64_t{5} << 20) + 7;
  const auto x = mixed_values(n - 44);
  const auto g = torch::randn({n});
  auto storage = torch::empty({n + 1});
  auto out = storage.slice(0, 1);
  const int threads_before = torch::get_num_threads();
  for (const int threads : {1, 2}) {
    torch::set_num_threads(threads);
    activations::relu_out(x, out);
    EXPECT_EQ(first_bit_difference(out, torch_relu(x)), -1);
    activations::leaky_relu_out(x, 0.1, out);
    EXPECT_EQ(first_bit_difference(out, torch::leaky_relu(x, 0.1)), -1);
    EXPECT_EQ(
        first_bit_difference(activations::relu_backward(g, x), torch::threshold_backward(g, x, 0)),
        -1);
  }
  torch::set_num_threads(threads_before);
}

}  // namespace
}  // namespace activations::testing

namespace activations::testing {
namespace {

// Sigmoid, tanh, SiLU and GELU forward over a megabyte or more prefetch their operands ahead; the
// same elements taken 4096 at a time (32 KiB, no prefetching) must give the same bits, for every
// dtype, at 1 and 2 threads, into an out= that starts one element past a vector boundary.
TEST(Prefetching, LargeCallsMatchSmallOnes) {
  torch::manual_seed(21);
  const int64_t n = (int64_t{1} << 19) + 13;
  constexpr int64_t kSmall = 4096;
  const int threads_before = torch::get_num_threads();
  for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kBFloat16}) {
    const auto x = mixed_values(n - special_values().numel(), dtype);
    for (const auto& op : op_cases()) {
      if (op.name == "relu" || op.name == "leaky_relu") continue;
      torch::set_num_threads(1);
      auto expected = torch::empty_like(x);
      for (int64_t begin = 0; begin < n; begin += kSmall) {
        auto piece = expected.slice(0, begin, std::min(n, begin + kSmall));
        op.ours_out(x.slice(0, begin, std::min(n, begin + kSmall)), piece);
      }
      auto storage = torch::empty({n + 1}, x.options());
      auto out = storage.slice(0, 1);
      for (const int threads : {1, 2}) {
        torch::set_num_threads(threads);
        op.ours_out(x, out);
        EXPECT_EQ(first_bit_difference(out, expected), -1) << op.name << " " << dtype;
        EXPECT_EQ(first_bit_difference(op.ours(x), expected), -1) << op.name << " " << dtype;
      }
    }
  }
  torch::set_num_threads(threads_before);
}

// Found by the differential fuzzer: the gradient's layout follows TensorIterator's operand
// order, which ATen's threshold_backward and leaky_relu_backward start with the saved tensor
// and sigmoid_backward, tanh_backward, silu_backward and gelu_backward with grad_output.
TEST(Layouts, BackwardOutputStridesFollowAtenForMixedLayouts) {
  torch::manual_seed(19);
  const auto grad = torch::randn({2, 3, 4, 5});
  const auto grad_t = torch::randn({5, 4, 3, 2}).permute({3, 2, 1, 0});
  for (const auto& saved :
       {torch::rand({2, 3, 4, 5}).contiguous(torch::MemoryFormat::ChannelsLast),
        torch::rand({5, 4, 3, 2}).permute({3, 2, 1, 0}), torch::rand({2, 3, 4, 5})}) {
    for (const auto& g : {grad, grad_t}) {
      EXPECT_EQ(activations::sigmoid_backward(g, saved).strides(),
                torch::sigmoid_backward(g, saved).strides());
      EXPECT_EQ(activations::tanh_backward(g, saved).strides(),
                torch::tanh_backward(g, saved).strides());
      EXPECT_EQ(activations::relu_backward(g, saved).strides(),
                torch::threshold_backward(g, saved, 0).strides());
      EXPECT_EQ(activations::leaky_relu_backward(g, saved, 0.2, false).strides(),
                torch::leaky_relu_backward(g, saved, 0.2, false).strides());
      EXPECT_EQ(activations::silu_backward(g, saved).strides(),
                torch::silu_backward(g, saved).strides());
      EXPECT_EQ(activations::gelu_backward(g, saved, "tanh").strides(),
                torch::gelu_backward(g, saved, "tanh").strides());
    }
  }
}

}  // namespace
}  // namespace activations::testing
