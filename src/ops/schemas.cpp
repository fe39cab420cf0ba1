// The one library definition of the activations:: namespace.
#include <torch/library.h>

#include "ops/schemas.h"

TORCH_LIBRARY(activations, m) {
  for (const char* schema : activations::ops::kOperatorSchemas) m.def(schema);
}
