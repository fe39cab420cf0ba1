#!/usr/bin/env python3
"""Reproduces the chapter's figures 3-50 to 3-53: each activation and its derivative, the
derivative taken by our library's autograd (torch.autograd on torch.ops.activations), not by a
formula. Writes docs/figure_3_5x_<name>.png.

    /usr/bin/python3 scripts/plot_activations.py [OUTPUT_DIR]
"""
import pathlib
import sys

import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python_check"))
import activations_loader  # noqa: E402

activations_loader.load()
ops = torch.ops.activations

FIGURES = [
    ("3-50", "sigmoid", "Sigmoid", lambda x: ops.sigmoid(x), (-8, 8)),
    ("3-51", "tanh", "Tanh", lambda x: ops.tanh(x), (-4, 4)),
    ("3-52", "relu", "ReLU", lambda x: ops.relu(x), (-4, 4)),
    ("3-53", "leaky_relu", "LeakyReLU (gamma = 0.2)", lambda x: ops.leaky_relu(x, 0.2), (-4, 4)),
]


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    for number, name, title, fn, (low, high) in FIGURES:
        # an even count keeps x = 0 (where ReLU has no derivative) off the grid
        x = torch.linspace(low, high, 1000, dtype=torch.float64, requires_grad=True)
        y = fn(x)
        (derivative,) = torch.autograd.grad(y.sum(), x)
        fig, ax = plt.subplots(figsize=(5, 3.6))
        ax.plot(x.detach(), y.detach(), label=r"$g(x)$")
        ax.plot(x.detach(), derivative, "--", label=r"$g'(x)$ (autograd)")
        ax.axhline(0, color="gray", linewidth=0.5)
        ax.axvline(0, color="gray", linewidth=0.5)
        ax.set_title(f"Figure {number}. {title}")
        ax.set_xlabel("x")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = out / f"figure_{number.replace('-', '_')}_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
