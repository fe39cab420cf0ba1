#!/usr/bin/env python3
"""Turns Google Benchmark JSON from bench/activations_bench into BENCHMARKS.md and a plot.

    benchmarks_report.py DEFAULT.json [AVX512.json] --markdown BENCHMARKS.md --plot docs/x.png
        [--accuracy ACCURACY.json] [--accuracy-avx512 ACCURACY_AVX512.json]
        [--baseline BASELINE.json] [--before-after BEFORE1.json AFTER1.json ...]
        [--avx2 AVX2.json] [--huge-pages HUGE.json]
        [--pinned PINNED.json [--pinned-store DIR]]

DEFAULT.json is a run against ATen's default kernels, AVX512.json (optional) one with
ATEN_CPU_CAPABILITY=avx512 set. Ratios are ATen's time divided by ours: above 1, ours is faster.
The Peers section puts the peer libraries' cases of DEFAULT.json (paired_peer_onednn, _xnnpack)
beside their accuracy from bench/activations_peer_accuracy (ACCURACY.json; ATen's AVX-512
kernels' from ACCURACY_AVX512.json); its ratios are the peer's time over ours.
PINNED.json is a run of the benchmark built against the pinned PyPI torch. torch's CPU kernels
differ between CPU vendors (MKL's paths), so the report keeps one such run per vendor: with
--pinned-store, this run's medians replace DIR/pinned-<vendor>.json, and every vendor's stored run
gets its own section, this run's vendor first.
"""
import argparse
import collections
import json
import pathlib

SIZES = [1000, 10000, 100000, 1000000, 16000000]
# the chapter's four, whose earlier targets stay theirs; SiLU and GELU are measured in float32
CLASSIC = ["sigmoid", "tanh", "relu", "leaky_relu"]
ACTIVATIONS = CLASSIC + ["silu", "gelu", "gelu_tanh"]
PEER_SIZES = SIZES[1:]
# (benchmark variant, accuracy library, name in the report)
PEERS = [("peer_onednn", "onednn", "oneDNN"), ("peer_xnnpack", "xnnpack", "XNNPACK")]


def load(path):
    data = json.loads(pathlib.Path(path).read_text())
    times = {}
    medians = set()
    for b in data["benchmarks"]:
        # a run with repetitions is summarised by its median; a single run by itself
        median = b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"
        if b.get("run_type", "iteration") != "iteration" and not median:
            continue
        variant, activation, dtype, elements, threads = b["name"].split("/")[:5]
        key = (variant, activation, dtype, int(elements), int(threads.split(":")[1]))
        if key in medians:
            continue
        if median:
            medians.add(key)
        if variant.startswith("paired_"):
            # ours and the other timed in alternating rounds: medians per call, and the median
            # of the rounds' ratios, which ratio() prefers to a ratio of the two medians
            kind = variant[len("paired_"):]
            if kind.startswith("peer_"):  # against our out= variant, timed in paired_out too
                ours, other = "out_ours", kind
            else:
                ours, other = f"{kind}_ours", f"{kind}_aten"
                times[(ours,) + key[1:]] = b["ours_ns"]
            times[(other,) + key[1:]] = b["other_ns"]
            times[paired_key(other, ours, *key[1:])] = b["ratio"]
            continue
        times[key] = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
    repetitions = max((b.get("repetitions", 1) for b in data["benchmarks"]), default=1)
    return dict(data["context"], repetitions=repetitions), times


def summarised(context):
    """How a run's cells were summarised, as the report says it."""
    n = context.get("repetitions", 1)
    if n == 1:
        return "single runs"
    words = {3: "three", 5: "five"}
    return f"medians of {words.get(n, n)} repetitions, interleaved at random in their run"


def paired_key(slow, fast, activation, dtype, size, threads):
    return ("paired", slow, fast, activation, dtype, size, threads)


def ratio(times, slow, fast, activation, dtype, size, threads):
    paired = times.get(paired_key(slow, fast, activation, dtype, size, threads))
    if paired is not None:
        return paired
    a = times.get((slow, activation, dtype, size, threads))
    b = times.get((fast, activation, dtype, size, threads))
    return a / b if a and b else None


def fmt(value, target=None):
    if value is None:
        return "–"
    text = f"{value:.2f}"
    return f"**{text}**" if target is not None and value < target else text


def size_label(size):
    return {16000000: "1.6e7"}.get(size, f"{size:.0e}".replace("+0", ""))


