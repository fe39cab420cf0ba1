#!/usr/bin/env python3
"""Derives the constants of SiLU's float32 derivative near its zero (src/kernels/silu_constants.h).

silu'(x) = sigmoid(x) (1 + x sigmoid(-x)) crosses zero at x0 = -1.2785, where the kernels' sum
cancels. There they take silu'(x0 + d) = d G(d) with G's Taylor series at x0 (d = x - x0, x0 as
three floats so that d is exact as two). Run with an interpreter that has mpmath:

    /usr/bin/python3 scripts/fit_silu_derivative.py
"""
import struct

import mpmath as mp

mp.mp.dps = 50
DEGREE = 7  # G to 2^-31 relative on |d| <= 1/8


def to_float(value):
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def derivative(x):
    return mp.mpf(1) / (1 + mp.exp(-x)) * (1 + x / (1 + mp.exp(x)))


def main():
    root = mp.findroot(derivative, mp.mpf("-1.28"))
    parts = []
    rest = root
    for _ in range(3):
        parts.append(to_float(rest))
        rest -= mp.mpf(parts[-1])
    series = mp.taylor(derivative, root, DEGREE + 1)
    g = [series[k + 1] for k in range(DEGREE + 1)]
    g0_hi = to_float(g[0])
    print(f"  // silu'(x) = 0 at x0 = {mp.nstr(root, 25)}")
    print(f"  static constexpr float kRootHi = {parts[0]!r}f;")
    print(f"  static constexpr float kRootLo = {parts[1]!r}f;")
    print(f"  static constexpr float kRootLo2 = {parts[2]!r}f;")
    print(f"  static constexpr float kSlopeHi = {g0_hi!r}f;")
    print(f"  static constexpr float kSlopeLo = {to_float(g[0] - mp.mpf(g0_hi))!r}f;")
    coefficients = ", ".join(f"{to_float(c)!r}f" for c in g[1:])
    print(f"  static constexpr float kNearRootSeries[] = {{{coefficients}}};")


if __name__ == "__main__":
    main()
