"""``trace_backward`` against torch's hooks, on the syllabus programs (course/SYLLABUS.md, concepts 1.x–9.x).

Each program runs once with minigrad under ``trace_backward`` and once with torch, where
every node of the graph gets a pre-hook (the gradients it receives) and a post-hook (the
gradient it sends along each ``next_functions`` edge), and every leaf a
post-accumulate-grad hook (its ``.grad`` after each accumulation). The trace, read back in
the same form, must give the same events in the same order with the same values. Nodes
are identified by their position in the depth-first walk of the graph (the order
``backward_graph`` draws them), which is the same for both libraries.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd.observer import current_observer
from minigrad.viz._walk import walk
from minigrad.viz.trace import Recorder, Run, format_grad, trace_backward
from tests.oracle import require_torch

# --- the two observers ------------------------------------------------------------------


def _np(t):
    if t is None:
        return None
    return np.array(t.detach().numpy(), copy=True)


def _nps(values) -> tuple:
    return tuple(_np(v) for v in values)


def _torch_pre(log, i, grad_outputs):
    log.append(("pre", i, _nps(grad_outputs)))


def _torch_post(log, i, grad_inputs, grad_outputs):
    log.append(("post", i, _nps(grad_inputs)))


def _torch_acc(log, name, t):
    log.append(("acc", name, _np(t.grad)))


def observe_torch(program) -> list:
    """Run ``program(torch, record)``; each ``record`` call gives one list of hook events."""
    torch = require_torch()
    phases = []

    def record(outputs, fn, leaves):
        order = walk([t.grad_fn for t in outputs]).order
        log, handles = [], []
        for i, node in enumerate(order):
            handles.append(node.register_prehook(functools.partial(_torch_pre, log, i)))
            handles.append(node.register_hook(functools.partial(_torch_post, log, i)))
        for name, leaf in leaves.items():
            handles.append(
                leaf.register_post_accumulate_grad_hook(functools.partial(_torch_acc, log, name))
            )
        try:
            fn()
        except RuntimeError as exc:
            log.append(("error", str(exc)))
        finally:
            for h in handles:
                h.remove()
        phases.append(log)

    program(torch, record)
    return phases


def events_of_run(run: Run, order: list, names: dict) -> list:
    """The hook events torch would have reported, read from one recorded run."""
    log = []
    index = {node: i for i, node in enumerate(order)}
    for s in run.steps:
        if not s.ran:  # captured by autograd.grad or pruned: torch runs no hook either
            continue
        i = index[s.node]
        log.append(("pre", i, s.inputs))
        leaf = getattr(s.node, "variable", None)
        if s.accumulated and id(leaf) in names:
            log.append(("acc", names[id(leaf)], s.grad_after))
        log.append(("post", i, s.sent, s.delivered))
    if run.error is not None:
        log.append(("pre", index[run.failed], run.failed_received))
        log.append(("error", run.error.split(": ", 1)[1]))
    return log


def observe_minigrad(program) -> tuple[list, list]:
    """Run ``program(minigrad, record)`` under trace; the events and the traces."""
    phases, traces = [], []

    def record(outputs, fn, leaves):
        order = walk([t.grad_fn for t in outputs]).order
        with trace_backward(params=dict(leaves)) as trace:
            try:
                fn()
            except RuntimeError:
                pass  # the trace keeps the error
        names = {id(t): name for name, t in leaves.items()}
        log = []
        for run in trace.runs:
            assert list(run.nodes) == order, "the run walks the graph of the recorded outputs"
            log += events_of_run(run, order, names)
        phases.append(log)
        traces.append(trace)

    program(mg, record)
    return phases, traces


def assert_same_value(ours, theirs, where: str) -> None:
    if ours is None or theirs is None:
        assert ours is None and theirs is None, f"{where}: minigrad {ours!r}, torch {theirs!r}"
        return
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} vs {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} vs {theirs.dtype}"
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=where)


def assert_same_events(ours: list, theirs: list) -> None:
    kinds_ours = [(e[0], e[1]) if e[0] != "error" else ("error",) for e in ours]
    kinds_theirs = [(e[0], e[1]) if e[0] != "error" else ("error",) for e in theirs]
    assert kinds_ours == kinds_theirs, "node order / accumulation order differs from torch"
    for k, (a, b) in enumerate(zip(ours, theirs)):
        where = f"event {k} {a[:2]}"
        if a[0] == "error":
            assert a[1] == b[1]
        elif a[0] == "acc":
            assert_same_value(a[2], b[2], where)
        elif a[0] == "pre":
            assert len(a[2]) == len(b[2]), where
            for j, (x, y) in enumerate(zip(a[2], b[2])):
                assert_same_value(x, y, f"{where} input {j}")
        else:  # post: only the edges the engine passed a gradient along
            assert len(a[2]) == len(b[2]), where
            for j, (x, y) in enumerate(zip(a[2], b[2])):
                if a[3][j] or y is not None:
                    assert_same_value(x, y, f"{where} edge {j}")


def check(program) -> list:
    ours, traces = observe_minigrad(program)
    theirs = observe_torch(program)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a, "the program recorded no hook event"
        assert_same_events(a, b)
    return traces


# --- the syllabus programs --------------------------------------------------------------


def s1_custom_function(lib, record):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return (x * y) ** 2

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return 2 * x * y**2 * g, 2 * x**2 * y * g

    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    z = MyFunction.apply(x, y)
    record([z], z.backward, {"x": x, "y": y})


def s2_shared_node(lib, record):
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    record([w], w.backward, {"x": x, "y": y})


def s2_three_leaves(lib, record):
    a, b, d = (lib.tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
    e = (a * b) * d
    record([e], e.backward, {"a": a, "b": b, "d": d})


def s3_requires_grad(lib, record):
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0)
    out = x * y + y
    record([out], out.backward, {"x": x})
    a = lib.tensor(2.0, requires_grad=True)
    c = a * lib.tensor(3.0)
    record([c], c.backward, {"a": a})


def s3_linear(lib, record):
    weight = lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
    bias = lib.tensor([0.01, -0.02], requires_grad=True)
    x = lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    out = lib.nn.functional.linear(x, weight, bias).sum()
    record([out], out.backward, {"weight": weight, "bias": bias})


def s4_programs(lib, record):
    x = lib.tensor(1.0, requires_grad=True)
    y = lib.tensor(2.0, requires_grad=True)
    z = x**2 + y
    p = 2 * z + x
    record([p], p.backward, {"x": x, "y": y})

    A = lib.ones(3, 3, requires_grad=True)
    b = (-2 * A + 1).abs().sum()
    record([b], b.backward, {"A": A})

    a = lib.tensor([2.0, 3.0], requires_grad=True)
    bb = lib.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - bb**2
    record([Q], lambda: Q.backward(gradient=lib.tensor([1.0, 1.0])), {"a": a, "b": bb})


def s4_shared_leaf_and_cat(lib, record):
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)
    a = w + x
    b = w + 1
    y = a * b
    record([y], lambda: y.backward(lib.tensor([1.0])), {"w": w, "x": x})
    w2 = lib.tensor([1.0], requires_grad=True)
    x2 = lib.tensor([2.0], requires_grad=True)
    a2, b2 = w2 + x2, w2 + 1
    loss = lib.cat([a2 * b2, a2 + b2])
    record([loss], lambda: loss.backward(gradient=lib.tensor([1.0, 1.0])), {"w": w2, "x": x2})


def s5_accumulation(lib, record):
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)
    y = (w + x) * (w + 1)

    def four_passes():
        for _ in range(4):
            y.backward(lib.tensor([1.0]), retain_graph=True)

    record([y], four_passes, {"w": w, "x": x})

    def zeroing():
        for _ in range(2):
            y.backward(lib.tensor([1.0]), retain_graph=True)
            w.grad.zero_()
            x.grad.zero_()

    record([y], zeroing, {"w": w, "x": x})


def s5_backward_twice(lib, record):
    x = lib.tensor(2.0, requires_grad=True)
    y = x * x * 3
    record([y], lambda: (y.backward(), y.backward()), {"x": x})


def s6_retain_grad(lib, record):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    c = (b * b).sum()
    record([c], c.backward, {"a": a})


def s7_no_detach(lib, record):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x
    w = y**2
    s = w.sum()
    record([s], s.backward, {"x": x})


def s8_autograd_grad(lib, record):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    record([y], lambda: lib.autograd.grad(y, x, grad_outputs=lib.ones_like(y)), {"x": x})
    a = lib.tensor(2.0, requires_grad=True)
    b = lib.tensor(3.0, requires_grad=True)
    c = a * b
    # only a's edge is needed: the engine does not run b's AccumulateGrad
    record([c], lambda: lib.autograd.grad(c, a), {"a": a, "b": b})
    u = lib.tensor(5.0, requires_grad=True)
    record([c], lambda: lib.autograd.grad(c, (a, u), allow_unused=True, retain_graph=True),
           {"a": a, "b": b})  # fmt: skip


def s8_grad_wrt_non_leaf(lib, record):
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    record([w], lambda: lib.autograd.grad(w, z), {"x": x, "y": y})


def s8_batch_mean(lib, record):
    X = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], requires_grad=True)
    out = ((X - X.mean(0)) ** 2).sum()
    record([out], lambda: lib.autograd.grad(out, X), {"X": X})


def s9_double_backward(lib, record):
    x = lib.tensor([3.0], requires_grad=True)
    y = x**2
    box = {}
    record([y], lambda: box.update(g=lib.autograd.grad(y, x, create_graph=True)[0]), {"x": x})
    g = box["g"]
    record([g], lambda: lib.autograd.grad(g, x, retain_graph=True), {"x": x})
    record([g], g.backward, {"x": x})  # the second backward of a create_graph gradient


def s9_mixed_partials(lib, record):
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    Q = (x * x * y) ** 2
    box = {}
    record([Q], lambda: box.update(g=lib.autograd.grad(Q, (x, y), create_graph=True)),
           {"x": x, "y": y})  # fmt: skip
    dx, dy = box["g"]
    record([dx], lambda: dx.backward(retain_graph=True), {"x": x, "y": y})
    record([dy], lambda: lib.autograd.grad(dy, (x, y)), {"x": x, "y": y})


def s9_batched(lib, record):
    X = lib.tensor([[1.0, 2.0], [3.0, 3.0], [4.0, 3.0], [5.0, 2.0]], requires_grad=True)
    x, y = X[:, 0], X[:, 1]
    z = (x * x * y * y).sum()
    box = {}
    record([z], lambda: box.update(g=lib.autograd.grad(z, X, create_graph=True)[0]), {"X": X})
    dzdx = box["g"][:, 0].sum()
    record([dzdx], lambda: lib.autograd.grad(dzdx, X), {"X": X})


def hooks_program(lib, record):
    x = lib.tensor([1.0, -2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    h = x * 3
    h.register_hook(lambda g: g + 1)
    out = (h * h).sum()
    record([out], out.backward, {"x": x})


PROGRAMS = [
    s1_custom_function,
    s2_shared_node,
    s2_three_leaves,
    s3_requires_grad,
    s3_linear,
    s4_programs,
    s4_shared_leaf_and_cat,
    s5_accumulation,
    s5_backward_twice,
    s6_retain_grad,
    s7_no_detach,
    s8_autograd_grad,
    s8_grad_wrt_non_leaf,
    s8_batch_mean,
    s9_double_backward,
    s9_mixed_partials,
    s9_batched,
    hooks_program,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_trace_matches_torch_hooks(program):
    """Node order, received and sent gradients, .grad after each accumulation."""
    check(program)


# --- what the trace holds beyond the hooks ------------------------------------------------


def test_curriculum_values_in_the_trace():
    """The values syllabus 2.5, 4.3, 4.5, 5.1 and 9.1 quote, read from the trace's last frames."""
    (_, traces) = observe_minigrad(s2_shared_node)
    run = traces[0].run
    leaves = {
        run.leaf_name(n): run.grad_at(n, len(run)) for n in run.nodes if hasattr(n, "variable")
    }
    assert {k: format_grad(v) for k, v in leaves.items()} == {"x": "2592.", "y": "1728."}
    (_, traces) = observe_minigrad(s5_accumulation)
    w_after = [
        format_grad(s.grad_after)
        for run in traces[0].runs
        for s in run.steps
        if s.accumulated and run.leaf_name(s.node) == "w"
    ]
    assert w_after == ["[5.]", "[10.]", "[15.]", "[20.]"]
    (_, traces) = observe_minigrad(s9_double_backward)
    assert [format_grad(g) for g in traces[0].run.results] == ["[6.]"]
    assert [format_grad(g) for g in traces[1].run.results] == ["[2.]"]
    (_, traces) = observe_minigrad(s9_mixed_partials)
    run = traces[1].run
    final = {run.leaf_name(n): format_grad(run.grad_at(n, len(run))) for n in run.nodes
             if hasattr(n, "variable")}  # fmt: skip
    assert final == {"x": "432.", "y": "192."}


