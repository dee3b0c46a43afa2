"""Sliders that step through a graph: ``BackwardStepper``, ``ForwardStepper``,
``SecondOrderStepper`` and ``step_backward``.

Each stepper is an ``ipywidgets.VBox``: a ``Play`` control linked to an ``IntSlider``,
previous / next buttons, the frame's diagram as inline SVG in an ``ipywidgets.HTML`` (no
``Output`` widget, so a saved notebook replays), and a paragraph explaining the step.
Frames are built when first shown and cached, SVG included: moving back and forth costs a
dictionary lookup. Without a frontend, ``print(stepper)`` and ``stepper.text(k)`` give the
same content as text.

Displayed, a stepper also offers ``text/html``: a :func:`~minigrad.viz.flipbook.flipbook` of
every frame, exactly as the widget shows them, that steps with no kernel. JupyterLab shows
the live widget when a kernel made it, and the flipbook wherever the widget cannot run (a
lesson opened before running, the static site, nbviewer, VS Code).

Math: backward computes leaf.grad = Σ over paths of the product of local derivatives; the
slider shows that sum being built one node at a time.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import step_backward
    >>> a = mg.tensor(2.0, requires_grad=True)
    >>> b = mg.tensor(3.0, requires_grad=True)
    >>> step_backward(a * b, params={"a": a, "b": b})
    BackwardStepper(MulBackward0 … 3 steps, at step 0)
"""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as widgets

from ._walk import check_tensors, op_name, seq_of, walk
from .diagram import Diagram
from .flipbook import flipbook
from .forward import forward_graph
from .frames import Frames, _sentence, inline_svg
from .render import GraphvizNotFound
from .second_order import second_order_graph
from .trace import Run, Trace, node_title, trace_backward

__all__ = ["BackwardStepper", "ForwardStepper", "SecondOrderStepper", "step_backward"]

_CODE = re.compile(r"`([^`]*)`")


def _paragraph(text: str) -> str:
    """Plain explanation text as HTML, with `names` in code font."""
    return "<p>" + _CODE.sub(r"<code>\1</code>", html.escape(text)) + "</p>"


