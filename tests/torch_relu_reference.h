// torch's relu as the reference for ours: its result, with the sign of zero of the input kept.
// On x86 that is torch's relu itself. On aarch64, torch 1.13's float relu returns +0.0 for -0.0
// inside its vectorized blocks of 16 elements and -0.0 elsewhere, so its bits for -0.0 depend on
// where the element sits; ours keep -0.0 everywhere, as torch does on x86 and in its other dtypes.
#pragma once

#include <torch/torch.h>

namespace activations::testing {

// Whether torch turned some -0.0 of x into +0.0 in y (never on x86, where y is then kept as it
// is, with its autograd history).
inline bool lost_sign_of_zero(const torch::Tensor& x, const torch::Tensor& y) {
  if (!x.is_floating_point()) return false;
  torch::NoGradGuard no_grad;
  return (torch::signbit(x) & (x == 0) & ~torch::signbit(y)).any().item<bool>();
}

inline torch::Tensor& keep_sign_of_zero(const torch::Tensor& x, torch::Tensor& y) {
  if (!lost_sign_of_zero(x, y)) return y;
  torch::NoGradGuard no_grad;
  y.copy_(torch::where(x == 0, x.to(y.scalar_type()), y));
  return y;
}

inline torch::Tensor torch_relu(const torch::Tensor& x) {
  auto y = torch::relu(x);
  if (!lost_sign_of_zero(x, y)) return y;
  auto kept = y.clone();  // a new version of torch's result, not the one its backward saved
  return keep_sign_of_zero(x, kept);
}

inline torch::Tensor& torch_relu_(torch::Tensor& x) {
  const auto input = x.detach().clone();
  torch::relu_(x);
  return keep_sign_of_zero(input, x);
}

inline torch::Tensor& torch_clamp_min_out(torch::Tensor& out, const torch::Tensor& x) {
  torch::clamp_min_out(out, x, 0);
  return keep_sign_of_zero(x, out);
}

}  // namespace activations::testing
