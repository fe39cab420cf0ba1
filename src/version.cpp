#include "activations/version.h"

namespace activations {

const char* version() {
  return TORCH_ACTIVATIONS_VERSION;
}

}  // namespace activations
