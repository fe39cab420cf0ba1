// Dtypes beyond the floating ones, and inputs the operators refuse.
#include <c10/core/DefaultDtype.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include "test_helpers.h"

namespace activations::testing {
namespace {

const std::vector<torch::ScalarType> kIntegral = {torch::kUInt8, torch::kInt8, torch::kInt16,
                                                  torch::kInt32, torch::kInt64};

// Runs `call` expecting a c10::Error whose message contains every one of `parts`.
void expect_error(const std::function<void()>& call, const std::vector<std::string>& parts) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one mentioning " << parts.front();
  } catch (const c10::Error& error) {
    const std::string message = error.what_without_backtrace();
    for (const auto& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
    }
  }
}

TEST(Dtypes, SigmoidAndTanhOfIntegersAndBoolGiveTheDefaultFloatDtype) {
  for (const auto default_dtype : {torch::kFloat, torch::kDouble}) {
    const auto saved = c10::get_default_dtype();
    c10::set_default_dtype(c10::scalarTypeToTypeMeta(default_dtype));
    for (auto dtype : kIntegral) {
      const auto x = torch::randint(-100, 100, {50}).to(dtype);
      for (const auto& [ours, theirs] : {std::pair{activations::sigmoid(x), torch::sigmoid(x)},
                                         std::pair{activations::tanh(x), torch::tanh(x)}}) {
        EXPECT_EQ(ours.scalar_type(), theirs.scalar_type()) << dtype;
        EXPECT_EQ(ours.scalar_type(), default_dtype) << dtype;
      }
      EXPECT_EQ(
          first_bit_difference(activations::sigmoid(x), activations::sigmoid(x.to(default_dtype))),
          -1);
    }
    const auto flags = torch::tensor({true, false, true});
    EXPECT_EQ(activations::sigmoid(flags).scalar_type(), default_dtype);
    EXPECT_EQ(
        first_bit_difference(activations::tanh(flags), activations::tanh(flags.to(default_dtype))),
        -1);
    c10::set_default_dtype(saved);
  }
}

TEST(Dtypes, ReluKeepsIntegerDtypesBitIdenticalToTorch) {
  for (auto dtype : kIntegral) {
    const auto x = torch::randint(-100, 100, {1000}).to(dtype);
    const auto ours = activations::relu(x);
    EXPECT_EQ(ours.scalar_type(), dtype);
    EXPECT_EQ(first_bit_difference(ours, torch_relu(x)), -1) << dtype;
    auto inplace = x.clone();
    activations::relu_(inplace);
    EXPECT_EQ(first_bit_difference(inplace, ours), -1) << dtype;
  }
}

TEST(Dtypes, InplaceSigmoidOfIntegersIsRefusedAsInTorch) {
  auto x = torch::arange(5);
  const auto before = x.clone();
  expect_error([&] { activations::sigmoid_(x); },
               {"activations::sigmoid_", "can't be cast to the desired output type Long"});
  EXPECT_TRUE(torch::equal(x, before));
  EXPECT_THROW(torch::sigmoid_(x), c10::Error);
}

TEST(Dtypes, ReluRefusesBool) {
  const auto flags = torch::tensor({true, false});
  expect_error([&] { activations::relu(flags); }, {"activations::relu", "Boolean"});
  EXPECT_THROW(torch::relu(flags), c10::Error);
}

TEST(Dtypes, LeakyReluRefusesIntegersAndBool) {
  for (auto dtype : kIntegral) {
    const auto x = torch::arange(5).to(dtype);
    expect_error([&] { activations::leaky_relu(x); }, {"activations::leaky_relu", "floating"});
    EXPECT_THROW(torch::leaky_relu(x), c10::Error) << dtype;
  }
  expect_error([&] { activations::leaky_relu(torch::tensor({true})); },
               {"activations::leaky_relu", "Bool"});
}

TEST(Dtypes, ComplexIsRefusedByEveryOperator) {
  const auto z = torch::randn({4}, torch::kComplexFloat);
  expect_error([&] { activations::sigmoid(z); }, {"activations::sigmoid", "complex"});
  expect_error([&] { activations::tanh(z); }, {"activations::tanh", "complex"});
  expect_error([&] { activations::relu(z); }, {"activations::relu", "complex"});
  expect_error([&] { activations::leaky_relu(z); }, {"activations::leaky_relu", "complex"});
  auto w = z.clone();
  expect_error([&] { activations::sigmoid_(w); }, {"activations::sigmoid_", "complex"});
  EXPECT_TRUE(torch::equal(w, z));
}

TEST(Dtypes, SparseAndQuantizedAreRefusedWithTheirKind) {
  const auto sparse = torch::randn({3, 3}).to_sparse();
  expect_error([&] { activations::sigmoid(sparse); }, {"activations::sigmoid", "SparseCPU"});
  expect_error([&] { activations::leaky_relu(sparse); }, {"activations::leaky_relu", "SparseCPU"});
  const auto quantized = torch::quantize_per_tensor(torch::randn({4}), 0.1, 0, torch::kQUInt8);
  expect_error([&] { activations::relu(quantized); }, {"activations::relu", "QuantizedCPU"});
  expect_error([&] { activations::tanh(quantized); }, {"activations::tanh", "QuantizedCPU"});
}

TEST(Dtypes, UndefinedTensorsAreRefused) {
  const torch::Tensor undefined;
  expect_error([&] { activations::sigmoid(undefined); }, {"activations::sigmoid", "undefined"});
  expect_error([&] { activations::relu_backward(torch::ones({2}), undefined); },
               {"activations::relu_backward", "undefined"});
  auto out = torch::empty({2});
  expect_error([&] { activations::tanh_out(undefined, out); },
               {"activations::tanh.out", "undefined"});
}

TEST(Dtypes, NonFiniteSlopeIsRefused) {
  const auto x = torch::randn({4});
  for (const double slope : {INFINITY, -INFINITY, NAN}) {
    expect_error([&] { activations::leaky_relu(x, slope); },
                 {"activations::leaky_relu", "negative_slope must be finite"});
    auto y = x.clone();
    expect_error([&] { activations::leaky_relu_(y, slope); }, {"activations::leaky_relu_"});
    EXPECT_TRUE(torch::equal(y, x));
  }
}

}  // namespace
}  // namespace activations::testing
