"""Run every benchmark side by side and write the results table to BENCHMARKS.md.

    python bench/run.py                # full run (1M-op chain, course timing); ~5 minutes
    python bench/run.py --quick        # fewer repeats, chains up to 100k, no course timing
    python bench/run.py --out -        # print the markdown instead of writing BENCHMARKS.md

Each workload runs minigrad and its competitors (torch 2.13 with one thread, micrograd,
torchviz) in the same run and reports medians and ratios. Targets are reported, never
asserted: a busy machine makes timings noisy, so compare runs made on the same machine.
"""

from __future__ import annotations

import os

# One BLAS thread for numpy, matching torch.set_num_threads(1). Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_engine as be  # noqa: E402

import minigrad as mg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        return None


# ---------------------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------------------


def make_data(n_points: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_points, 2)).astype(np.float32)
    Y = (np.sin(3.0 * X[:, :1]) * X[:, 1:]).astype(np.float32)
    return X, Y


def make_mlp(lib: Any, widths: tuple[int, ...] = (2, 16, 16, 1)) -> Any:
    """widths[0] -> ... -> widths[-1] with tanh between the Linear layers."""
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(lib.nn.Tanh())
    return lib.nn.Sequential(*layers)


def copy_weights(src: Any, dst: Any, lib: Any) -> None:
    """Give dst (a model of lib) the parameter values of src (any engine)."""
    with lib.no_grad():
        for p_src, p_dst in zip(src.parameters(), dst.parameters()):
            p_dst.copy_(lib.tensor(p_src.detach().numpy().tolist()))


class NNTrainer:
    """One SGD step of an nn.Module MLP with nn.MSELoss and optim.SGD."""

    def __init__(self, lib: Any, model: Any, X: np.ndarray, Y: np.ndarray, lr: float = 0.1):
        self.lib, self.model = lib, model
        self.X, self.Y = lib.tensor(X.tolist()), lib.tensor(Y.tolist())
        self.loss_fn = lib.nn.MSELoss()
        self.opt = lib.optim.SGD(model.parameters(), lr=lr)

    def step(self) -> float:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.X), self.Y)
        loss.backward()
        self.opt.step()
        return loss.item()


class MicrogradTrainer:
    """The same MLP in micrograd's scalar Values, with the lecture's tanh node."""

    def __init__(self, model: Any, X: np.ndarray, Y: np.ndarray, lr: float = 0.1):
        from micrograd.engine import Value

        self.Value = Value
        self.X, self.Y, self.lr = X.tolist(), Y[:, 0].tolist(), lr
        # Linear layers as lists of (weights rows, biases) of Values, copied from `model`.
        self.layers = []
        for mod in model:
            if hasattr(mod, "weight"):
                W = mod.weight.detach().numpy()
                b = mod.bias.detach().numpy()
                self.layers.append(
                    (
                        [[Value(float(w)) for w in row] for row in W],
                        [Value(float(v)) for v in b],
                    )
                )
        self.params = [v for W, b in self.layers for row in W for v in row] + [
            v for _, b in self.layers for v in b
        ]

    def _tanh(self, v: Any) -> Any:
        # micrograd's Value has no tanh; this is the node from the micrograd lecture.
        t = math.tanh(v.data)
        out = self.Value(t, (v,), "tanh")

        def _backward() -> None:
            v.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def step(self) -> float:
        for p in self.params:
            p.grad = 0.0
        total = self.Value(0.0)
        for x, y in zip(self.X, self.Y):
            h = [self.Value(v) for v in x]
            for k, (W, b) in enumerate(self.layers):
                h = [sum((wi * hi for wi, hi in zip(row, h)), bi) for row, bi in zip(W, b)]
                if k < len(self.layers) - 1:
                    h = [self._tanh(v) for v in h]
            total = total + (h[0] - y) ** 2
        loss = total * (1.0 / len(self.X))
        loss.backward()
        for p in self.params:
            p.data -= self.lr * p.grad
        return loss.data


def fan_in_backward(lib: Any, n: int) -> float:
    """Seconds of backward for y = stack([x*0, x*1, ..., x*(n-1)]).sum(): fan-in n at x."""
    x = lib.tensor(0.5, requires_grad=True)
    y = lib.stack([x * float(i) for i in range(n)]).sum()
    t0 = time.perf_counter()
    y.backward()
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------
# Memory: each engine in a fresh subprocess, so one's allocations never count for another.
# ---------------------------------------------------------------------------------------

_MEMORY_PROBE = r"""
import json, os, sys
os.environ.setdefault("OMP_NUM_THREADS", "1")
lib = __import__(sys.argv[1])
if sys.argv[1] == "torch":
    lib.set_num_threads(1)
import numpy as np

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def run(width, batch, depth=10):
    rng = np.random.default_rng(0)
    Ws = [lib.tensor(rng.normal(0, width ** -0.5, (width, width)).astype(np.float32),
                     requires_grad=True) for _ in range(depth)]
    x = lib.tensor(rng.normal(0, 1, (batch, width)).astype(np.float32))
    before = rss()
    h = x
    for W in Ws:
        h = (h @ W).tanh()
    loss = h.sum()
    after_forward = rss()
    loss.backward()
    after_backward = rss()
    grads = sum(W.grad.numel() * 4 for W in Ws)
    return {"forward_held": after_forward - before,
            "after_backward": after_backward - before - grads}

run(8, 8)  # first-use costs (kernels, allocator set-up) are not the model's memory
print(json.dumps(run(512, 4096)))
"""


