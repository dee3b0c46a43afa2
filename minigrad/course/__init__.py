"""The course's helpers: exercise checks, the torch cross-check and the lesson tools.

- :mod:`minigrad.course.checks` — ``check_*`` functions that verify a learner's answer
  against a reference, finite differences and random inputs;
- :mod:`minigrad.course.crosscheck` — the end-of-lesson cell that runs the key example in
  torch (when installed) and asserts agreement;
- :mod:`minigrad.course.notebooks` — ``python -m minigrad.course execute|learner|check``.

Example:
    >>> from minigrad.course.checks import check_square
"""

from __future__ import annotations


def _torch_like_tracebacks() -> None:
    """In a notebook, show an error as a torch user sees it: the exception and its message,
    not minigrad's internal frames (IPython's ``Minimal`` mode). The lesson outputs then do
    not change with every edit of the engine. ``%xmode Context`` shows the frames again."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the course always runs in IPython
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "InteractiveTB"):
        shell.InteractiveTB.set_mode(mode="Minimal")  # silent, unlike the %xmode magic


_torch_like_tracebacks()
