// The constants of GELU in both of torch's forms, shared by the SIMD kernels (src/kernels/simd/)
// and the host-and-device math (src/kernels/portable/).
#pragma once

namespace activations::kernels {

struct GeluConstants {
  // erf form, x Phi(x) with Phi(x) = erfc(-x / sqrt2) / 2. For z >= 0, erfc(z) = t e^(-z^2) Q(t)
  // with t = 2 / (2 + z) and Q a polynomial in s = t kErfcScale + kErfcOffset, fitted by
  // scripts/fit_erfc.py on t in [0.065, 1], within 2.1e-16 relative.
  static constexpr double kErfcScale = 2.1390374331550803;
  static constexpr double kErfcOffset = -1.13903743315508;
  static constexpr double kErfcQ[] = {
      0.5337192680041422,      0.33843717023926123,    0.12502120617169057,
      0.012503433879373258,    -0.008947038702661347,  -0.0018614370800617234,
      0.0011334615209744906,   0.00015362091714977652, -0.00019200454705500436,
      1.3787371132788845e-05,  2.9422791246903424e-05, -1.0969452460367766e-05,
      -1.9856873906863543e-06, 2.876184045292307e-06,  -7.212289258738535e-07,
      -3.0368484757314324e-07, 2.945443983858682e-07,  -7.293152888607218e-08,
      -3.3573683002153537e-08, 3.676135471793937e-08,  -9.839785903123367e-09,
      -5.353095208557931e-09,  4.435069689273457e-09,  -3.112973229909547e-10,
      -5.745686918242488e-10,  1.475223118428962e-10};
  // Q for the float kernels' forward, whose |x| stays within kFloatErfcLimit (t >= 0.1587):
  // fitted the same way (scripts/fit_erfc.py 0.158 14 kErfcQFloat) on t in [0.158, 1], within
  // 2.6e-11 relative, 2^-11 of a float ULP. Their derivative takes it too, but within
  // kDerivativeNearRoot of its zero, where (h - a / sqrt(2 pi)) cancels and would scale h's error
  // past 2^-30 relative: there gelu'(x0 + d) = d G(d), G's Taylor series to 2^-48 relative
  // (scripts/fit_derivative_zeros.py). x - kDerivativeRootHi is exact for a float x there.
  static constexpr double kErfcFloatScale = 2.375296912114014;
  static constexpr double kErfcFloatOffset = -1.3752969121140142;
  static constexpr double kErfcQFloat[] = {
      0.5686302903185293,     0.3274729272938179,    0.10396905105368334,
      0.006413737704067371,   -0.006379707929156997, -0.0006890432676181944,
      0.0006342221411347191,  4.29833768678787e-06,  -7.32055124439911e-05,
      1.4249343929235637e-05, 6.497601152514626e-06, -3.4893735103743846e-06,
      -2.126142735295247e-07, 3.8491517873144293e-07};
  // Beyond it float's gelu rounds to x or to -0 (it is below 2^-150 from x = -14.4), and its
  // derivative to 1 or -0.
  static constexpr double kFloatErfcLimit = 15.0;
  // |x| is clamped here (t >= 0.066 stays in the fit): beyond it x Phi(x) rounds to x or to -0
  // in double, and so does the derivative to 1 or -0.
  static constexpr double kErfcLimit = 40.0;
  // gelu'(x) = 0 at x0 = -0.7517915246935644574579049
  static constexpr double kDerivativeRootHi = -0.7517915246935645;
  static constexpr double kDerivativeRootLo = 1.4956759177009883e-17;
  static constexpr double kDerivativeNearRootSeries[] = {
      0.4314939923140469,  0.388284982990552,     -0.018199676398671087,
      -0.1140082332972217, -0.014771522148244337, 0.019421679838189067};
  static constexpr double kDerivativeNearRoot = 1.0 / 128;
  static constexpr double kInverseSqrt2 = 0.7071067811865476;
  static constexpr double kInverseSqrt2Pi = 0.3989422804014327;  // the density's factor

  // tanh form, x sigmoid(v) with v = 2 sqrt(2/pi) (x + 0.044715 x^3), each constant as hi + lo.
  static constexpr double kTwoSqrt2OverPiHi = 1.5957691216057308;
  static constexpr double kTwoSqrt2OverPiLo = -9.96930880911092e-17;
  static constexpr double kCubicHi = 0.044715;
  static constexpr double kCubicLo = 2.1960211427085595e-18;
  // v' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2), to double precision (no cancellation there).
  static constexpr double kSlopeOfCubic = 3.0 * 0.044715 * 1.5957691216057308;
  // x is clamped here (|v| > 1970): sigmoid(v) rounds to 0 or 1 in double beyond it.
  static constexpr double kTanhFormLimit = 30.0;
  // Below this v, x sigmoid(v) nears double's subnormals: (x m) m with m = sigmoid(v / 2).
  static constexpr double kTanhFormTail = -700.0;
};

}  // namespace activations::kernels
