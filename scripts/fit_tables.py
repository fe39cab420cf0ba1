#!/usr/bin/env python3
"""Fits the slot tables of the AVX-512 float32 sigmoid, tanh, SiLU and SiLU's derivative and
writes them as C++ source.

Each activation is a 32-slot table: per slot an expansion point, a float c0 and the float
coefficients of Q, so that the kernel computes f = c0 + t * Q(t) with one final fused
multiply-add (src/kernels/simd/table_activations-inl.h says how t and the slot are found).

tanh(a), a = |x|: the slot is the eighth-binade of a + 5/8 (the index is that sum's bits >> 20,
taken mod 32), so the 32 slots cover a + 5/8 in [5/8, 10) and a in [0, 9.0234375] with widths
from 1/16 (a below 3/8) to 1 (a above 7.4), where tanh rounds to 1 above the clamp. Each slot
above a = 5/16 has its own expansion point x0, the float near the slot's middle whose tanh is
nearest to a float c0, so c0 is exact to a few thousandths of an ULP and t = a - x0 is exact
(Sterbenz). Below a = 5/16 (five slots) x0 = 0 and the kernel uses t = a itself as c0,
tanh(a) = a + a Q(a), where a Q(a) stays below 4% of the result: tiny inputs come back
unchanged, and the slots where a - x0 would be large beside tanh(a) (so Q's rounding would show)
are avoided. The lowest slot's Q is even and O(a^2).

sigmoid(-a), a = |x|: m = round(a log2 e), r = a - m ln2 (Cody-Waite: ln2_hi is exact times m,
ln2_lo is per slot) and sigmoid(-a) = 2^-m F_m(r) with F_m(r) = e^-r / (1 + 2^-m e^-r), slot
min(m, 31). Each slot's ln2_lo is moved (by a few thousand of its ULPs, a shift of r below
1e-7) to where F_m(0) is nearest to a float, so that c0 is exact to a few thousandths of an ULP.

SiLU and its derivative: slots of a = |x| by round(a k), uniform (silu_slots and
silu_derivative_slots say how each is expanded).

Q is fitted by weighted least squares at Chebyshev points, the weight making the error that of
the final result in its ULPs, then iterated towards minimax (Lawson), with the coefficients
rounded to float one at a time from q0 up and the others refitted after each. The exhaustive
test (tests/accuracy/) proves the result. Run with an interpreter that has numpy and mpmath:

    /usr/bin/python3 scripts/fit_tables.py > src/kernels/simd/activation_tables.h
"""
import math
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 40
SLOTS = 32
# of Q (the kernel's polynomial in t is one degree higher); override: --tanh-degree N
DEGREES = {"tanh": 4, "sigmoid": 5, "silu": 4, "silu_derivative": 6}
TANH_SLOT_BIAS = 0.625  # the slot of a is that of a + TANH_SLOT_BIAS
TANH_ZERO_BASED_BELOW = 0.3125  # slots below: x0 = 0, c0 = a
TANH_CLAMP = float(np.float32(9.0234375))  # tanh rounds to 1 above 9.011
SIGMOID_CLAMP = 104.0  # sigmoid(-104) rounds to 0
LN2_HI = 0.693359375  # 9 bits: m * LN2_HI is exact for m < 2^15
LN2 = mp.log(2)
LOG2E = float(np.float32(1 / math.log(2)))


def f32(v):
    return float(np.float32(v))


def f32_ulp(v):
    v = abs(float(v))
    return math.ldexp(1.0, max(math.frexp(v)[1] - 1, -126) - 23)


def distance_to_float_in_ulps(value):
    """|value - nearest float| / ulp, value an mpf."""
    nearest = f32(value)
    return abs(value - mp.mpf(nearest)) / f32_ulp(nearest), nearest


