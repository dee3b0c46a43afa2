"""Operations that only backward formulas call (``tanh_backward`` and friends).

torch computes some first-order gradients with dedicated kernels; when such a gradient is
itself differentiated (``create_graph=True``), their nodes appear in the graph, e.g.
``TanhBackwardBackward0``. They are ops like any other here, with their own derivatives.
(``select_backward`` and ``slice_backward`` live with ``select`` and ``slice`` in ``shape``.)
"""

from __future__ import annotations

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..tensor import Tensor
from .arithmetic import add_scalar, mul, mul_scalar
from .record import record

__all__ = ["tanh_backward", "sigmoid_backward", "threshold_backward"]


class TanhBackwardBackward0(Node):
    """d[g·(1 - y²)] = (1 - y²) for g, -2·y·g for y."""

    __slots__ = ("s_grad_output", "s_output")
    _saved = ("s_grad_output", "s_output")
    _saved_grad_output = SavedAttr("s_grad_output")
    _saved_output = SavedAttr("s_output")

    def apply(self, grads):
        (gg,) = grads
        y = self._saved_output
        a = tanh_backward(gg, y) if self._needs(0) else None
        b = None
        if self._needs(1):
            b = mul(gg, mul(mul_scalar(y, -2), self._saved_grad_output))
        return a, b


def tanh_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """Math: grad_output·(1 - output²)."""
    y = output._data
    out = record(grad_output._data * (1 - y * y), TanhBackwardBackward0, (grad_output, output))
    node = out._grad_fn
    if node is not None:
        node.s_grad_output = save(grad_output) if output._requires_grad else None
        node.s_output = save(output)
    return out


class SigmoidBackwardBackward0(Node):
    """d[g·y·(1 - y)] = y·(1 - y) for g, g·(1 - 2y) for y."""

    __slots__ = ("s_grad_output", "s_output")
    _saved = ("s_grad_output", "s_output")
    _saved_grad_output = SavedAttr("s_grad_output")
    _saved_output = SavedAttr("s_output")

    def apply(self, grads):
        (gg,) = grads
        y = self._saved_output
        a = sigmoid_backward(gg, y) if self._needs(0) else None
        b = None
        if self._needs(1):
            b = mul(mul(gg, self._saved_grad_output), add_scalar(mul_scalar(y, -2), 1))
        return a, b


def sigmoid_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """Math: grad_output·output·(1 - output)."""
    y = output._data
    out = record(grad_output._data * (y * (1 - y)), SigmoidBackwardBackward0, (grad_output, output))
    node = out._grad_fn
    if node is not None:
        node.s_grad_output = save(grad_output) if output._requires_grad else None
        node.s_output = save(output)
    return out


class ThresholdBackwardBackward0(Node):
    """d threshold_backward(g, self, t) = threshold_backward(gg, self, t) for g; 0 for self."""

    __slots__ = ("s_self", "s_threshold")
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")
    _saved_threshold = SavedAttr("s_threshold")

    def apply(self, grads):
        (gg,) = grads
        a = threshold_backward(gg, self._saved_self, self.s_threshold) if self._needs(0) else None
        b = Tensor._make(np.zeros_like(gg._data)) if self._needs(1) else None
        return a, b


def threshold_backward(grad_output: Tensor, self: Tensor, threshold) -> Tensor:
    """Math: grad_output where self > threshold, else 0."""
    g = grad_output._data
    data = np.where(self._data <= threshold, np.zeros((), g.dtype), g)
    out = record(data, ThresholdBackwardBackward0, (grad_output, self))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(self)
        node.s_threshold = threshold
    return out
