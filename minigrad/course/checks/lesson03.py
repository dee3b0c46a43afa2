"""Checks for lesson 03 · requires_grad (syllabus 3.1–3.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

from ._common import (
    fail,
    passed,
)
from .lesson02 import check_next_functions

__all__ = ["check_requires_grad", "check_next_functions"]


def check_requires_grad(predictions: dict, tensors: dict) -> None:
    """Lesson 03: ``predictions[name]`` is your guess of ``tensors[name].requires_grad``."""
    if not isinstance(predictions, dict):
        fail("write the predictions as a dict {name: True or False}.")
    missing = [k for k in tensors if k not in predictions]
    if missing:
        fail(f"no prediction for {', '.join(missing)}: give True or False for every name.")
    for name, t in tensors.items():
        guess = predictions[name]
        if not isinstance(guess, bool):
            fail(f"{name}: the prediction should be True or False, got {guess!r}.")
        if guess != t.requires_grad:
            if t.requires_grad:
                why = (
                    "it is a leaf created with requires_grad=True"
                    if t.is_leaf
                    else "at least one of the inputs it was computed from requires grad"
                )
            else:
                why = (
                    "it was created without requires_grad=True, or computed only from "
                    "tensors that do not require grad"
                )
            fail(
                f"{name}: you predicted {guess}, but {name}.requires_grad is {t.requires_grad}: {why}."
            )
    passed("predictions", "every requires_grad prediction is right")
