// The demo's training part: a 2 -> 32 -> 32 -> 2 MLP on a synthetic two-spirals data set.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace demo {

// Two interleaved spirals of `points_per_class` noisy points each: inputs [2n, 2], labels [2n].
std::pair<torch::Tensor, torch::Tensor> two_spirals(int64_t points_per_class, uint64_t seed);

struct TrainingRun {
  std::vector<double> losses;  // one per epoch
  double accuracy = 0;
  double seconds = 0;
};

// Trains the MLP with `activation` between its layers, from `seed`, full batch with Adam.
// `progress` is called every `report_every` epochs with (epoch, loss).
TrainingRun train(const std::function<torch::nn::AnyModule()>& activation, uint64_t seed,
                  const torch::Tensor& inputs, const torch::Tensor& labels, int epochs,
                  int report_every, const std::function<void(int, double)>& progress);

}  // namespace demo
