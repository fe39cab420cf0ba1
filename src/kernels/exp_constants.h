// The constants of our exp (n = round(y / ln2), r = y - n ln2 by Cody-Waite, expm1(r) = r +
// r^2 Q(r)) and of the sigmoid and tanh built on it, shared by the SIMD kernels
// (src/kernels/simd/) and the host-and-device math (src/kernels/portable/).
#pragma once

#include <cstdint>

namespace activations::kernels {

template <typename T>
struct ExpConstants;

template <>
struct ExpConstants<float> {
  using Bits = int32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr float kLog2e = 1.44269504088896341f;
  // ln2 = kLn2Hi + kLn2Lo; n * kLn2Hi is exact for the n used here.
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  // 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits.
  static constexpr float kRoundingMagic = 12582912.0f;
  // expm1(r) = r + r^2 (q0 + q1 r + ...), relative error 2^-26.1 on |r| <= ln2/2.
  static constexpr float kQ[] = {0.499999980447f, 0.166665388104f, 0.0416672207063f,
                                 0.00836716392993f, 0.00138823995129f};
  // Below this e^x rounds to zero (sigmoid's tail ends), above kTanhSaturation tanh rounds
  // to exactly 1.
  static constexpr float kExpUnderflow = -104.0f;
  static constexpr float kTanhSaturation = 9.5f;
  // Sigmoid scales e^x by 2^kScaleShift to keep it a normal number until the last multiply.
  static constexpr int kScaleShift = 32;
  static constexpr float kScaleUp = 0x1p32f;
  static constexpr float kScaleDown = 0x1p-32f;
  // Above this e^x >= 2^-92 and its low part (2^-25 of it) are normal without the scaling.
  static constexpr float kUnscaledFloor = -64.0f;
  // For |x| up to this, n = round(x log2e) is within [-23, 23] and 2^n + 1 is exact.
  static constexpr float kModerate = 16.0f;
  // The short exp of results rounded to a 16-bit type (src/kernels/portable/): one reduction
  // step with ln2 rounded to float, and Q of degree 3, relative error 2^-21.0.
  static constexpr float kLn2 = 0.693147182f;
  static constexpr float kShortQ[] = {0.499993793142f, 0.16666837569f, 0.0418765732917f,
                                      0.008338155142f};
  // tanh rounds to 1 in float16 and bfloat16 above this.
  static constexpr float kShortTanhSaturation = 5.0f;
};

template <>
struct ExpConstants<double> {
  using Bits = int64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr double kLog2e = 1.4426950408889634074;
  static constexpr double kLn2Hi = 6.93147180369123816490e-01;
  static constexpr double kLn2Lo = 1.90821492927058770002e-10;
  static constexpr double kRoundingMagic = 6755399441055744.0;  // 1.5 * 2^52
  // relative error 2^-61.6 on |r| <= ln2/2
  static constexpr double kQ[] = {
      0.50000000000000000095,     0.16666666666666677498,   0.041666666666666492883,
      0.0083333333333207632322,   0.0013888888888968232693, 0.00019841269888613910364,
      0.000024801587164893090551, 2.7557241445396791959e-6, 2.7557405904192089685e-7,
      2.5110081376931517477e-8,   2.0875303557954641196e-9};
  static constexpr double kExpUnderflow = -746.0;
  static constexpr double kTanhSaturation = 19.5;
  static constexpr int kScaleShift = 64;
  static constexpr double kScaleUp = 0x1p64;
  static constexpr double kScaleDown = 0x1p-64;
  static constexpr double kUnscaledFloor = -650.0;  // e^x >= 2^-937, its low part >= 2^-991
};

}  // namespace activations::kernels
