// Umbrella header: everything a LibTorch user needs from torch-activations.
#pragma once

#include <activations/functional.h>
#include <activations/modules.h>
#include <activations/options.h>
#include <activations/version.h>
