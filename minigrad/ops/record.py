"""``record``: where the forward pass builds the backward graph.

Every operation computes its value with numpy, then hands it to ``record``. When grad
mode is on and some input requires grad, the result gets a new backward node as its
``grad_fn``, with one edge per input: ``(input.grad_fn, input.output_nr)``, or the leaf's
``AccumulateGrad``, or ``(None, 0)`` for an input that needs no gradient. That is all a
graph is: nodes pointing at the nodes of their inputs.

Math: for y = f(a, b), ``y.grad_fn.next_functions == (edge(a), edge(b))``.

Example:
    >>> import minigrad as mg
    >>> a = mg.tensor(2.0, requires_grad=True)
    >>> y = a * 3                                  # mul calls record(..., MulBackward0, (a, 3))
    >>> y.grad_fn.next_functions
    ((<AccumulateGrad object at 0x...>, 0), (None, 0))
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import _state
from ..autograd.inference_mode import _state as _inference
from ..tensor import Tensor

__all__ = ["edge", "record", "plain"]


def edge(t: Tensor | None) -> tuple:
    """The ``(node, input_nr)`` edge a tensor's gradient flows into, or ``(None, 0)``."""
    if t is None or not isinstance(t, Tensor):
        return (None, 0)
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if t._requires_grad:
        if t._base is not None:
            # A view whose memory an in-place op changed (its grad_fn is regenerated), or
            # one made under no_grad, which has no grad accumulator of its own.
            fn = t.grad_fn
            if fn is not None:
                return (fn, t._output_nr)
            if t._base._requires_grad:
                return (None, 0)
        return (t._grad_accumulator(), 0)
    return (None, 0)


def record(data, node_cls, inputs: tuple) -> Tensor:
    """Wrap ``data`` in a tensor; when grad is recorded, give it a ``node_cls`` grad_fn.

    ``inputs`` are the operation's differentiable inputs (tensors, scalars or None), in
    torch's argument order; each gives one entry of ``next_functions``. The caller saves
    what backward needs on ``out.grad_fn`` when it is not None.
    """
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if (
        not _state.enabled or _inference.enabled
    ):  # (enable_grad inside inference_mode records nothing)
        return Tensor._make(data)
    edges = []
    recorded = False
    for t in inputs:  # edge(t), inlined; one pass also tells whether anything requires grad
        if isinstance(t, Tensor) and t._requires_grad:
            recorded = True
            fn = t._grad_fn
            edges.append((fn, t._output_nr) if fn is not None else edge(t))
        else:
            edges.append((None, 0))
    if not recorded:
        return Tensor._make(data)
    # The node's output metadata, (shape, dtype): the engine checks arriving gradients
    # against it.
    node = node_cls(tuple(edges), ((data.shape, data.dtype),))
    return Tensor._make(data, True, node, 0)


def plain(data) -> Tensor:
    """A result that never has a grad_fn (comparisons, integer outputs)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    return Tensor._make(data)
