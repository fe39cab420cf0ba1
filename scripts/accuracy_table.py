#!/usr/bin/env python3
"""Regenerates the README's accuracy table from an exhaustive accuracy run.

    ctest --test-dir build -L accuracy
    python3 scripts/accuracy_table.py build/Testing/Temporary/LastTest.log README.md

Reads the "[ accuracy ]" lines that tests/accuracy/exhaustive_accuracy.cpp and
portable_math_accuracy.cpp (the CUDA kernels' math, built for the host) print and rewrites the
table between the README's <!-- accuracy-table --> and <!-- /accuracy-table --> markers.
"""
import re
import sys

TARGETS = {"AVX3": "AVX-512", "AVX2": "AVX2"}


def grouped(number):
    return f"{int(number):,}"


def main():
    log_path, readme_path = sys.argv[1:3]
    log = open(log_path, encoding="utf-8", errors="replace").read()
    rows = ["| | max error | inputs above 1 ULP | NaN for a finite input |", "|---|---|---|---|"]
    float32 = re.findall(
        r"\[ accuracy \] (sigmoid|tanh|silu|gelu|gelu tanh) float32 (\w+) +max ([\d.]+) ULP at x = (\S+); (\d+) of "
        r"\d+ inputs above 1 ULP; (\d+) NaN", log)
    if not float32:
        sys.exit(f"{log_path}: no float32 sweep found")
    for function in ("sigmoid", "tanh", "silu", "gelu", "gelu tanh"):
        for name, target, ulp, x, above, nan in float32:
            if name == function:
                rows.append(f"| our {name}, float32, {TARGETS.get(target, target)} | "
                            f"{float(ulp):.3f} ULP (x = {float(x):.4g}) | {grouped(above)} | "
                            f"{nan} |")
    sixteen = {(f, t): (u, a, n) for f, t, u, a, n in re.findall(
        r"\[ accuracy \] (sigmoid|tanh|silu|gelu tanh|gelu) +(float16|bfloat16) +max ([\d.]+) ULP at x = \S+; (\d+) "
        r"of 65536 values above 1 ULP; (\d+) NaN", log)}
    for dtype in ("float16", "bfloat16"):
        s, t = sixteen[("sigmoid", dtype)], sixteen[("tanh", dtype)]
        rows.append(f"| our sigmoid / tanh, all 65,536 {dtype} values | {s[0]} / {t[0]} ULP | "
                    f"{int(s[1]) + int(t[1])} | {int(s[2]) + int(t[2])} |")
    for dtype in ("float16", "bfloat16"):
        names = [f for f in ("silu", "gelu", "gelu tanh") if (f, dtype) in sixteen]
        if names:
            found = [sixteen[(f, dtype)] for f in names]
            rows.append(f"| our {' / '.join(names)}, all 65,536 {dtype} values | "
                        f"{' / '.join(u for u, _, _ in found)} ULP | "
                        f"{sum(int(a) for _, a, _ in found)} | {sum(int(n) for _, _, n in found)} |")
    for name, target, ulp, x, above, nan, stride in re.findall(
            r"\[ accuracy \] (silu|gelu|gelu tanh) derivative float32(?: (AVX3|AVX2))? +max "
            r"([\d.]+) ULP at x = (\S+); (\d+) of \d+ inputs above 1 ULP; (\d+) NaN for finite "
            r"inputs(?: \(every (\d+)-th)?", log):
        sample = f", every {stride}th pattern" if stride else ""
        on = f" ({TARGETS[target]})" if target else ""
        rows.append(f"| our {name} derivative (backward, gradient 1), float32{on}{sample} | "
                    f"{float(ulp):.4f} ULP (x = {float(x):.4g}) | {grouped(above)} | {nan} |")
    for name, ulp, x, above, nan in re.findall(
            r"\[ accuracy \] (sigmoid|tanh) float32, CUDA math on the host +max ([\d.]+) ULP at "
            r"x = (\S+); (\d+) of \d+ inputs above 1 ULP; (\d+) NaN", log):
        rows.append(f"| our {name}, float32, CUDA (host build; the device's bits) | "
                    f"{float(ulp):.3f} ULP (x = {float(x):.4g}) | {grouped(above)} | {nan} |")
    cuda_sixteen = {(f, t): (u, b) for f, t, u, b in re.findall(
        r"CUDA math, host build: (sigmoid|tanh) +(float16|bfloat16) +max ([\d.]+) ULP at x = "
        r"\S+; (\d+) of 65536 values not correctly rounded", log)}
    for dtype in ("float16", "bfloat16"):
        if ("sigmoid", dtype) in cuda_sixteen and ("tanh", dtype) in cuda_sixteen:
            s, t = cuda_sixteen[("sigmoid", dtype)], cuda_sixteen[("tanh", dtype)]
            rows.append(f"| our sigmoid / tanh, all 65,536 {dtype} values, CUDA (host build) | "
                        f"{float(s[0]):.4f} / {float(t[0]):.4f} ULP | 0 | 0 |")
    torch_rows = {
        "sigmoid": "`torch::sigmoid`, float32",
        "silu": "`torch::silu`, float32",
        "silu_backward": "`torch::silu_backward`, derivative (gradient 1)",
        "gelu": "`torch::gelu`, float32",
        "gelu tanh": "`torch::gelu(x, \"tanh\")`, float32",
        "gelu_backward": "`torch::gelu_backward`, derivative (gradient 1)",
        "gelu_backward tanh": "`torch::gelu_backward(..., \"tanh\")`, derivative (gradient 1)",
    }
    for function, what in torch_rows.items():
        torch = re.search(rf"\[ accuracy \] torch::{function}, normal outputs +max ([\d.]+) ULP at "
                          r"x = (\S+); (\d+) of \d+ inputs above 1 ULP; (\d+) NaN for finite "
                          r"inputs(?: \(every (\d+)-th)?", log)
        if torch:
            sample = f", every {torch[5]}th pattern" if torch[5] else ""
            rows.append(f"| LibTorch {what}, normal outputs{sample} | "
                        f"{float(torch[1]):.4g} ULP (x = {float(torch[2]):.4g}) | "
                        f"{grouped(torch[3])} | {grouped(torch[4])} |")
    readme = open(readme_path, encoding="utf-8").read()
    pattern = re.compile(r"(<!-- accuracy-table -->\n).*?(\n<!-- /accuracy-table -->)", re.S)
    if not pattern.search(readme):
        sys.exit(f"{readme_path}: no accuracy-table markers")
    readme = pattern.sub(lambda m: m[1] + "\n".join(rows) + m[2], readme)
    open(readme_path, "w", encoding="utf-8").write(readme)


if __name__ == "__main__":
    main()