def fit(target, weight, lo, hi, degree, fixed_first=None, samples=600, lawson=40):
    """Coefficients q0..q[degree] of Q minimising max |weight (target - Q)| on [lo, hi], rounded
    to float one at a time. fixed_first pins leading coefficients (exact values)."""
    k = np.arange(samples)
    t = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / samples)
    y = np.array([float(target(mp.mpf(v))) for v in t])
    w = np.array([float(weight(mp.mpf(v))) for v in t])
    scale = max(abs(lo), abs(hi))
    u = t / scale  # fit in the scaled variable for conditioning
    vandermonde = np.vander(u, degree + 1, increasing=True)
    fixed = list(fixed_first or [])
    while len(fixed) <= degree:
        n_fixed = len(fixed)
        rest = y - sum(c * scale**j * u**j for j, c in enumerate(fixed))
        columns = vandermonde[:, n_fixed:]
        lawson_weights = np.ones(samples) / samples
        for _ in range(lawson):
            sqrt_w = np.sqrt(lawson_weights) * w
            solution, *_ = np.linalg.lstsq(columns * sqrt_w[:, None], rest * sqrt_w, rcond=None)
            error = np.abs(w * (rest - columns @ solution))
            lawson_weights = lawson_weights * (error + 1e-300)
            lawson_weights /= lawson_weights.sum()
        coefficient = solution[0] / scale**n_fixed
        fixed.append(f32(coefficient))
    final = np.abs(w * (y - sum(c * t**j for j, c in enumerate(fixed))))
    return fixed, float(final.max())


def float_bits(v):
    return int(np.float32(v).view(np.uint32))


def bits_float(b):
    return float(np.uint32(b).view(np.float32))


def eighth_binade_slots(bias, clamp):
    """(e, lo, hi) per slot of a in [0, clamp] whose index is e = bits(a + bias) >> 20 (taken mod
    SLOTS): a + bias in [2^k (1 + i/8), 2^k (1 + (i+1)/8)). [lo, hi] is the range of a that the
    slot must cover: a + bias rounds into it from up to half an ULP of the sum beyond its ends."""
    first = float_bits(bias) >> 20
    last = float_bits(f32(clamp + bias)) >> 20
    for e in range(first, last + 1):
        start, end = bits_float(e << 20) - bias, bits_float((e + 1) << 20) - bias
        lo = max(start - f32_ulp(bits_float(e << 20)) / 2, 0.0)
        hi = min(end + f32_ulp(bits_float((e + 1) << 20)) / 2, clamp)
        yield e, lo, hi


def tanh_slots():
    slots = [None] * SLOTS
    first = float_bits(TANH_SLOT_BIAS) >> 20
    for e, lo, hi in eighth_binade_slots(TANH_SLOT_BIAS, TANH_CLAMP):
        assert slots[e % SLOTS] is None
        end = bits_float((e + 1) << 20) - TANH_SLOT_BIAS
        if end <= TANH_ZERO_BASED_BELOW:  # tanh(a) = a + a Q(a)
            def target(t):
                if abs(t) < mp.mpf("1e-12"):
                    return -t * t / 3
                return mp.tanh(t) / t - 1

            def weight(t):
                return abs(t) / mp.tanh(t) if t != 0 else mp.mpf(1)

            if e == first:  # Q even and O(a^2): tiny a gives a itself
                coefficients, error = fit(target, weight, -hi, hi, DEGREES["tanh"],
                                          fixed_first=[0.0, 0.0])
                coefficients = [c if j % 2 == 0 else 0.0 for j, c in enumerate(coefficients)]
            else:
                coefficients, error = fit(target, weight, lo, hi, DEGREES["tanh"])
            slots[e % SLOTS] = dict(lo=lo, hi=hi, x0=0.0, c0=0.0, offset=0.0, q=coefficients,
                                    error=error * 2**23)
            continue
        # floats spread over the middle half of the slot: near 1 tanh moves too slowly for
        # neighbouring floats to reach a float c0
        candidates = np.unique(np.linspace(lo + (hi - lo) / 4, hi - (hi - lo) / 4, 20000)
                               .astype(np.float32)).astype(np.float64).tolist()
        exact = np.tanh(np.array(candidates, dtype=np.float64))
        nearest = exact.astype(np.float32).astype(np.float64)
        ulps = np.array([f32_ulp(v) for v in nearest])
        index = int(np.argmin(np.abs(exact - nearest) / ulps))
        x0 = candidates[index]
        assert x0 / 2 <= lo and hi <= 2 * x0  # t = a - x0 is exact (Sterbenz)
        exact_c0 = mp.tanh(mp.mpf(x0))
        offset, c0 = distance_to_float_in_ulps(exact_c0)
        assert hi - x0 < c0  # the kernel's max(c0, t) is c0 here

        def target(t, x0=x0, exact_c0=exact_c0):
            if t == 0:
                return 1 / mp.cosh(x0) ** 2
            return (mp.tanh(x0 + t) - exact_c0) / t

        def weight(t, x0=x0):
            return abs(t) / mp.tanh(x0 + t) if t != 0 else mp.mpf(0)

        coefficients, error = fit(target, weight, lo - x0, hi - x0, DEGREES["tanh"])
        slots[e % SLOTS] = dict(lo=lo, hi=hi, x0=x0, c0=c0, offset=float(offset),
                                q=coefficients, error=error * 2**23)
    assert None not in slots  # the bias and clamp make the 32 eighth-binades cover [0, clamp]
    return slots


