#!/usr/bin/env python3
"""Derives the erfc polynomial of GELU (src/kernels/gelu_constants.h).

For z >= 0, erfc(z) = t e^(-z^2) Q(t) with t = 2 / (2 + z): Q is smooth and slowly varying on
t in [T_MIN, 1] (z up to 40 / sqrt(2), the largest |x| the kernels evaluate), from 1 at z = 0
to 1 / (2 sqrt(pi)) as z grows. Q is interpolated at Chebyshev nodes of s, the interval mapped
onto [-1, 1], truncated to N terms, and written as a polynomial in s, whose coefficients stay
small (their absolute sum is 1.02): Horner in double evaluates it to 2.1e-16 relative, which
this script checks. Run with an interpreter that has mpmath:

    /usr/bin/python3 scripts/fit_erfc.py                      # kErfcQ: double, |x| <= 40
    /usr/bin/python3 scripts/fit_erfc.py 0.158 14 kErfcQFloat  # float inputs, |x| <= 15

The second, for the float kernels' forward, keeps |x| <= 15 (t >= 0.1587), beyond which float's
gelu rounds to x or -0, and needs fewer terms: 2.6e-11 relative, 2^-11 of a float ULP.
"""
import sys

import mpmath as mp

mp.mp.dps = 40
T_MIN = mp.mpf(sys.argv[1] if len(sys.argv) > 1 else "0.065")
TERMS = int(sys.argv[2]) if len(sys.argv) > 2 else 26
NAME = sys.argv[3] if len(sys.argv) > 3 else "kErfcQ"
NODES = 60


def q_of_t(t):
    z = 2 / t - 2
    return mp.erfc(z) * mp.exp(z * z) / t


def t_of_s(s):
    return (s * (1 - T_MIN) + 1 + T_MIN) / 2


def chebyshev_coefficients():
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / NODES) for k in range(NODES)]
    values = [q_of_t(t_of_s(s)) for s in nodes]
    result = []
    for j in range(TERMS):
        total = sum(v * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / NODES)
                    for k, v in enumerate(values))
        result.append(total * (1 if j == 0 else 2) / NODES)
    return result


def monomial_coefficients(chebyshev):
    polynomials = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]  # T_j(s) in powers of s
    while len(polynomials) < len(chebyshev):
        previous, before = polynomials[-1], polynomials[-2]
        following = [mp.mpf(0)] + [2 * v for v in previous]
        for i, v in enumerate(before):
            following[i] -= v
        polynomials.append(following)
    result = [mp.mpf(0)] * len(chebyshev)
    for c, polynomial in zip(chebyshev, polynomials):
        for i, v in enumerate(polynomial):
            result[i] += c * v
    return [float(v) for v in result]


def worst_relative_error(coefficients, samples=4000):
    scale, offset = 2 / (1 - T_MIN), -(1 + T_MIN) / (1 - T_MIN)
    worst = 0
    for i in range(samples):
        s = float(-1 + 2 * mp.mpf(i) / (samples - 1))
        value = 0.0
        for c in reversed(coefficients):
            value = value * s + c
        exact = q_of_t(t_of_s(mp.mpf(s)))
        worst = max(worst, abs((value - exact) / exact))
    return worst, float(scale), float(offset)


def main():
    coefficients = monomial_coefficients(chebyshev_coefficients())
    worst, scale, offset = worst_relative_error(coefficients)
    print(f"// s = t * {scale!r} + {offset!r}; worst relative error {mp.nstr(worst, 3)}")
    print(f"static constexpr double {NAME}[] = {{")
    print(",\n".join(f"    {c!r}" for c in coefficients) + "};")


if __name__ == "__main__":
    main()
