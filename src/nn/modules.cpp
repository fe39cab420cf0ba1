#include "activations/modules.h"

#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cmath>
#include <utility>

#include "activations/functional.h"

namespace activations {

torch::Tensor MySigmoidImpl::forward(const torch::Tensor& input) {
  return activations::sigmoid(input);
}
void MySigmoidImpl::reset() {}
void MySigmoidImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MySigmoid()";
}

torch::Tensor MyTanhImpl::forward(const torch::Tensor& input) {
  return activations::tanh(input);
}
void MyTanhImpl::reset() {}
void MyTanhImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MyTanh()";
}

torch::Tensor MySiLUImpl::forward(const torch::Tensor& input) {
  return activations::silu(input);
}
void MySiLUImpl::reset() {}
void MySiLUImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MySiLU()";
}

MyGELUImpl::MyGELUImpl(MyGELUOptions options_) : options(std::move(options_)) {
  reset();
}
torch::Tensor MyGELUImpl::forward(const torch::Tensor& input) {
  return activations::gelu(input, options.approximate());
}
void MyGELUImpl::reset() {
  TORCH_CHECK(options.approximate() == "none" || options.approximate() == "tanh",
              "activations::MyGELU: approximate must be 'none' or 'tanh', got '",
              options.approximate(), "'");
}
void MyGELUImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MyGELU(";
  if (options.approximate() != "none") stream << "approximate='" << options.approximate() << "'";
  stream << ")";
}

MyReLUImpl::MyReLUImpl(const MyReLUOptions& options_) : options(options_) {}
torch::Tensor MyReLUImpl::forward(torch::Tensor input) {
  return options.inplace() ? activations::relu_(input) : activations::relu(input);
}
void MyReLUImpl::reset() {}
void MyReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MyReLU(";
  if (options.inplace()) stream << std::boolalpha << "inplace=" << options.inplace();
  stream << ")";
}

MyLeakyReLUImpl::MyLeakyReLUImpl(const MyLeakyReLUOptions& options_) : options(options_) {
  reset();
}
torch::Tensor MyLeakyReLUImpl::forward(torch::Tensor input) {
  return options.inplace() ? activations::leaky_relu_(input, options.negative_slope())
                           : activations::leaky_relu(input, options.negative_slope());
}
void MyLeakyReLUImpl::reset() {
  TORCH_CHECK(std::isfinite(options.negative_slope()),
              "activations::MyLeakyReLU: negative_slope must be finite, got ",
              options.negative_slope());
}
void MyLeakyReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "activations::MyLeakyReLU(negative_slope=" << options.negative_slope();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}

namespace {
constexpr const char* kNegativeSlopeKey = "negative_slope";
}

void MyLeakyReLUImpl::save(torch::serialize::OutputArchive& archive) const {
  torch::nn::Module::save(archive);
  archive.write(kNegativeSlopeKey, torch::tensor(options.negative_slope(), torch::kFloat64),
                /*is_buffer=*/true);
}

void MyLeakyReLUImpl::load(torch::serialize::InputArchive& archive) {
  torch::nn::Module::load(archive);
  torch::Tensor slope;
  // Archives written before the slope was saved keep the module's own slope.
  if (archive.try_read(kNegativeSlopeKey, slope, /*is_buffer=*/true)) {
    options.negative_slope(slope.item<double>());
    reset();
  }
}

}  // namespace activations
