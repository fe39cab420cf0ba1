// With ACTIVATIONS_HUGE_PAGES=1, large outputs of the allocating operators are advised to use
// transparent huge pages; the advice shows as the "hg" flag of their mapping in
// /proc/self/smaps. Without it, nothing is advised.
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace activations::testing {
namespace {

// The VmFlags of the mapping that holds `address`, or "" where smaps does not list it.
std::string mapping_flags(const void* address) {
  const auto target = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0;
    uintptr_t end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= target && target < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return "";
}

bool kernel_has_transparent_huge_pages() {
  return std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good();
}

const void* middle_of(const torch::Tensor& t) {
  return static_cast<const char*>(t.data_ptr()) + t.nbytes() / 2;
}

constexpr int64_t kLargeElements = 8 << 20;  // 32 MiB of float, above the 16 MiB threshold

class HugePages : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kernel_has_transparent_huge_pages()) GTEST_SKIP() << "no transparent huge pages";
    ::setenv("ACTIVATIONS_HUGE_PAGES", "1", 1);
  }
  void TearDown() override { ::unsetenv("ACTIVATIONS_HUGE_PAGES"); }
};

TEST_F(HugePages, LargeForwardOutputIsAdvised) {
  const auto input = torch::zeros({kLargeElements});
  for (const auto& out : {activations::sigmoid(input), activations::relu(input),
                          activations::leaky_relu(input, 0.2), activations::tanh(input)}) {
    EXPECT_NE(mapping_flags(middle_of(out)).find(" hg "), std::string::npos);
    EXPECT_TRUE(out.eq(out[0]).all().item<bool>());
  }
}

TEST_F(HugePages, LargeBackwardOutputIsAdvised) {
  const auto grad = torch::ones({kLargeElements});
  const auto output = torch::full({kLargeElements}, 0.5);
  const auto grad_input = activations::sigmoid_backward(grad, output);
  EXPECT_NE(mapping_flags(middle_of(grad_input)).find(" hg "), std::string::npos);
  EXPECT_TRUE(grad_input.eq(0.25).all().item<bool>());
}

TEST_F(HugePages, InputsAreNotAdvised) {
  // Only our own fresh outputs are advised: the input, allocated by torch, keeps its mapping.
  const auto input = torch::zeros({kLargeElements});
  const auto out = activations::sigmoid(input);
  EXPECT_EQ(mapping_flags(middle_of(input)).find(" hg "), std::string::npos);
}

TEST(HugePagesByDefault, NothingIsAdvised) {
  if (!kernel_has_transparent_huge_pages()) GTEST_SKIP() << "no transparent huge pages";
  ASSERT_EQ(std::getenv("ACTIVATIONS_HUGE_PAGES"), nullptr);
  const auto out = activations::sigmoid(torch::zeros({kLargeElements}));
  EXPECT_EQ(mapping_flags(middle_of(out)).find(" hg "), std::string::npos);
  EXPECT_TRUE(out.eq(0.5).all().item<bool>());
}

}  // namespace
}  // namespace activations::testing
