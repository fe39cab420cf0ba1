#include "fuzz_case.h"

#include <activations/activations.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "test_helpers.h"

namespace activations::fuzz {

using testing::exact_gelu;
using testing::exact_gelu_derivative;
using testing::exact_gelu_tanh;
using testing::exact_gelu_tanh_derivative;
using testing::exact_sigmoid;
using testing::exact_silu;
using testing::exact_silu_derivative;
using testing::exact_tanh;
using testing::first_bit_difference;
using testing::FloatFormat;
using testing::format_of;
using testing::ulp_error;
using testing::ulp_report;

uint64_t SeededChoices::below(uint64_t bound) {
  // SplitMix64: fixed arithmetic, so a seed means the same case on every machine.
  state_ += 0x9E3779B97F4A7C15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) % bound;
}

uint64_t ByteChoices::below(uint64_t bound) {
  uint64_t value = 0;
  for (uint64_t range = 1; range < bound && used_ < size_; range <<= 8) {
    value = (value << 8) | data_[used_++];
  }
  return value % bound;
}

namespace {

const char* name(Activation a) {
  switch (a) {
    case Activation::kSigmoid:
      return "sigmoid";
    case Activation::kTanh:
      return "tanh";
    case Activation::kRelu:
      return "relu";
    case Activation::kLeakyRelu:
      return "leaky_relu";
    case Activation::kSilu:
      return "silu";
    case Activation::kGelu:
      return "gelu";
    case Activation::kGeluTanh:
      return "gelu(tanh)";
  }
  return "?";
}

// torch's `approximate` argument for the two GELU forms.
const char* gelu_form(Activation a) {
  return a == Activation::kGeluTanh ? "tanh" : "none";
}

const char* name(Variant v) {
  switch (v) {
    case Variant::kForward:
      return "forward";
    case Variant::kInplace:
      return "inplace";
    case Variant::kOut:
      return "out";
    case Variant::kBackward:
      return "backward";
  }
  return "?";
}

const char* name(Layout l) {
  switch (l) {
    case Layout::kContiguous:
      return "contiguous";
    case Layout::kTransposed:
      return "transposed";
    case Layout::kSliced:
      return "sliced";
    case Layout::kExpanded:
      return "expanded";
    case Layout::kChannelsLast:
      return "channels_last";
    case Layout::kOffset:
      return "offset";
  }
  return "?";
}

bool floating(torch::ScalarType t) {
  return t == torch::kFloat || t == torch::kDouble || t == torch::kHalf || t == torch::kBFloat16;
}

// Dtypes of this torch that no kernel of ours takes, each refused with the operator's name.
std::vector<torch::ScalarType> refused_dtypes() {
  auto dtypes = activations::testing::newer_torch_dtypes();
  dtypes.push_back(torch::kComplexFloat);
  return dtypes;
}
const std::vector<torch::ScalarType> kRefusedDtypes = refused_dtypes();

bool refused(torch::ScalarType t) {
  return std::find(kRefusedDtypes.begin(), kRefusedDtypes.end(), t) != kRefusedDtypes.end();
}

// Lengths around SIMD widths (4, 8, 16 lanes, unrolled twice) and the threading grains.
const std::vector<int64_t> kLengths = {1, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 65, 0};
const std::vector<int64_t> kGrainLengths = {4095, 4096, 4097, 32767, 32768, 32769};
constexpr int64_t kMaxElements = 70000;

}  // namespace

std::string FuzzCase::describe() const {
  std::ostringstream s;
  s << name(activation) << " " << name(variant) << " " << dtype << " shape [";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << "] " << name(layout) << (requires_grad ? " requires_grad" : "") << " slope " << slope
    << " out " << static_cast<int>(out_target) << "/" << out_dtype << " values " << value_seed;
  return s.str();
}

