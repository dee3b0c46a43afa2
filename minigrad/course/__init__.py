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
