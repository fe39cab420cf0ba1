"""What a call from eager Python costs: our functions and modules against torch's own, float32,
1 thread, at 1e2, 1e3 and 1e4 elements. Every cell is the fastest of repetitions of blocks that
run interleaved in a new random order each time: on a shared machine a block is only ever slowed
by others' work, so the fastest block is the call's own cost (timeit's rule), and interleaving
gives every cell the same chances. Prints a Markdown table; ratio = torch's time / ours (above 1: ours is
faster). A benchmark, not a test: nothing here fails on speed.

Usage: PYTHONPATH=python python bench/python_calls.py [--repetitions N] [--calls N]
"""
import argparse
import datetime
import platform
import random
import time

import torch

import torch_activations as ours
from torch_activations import functional as ours_functional

SIZES = (100, 1000, 10000)
# (row, torch's callable, ours): functions, in place, modules.
CASES = [
    ("`sigmoid(x)` vs `torch.sigmoid`", torch.sigmoid, ours.sigmoid),
    ("`tanh(x)` vs `torch.tanh`", torch.tanh, ours.tanh),
    ("`relu(x)` vs `torch.relu`", torch.relu, ours.relu),
    ("`leaky_relu(x, 0.2)` vs `F.leaky_relu`",
     lambda x: torch.nn.functional.leaky_relu(x, 0.2), lambda x: ours.leaky_relu(x, 0.2)),
    ("`silu(x)` vs `F.silu`", torch.nn.functional.silu, ours.silu),
    ("`gelu(x)` vs `F.gelu`", torch.nn.functional.gelu, ours.gelu),
    ("`gelu(x, approximate='tanh')` vs `F.gelu`",
     lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
     lambda x: ours.gelu(x, approximate="tanh")),
    ("`sigmoid_(x)` vs `torch.sigmoid_`", torch.sigmoid_, ours.sigmoid_),
    ("`relu_(x)` vs `torch.relu_`", torch.relu_, ours.relu_),
    ("`MySigmoid()` vs `nn.Sigmoid()`", torch.nn.Sigmoid(), ours.MySigmoid()),
    ("`MyTanh()` vs `nn.Tanh()`", torch.nn.Tanh(), ours.MyTanh()),
    ("`MyReLU()` vs `nn.ReLU()`", torch.nn.ReLU(), ours.MyReLU()),
    ("`MyLeakyReLU(0.2)` vs `nn.LeakyReLU(0.2)`", torch.nn.LeakyReLU(0.2),
     ours.MyLeakyReLU(0.2)),
    ("`MySiLU()` vs `nn.SiLU()`", torch.nn.SiLU(), ours.MySiLU()),
    ("`MyGELU()` vs `nn.GELU()`", torch.nn.GELU(), ours.MyGELU()),
]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def per_call_us(function, x, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function(x)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=40)
    parser.add_argument("--calls", type=int, default=1000, help="calls per block")
    options = parser.parse_args()
    torch.set_num_threads(1)
    random.seed(0)
    cells = [(row, size, side, function) for row, reference, candidate in CASES
             for size in SIZES
             for side, function in (("torch", reference), ("ours", candidate))]
    inputs = {size: torch.randn(size) for size in SIZES}
    times = {cell[:3]: [] for cell in cells}
    for cell in cells:  # warm up
        per_call_us(cell[3], inputs[cell[1]], 100)
    for _ in range(options.repetitions):
        random.shuffle(cells)
        for row, size, side, function in cells:
            times[(row, size, side)].append(per_call_us(function, inputs[size], options.calls))
    fastest = {key: min(values) for key, values in times.items()}

    print(f"Measured {datetime.date.today()} by `bench/python_calls.py`. "
          f"CPU: {cpu_model()}; torch {torch.__version__}, 1 thread, float32; "
          f"torch_activations._C: {'yes' if ours.HAS_EAGER_CALLS else 'no (torch.ops)'}; "
          f"fastest of {options.repetitions} interleaved blocks of {options.calls} calls\n")
    header = " | ".join(f"{size:.0e} torch / ours (µs) | ratio" for size in SIZES)
    print(f"| call | {header} |")
    print("|---|" + "---|---|" * len(SIZES))
    for row, _, _ in CASES:
        values = []
        for size in SIZES:
            reference, candidate = fastest[(row, size, "torch")], fastest[(row, size, "ours")]
            values.append(f"{reference:.2f} / {candidate:.2f} | {reference / candidate:.2f}")
        print(f"| {row} | " + " | ".join(values) + " |")
    # The same operator through torch.ops, for scale: what the compiled eager calls save.
    x = inputs[1000]
    packet = min(per_call_us(torch.ops.activations.relu, x, options.calls) for _ in range(5))
    direct = min(per_call_us(ours_functional.relu, x, options.calls) for _ in range(5))
    print(f"\n`torch.ops.activations.relu` at 1e3 elements: {packet:.2f} µs; "
          f"`torch_activations.relu`: {direct:.2f} µs")


if __name__ == "__main__":
    main()
