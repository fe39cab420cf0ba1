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

#include <sys/mman.h>

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

// Whether advice on a mapping of our own shows in smaps: not under qemu-user (scripts/
// test_arm64.sh), which takes madvise(MADV_HUGEPAGE) and does nothing with it.
bool advice_shows_in_smaps() {
  constexpr size_t kBytes = size_t{4} << 20;
  void* mapping = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) return false;
  const bool shows =
      madvise(mapping, kBytes, MADV_HUGEPAGE) == 0 &&
      mapping_flags(static_cast<char*>(mapping) + kBytes / 2).find(" hg ") != std::string::npos;
  munmap(mapping, kBytes);
  return shows;
}

const void* middle_of(const torch::Tensor& t) {
  return static_cast<const char*>(t.data_ptr()) + t.nbytes() / 2;
}

constexpr int64_t kLargeElements = 8 << 20;  // 32 MiB of float, above the 16 MiB threshold

class HugePages : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kernel_has_transparent_huge_pages()) GTEST_SKIP() << "no transparent huge pages";
    if (!advice_shows_in_smaps()) GTEST_SKIP() << "madvise(MADV_HUGEPAGE) does not show in smaps";
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
