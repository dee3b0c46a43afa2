"""``Diagram``: what every ``minigrad.viz`` function returns.

It wraps a ``graphviz.Digraph`` (``.digraph``) and a plain-text rendering (``.text``).
Notebooks display it through ``_repr_mimebundle_`` (SVG plus the text as ``text/plain``);
nothing is drawn until asked.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import backward_graph
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> d = backward_graph(x * x)
    >>> d.source.startswith("digraph {")
    True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import graphviz

from . import render as _render

__all__ = ["Diagram"]


class Diagram:
    """A diagram: DOT source, text rendering, and SVG/PNG rendering on demand."""

    def __init__(
        self, digraph: graphviz.Digraph, text: str | Callable[[], str], kind: str = "diagram"
    ) -> None:
        self.digraph = digraph
        self._text = text  # a string, or a function making it on first use
        self.kind = kind
        self._svg: str | None = None

    @property
    def text(self) -> str:
        """The plain-text rendering (also the notebook's ``text/plain``)."""
        if callable(self._text):
            self._text = self._text()
        return self._text

    @property
    def source(self) -> str:
        """The DOT text (byte-identical for the same program, run to run)."""
        return self.digraph.source

    def pipe(self, format: str = "svg") -> bytes:  # noqa: A002 - graphviz's name
        """The diagram rendered by the Graphviz engine (see ``minigrad.viz.render``)."""
        return _render.pipe(self.source, format)

    def svg(self) -> str:
        """The SVG text (rendered once, then cached)."""
        if self._svg is None:
            self._svg = self.pipe("svg").decode("utf-8")
        return self._svg

    def render(self, path: str | Path, format: str = "svg") -> Path:  # noqa: A002
        """Write the rendered diagram to ``path`` (``.svg``/``.png`` added if missing)."""
        path = Path(path)
        if path.suffix != f".{format}":
            path = path.with_name(path.name + f".{format}")
        path.write_bytes(self.pipe(format))
        return path

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"image/svg+xml": None, "text/plain": self.text}
        if include is not None:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude is not None:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        if "image/svg+xml" in bundle:
            bundle["image/svg+xml"] = self.svg()
        return bundle

    def __repr__(self) -> str:
        first = self.text.splitlines()[0] if self.text else ""
        return f"<Diagram {first}>"
