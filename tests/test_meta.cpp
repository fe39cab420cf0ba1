// Meta kernels: every operator on meta tensors gives the sizes, strides and dtype the CPU kernels
// give, and the same errors, for the layouts and dtypes of test_layouts.cpp and test_dtypes.cpp.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <optional>

#include "test_helpers.h"

namespace activations::testing {
namespace {

// A meta tensor with x's sizes, strides, storage offset and dtype, over a storage as large.
torch::Tensor meta_twin(const torch::Tensor& x) {
  const int64_t storage_elements =
      static_cast<int64_t>(x.storage().nbytes()) / static_cast<int64_t>(x.element_size());
  return torch::empty({storage_elements}, x.options().device(torch::kMeta))
      .as_strided(x.sizes(), x.strides(), x.storage_offset());
}

// What a call gave: the result's geometry and dtype, or the error's message.
struct Outcome {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
  std::optional<torch::ScalarType> dtype;
  std::string error;
  bool returned_its_argument = false;

  bool operator==(const Outcome& other) const {
    return sizes == other.sizes && strides == other.strides && dtype == other.dtype &&
           error == other.error && returned_its_argument == other.returned_its_argument;
  }
};
std::ostream& operator<<(std::ostream& stream, const Outcome& outcome) {
  if (!outcome.error.empty()) return stream << "error: " << outcome.error;
  return stream << "sizes " << c10::IntArrayRef(outcome.sizes) << " strides "
                << c10::IntArrayRef(outcome.strides) << " " << *outcome.dtype
                << (outcome.returned_its_argument ? " (its argument)" : "");
}

// `call(x)` returns the result and whether it must be the same tensor as `x` (in-place, out=).
using Call = std::function<std::pair<torch::Tensor, torch::Tensor>(torch::Tensor)>;

Outcome outcome_of(const Call& call, const torch::Tensor& x) {
  Outcome outcome;
  try {
    const auto [result, expected_alias] = call(x);
    outcome.sizes = result.sizes().vec();
    outcome.strides = result.strides().vec();
    outcome.dtype = result.scalar_type();
    outcome.returned_its_argument = expected_alias.defined() && result.is_same(expected_alias);
  } catch (const c10::Error& error) {
    outcome.error = error.what_without_backtrace();
  }
  return outcome;
}

// Each operator and variant as a call on one tensor; out= targets and backward's second operand
// are made on the argument's device.
std::vector<std::pair<std::string, Call>> calls() {
  const auto forward = [](auto op) -> Call {
    return [op](torch::Tensor x) { return std::pair{op(x), torch::Tensor()}; };
  };
  const auto inplace = [](auto op) -> Call {
    return [op](torch::Tensor x) { return std::pair{op(x), x}; };
  };
  // An empty out= target (resized; nonempty ones are in OutIsResizedAndRestridedAsOnCpu) and,
  // where given, another dtype.
  const auto out = [](auto op, std::optional<torch::ScalarType> out_dtype = {}) -> Call {
    return [op, out_dtype](torch::Tensor x) {
      auto target = torch::empty({0}, x.options().dtype(out_dtype.value_or(x.scalar_type())));
      return std::pair{op(x, target), target};
    };
  };
  // Backward with a gradient broadcast against the saved tensor (sizes [1] against any).
  const auto backward = [](auto op) -> Call {
    return [op](torch::Tensor x) {
      const auto grad = torch::empty({1}, x.options());
      return std::pair{op(grad, x), torch::Tensor()};
    };
  };
  return {
      {"sigmoid", forward([](auto& x) { return activations::sigmoid(x); })},
      {"sigmoid_", inplace([](auto& x) { return activations::sigmoid_(x); })},
      {"sigmoid.out", out([](auto& x, auto& o) { return activations::sigmoid_out(x, o); })},
      {"sigmoid.out double",
       out([](auto& x, auto& o) { return activations::sigmoid_out(x, o); }, torch::kDouble)},
      {"sigmoid_backward",
       backward([](auto& g, auto& y) { return activations::sigmoid_backward(g, y); })},
      {"tanh", forward([](auto& x) { return activations::tanh(x); })},
      {"tanh_", inplace([](auto& x) { return activations::tanh_(x); })},
      {"tanh.out", out([](auto& x, auto& o) { return activations::tanh_out(x, o); })},
      {"tanh.out int",
       out([](auto& x, auto& o) { return activations::tanh_out(x, o); }, torch::kInt32)},
      {"tanh_backward",
       backward([](auto& g, auto& y) { return activations::tanh_backward(g, y); })},
      {"relu", forward([](auto& x) { return activations::relu(x); })},
      {"relu_", inplace([](auto& x) { return activations::relu_(x); })},
      {"relu.out", out([](auto& x, auto& o) { return activations::relu_out(x, o); })},
      {"relu.out double",
       out([](auto& x, auto& o) { return activations::relu_out(x, o); }, torch::kDouble)},
      {"relu_backward",
       backward([](auto& g, auto& y) { return activations::relu_backward(g, y); })},
      {"leaky_relu", forward([](auto& x) { return activations::leaky_relu(x, 0.3); })},
      {"leaky_relu_", inplace([](auto& x) { return activations::leaky_relu_(x, 0.3); })},
      {"leaky_relu.out",
       out([](auto& x, auto& o) { return activations::leaky_relu_out(x, 0.3, o); })},
      {"leaky_relu_backward", backward([](auto& g, auto& x) {
         return activations::leaky_relu_backward(g, x, 0.3, false);
       })},
      {"leaky_relu_backward of result", backward([](auto& g, auto& y) {
         return activations::leaky_relu_backward(g, y, -0.3, true);
       })},
      {"leaky_relu non-finite slope", forward([](auto& x) {
         return activations::leaky_relu(x, std::numeric_limits<double>::infinity());
       })},
      {"silu", forward([](auto& x) { return activations::silu(x); })},
      {"silu_", inplace([](auto& x) { return activations::silu_(x); })},
      {"silu.out", out([](auto& x, auto& o) { return activations::silu_out(x, o); })},
      {"silu.out double",
       out([](auto& x, auto& o) { return activations::silu_out(x, o); }, torch::kDouble)},
      {"silu_backward",
       backward([](auto& g, auto& x) { return activations::silu_backward(g, x); })},
      {"gelu", forward([](auto& x) { return activations::gelu(x); })},
      {"gelu tanh", forward([](auto& x) { return activations::gelu(x, "tanh"); })},
      {"gelu unknown approximation", forward([](auto& x) { return activations::gelu(x, "erf"); })},
      {"gelu_", inplace([](auto& x) { return activations::gelu_(x, "tanh"); })},
      {"gelu.out", out([](auto& x, auto& o) { return activations::gelu_out(x, "none", o); })},
      {"gelu.out double",
       out([](auto& x, auto& o) { return activations::gelu_out(x, "none", o); }, torch::kDouble)},
      {"gelu_backward",
       backward([](auto& g, auto& x) { return activations::gelu_backward(g, x, "tanh"); })},
  };
}

const std::vector<torch::ScalarType> kDtypes = {
    torch::kFloat, torch::kDouble, torch::kHalf,  torch::kBFloat16, torch::kUInt8,
    torch::kInt8,  torch::kInt16,  torch::kInt32, torch::kInt64,    torch::kBool,
};

TEST(Meta, EveryOperatorGivesTheCpuGeometryDtypeAndErrorsForEveryLayoutAndDtype) {
  int compared = 0;
  int errors = 0;
  for (const auto& [name, call] : calls()) {
    for (const auto& layout : layouts()) {
      for (const auto dtype : kDtypes) {
        const auto cpu_input = layout.make(dtype);
        const auto meta_input = meta_twin(cpu_input);
        const Outcome on_meta = outcome_of(call, meta_input);
        const Outcome on_cpu = outcome_of(call, cpu_input);
        EXPECT_EQ(on_meta, on_cpu) << name << " " << layout.name << " " << dtype;
        ++compared;
        errors += on_cpu.error.empty() ? 0 : 1;
      }
    }
  }
  // Both branches are exercised: results and refusals.
  EXPECT_GT(errors, 100);
  EXPECT_GT(compared - errors, 1000);
}

TEST(Meta, ResultsStayOnMetaAndNoKernelRuns) {
  const auto x = torch::empty({1 << 20}, torch::TensorOptions().device(torch::kMeta));
  for (const auto& [name, call] : calls()) {
    const Outcome outcome = outcome_of(call, x);
    if (!outcome.error.empty()) continue;
    const auto [result, alias] = call(x);
    EXPECT_TRUE(result.is_meta()) << name;
  }
}

TEST(Meta, OutIsResizedAndRestridedAsOnCpu) {
  for (const auto& device : {torch::kCPU, torch::kMeta}) {
    const auto x = meta_twin(torch::randn({4, 6}).t());  // transposed input
    const auto input = device == torch::kMeta ? x : torch::randn({4, 6}).t();
    auto out = torch::empty({2, 2}, input.options());
    activations::tanh_out(input, out);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{6, 4})) << device;
    EXPECT_EQ(out.strides(), (std::vector<int64_t>{1, 6})) << device;
    auto right_size = torch::empty_strided({6, 4}, {4, 1}, input.options());
    activations::relu_out(input, right_size);  // the right size keeps its strides
    EXPECT_EQ(right_size.strides(), (std::vector<int64_t>{4, 1})) << device;
  }
}