def measure_memory(name: str) -> dict[str, int] | None:
    # A fixed mmap threshold: glibc then maps every large array on its own and unmaps it when
    # freed, so the resident set shows what is really held (its adaptive threshold would keep
    # freed arrays in the heap after the first free, for both engines).
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    proc = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, name],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MB"


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def table(self, title: str, header: list[str], rows: list[list[str]], note: str = "") -> None:
        lines = [f"### {title}", ""]
        if note:
            lines += [note, ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        self.parts.append("\n".join(lines) + "\n")
        print("\n".join(lines) + "\n", flush=True)

    def text(self, text: str) -> None:
        self.parts.append(text.rstrip() + "\n")
        print(text, flush=True)


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    return f"{r:.2f}x" if r >= 0.1 else f"{r:.2g}x (1/{b / a:.0f})"


def verdict(value: float | None, target: float, smaller_is_better: bool = True) -> str:
    if value is None:
        return "-"
    ok = value <= target if smaller_is_better else value >= target
    return "met" if ok else "missed"


def run_script(args: list[str], timeout: int = 900) -> str:
    """Run a companion benchmark script and return its stdout (or why it could not run)."""
    path = ROOT / "bench" / args[0]
    if not path.exists():
        return f"({args[0]} not found)"
    proc = subprocess.run(
        [sys.executable, str(path), *args[1:]],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    out = proc.stdout.strip()
    if proc.returncode != 0:
        out += f"\n(exit {proc.returncode})\n" + proc.stderr.strip()[-2000:]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 1M chain")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="'-' for stdout")
    parser.add_argument("--no-course", action="store_true", help="skip the nbval timing")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = 3 if quick else 11

    torch = _import("torch")
    if torch is not None:
        torch.set_num_threads(1)
    micrograd = _import("micrograd")
    report = Report()
    cpu = os.cpu_count()
    report.text(
        f"_Run on {datetime.date.today().isoformat()}: Python {platform.python_version()}, "
        f"numpy {np.__version__}, torch {getattr(torch, '__version__', 'absent')} "
        f"(torch.set_num_threads(1); numpy BLAS 1 thread), {cpu} cores, "
        f"{'--quick' if quick else 'full run'}. Medians of repeated runs "
        "(time.perf_counter); ratio = minigrad / competitor._\n"
    )

    # (1) per-op overhead -------------------------------------------------------------------
    rows = []
    chain: dict[str, tuple[float, float, float]] = {}
    for name, lib in (("minigrad", mg), ("torch", torch)):
        if lib is not None:
            chain[name] = be.median_parts(lambda lib=lib: be.time_chain(lib, 10_000), repeats)
    for label, k in (("forward", 0), ("backward", 1), ("forward + backward", 2)):
        m, t = chain["minigrad"][k], chain.get("torch", (None,) * 3)[k]
        rows.append([label, be.fmt_time(m), be.fmt_time(t), ratio(m, t)])
    total_ratio = chain["minigrad"][2] / chain["torch"][2] if "torch" in chain else None
    rows[-1].append(verdict(total_ratio, 2.0))
    for r in rows[:-1]:
        r.append("")
    report.table(
        "Per-op overhead: a 10,000-op scalar chain (mul, add, tanh)",
        ["", "minigrad", "torch", "ratio", "target ≤ 2×"],
        rows,
    )

    # (2) MLP training step -----------------------------------------------------------------
    X, Y = make_data()
    mg.manual_seed(0)
    model = make_mlp(mg)
    trainers = {"minigrad": NNTrainer(mg, model, X, Y)}
    if torch is not None:
        tmodel = make_mlp(torch)
        copy_weights(model, tmodel, torch)
        trainers["torch"] = NNTrainer(torch, tmodel, X, Y)
    if micrograd is not None:
        trainers["micrograd"] = MicrogradTrainer(model, X, Y)
    first_loss = {k: t.step() for k, t in trainers.items()}  # same weights: same first loss
    step_time: dict[str, float] = {}
    for k, t in trainers.items():
        reps = 3 if k == "micrograd" else repeats * 20
        step_time[k] = be.median_time(t.step, reps, warmup=1 if k == "micrograd" else 5)
    m = step_time["minigrad"]
    rows = [
        [k, be.fmt_time(v), f"{first_loss[k]:.6f}", ratio(m, v) if k != "minigrad" else ""]
        for k, v in step_time.items()
    ]
    vs_torch = m / step_time["torch"] if "torch" in step_time else None
    vs_micro = step_time["micrograd"] / m if "micrograd" in step_time else None
    report.table(
        "One SGD step of a 2-16-16-1 tanh MLP on 100 points (nn.Linear, nn.MSELoss, optim.SGD)",
        ["engine", "step", "first loss", "minigrad / engine"],
        rows,
        note=(
            f"Targets: ≤ 1.5× torch — {verdict(vs_torch, 1.5)}"
            f" ({'-' if vs_torch is None else f'{vs_torch:.2f}×'}); ≥ 200× faster than micrograd — "
            f"{verdict(vs_micro, 200.0, smaller_is_better=False)}"
            f" ({'-' if vs_micro is None else f'{vs_micro:.0f}× faster'}). "
            "All three start from the same weights, so the first losses agree."
        ),
    )

    # (3) scaling ---------------------------------------------------------------------------
    sizes = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    per_node: dict[str, list[float]] = {"minigrad": [], "torch": []}
    rows = []
    for n in sizes:
        reps = max(1, min(repeats, 2_000_000 // (10 * n)))
        row = [f"chain of {n:,}"]
        for name, lib in (("minigrad", mg), ("torch", torch)):
            if lib is None:
                continue
            _, bwd, _ = be.median_parts(
                lambda lib=lib, n=n: be.time_chain(lib, n), reps, 1 if n <= 100_000 else 0
            )
            per_node[name].append(bwd / n)
            gc.collect()
        row += [be.fmt_time(per_node["minigrad"][-1]), be.fmt_time(per_node["torch"][-1])]
        row.append(ratio(per_node["minigrad"][-1], per_node["torch"][-1]))
        rows.append(row)
    fan = {}
    for name, lib in (("minigrad", mg), ("torch", torch)):
        if lib is not None:
            fan[name] = be.median_time(lambda lib=lib: fan_in_backward(lib, 10_000), repeats) / 1e4
    rows.append(
        [
            "fan-in of 10,000 (stack + sum)",
            be.fmt_time(fan["minigrad"]),
            be.fmt_time(fan.get("torch")),
            ratio(fan["minigrad"], fan.get("torch")),
        ]
    )
    flat = max(per_node["minigrad"]) / min(per_node["minigrad"])
    report.table(
        "Scaling: backward time per node",
        ["graph", "minigrad", "torch", "ratio"],
        rows,
        note=(
            f"Target: flat per-node time (linear total) and no recursion error. Largest/smallest "
            f"per-node time across chain lengths: {flat:.2f}× for minigrad. The chains are walked "
            "iteratively, so 1M nodes never meet Python's recursion limit."
        ),
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
        for name, ys in per_node.items():
            if ys:
                ax.loglog(sizes[: len(ys)], [y * 1e6 for y in ys], "o-", label=name)
        ax.set_xlabel("ops in the chain")
        ax.set_ylabel("backward µs per node")
        ax.set_title("Backward time per node (lower, flat is better)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(ROOT / "bench" / "scaling.png")
        report.text("![backward time per node](bench/scaling.png)\n")
    except ImportError:
        pass

    # (4) memory ----------------------------------------------------------------------------
    mem = {name: measure_memory(name) for name in ("minigrad", "torch") if _import(name)}
    rows = []
    for key, label in (
        ("forward_held", "held after forward (saved activations)"),
        ("after_backward", "held after backward(), minus the .grad tensors"),
    ):
        vals = {k: (v or {}).get(key) for k, v in mem.items()}
        rows.append(
            [
                label,
                fmt_mb(vals.get("minigrad")),
                fmt_mb(vals.get("torch")),
                ratio(vals.get("minigrad"), vals.get("torch")),
            ]
        )
    report.table(
        "Memory: 10-layer tanh MLP, width 512, batch 4096, float32 (RSS, fresh process each)",
        ["", "minigrad", "torch", "ratio"],
        rows,
        note=(
            "Growth of the resident set over one forward + backward, after a tiny warm-up run; "
            "each layer saves its input and its tanh output (8 MB each)."
        ),
    )

    # (5)-(6) diagrams and stepper: their own scripts, same run ------------------------------
    for script, title in (
        ("bench_viz.py", "Diagrams: minigrad.viz vs torchviz"),
        ("bench_stepper.py", "Stepper"),
    ):
        out = run_script([script, *(["--quick"] if quick else [])])
        report.text(f"### {title}\n\n```\n{out}\n```\n")

    # (7) the course under strict nbval ---------------------------------------------------------
    if not args.no_course and not quick and (ROOT / "course").is_dir():
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p"),
                *("no:randomly", "--nbval", "course", "--nbval-current-env"),
                *("--nbval-sanitize-with", "course/nbval_sanitize.cfg"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        wall = time.perf_counter() - t0
        last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "?"
        report.table(
            "Course: full strict nbval run",
            ["", "wall time", "result", "target < 90 s"],
            [["pytest --nbval course", f"{wall:.1f} s", last, verdict(wall, 90.0)]],
        )

    text = "# Benchmarks\n\nWritten by `make bench` (`python bench/run.py`).\n\n" + "\n".join(
        report.parts
    )
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
