#!/usr/bin/env python3
"""Fits the tables of the AVX-512 float32 GELU (erf form) and writes them as C++ source.

For a = |x| up to the float path's limit, GELU is x - G(a) for x >= 0 and -G(a) for x < 0,
with G(a) = a Phi(-a) = a R(a) e^(-a^2 / 2) and R(a) = e^(a^2 / 2) Phi(-a), a smooth function
that falls from 1/2 at 0 towards 1 / (a sqrt(2 pi)). The kernel
(src/kernels/simd/table_activations-inl.h) multiplies a, R and e^(-a^2 / 2), each of the last two
a float times 1 plus a small relative term, so that only the small terms round:

- R(a) = c0 (1 + t Q(t)) from a 32-slot table: the slot is the eighth-binade of a + 1 (its bits
  >> 20, mod 32), so the slots are 1/8 wide for a below 1 and 1 wide above 7, and R moves by at
  most some 8% across one. Each slot has an expansion point x0 chosen so that R(x0) is within
  two hundredths of an ULP of a c0 of 12 significant bits (short_point), so that c0 times the
  exponential's 12-bit hi is exact; t = a - x0 is exact (Sterbenz) but in the first slot
  (x0 = 0.06), where its rounding (below 2^-29) moves R by less than 2^-30.
- e^(-a^2 / 2) = 2^(-k / 32) e^(-r / 2) with k = round(16 a^2 / ln2) and r = a^2 - k ln2 / 16
  (|r| <= 0.0217: k ln2_hi is exact, and a^2 - k ln2_hi rounds once, by 2^-29 at most, inside a
  fused multiply-subtract).
  2^(-j / 32), j = k mod 32, is a 12-bit hi times 1 + rel from two 32-entry tables; 2^-(k >> 5)
  goes into hi's exponent; e^(-r / 2) = 1 + r P(r).

Q is fitted as in scripts/fit_tables.py (whose fit() this reuses): weighted towards minimax in
the result's relative error, the coefficients rounded to float one at a time. The exhaustive
test (tests/accuracy/) proves the result. Run with an interpreter that has numpy and mpmath:

    /usr/bin/python3 scripts/fit_gelu_tables.py > src/kernels/simd/gelu_tables.h
"""
import math
import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_tables import (SLOTS, bits_float, distance_to_float_in_ulps,  # noqa: E402
                        eighth_binade_slots, emit_array, emit_table, f32, f32_ulp, fit,
                        float_bits, hex_float)

mp.mp.dps = 50
DEGREE = 4  # of Q; override: --degree N
SLOT_BIAS = 1.0
# The float path's limit: beyond it (x < -11.75) G's intermediate products would leave the
# normal floats, and the double path takes the lanes.
LIMIT = 11.75
LN2 = mp.log(2)
SQUARE_TO_K = f32(16 / math.log(2))
REDUCTION_HI = math.ldexp(round(math.ldexp(float(LN2 / 16), 16)), -16)  # 12 bits
REDUCTION_LO = f32(LN2 / 16 - REDUCTION_HI)


def r_of(a):
    a = mp.mpf(a)
    return mp.exp(a * a / 2) * mp.erfc(a / mp.sqrt(2)) / 2


def d_of(a):
    """gelu'(-a) = -e^(-a^2 / 2) D(a), gelu'(a) = 1 + e^(-a^2 / 2) D(a)."""
    a = mp.mpf(a)
    return a / mp.sqrt(2 * mp.pi) - r_of(a)


# c0 of R and the exponential table's hi have this many significant bits, so that their product
# is exact in float
SHORT_BITS = 12
DERIVATIVE_ROOT = float(mp.findroot(d_of, 0.75))  # -x of gelu'(x) = 0
ROOT_REACH = 0.13  # slots with a point this close to the root expand about it


def short(v, bits=SHORT_BITS):
    """v rounded to `bits` significant bits."""
    exponent = math.frexp(float(v))[1]
    return float(mp.nint(mp.ldexp(v, bits - exponent)) * mp.mpf(2) ** (exponent - bits))


