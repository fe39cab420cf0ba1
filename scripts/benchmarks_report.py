#!/usr/bin/env python3
"""Turns Google Benchmark JSON from bench/activations_bench into BENCHMARKS.md and a plot.

    benchmarks_report.py DEFAULT.json [AVX512.json] --markdown BENCHMARKS.md --plot docs/x.png

DEFAULT.json is a run against ATen's default kernels, AVX512.json (optional) one with
ATEN_CPU_CAPABILITY=avx512 set. Ratios are ATen's time divided by ours: above 1, ours is faster.
"""
import argparse
import collections
import json
import pathlib

SIZES = [1000, 10000, 100000, 1000000, 16000000]
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]


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
        times[key] = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
    return data["context"], times


def ratio(times, slow, fast, activation, dtype, size, threads):
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
        cells = [fmt(ratio(times, slow, fast, activation, dtype, s, threads), target)
                 for s in sizes]
        lines.append(f"| {activation} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ns_per_element(times, variant, activation, dtype, size, threads):
    t = times.get((variant, activation, dtype, size, threads))
    return t / size if t else None


def targets(times):
    """The issue's targets, each with the figure that decides it."""
    rows = []

    def check(name, values, at_least, goal):
        values = [v for v in values if v[1] is not None]
        if not values:
            rows.append((name, False, None))
            return
        worst = min(values, key=lambda v: v[1]) if at_least else max(values, key=lambda v: v[1])
        ok = worst[1] >= goal if at_least else worst[1] <= goal
        rows.append((name, ok, worst))

    never_slower = []
    for threads in (1, 2):
        for size in SIZES[1:]:
            for activation in ACTIVATIONS:
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
        for activation in ACTIVATIONS:
            ours = times.get(("out_ours", activation, "float32", 16000000, t))
            roofline.append((f"{activation} t{t}", ours / copy if ours and copy else None))
    check("1.6e7 elements within 10% of the copy roofline (time / copy time <= 1.10)",
          roofline, False, 1.10)
    naive = [(f"{a} {size_label(s)} t{t}", ratio(times, "naive", "alloc_ours", a, "float32", s, t))
             for a in ("sigmoid", "tanh") for s in SIZES for t in (1, 2)]
    check(">= 3x the chapter's naive composition (sigmoid, tanh)", naive, True, 3.0)
    overhead = [(f"{a} t{t}", ratio(times, "module_aten", "module_ours", a, "float32", 1000, t))
                for a in ACTIVATIONS for t in (1, 2)]
    check("module call at 1e3 within 10% of the built-in's (ratio >= 0.91)", overhead, True,
          1 / 1.1)
    return rows


def plot(times, path, threads=1):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharey=True)
    for ax, activation in zip(axes, ACTIVATIONS):
        for variant, label, style in (("out_ours", "ours", "o-"), ("out_aten", "ATen", "s--"),
                                      ("copy", "memcpy", ":")):
            name = "copy" if variant == "copy" else activation
            ys = [ns_per_element(times, variant, name, "float32", s, threads) for s in SIZES]
            ax.plot(SIZES, ys, style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{activation} forward (out=), float32, {threads} thread")
        ax.set_xlabel("elements")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ns per element")
    axes[0].legend()
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
    parser.add_argument("--cuda", help="markdown table from scripts/cuda_bandwidth.py, if measured")
    args = parser.parse_args()

    context, times = load(args.default_json)
    out = ["# Benchmarks", "",
           "Generated by `scripts/run_benchmarks.sh` (bench/activations_bench.cpp, Google "
           "Benchmark) from one run; ratios are **ATen's time / our time** measured in that same "
           "run (above 1: ours is faster; bold: below the target of its table).", "",
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
           "", "## Targets", "",
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
            cells = [fmt(ratio(huge, f"{k}_aten", f"{k}_ours", activation, "float32", 16000000, t),
                         1.0) for k, t in columns]
            out.append(f"| {activation} | " + " | ".join(cells) + " |")
    out += ["", "## CUDA", ""]
    if args.cuda and pathlib.Path(args.cuda).is_file():
        out += ["From `scripts/gpu_check.sh` (GB/s, bytes read + written per second):", "",
                pathlib.Path(args.cuda).read_text().strip()]
    else:
        out += ["Not measured: no GPU machine has run `scripts/gpu_check.sh` for this version."]
    pathlib.Path(args.markdown).write_text("\n".join(out) + "\n")
    plot(times, args.plot)


if __name__ == "__main__":
    main()
