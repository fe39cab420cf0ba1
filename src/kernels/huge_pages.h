// Large CPU outputs are backed by transparent huge pages where the kernel offers them.
#pragma once

#include <ATen/core/Tensor.h>

namespace activations::kernels {

// Outputs at least this large come fresh from mmap (glibc's malloc serves every block above
// its 32 MiB mmap threshold that way, and most above 16 MiB), so each of their 4 KiB pages
// faults on its first write: at 1.6e7 floats that costs five times the kernel itself.
constexpr int64_t kHugePageAdviceBytes = int64_t{16} << 20;

// Where the environment variable ACTIVATIONS_HUGE_PAGES is 1, asks Linux to back the 2 MiB-
// aligned interior of a CPU tensor of at least kHugePageAdviceBytes with huge pages (madvise
// MADV_HUGEPAGE), before anything is written to it: one fault per 2 MiB instead of one per
// 4 KiB, three times faster allocating calls at 1.6e7 floats here once memory is warm. Off by
// default, as PyTorch's own THP_MEM_ALLOC_ENABLE: where the kernel must compact memory, or a
// hypervisor must back pages again that the guest reported free (this machine's VM), a huge
// page fault costs milliseconds and the same calls ran three times slower for seconds at a time.
// Only advice: without transparent huge pages, or on memory touched before, nothing changes.
void advise_huge_pages(const at::Tensor& fresh_output);

}  // namespace activations::kernels
