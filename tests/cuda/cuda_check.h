// For the standalone GPU programs (tests/cuda/, bench/cuda/): stop with the CUDA error's text.
#pragma once

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

namespace activations::cuda_programs {

inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(status));
    std::exit(2);
  }
}

}  // namespace activations::cuda_programs
