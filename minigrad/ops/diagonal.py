"""``diagonal``: a view of the elements x[..., i, i + offset], and its backward.

Math: d diagonal(x)[i] / dx[j, k] = 1 if (j, k) = (i, i + offset), else 0: the gradient
goes back onto the diagonal of zeros (``diagonal_backward``), whose own derivative is to
take the diagonal again.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.diagonal()
    tensor([1., 4.], grad_fn=<DiagonalBackward0>)
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr
from ..tensor import Tensor
from . import shape
from ._sizes import normalize_dim
from .as_strided import window
from .record import record

__all__ = ["diagonal", "diagonal_backward"]


def _diagonal_data(data: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """numpy's view of the diagonal (writable: ``np.diagonal`` gives a read-only one)."""
    sizes, st = data.shape, tuple(s // data.itemsize for s in data.strides)
    length = max(min(sizes[d1] - max(-offset, 0), sizes[d2] - max(offset, 0)), 0)
    start = offset * st[d2] if offset >= 0 else -offset * st[d1]
    rest = [d for d in range(data.ndim) if d not in (d1, d2)]
    shape_ = tuple(sizes[d] for d in rest) + (length,)
    strides_ = tuple(st[d] for d in rest) + (st[d1] + st[d2],)
    return window(data, shape_, strides_, start if length else 0)


class DiagonalBackward0(Node):
    """d diagonal(self, offset, dim1, dim2) = zeros with grad written on that diagonal."""

    __slots__ = ("s_offset", "s_dim1", "s_dim2", "s_sizes")
    _saved_offset = SavedAttr("s_offset")
    _saved_dim1 = SavedAttr("s_dim1")
    _saved_dim2 = SavedAttr("s_dim2")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        s = self
        return (diagonal_backward(grads[0], s.s_sizes, s.s_offset, s.s_dim1, s.s_dim2),)


def diagonal(a: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, shifted by ``offset`` (a view)."""
    n = a._data.ndim
    if n < 2:
        raise RuntimeError(_errors.DIAGONAL_DIMS.format(n))
    d1, d2 = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(_errors.DIAGONAL_SAME_DIMS.format(d1, d2))
    out = record(_diagonal_data(a._data, offset, d1, d2), DiagonalBackward0, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_offset, node.s_dim1, node.s_dim2, node.s_sizes = offset, d1, d2, a._data.shape
    return shape._as_view(out, a)


class DiagonalBackwardBackward0(Node):
    """d diagonal_backward(grad, ...) = the diagonal of the incoming gradient."""

    __slots__ = ("s_offset", "s_dim1", "s_dim2")
    _saved_offset = SavedAttr("s_offset")
    _saved_dim1 = SavedAttr("s_dim1")
    _saved_dim2 = SavedAttr("s_dim2")

    def apply(self, grads):
        return (diagonal(grads[0], self.s_offset, self.s_dim1, self.s_dim2),)


def diagonal_backward(grad: Tensor, sizes: tuple, offset: int, d1: int, d2: int) -> Tensor:
    """Math: zeros of ``sizes`` with ``grad`` written on the diagonal."""
    data = np.zeros(sizes, dtype=grad._data.dtype)
    _diagonal_data(data, offset, d1, d2)[...] = grad._data
    out = record(data, DiagonalBackwardBackward0, (grad,))
    if out._grad_fn is not None:
        out._grad_fn.s_offset, out._grad_fn.s_dim1, out._grad_fn.s_dim2 = offset, d1, d2
    return out
