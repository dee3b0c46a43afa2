"""The course's tools, run from the repository root; not part of the installed package.

- ``python -m tools execute|learner|check`` (:mod:`tools.notebooks`, :mod:`tools.conventions`):
  re-execute lessons, write learner copies, check the lesson conventions;
- ``python -m tools.lab`` (:mod:`tools.lab`): open the course in JupyterLab (``make course``);
- ``python -m tools.site`` (:mod:`tools.site`): an offline static HTML copy (``make html``).

They work on the ``course/`` folder beside them. Notebooks never import them: what a lesson
imports lives in the ``minigrad`` package (``minigrad.course.checks``, ``crosscheck``).
"""