FuzzCase generate(Choices& choices) {
  FuzzCase c;
  c.activation = static_cast<Activation>(choices.below(kActivationCount));
  c.variant =
      choices.pick(std::vector<Variant>{Variant::kForward, Variant::kForward, Variant::kInplace,
                                        Variant::kOut, Variant::kBackward, Variant::kBackward});
  std::vector<torch::ScalarType> dtypes = {
      torch::kFloat,    torch::kFloat,  torch::kFloat,    torch::kFloat,
      torch::kDouble,   torch::kDouble, torch::kBFloat16, torch::kHalf,
      torch::kBFloat16, torch::kHalf,   torch::kUInt8,    torch::kInt8,
      torch::kInt16,    torch::kInt32,  torch::kInt64,    torch::kBool};
  dtypes.insert(dtypes.end(), kRefusedDtypes.begin(), kRefusedDtypes.end());
  c.dtype = choices.pick(dtypes);
  const int64_t ndim =
      static_cast<int64_t>(choices.pick(std::vector<int>{0, 1, 1, 2, 2, 3, 4, 5, 6}));
  if (ndim == 1 && choices.below(4) == 0) {
    c.shape = {choices.pick(kGrainLengths)};
  } else {
    for (int64_t d = 0; d < ndim; ++d) c.shape.push_back(choices.pick(kLengths));
    int64_t numel = 1;
    for (auto& length : c.shape) {
      if (numel * length > kMaxElements) length = 1;
      numel *= std::max<int64_t>(length, 1);
    }
  }
  c.layout = static_cast<Layout>(choices.below(6));
  c.requires_grad = floating(c.dtype) && choices.below(3) == 0;
  c.slope = choices.pick(std::vector<double>{0.2, 0.01, 0.0, 1.0, -0.5, -2.0, 1e6, 1e-30, 3.7,
                                             std::numeric_limits<double>::infinity()});
  c.out_target = static_cast<OutTarget>(choices.below(5));
  c.out_dtype = choices.pick(
      std::vector<torch::ScalarType>{torch::kDouble, torch::kHalf, torch::kLong, torch::kFloat});
  c.value_seed = choices.below(uint64_t{1} << 62);
  return c;
}

namespace {

// Values as activations meet them, with the special ones mixed in: signed zeros, subnormals,
// extremes, infinities, NaN, and the points where exp overflows and sigmoid/tanh saturate.
torch::Tensor values(const std::vector<int64_t>& shape, torch::ScalarType dtype, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  if (dtype == torch::kBool) return torch::randint(0, 2, shape, generator).to(torch::kBool);
  if (c10::isIntegralType(dtype, false)) {
    return torch::randint(-128, 128, shape, generator).to(dtype);
  }
  auto x = torch::randn(shape, generator, torch::kFloat64);
  auto flat = x.view({-1});
  if (flat.numel() > 0) {
    flat.mul_(torch::pow(10.0, torch::randint(-4, 3, {flat.numel()}, generator)));
    const std::vector<double> specials = {
        0.0,    -0.0,    1e-45,   -1e-45,   1.2e-38,   -1.2e-38, 1e-8,  88.72,  -88.72,
        89.0,   -103.97, -104.0,  9.01,     -9.01,     19.06,    44.36, -745.2, 710.0,
        3.4e38, -3.4e38, 1.8e308, INFINITY, -INFINITY, NAN,      -NAN};
    const auto special_values = torch::tensor(specials, torch::kFloat64);
    const auto positions = torch::rand({flat.numel()}, generator) < 0.3;
    const auto picks = torch::randint(0, special_values.numel(), {flat.numel()}, generator);
    flat.copy_(torch::where(positions, special_values.index({picks}), flat));
  }
  if (dtype == torch::kComplexFloat)
    return torch::complex(x.to(torch::kFloat), x.to(torch::kFloat));
  return x.to(dtype);
}

struct Input {
  torch::Tensor leaf;  // what gradients are taken with respect to, if any
  torch::Tensor view;  // the tensor with the case's layout
};

Input build(const FuzzCase& c) {
  const auto& shape = c.shape;
  std::vector<int64_t> base_shape = shape;
  Layout layout = c.layout;
  if (layout == Layout::kTransposed && shape.size() < 2) layout = Layout::kContiguous;
  if (layout == Layout::kChannelsLast && shape.size() != 4) layout = Layout::kContiguous;
  int64_t expanded_dim = -1;
  if (layout == Layout::kExpanded) {
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] > 1) expanded_dim = static_cast<int64_t>(d);
    }
    if (expanded_dim < 0) layout = Layout::kContiguous;
  }
  switch (layout) {
    case Layout::kTransposed:
      std::swap(base_shape[shape.size() - 1], base_shape[shape.size() - 2]);
      break;
    case Layout::kSliced:
      for (auto& length : base_shape) length *= 2;
      break;
    case Layout::kExpanded:
      base_shape[expanded_dim] = 1;
      break;
    case Layout::kOffset: {
      int64_t numel = 1;
      for (auto length : shape) numel *= length;
      base_shape = {numel + 3};
      break;
    }
    default:
      break;
  }
  Input input;
  auto base = values(base_shape, c.dtype, c.value_seed);
  if (c.requires_grad) {
    input.leaf = base.requires_grad_(true);
    base = input.leaf * 1;  // a non-leaf, which in-place variants may overwrite
  }
  switch (layout) {
    case Layout::kTransposed:
      input.view = base.transpose(-1, -2);
      break;
    case Layout::kSliced: {
      auto view = base;
      for (size_t d = 0; d < shape.size(); ++d) view = view.slice(d, 1, base_shape[d], 2);
      input.view = view;
      break;
    }
    case Layout::kExpanded:
      input.view = base.expand(shape);
      break;
    case Layout::kChannelsLast:
      input.view = base.contiguous(torch::MemoryFormat::ChannelsLast);
      break;
    case Layout::kOffset:
      input.view = base.slice(0, 3).view(shape);
      break;
    default:
      input.view = base;
  }
  return input;
}

