"""Benchmark minigrad against torch, side by side in one process.

    python bench/bench_engine.py                  # full run (the 1M-op chain takes a while)
    python bench/bench_engine.py --quick          # few repeats, chains up to 100k ops
    python bench/bench_engine.py --sizes 1k,10k --markdown

Workloads (each timed with time.perf_counter over several repeats; medians reported):
  (i)   scalar chain: 10k ops (mul, add, tanh in turn) forward + y.backward()
  (ii)  one SGD step of a raw-tensor 2-16-16-1 tanh MLP on 100 points
  (iii) backward time per node for chains of --sizes ops

Ratios are minigrad/torch; the targets (<= 2x torch for (i) and (ii)) are reported,
not asserted. torch runs with torch.set_num_threads(1), and numpy's BLAS is limited to
one thread too, so both engines use one core.
"""

from __future__ import annotations

import os

# One BLAS thread for numpy (minigrad's backend), matching torch.set_num_threads(1).
# Must be set before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

TARGET_RATIO = 2.0
CHAIN_OPS = 10_000

# ---------------------------------------------------------------------------------------
# Workloads: written once against the torch API, run with lib = minigrad and lib = torch.
# ---------------------------------------------------------------------------------------


def build_chain(lib: Any, n: int) -> tuple[Any, Any]:
    """x -> y through n ops: mul, add, tanh in turn (values stay near 0.5)."""
    x = lib.tensor(0.5, requires_grad=True)
    y = x
    for i in range(n):
        k = i % 3
        if k == 0:
            y = y * 1.0001
        elif k == 1:
            y = y + 0.0001
        else:
            y = y.tanh()
    return x, y


def time_chain(lib: Any, n: int) -> tuple[float, float]:
    """(forward seconds, backward seconds) of one chain of n ops."""
    t0 = time.perf_counter()
    x, y = build_chain(lib, n)
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    assert x.grad is not None
    return t1 - t0, t2 - t1


class MLP:
    """A raw-tensor 2-16-16-1 tanh MLP: leaf weight tensors, no nn.Module."""

    def __init__(self, lib: Any, n_points: int = 100, seed: int = 0):
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1.0, 1.0, size=(n_points, 2))
        Y = np.sin(3.0 * X[:, :1]) * X[:, 1:]  # a smooth target, shape (n, 1)
        self.lib = lib
        self.X = lib.tensor(X.tolist())
        self.Y = lib.tensor(Y.tolist())
        self.params = []
        for fan_in, fan_out in [(2, 16), (16, 16), (16, 1)]:
            W = rng.normal(0.0, fan_in**-0.5, size=(fan_in, fan_out))
            self.params.append(lib.tensor(W.tolist(), requires_grad=True))
            self.params.append(lib.tensor([0.0] * fan_out, requires_grad=True))

    def step(self, lr: float = 0.1) -> float:
        W1, b1, W2, b2, W3, b3 = self.params
        h = (self.X @ W1 + b1).tanh()
        h = (h @ W2 + b2).tanh()
        pred = h @ W3 + b3
        loss = ((pred - self.Y) ** 2).mean()
        loss.backward()
        with self.lib.no_grad():
            for p in self.params:
                p -= lr * p.grad
                p.grad = None
        return loss.item()


# ---------------------------------------------------------------------------------------
# Timing helpers
# ---------------------------------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        gc.collect()  # do not bill one repeat for the garbage of the previous one
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_parts(
    fn: Callable[[], tuple[float, float]], repeats: int, warmup: int = 1
) -> tuple[float, float, float]:
    """fn times two parts itself; medians of the first, the second and their sum."""
    for _ in range(warmup):
        fn()
    firsts, seconds, totals = [], [], []
    for _ in range(repeats):
        gc.collect()
        a, b = fn()
        firsts.append(a)
        seconds.append(b)
        totals.append(a + b)
    return statistics.median(firsts), statistics.median(seconds), statistics.median(totals)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e9:.0f} ns"


def fmt_ratio(ours: float | None, theirs: float | None, target: bool) -> str:
    if ours is None or theirs is None or theirs <= 0:
        return "-"
    ratio = ours / theirs
    text = f"{ratio:.2f}x"
    if target:
        text += "  (ok <= 2x)" if ratio <= TARGET_RATIO else "  (above 2x target)"
    return text


