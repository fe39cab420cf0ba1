// Differential fuzzing against LibTorch: a reproducible generator of cases (operator, variant,
// dtype, shape, layout, values, autograd, slope, out= target) and a checker that runs each case
// through our operators and through torch and reports any difference.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace activations::fuzz {

// Where the generator's decisions come from: a seeded stream (CI, regressions) or the bytes of
// a libFuzzer input.
class Choices {
 public:
  virtual ~Choices() = default;
  // A value in [0, bound), bound >= 1.
  virtual uint64_t below(uint64_t bound) = 0;
  template <typename T>
  const T& pick(const std::vector<T>& options) {
    return options[below(options.size())];
  }
  bool coin() { return below(2) == 1; }
};

class SeededChoices final : public Choices {
 public:
  explicit SeededChoices(uint64_t seed) : state_(seed) {}
  uint64_t below(uint64_t bound) override;

 private:
  uint64_t state_;
};

class ByteChoices final : public Choices {
 public:
  ByteChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t below(uint64_t bound) override;

 private:
  const uint8_t* data_;
  size_t size_;
  size_t used_ = 0;
};

enum class Activation { kSigmoid, kTanh, kRelu, kLeakyRelu, kSilu, kGelu, kGeluTanh };
constexpr uint64_t kActivationCount = 7;
enum class Variant { kForward, kInplace, kOut, kBackward };
enum class Layout { kContiguous, kTransposed, kSliced, kExpanded, kChannelsLast, kOffset };
enum class OutTarget { kMatching, kWrongShape, kEmpty, kOtherDtype, kTransposed };

struct FuzzCase {
  Activation activation;
  Variant variant;
  torch::ScalarType dtype;
  std::vector<int64_t> shape;
  Layout layout;
  bool requires_grad;
  double slope;
  OutTarget out_target;
  torch::ScalarType out_dtype;
  uint64_t value_seed;

  std::string describe() const;
};

FuzzCase generate(Choices& choices);

// The case's input (a view with the case's layout over a fresh base) and, for backward, its
// gradient; both deterministic in the case.
torch::Tensor make_input(const FuzzCase& c);

// Runs the case through ours and torch; returns "" when they agree (or where we differ on
// purpose, when ours does what the README documents), else what differs.
std::string check(const FuzzCase& c);

}  // namespace activations::fuzz
