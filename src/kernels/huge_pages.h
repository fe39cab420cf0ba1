// Large CPU outputs are backed by transparent huge pages where the kernel offers them.
#pragma once

#include <ATen/core/Tensor.h>

namespace activations::kernels {

// Outputs at least this large come fresh from mmap (glibc's malloc serves every block above
// its 32 MiB mmap threshold that way, and most above 16 MiB), so each of their 4 KiB pages
// faults on its first write: at 1.6e7 floats that costs five times the kernel itself.
constexpr int64_t kHugePageAdviceBytes = int64_t{16} << 20;

// Asks Linux to back the 2 MiB-aligned interior of a CPU tensor of at least
// kHugePageAdviceBytes with huge pages (madvise MADV_HUGEPAGE), before anything is written
// to it: one fault per 2 MiB instead of one per 4 KiB. Only advice: where the kernel has no
// transparent huge pages, or the memory was touched before, nothing changes. Setting the
// environment variable ACTIVATIONS_HUGE_PAGES=0 turns it off (where the kernel compacts memory
// to find huge pages, a first fault can stall for milliseconds).
void advise_huge_pages(const at::Tensor& fresh_output);

}  // namespace activations::kernels