def _edge_counts(run: Run) -> dict:
    counts: dict = {}
    for node in run.nodes:
        for child, _ in node.next_functions:
            if child is not None:
                counts[child] = counts.get(child, 0) + 1
    return counts


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_dependency_counts_and_ready_queue(program):
    """Counts start at the number of edges into each node, drop by one per delivered
    edge, the ready queue's head is always the next node the engine runs, and the
    gradients waiting for a node are what it receives."""
    (_, traces) = observe_minigrad(program)
    for trace in traces:
        for run in trace.runs:
            edges = _edge_counts(run)
            assert dict(run.deps) == {n: c for n, c in edges.items() if c > 0}
            deps = dict(run.deps)
            ready = run.ready
            for s in run.steps:
                assert ready and ready[0] is s.node, "the engine pops the head of its queue"
                # what was waiting for the node is what it receives when it runs
                waiting = dict(run.state(s.index - 1)[2])
                for got, had in zip(s.received, waiting[s.node]):
                    assert (got is None and had is None) or np.array_equal(got, had)
                for (child, _), delivered in zip(s.node.next_functions, s.delivered):
                    if delivered:
                        deps[child] -= 1
                after, ready, _ = run.state(s.index)
                assert {n: c for n, c in deps.items() if c > 0} == dict(after)
                assert all(deps.get(n, 0) == 0 for n in ready)
            if run.error is None:
                assert ready == ()