def print_table(title: str, header: list[str], rows: list[list[str]], markdown: bool) -> None:
    print()
    if markdown:
        print(f"**{title}**\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    print(title)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            ).rstrip()
        )


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = 1
        if part.endswith("k"):
            part, scale = part[:-1], 1_000
        elif part.endswith("m"):
            part, scale = part[:-1], 1_000_000
        sizes.append(int(float(part) * scale))
    return sizes


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=None,
        help="chain lengths for (iii), e.g. 1k,10k,100k,1M "
        "(default 1k,10k,100k,1000000; with --quick 1k,10k,100k)",
    )
    parser.add_argument("--quick", action="store_true", help="few repeats, smaller chains")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per measurement")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument(
        "--engine",
        default="minigrad",
        help="module benchmarked against torch (default minigrad; `torch` checks the script)",
    )
    parser.add_argument("--no-torch", action="store_true", help="time only the engine")
    args = parser.parse_args(argv)

    repeats = args.repeats or (3 if args.quick else 15)
    if args.sizes:
        sizes = parse_sizes(args.sizes)
    else:
        sizes = [1_000, 10_000, 100_000] + ([] if args.quick else [1_000_000])

    engine = importlib.import_module(args.engine)
    torch = None
    if not args.no_torch:
        try:
            torch = importlib.import_module("torch")
        except ImportError:
            print("torch is not installed: timing the engine alone (pip install torch==2.13.0)")
    if torch is not None:
        torch.set_num_threads(1)

    # Internal keys "engine" and "torch" (so that --engine torch compares torch with itself).
    libs = [("engine", engine)] + ([("torch", torch)] if torch is not None else [])
    print(f"Python {platform.python_version()}, numpy {np.__version__}", end="")
    if torch is not None:
        print(f", torch {torch.__version__} with torch.set_num_threads(1)", end="")
    print(f"; {args.engine} from {getattr(engine, '__file__', '?')}")
    print(
        f"medians of {repeats} repeats (after 1 warm-up), time.perf_counter; ratio = "
        f"{args.engine}/torch; target <= {TARGET_RATIO:g}x for (i) and (ii), reported only"
    )
    sys.stdout.flush()

    # (i) scalar chain, forward + backward ----------------------------------------------
    results: dict[str, dict[str, float]] = {}
    for name, lib in libs:
        fwd, bwd, total = median_parts(lambda lib=lib: time_chain(lib, CHAIN_OPS), repeats)
        results[name] = {"fwd": fwd, "bwd": bwd, "total": total}
    ours = results["engine"]
    theirs = results.get("torch", {})
    rows = [
        [
            label,
            fmt_time(ours[key]),
            fmt_time(theirs.get(key)),
            fmt_ratio(ours[key], theirs.get(key), key == "total"),
        ]
        for label, key in [("forward", "fwd"), ("backward", "bwd"), ("forward+backward", "total")]
    ]
    header = ["", args.engine, "torch", "ratio"]
    print_table(
        f"(i) scalar chain of {CHAIN_OPS:,} ops (mul/add/tanh)", header, rows, args.markdown
    )
    sys.stdout.flush()

    # (ii) MLP training step -------------------------------------------------------------
    steps: dict[str, float] = {}
    losses: dict[str, tuple[float, float]] = {}
    for name, lib in libs:
        model = MLP(lib)
        first = model.step()
        steps[name] = median_time(model.step, repeats * 10, warmup=2)
        losses[name] = (first, model.step())
    rows = [
        [
            "one SGD step",
            fmt_time(steps["engine"]),
            fmt_time(steps.get("torch")),
            fmt_ratio(steps["engine"], steps.get("torch"), True),
        ],
        [
            "loss: first / last step",
            "{:.5f} / {:.5f}".format(*losses["engine"]),
            "{:.5f} / {:.5f}".format(*losses["torch"]) if "torch" in losses else "-",
            "",
        ],
    ]
    print_table("(ii) 2-16-16-1 tanh MLP on 100 points", header, rows, args.markdown)
    sys.stdout.flush()

    # (iii) backward time per node -------------------------------------------------------
    rows = []
    for n in sizes:
        reps = max(1, min(repeats, 3_000_000 // (10 * n)))
        row = [f"{n:,} ops ({reps} rep{'s' if reps > 1 else ''})"]
        per_node = {}
        for name, lib in libs:
            warmup = 1 if n <= 100_000 else 0
            _, bwd, _ = median_parts(lambda lib=lib, n=n: time_chain(lib, n), reps, warmup)
            per_node[name] = bwd / n
            gc.collect()
        row += [
            fmt_time(per_node["engine"]),
            fmt_time(per_node.get("torch")),
            fmt_ratio(per_node["engine"], per_node.get("torch"), False),
        ]
        rows.append(row)
        if not args.markdown:
            print(f"  ... {n:,} ops done", file=sys.stderr)
    print_table("(iii) backward time per node, chains of mul/add/tanh", header, rows, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
