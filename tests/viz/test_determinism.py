"""The structure dump of a graph is identical run to run, in separate processes.

Node numbering, edge order and diagram text must not depend on ``id()``, on set or dict
ordering of objects, or on the hash seed: two processes with different ``PYTHONHASHSEED``
build the same graph (fan-out, views, an in-place op, a second-order gradient) and print
``graph_dump`` (the library-independent structure used by ``test_fuzz``), the text and DOT
source of its diagrams and the reprs; the two outputs must be equal, line for line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import minigrad as mg
from tests.fuzz.test_fuzz import graph_dump

x = mg.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
w = mg.tensor([0.5, 2.0, -1.0], requires_grad=True)
b = mg.tensor(0.125, requires_grad=True)
h = (x * w).tanh()            # fan-out: h is used three times below
v = h.t()[1:]                 # views
m = h.clone()
m.mul_(2.0)                   # an in-place op on a non-leaf
y = (h.sum(1) + v.sum() + m.max() + b) ** 2
y.retain_grad()
g, = mg.autograd.grad(y.sum(), x, create_graph=True)
z = (g * g).sum()
ns = {"x": x, "w": w, "b": b, "h": h, "v": v, "m": m, "y": y, "g": g, "z": z}
print(graph_dump(ns))
for name in sorted(ns):
    print(name, repr(ns[name]))
try:
    from minigrad.viz import backward_graph, forward_graph
except ImportError:  # the diagrams are optional here; the dump above is not
    pass
else:
    params = {"x": x, "w": w, "b": b}
    for d in (backward_graph(z, params=params, show_saved=True, show_attrs=True),
              forward_graph(y, params=params)):
        print(d.text)
        print(d.source)
"""


def run(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return out.stdout


def test_graph_dump_is_identical_across_processes() -> None:
    first, second = run("1"), run("2")
    assert "MulBackward0" in first and "AccumulateGrad" in first  # the dump is not empty
    assert "0x" not in first  # no memory address leaks into the dump
    assert first.splitlines() == second.splitlines()
