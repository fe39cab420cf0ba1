#!/usr/bin/env python3
"""Accuracy of our sigmoid and tanh, and of torch's beside them, over every float32 bit pattern
(2^32, in chunks) against a float64 reference computed on the same device; relu and leaky_relu
against torch's own kernels bit for bit; every float16 and bfloat16 value against the exact
result; float64 on a sample against long double on the host. Prints a markdown table for
BENCHMARKS.md and writes JSON. Made for a GPU (scripts/gpu_check.sh); on the CPU, --stride
samples every Nth pattern so that ctest keeps the script itself working.

    cuda_accuracy.py OUTPUT.json [--device cuda] [--stride 1] [--chunk 26]
"""
import argparse
import json
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python_check"))
import activations_loader  # noqa: E402

activations_loader.load()
A = torch.ops.activations


def ulp_errors(computed, reference, dtype):
    """|computed - reference| in ULPs of the reference in `dtype` (subnormal ULP below the
    smallest normal); NaN where either is NaN, inf where exactly one is infinite."""
    info = torch.finfo(dtype)
    magnitude = reference.abs().clamp_min(info.tiny)
    ulp = torch.exp2(torch.floor(torch.log2(magnitude))) * info.eps
    error = (computed.double() - reference).abs() / ulp
    same_infinity = torch.isinf(reference) & (computed.double() == reference)
    return torch.where(same_infinity, torch.zeros_like(error), error)


class Report:
    def __init__(self, name):
        self.name, self.max_ulp, self.worst, self.above_one = name, 0.0, None, 0
        self.nan_for_finite, self.tail_zeros, self.tail_points, self.checked = 0, 0, 0, 0
        self.above_half = 0

    def add(self, x, ours, reference, dtype):
        finite = torch.isfinite(x)
        errors = ulp_errors(ours, reference, dtype)
        self.nan_for_finite += int((finite & torch.isnan(ours)).sum())
        errors = torch.where(finite, errors, torch.zeros_like(errors))
        worst = int(torch.argmax(torch.nan_to_num(errors, nan=0.0)))
        if float(errors[worst]) > self.max_ulp:
            self.max_ulp, self.worst = float(errors[worst]), float(x[worst])
        self.above_one += int((errors > 1).sum())
        self.above_half += int((errors > 0.5 + 1e-9).sum())
        # sigmoid's tail: the exact result rounds to a positive subnormal; ours must not be 0.
        tail = finite & (reference > 0) & (reference.to(dtype) > 0) & (reference < torch.finfo(dtype).tiny)
        self.tail_points += int(tail.sum())
        self.tail_zeros += int((tail & (ours == 0)).sum())
        self.checked += x.numel()

    def row(self):
        return (f"| {self.name} | {self.max_ulp:.4f} ULP (x = {self.worst:.6g}) | {self.above_one} | "
                f"{self.nan_for_finite} | {self.tail_zeros} of {self.tail_points} | {self.checked} |")