def test_freed_saved_tensors_match_torch():
    """The saved tensors a step frees are exactly those torch refuses to give back
    after backward (``_saved_*`` raises); with retain_graph nothing is freed."""
    torch = require_torch()

    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        out = ((x * y).exp() / y).sum()
        return out, x, y

    out, x, y = program(mg)
    with trace_backward() as trace:
        out.backward(retain_graph=True)
        out.backward()
    kept, run = trace.runs
    assert all(s.freed == () for s in kept.steps)
    freed = {type(s.node).__name__: set(s.freed) for s in run.steps if s.freed}

    t_out, *_ = program(torch)
    t_out.backward()
    expected = {}
    for node in walk([t_out.grad_fn]).order:
        names = set()
        for attr in dir(node):
            if attr.startswith("_saved_"):
                try:
                    getattr(node, attr)
                except RuntimeError:
                    names.add(attr)
        if names:
            expected[type(node).__name__] = names
    assert freed == expected


def test_hooks_fired_are_recorded():
    """Tensor hooks, node pre/post hooks and post-accumulate-grad hooks, in firing order,
    with what they saw and returned."""
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    h = x * 3
    h.register_hook(lambda g: g + 1)
    out = (h * h).sum()
    out.grad_fn.register_prehook(lambda go: None)
    h.grad_fn.register_hook(lambda gi, go: None)
    x.register_post_accumulate_grad_hook(lambda t: None)
    with trace_backward() as trace:
        out.backward()
    fired = [
        (type(s.node).__name__, c.kind, c.input_nr, format_grad(c.before[0] if isinstance(c.before, tuple) else c.before),
         None if c.after is None else format_grad(c.after))
        for s in trace.run.steps
        for c in s.hooks
    ]  # fmt: skip
    assert fired == [
        ("SumBackward0", "pre", None, "1.", None),
        ("MulBackward0", "tensor", 0, "[  6., -12.]", "[  7., -11.]"),
        ("MulBackward0", "post", None, "[ 21., -33.]", None),
        ("AccumulateGrad", "tensor", 0, "[ 21., -33.]", "[ 210., -330.]"),
        ("AccumulateGrad", "post_accumulate_grad", 0, "[ 210., -330.]", None),
    ]
    # the value the node received is recorded before the hook changed it
    mul = [s for s in trace.run.steps if type(s.node).__name__ == "MulBackward0"]
    assert [format_grad(mul[1].received[0]), format_grad(mul[1].inputs[0])] == [
        "[  6., -12.]",
        "[  7., -11.]",
    ]