def sigmoid_slots():
    ln2_lo = f32(LN2 - LN2_HI)
    slots = []
    for m in range(SLOTS):
        scale = mp.mpf(2) ** -m

        def f_m(r, scale=scale):
            e = mp.exp(-r)
            return e / (1 + scale * e)

        if m == 0:
            lo, hi = 0.0, float(LN2 / 2) * 1.0001  # r = a: never negative
        else:
            lo, hi = -float(LN2 / 2) * 1.0001, float(LN2 / 2) * 1.0001
        if m == 0:
            lo_constant = ln2_lo  # m = 0: r = a whatever ln2_lo is
            shift = mp.mpf(0)
        elif m == SLOTS - 1:
            lo_constant = ln2_lo  # also used for m > 31: keep ln2_lo itself
            shift = mp.mpf(m) * (mp.mpf(ln2_lo) - (LN2 - LN2_HI))
        else:  # r_true = r_computed + m (ln2_lo' - (ln2 - ln2_hi)): pick ln2_lo'
            best = None
            candidate = np.float32(ln2_lo)
            below = above = candidate
            for _ in range(4000):
                for c in (below, above):
                    shift = mp.mpf(m) * (mp.mpf(float(c)) - (LN2 - LN2_HI))
                    offset, _ = distance_to_float_in_ulps(f_m(shift))
                    if best is None or offset < best[0]:
                        best = (offset, float(c), shift)
                below = np.nextafter(below, np.float32(-np.inf))
                above = np.nextafter(above, np.float32(np.inf))
                if best[0] < mp.mpf("0.0005"):
                    break
            _, lo_constant, shift = best
        exact_c0 = f_m(shift)
        offset, c0 = distance_to_float_in_ulps(exact_c0)

        def target(r, f_m=f_m, shift=shift, exact_c0=exact_c0):
            if r == 0:
                return mp.diff(lambda v: f_m(v + shift), 0)
            return (f_m(r + shift) - exact_c0) / r

        def weight(r, f_m=f_m, shift=shift):
            return abs(r) / f_m(r + shift) if r != 0 else mp.mpf(0)

        coefficients, error = fit(target, weight, lo, hi, DEGREES["sigmoid"])
        slots.append(dict(m=m, lo=lo, hi=hi, ln2_lo=lo_constant, c0=c0, offset=float(offset),
                          q=coefficients, error=error * 2**23))
    return slots


def uniform_slot_range(m, scale, limit, margin=1.0001):
    """[lo, hi] of a >= 0 that slot m = round(a scale) must cover, a <= limit, widened by margin
    for the rounding of a scale."""
    return max((m - 0.5) / scale / margin, 0.0), min((m + 0.5) / scale * margin, limit * margin)


def least_cancelling_point(f, values, lo, hi, candidates, ranked_first, slack):
    """The float x0 in [lo, hi] whose f(x0) is nearest to a float, among those whose
    max |f(a) - f(x0)| / |f(a)| over `values` (f over the slot) is within 5% plus slack of the least
    (of `candidates` floats spread over [lo, hi], the `ranked_first` least cancelling)."""
    points = np.unique(np.linspace(lo, hi, candidates).astype(np.float32)).astype(np.float64)

    def cancellation(v):
        c0 = f(mp.mpf(float(v)))
        return max(abs(g - c0) / abs(g) for g in values)

    ranked = sorted(points.tolist(), key=cancellation)
    best = cancellation(ranked[0])
    near_best = [v for v in ranked[:ranked_first] if cancellation(v) <= best * 1.05 + slack]
    return min(near_best, key=lambda v: distance_to_float_in_ulps(f(mp.mpf(v)))[0])