// Runs `call`, returning the error message ("" on success).
template <typename F>
std::string error_of(const F& call) {
  try {
    call();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "";
}

torch::Tensor torch_forward(Activation a, const torch::Tensor& x, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      return torch::sigmoid(x);
    case Activation::kTanh:
      return torch::tanh(x);
    case Activation::kRelu:
      return testing::torch_relu(x);
    case Activation::kLeakyRelu:
      return torch::leaky_relu(x, slope);
    case Activation::kSilu:
      return torch::silu(x);
    case Activation::kGelu:
    case Activation::kGeluTanh:
      return torch::gelu(x, gelu_form(a));
  }
  return {};
}

torch::Tensor ours_forward(Activation a, const torch::Tensor& x, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      return activations::sigmoid(x);
    case Activation::kTanh:
      return activations::tanh(x);
    case Activation::kRelu:
      return activations::relu(x);
    case Activation::kLeakyRelu:
      return activations::leaky_relu(x, slope);
    case Activation::kSilu:
      return activations::silu(x);
    case Activation::kGelu:
    case Activation::kGeluTanh:
      return activations::gelu(x, gelu_form(a));
  }
  return {};
}

void ours_inplace(Activation a, torch::Tensor& x, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      activations::sigmoid_(x);
      break;
    case Activation::kTanh:
      activations::tanh_(x);
      break;
    case Activation::kRelu:
      activations::relu_(x);
      break;
    case Activation::kLeakyRelu:
      activations::leaky_relu_(x, slope);
      break;
    case Activation::kSilu:
      activations::silu_(x);
      break;
    case Activation::kGelu:
    case Activation::kGeluTanh:
      activations::gelu_(x, gelu_form(a));
      break;
  }
}

void torch_inplace(Activation a, torch::Tensor& x, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      torch::sigmoid_(x);
      break;
    case Activation::kTanh:
      torch::tanh_(x);
      break;
    case Activation::kRelu:
      testing::torch_relu_(x);
      break;
    case Activation::kLeakyRelu:
      torch::leaky_relu_(x, slope);
      break;
    case Activation::kSilu:
      torch::silu_(x);
      break;
    case Activation::kGelu:
    case Activation::kGeluTanh:
      torch::gelu_(x, gelu_form(a));
      break;
  }
}

void ours_out(Activation a, const torch::Tensor& x, torch::Tensor& out, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      activations::sigmoid_out(x, out);
      break;
    case Activation::kTanh:
      activations::tanh_out(x, out);
      break;
    case Activation::kRelu:
      activations::relu_out(x, out);
      break;
    case Activation::kLeakyRelu:
      activations::leaky_relu_out(x, slope, out);
      break;
    case Activation::kSilu:
      activations::silu_out(x, out);
      break;
    case Activation::kGelu:
    case Activation::kGeluTanh:
      activations::gelu_out(x, gelu_form(a), out);
      break;
  }
}

