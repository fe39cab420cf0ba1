// The differential fuzzer in CI: FUZZ_CASES cases (default 20000) from seed FUZZ_SEED (default
// 1), each held against torch; then every recorded regression. Prints the counts per operator
// and variant and the first failures with the seeds that replay them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "fuzz/fuzz_case.h"

namespace activations::fuzz {
namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

TEST(DifferentialFuzz, CasesAgreeWithTorch) {
  const uint64_t cases = env_or("FUZZ_CASES", 20000);
  const uint64_t seed = env_or("FUZZ_SEED", 1);
  torch::set_num_threads(2);
  std::map<std::string, int> counts;
  int failures = 0;
  for (uint64_t i = 0; i < cases; ++i) {
    SeededChoices choices(seed * 1000003 + i);
    const FuzzCase c = generate(choices);
    const std::string problem = check(c);
    ++counts[c.describe().substr(0, c.describe().find(' ', c.describe().find(' ') + 1))];
    if (!problem.empty() && ++failures <= 20) {
      ADD_FAILURE() << "case " << i << " (FUZZ_SEED=" << seed << "): " << c.describe() << ": "
                    << problem;
    }
  }
  std::printf("[ fuzz ] %llu cases from seed %llu, %d mismatches\n",
              static_cast<unsigned long long>(cases), static_cast<unsigned long long>(seed),
              failures);
  for (const auto& [what, count] : counts)
    std::printf("[ fuzz ]   %-22s %d\n", what.c_str(), count);
  EXPECT_EQ(failures, 0);
}

// Inputs libFuzzer found failing, kept as files of bytes and replayed here.
TEST(DifferentialFuzz, RecordedRegressionsStayFixed) {
  std::ifstream list(std::string(ACTIVATIONS_FUZZ_REGRESSIONS) + "/LIST");
  int replayed = 0;
  for (std::string file; std::getline(list, file);) {
    if (file.empty() || file[0] == '#') continue;
    std::ifstream input(std::string(ACTIVATIONS_FUZZ_REGRESSIONS) + "/" + file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(input)),
                            std::istreambuf_iterator<char>());
    ByteChoices choices(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const FuzzCase c = generate(choices);
    EXPECT_EQ(check(c), "") << file << ": " << c.describe();
    ++replayed;
  }
  std::printf("[ fuzz ] replayed %d recorded regressions\n", replayed);
}

}  // namespace
}  // namespace activations::fuzz
