"""Benchmark minigrad.viz against torchviz's make_dot, side by side in one process.

    python bench/bench_viz.py            # full run
    python bench/bench_viz.py --quick    # fewer repeats

Workloads (medians of time.perf_counter over repeats, after a warm-up):
  (i)   DOT generation for a ~1,000-node backward graph (y = Σᵢ tanh(x·wᵢ + bᵢ), 200
        terms): minigrad.viz.backward_graph on the minigrad graph and on the same torch
        graph, and torchviz.make_dot on the torch graph (``.source`` taken in all cases);
  (ii)  the same on a 1,000-node deep chain, where torchviz's recursion may fail;
  (iii) SVG render of a ~500-node backward graph with the bundled graphviz-pure engine
        (target <= 100 ms), and whether two renders give the same bytes.
Targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad.viz import backward_graph  # noqa: E402
from minigrad.viz.render import find_dot  # noqa: E402


def fan(lib: Any, terms: int) -> Any:
    """y = Σᵢ tanh(x·wᵢ + bᵢ): 5 nodes per term (+3), shallow enough for torchviz."""
    x = lib.tensor([0.5, -0.25], requires_grad=True)
    parts = []
    for i in range(terms):
        w = lib.tensor([0.1 * (i % 7)], requires_grad=True)
        b = lib.tensor([0.01 * (i % 5)], requires_grad=True)
        parts.append(lib.tanh(x * w + b))
    return lib.stack(parts).sum()


def chain(lib: Any, n: int) -> Any:
    x = lib.tensor(0.5, requires_grad=True)
    y = x
    for i in range(n - 1):
        y = y * 1.0001 if i % 2 else y + 0.0001
    return y


def count_nodes(fn: Any) -> int:
    seen, stack = set(), [fn]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        stack.extend(c for c, _ in n.next_functions)
    return len(seen)


def interleaved(fns: dict, repeats: int) -> dict:
    """Time each function once per round, rounds interleaved (a busy machine slows all
    contenders alike); ``{name: (median, min)}`` in seconds, None for a failure."""
    times: dict = {k: [] for k in fns}
    failed: dict = {}
    for k, fn in fns.items():  # warm-up, and find the ones that fail
        try:
            fn()
        except RecursionError:
            failed[k] = "RecursionError"
    for _ in range(repeats):
        for k, fn in fns.items():
            if k in failed:
                continue
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {
        k: (failed[k] if k in failed else (statistics.median(v), min(v))) for k, v in times.items()
    }


def ms(t: Any) -> str:
    if t is None:
        return "n/a"
    if isinstance(t, str):
        return t
    return f"{t[0] * 1e3:.2f} ({t[1] * 1e3:.2f}) ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 15
    try:
        import torch
        from torchviz import make_dot

        torch.set_num_threads(1)
    except ImportError:
        torch = make_dot = None

    print(f"engine: {find_dot()}")
    print("times: median (min) over interleaved rounds")
    rows = []
    for label, build in (("fan, 200 terms", lambda lib: fan(lib, 200)),
                         ("deep chain", lambda lib: chain(lib, 1000))):  # fmt: skip
        ym = build(mg)
        n = count_nodes(ym.grad_fn)
        fns = {"viz(minigrad)": lambda ym=ym: backward_graph(ym, max_nodes=5000).source}
        if torch is not None:
            yt = build(torch)
            fns["viz(torch)"] = lambda yt=yt: backward_graph(yt, max_nodes=5000).source
            fns["torchviz"] = lambda yt=yt: make_dot(yt).source
        rows.append((label, n, interleaved(fns, repeats)))

    print("\nDOT generation of a backward graph")
    cols = ["viz(minigrad)", "viz(torch)", "torchviz"]
    print(f"{'graph':<16}{'nodes':>6}  " + "  ".join(f"{c:>22}" for c in cols)
          + "  torchviz / viz(torch)")  # fmt: skip
    for label, n, res in rows:
        a, b = res.get("viz(torch)"), res.get("torchviz")
        ratio = f"{b[0] / a[0]:.2f}x" if isinstance(a, tuple) and isinstance(b, tuple) else "n/a"
        print(f"{label:<16}{n:>6}  " + "  ".join(f"{ms(res.get(c)):>22}" for c in cols)
              + f"  {ratio}")  # fmt: skip

    ym = fan(mg, 100)
    d = backward_graph(ym, max_nodes=5000)
    n = count_nodes(ym.grad_fn)
    res = interleaved({"svg": lambda: d.pipe("svg")}, repeats)["svg"]
    cpu = []  # the engine's own CPU time: less sensitive than wall time to a busy machine
    for _ in range(repeats):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        d.pipe("svg")
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    cpu_res = (statistics.median(cpu), min(cpu))
    same = d.pipe("svg") == d.pipe("svg")
    verdict = "ok" if res[0] <= 0.1 else "over target"
    print(f"\nSVG render of a {n}-node backward graph: wall {ms(res)} "
          f"(target <= 100 ms: {verdict}), engine CPU {ms(cpu_res)}; "
          f"identical bytes twice: {same}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