void torch_out(Activation a, const torch::Tensor& x, torch::Tensor& out, double slope) {
  switch (a) {
    case Activation::kSigmoid:
      at::sigmoid_out(out, x);
      break;
    case Activation::kTanh:
      at::tanh_out(out, x);
      break;
    case Activation::kRelu:
      testing::torch_clamp_min_out(out, x);
      break;
    case Activation::kLeakyRelu:
      at::leaky_relu_out(out, x, slope);
      break;
    case Activation::kSilu:
      at::silu_out(out, x);
      break;
    case Activation::kGelu:
    case Activation::kGeluTanh:
      at::gelu_out(out, x, gelu_form(a));
      break;
  }
}

// The activations whose backward works from the input, checked against their exact derivative.
bool backward_from_input(Activation a) {
  return a == Activation::kSilu || a == Activation::kGelu || a == Activation::kGeluTanh;
}

// What autograd keeps for backward: the output (sigmoid, tanh, relu) or the input.
torch::Tensor saved_for_backward(Activation a, const torch::Tensor& x, double slope) {
  if (a == Activation::kLeakyRelu || backward_from_input(a)) return x;
  const auto wide = x.scalar_type() == torch::kHalf ? x.to(torch::kFloat) : x;
  return torch_forward(a, wide, slope).to(x.scalar_type());
}

torch::Tensor ours_backward(Activation a, const torch::Tensor& g, const torch::Tensor& s,
                            double slope) {
  switch (a) {
    case Activation::kSigmoid:
      return activations::sigmoid_backward(g, s);
    case Activation::kTanh:
      return activations::tanh_backward(g, s);
    case Activation::kRelu:
      return activations::relu_backward(g, s);
    case Activation::kLeakyRelu:
      return activations::leaky_relu_backward(g, s, slope, false);
    case Activation::kSilu:
      return activations::silu_backward(g, s);
    case Activation::kGelu:
    case Activation::kGeluTanh:
      return activations::gelu_backward(g, s, gelu_form(a));
  }
  return {};
}

torch::Tensor torch_backward(Activation a, const torch::Tensor& g, const torch::Tensor& s,
                             double slope) {
  switch (a) {
    case Activation::kSigmoid:
      return at::sigmoid_backward(g, s);
    case Activation::kTanh:
      return at::tanh_backward(g, s);
    case Activation::kRelu:
      return at::threshold_backward(g, s, 0);
    case Activation::kLeakyRelu:
      return at::leaky_relu_backward(g, s, slope, false);
    case Activation::kSilu:
      return at::silu_backward(g, s);
    case Activation::kGelu:
    case Activation::kGeluTanh:
      return at::gelu_backward(g, s, gelu_form(a));
  }
  return {};
}

// torch 1.13 has no float16 CPU kernels here: the reference is its float32 result rounded once.
template <typename F>
torch::Tensor reference(const torch::Tensor& x, const F& op) {
  if (x.scalar_type() == torch::kHalf) return op(x.to(torch::kFloat)).to(torch::kHalf);
  return op(x);
}

// The activations that differ from torch's in the last bits: checked against their exact values.
bool smooth(Activation a) {
  return a == Activation::kSigmoid || a == Activation::kTanh || backward_from_input(a);
}

long double (*exact_forward(Activation a))(long double) {
  switch (a) {
    case Activation::kSigmoid:
      return &exact_sigmoid;
    case Activation::kTanh:
      return &exact_tanh;
    case Activation::kGelu:
      return &exact_gelu;
    case Activation::kGeluTanh:
      return &exact_gelu_tanh;
    default:
      return &exact_silu;
  }
}

long double (*exact_derivative(Activation a))(long double) {
  switch (a) {
    case Activation::kGelu:
      return &exact_gelu_derivative;
    case Activation::kGeluTanh:
      return &exact_gelu_tanh_derivative;
    default:
      return &exact_silu_derivative;
  }
}

// The README's bounds: 1 ULP in float32 (2 here for the fuzzer's slack on sigmoid's rounding
// of x), correctly rounded 16-bit; float64 GELU with its some ten roundings within 10 ULP.
double ulp_bound(Activation a, torch::ScalarType dtype) {
  if (dtype == torch::kHalf || dtype == torch::kBFloat16) return 1.0;
  if (dtype == torch::kDouble && (a == Activation::kGelu || a == Activation::kGeluTanh)) {
    return 10.0;
  }
  return 2.0;
}

