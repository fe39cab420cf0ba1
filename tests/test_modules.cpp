// The modules: inside nn::Sequential beside built-ins, options, clone, pretty_print, to(dtype),
// save/load, reset() validation.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <cstdio>
#include <sstream>

#include "test_helpers.h"

namespace activations::testing {
namespace {

std::string printed(const torch::nn::Module& module) {
  std::ostringstream stream;
  module.pretty_print(stream);
  return stream.str();
}

// Built with the same seed, so both networks get the same Linear weights.
torch::nn::Sequential network(bool ours) {
  torch::manual_seed(30);
  torch::nn::Sequential net(torch::nn::Linear(4, 8));
  if (ours) {
    net->push_back(MySigmoid());
    net->push_back(torch::nn::Linear(8, 8));
    net->push_back(MyTanh());
    net->push_back(MyReLU());
    net->push_back(torch::nn::Linear(8, 8));
    net->push_back(MyLeakyReLU(0.2));
  } else {
    net->push_back(torch::nn::Sigmoid());
    net->push_back(torch::nn::Linear(8, 8));
    net->push_back(torch::nn::Tanh());
    net->push_back(torch::nn::ReLU());
    net->push_back(torch::nn::Linear(8, 8));
    net->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
  }
  net->push_back(torch::nn::Linear(8, 2));
  return net;
}

TEST(Modules, WorkInsideSequentialBesideBuiltIns) {
  auto ours = network(true);
  auto theirs = network(false);
  const auto x = torch::randn({16, 4});
  EXPECT_TRUE(torch::allclose(ours->forward(x), theirs->forward(x), 1e-5, 1e-6));
  // Gradients reach the Linear weights through our modules.
  ours->forward(x).sum().backward();
  theirs->forward(x).sum().backward();
  const auto ours_params = ours->parameters();
  const auto theirs_params = theirs->parameters();
  ASSERT_EQ(ours_params.size(), theirs_params.size());
  for (size_t i = 0; i < ours_params.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours_params[i].grad(), theirs_params[i].grad(), 1e-4, 1e-6));
  }
}

TEST(Modules, TheChaptersExamplesMatchTorchsModules) {
  torch::manual_seed(31);
  const auto x = torch::randn({2, 5});
  EXPECT_TRUE(torch::allclose(torch::nn::Sequential(MySigmoid())->forward(x),
                              torch::nn::Sequential(torch::nn::Sigmoid())->forward(x)));
  EXPECT_TRUE(torch::allclose(torch::nn::Sequential(MyTanh())->forward(x),
                              torch::nn::Sequential(torch::nn::Tanh())->forward(x)));
  EXPECT_TRUE(torch::equal(torch::nn::Sequential(MyReLU())->forward(x),
                           torch::nn::Sequential(torch::nn::ReLU())->forward(x)));
  EXPECT_TRUE(torch::equal(
      torch::nn::Sequential(MyLeakyReLU(0.2))->forward(x),
      torch::nn::Sequential(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)))
          ->forward(x)));
}

TEST(Modules, OptionsAndConstructorsAsDocumented) {
  EXPECT_EQ(MyLeakyReLU()->options.negative_slope(), 0.2);
  EXPECT_EQ(MyLeakyReLU(0.2)->options.negative_slope(), 0.2);
  EXPECT_FALSE(MyLeakyReLU()->options.inplace());
  MyLeakyReLU custom(MyLeakyReLUOptions().negative_slope(0.01).inplace(true));
  EXPECT_EQ(custom->options.negative_slope(), 0.01);
  EXPECT_TRUE(custom->options.inplace());
  EXPECT_FALSE(MyReLU()->options.inplace());
  EXPECT_TRUE(MyReLU(true)->options.inplace());
  EXPECT_TRUE(MyReLU(MyReLUOptions().inplace(true))->options.inplace());
}

