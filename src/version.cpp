#include "activations/version.h"

#include "kernels/kernel_spec.h"

namespace activations {

const char* version() {
  return TORCH_ACTIVATIONS_VERSION;
}

const char* simd_target() {
  return kernels::simd_target_name();
}

}  // namespace activations