// Our values against torch's: bit for bit where torch is exact (NaN payloads aside), within
// the ULP bound of the exact value where it is not (sigmoid and tanh of floating inputs).
std::string compare_values(const FuzzCase& c, const torch::Tensor& x, const torch::Tensor& ours,
                           const torch::Tensor& theirs) {
  if (ours.scalar_type() != theirs.scalar_type()) return "dtype differs";
  if (ours.sizes() != theirs.sizes()) return "sizes differ";
  if (smooth(c.activation) && floating(ours.scalar_type())) {
    const auto report = ulp_report(x.detach().to(ours.scalar_type()).to(torch::kFloat64),
                                   ours.detach(), exact_forward(c.activation));
    if (report.max_ulp > ulp_bound(c.activation, ours.scalar_type())) {
      return "error " + std::to_string(report.max_ulp) +
             " ULP at x = " + std::to_string(report.worst_input);
    }
    if (report.nan_for_finite_input > 0) return "NaN for a finite input";
    if (!torch::equal(torch::isnan(ours.detach()), torch::isnan(x.detach()))) {
      return "NaN positions differ";
    }
    return "";
  }
  const int64_t at = first_bit_difference(ours.detach(), theirs.detach(), true);
  return at < 0 ? "" : "values differ at " + std::to_string(at);
}

// |ours - theirs| within a tolerance scaled to the weights: where our forward differs from
// torch's in the last bits (or in the tail, where torch's loses everything), so may gradients.
bool close_within_weights(const FuzzCase& c, const torch::Tensor& weights,
                          const torch::Tensor& ours_grad, const torch::Tensor& theirs_grad) {
  if (weights.numel() == 0) return true;
  // 16-bit: torch's bfloat16 silu gradient is off by up to 3 ULP (2.5 for 2.5469 at x = 5.6875)
  const double tolerance = c.dtype == torch::kDouble  ? 1e-12
                           : c.dtype == torch::kFloat ? 1e-5
                                                      : 5e-2;
  const auto scale = weights.abs().max().to(torch::kFloat64).item<double>() + 1e-300;
  const auto difference =
      (ours_grad.to(torch::kFloat64) - theirs_grad.to(torch::kFloat64)).abs().nan_to_num(0);
  // NaN only where torch's is NaN: torch's silu gradient is NaN at +-inf, ours the limits; and
  // compared only where torch's is finite (its gelu tanh gradient overflows in x^3 near 1.9e19)
  const auto compared =
      torch::where(torch::isfinite(theirs_grad), difference, torch::zeros_like(difference));
  return compared.max().item<double>() <= tolerance * scale &&
         !(torch::isnan(ours_grad) & ~torch::isnan(theirs_grad)).any().item<bool>();
}

// Our gradient against torch's own, through the same layout (float16 through float32).
bool close_to_torch_gradient(const FuzzCase& c, const torch::Tensor& weights,
                             const torch::Tensor& ours_grad) {
  auto theirs_input = build(c);
  const auto wide =
      c.dtype == torch::kHalf ? theirs_input.view.to(torch::kFloat) : theirs_input.view;
  const auto y = torch_forward(c.activation, wide, c.slope);
  const auto theirs_grad =
      torch::autograd::grad({(y * weights.to(y.scalar_type())).sum()}, {theirs_input.leaf})[0].to(
          c.dtype);
  return close_within_weights(c, weights, ours_grad, theirs_grad);
}