def float32_patterns(start, count, stride, device):
    bits = torch.arange(start, start + count * stride, stride, dtype=torch.int64, device=device)
    return (bits - (1 << 32) * (bits >= (1 << 31))).to(torch.int32).view(torch.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--stride", type=int, default=1, help="every Nth bit pattern")
    parser.add_argument("--chunk", type=int, default=26, help="log2 of patterns per chunk")
    args = parser.parse_args()
    device = args.device

    sigmoid, tanh = Report("sigmoid float32"), Report("tanh float32")
    torch_sigmoid, torch_tanh = Report("torch.sigmoid float32"), Report("torch.tanh float32")
    relu_differences = leaky_differences = 0
    total = (1 << 32) // args.stride
    chunk = min(1 << args.chunk, total)
    for first in range(0, total, chunk):
        x = float32_patterns(first * args.stride, min(chunk, total - first), args.stride, device)
        wide = x.double()
        sigmoid_exact, tanh_exact = torch.sigmoid(wide), torch.tanh(wide)
        sigmoid.add(x, A.sigmoid(x), sigmoid_exact, torch.float32)
        tanh.add(x, A.tanh(x), tanh_exact, torch.float32)
        torch_sigmoid.add(x, torch.sigmoid(x), sigmoid_exact, torch.float32)
        torch_tanh.add(x, torch.tanh(x), tanh_exact, torch.float32)
        for ours, theirs, counter in (
                (A.relu(x), torch.relu(x), "relu"),
                (A.leaky_relu(x, 0.2), torch.nn.functional.leaky_relu(x, 0.2), "leaky")):
            differ = (ours.view(torch.int32) != theirs.view(torch.int32)) & ~(
                torch.isnan(ours) & torch.isnan(theirs))
            if counter == "relu":
                relu_differences += int(differ.sum())
            else:
                leaky_differences += int(differ.sum())
    limits = {
        "sigmoid(+inf), sigmoid(-inf)": [float(v) for v in A.sigmoid(
            torch.tensor([float("inf"), float("-inf")], device=device))],
        "tanh(+inf), tanh(-inf)": [float(v) for v in A.tanh(
            torch.tensor([float("inf"), float("-inf")], device=device))],
    }

    sixteen, torch_sixteen = [], []
    for dtype in (torch.float16, torch.bfloat16):
        x = torch.arange(-32768, 32768, dtype=torch.int32, device=device).to(torch.int16).view(dtype)
        for name, ours, reference in (("sigmoid", A.sigmoid, torch.sigmoid),
                                      ("tanh", A.tanh, torch.tanh)):
            label = f"{name} {dtype}".replace("torch.", "")
            report, theirs = Report(label), Report("torch." + label)
            report.add(x, ours(x), reference(x.double()), dtype)
            sixteen.append(report)
            try:
                theirs.add(x, reference(x), reference(x.double()), dtype)
                torch_sixteen.append(theirs)
            except RuntimeError:  # older torches have no 16-bit CPU kernel
                pass

    # float64 on a sample, against long double on the host (the float64 reference on the device
    # is itself the thing measured)
    generator = torch.Generator().manual_seed(0)
    x64 = (torch.rand(1 << 20, dtype=torch.float64, generator=generator) * 2 - 1) * torch.exp2(
        torch.randint(-30, 10, (1 << 20,), generator=generator).double())
    x64 = torch.cat([x64, torch.tensor([-745.0, -708.5, -700.0, 19.0, 36.8, 710.0])])
    wide = x64.numpy().astype(np.longdouble)
    exact = {"sigmoid": np.where(wide >= 0, 1 / (1 + np.exp(-np.abs(wide))),
                                 np.exp(-np.abs(wide)) / (1 + np.exp(-np.abs(wide)))),
             "tanh": np.tanh(wide)}
    float64_reports = []
    for name in ("sigmoid", "tanh"):
        ours = getattr(A, name)(x64.to(device)).cpu().numpy().astype(np.longdouble)
        spacing = np.spacing(np.abs(exact[name]).astype(np.float64))
        float64_reports.append((name, float(np.max(np.abs(ours - exact[name]) / spacing))))

    print(f"Device: {torch.cuda.get_device_name() if device == 'cuda' else device}, "
          f"torch {torch.__version__}, every {args.stride}th float32 pattern\n")
    print("| operator | max error | above 1 ULP | NaN for finite input | tail zeros | inputs |")
    print("|---|---|---|---|---|---|")
    for report in [sigmoid, torch_sigmoid, tanh, torch_tanh]:
        print(report.row())
    for report in sixteen + torch_sixteen:
        print(report.row())
    print("\nfloat16/bfloat16 inputs not correctly rounded (above 0.5 ULP): "
          + ", ".join(f"{r.name} {r.above_half}" for r in sixteen + torch_sixteen))
    print("float64 (2^20 sampled inputs against long double): "
          + ", ".join(f"{name} {error:.4f} ULP" for name, error in float64_reports))
    print(f"\nrelu / leaky_relu(0.2) against torch's kernels: {relu_differences} / "
          f"{leaky_differences} differing results")
    print(f"limits: {limits}")
    pathlib.Path(args.output).write_text(json.dumps({
        "device": device, "torch": torch.__version__, "stride": args.stride,
        "reports": [vars(r) for r in [sigmoid, tanh, torch_sigmoid, torch_tanh] + sixteen
                    + torch_sixteen],
        "float64": dict(float64_reports),
        "relu_differences": relu_differences, "leaky_relu_differences": leaky_differences,
        "limits": limits}, indent=1))
    contract = (sigmoid.max_ulp <= 1 and tanh.max_ulp <= 1 and sigmoid.nan_for_finite == 0
                and tanh.nan_for_finite == 0 and sigmoid.tail_zeros == 0
                and relu_differences == 0 and leaky_differences == 0
                # computed in float32 and rounded once, as on the CPU: 0.5 ULP plus a hair
                and all(r.max_ulp <= 0.5 + 1e-3 for r in sixteen)
                and all(error <= 1 for _, error in float64_reports)
                and limits["sigmoid(+inf), sigmoid(-inf)"] == [1.0, 0.0]
                and limits["tanh(+inf), tanh(-inf)"] == [1.0, -1.0])
    print("contract:", "met" if contract else "NOT met")
    return 0 if contract else 1


if __name__ == "__main__":
    sys.exit(main())