TEST(Modules, InplaceOptionWritesIntoTheInput) {
  auto x = torch::randn({10});
  const auto expected = torch::leaky_relu(x, 0.01);
  auto y = MyLeakyReLU(MyLeakyReLUOptions().negative_slope(0.01).inplace(true))->forward(x);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_TRUE(torch::equal(x, expected));
  auto z = torch::randn({10});
  const auto relu_expected = torch_relu(z);
  EXPECT_TRUE(MyReLU(true)->forward(z).is_same(z));
  EXPECT_TRUE(torch::equal(z, relu_expected));
  auto kept = torch::randn({10});
  const auto copy = kept.clone();
  MyReLU()->forward(kept);
  EXPECT_TRUE(torch::equal(kept, copy));
}

TEST(Modules, PrettyPrintShowsTheOptions) {
  EXPECT_EQ(printed(*MySigmoid()), "activations::MySigmoid()");
  EXPECT_EQ(printed(*MyTanh()), "activations::MyTanh()");
  EXPECT_EQ(printed(*MyReLU()), "activations::MyReLU()");
  EXPECT_EQ(printed(*MyReLU(true)), "activations::MyReLU(inplace=true)");
  EXPECT_EQ(printed(*MyLeakyReLU()), "activations::MyLeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(printed(*MyLeakyReLU(MyLeakyReLUOptions(0.01).inplace(true))),
            "activations::MyLeakyReLU(negative_slope=0.01, inplace=true)");
  std::ostringstream stream;
  stream << *torch::nn::Sequential(MyLeakyReLU(), torch::nn::ReLU());
  EXPECT_NE(stream.str().find("(0): activations::MyLeakyReLU(negative_slope=0.2)"),
            std::string::npos)
      << stream.str();
}

TEST(Modules, CloneCopiesOptionsIndependently) {
  MyLeakyReLU original(0.3);
  auto copy = std::dynamic_pointer_cast<MyLeakyReLUImpl>(original->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->options.negative_slope(), 0.3);
  copy->options.negative_slope(0.1);
  EXPECT_EQ(original->options.negative_slope(), 0.3);
  const auto x = torch::randn({8});
  EXPECT_TRUE(torch::equal(copy->forward(x), torch::leaky_relu(x, 0.1)));
  auto net = torch::nn::Sequential(MySigmoid(), MyTanh(), MyReLU(), MyLeakyReLU(0.3));
  auto net_copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(net->clone());
  EXPECT_TRUE(torch::equal(net_copy->forward(x), net->forward(x)));
}

TEST(Modules, ToDtypeRunsInThatDtype) {
  auto net = network(true);
  net->to(torch::kFloat64);
  const auto y = net->forward(torch::randn({3, 4}, torch::kFloat64));
  EXPECT_EQ(y.scalar_type(), torch::kFloat64);
  net->to(torch::kBFloat16);
  EXPECT_EQ(net->forward(torch::randn({3, 4}).to(torch::kBFloat16)).scalar_type(),
            torch::kBFloat16);
}

TEST(Modules, SaveAndLoadRoundTrip) {
  auto saved = network(true);
  const std::string path = ::testing::TempDir() + "activations_sequential.pt";
  torch::save(saved, path);
  // A network of the same structure with other weights and another slope.
  torch::manual_seed(99);
  torch::nn::Sequential loaded(torch::nn::Linear(4, 8), MySigmoid(), torch::nn::Linear(8, 8),
                               MyTanh(), MyReLU(), torch::nn::Linear(8, 8), MyLeakyReLU(0.05),
                               torch::nn::Linear(8, 2));
  torch::load(loaded, path);
  std::remove(path.c_str());
  const auto x = torch::randn({5, 4});
  EXPECT_TRUE(torch::equal(loaded->forward(x), saved->forward(x)));
  EXPECT_EQ(loaded[6]->as<MyLeakyReLU>()->options.negative_slope(), 0.2);
}

TEST(Modules, ResetValidatesTheSlope) {
  EXPECT_THROW(MyLeakyReLU infinite(INFINITY), c10::Error);
  EXPECT_THROW(MyLeakyReLU not_a_number(NAN), c10::Error);
  MyLeakyReLU module(0.2);
  module->options.negative_slope(-INFINITY);
  try {
    module->reset();
    ADD_FAILURE();
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("activations::MyLeakyReLU"), std::string::npos);
  }
  EXPECT_NO_THROW(MyLeakyReLU negative(-3.0));
}

}  // namespace
}  // namespace activations::testing