def silu_derivative(x):
    s = 1 / (1 + mp.exp(-x))
    return s * (1 + x * (1 - s))


SILU_DERIVATIVE_LIMIT = 16.0  # beyond |x| = 16 the kernel takes its double path
SILU_DERIVATIVE_ROOT = mp.findroot(lambda a: a - 1 - mp.exp(-a), 1.28)  # silu'(-root) = 0
SILU_DERIVATIVE_SLOT_SCALE = f32(2 / SILU_DERIVATIVE_ROOT)  # the root is slot 2's middle


def silu_derivative_slots():
    """silu'(-a), a = |x| <= 16, as c0 + t Q(t) from slot m = round(a k) (0 to 25), k = 2 / z for
    the derivative's zero z = 1.2785 (so z is slot 2's middle), t = a - x0. Slot 2 is expanded
    about the float nearest z, where t is exact (Sterbenz) and c0 = silu'(-x0) is tiny, so that
    the result keeps its relative accuracy down to the zero. Elsewhere x0 is the float whose
    silu'(-x0) is nearest to a float c0 among those that keep |t Q(t)| = |silu'(-a) - c0| least
    beside |silu'(-a)| over the slot (on the slots beside the zero: x0 at the end nearer it), so
    that Q's rounding is not magnified by cancellation; t's own rounding (where a - x0 is not
    exact) is then below 2^-25 |t|, a few hundredths of an ULP of the result. For x >= 0 the
    kernel returns 1 - silu'(-a)."""
    slots = []
    scale = SILU_DERIVATIVE_SLOT_SCALE
    last = int(round(f32(SILU_DERIVATIVE_LIMIT * scale)))
    for m in range(last + 1):
        lo, hi = uniform_slot_range(m, scale, SILU_DERIVATIVE_LIMIT)
        values = [silu_derivative(-mp.mpf(a)) for a in np.linspace(lo, hi, 200)]
        if lo <= SILU_DERIVATIVE_ROOT <= hi:
            x0 = f32(SILU_DERIVATIVE_ROOT)
        else:
            x0 = least_cancelling_point(lambda a: silu_derivative(-a), values, lo, hi, 400, 40,
                                        slack=0.01)
        exact_c0 = silu_derivative(-mp.mpf(x0))
        offset, c0 = distance_to_float_in_ulps(exact_c0)

        def g(t, x0=x0):
            return silu_derivative(-(mp.mpf(x0) + t))

        def target(t, g=g, exact_c0=exact_c0):
            return mp.diff(g, 0) if t == 0 else (g(t) - exact_c0) / t

        def weight(t, g=g):
            return abs(t) / abs(g(t)) if t != 0 else mp.mpf(0)

        coefficients, error = fit(target, weight, lo - x0, hi - x0, DEGREES["silu_derivative"])
        slots.append(dict(m=m, lo=lo, hi=hi, x0=x0, c0=c0, offset=float(offset),
                          q=coefficients, error=error * 2**23))
    while len(slots) < SLOTS:  # never selected: |x| <= 16 gives m <= 25
        slots.append(dict(slots[-1]))
    return slots


def silu_tail(a):
    """G(a) = a sigmoid(-a): silu(x) = max(x, 0) - G(|x|)."""
    return a / (1 + mp.exp(a))


def silu_even_part(a):
    """E(a) = a / 2 - G(a) = (a / 2) tanh(a / 2): silu(x) = x / 2 + E(|x|)."""
    return a / 2 - silu_tail(a)


SILU_SLOT_SCALE = 3.0  # slot m = round(3 |x|), 1/3 wide
SILU_LIMIT = f32(31.45 / SILU_SLOT_SCALE)  # m <= 31; beyond, the kernel takes its double path
SILU_HALF_SLOTS = 2  # slots whose base is x / 2 (|x| < 1/2)


