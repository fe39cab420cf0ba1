// Links the installed library through its CMake package and checks that the package, the
// headers and the shared library agree on the version before using the modules.
#include <torch/torch.h>

#include <activations/activations.h>

#include <cstring>
#include <iostream>

int main() {
  if (std::strcmp(activations::version(), TORCH_ACTIVATIONS_VERSION) != 0 ||
      std::strcmp(TORCH_ACTIVATIONS_VERSION, PACKAGE_VERSION) != 0) {
    std::cerr << "version mismatch: library " << activations::version() << ", headers "
              << TORCH_ACTIVATIONS_VERSION << ", package " << PACKAGE_VERSION << "\n";
    return 1;
  }
  torch::manual_seed(0);
  torch::nn::Sequential net(torch::nn::Linear(2, 16), activations::MyTanh(),
                            torch::nn::Linear(16, 16), activations::MyLeakyReLU(0.2),
                            torch::nn::Linear(16, 1), activations::MySigmoid());
  const auto x = torch::randn({8, 2});
  const auto y = net->forward(x);
  y.sum().backward();
  const bool ok = y.sizes() == torch::IntArrayRef({8, 1}) && (y > 0).all().item<bool>() &&
                  (y < 1).all().item<bool>() && net->parameters()[0].grad().defined() &&
                  torch::equal(activations::relu(x), torch::relu(x));
  std::cout << "consumer: torch-activations " << activations::version() << " on "
            << activations::simd_target() << ", C++ " << __cplusplus << ": "
            << (ok ? "OK" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