// SiLU's and GELU's backward against g times the exact derivative rounded to the compute type:
// where the result is float32 or narrower, within 3 ULP of the result's format (the kernel's
// float derivative is within 1 ULP of the rounded one, 0.79 ULP of the exact for SiLU's float
// path, which the product with g can double relative to the product's ULP, and both products are
// rounded), within 1e-13 relative in float64 (a few roundings, and near the derivative's zero an
// absolute error of a few 2^-53), NaN where it is NaN.
std::string compare_backward_from_input(Activation a, const torch::Tensor& grad,
                                        const torch::Tensor& x, const torch::Tensor& ours) {
  const bool in_double = ours.scalar_type() == torch::kDouble;
  const FloatFormat format = format_of(ours.scalar_type());
  const auto g = grad.expand(ours.sizes()).to(torch::kFloat64).contiguous();
  const auto v = x.expand(ours.sizes()).to(torch::kFloat64).contiguous();
  const auto y = ours.to(torch::kFloat64).contiguous();
  const double* gs = g.data_ptr<double>();
  const double* vs = v.data_ptr<double>();
  const double* ys = y.data_ptr<double>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    const long double derivative = exact_derivative(a)(vs[i]);
    const long double rounded =
        in_double ? static_cast<double>(derivative) : static_cast<float>(derivative);
    const long double product = in_double ? static_cast<long double>(gs[i] * double(rounded))
                                          : static_cast<float>(float(gs[i]) * float(rounded));
    if (std::isnan(product) != std::isnan(ys[i]))
      return "NaN positions differ at " + std::to_string(i);
    const bool close = ys[i] == product ||  // infinities too
                       (in_double ? std::fabs(ys[i] - product) <=
                                        1e-13 * std::fabs(product) + 1e-15 * std::fabs(gs[i])
                                  : ulp_error(ys[i], product, format) <= 3.0);
    if (!std::isnan(product) && !close) {
      return std::string(name(a)) + " backward off by " +
             std::to_string(ulp_error(ys[i], product, format)) + " ULP at " + std::to_string(i);
    }
  }
  return "";
}

std::string check_forward(const FuzzCase& c) {
  const auto input = build(c);
  const auto x = input.view;
  const auto before = x.detach().clone();
  torch::Tensor ours, theirs;
  const auto our_error = error_of([&] { ours = ours_forward(c.activation, x, c.slope); });
  const auto torch_error = error_of([&] {
    theirs = reference(
        x, [&](const torch::Tensor& t) { return torch_forward(c.activation, t, c.slope); });
  });
  if (first_bit_difference(x.detach(), before) >= 0) return "the input changed";
  // Documented: we refuse complex tensors and non-finite slopes, which torch accepts.
  const bool we_refuse =
      refused(c.dtype) || (c.activation == Activation::kLeakyRelu && !std::isfinite(c.slope));
  if (!our_error.empty()) {
    if (our_error.find("activations::") == std::string::npos) return "error without the op name";
    return torch_error.empty() && !we_refuse ? "ours failed: " + our_error : "";
  }
  if (!torch_error.empty()) return "torch failed, ours did not: " + torch_error;
  if (we_refuse) return "ours accepted what it documents refusing";
  if (ours.strides() != theirs.strides()) return "strides differ";
  if (auto d = compare_values(c, x, ours, theirs); !d.empty()) return d;
  if (!c.requires_grad) return "";
  // Gradients: our autograd against torch's backward formula applied to our output (sigmoid,
  // tanh) or against torch's own gradient (relu, leaky_relu, exact).
  const auto weights = values(c.shape, c.dtype, c.value_seed + 1).nan_to_num(0, 0, 0);
  const auto ours_grad = torch::autograd::grad({(ours * weights).sum()}, {input.leaf})[0];
  torch::Tensor expected;
  if (backward_from_input(c.activation)) {
    return close_to_torch_gradient(c, weights, ours_grad) ? "" : "gradients differ";
  }
  if (smooth(c.activation)) {
    const auto grad_out = weights.expand(c.shape);
    const auto dy = reference(grad_out, [&](const torch::Tensor& g) {
      return c.activation == Activation::kSigmoid
                 ? at::sigmoid_backward(g, ours.detach().to(g.scalar_type()))
                 : at::tanh_backward(g, ours.detach().to(g.scalar_type()));
    });
    // Back through the layout: the same view built on a leaf receives dy.
    auto probe_input = build(c);
    expected = torch::autograd::grad({probe_input.view}, {probe_input.leaf}, {dy})[0];
  } else {
    auto theirs_input = build(c);
    const auto wide =
        c.dtype == torch::kHalf ? theirs_input.view.to(torch::kFloat) : theirs_input.view;
    auto y = torch_forward(c.activation, wide, c.slope);
    expected =
        torch::autograd::grad({(y * weights.to(y.scalar_type())).sum()}, {theirs_input.leaf})[0].to(
            c.dtype);
  }
  const int64_t at = first_bit_difference(ours_grad, expected, true);
  return at < 0 ? "" : "gradients differ at " + std::to_string(at);
}

