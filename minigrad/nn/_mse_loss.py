"""The ``mse_loss`` operation and its backward ops, with torch's node names.

Forward: loss = reduce((input - target)²), reduce = mean | sum | none.
Backward (``MseLossBackward0``) calls ``mse_loss_backward``:
    d/d input = norm·(input - target)·grad, norm = 2/numel (mean) or 2,
and the target gets the same with input and target swapped. ``mse_loss_backward`` is an
op itself (``MseLossBackwardBackward0``) so that double backward works.
"""

from __future__ import annotations

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..ops._promotion import result_dtype
from ..ops.arithmetic import div, mul, mul_scalar, neg
from ..ops.record import record
from ..ops.reduction import sum as reduce_sum
from ..tensor import Tensor

__all__ = ["mse_loss_op", "mse_loss_backward", "REDUCTIONS"]

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _norm(reduction: int, numel: int) -> float:
    return 2.0 / numel if reduction == 1 else 2.0


class MseLossBackward0(Node):
    """d mse_loss(self, target) = mse_loss_backward(grad, self, target), and swapped for target."""

    __slots__ = ("s_self", "s_target", "s_reduction")
    _saved = ("s_self", "s_target")
    _saved_self = SavedAttr("s_self")
    _saved_target = SavedAttr("s_target")
    _saved_reduction = SavedAttr("s_reduction")

    def apply(self, grads):
        (g,) = grads
        x, t = self._saved_self, self._saved_target
        gx = mse_loss_backward(g, x, t, self.s_reduction) if self._needs(0) else None
        gt = mse_loss_backward(g, t, x, self.s_reduction) if self._needs(1) else None
        return gx, gt


def mse_loss_op(input: Tensor, target: Tensor, reduction: int) -> Tensor:
    """Math: Σ or mean of (input - target)² (or the elementwise squares), same shapes."""
    dt = result_dtype(input, target).np  # torch promotes the two, e.g. float32 with int64
    diff = input._data.astype(dt, copy=False) - target._data.astype(dt, copy=False)
    sq = diff * diff
    if reduction == 1:
        data = np.asarray(sq.mean(dtype=sq.dtype))
    elif reduction == 2:
        data = np.asarray(sq.sum(dtype=sq.dtype))
    else:
        data = sq
    out = record(data, MseLossBackward0, (input, target))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(input)
        node.s_target = save(target)
        node.s_reduction = reduction
    return out


class MseLossBackwardBackward0(Node):
    """Derivatives of norm·(self - target)·grad_output w.r.t. grad_output, self, target."""

    __slots__ = ("s_grad_output", "s_self", "s_target", "s_reduction")
    _saved = ("s_grad_output", "s_self", "s_target")
    _saved_grad_output = SavedAttr("s_grad_output")
    _saved_self = SavedAttr("s_self")
    _saved_target = SavedAttr("s_target")
    _saved_reduction = SavedAttr("s_reduction")

    def apply(self, grads):
        (gg,) = grads
        go, x, t, red = (
            self._saved_grad_output,
            self._saved_self,
            self._saved_target,
            self.s_reduction,
        )
        g_go = g_x = g_t = None
        if self._needs(0):
            if red == 0:
                g_go = mse_loss_backward(gg, x, t, red)
            else:
                ones = Tensor._make(np.ones_like(go._data))
                g_go = reduce_sum(mul(mse_loss_backward(ones, x, t, red), gg))
        if self._needs(1) or self._needs(2):
            d = _double(mul(gg, go), x, red)
            g_x = d if self._needs(1) else None
            g_t = neg(d) if self._needs(2) else None
        return g_go, g_x, g_t


def _double(grad: Tensor, input: Tensor, reduction: int) -> Tensor:
    # torch's mse_loss_double_backward: 2·grad, divided by numel for the mean.
    out = mul_scalar(grad, 2)
    if reduction == 1:
        out = div(out, input._data.size)
    return out


def mse_loss_backward(grad_output: Tensor, input: Tensor, target: Tensor, reduction: int):
    """Math: norm·(input - target)·grad_output, norm = 2/numel for mean, else 2."""
    dt = input._data.dtype
    norm = np.asarray(_norm(reduction, input._data.size), dtype=dt)
    data = norm * (input._data - target._data) * grad_output._data
    out = record(np.asarray(data, dtype=dt), MseLossBackwardBackward0, (grad_output, input, target))
    node = out._grad_fn
    if node is not None:
        node.s_grad_output = save(grad_output)
        node.s_self = save(input)
        node.s_target = save(target)
        node.s_reduction = reduction
    return out