def short_point(function, lo, hi):
    """(offset, x0, c0): the float x0 in [lo, hi] whose function(x0) is nearest to a c0 of
    SHORT_BITS significant bits, offset in ULPs of c0 as a float. function is monotonic there:
    each such c0 between its ends is reached at some x, and the floats beside x are tried."""
    f_lo, f_hi = function(lo), function(hi)
    low, high = min(f_lo, f_hi), max(f_lo, f_hi)
    best = None
    c0 = short(low)
    while c0 <= high:
        if c0 >= low:
            start = lo + (hi - lo) * (c0 - f_lo) / (f_hi - f_lo)
            x = mp.findroot(lambda v: function(v) - c0, start)
            near = np.float32(float(x))
            for x0 in (np.nextafter(near, np.float32(0)), near, np.nextafter(near, np.float32(99))):
                x0 = float(x0)
                if lo <= x0 <= hi:
                    offset = abs(function(x0) - c0) / f32_ulp(c0)
                    if best is None or offset < best[0]:
                        best = (offset, x0, c0)
        step = math.ldexp(1.0, math.frexp(c0)[1] - SHORT_BITS)
        c0 = short(c0 + step)
    return best


def slots(function, relative):
    """Per slot x0, c0 and Q: function(x0 + t) = c0 (1 + t Q(t)) if relative, else c0 + t Q(t).
    x0 is where function is nearest a float c0, but in slots that reach within ROOT_REACH of
    function's zero: there x0 is the float nearest the zero and c0 = function(x0) is tiny, so
    that c0 + t Q(t) keeps its relative precision as it crosses zero."""
    table = [None] * SLOTS
    first = float_bits(SLOT_BIAS) >> 20
    for e, lo, hi in eighth_binade_slots(SLOT_BIAS, LIMIT):
        assert table[e % SLOTS] is None
        if relative:  # c0 of SHORT_BITS bits, so that c0 times the exponential's hi is exact
            best = short_point(function, lo + (hi - lo) / 3, hi - (hi - lo) / 3)
        else:
            if lo - ROOT_REACH <= DERIVATIVE_ROOT <= hi + ROOT_REACH:
                candidates = [f32(DERIVATIVE_ROOT)]
            else:
                candidates = np.unique(np.linspace(lo + (hi - lo) / 3, hi - (hi - lo) / 3, 3000)
                                       .astype(np.float32)).astype(np.float64).tolist()
            best = None
            for x0 in candidates:
                offset, c0 = distance_to_float_in_ulps(function(x0))
                if best is None or offset < best[0]:
                    best = (offset, x0, c0)
                if offset < mp.mpf("0.0005"):
                    break
        offset, x0, c0 = best
        # t = a - x0 is exact (Sterbenz) but in the first slot, where it is within 2^-29
        assert e == first or (x0 / 2 <= lo and hi <= 2 * x0)
        scale = c0 if relative else 1

        def target(t, x0=x0, c0=c0, scale=scale):
            if t == 0:
                return mp.diff(function, x0) / scale
            return (function(x0 + t) - c0) / scale / t

        def weight(t, x0=x0, scale=scale):
            return abs(t) * scale / abs(function(x0 + t))

        q, error = fit(target, weight, lo - x0, hi - x0, DEGREE)
        table[e % SLOTS] = dict(lo=lo, hi=hi, x0=x0, c0=c0, offset=float(offset), q=q,
                                error=error * 2**23)
    for i, s in enumerate(table):
        if s is None:  # beyond the limit: never selected
            table[i] = dict(lo=0, hi=0, x0=0.0, c0=0.0, offset=0.0, q=[0.0] * (DEGREE + 1),
                            error=0.0)
    return table