std::string check_inplace(const FuzzCase& c) {
  auto ours_input = build(c);
  auto theirs_input = build(c);
  auto x = ours_input.view;
  auto t = theirs_input.view;
  const auto before = x.detach().clone();
  const auto our_error = error_of([&] { ours_inplace(c.activation, x, c.slope); });
  std::string torch_error;
  if (c.dtype == torch::kHalf) {
    torch_error = error_of([&] {
      auto wide = t.to(torch::kFloat);
      torch_inplace(c.activation, wide, c.slope);
      torch::NoGradGuard no_grad;
      t.copy_(wide);
    });
  } else {
    torch_error = error_of([&] { torch_inplace(c.activation, t, c.slope); });
  }
  // Documented: complex and non-finite slopes refused; leaky_relu_ with a negative slope on a
  // tensor that requires grad refused up front (torch fails later, in backward).
  const bool we_refuse =
      refused(c.dtype) || (c.activation == Activation::kLeakyRelu &&
                           (!std::isfinite(c.slope) || (c.slope < 0 && c.requires_grad)));
  if (!our_error.empty()) {
    if (our_error.find("activations::") == std::string::npos) return "error without the op name";
    if (first_bit_difference(x.detach(), before) >= 0) return "a refused call changed its input";
    return torch_error.empty() && !we_refuse ? "ours failed: " + our_error : "";
  }
  if (!torch_error.empty()) return "torch failed, ours did not: " + torch_error;
  if (we_refuse) return "ours accepted what it documents refusing";
  if (auto d = compare_values(c, before, x, t); !d.empty()) return d;
  // torch has no float16 kernel to take gradients through; the forward variant checks ours.
  if (!c.requires_grad || c.dtype == torch::kHalf) return "";
  const auto weights = values(c.shape, c.dtype, c.value_seed + 1).nan_to_num(0, 0, 0);
  const auto ours_grad = torch::autograd::grad({(x * weights).sum()}, {ours_input.leaf})[0];
  const auto theirs_grad = torch::autograd::grad({(t * weights).sum()}, {theirs_input.leaf})[0];
  if (weights.numel() == 0) return "";
  if (smooth(c.activation)) {
    return close_within_weights(c, weights, ours_grad, theirs_grad) ? "" : "gradients differ";
  }
  // In place on a view, ours runs out of place and autograd copies into the view (CopySlices),
  // which adds a zero to the gradient: equal values, but -0.0 may come back as +0.0.
  const auto equal =
      (ours_grad == theirs_grad) | (torch::isnan(ours_grad) & torch::isnan(theirs_grad));
  return equal.all().item<bool>() ? "" : "gradients differ";
}

torch::Tensor make_out(const FuzzCase& c) {
  switch (c.out_target) {
    case OutTarget::kWrongShape:
      return torch::full({3}, 7.0).to(refused(c.dtype) ? torch::kFloat : c.dtype);
    case OutTarget::kEmpty:
      return torch::empty({0}, c.dtype);
    case OutTarget::kOtherDtype:
      return torch::full(c.shape, 7.0).to(c.out_dtype);
    case OutTarget::kTransposed:
      if (c.shape.size() >= 2) {
        auto swapped = c.shape;
        std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
        return torch::full(swapped, 7.0).to(c.dtype).transpose(-1, -2);
      }
      [[fallthrough]];
    default:
      return torch::full(c.shape, 7.0).to(c.dtype);
  }
}

