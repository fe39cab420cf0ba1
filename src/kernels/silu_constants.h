// The constants of SiLU's float32 derivative near its zero, from scripts/fit_derivative_zeros.py.
#pragma once

namespace activations::kernels {

struct SiluConstants {
  // silu'(x) = 0 at x0 = -1.278464542761073795109359 (kRootHi + kRootLo + kRootLo2), where
  // silu'(x0 + d) = d G(d) with G(d) = kSlope + d (kNearRootSeries[0] + d (...)), G's Taylor
  // series to 2^-31 relative for |d| <= kNearRoot.
  static constexpr float kRootHi = -1.2784645557403564f;
  static constexpr float kRootLo = 1.2979282537628478e-08f;
  static constexpr float kRootLo2 = 1.1257466239192657e-16f;
  static constexpr float kSlopeHi = 0.2178117036819458f;
  static constexpr float kSlopeLo = 2.0378543297283613e-09f;
  static constexpr float kNearRootSeries[] = {0.14664879441261292f,   0.018874814733862877f,
                                              -0.015222655609250069f, -0.006606589071452618f,
                                              0.0001266274048248306f, 0.0007985218544490635f,
                                              0.0001857072493294254f};
  static constexpr float kNearRoot = 0.125f;
};

}  // namespace activations::kernels
