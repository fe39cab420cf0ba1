// The demo: the chapter's four examples (test_Sigmoid, test_Tanh, test_ReLU, test_LeakyReLU: a
// [2, 5] randn tensor through nn::Sequential(MyX()), printed before and after, with the largest
// difference from LibTorch's module), then a small MLP trained on two spirals once with each of
// our modules and once with LibTorch's counterpart from the same seed.
#include <torch/torch.h>

#include <activations/activations.h>

#include <cstdio>
#include <iostream>

#include "two_spirals.h"

namespace {

void chapter_example(const std::string& name, torch::nn::Sequential ours,
                     torch::nn::Sequential builtin) {
  const auto x = torch::randn({2, 5}, torch::kFloat32);
  const auto y = ours->forward(x);
  const double difference = (y - builtin->forward(x)).abs().max().item<double>();
  std::cout << name << " before:\n"
            << x << "\n"
            << name << " after:\n"
            << y << "\n"
            << "largest difference from " << builtin[0]->name() << ": " << difference << "\n\n";
}

struct Contender {
  std::string name;
  std::function<torch::nn::AnyModule()> ours;
  std::function<torch::nn::AnyModule()> builtin;
};

}  // namespace

int main() {
  torch::manual_seed(0);
  std::cout << "torch-activations " << activations::version()
            << " (SIMD: " << activations::simd_target() << ")\n\n";
  chapter_example("Sigmoid", torch::nn::Sequential(activations::MySigmoid()),
                  torch::nn::Sequential(torch::nn::Sigmoid()));
  chapter_example("Tanh", torch::nn::Sequential(activations::MyTanh()),
                  torch::nn::Sequential(torch::nn::Tanh()));
  chapter_example("ReLU", torch::nn::Sequential(activations::MyReLU()),
                  torch::nn::Sequential(torch::nn::ReLU()));
  chapter_example("LeakyReLU", torch::nn::Sequential(activations::MyLeakyReLU(0.2)),
                  torch::nn::Sequential(
                      torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2))));

  const auto [inputs, labels] = demo::two_spirals(200, 7);
  std::cout << "Training a 2-32-32-2 MLP on two spirals (" << inputs.size(0)
            << " points, full batch, Adam 0.01, 500 epochs), ours then LibTorch's, same seed:\n";
  const std::vector<Contender> contenders = {
      {"Sigmoid", [] { return torch::nn::AnyModule(activations::MySigmoid()); },
       [] { return torch::nn::AnyModule(torch::nn::Sigmoid()); }},
      {"Tanh", [] { return torch::nn::AnyModule(activations::MyTanh()); },
       [] { return torch::nn::AnyModule(torch::nn::Tanh()); }},
      {"ReLU", [] { return torch::nn::AnyModule(activations::MyReLU()); },
       [] { return torch::nn::AnyModule(torch::nn::ReLU()); }},
      {"LeakyReLU", [] { return torch::nn::AnyModule(activations::MyLeakyReLU(0.2)); },
       [] {
         return torch::nn::AnyModule(
             torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
       }},
  };
  struct Row {
    std::string name;
    demo::TrainingRun ours, builtin;
  };
  std::vector<Row> rows;
  for (const auto& c : contenders) {
    Row row{c.name, {}, {}};
    for (const bool ours : {true, false}) {
      std::printf("  %-9s %-8s", c.name.c_str(), ours ? "ours" : "LibTorch");
      auto run = demo::train(ours ? c.ours : c.builtin, 11, inputs, labels, 500, 100,
                             [](int epoch, double loss) {
                               std::printf("  epoch %3d loss %.4f", epoch, loss);
                               std::fflush(stdout);
                             });
      std::printf("\n");
      (ours ? row.ours : row.builtin) = std::move(run);
    }
    rows.push_back(std::move(row));
  }
  std::printf(
      "\n| activation | final loss (ours / LibTorch) | accuracy (ours / LibTorch) "
      "| largest loss difference | time (ours / LibTorch) |\n|---|---|---|---|---|\n");
  for (const auto& r : rows) {
    double largest = 0;
    for (size_t e = 0; e < r.ours.losses.size(); ++e) {
      largest = std::max(largest, std::abs(r.ours.losses[e] - r.builtin.losses[e]));
    }
    std::printf("| %s | %.6f / %.6f | %.1f%% / %.1f%% | %.2e | %.3f s / %.3f s |\n", r.name.c_str(),
                r.ours.losses.back(), r.builtin.losses.back(), 100 * r.ours.accuracy,
                100 * r.builtin.accuracy, largest, r.ours.seconds, r.builtin.seconds);
  }
  return 0;
}
