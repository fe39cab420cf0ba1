#!/usr/bin/env python3
"""GB/s of our CUDA operators, torch's, and a device-to-device copy, float32 at 2^20, 2^24 and
2^28 elements (bytes read + written / time, CUDA events, median of repeated runs). Prints a
markdown table for BENCHMARKS.md and writes JSON. Needs a GPU: run by scripts/gpu_check.sh.

    cuda_bandwidth.py OUTPUT.json
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python_check"))
import activations_loader  # noqa: E402

activations_loader.load()
A = torch.ops.activations


def time_ms(fn, repeats=20):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def main():
    rows = []
    for power in (20, 24, 28):
        n = 1 << power
        x = torch.randn(n, device="cuda") * 3
        g = torch.randn(n, device="cuda")
        out = torch.empty_like(x)
        y = torch.sigmoid(x)
        cases = {
            "copy": (lambda: out.copy_(x), 2),
            "sigmoid ours": (lambda: A.sigmoid(x, out=out), 2),
            "sigmoid torch": (lambda: torch.sigmoid(x, out=out), 2),
            "tanh ours": (lambda: A.tanh(x, out=out), 2),
            "tanh torch": (lambda: torch.tanh(x, out=out), 2),
            "relu ours": (lambda: A.relu(x, out=out), 2),
            "relu torch": (lambda: torch.clamp_min(x, 0, out=out), 2),
            "leaky_relu ours": (lambda: A.leaky_relu(x, 0.2, out=out), 2),
            "leaky_relu torch": (lambda: torch._C._nn.leaky_relu(x, 0.2, out=out), 2),
            "sigmoid_backward ours": (lambda: A.sigmoid_backward(g, y), 3),
            "sigmoid_backward torch": (lambda: torch.ops.aten.sigmoid_backward(g, y), 3),
        }
        for name, (fn, tensors) in cases.items():
            ms = time_ms(fn)
            rows.append({"elements": n, "case": name, "ms": ms,
                         "GB/s": tensors * 4 * n / ms / 1e6})
    print(f"Device: {torch.cuda.get_device_name()}, torch {torch.__version__}\n")
    print("| case | 2^20 GB/s | 2^24 GB/s | 2^28 GB/s |\n|---|---|---|---|")
    for name in dict.fromkeys(r["case"] for r in rows):
        cells = [f"{r['GB/s']:.0f}" for r in rows if r["case"] == name]
        print(f"| {name} | " + " | ".join(cells) + " |")
    pathlib.Path(sys.argv[1]).write_text(json.dumps(
        {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "rows": rows},
        indent=1))


if __name__ == "__main__":
    main()
