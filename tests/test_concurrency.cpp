// Concurrent use: eight threads call forward and backward on shared module instances and on
// the operators at once, with two intra-op threads each, for a couple of seconds; every result
// must equal the single-threaded one bit for bit, with no crash or deadlock.
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_helpers.h"

namespace activations::testing {
namespace {

struct Expected {
  torch::Tensor x;
  std::vector<torch::Tensor> outputs;  // module outputs, then input gradients
};

TEST(Concurrency, EightThreadsGetSingleThreadedResults) {
  torch::manual_seed(50);
  MySigmoid sigmoid;
  MyTanh tanh;
  MyReLU relu;
  MyLeakyReLU leaky(0.3);
  torch::nn::Sequential net(torch::nn::Linear(64, 64), MyTanh(), torch::nn::Linear(64, 64),
                            MyLeakyReLU(0.2), torch::nn::Linear(64, 8), MySigmoid());
  auto run_all = [&](const torch::Tensor& x) {
    std::vector<torch::Tensor> results;
    results.push_back(sigmoid->forward(x));
    results.push_back(tanh->forward(x));
    results.push_back(relu->forward(x));
    results.push_back(leaky->forward(x));
    results.push_back(activations::sigmoid_backward(x, results[0]));
    results.push_back(activations::tanh_backward(x, results[1]));
    auto leaf = x.detach().clone().requires_grad_(true);
    auto y = net->forward(leaf.view({-1, 64}));
    results.push_back(y.detach());
    results.push_back(torch::autograd::grad({y.sum()}, {leaf})[0]);
    return results;
  };

  torch::set_num_threads(2);
  std::vector<Expected> expected;
  for (int i = 0; i < 8; ++i) {
    Expected e;
    e.x = torch::randn({128 + 64 * i, 64}) * 3;  // sizes across the thread grain
    e.outputs = run_all(e.x);
    expected.push_back(e);
  }

  std::atomic<int> mismatches{0};
  std::atomic<long> calls{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      torch::set_num_threads(2);
      // two rounds each whatever the clock says: under qemu one round can take the whole window
      for (int rounds = 0; rounds < 2 || std::chrono::steady_clock::now() < deadline; ++rounds) {
        const auto& e = expected[(t + calls.load()) % expected.size()];
        const auto results = run_all(e.x);
        for (size_t k = 0; k < results.size(); ++k) {
          if (first_bit_difference(results[k], e.outputs[k]) >= 0) ++mismatches;
        }
        ++calls;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::printf("[ concurrency ] %ld rounds of %zu calls on 8 threads, %d mismatches\n", calls.load(),
              expected[0].outputs.size(), mismatches.load());
  EXPECT_GE(calls.load(), 16);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace activations::testing
