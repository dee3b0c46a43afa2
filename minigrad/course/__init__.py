"""What the lessons import: exercise checks, the recap quiz and the torch cross-check.

- :mod:`minigrad.course.checks` — one module per lesson (``checks.lessonNN``) of ``check_*``
  functions that verify a learner's answer: the skill the exercise names, not only the number;
- :mod:`minigrad.course.quiz` — the recap quiz that opens each lesson;
- :mod:`minigrad.course.crosscheck` — the end-of-lesson cell that runs the key example in
  torch (when installed) and asserts agreement.

Importing any of them changes nothing outside minigrad (no IPython settings: a lesson's first
cell asks for short tracebacks itself with ``%xmode Minimal``). The tools that execute lessons,
open JupyterLab or build the static site live in the repository's ``tools/`` folder, not in
the installed package.

Example:
    >>> from minigrad.course.checks.lesson01 import check_slope
"""
