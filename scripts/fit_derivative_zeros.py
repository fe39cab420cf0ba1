#!/usr/bin/env python3
"""Derives the constants of the float32 derivatives near their zeros: SiLU's
(src/kernels/silu_constants.h) and GELU's erf form (src/kernels/gelu_constants.h).

silu'(x) = sigmoid(x) (1 + x sigmoid(-x)) crosses zero at x0 = -1.2785 and gelu'(x) = Phi(x) +
x phi(x) at x0 = -0.7518, where the kernels' sums cancel. There they take f'(x0 + d) = d G(d)
with G's Taylor series at x0: SiLU's in float (x0 as three floats, so that d is exact as two),
GELU's in double (x0 as two doubles). Run with an interpreter that has mpmath:

    /usr/bin/python3 scripts/fit_derivative_zeros.py
"""
import struct

import mpmath as mp

mp.mp.dps = 50
SILU_DEGREE = 7  # G to 2^-31 relative on |d| <= 1/8
GELU_DEGREE = 5  # G to 2^-48 relative on |d| <= 1/128


def to_float(value):
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def silu_derivative(x):
    return mp.mpf(1) / (1 + mp.exp(-x)) * (1 + x / (1 + mp.exp(x)))


def gelu_derivative(x):
    return mp.ncdf(x) + x * mp.npdf(x)


def series_at(f, root, degree):
    taylor = mp.taylor(f, root, degree + 1)
    return [taylor[k + 1] for k in range(degree + 1)]


def silu():
    root = mp.findroot(silu_derivative, mp.mpf("-1.28"))
    parts = []
    rest = root
    for _ in range(3):
        parts.append(to_float(rest))
        rest -= mp.mpf(parts[-1])
    g = series_at(silu_derivative, root, SILU_DEGREE)
    g0_hi = to_float(g[0])
    print("SiluConstants:")
    print(f"  // silu'(x) = 0 at x0 = {mp.nstr(root, 25)}")
    print(f"  static constexpr float kRootHi = {parts[0]!r}f;")
    print(f"  static constexpr float kRootLo = {parts[1]!r}f;")
    print(f"  static constexpr float kRootLo2 = {parts[2]!r}f;")
    print(f"  static constexpr float kSlopeHi = {g0_hi!r}f;")
    print(f"  static constexpr float kSlopeLo = {to_float(g[0] - mp.mpf(g0_hi))!r}f;")
    coefficients = ", ".join(f"{to_float(c)!r}f" for c in g[1:])
    print(f"  static constexpr float kNearRootSeries[] = {{{coefficients}}};")


def gelu():
    root = mp.findroot(gelu_derivative, mp.mpf("-0.75"))
    hi = float(root)
    g = series_at(gelu_derivative, root, GELU_DEGREE)
    print("GeluConstants:")
    print(f"  // gelu'(x) = 0 at x0 = {mp.nstr(root, 25)}")
    print(f"  static constexpr double kDerivativeRootHi = {hi!r};")
    print(f"  static constexpr double kDerivativeRootLo = {float(root - mp.mpf(hi))!r};")
    coefficients = ", ".join(f"{float(c)!r}" for c in g)
    print(f"  static constexpr double kDerivativeNearRootSeries[] = {{{coefficients}}};")


if __name__ == "__main__":
    silu()
    gelu()