def test_grad_run_captures_and_skips():
    """autograd.grad: the input's AccumulateGrad is captured, not run; .grad untouched."""
    a = mg.tensor(2.0, requires_grad=True)
    b = mg.tensor(3.0, requires_grad=True)
    c = a * b
    with trace_backward() as trace:
        (ga,) = mg.autograd.grad(c, a)
    run = trace.run
    assert run.kind == "grad"
    acc = [s for s in run.steps if s.captured]
    assert len(acc) == 1 and acc[0].node.variable is a and not acc[0].ran
    assert [format_grad(v) for _, v in acc[0].captured] == ["3."]
    assert a.grad is None and b.grad is None
    assert all(s.node.variable is not b for s in run.steps if hasattr(s.node, "variable"))
    assert [format_grad(r) for r in run.results] == [format_grad(ga)]


def test_trace_is_off_outside_the_block():
    x = mg.tensor(2.0, requires_grad=True)
    with trace_backward() as trace:
        assert isinstance(current_observer(), Recorder)
        (x * x).backward()
    (x * x).backward()
    assert current_observer() is None
    assert len(trace.runs) == 1


def test_trace_text_is_deterministic():
    def text():
        x = mg.tensor(2.0, requires_grad=True)
        y = mg.tensor(3.0, requires_grad=True)
        w = (x * x * y * y) ** 2
        with trace_backward(params={"x": x, "y": y}) as trace:
            w.backward()
        return trace.text()

    first = text()
    assert first == text()
    assert "0x" not in first
    assert first.splitlines()[-1].startswith("  6  AccumulateGrad (x) received 2592.")


def test_trace_backward_rejects_bad_params():
    with pytest.raises(TypeError, match="params must be a dict"):
        with trace_backward(params=[1]):
            pass
