#!/usr/bin/env python3
"""Derives the polynomial coefficients of our exp (src/kernels/exp_constants.h), which the SIMD
kernels (src/kernels/simd/) and the host-and-device math (src/kernels/portable/) share.

e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2, with Q fitted by the Remez exchange algorithm to
minimise the relative error of expm1(r) = r + r^2 Q(r) (the stricter of the two uses: the
kernels need both e^r and expm1(r)). Run with an interpreter that has mpmath:

    /usr/bin/python3 scripts/fit_polynomials.py
"""
import mpmath as mp

mp.mp.dps = 60
HALF_LN2 = mp.log(2) / 2 * mp.mpf("1.01")  # a little beyond: n is rounded in float


def target(r):
    if abs(r) < mp.mpf("1e-20"):
        return mp.mpf(1) / 2 + r / 6
    return (mp.expm1(r) - r) / (r * r)


def weight(r):
    if abs(r) < mp.mpf("1e-20"):
        return abs(r)
    return r * r / abs(mp.expm1(r))


def remez(degree, a, b, iterations=30, samples=4000):
    n = degree + 2
    points = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (n - 1 - i) / (n - 1)) for i in range(n)]
    # the weight vanishes at 0, where the error does too: keep the reference off it
    points = [x if abs(x) > mp.mpf("1e-9") else mp.mpf("1e-3") for x in points]
    coefficients, level = None, None
    for _ in range(iterations):
        matrix = [[x ** j for j in range(degree + 1)] + [(-1) ** i / weight(x)]
                  for i, x in enumerate(points)]
        solution = mp.lu_solve(mp.matrix(matrix), mp.matrix([target(x) for x in points]))
        coefficients = [solution[j] for j in range(degree + 1)]
        level = abs(solution[degree + 1])

        def error(x):
            return weight(x) * (target(x) - mp.polyval(coefficients[::-1], x))

        grid = [a + (b - a) * (i + mp.mpf("0.5")) / samples for i in range(samples)]
        values = [error(x) for x in grid]
        # one extremum per run of equal sign
        extrema, start = [], 0
        for i in range(1, len(grid) + 1):
            if i == len(grid) or mp.sign(values[i]) != mp.sign(values[start]):
                best = max(range(start, i), key=lambda k: abs(values[k]))
                extrema.append(grid[best])
                start = i
        while len(extrema) > n:  # drop the smallest at the ends
            if abs(error(extrema[0])) < abs(error(extrema[-1])):
                extrema.pop(0)
            else:
                extrema.pop()
        if len(extrema) == n:
            points = extrema
    return coefficients, level


def main():
    for name, degree, digits in (("float", 4, 9), ("float, 16-bit results", 3, 9),
                                 ("double", 9, 17), ("double", 10, 17)):
        coefficients, level = remez(degree, -HALF_LN2, HALF_LN2)
        print(f"{name}: Q of degree {degree}, max relative error of expm1 {mp.nstr(level, 3)}"
              f" (2^{mp.nstr(mp.log(level, 2), 4)})")
        for j, c in enumerate(coefficients):
            print(f"  q{j} = {mp.nstr(c, digits + 3)}")


if __name__ == "__main__":
    main()
