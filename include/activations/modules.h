// The chapter's four activation layers and SiLU as LibTorch modules, shaped like torch::nn::ReLU
// and friends: each is a TORCH_MODULE holder over a Cloneable `...Impl`.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <ostream>

#include <activations/options.h>

namespace activations {

/// Sigmoid layer (chapter's MySigmoid): y = 1 / (1 + e^-x).
class MySigmoidImpl : public torch::nn::Cloneable<MySigmoidImpl> {
 public:
  torch::Tensor forward(const torch::Tensor& input);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
};
TORCH_MODULE(MySigmoid);

/// Tanh layer (chapter's MyTanh): y = (e^x - e^-x) / (e^x + e^-x).
class MyTanhImpl : public torch::nn::Cloneable<MyTanhImpl> {
 public:
  torch::Tensor forward(const torch::Tensor& input);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
};
TORCH_MODULE(MyTanh);

/// ReLU layer (chapter's MyReLU): y = max(0, x).
class MyReLUImpl : public torch::nn::Cloneable<MyReLUImpl> {
 public:
  explicit MyReLUImpl(const MyReLUOptions& options_ = {});
  torch::Tensor forward(torch::Tensor input);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  MyReLUOptions options;
};
TORCH_MODULE(MyReLU);

/// LeakyReLU layer (chapter's MyLeakyReLU(gamma=0.2)): y = x for x > 0, gamma * x otherwise.
class MyLeakyReLUImpl : public torch::nn::Cloneable<MyLeakyReLUImpl> {
 public:
  explicit MyLeakyReLUImpl(const MyLeakyReLUOptions& options_ = {});
  torch::Tensor forward(torch::Tensor input);
  /// Checks the options: the slope must be finite.
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  /// The slope lives in the options, not in a parameter; these keep it across
  /// torch::save / torch::load.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  /// The options with which this module was constructed.
  MyLeakyReLUOptions options;
};
TORCH_MODULE(MyLeakyReLU);

/// SiLU layer, shaped like torch::nn::SiLU: y = x * sigmoid(x).
class MySiLUImpl : public torch::nn::Cloneable<MySiLUImpl> {
 public:
  torch::Tensor forward(const torch::Tensor& input);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
};
TORCH_MODULE(MySiLU);

/// GELU layer, shaped like torch::nn::GELU: y = x Phi(x), or its tanh approximation with
/// `MyGELUOptions().approximate("tanh")`.
class MyGELUImpl : public torch::nn::Cloneable<MyGELUImpl> {
 public:
  explicit MyGELUImpl(MyGELUOptions options_ = {});
  torch::Tensor forward(const torch::Tensor& input);
  /// Checks the options: approximate must be "none" or "tanh".
  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  MyGELUOptions options;
};
TORCH_MODULE(MyGELU);

}  // namespace activations