class _Stepper(widgets.VBox):
    """A slider over frames 0..n: subclasses give ``_build(k) -> Diagram`` and ``explain``."""

    _kind = "Stepper"

    def _setup(self, n_frames: int, start: int, interval: int) -> None:
        if not isinstance(start, int) or not 0 <= start < n_frames:
            raise ValueError(f"start must be an int from 0 to {n_frames - 1}, got {start!r}")
        self._diagrams: dict[int, Diagram] = {}
        self._svgs: dict[int, str] = {}
        self.slider = widgets.IntSlider(
            value=start, min=0, max=n_frames - 1, step=1, description="step",
            continuous_update=True, layout=widgets.Layout(width="320px"),
        )  # fmt: skip
        self.play = widgets.Play(
            value=start, min=0, max=n_frames - 1, step=1, interval=interval, description="play"
        )
        # A kernel-side link: setting either value from Python moves the other, too.
        self._link = widgets.link((self.play, "value"), (self.slider, "value"))
        self.prev_button = widgets.Button(
            description="◀", tooltip="previous step", layout=widgets.Layout(width="40px")
        )
        self.next_button = widgets.Button(
            description="▶", tooltip="next step", layout=widgets.Layout(width="40px")
        )
        self.prev_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(1))
        self.diagram_html = widgets.HTML()
        self.explanation = widgets.HTML()
        self.slider.observe(self._on_value, names="value")
        self.children = (
            widgets.HBox([self.play, self.prev_button, self.slider, self.next_button]),
            self.diagram_html,
            self.explanation,
        )
        self._show(start)

    # -- navigation --------------------------------------------------------------------
    @property
    def step(self) -> int:
        """The step shown (setting it moves the slider)."""
        return self.slider.value

    @step.setter
    def step(self, k: int) -> None:
        self.slider.value = k

    @property
    def n_steps(self) -> int:
        """The last step number (frames are 0..n_steps)."""
        return self.slider.max

    def _move(self, delta: int) -> None:
        self.slider.value = min(max(self.slider.value + delta, 0), self.slider.max)

    def _on_value(self, change: dict) -> None:
        self._show(change["new"])

    def _show(self, k: int) -> None:
        self.diagram_html.value = self.svg_html(k)
        self.explanation.value = _paragraph(self.explain(k))  # frame_html(k) = the two

    # -- frames ------------------------------------------------------------------------
    def _check(self, k: int | None) -> int:
        if k is None:
            return self.slider.value
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"step must be an int, got {type(k).__name__}")
        if not 0 <= k <= self.slider.max:
            raise IndexError(
                f"step {k} is out of range: this stepper has steps 0 to {self.slider.max}"
            )
        return k

    def diagram(self, k: int | None = None) -> Diagram:
        """The diagram of frame ``k`` (default: the one shown), built once."""
        k = self._check(k)
        d = self._diagrams.get(k)
        if d is None:
            d = self._diagrams[k] = self._build(k)
        return d

    def svg(self, k: int | None = None) -> str:
        """Frame ``k`` as inline SVG, rendered once (a Graphviz subprocess) and cached."""
        k = self._check(k)
        s = self._svgs.get(k)
        if s is None:
            s = self._svgs[k] = inline_svg(self.diagram(k).svg())
        return s

    def svg_html(self, k: int) -> str:
        try:
            body = self.svg(k)
        except GraphvizNotFound as exc:  # still useful: the text rendering
            body = f"<p>{html.escape(str(exc))}</p><pre>{html.escape(self.diagram(k).text)}</pre>"
        return f'<div style="overflow:auto">{body}</div>'

    def prerender(self) -> None:
        """Render every frame now (slower start, then every slider move is a lookup)."""
        for k in range(self.slider.max + 1):
            self.svg(k)

    def frame_html(self, k: int | None = None) -> str:
        """Frame ``k`` as the widget shows it: the diagram, then the explanation."""
        k = self._check(k)
        return self.svg_html(k) + _paragraph(self.explain(k))

    def flipbook(self) -> str:
        """Every frame as a self-contained HTML flipbook, starting at the step shown; where
        scripts do not run, it lists each step's explanation."""
        frames = range(self.slider.max + 1)
        return flipbook(
            [self.frame_html(k) for k in frames],
            start=self.step,
            interval=self.play.interval,
            captions=[_paragraph(self.explain(k)) for k in frames],
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The widget's view (used where a kernel runs it), its repr, and the flipbook."""
        data = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = self.flipbook()
        return data

    def text(self, k: int | None = None) -> str:
        """Frame ``k`` as text: the explanation, then the diagram's text rendering."""
        k = self._check(k)
        return self.explain(k) + "\n\n" + self.diagram(k).text

    def explain(self, k: int | None = None) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _build(self, k: int) -> Diagram:  # pragma: no cover - abstract
        raise NotImplementedError

    def _title(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        if "slider" not in self.__dict__:  # still being constructed
            return f"{self._kind}(…)"
        n = self.slider.max
        return (
            f"{self._kind}({self._title()} … {n} step{'' if n == 1 else 's'}, at step {self.step})"
        )

    def __str__(self) -> str:
        return self.text()


class BackwardStepper(_Stepper):
    """Step through a recorded backward pass node by node.

    Args:
        trace_or_steps: a :class:`Trace` (its run ``run``, default the last), a :class:`Run`
            or a :class:`Frames`.
        run: which run of a trace to show.
        outputs: the tensors backward started from (named and drawn as the outputs);
            by default a stand-in tensor per root.
        params: ``{name: tensor}`` naming leaves (default: the trace's).
        start: the step shown first.
        interval: milliseconds between frames when playing.

    Example:
        >>> with trace_backward(params={"x": x}) as trace:   # doctest: +SKIP
        ...     loss.backward()
        >>> BackwardStepper(trace)                            # doctest: +SKIP
        BackwardStepper(MulBackward0 … 4 steps, at step 0)
    """

    _kind = "BackwardStepper"

    def __init__(
        self,
        trace_or_steps: Trace | Run | Frames,
        *,
        run: int = -1,
        outputs: Any = None,
        params: dict | None = None,
        start: int = 0,
        interval: int = 1000,
    ) -> None:
        super().__init__()
        if isinstance(trace_or_steps, Frames):
            self.frames = trace_or_steps
        else:
            if isinstance(trace_or_steps, Trace):
                if not trace_or_steps.runs:
                    trace_or_steps.run  # noqa: B018 - raises the "recorded nothing" error
                r = trace_or_steps.runs[run]
            elif isinstance(trace_or_steps, Run):
                r = trace_or_steps
            else:
                raise TypeError(
                    "BackwardStepper expects the Trace of 'with trace_backward() as trace:', "
                    f"one of its runs or a Frames, got {type(trace_or_steps).__name__}; "
                    "or use step_backward(loss)"
                )
            if outputs is not None:
                outputs = check_tensors(
                    outputs if isinstance(outputs, (tuple, list)) else (outputs,),
                    "BackwardStepper",
                )
            self.frames = Frames(r, outputs, params)
        self.run = self.frames.run
        self._setup(len(self.frames), start, interval)

    def _build(self, k: int) -> Diagram:
        return self.frames.diagram(k)

    def explain(self, k: int | None = None) -> str:
        """The paragraph explaining step ``k`` (default: the one shown)."""
        return self.frames.explain(self._check(k))

    def _title(self) -> str:
        roots = self.run.roots
        return node_title(roots[0][0]) if roots else "empty"


def step_backward(
    output: Any,
    gradient: Any = None,
    *,
    inputs: Any = None,
    retain_graph: bool | None = None,
    params: dict | None = None,
) -> BackwardStepper:
    """Run ``output.backward(gradient, retain_graph, inputs=inputs)`` under
    :func:`trace_backward` and return a :class:`BackwardStepper` over it.

    Math: each leaf ends with leaf.grad += vᵀ·∂output/∂leaf (v = ``gradient``, 1 for a
    scalar) — exactly what ``backward`` does; the stepper shows how it got there.

    Example:
        >>> stepper = step_backward(loss, params={"w": w})   # doctest: +SKIP
    """
    (output,) = check_tensors((output,), "step_backward")
    with trace_backward(params=params) as trace:
        output.backward(gradient, retain_graph=retain_graph, inputs=inputs)
    return BackwardStepper(trace, outputs=(output,), params=params)


def _next_functions_text(node: Any) -> str:
    parts = [
        f"({'None' if child is None else node_title(child)}, {nr})"
        for child, nr in node.next_functions
    ]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


class ForwardStepper(_Stepper):
    """Build the forward graph one operation at a time (creation order).

    Frame k draws the first k operations (``forward_graph(..., upto=k)``).

    Example:
        >>> ForwardStepper(w, params={"x": x, "y": y})   # doctest: +SKIP
        ForwardStepper(MulBackward0 … 4 steps, at step 0)
    """

    _kind = "ForwardStepper"

    def __init__(
        self, *outputs: Any, params: dict | None = None, start: int = 0, interval: int = 1000
    ) -> None:
        super().__init__()
        self.outputs = check_tensors(outputs, "ForwardStepper")
        self.params = params
        order = walk([t.grad_fn for t in self.outputs]).order
        self.ops = tuple(sorted((n for n in order if node_title(n) != "AccumulateGrad"),
                                key=seq_of))  # fmt: skip
        self._setup(len(self.ops) + 1, start, interval)

    def _build(self, k: int) -> Diagram:
        return forward_graph(*self.outputs, params=self.params, upto=k)

    def explain(self, k: int | None = None) -> str:
        """What operation ``k`` recorded (0: the leaves before any operation)."""
        k = self._check(k)
        n = len(self.ops)
        if k == 0:
            return (
                f"Before any of the {n} operations: only the leaves exist (grad_fn None, "
                "is_leaf True). Each operation on a tensor that requires grad makes a new "
                "tensor and records a grad_fn node for backward."
            )
        node = self.ops[k - 1]
        text = (
            f"Operation {k} of {n}: `{op_name(node)}` runs; its result records "
            f"grad_fn=`{node_title(node)}` with next_functions {_next_functions_text(node)}"
        )
        if any(child is None for child, _ in node.next_functions):
            text += " (None: an input that needs no gradient)"
        return text + "."

    def _title(self) -> str:
        roots = [t.grad_fn for t in self.outputs if t.grad_fn is not None]
        return node_title(roots[0]) if roots else "leaf"


_Q_LINE = re.compile(r"^n\d+ \[q\] (q(\d+): .*)$")
_DONE_LINE = re.compile(r"^n\d+ \[(product|grad)\] (.*)$")


class SecondOrderStepper(_Stepper):
    """Step through the edge-as-node picture: one local derivative q per step, then the
    products along paths and the sums over paths they complete.

    Frame k is ``second_order_graph(output, inputs, upto=k)``.

    Example:
        >>> SecondOrderStepper(Q, (x, y), params={"Q": Q, "x": x, "y": y})  # doctest: +SKIP
        SecondOrderStepper(PowBackward0 … 5 steps, at step 0)
    """

    _kind = "SecondOrderStepper"

    def __init__(
        self,
        output: Any,
        inputs: Any,
        *,
        params: dict | None = None,
        start: int = 0,
        interval: int = 1000,
    ) -> None:
        super().__init__()
        (self.output,) = check_tensors((output,), "SecondOrderStepper")
        self.inputs = inputs
        self.params = params
        if self.output.grad_fn is None:
            # second_order_graph says what to do; raise it before building widgets.
            second_order_graph(self.output, inputs, upto=0, params=params)
        order = walk([self.output.grad_fn]).order
        n_q = sum(1 for s in order for child, _ in s.next_functions if child is not None)
        self._setup(n_q + 1, start, interval)

    def _build(self, k: int) -> Diagram:
        return second_order_graph(self.output, self.inputs, upto=k, params=self.params)

    def explain(self, k: int | None = None) -> str:
        """Which edge became a node at step ``k``, and which products / sums it completed."""
        k = self._check(k)
        n = self.slider.max
        if k == 0:
            return (
                f"The first-order backward graph has {n} edges. Each edge s → e carries a "
                "local derivative q = ∂s/∂e; step by step, each edge becomes a node q, and "
                "the chain rule multiplies the q along every path and sums over the paths."
            )
        lines = self.diagram(k).text.splitlines()
        q_line = next(
            (m.group(1) for m in map(_Q_LINE.match, lines) if m and m.group(2) == str(k)), ""
        )
        # "q3: t0 → y | ∂(a·b)/∂b = a = 4." as drawn in the q node
        head, _, formula = q_line.partition(" | ")
        edge = head.partition(": ")[2]
        text = _sentence(f"Step {k} of {n}: the edge {edge} becomes node q{k} = {formula}")
        old = self.diagram(k - 1).text.splitlines()
        before = {m.group(2) for m in map(_DONE_LINE.match, old) if m}
        for m in map(_DONE_LINE.match, lines):
            if m and m.group(2) not in before:
                title, _, rest = m.group(2).partition(" | ")
                first, *others = rest.split(" | ")
                body = first + "".join(f" ({o})" for o in others)
                text += " " + _sentence(f"Completed {title}: {body}")
        return text

    def _title(self) -> str:
        return node_title(self.output.grad_fn)
