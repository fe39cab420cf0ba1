#include "two_spirals.h"

#include <chrono>
#include <cmath>

namespace demo {

std::pair<torch::Tensor, torch::Tensor> two_spirals(int64_t points_per_class, uint64_t seed) {
  torch::manual_seed(seed);
  const auto t = torch::sqrt(torch::rand({points_per_class})) * 3 * M_PI;  // angle along the arm
  std::vector<torch::Tensor> inputs, labels;
  for (int64_t arm = 0; arm < 2; ++arm) {
    const auto angle = t + arm * M_PI;
    const auto radius = t / (3 * M_PI);
    const auto points = torch::stack({radius * torch::cos(angle), radius * torch::sin(angle)}, 1);
    inputs.push_back(points + 0.02 * torch::randn({points_per_class, 2}));
    labels.push_back(torch::full({points_per_class}, arm, torch::kLong));
  }
  return {torch::cat(inputs), torch::cat(labels)};
}

TrainingRun train(const std::function<torch::nn::AnyModule()>& activation, uint64_t seed,
                  const torch::Tensor& inputs, const torch::Tensor& labels, int epochs,
                  int report_every, const std::function<void(int, double)>& progress) {
  torch::manual_seed(seed);  // the same weights for every activation and implementation
  torch::nn::Sequential net(torch::nn::Linear(2, 32), activation(), torch::nn::Linear(32, 32),
                            activation(), torch::nn::Linear(32, 2));
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(0.01));
  TrainingRun run;
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    optimizer.zero_grad();
    const auto loss = torch::nn::functional::cross_entropy(net->forward(inputs), labels);
    loss.backward();
    optimizer.step();
    run.losses.push_back(loss.item<double>());
    if (epoch % report_every == 0) progress(epoch, run.losses.back());
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  torch::NoGradGuard no_grad;
  run.accuracy = (net->forward(inputs).argmax(1) == labels).to(torch::kFloat).mean().item<double>();
  return run;
}

}  // namespace demo
