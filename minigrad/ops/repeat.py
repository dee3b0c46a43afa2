"""``repeat``: tile a tensor, and its backward, which sums the copies back.

Math: repeat(x, (r₀, r₁))[i, j] = x[i mod n₀, j mod n₁]; its gradient w.r.t. x sums the
gradients of all the copies of each element.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> x.repeat(2)
    tensor([1., 2., 1., 2.], grad_fn=<RepeatBackward0>)
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr
from ..tensor import Tensor
from . import reduction, shape
from .record import record

__all__ = ["repeat"]


def repeat_backward(grad: Tensor, repeats: tuple, sizes: tuple) -> Tensor:
    """torch's ``repeat_backward``: leading new dims summed away, then each repeated dim
    split into (repeat, size) by a reshape and the repeat axes summed."""
    if 0 in repeats:
        return Tensor._make(np.zeros(sizes, dtype=grad._data.dtype))
    for _ in range(grad._data.ndim - len(sizes)):
        grad = reduction.sum(grad, 0, False)
    lead = len(repeats) - len(sizes)
    grad_size, sum_dims = [], []
    for d, size in enumerate(sizes):
        r = repeats[d + lead]
        if r != 1:
            grad_size.append(r)
            sum_dims.append(len(grad_size) - 1)
        grad_size.append(size)
    if not sum_dims:  # nothing was repeated: the gradient as it is
        return grad
    grad = shape.reshape(grad, tuple(grad_size))
    return reduction.sum(grad, tuple(sum_dims))


class RepeatBackward0(Node):
    """d repeat(self, repeats) = the copies' gradients summed."""

    __slots__ = ("s_repeats", "s_sizes")
    _saved_repeats = SavedAttr("s_repeats")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (repeat_backward(grads[0], self.s_repeats, self.s_sizes),)


def repeat(a: Tensor, repeats: tuple) -> Tensor:
    """``a`` tiled ``repeats[i]`` times along dim i (extra leading repeats add dims)."""
    repeats = tuple(int(r) for r in repeats)
    if len(repeats) < a._data.ndim:
        raise RuntimeError(_errors.REPEAT_DIMS)
    data = np.tile(a._data, repeats) if repeats else a._data.copy()  # (numpy tiles () to (1,))
    out = record(data, RepeatBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_repeats, out._grad_fn.s_sizes = repeats, a._data.shape
    return out