TEST(Meta, BackwardBroadcastsAsOnCpu) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{4, 1}, {1, 5}}, {{5}, {3, 1}}, {{}, {2, 3}}, {{2, 3}, {}}, {{2, 1, 3}, {4, 1}}};
  for (const auto& [grad_shape, saved_shape] : shapes) {
    const auto grad = torch::randn(grad_shape);
    const auto saved = torch::randn(saved_shape, torch::kDouble);
    const auto on_cpu = activations::sigmoid_backward(grad, saved);
    const auto on_meta = activations::sigmoid_backward(meta_twin(grad), meta_twin(saved));
    EXPECT_EQ(on_meta.sizes(), on_cpu.sizes());
    EXPECT_EQ(on_meta.strides(), on_cpu.strides());
    EXPECT_EQ(on_meta.scalar_type(), torch::kDouble);
    const auto leaky_cpu = activations::leaky_relu_backward(saved, grad, 0.2, false);
    const auto leaky_meta =
        activations::leaky_relu_backward(meta_twin(saved), meta_twin(grad), 0.2, false);
    EXPECT_EQ(leaky_meta.sizes(), leaky_cpu.sizes());
    EXPECT_EQ(leaky_meta.strides(), leaky_cpu.strides());
  }
  const Outcome mismatched = outcome_of(
      [](torch::Tensor x) {
        return std::pair{activations::tanh_backward(torch::empty({3}, x.options()), x),
                         torch::Tensor()};
      },
      torch::empty({4}, torch::TensorOptions().device(torch::kMeta)));
  EXPECT_NE(mismatched.error.find("activations::tanh_backward"), std::string::npos) << mismatched;
}