def exp2_tables():
    """2^(-j / 32) as a hi of SHORT_BITS significant bits times 1 + rel; hi is stored with j << 18
    added to its bits, which the kernel takes away with the rest of k << 18 (2^-(k >> 5) in the
    exponent field)."""
    hi, rel = [], []
    for j in range(SLOTS):
        exact = mp.mpf(2) ** (-mp.mpf(j) / SLOTS)
        h = short(exact)
        hi.append(bits_float(float_bits(h) + (j << 18)))
        rel.append(f32((exact - h) / h))
    return hi, rel


def reduction_polynomial():
    """P with e^(-r / 2) = 1 + r P(r) on |r| <= the reduction's bound, as floats."""
    bound = float(LN2 / 32) * 1.002

    def target(r):
        if r == 0:
            return mp.mpf(-0.5)
        return (mp.exp(-r / 2) - 1) / r

    def weight(r):
        return abs(r)

    return fit(target, weight, -bound, bound, 2)


def main():
    global DEGREE
    args = sys.argv[1:]
    while args:
        option, value = args.pop(0), int(args.pop(0))
        assert option == "--degree"
        DEGREE = value
    table = slots(r_of, relative=True)
    derivative = slots(d_of, relative=False)
    exp_hi, exp_rel = exp2_tables()
    p, p_error = reduction_polynomial()
    out = []
    out.append("// Generated by scripts/fit_gelu_tables.py: do not edit. Tables of the AVX-512")
    out.append("// float32 GELU, erf form (src/kernels/simd/table_activations-inl.h).")
    out.append("#pragma once\n")
    out.append("namespace activations::kernels::tables {\n")
    out.append("// clang-format off")
    out.append(f"inline constexpr float kGeluLimit = {hex_float(LIMIT)};")
    out.append(f"inline constexpr float kGeluSlotBias = {hex_float(SLOT_BIAS)};")
    out.append(f"inline constexpr float kGeluSquareToK = {hex_float(SQUARE_TO_K)};")
    out.append(f"inline constexpr float kGeluReductionHi = {hex_float(REDUCTION_HI)};")
    out.append(f"inline constexpr float kGeluReductionLo = {hex_float(REDUCTION_LO)};")
    out.append("// e^(-r / 2) = 1 + r (p0 + p1 r + p2 r^2)")
    out.append("inline constexpr float kGeluReductionP[3] = {"
               + ", ".join(hex_float(c) for c in p) + "};")
    out.append("")
    out.append(emit_array("kGeluExp2Hi", exp_hi,
                          "2^(-j / 32) to 12 significant bits, with j << 18 added to its bits"))
    out.append(emit_array("kGeluExp2Rel", exp_rel, "(2^(-j / 32) - hi) / hi"))
    out.append(emit_array("kGeluX0", [s["x0"] for s in table], "R: expansion points x0"))
    out.append(emit_array("kGeluC0", [s["c0"] for s in table],
                          "R: c0, of 12 significant bits, nearest R(x0)"))
    out.append(emit_table("kGeluQ", [s["q"] for s in table], f"R: q0..q{DEGREE} per slot"))
    out.append(emit_array("kGeluDerivativeX0", [s["x0"] for s in derivative],
                          "D: expansion points x0 (near its zero, the float nearest it)"))
    out.append(emit_array("kGeluDerivativeC0", [s["c0"] for s in derivative],
                          "D: c0, the float nearest D(x0)"))
    out.append(emit_table("kGeluDerivativeQ", [s["q"] for s in derivative],
                          f"D: q0..q{DEGREE} per slot"))
    out.append("// clang-format on\n")
    out.append("}  // namespace activations::kernels::tables")
    print("\n".join(out))
    print(f"reduction polynomial: fit error {p_error * 2**23:.3e} ULP", file=sys.stderr)
    for name, slots_of in (("R", table), ("D", derivative)):
        for i, s in enumerate(slots_of):
            print(f"{name} slot {i:2d} [{s['lo']:.6g}, {s['hi']:.6g}] x0 {s['x0']:.6g}: c0 off "
                  f"by {s['offset']:.2e} ULP, fit error {s['error']:.3e} ULP", file=sys.stderr)


if __name__ == "__main__":
    main()
