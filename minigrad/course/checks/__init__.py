"""The exercise checks, one module per lesson: ``minigrad.course.checks.lessonNN``.

A lesson imports the checks of its own module (``from minigrad.course.checks.lesson02 import
check_chain_rule``). Every check prints one ``✓ <exercise>: <what was verified>.`` line or
raises :class:`CheckFailed` with a message that says what to fix; what all checks share
(tolerances, the learner-code runner, finite differences) is in
:mod:`minigrad.course.checks._common`.

Example:
    >>> from minigrad.course.checks.lesson01 import check_slope
    >>> check_slope(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    ✓ slope: the central difference with the h given, at 4 points, without autograd.
"""

from __future__ import annotations

from ._common import CheckFailed

__all__ = ["CheckFailed"]
