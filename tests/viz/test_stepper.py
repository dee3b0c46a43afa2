"""Frames and the ipywidgets steppers, without a browser.

Frames: the overlay of step k agrees with the trace (done / current / ready nodes, the
gradients on the edges, each leaf's ``.grad``), step 0 is the state before backward and
the last step holds the final ``.grad`` values; the DOT text is identical run to run and
in a fresh process. Widgets: construction, slider / buttons / play moving the frame (the
``HTML`` value and the explanation change), ``repr`` and the ``text/plain`` a notebook
stores, and the text fallback. One test runs a real Jupyter kernel (no browser).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import ipywidgets as widgets
import pytest

import minigrad as mg
from minigrad.viz.frames import Frames, explain, frame, frame_overlay
from minigrad.viz.stepper import (
    BackwardStepper,
    ForwardStepper,
    SecondOrderStepper,
    step_backward,
)
from minigrad.viz.trace import format_grad, trace_backward
from tests.oracle import require_torch


def shared_node_program():
    """Syllabus 2.5: z = x·x·y·y, w = z·z with x=2, y=3."""
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    return w, {"x": x, "y": y}


def traced(program):
    out, params = program()
    with trace_backward(params=params) as trace:
        out.backward()
    return out, params, trace.run


# --- frames ---------------------------------------------------------------------------


def test_overlay_follows_the_trace():
    out, params, run = traced(shared_node_program)
    n = len(run.steps)
    first = frame_overlay(run, 0)
    assert set(first.node_state.values()) == {"ready"}
    assert [node for node, st in first.node_state.items()] == [out.grad_fn]
    assert first.edge_labels == {} and first.freed == ()
    for k in range(1, n + 1):
        ov = frame_overlay(run, k)
        done = [s.node for s in run.steps[: k - 1]]
        assert ov.node_state[run.steps[k - 1].node] == "current"
        assert all(ov.node_state[node] == "done" for node in done)
        assert all(ov.node_state[node] == "ready" for node in run.steps[k - 1].ready)
        for s in run.steps[:k]:
            for i, ((child, _), value) in enumerate(zip(s.node.next_functions, s.sent)):
                if child is not None:
                    assert ov.edge_labels[(s.node, i)] == format_grad(value)
        assert ov.caption == f"step {k} of {n}: {run.label(run.steps[k - 1].node)}"
    # the last frame shows each leaf's final .grad
    last = frame_overlay(run, n)
    for node in run.nodes:
        if hasattr(node, "variable"):
            assert last.leaf_notes[node].endswith(format_grad(node.variable.grad))


def test_leaf_grad_grows_across_runs():
    w = mg.tensor([1.0], requires_grad=True)
    x = mg.tensor([2.0], requires_grad=True)
    y = (w + x) * (w + 1)
    with trace_backward(params={"w": w, "x": x}) as trace:
        for _ in range(3):
            y.backward(mg.tensor([1.0]), retain_graph=True)
    notes = []
    for run in trace.runs:
        acc = next(n for n in run.nodes if getattr(n, "variable", None) is w)
        k = next(s.index for s in run.steps if s.node is acc)
        notes.append(frame_overlay(run, k).leaf_notes[acc])
    assert notes == ["grad: None → [5.]", "grad: [5.] → [10.]", "grad: [10.] → [15.]"]


def test_explanation_of_the_issue_example():
    a = mg.tensor(2.0, requires_grad=True)
    b = mg.tensor(3.0)
    with trace_backward(params={"a": a}) as trace:
        (a * b).backward()
    text = explain(trace.run, 1)
    assert "`MulBackward0` received 1.; it sends 3. to `AccumulateGrad` (a) and nothing to " \
        "input 1 (None)" in text  # fmt: skip
    assert explain(trace.run, 0).startswith("Before backward (2 steps)")
    assert "a.grad: None → 3." in explain(trace.run, 2)
    assert explain(trace.run, 2).endswith("Backward is done: a.grad = 3.")
    with pytest.raises(IndexError, match="steps 0 to 2"):
        explain(trace.run, 3)


def test_explanation_of_autograd_grad_and_errors():
    x = mg.tensor([3.0], requires_grad=True)
    y = x**2
    with trace_backward(params={"x": x}) as trace:
        mg.autograd.grad(y, x)
        try:
            y.backward()
        except RuntimeError:
            pass
    grad_run, failed = trace.runs
    assert "captured at `AccumulateGrad` (x)" in explain(grad_run, 0)
    assert "does not run the node" in explain(grad_run, len(grad_run))
    assert explain(grad_run, len(grad_run)).endswith("autograd.grad returns ([6.],).")
    assert failed.error.startswith("RuntimeError: Trying to backward through the graph")
    assert "The engine stopped when `PowBackward0` ran: RuntimeError: Trying" in explain(
        failed, len(failed)
    )
    assert frame_overlay(failed, len(failed)).node_state[failed.failed] == "current"


def _all_sources(program) -> list[str]:
    out, params, run = traced(program)
    return [frame(run, k, (out,), params).source for k in range(len(run.steps) + 1)]


def test_frame_dot_is_deterministic():
    first = _all_sources(shared_node_program)
    assert first == _all_sources(shared_node_program)
    assert all("0x" not in s for s in first)
    assert len(set(first)) == len(first)  # every step changes the picture


def test_frame_dot_is_the_same_in_a_fresh_process():
    code = textwrap.dedent(
        """
        import json
        from tests.viz.test_stepper import _all_sources, shared_node_program
        print(json.dumps(_all_sources(shared_node_program)))
        """
    )
    import json

    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=str(Path(__file__).resolve().parents[2]), env={"PYTHONHASHSEED": "123"},
    )  # fmt: skip
    assert json.loads(proc.stdout) == _all_sources(shared_node_program)


def test_frames_cache_svg():
    out, params, run = traced(shared_node_program)
    frames = Frames(run, (out,), params)
    svg = frames.svg(2)
    assert svg.startswith("<svg") and "MulBackward0" in svg
    assert frames.svg(2) is svg
    assert frames.diagram(2) is frames.diagram(2)
    assert len(frames) == len(run.steps) + 1


# --- the backward stepper ---------------------------------------------------------------


def test_backward_stepper_widgets_and_slider():
    out, params = shared_node_program()
    st = step_backward(out, params=params)
    assert isinstance(st, widgets.VBox)
    assert isinstance(st.slider, widgets.IntSlider) and isinstance(st.play, widgets.Play)
    assert isinstance(st.diagram_html, widgets.HTML) and isinstance(st.explanation, widgets.HTML)
    assert not any(isinstance(w, widgets.Output) for w in st.children)
    assert (st.slider.min, st.slider.max, st.step) == (0, len(st.run.steps), 0)
    html0, text0 = st.diagram_html.value, st.explanation.value
    assert "<svg" in html0 and "Before backward" in text0

    st.slider.value = 3
    assert st.diagram_html.value != html0
    assert st.diagram_html.value == f'<div style="overflow:auto">{st.frames.svg(3)}</div>'
    assert "Step 3 of 6" in st.explanation.value
    assert "<code>MulBackward0</code> #3" in st.explanation.value
    assert st.play.value == 3  # linked

    st.next_button.click()
    assert st.step == 4
    st.prev_button.click()
    st.prev_button.click()
    assert st.step == 2
    st.play.value = 6
    assert st.step == 6 and "Backward is done" in st.explanation.value
    st.next_button.click()
    assert st.step == 6  # stays at the last step
    st.step = 0
    assert st.diagram_html.value == html0 and st.explanation.value == text0


def test_repr_and_mimebundle_text():
    out, params = shared_node_program()
    st = step_backward(out, params=params)
    assert repr(st) == "BackwardStepper(MulBackward0 … 6 steps, at step 0)"
    bundle = st._repr_mimebundle_()
    assert bundle["text/plain"] == repr(st)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    st.step = 2
    assert repr(st) == "BackwardStepper(MulBackward0 … 6 steps, at step 2)"
    out2, params2 = shared_node_program()
    assert repr(step_backward(out2, params=params2)) == repr(
        step_backward(*shared_node_program()[:1])
    )


def test_text_fallback():
    out, params = shared_node_program()
    st = step_backward(out, params=params)
    st.step = 1
    assert str(st) == st.text(1) == st.explain(1) + "\n\n" + st.frames.diagram(1).text
    assert st.text(6).splitlines()[0].endswith("x.grad = 2592., y.grad = 1728.")
    assert "0x" not in st.text(3)


def test_step_backward_arguments_reach_backward():
    require_torch()
    import torch

    def program(lib):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        b = lib.tensor([6.0, 4.0], requires_grad=True)
        return 3 * a**3 - b**2, a, b

    Q, a, b = program(mg)
    st = step_backward(Q, mg.tensor([1.0, 1.0]), inputs=[a], retain_graph=True,
                       params={"a": a, "b": b})  # fmt: skip
    tQ, ta, tb = program(torch)
    tQ.backward(torch.tensor([1.0, 1.0]), inputs=[ta], retain_graph=True)
    assert a.grad.tolist() == ta.grad.tolist() and b.grad is None and tb.grad is None
    assert "a.grad = [36., 81.]" in st.explain(st.n_steps)
    assert st.run.keep_graph is True
    acc_b = next(n for n in st.run.nodes if getattr(n, "variable", None) is b)
    assert acc_b in st.run.pruned
    assert not any(s.node in st.run.pruned for s in st.run.steps)
    assert frame_overlay(st.run, st.n_steps).node_notes[acc_b] == "not needed: never runs"
    Q.backward(mg.tensor([1.0, 1.0]))  # the graph was retained


def test_stepper_from_trace_run_and_errors():
    out, params = shared_node_program()
    with trace_backward(params=params) as trace:
        out.backward(retain_graph=True)
        out.backward()
    st = BackwardStepper(trace, run=0, start=2)
    assert st.step == 2 and st.run is trace.runs[0]
    assert BackwardStepper(trace.runs[1]).run is trace.runs[1]
    assert repr(BackwardStepper(trace)).startswith("BackwardStepper(MulBackward0 … 6 steps")
    with pytest.raises(TypeError, match="BackwardStepper expects the Trace"):
        BackwardStepper(out)
    with pytest.raises(ValueError, match="recorded no backward pass"):
        with trace_backward() as empty:
            pass
        BackwardStepper(empty)
    with pytest.raises(IndexError, match="steps 0 to 6"):
        st.text(7)
    with pytest.raises(ValueError, match="start must be an int from 0 to 6"):
        BackwardStepper(trace, start=9)


def test_double_backward_stepper():
    """Stepping through the backward of a create_graph=True gradient (§9)."""
    x = mg.tensor([3.0], requires_grad=True)
    y = x**2
    (g,) = mg.autograd.grad(y, x, create_graph=True)
    st = step_backward(g, params={"x": x})
    names = [type(s.node).__name__ for s in st.run.steps]
    assert names == ["MulBackward0", "MulBackward1", "PowBackward0", "AccumulateGrad"]
    assert st.explain(st.n_steps).endswith("x.grad = [2.].")


# --- forward and second-order steppers ----------------------------------------------------


def test_forward_stepper():
    require_torch()
    import torch

    def program(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        return (x * x * y) ** 2, x, y

    Q, x, y = program(mg)
    st = ForwardStepper(Q, params={"Q": Q, "x": x, "y": y})
    assert repr(st) == "ForwardStepper(PowBackward0 … 3 steps, at step 0)"
    assert st.diagram(0).text.count("[op]") == 0
    st.slider.value = 2
    assert st.diagram().text.count("[op]") == 2
    assert "Operation 2 of 3" in st.explanation.value
    # the next_functions named in each step are torch's
    tQ, *_ = program(torch)
    t_ops = [tQ.grad_fn.next_functions[0][0].next_functions[0][0], tQ.grad_fn.next_functions[0][0],
             tQ.grad_fn]  # fmt: skip
    for k, node in enumerate(t_ops, start=1):
        expected = (
            "("
            + ", ".join(
                f"({'None' if c is None else type(c).__name__}, {nr})"
                for c, nr in node.next_functions
            )
            + ("," if len(node.next_functions) == 1 else "")
            + ")"
        )
        assert f"grad_fn=`{type(node).__name__}` with next_functions {expected}" in st.explain(k)


def test_second_order_stepper():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    Q = (x * x * y) ** 2
    st = SecondOrderStepper(Q, (x, y), params={"Q": Q, "x": x, "y": y})
    edges = sum(1 for s in st.diagram(st.n_steps).text.splitlines() if " [q] " in s)
    assert st.n_steps == edges == 5
    assert repr(st) == "SecondOrderStepper(PowBackward0 … 5 steps, at step 0)"
    (gx, gy) = mg.autograd.grad((x * x * y) ** 2, (x, y))
    texts = [st.explain(k) for k in range(st.n_steps + 1)]
    assert any(f"dQ/dx: path 1 + path 2 = {format_grad(gx)}" in t for t in texts)
    assert any(f"dQ/dy: path 1 = {format_grad(gy)}" in t for t in texts)
    st.step = 3
    assert "q3" in st.explanation.value and "q3" in st.diagram_html.value


# --- a real kernel ------------------------------------------------------------------------


def test_in_a_jupyter_kernel():
    """The notebook output of a stepper cell is its repr; moving the slider in a later
    cell updates the HTML value and the explanation (no browser involved)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import minigrad as mg\n"
        "from minigrad.viz.stepper import step_backward\n"
        "a = mg.tensor(2.0, requires_grad=True)\n"
        "b = mg.tensor(3.0)\n"
        "st = step_backward(a * b, params={'a': a})\n"
        "st",
        "before = st.diagram_html.value\n"
        "st.slider.value = 1\n"
        "print(st.diagram_html.value != before, st.step, st.play.value)\n"
        "print(st.explanation.value)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    shown = nb.cells[0].outputs[0]["data"]
    assert shown["text/plain"] == "BackwardStepper(MulBackward0 … 2 steps, at step 0)"
    assert "application/vnd.jupyter.widget-view+json" in shown
    lines = nb.cells[1].outputs[0]["text"].splitlines()
    assert lines[0] == "True 1 1"
    assert "<code>MulBackward0</code> received 1.; it sends 3. to" in lines[1]
