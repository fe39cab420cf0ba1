#include "kernels/huge_pages.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace activations::kernels {
namespace {

// Read at each call, so a program may change it while running; one getenv is nothing next to
// writing 16 MiB.
bool turned_on() {
  const char* setting = std::getenv("ACTIVATIONS_HUGE_PAGES");
  return setting != nullptr && std::strcmp(setting, "1") == 0;
}

}  // namespace

void advise_huge_pages(const at::Tensor& fresh_output) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (!fresh_output.device().is_cpu()) return;
  const auto bytes = static_cast<int64_t>(fresh_output.storage().nbytes());
  if (bytes < kHugePageAdviceBytes || !turned_on()) return;
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(fresh_output.storage().data());
  const uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = (begin + static_cast<uintptr_t>(bytes)) & ~(kHugePage - 1);
  // A refusal (no THP in this kernel) leaves ordinary pages, which are just as correct.
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)fresh_output;
#endif
}

}  // namespace activations::kernels
