"""What the lessons import: exercise checks and the torch cross-check.

- :mod:`minigrad.course.checks` — ``check_*`` functions that verify a learner's answer
  against a reference, finite differences and random inputs;
- :mod:`minigrad.course.crosscheck` — the end-of-lesson cell that runs the key example in
  torch (when installed) and asserts agreement.

Importing any of them changes nothing outside minigrad (no IPython settings). The tools that
execute lessons, open JupyterLab or build the static site live in the repository's ``tools/``
folder, not in the installed package.

Example:
    >>> from minigrad.course.checks import check_square
"""

from __future__ import annotations

__all__ = ["torch_like_tracebacks"]


def torch_like_tracebacks() -> None:
    """Show errors as a torch user sees them: the exception and its message, without
    minigrad's internal frames (IPython's ``Minimal`` mode, set silently, unlike ``%xmode``).

    A lesson asks for it explicitly in its first cell; outside IPython it does nothing.
    ``%xmode Context`` shows the frames again.

    Example:
        >>> from minigrad.course import torch_like_tracebacks
        >>> torch_like_tracebacks()  # in a notebook: later errors print one line
    """
    try:
        from IPython import get_ipython  # only when asked: the course may run without IPython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "InteractiveTB"):
        shell.InteractiveTB.set_mode(mode="Minimal")
