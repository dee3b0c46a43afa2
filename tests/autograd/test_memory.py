"""Saved tensors are released by ``backward()`` without ``retain_graph``, as in torch.

A graph keeps what its nodes saved for backward (here a large ``exp`` result and a large
input of ``mul``) alive until it is used: weak references to those arrays must die once
``backward()`` has run, and stay alive with ``retain_graph=True``. Accessing a freed saved
tensor then raises torch's error.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import minigrad as mg
from tests.oracle import capture_error, require_torch

N = 1_000_000  # 8 MB per float64 array: a leak would be a real one


def build(retain: bool):
    """A graph whose only references to two large intermediates are its saved tensors."""
    x = mg.tensor(np.linspace(-1.0, 1.0, N), requires_grad=True)
    h = x * 2.0  # saved by MulBackward0 below (as "self")
    e = h.exp()  # its result is saved by ExpBackward0
    w = mg.tensor(np.full(N, 0.5), requires_grad=True)
    loss = (e * w).sum() + (h * w).sum()
    refs = (weakref.ref(h._data), weakref.ref(e._data))
    node = loss.grad_fn
    del h, e
    gc.collect()
    assert all(r() is not None for r in refs), "the graph must keep its saved tensors"
    loss.backward(retain_graph=retain)
    gc.collect()
    return x, w, refs, node


def test_backward_releases_saved_tensors() -> None:
    x, w, refs, node = build(retain=False)
    assert x.grad is not None and w.grad is not None
    assert all(r() is None for r in refs), "saved tensors still alive after backward()"


def test_retain_graph_keeps_saved_tensors() -> None:
    x, w, refs, node = build(retain=True)
    assert all(r() is not None for r in refs)


@pytest.mark.parametrize("retain", [False, True])
def test_freed_saved_tensor_error_matches_torch(retain: bool) -> None:
    torch = require_torch()

    def program(lib):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = x.exp()
        y.sum().backward(retain_graph=retain)
        return capture_error(lambda: y.grad_fn._saved_result), capture_error(y.sum().backward)

    assert program(mg) == program(torch)