def ratio_table(times, pair, dtype, threads, sizes, target=None):
    slow, fast = pair
    lines = ["| activation | " + " | ".join(size_label(s) for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for activation in ACTIVATIONS:
        values = [ratio(times, slow, fast, activation, dtype, s, threads) for s in sizes]
        if all(v is None for v in values):
            continue  # SiLU and GELU in float64 and bfloat16
        lines.append(f"| {activation} | " + " | ".join(fmt(v, target) for v in values) + " |")
    return "\n".join(lines)


def ns_per_element(times, variant, activation, dtype, size, threads):
    t = times.get((variant, activation, dtype, size, threads))
    return t / size if t else None


IN_CACHE = (100000, 1000000)


def judge(rows, name, values, at_least, goal):
    """Appends (name, met, worst cell) for `values`, (where, ratio) pairs: met when the worst
    measured cell is at least (or at most) `goal`; unmeasured cells are left out."""
    values = [v for v in values if v[1] is not None]
    if not values:
        rows.append((name, False, None))
        return
    worst = min(values, key=lambda v: v[1]) if at_least else max(values, key=lambda v: v[1])
    rows.append((name, worst[1] >= goal if at_least else worst[1] <= goal, worst))


def fastest_and_exact_targets(times, avx512, baseline, avx2):
    """The "fastest and exact" targets (float32, 1 thread, in cache unless said), each with the
    figure that decides it: (name, met, (where, value))."""
    rows = []

    def check(name, values, at_least, goal):
        judge(rows, name, values, at_least, goal)

    def against(source, slow, fast, activation, label=""):
        return [(f"{label}{activation} {size_label(s)}",
                 source and ratio(source, slow, fast, activation, "float32", s, 1))
                for s in IN_CACHE]

    merged = dict(times)
    for key, value in (baseline or {}).items():
        merged[("baseline",) + key[1:]] = value
    check("tanh >= 2x our previous kernels", against(merged, "baseline", "out_ours", "tanh"),
          True, 2.0)
    # the most any out= kernel can gain on the previous tanh: a plain copy of the same bytes
    check("bound on the target above: memcpy of the same bytes >= 2x our previous tanh",
          [(f"memcpy {size_label(s)}",
            times.get(paired_key("baseline", "copy", "tanh", "float32", s, 1))) for s in IN_CACHE],
          True, 2.0)
    check("tanh >= 1.3x oneDNN's", against(times, "peer_onednn", "out_ours", "tanh"), True, 1.3)
    def onednn_tanh_over_copy(size):
        onednn = times.get(("peer_onednn", "tanh", "float32", size, 1))
        copy = times.get(("copy", "copy", "float32", size, 1))
        return onednn / copy if onednn and copy else None

    # the most any out= kernel can gain: a plain copy of the same bytes against oneDNN's tanh
    check("bound on the target above: memcpy of the same bytes >= 1.3x oneDNN's tanh",
          [(f"memcpy {size_label(s)}", onednn_tanh_over_copy(s)) for s in IN_CACHE], True, 1.3)
    check("sigmoid >= 1.4x our previous kernels",
          against(merged, "baseline", "out_ours", "sigmoid"), True, 1.4)
    check("sigmoid at XNNPACK's speed (stretch goal)",
          against(times, "peer_xnnpack", "out_ours", "sigmoid"), True, 1.0)
    memcpy = []
    for s in IN_CACHE:
        copy = times.get(("copy", "copy", "float32", s, 1))
        for variant, activation, arrays in (
                [("out_ours", a, 2) for a in ("relu", "leaky_relu")] +
                [("backward_ours", a, 3) for a in CLASSIC]):
            t = times.get((variant, activation, "float32", s, 1))
            # memcpy of the same bytes: a backward reads two arrays and writes one
            memcpy.append((f"{variant.split('_')[0]} {activation} {size_label(s)}",
                           t / (copy * arrays / 2) if t and copy else None))
    check("relu, leaky_relu and the four's backward within 10% of memcpy of the same bytes "
          "(time / memcpy time <= 1.10)", memcpy, False, 1.10)
    cells = []
    for source, label in ((times, ""), (avx512, "avx512 ")):
        for kind in ("out", "backward", "alloc"):
            for dtype in ("float32", "float64", "bfloat16"):
                for s in SIZES[1:]:
                    for t in (1, 2):
                        for a in ACTIVATIONS:
                            cells.append((f"{label}{kind} {a} {dtype} {size_label(s)} t{t}",
                                          source and ratio(source, f"{kind}_aten",
                                                           f"{kind}_ours", a, dtype, s, t)))
    check("no cell of the ATen comparison below 0.95 (1e4 and up, 1 and 2 threads, ATen's "
          "default and AVX-512 kernels)", cells, True, 0.95)
    fresh = [(f"{kind} {a} {size_label(s)} t{t}",
              ratio(times, f"{kind}_aten", f"{kind}_ours", a, "float32", s, t))
             for kind in ("alloc", "backward") for a in ACTIVATIONS for s in SIZES[1:]
             for t in (1, 2)]
    check("allocating calls (forward and backward) >= 0.95 of ATen's, 1e4 and up, 1 and 2 "
          "threads", fresh, True, 0.95)
    check("AVX2: sigmoid at least ATen's speed (1e4 to 1.6e7, 1 thread)",
          [(f"sigmoid {size_label(s)}", avx2 and ratio(avx2, "out_aten", "out_ours", "sigmoid",
                                                       "float32", s, 1)) for s in SIZES[1:]],
          True, 1.0)
    check("AVX2: tanh keeps its lead over ATen (1e4 to 1.6e7, 1 thread)",
          [(f"tanh {size_label(s)}", avx2 and ratio(avx2, "out_aten", "out_ours", "tanh",
                                                    "float32", s, 1)) for s in SIZES[1:]],
          True, 1.0)
    return rows


def targets(times):
    """The earlier targets, each with the figure that decides it."""
    rows = []

    def check(name, values, at_least, goal):
        judge(rows, name, values, at_least, goal)

    never_slower = []
    for threads in (1, 2):
        for size in SIZES[1:]:
            for activation in CLASSIC:
                for pair in (("out_aten", "out_ours"), ("backward_aten", "backward_ours")):
                    never_slower.append((f"{pair[1].split('_')[0]} {activation} "
                                         f"{size_label(size)} t{threads}",
                                         ratio(times, *pair, activation, "float32", size,
                                               threads)))
    check("never slower than ATen (>= 1.0), 1e4 and up, 1 and 2 threads", never_slower, True, 1.0)
    for activation, goal in (("sigmoid", 3.0), ("tanh", 8.0)):
        values = [(f"{activation} {size_label(s)} t{t}",
                   ratio(times, "out_aten", "out_ours", activation, "float32", s, t))
                  for s in SIZES[1:4] for t in (1, 2)]
        check(f"{activation} forward in cache (1e4 to 1e6) >= {goal}x ATen", values, True, goal)
    roofline = []
    for t in (1, 2):
        copy = times.get(("copy", "copy", "float32", 16000000, t))
        for activation in CLASSIC:
            ours = times.get(("out_ours", activation, "float32", 16000000, t))
            roofline.append((f"{activation} t{t}", ours / copy if ours and copy else None))
    check("1.6e7 elements within 10% of the copy roofline (time / copy time <= 1.10)",
          roofline, False, 1.10)
    naive = [(f"{a} {size_label(s)} t{t}", ratio(times, "naive", "alloc_ours", a, "float32", s, t))
             for a in ("sigmoid", "tanh") for s in SIZES for t in (1, 2)]
    check(">= 3x the chapter's naive composition (sigmoid, tanh)", naive, True, 3.0)
    overhead = [(f"{a} t{t}", ratio(times, "module_aten", "module_ours", a, "float32", 1000, t))
                for a in CLASSIC for t in (1, 2)]
    check("module call at 1e3 within 10% of the built-in's (ratio >= 0.91)", overhead, True,
          1 / 1.1)
    return rows


def pinned_targets(times, context):
    """The targets against the newest torch's own kernels (PyPI's build, its default AVX-512
    ones), on the CPU of the run: (name, met, (where, value))."""
    rows = []

    def check(name, values, at_least, goal):
        judge(rows, name, values, at_least, goal)

    def cells(kinds, activations, sizes, threads):
        return [(f"{kind} {a} {size_label(s)} t{t}",
                 ratio(times, f"{kind}_aten", f"{kind}_ours", a, "float32", s, t))
                for kind in kinds for a in activations for s in sizes for t in threads]

    def over_copy(activation):
        """torch's out= time over a copy of the same bytes: the most any out= kernel can gain on
        it (where 1e6 elements leave the L2, both are at the memory's speed)."""
        values = []
        for s in IN_CACHE:
            aten = times.get(("out_aten", activation, "float32", s, 1))
            copy = times.get(("copy", "copy", "float32", s, 1))
            values.append((f"memcpy {size_label(s)}", aten / copy if aten and copy else None))
        return values

    amd = "AMD" in context.get("cpu_model", "")
    check("sigmoid >= 1.5x (out= and allocating)",
          cells(("out", "alloc"), ["sigmoid"], IN_CACHE, (1,)), True, 1.5)
    check("bound on the target above: torch's out= sigmoid >= 1.5x memcpy of the same bytes",
          over_copy("sigmoid"), True, 1.5)
    # torch's tanh takes a slow path on AMD's CPUs, a fast one on Intel's
    tanh_goal = 8.0 if amd else 1.5
    check(f"tanh >= {tanh_goal:g}x (out= and allocating; {'AMD' if amd else 'Intel'})",
          cells(("out", "alloc"), ["tanh"], IN_CACHE, (1,)), True, tanh_goal)
    check(f"bound on the target above: torch's out= tanh >= {tanh_goal:g}x memcpy of the same "
          "bytes", over_copy("tanh"), True, tanh_goal)
    check("relu and leaky_relu never below 1.0 (out=, allocating, backward; 1e4 and up; 1 and 2 "
          "threads)", cells(("out", "alloc", "backward"), ["relu", "leaky_relu"], SIZES[1:],
                            (1, 2)), True, 1.0)
    for activation, goal in (("silu", 1.2), ("gelu", 1.0), ("gelu_tanh", 3.0)):
        check(f"{activation} >= {goal:g}x the allocating call",
              cells(("alloc",), [activation], IN_CACHE, (1,)), True, goal)
    check("no cell below 0.95 (out=, allocating, backward, modules; 1e4 and up; 1 and 2 threads)",
          cells(("out", "alloc", "backward", "module"), ACTIVATIONS, SIZES[1:], (1, 2)), True,
          0.95)
    return rows


def cpu_vendor(context):
    model = context.get("cpu_model", "")
    return "amd" if "AMD" in model else "intel" if "Intel" in model else "other"


def store_pinned(path, directory):
    """Keeps this run's summarised cells (medians, or single runs) as DIR/pinned-<vendor>.json,
    replacing that vendor's previous run, and returns the stored runs, this run's vendor first."""
    data = json.loads(pathlib.Path(path).read_text())
    data["benchmarks"] = [b for b in data["benchmarks"]
                          if b.get("run_type", "iteration") == "iteration"
                          or b.get("aggregate_name") == "median"]
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stored = directory / f"pinned-{cpu_vendor(data['context'])}.json"
    stored.write_text(json.dumps(data, indent=1) + "\n")
    others = sorted(p for p in directory.glob("pinned-*.json") if p != stored)
    return [stored] + others


def pinned_section(path):
    """Ours against the newest torch's own kernels, from a run of the benchmark built against
    that torch (scripts/run_benchmarks.sh's bench-torch2 build)."""
    context, times = load(path)
    version = context.get("torch_version", "?")
    cpu = context.get("cpu_model", "unknown CPU")
    out = ["", f"## Against torch {version} (PyPI), its own kernels: {cpu}", "",
           f"The same benchmark built against torch {version} as PyPI ships it "
           f"(ATen kernels: {context.get('aten_capability', '?')}; ours: "
           f"{context.get('simd_target', '?')}), float32, {summarised(context)}; CPU: "
           f"{cpu}, run of {context.get('date', '?')[:10]}. Ratios: torch's time / ours, paired "
           "as above; the targets are judged on 1e5 and 1e6 elements at 1 thread unless said.",
           "",
           "| target | met | deciding figure |", "|---|---|---|"]
    for name, ok, worst in pinned_targets(times, context):
        figure = f"{worst[0]}: {worst[1]:.2f}" if worst else "not measured"
        out.append(f"| {name} | {'yes' if ok else 'no'} | {figure} |")
    out += ["", "### 1 thread, ns per element (torch / ours)", "",
            "| call | " + " | ".join(size_label(s) for s in SIZES) + " |",
            "|---|" + "---|" * len(SIZES)]
    for kind in ("alloc", "out", "backward"):
        for activation in ACTIVATIONS:
            cells = [(ns_per_element(times, f"{kind}_aten", activation, "float32", s, 1),
                      ns_per_element(times, f"{kind}_ours", activation, "float32", s, 1))
                     for s in SIZES]
            if all(None in c for c in cells):
                continue
            out.append(f"| {kind} {activation} | " + " | ".join(
                "–" if None in c else f"{c[0]:.3f} / {c[1]:.3f}" for c in cells) + " |")
    for threads in (1, 2):
        for title, pair in (("forward, out=", ("out_aten", "out_ours")),
                            ("backward", ("backward_aten", "backward_ours")),
                            ("forward, allocating", ("alloc_aten", "alloc_ours")),
                            ("modules", ("module_aten", "module_ours"))):
            out += ["", f"### {threads} thread{'s' if threads > 1 else ''}, {title}", "",
                    ratio_table(times, pair, "float32", threads, SIZES, 1.0)]
    return out


def before_after_ratios(paths):
    """Previous time / time now for each cell the alternating runs share, as the median over
    the pairs of runs (BEFORE1 AFTER1 BEFORE2 AFTER2 ...), under paired keys for ratio(); and
    previous time / memcpy time of the same bytes (the most any kernel could gain on them)."""
    per_cell = collections.defaultdict(list)
    for before_path, after_path in zip(paths[::2], paths[1::2]):
        before, after = load(before_path)[1], load(after_path)[1]
        for key, old in before.items():
            if key[0] != "out_ours":
                continue
            if after.get(key):
                per_cell[("out_ours",) + key[1:]].append(old / after[key])
            copy = after.get(("copy", "copy") + key[2:])
            if copy:
                per_cell[("copy",) + key[1:]].append(old / copy)
    return {paired_key("baseline", cell[0], *cell[1:]): sorted(r)[len(r) // 2]
            for cell, r in per_cell.items()}


def load_accuracy(path):
    if not path or not pathlib.Path(path).is_file():
        return {}, {}
    data = json.loads(pathlib.Path(path).read_text())
    return data["context"], {(r["library"], r["activation"]): r for r in data["results"]}


def fmt_ulp(value):
    return f"{value:.2f}" if value < 100 else f"{value:.3g}"


def accuracy_cells(r, activation):
    """max ULP (or exactness), NaN for finite inputs, zeros in the negative tail."""
    if r is None:
        return ["not measured", "–", "–"]
    nan = str(r["nan_for_finite"])
    if r["nan_for_finite"]:
        nan += f" (\\|x\\| in [{r['nan_abs_x_low']:.3g}, {r['nan_abs_x_high']:.3g}])"
    if activation in ("relu", "leaky_relu"):
        if r["bitwise_differs"] == 0:
            return ["exact", nan, "–"]
        return [f"{r['bitwise_differs']} differ (e.g. x = {r['first_differing_x']:.3g})", nan, "–"]
    ulp = f"{fmt_ulp(r['max_ulp_normal'])} at x = {r['max_ulp_normal_x']:.6g}"
    if r["max_ulp"] > r["max_ulp_normal"]:
        ulp += f" ({fmt_ulp(r['max_ulp'])} at x = {r['max_ulp_x']:.6g} with subnormal results)"
    tail = "–"
    if "tail_zeros" in r:
        tail = f"{r['tail_zeros']} of {r['tail_points']}"
        if r["tail_zeros"]:
            tail += f" (x in [{r['tail_zeros_low']:.2f}, {r['tail_zeros_high']:.2f}])"
    return [ulp, nan, tail]


def less_accurate(name, activation, r, ours):
    """What makes r less accurate than ours, as phrases (none: at least as accurate)."""
    if r is None or ours is None:
        return []
    if activation in ("relu", "leaky_relu"):
        if r["bitwise_differs"] > ours["bitwise_differs"]:
            return [f"{r['bitwise_differs']} results differ from the exact ones "
                    f"(ours {ours['bitwise_differs']})"]
        return []
    parts = []
    if r["max_ulp_normal"] > ours["max_ulp_normal"]:
        parts.append(f"max {fmt_ulp(r['max_ulp_normal'])} ULP vs our "
                     f"{fmt_ulp(ours['max_ulp_normal'])} "
                     f"({r['max_ulp_normal'] / max(ours['max_ulp_normal'], 1e-9):.3g}x)")
    if r["max_ulp"] > r["max_ulp_normal"] and r["max_ulp"] > ours["max_ulp"]:
        parts.append(f"subnormal results up to {fmt_ulp(r['max_ulp'])} ULP off (ours "
                     f"{fmt_ulp(ours['max_ulp'])})")
    if r["nan_for_finite"] > ours["nan_for_finite"]:
        parts.append(f"NaN for {r['nan_for_finite']} finite inputs (ours "
                     f"{ours['nan_for_finite']})")
    if r.get("tail_zeros", 0) > ours.get("tail_zeros", 0):
        parts.append(f"0 for {r['tail_zeros']} tail inputs whose result is positive "
                     f"(ours {ours['tail_zeros']})")
    return parts


def peers_section(times, avx512, accuracy, accuracy_avx512, context, accuracy_context):
    columns = [(s, t) for t in (1, 2) for s in PEER_SIZES]
    header = ("| function | implementation | " +
              " | ".join(f"{size_label(s)} t{t}" for s, t in columns) +
              " | max ULP | NaN for finite x | 0 in the tail |")
    out = ["", "## Peers", ""]
    have_peers = any(k[0].startswith("peer_") for k in times)
    if not have_peers and not accuracy:
        return out + ["Not measured: no peer library (oneDNN, XNNPACK) was built in."]
    out += [
        "float32 forward on preallocated buffers, each library's operator created once outside "
        "the timed loop. Cells: **ns per element (peer time / our time)**, at 1 thread the two timed "
        "together in alternating rounds as above; at 2 threads each alone, medians of "
        "repetitions (XNNPACK's own thread pool and torch's OpenMP threads, run in turn, "
        "each find the other's threads still spinning on the 2 cores); "
        "above 1 ours is faster, bold where the peer is faster. Threads: "
        "`torch::set_num_threads` for ours and ATen, OpenMP's for oneDNN, a pthreadpool of 1 or "
        "2 threads for XNNPACK.", "",
        f"- Libraries: {context.get('peer_libraries', accuracy_context.get('peer_libraries', '?'))}"
        "; XNNPACK of this version has no float32 tanh, SiLU or GELU operator, and runs its "
        "operators with "
        "subnormals flushed.",
        "- Accuracy (bench/peer_accuracy.cpp): every "
        f"{accuracy_context.get('stride', 4099)}th float32 bit pattern that is finite "
        f"({accuracy_context.get('inputs', '?')} inputs). max ULP: against a long double "
        "reference, over the results in the normal range (in brackets: over all, where "
        "subnormal results count). 0 in the tail: points of a grid of "
        f"{accuracy_context.get('tail_grid_points', 1700001)} over the negative tail (sigmoid "
        "[-104, -87], silu [-110, -85], gelu [-15, -5], gelu tanh [-12, -4]) where the result is "
        "0 though the exact one rounds to a nonzero float. ReLU and "
        "LeakyReLU (slope 0.2f): results that differ bitwise from `x < 0 ? 0 : x` and "
        "`x > 0 ? x : 0.2f * x`.", "",
        header, "|---|---|" + "---|" * (len(columns) + 3)]
    ours_acc = {a: accuracy.get(("ours", a)) for a in ACTIVATIONS}
    verdicts = []
    for activation in ACTIVATIONS:
        rows = [("ours", times, "out_ours", None, ours_acc[activation]),
                (f"ATen default ({context.get('aten_capability', '?')})", times, "out_aten",
                 "out_ours", accuracy.get(("aten", activation)))]
        if avx512 is not None:
            rows.append(("ATen avx512", avx512, "out_aten", "out_ours",
                         accuracy_avx512.get(("aten", activation))))
        for variant, library, name in PEERS:
            measured = any(k[0] == variant and k[1] == activation for k in times)
            r = accuracy.get((library, activation))
            if measured or r is not None:
                rows.append((name, times, variant, "out_ours", r))
        for name, source, variant, baseline, r in rows:
            cells = []
            for size, threads in columns:
                t = source.get((variant, activation, "float32", size, threads))
                if t is None:
                    cells.append("–")
                    continue
                cell = f"{t / size:.3f}"
                if baseline:
                    over_ours = ratio(source, variant, baseline, activation, "float32", size,
                                      threads)
                    if over_ours:
                        cell += f" ({fmt(over_ours, 1.0)})"
                cells.append(cell)
            out.append(f"| {activation} | {name} | " + " | ".join(cells) + " | " +
                       " | ".join(accuracy_cells(r, activation)) + " |")
            if name != "ours":
                parts = less_accurate(name, activation, r, ours_acc[activation])
                if parts:
                    verdicts.append(f"{name} {activation}: " + "; ".join(parts))
    out += [""]
    if not accuracy:
        out.append("Accuracy not measured (no bench/activations_peer_accuracy output given).")
    elif verdicts:
        out.append("Less accurate than ours: " + ". ".join(verdicts) + ".")
    else:
        out.append("No implementation measured here is less accurate than ours.")
    return out


def plot(times, path, threads=1):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(ACTIVATIONS), figsize=(4 * len(ACTIVATIONS), 4),
                             sharey=True)
    for ax, activation in zip(axes, ACTIVATIONS):
        for variant, label, style in (("out_ours", "ours", "o-"), ("out_aten", "ATen", "s--"),
                                      ("peer_onednn", "oneDNN", "^-."),
                                      ("peer_xnnpack", "XNNPACK", "v-."),
                                      ("copy", "memcpy", ":")):
            name = "copy" if variant == "copy" else activation
            ys = [ns_per_element(times, variant, name, "float32", s, threads) for s in SIZES]
            if variant.startswith("peer_") and all(y is None for y in ys):
                continue
            ax.plot(SIZES, [float("nan") if y is None else y for y in ys], style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{activation} forward (out=), float32, {threads} thread")
        ax.set_xlabel("elements")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ns per element")
    for ax in axes:
        ax.legend(fontsize="small")
    fig.tight_layout()
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("default_json")
    parser.add_argument("avx512_json", nargs="?")
    parser.add_argument("--markdown", default="BENCHMARKS.md")
    parser.add_argument("--plot", default="docs/benchmarks.png")
    parser.add_argument("--huge-pages", help="a run with ACTIVATIONS_HUGE_PAGES=1, if measured")
    parser.add_argument("--cuda", help="markdown of a GPU run's results (docs/cuda/results.md)")
    parser.add_argument("--python-calls",
                        help="markdown of bench/python_calls.py's last run (docs/python_calls.md)")
    parser.add_argument("--baseline", help="out_ours cases of our previous kernels (BASELINE_REF)")
    parser.add_argument("--targets", help="the target cells as medians of repetitions")
    parser.add_argument("--before-after", nargs="+", default=[],
                        help="runs of our previous kernels (out_ours) and of these, alternating "
                             "process by process: BEFORE1 AFTER1 BEFORE2 AFTER2 ...")
    parser.add_argument("--avx2", help="a run with ACTIVATIONS_BENCH_SIMD_TARGET=AVX2")
    parser.add_argument("--pinned", help="a run of the benchmark built against the pinned PyPI "
                                         "torch (float32)")
    parser.add_argument("--pinned-store",
                        help="where each CPU vendor's last --pinned run is kept (docs/benchmarks)")
    parser.add_argument("--accuracy", help="bench/activations_peer_accuracy output (default ATen)")
    parser.add_argument("--accuracy-avx512",
                        help="bench/activations_peer_accuracy --only aten with "
                             "ATEN_CPU_CAPABILITY=avx512")
    args = parser.parse_args()

    context, times = load(args.default_json)
    target_context, target_medians = load(args.targets) if args.targets else (context, {})
    out = ["# Benchmarks", "",
           "Generated by `scripts/run_benchmarks.sh` (bench/activations_bench.cpp, Google "
           "Benchmark) from one run; ratios are **ATen's time / our time** measured in that same "
           "run (above 1: ours is faster; bold: below the target of its table).", "",
           "Ours and ATen's out=, allocating and backward calls and modules, and ours and each "
           "peer library's operator (at 1 thread), are timed together in each cell, "
           f"in {context.get('paired_rounds', '?')} alternating rounds: a block of calls of "
           "one right after a block of calls of the other, of at least "
           f"{int(context.get('paired_block_elements', 0)):,} elements each, the order swapped "
           "every round. The cell's ratio is the median of its rounds' ratios, its ns per "
           "element the median of each side's rounds. Both sides of a round see the same state "
           "of this shared machine, so a slow spell between two cells moves neither's ratio.", "",
           f"- Machine: {context.get('cpu_model', 'unknown CPU')}, {context.get('num_cpus')} "
           f"cores at {context.get('mhz_per_cpu')} MHz; L2 "
           f"{next((c['size'] for c in context.get('caches', []) if c['level'] == 2), '?')} B, "
           f"L3 {next((c['size'] for c in context.get('caches', []) if c['level'] == 3), '?')} B",
           f"- LibTorch {context.get('torch_version', '?')}; ATen kernels: "
           f"{context.get('aten_capability', '?')}; ours: {context.get('simd_target', '?')} "
           "(Highway runtime dispatch)",
           "- Threads set explicitly with `torch::set_num_threads` (1 and 2); out= variants on "
           "preallocated buffers unless said otherwise.", "",
           f"![ns per element]({pathlib.Path(args.plot).resolve().relative_to(pathlib.Path(args.markdown).resolve().parent)})",
           "", "## Targets: fastest and exact", "",
           "float32, 1 thread, in cache (1e5 and 1e6 elements) unless said, "
           f"{summarised(target_context)} "
           "(so are the allocating calls, float32, 1e4 and up, 1 and 2 threads; the other tables: "
           f"{summarised(context)}); the deciding figure is the worst cell (a ratio: slower time / "
           "faster time, or time / memcpy time)."
           + (f" Against our previous kernels: the median over {len(args.before_after) // 2} "
              "pairs of runs, the previous kernels' benchmark and this one alternating process "
              "by process." if args.before_after else ""), "",
           "| target | met | deciding figure |", "|---|---|---|"]
    avx512 = load(args.avx512_json)[1] if args.avx512_json else None
    baseline = load(args.baseline)[1] if args.baseline else None
    avx2_context, avx2 = load(args.avx2) if args.avx2 else ({}, None)
    target_times = dict(times)
    target_times.update(target_medians)
    target_times.update(before_after_ratios(args.before_after))
    for name, ok, worst in fastest_and_exact_targets(target_times, avx512, baseline, avx2):
        figure = f"{worst[0]}: {worst[1]:.2f}" if worst else "not measured"
        out.append(f"| {name} | {'yes' if ok else 'no'} | {figure} |")
    if args.pinned:
        runs = store_pinned(args.pinned, args.pinned_store) if args.pinned_store else [args.pinned]
        for run in runs:
            out += pinned_section(run)
    out += ["", "## Earlier targets", "",
            "| target | met | deciding figure |", "|---|---|---|"]
    for name, ok, worst in targets(times):
        figure = f"{worst[0]}: {worst[1]:.2f}" if worst else "–"
        out.append(f"| {name} | {'yes' if ok else 'no'} | {figure} |")
    for threads in (1, 2):
        out += ["", f"## float32, {threads} thread{'s' if threads > 1 else ''}", ""]
        for title, pair, target in (
                ("Forward, out= on preallocated buffers", ("out_aten", "out_ours"), 1.0),
                ("Backward operators (allocating)", ("backward_aten", "backward_ours"), 1.0),
                ("Forward, allocating (`activations::sigmoid` vs `torch::sigmoid`)",
                 ("alloc_aten", "alloc_ours"), 1.0),
                ("Modules (`MySigmoid` vs `torch::nn::Sigmoid`)",
                 ("module_aten", "module_ours"), 1 / 1.1),
                ("Ours against the chapter's naive composition (naive time / our time)",
                 ("naive", "alloc_ours"), 3.0)):
            out += [f"### {title}", "", ratio_table(times, pair, "float32", threads, SIZES,
                                                    target), ""]
        out += ["### ns per element (out=)", "",
                "| variant | " + " | ".join(size_label(s) for s in SIZES) + " |",
                "|---|" + "---|" * len(SIZES)]
        for activation in ACTIVATIONS:
            for variant in ("out_ours", "out_aten"):
                cells = [ns_per_element(times, variant, activation, "float32", s, threads)
                         for s in SIZES]
                out.append(f"| {activation} {variant.split('_')[1]} | " +
                           " | ".join("–" if c is None else f"{c:.3f}" for c in cells) + " |")
        cells = [ns_per_element(times, "copy", "copy", "float32", s, threads) for s in SIZES]
        out.append("| memcpy | " + " | ".join("–" if c is None else f"{c:.3f}"
                                              for c in cells) + " |")
    for dtype in ("float64", "bfloat16"):
        for threads in (1, 2):
            out += ["", f"## {dtype}, {threads} thread{'s' if threads > 1 else ''}: forward "
                    "(out=) and backward", "",
                    ratio_table(times, ("out_aten", "out_ours"), dtype, threads, SIZES[1:], 1.0),
                    "", ratio_table(times, ("backward_aten", "backward_ours"), dtype, threads,
                                    SIZES[1:], 1.0)]
    if args.avx512_json:
        _, avx512 = load(args.avx512_json)
        out += ["", "## Against ATen's AVX-512 kernels (`ATEN_CPU_CAPABILITY=avx512`)", "",
                "The same benchmark, run with ATen forced onto its AVX-512 kernels.", ""]
        for threads in (1, 2):
            out += [f"### float32, {threads} thread{'s' if threads > 1 else ''}, forward (out=)",
                    "", ratio_table(avx512, ("out_aten", "out_ours"), "float32", threads, SIZES,
                                    1.0), "",
                    f"### float32, {threads} thread{'s' if threads > 1 else ''}, backward", "",
                    ratio_table(avx512, ("backward_aten", "backward_ours"), "float32", threads,
                                SIZES, 1.0), ""]
    if baseline:
        out += ["", "## Against our previous kernels", "",
                "float32 forward (out=), ns per element of the previous kernels "
                "(BASELINE_REF in scripts/run_benchmarks.sh) and of these, and previous time / time "
                "now.",
                "", "| function | threads | " + " | ".join(size_label(s) for s in SIZES) + " |",
                "|---|---|" + "---|" * len(SIZES)]
        for activation in ("sigmoid", "tanh"):
            for t in (1, 2):
                cells = []
                for s in SIZES:
                    old = baseline.get(("out_ours", activation, "float32", s, t))
                    new = times.get(("out_ours", activation, "float32", s, t))
                    cells.append(f"{old / s:.3f} → {new / s:.3f} ({old / new:.2f}x)"
                                 if old and new else "–")
                out.append(f"| {activation} | {t} | " + " | ".join(cells) + " |")
    if avx2:
        out += ["", "## Ours on AVX2 (`ACTIVATIONS_BENCH_SIMD_TARGET=AVX2`)", "",
                f"Our dispatch restricted to {avx2_context.get('simd_target', 'AVX2')}, against "
                f"ATen's default kernels ({avx2_context.get('aten_capability', '?')}), float32: "
                "ATen's time / ours.", ""]
        for t in (1, 2):
            out += [f"### {t} thread{'s' if t > 1 else ''}, forward (out=)", "",
                    ratio_table(avx2, ("out_aten", "out_ours"), "float32", t, SIZES[1:], 1.0),
                    "", f"### {t} thread{'s' if t > 1 else ''}, backward", "",
                    ratio_table(avx2, ("backward_aten", "backward_ours"), "float32", t,
                                SIZES[1:], 1.0), ""]
    accuracy_context, accuracy = load_accuracy(args.accuracy)
    _, accuracy_avx512 = load_accuracy(args.accuracy_avx512)
    out += peers_section(times, avx512, accuracy, accuracy_avx512, context, accuracy_context)
    if args.huge_pages:
        _, huge = load(args.huge_pages)
        columns = [(kind, threads) for kind in ("alloc", "backward", "module") for threads in (1, 2)]
        out += ["", "## Allocating calls with huge pages (`ACTIVATIONS_HUGE_PAGES=1`)", "",
                "float32, 1.6e7 elements, median of repeated runs, ATen's time / ours. Off by "
                "default: in this VM a huge page fault sometimes costs milliseconds (the host backs "
                "again memory the guest reported free), and single runs then come out below 1.",
                "", "| activation | " + " | ".join(f"{k} t{t}" for k, t in columns) + " |",
                "|---|" + "---|" * len(columns)]
        for activation in ACTIVATIONS:
            values = [ratio(huge, f"{k}_aten", f"{k}_ours", activation, "float32", 16000000, t)
                      for k, t in columns]
            if any(v is not None for v in values):
                out.append(f"| {activation} | " + " | ".join(fmt(v, 1.0) for v in values) + " |")
    out += ["", "## Python eager calls", ""]
    if args.python_calls and pathlib.Path(args.python_calls).is_file():
        out += [pathlib.Path(args.python_calls).read_text().strip()]
    else:
        out += ["Not measured: `bench/python_calls.py` has not run against a PyPI torch."]
    out += ["", "## CUDA", ""]
    if args.cuda and pathlib.Path(args.cuda).is_file():
        out += [pathlib.Path(args.cuda).read_text().strip()]
    else:
        out += ["Not measured: no GPU machine has run `scripts/gpu_check.sh` for this version."]
    pathlib.Path(args.markdown).write_text("\n".join(out) + "\n")
    plot(times, args.plot)


if __name__ == "__main__":
    main()
