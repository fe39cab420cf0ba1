#!/usr/bin/env python3
"""GB/s (bytes read + written over the device time of one call) of our CUDA operators, forward,
in place, out= and backward, beside torch's own and a device-to-device copy, for float32,
bfloat16 and float16 at 2^16 to 2^28 elements. Each call is timed inside a captured CUDA graph
of several calls (replayed, CUDA events, median of the replays), so that the figures are the
device's and not the Python interpreter's, for ours and torch's alike; inputs are normal with
standard deviation 3. Prints a markdown table for BENCHMARKS.md and writes JSON. Needs a GPU:
run by scripts/gpu_check.sh.

    cuda_bandwidth.py OUTPUT.json
"""
import json
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python_check"))
import activations_loader  # noqa: E402

activations_loader.load()
A = torch.ops.activations


def plain_time_ms(fn, calls, repeats=15):
    """Median time of one call among `calls` back-to-back calls, CUDA events around them."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(calls):
            fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / calls)
    return sorted(times)[len(times) // 2]


def time_ms(fn, calls, repeats=15):
    """Median device time of one call: `calls` calls captured in a CUDA graph, replayed."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):  # warm-up outside the capture, as torch.cuda.graph asks
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(calls):
            fn()
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / calls)
    return sorted(times)[len(times) // 2]


def cases(x, g, y, out):
    """name -> (ours, torch's, tensors moved): forward/out= and in place read and write one
    tensor, backward reads two and writes one."""
    torch_forward = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                     "leaky_relu": lambda t: F.leaky_relu(t, 0.2)}
    torch_inplace = {"sigmoid": torch.sigmoid_, "tanh": torch.tanh_, "relu": torch.relu_,
                     "leaky_relu": lambda t: F.leaky_relu_(t, 0.2)}
    torch_out = {"sigmoid": lambda t: torch.sigmoid(t, out=out),
                 "tanh": lambda t: torch.tanh(t, out=out),
                 "relu": lambda t: torch.clamp_min(t, 0, out=out),
                 "leaky_relu": lambda t: torch._C._nn.leaky_relu(t, 0.2, out=out)}
    torch_backward = {"sigmoid": torch.ops.aten.sigmoid_backward,
                      "tanh": torch.ops.aten.tanh_backward,
                      "relu": lambda g, y: torch.ops.aten.threshold_backward(g, y, 0),
                      "leaky_relu": lambda g, y: torch.ops.aten.leaky_relu_backward(
                          g, y, 0.2, False)}
    slope = {"leaky_relu": (0.2,)}
    result = {}
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        op, extra = getattr(A, name), slope.get(name, ())
        inplace = getattr(A, name + "_")
        backward = getattr(A, name + "_backward")
        backward_extra = (0.2, False) if name == "leaky_relu" else ()
        result[f"{name} forward"] = (lambda op=op, e=extra: op(x, *e),
                                     lambda f=torch_forward[name]: f(x), 2)
        result[f"{name} in place"] = (lambda f=inplace, e=extra: f(out, *e),
                                      lambda f=torch_inplace[name]: f(out), 2)
        result[f"{name} out="] = (lambda op=op, e=extra: op(x, *e, out=out),
                                  lambda f=torch_out[name]: f(x), 2)
        result[f"{name} backward"] = (lambda b=backward, e=backward_extra: b(g, y, *e),
                                      lambda f=torch_backward[name]: f(g, y), 3)
    return result


def main():
    rows = []
    for dtype in (torch.float32, torch.bfloat16, torch.float16):
        size = torch.finfo(dtype).bits // 8
        for power in (16, 20, 24, 28):
            n = 1 << power
            calls = max(2, min(50, (1 << 26) // n))
            x = (torch.randn(n, device="cuda") * 3).to(dtype)
            g = torch.randn(n, device="cuda").to(dtype)
            y = torch.sigmoid(x)
            out = torch.empty_like(x)
            # a graph runs a copy as a memcpy node, slower than the kernel outside one: the
            # faster of the two is the bound
            copy = lambda: out.copy_(x)  # noqa: E731
            copy_gbs = 2 * size * n / min(time_ms(copy, calls), plain_time_ms(copy, calls)) / 1e6
            for name, (ours, theirs, tensors) in cases(x, g, y, out).items():
                bytes_moved = tensors * size * n
                ours_gbs = bytes_moved / time_ms(ours, calls) / 1e6
                torch_gbs = bytes_moved / time_ms(theirs, calls) / 1e6
                rows.append({"dtype": str(dtype).replace("torch.", ""), "elements": n,
                             "case": name, "ours GB/s": ours_gbs, "torch GB/s": torch_gbs,
                             "copy GB/s": copy_gbs})
    print(f"Device: {torch.cuda.get_device_name()}, torch {torch.__version__}, "
          f"CUDA {torch.version.cuda}\n")
    print("| dtype | elements | case | ours GB/s | torch GB/s | copy GB/s | ours/copy | ours/torch |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['dtype']} | 2^{r['elements'].bit_length() - 1} | {r['case']} | "
              f"{r['ours GB/s']:.0f} | {r['torch GB/s']:.0f} | {r['copy GB/s']:.0f} | "
              f"{r['ours GB/s'] / r['copy GB/s']:.2f} | {r['ours GB/s'] / r['torch GB/s']:.2f} |")
    pathlib.Path(sys.argv[1]).write_text(json.dumps(
        {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "rows": rows},
        indent=1))


if __name__ == "__main__":
    main()
