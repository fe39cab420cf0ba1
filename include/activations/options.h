// Module options, shaped like LibTorch's torch/nn/options/activation.h.
#pragma once

#include <torch/arg.h>

#include <string>

#include <activations/functional.h>

namespace activations {

/// Options for `MyReLU`. Example: `MyReLU relu(MyReLUOptions().inplace(true));`
struct MyReLUOptions {
  /* implicit */ MyReLUOptions(bool inplace = false);

  /// Apply the activation to the input in place. Default: false.
  TORCH_ARG(bool, inplace);
};

/// Options for `MyLeakyReLU`. The default slope is the chapter's gamma = 0.2
/// (LibTorch's torch::nn::LeakyReLUOptions defaults to 0.01).
/// Example: `MyLeakyReLU m(MyLeakyReLUOptions().negative_slope(0.01).inplace(true));`
struct MyLeakyReLUOptions {
  /* implicit */ MyLeakyReLUOptions(double negative_slope = kDefaultNegativeSlope);

  /// Slope for x <= 0. Must be finite. Default: 0.2.
  TORCH_ARG(double, negative_slope);

  /// Apply the activation to the input in place. Default: false.
  TORCH_ARG(bool, inplace) = false;
};

/// Options for `MyGELU`, as LibTorch's torch::nn::GELUOptions.
/// Example: `MyGELU gelu(MyGELUOptions().approximate("tanh"));`
struct MyGELUOptions {
  /// "none" (x Phi(x), the erf form) or "tanh" (GPT-2's approximation). Default: "none".
  TORCH_ARG(std::string, approximate) = "none";
};

}  // namespace activations
