// libFuzzer entry point over the differential generator: the input bytes drive every choice.
// Build and run with scripts/fuzz.sh; a failing input is written by libFuzzer as crash-*, and
// belongs in tests/fuzz/regressions/ (listed in LIST) once fixed.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_case.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  activations::fuzz::ByteChoices choices(data, size);
  const auto c = activations::fuzz::generate(choices);
  const std::string problem = activations::fuzz::check(c);
  if (!problem.empty()) {
    std::fprintf(stderr, "mismatch: %s: %s\n", c.describe().c_str(), problem.c_str());
    std::abort();
  }
  return 0;
}
