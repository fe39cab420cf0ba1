// Round trip, C++ side: load the model Python scripted with our operators and the outputs
// Python computed (python_check/make_scripted_model.py), run it here and compare.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <activations/activations.h>

#include <cstdlib>
#include <string>

namespace {

TEST(TorchScriptRoundTrip, CppGetsPythonsOutputs) {
  // Linking the library registers the operators; the call keeps the link.
  ASSERT_STRNE(activations::version(), "");
  const char* dir = std::getenv("ROUNDTRIP_DIR");
  ASSERT_NE(dir, nullptr) << "ROUNDTRIP_DIR is not set";
  auto model = torch::jit::load(std::string(dir) + "/model.pt");
  auto data = torch::jit::load(std::string(dir) + "/data.pt");
  const auto x = data.attr("x").toTensor();
  const auto expected = data.attr("y").toTensor();
  const auto y = model.forward({x}).toTensor();
  EXPECT_TRUE(torch::equal(y, expected));
  const std::string graph = model.get_method("forward").graph()->toString();
  for (const char* name : {"activations::leaky_relu", "activations::tanh", "activations::relu",
                           "activations::sigmoid"}) {
    EXPECT_NE(graph.find(name), std::string::npos) << name;
  }
}

}  // namespace