std::string check_out(const FuzzCase& c) {
  const auto input = build(c);
  const auto x = input.view;
  auto ours = make_out(c);
  auto theirs = make_out(c);
  const auto x_before = x.detach().clone();
  const auto out_before = ours.clone();
  const auto our_error = error_of([&] { ours_out(c.activation, x, ours, c.slope); });
  std::string torch_error;
  if (c.dtype == torch::kHalf) {
    torch_error = error_of([&] {
      auto wide_out = theirs.scalar_type() == torch::kHalf ? theirs.to(torch::kFloat) : theirs;
      auto wide_in = x.to(torch::kFloat);
      torch_out(c.activation, wide_in, wide_out, c.slope);
      if (theirs.scalar_type() == torch::kHalf) theirs = wide_out.to(torch::kHalf);
    });
    // torch's float32 stand-in accepts out= dtypes that its float16 op (had it one) would refuse
    if (c.activation == Activation::kRelu || c.activation == Activation::kLeakyRelu ||
        backward_from_input(c.activation)) {
      if (ours.scalar_type() != torch::kHalf) torch_error = "dtype";
    }
  } else {
    torch_error = error_of([&] { torch_out(c.activation, x, theirs, c.slope); });
  }
  // Documented: complex and non-finite slopes refused; relu.out refuses bool as torch::relu
  // does (its stand-in here, clamp_min, would take it).
  const bool we_refuse = refused(c.dtype) ||
                         (c.activation == Activation::kLeakyRelu && !std::isfinite(c.slope)) ||
                         (c.activation == Activation::kRelu && c.dtype == torch::kBool);
  if (first_bit_difference(x.detach(), x_before) >= 0) return "the input changed";
  if (!our_error.empty()) {
    if (our_error.find("activations::") == std::string::npos) return "error without the op name";
    if (first_bit_difference(ours, out_before) >= 0) return "a refused call changed out=";
    return torch_error.empty() && !we_refuse ? "ours failed: " + our_error : "";
  }
  if (!torch_error.empty()) return "torch failed, ours did not: " + torch_error;
  if (we_refuse) return "ours accepted what it documents refusing";
  if (ours.sizes() != theirs.sizes()) return "out sizes differ";
  if (ours.strides() != theirs.strides()) return "out strides differ";
  if (ours.scalar_type() != theirs.scalar_type()) return "out dtype differs";
  const auto forward = ours_forward(c.activation, x.detach(), c.slope);
  const int64_t at = first_bit_difference(ours, forward.to(ours.scalar_type()), true);
  return at < 0 ? "" : "out differs from the forward result at " + std::to_string(at);
}

std::string check_backward(const FuzzCase& c) {
  const auto input = build(c);
  const auto x = input.view.detach();
  const auto saved = floating(c.dtype) ? saved_for_backward(c.activation, x, c.slope) : x;
  const auto grad = values(c.shape, floating(c.dtype) ? c.dtype : torch::kFloat, c.value_seed + 2);
  torch::Tensor ours, theirs;
  const auto our_error =
      error_of([&] { ours = ours_backward(c.activation, grad, saved, c.slope); });
  // torch's bfloat16 silu and gelu backward are not compared (the exact derivative is): through
  // float, as float16's, since torch 1.13's arm64 gelu_backward sends bfloat16 to oneDNN, which
  // fails under qemu ("could not create a primitive descriptor iterator").
  const bool through_float =
      c.dtype == torch::kHalf || (c.dtype == torch::kBFloat16 && backward_from_input(c.activation));
  const auto torch_error = error_of([&] {
    if (through_float) {
      theirs =
          torch_backward(c.activation, grad.to(torch::kFloat), saved.to(torch::kFloat), c.slope)
              .to(c.dtype);
    } else {
      theirs = torch_backward(c.activation, grad, saved, c.slope);
    }
  });
  // Documented: complex tensors and non-finite slopes are refused.
  const bool we_refuse =
      refused(c.dtype) || (c.activation == Activation::kLeakyRelu && !std::isfinite(c.slope));
  if (!our_error.empty()) {
    if (our_error.find("activations::") == std::string::npos) return "error without the op name";
    return torch_error.empty() && !we_refuse ? "ours failed: " + our_error : "";
  }
  if (!torch_error.empty()) return "torch failed, ours did not: " + torch_error;
  if (we_refuse) return "ours accepted what it documents refusing";
  if (ours.scalar_type() != theirs.scalar_type()) return "dtype differs";
  if (ours.sizes() != theirs.sizes()) return "sizes differ";
  if (ours.strides() != theirs.strides()) return "strides differ";
  if (backward_from_input(c.activation)) {
    return compare_backward_from_input(c.activation, grad, saved, ours);
  }
  const int64_t at = first_bit_difference(ours, theirs, true);
  return at < 0 ? "" : "values differ at " + std::to_string(at);
}

}  // namespace

torch::Tensor make_input(const FuzzCase& c) {
  return build(c).view;
}

std::string check(const FuzzCase& c) {
  try {
    switch (c.variant) {
      case Variant::kForward:
        return check_forward(c);
      case Variant::kInplace:
        return check_inplace(c);
      case Variant::kOut:
        return check_out(c);
      case Variant::kBackward:
        return check_backward(c);
    }
  } catch (const std::exception& e) {
    return std::string("the check itself threw: ") + e.what();
  }
  return "unknown variant";
}

}  // namespace activations::fuzz
