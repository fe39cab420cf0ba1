#include "activations/options.h"

namespace activations {

MyReLUOptions::MyReLUOptions(bool inplace) : inplace_(inplace) {}

MyLeakyReLUOptions::MyLeakyReLUOptions(double negative_slope) : negative_slope_(negative_slope) {}

}  // namespace activations
