// The chapter's four examples (test_Sigmoid, test_Tanh, test_ReLU, test_LeakyReLU): a [2, 5]
// randn tensor through nn::Sequential(MyX()), printed before and after, with the largest
// difference from LibTorch's built-in module.
#include <torch/torch.h>

#include <activations/activations.h>

#include <iostream>

namespace {

void run_example(const std::string& name, torch::nn::Sequential ours,
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

}  // namespace

int main() {
  torch::manual_seed(0);
  std::cout << "torch-activations " << activations::version() << "\n\n";
  run_example("Sigmoid", torch::nn::Sequential(activations::MySigmoid()),
              torch::nn::Sequential(torch::nn::Sigmoid()));
  run_example("Tanh", torch::nn::Sequential(activations::MyTanh()),
              torch::nn::Sequential(torch::nn::Tanh()));
  run_example("ReLU", torch::nn::Sequential(activations::MyReLU()),
              torch::nn::Sequential(torch::nn::ReLU()));
  run_example("LeakyReLU", torch::nn::Sequential(activations::MyLeakyReLU(0.2)),
              torch::nn::Sequential(
                  torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2))));
  return 0;
}