def silu_slots():
    """silu(x) = base - (c0 + t Q(t)), t = a - x0, a = |x|, from slot m = round(3 a) (0 to 31,
    a <= SILU_LIMIT). The kernel carries base - c0 exactly (Fast2Sum), so only t Q(t), a small
    part of the result, and the last sum round. Slots 0 and 1 take base = x / 2 (exact) and c0 +
    t Q(t) = -E(a): there G is most of x and Q (near 1/2) would round at up to 0.5 ULP of the
    result; slot 0 expands about 0 (c0 = 0, t = a), so tiny inputs give x / 2. The other slots take
    base = max(x, 0) and c0 + t Q(t) = G(a), with x0 the float whose G (or -E) is nearest to a float
    c0 among those that keep |t Q(t)| least beside |G| over the slot, as for SiLU's derivative;
    t = a - x0 is exact (Sterbenz) in every slot but 0, where it is a itself."""
    slots = []
    for m in range(SLOTS):
        lo, hi = uniform_slot_range(m, SILU_SLOT_SCALE, SILU_LIMIT)

        def weight(t, x0):  # the error in ULPs of |silu(-a)| = G(a), the smaller side
            return abs(t) / silu_tail(mp.mpf(x0) + t) if t != 0 else mp.mpf(0)

        if m == 0:
            def target(t):  # -E(a) / a = 1/2 - sigmoid(a)
                return mp.mpf(0.5) - 1 / (1 + mp.exp(-t))

            coefficients, error = fit(target, lambda t: weight(t, 0) if t != 0 else mp.mpf(2),
                                      1e-30, hi, DEGREES["silu"])
            slots.append(dict(m=m, lo=lo, hi=hi, x0=0.0, c0=0.0, offset=0.0, q=coefficients,
                              error=error * 2**23))
            continue
        part = (lambda a: -silu_even_part(a)) if m < SILU_HALF_SLOTS else silu_tail
        values = [part(mp.mpf(a)) for a in np.linspace(lo, hi, 100)]
        # x0 in [hi / 2, 2 lo], where t = a - x0 is exact over the slot (Sterbenz)
        x0 = least_cancelling_point(part, values, max(lo, hi / 2), min(hi, 2 * lo), 3000, 600,
                                    slack=0.005)
        assert x0 / 2 <= lo and hi <= 2 * x0
        exact_c0 = part(mp.mpf(x0))
        offset, c0 = distance_to_float_in_ulps(exact_c0)

        def target(t, x0=x0, part=part, exact_c0=exact_c0):
            g = lambda u: part(mp.mpf(x0) + u)
            return mp.diff(g, 0) if t == 0 else (g(t) - exact_c0) / t

        coefficients, error = fit(target, lambda t, x0=x0: weight(t, x0), lo - x0, hi - x0,
                                  DEGREES["silu"])
        slots.append(dict(m=m, lo=lo, hi=hi, x0=x0, c0=c0, offset=float(offset),
                          q=coefficients, error=error * 2**23))
    return slots


def hex_float(v):
    if v == 0:
        return "0.0f"
    mantissa, exponent = float(v).hex().split("p")
    return f"{mantissa.rstrip('0').rstrip('.')}p{exponent}f"


def emit_array(name, values, comment):
    lines = [f"// {comment}", f"inline constexpr float {name}[{len(values)}] = {{"]
    for i in range(0, len(values), 4):
        lines.append("    " + ", ".join(hex_float(v) for v in values[i:i + 4]) + ",")
    lines.append("};")
    return "\n".join(lines)


def emit_table(name, per_slot, comment):
    degree = len(per_slot[0]) - 1
    lines = [f"// {comment}, [j][slot]", f"inline constexpr float {name}[{degree + 1}][{SLOTS}] = {{"]
    for j in range(degree + 1):
        values = [q[j] for q in per_slot]
        lines.append("    {")
        for i in range(0, len(values), 4):
            lines.append("        " + ", ".join(hex_float(v) for v in values[i:i + 4]) + ",")
        lines.append("    },")
    lines.append("};")
    return "\n".join(lines)


