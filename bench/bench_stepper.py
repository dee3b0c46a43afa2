"""Benchmark the backward stepper: time to the first frame and per slider step.

    python bench/bench_stepper.py            # 7 repeats
    python bench/bench_stepper.py --quick    # 3 repeats

For three graphs (CURRICULUM §2's w = (x·x·y·y)², a 2-16-16-1 tanh MLP loss, a chain of
100 ops) it reports medians (time.perf_counter) of:

  first frame    step_backward(loss) until frame 0's SVG is in the HTML widget
                 (backward under trace + stepper widgets + DOT + one Graphviz run)
  new step       moving the slider to a step not shown yet (DOT + one Graphviz run)
  cached step    moving the slider to a step already shown (target < 20 ms)
  trace cost     backward under trace_backward vs plain backward

then cached slider steps inside a real Jupyter kernel (widget messages really sent),

and the engine's cost of the tracer hooks when tracing is off (the engine as committed
vs the working tree, same graph). Targets are reported, not asserted.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.viz import step_backward, trace_backward  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_CACHED_MS = 20.0


def curriculum_w():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    return z * z, {"x": x, "y": y}


def mlp_loss():
    mg.manual_seed(0)
    X = mg.randn(10, 2)
    Y = mg.randn(10, 1)
    params = {}
    h = X
    for i, (n_in, n_out) in enumerate(((2, 16), (16, 16), (16, 1))):
        W = mg.randn(n_in, n_out, requires_grad=True)
        b = mg.zeros(n_out, requires_grad=True)
        params[f"W{i}"], params[f"b{i}"] = W, b
        h = h @ W + b
        if i < 2:
            h = h.tanh()
    return ((h - Y) ** 2).mean(), params


def chain_100():
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for i in range(100):
        y = y * 1.01 if i % 2 else y.tanh()
    return y, {"x": x}


GRAPHS = [
    ("w = (x·x·y·y)²", curriculum_w),
    ("MLP 2-16-16-1", mlp_loss),
    ("chain, 100 ops", chain_100),
]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms"


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(build, repeats: int) -> dict:
    first = []
    for _ in range(repeats):
        loss, params = build()
        t0 = time.perf_counter()
        st = step_backward(loss, params=params)
        first.append(time.perf_counter() - t0)
    n = st.n_steps
    new = []
    for k in range(1, n + 1):  # every step once: each is a new frame
        t0 = time.perf_counter()
        st.slider.value = k
        new.append(time.perf_counter() - t0)
    cached = []
    for _ in range(repeats):
        for k in list(range(n - 1, -1, -1)) + list(range(1, n + 1)):
            t0 = time.perf_counter()
            st.slider.value = k
            cached.append(time.perf_counter() - t0)

    def backward_time(traced: bool) -> float:
        times = []
        for _ in range(repeats):
            loss, p = build()  # the forward pass is not timed
            t0 = time.perf_counter()
            if traced:
                with trace_backward(params=p):
                    loss.backward()
            else:
                loss.backward()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return {
        "steps": n,
        "first": statistics.median(first),
        "new": statistics.median(new),
        "cached": statistics.median(cached),
        "cached_max": max(cached),
        "plain": backward_time(False),
        "traced": backward_time(True),
    }


def _committed_engine():
    """The engine as last committed, loaded beside the working tree's (tracer hooks or not)."""
    try:
        source = subprocess.run(
            ["git", "show", "HEAD:minigrad/autograd/engine.py"],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("minigrad.autograd._engine_head", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "minigrad.autograd"
    exec(compile(source, "engine@HEAD", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def engine_off_cost(repeats: int) -> tuple[float, float] | None:
    """Best seconds per backward of a 20k-op chain: committed engine vs working tree (off)."""
    from minigrad.autograd import engine

    head = _committed_engine()
    if head is None:
        return None
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for i in range(20_000):
        y = y * 1.0001 if i % 2 else y + 0.0001
    edge = [y._edge()]
    seed = [mg.ones_like(y)]

    def run(execute):
        execute(edge, seed, keep_graph=True, create_graph=False)

    # Interleaved, best of n: the least noisy comparison on a shared machine.
    before, now = [], []
    for _ in range(repeats):
        before.append(median_time(lambda: run(head.execute), 1))
        now.append(median_time(lambda: run(engine.execute), 1))
    return min(before), min(now)


KERNEL_CELL = """
import statistics, time
from minigrad.viz import step_backward
import minigrad as mg
mg.manual_seed(0)
x = mg.tensor(0.5, requires_grad=True)
y = x
for i in range(100):
    y = y * 1.01 if i % 2 else y.tanh()
t0 = time.perf_counter()
st = step_backward(y, params={"x": x})
first = time.perf_counter() - t0
st.prerender()
times = []
for _ in range(REPEATS):
    for k in list(range(st.n_steps, -1, -1)) + list(range(1, st.n_steps + 1)):
        t0 = time.perf_counter()
        st.slider.value = k
        times.append(time.perf_counter() - t0)
print(f"{first * 1e3:.2f} {statistics.median(times) * 1e3:.3f} {max(times) * 1e3:.3f}")
"""


def in_kernel(repeats: int) -> str:
    """Cached slider steps inside a real Jupyter kernel (comm messages are really sent)."""
    try:
        import nbclient
        import nbformat
    except ImportError:
        return "in a kernel: nbclient/nbformat not installed, skipped"
    code = KERNEL_CELL.replace("REPEATS", str(repeats))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    except Exception as exc:  # noqa: BLE001 - report, do not fail the benchmark run
        return f"in a kernel: could not run ({type(exc).__name__}: {exc})"
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    if len(text.split()) != 3:  # report what the kernel said rather than crash the run
        return f"in a kernel: unexpected output {nb.cells[0].outputs!r:.300}"
    first, med, worst = text.split()
    return (
        f"in a Jupyter kernel, chain of 100 ops (101 steps): first frame {first} ms, "
        f"cached slider step median {med} ms, max {worst} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7

    print(f"minigrad stepper benchmark, median of {repeats} (python {sys.version.split()[0]})")
    print(
        f"{'graph':<16}{'steps':>6}{'first frame':>14}{'new step':>12}{'cached step':>13}"
        f"{'cached max':>12}{'backward':>12}{'traced':>12}"
    )
    worst = 0.0
    for name, build in GRAPHS:
        r = measure(build, repeats)
        worst = max(worst, r["cached"])
        print(
            f"{name:<16}{r['steps']:>6}{ms(r['first']):>14}{ms(r['new']):>12}{ms(r['cached']):>13}"
            f"{ms(r['cached_max']):>12}{ms(r['plain']):>12}{ms(r['traced']):>12}"
        )
    verdict = "met" if worst * 1e3 < TARGET_CACHED_MS else "missed"
    print(f"cached slider step: worst median {worst * 1e3:.3f} ms, target < "
          f"{TARGET_CACHED_MS:.0f} ms: {verdict}")  # fmt: skip
    print(in_kernel(repeats))
    off = engine_off_cost(repeats)
    if off is not None:
        before, now = off
        print(
            f"engine, tracing off, 20k-op chain backward: committed {before * 1e3:.1f} ms, "
            f"working tree {now * 1e3:.1f} ms ({(now / before - 1) * 100:+.1f} %; includes any "
            "other uncommitted engine edits)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