TEST(Meta, AutogradRunsOnMetaTensors) {
  const auto options = torch::TensorOptions().device(torch::kMeta);
  for (const auto& module_output : std::vector<std::function<torch::Tensor(const torch::Tensor&)>>{
           [](const torch::Tensor& x) { return MySigmoid()(x); },
           [](const torch::Tensor& x) { return MyTanh()(x); },
           [](const torch::Tensor& x) { return MyReLU()(x); },
           [](const torch::Tensor& x) { return MyLeakyReLU()(x); },
           [](const torch::Tensor& x) { return MyReLU(MyReLUOptions().inplace(true))(x * 2); },
           [](const torch::Tensor& x) {
             return MyLeakyReLU(MyLeakyReLUOptions().inplace(true))(x * 2);
           },
       }) {
    const auto x = torch::empty({3, 4}, options).requires_grad_();
    const auto y = module_output(x);
    EXPECT_TRUE(y.is_meta());
    EXPECT_TRUE(y.requires_grad());
    const auto grads = torch::autograd::grad({y}, {x}, {torch::empty({3, 4}, options)},
                                             /*retain_graph=*/true, /*create_graph=*/true);
    EXPECT_TRUE(grads[0].is_meta());
    EXPECT_EQ(grads[0].sizes(), x.sizes());
    // Double backward goes through the backward operators' own Meta kernels.
    const auto second = torch::autograd::grad({grads[0]}, {x}, {torch::empty({3, 4}, options)},
                                              /*retain_graph=*/false, /*create_graph=*/false,
                                              /*allow_unused=*/true);
    if (second[0].defined()) EXPECT_TRUE(second[0].is_meta());
  }
}

}  // namespace
}  // namespace activations::testing