def main():
    args = sys.argv[1:]
    while args:
        option, value = args.pop(0), int(args.pop(0))
        DEGREES[option.removeprefix("--").removesuffix("-degree")] = value
    tanh = tanh_slots()
    sigmoid = sigmoid_slots()
    silu = silu_slots()
    silu_derivative = silu_derivative_slots()
    out = []
    out.append("// Generated by scripts/fit_tables.py: do not edit. Slot tables of the AVX-512")
    out.append("// float32 sigmoid, tanh, SiLU and SiLU's derivative")
    out.append("// (src/kernels/simd/table_activations-inl.h).")
    out.append("#pragma once\n")
    out.append("namespace activations::kernels::tables {\n")
    out.append("// clang-format off")
    out.append(f"inline constexpr float kTanhClamp = {hex_float(TANH_CLAMP)};")
    out.append(f"inline constexpr float kTanhSlotBias = {hex_float(TANH_SLOT_BIAS)};")
    out.append(f"inline constexpr float kSigmoidClamp = {hex_float(SIGMOID_CLAMP)};")
    out.append(f"inline constexpr float kLog2e = {hex_float(LOG2E)};")
    out.append(f"inline constexpr float kLn2Hi = {hex_float(LN2_HI)};")
    out.append(f"inline constexpr float kSiluSlotScale = {hex_float(SILU_SLOT_SCALE)};")
    out.append(f"inline constexpr float kSiluLimit = {hex_float(SILU_LIMIT)};")
    out.append(f"inline constexpr int kSiluHalfSlots = {SILU_HALF_SLOTS};")
    out.append("inline constexpr float kSiluDerivativeSlotScale = "
               f"{hex_float(SILU_DERIVATIVE_SLOT_SCALE)};")
    out.append("")
    out.append(emit_array("kTanhX0", [s["x0"] for s in tanh], "tanh: expansion points x0"))
    out.append(emit_array("kTanhC0", [s["c0"] for s in tanh],
                          "tanh: c0, the float nearest tanh(x0) (0 where x0 = 0: a is c0 there)"))
    out.append(emit_table("kTanhQ", [s["q"] for s in tanh], f"tanh: q0..q{DEGREES['tanh']} per slot"))
    out.append(emit_array("kSigmoidLn2Lo", [s["ln2_lo"] for s in sigmoid],
                          "sigmoid: ln2 - ln2_hi, moved per slot"))
    out.append(emit_array("kSigmoidC0", [s["c0"] for s in sigmoid], "sigmoid: c0 = F_m(0)"))
    out.append(emit_table("kSigmoidQ", [s["q"] for s in sigmoid],
                          f"sigmoid: q0..q{DEGREES['sigmoid']} per slot"))
    out.append(emit_array("kSiluX0", [s["x0"] for s in silu], "SiLU: expansion points x0"))
    out.append(emit_array("kSiluC0", [s["c0"] for s in silu],
                          "SiLU: c0, the float nearest -E(x0) (slots 0 and 1) or G(x0)"))
    out.append(emit_table("kSiluQ", [s["q"] for s in silu], f"SiLU: q0..q{DEGREES['silu']} per slot"))
    out.append(emit_array("kSiluDerivativeX0", [s["x0"] for s in silu_derivative],
                          "SiLU's derivative: expansion points x0"))
    out.append(emit_array("kSiluDerivativeC0", [s["c0"] for s in silu_derivative],
                          "SiLU's derivative: c0, the float nearest silu'(-x0)"))
    out.append(emit_table("kSiluDerivativeQ", [s["q"] for s in silu_derivative],
                          f"SiLU's derivative: q0..q{DEGREES['silu_derivative']} per slot"))
    out.append("// clang-format on\n")
    out.append("}  // namespace activations::kernels::tables")
    print("\n".join(out))
    for name, slots in (("tanh", tanh), ("sigmoid", sigmoid), ("silu", silu),
                        ("silu'", silu_derivative)):
        for i, s in enumerate(slots):
            print(f"{name} slot {i:2d} [{s['lo']:.6g}, {s['hi']:.6g}]: c0 off by "
                  f"{s['offset']:.2e} ULP, fit error {s['error']:.3e} ULP", file=sys.stderr)


if __name__ == "__main__":
    main()
