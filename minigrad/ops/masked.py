"""Choosing elements by a boolean mask: where, masked_fill, masked_select, masked_scatter.

The gradient goes back only to the elements that were chosen: ``where(c, a, b)`` sends it
to ``a`` where ``c`` holds and to ``b`` elsewhere; ``masked_fill`` zeroes it where the fill
value replaced the input.
"""

from __future__ import annotations

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..tensor import Tensor
from . import reduction
from ._elementwise import binary_operands, laid_out, wrap_scalar, zeros_scalar
from ._layout import standard
from ._promotion import result_dtype
from .record import plain, record

__all__ = ["where", "masked_fill", "masked_select", "masked_scatter", "masked_scatter_backward"]


class WhereBackward0(Node):
    """d where(c, self, other) = where(c, grad, 0), where(c, 0, grad)."""

    __slots__ = ("s_condition",)
    _saved = ("s_condition",)
    _saved_condition = SavedAttr("s_condition")

    def apply(self, grads):
        (g,) = grads
        c = self._saved_condition
        z = zeros_scalar(g)
        gb = where(c, z, g) if self._needs(1) else None  # "other" before "self", as torch
        ga = where(c, g, z) if self._needs(0) else None
        return ga, gb


def where(condition: Tensor, a, b) -> Tensor:
    """Math: a where condition else b."""
    x, y = binary_operands(a, b)
    picked = np.where(condition._data, x, y)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):  # two Python numbers:
        picked = picked.astype(result_dtype(a, b).np)  # the default dtype, not float64
    data = laid_out(picked, condition._data, x, y)
    out = record(data, WhereBackward0, (wrap_scalar(a), wrap_scalar(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_condition = save(condition)
    return out


class MaskedFillBackward0(Node):
    """d masked_fill(self, mask, value) = grad with the masked places zeroed."""

    __slots__ = ("s_mask",)
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        return (masked_fill(grads[0], self._saved_mask, 0),)


class MaskedFillBackward1(Node):
    """masked_fill with a 0-dim tensor value: the value gets the sum of the masked grads."""

    __slots__ = ("s_mask",)
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        (g,) = grads
        m = self._saved_mask
        ga = masked_fill(g, m, 0) if self._needs(0) else None
        gv = reduction.sum(masked_select(g, m)) if self._needs(1) else None  # as torch
        return ga, gv


def masked_fill(a: Tensor, mask: Tensor, value, *, keep_layout: bool = False) -> Tensor:
    """Math: a with ``value`` where ``mask`` is True.

    torch fills a contiguous clone of ``a``, so the result is contiguous whatever ``a``'s
    layout; backward formulas that call the in-place ``masked_fill_`` on a fresh result
    pass ``keep_layout=True`` to keep that result's layout instead, as torch does.
    """
    fix = (lambda d: laid_out(d, a._data)) if keep_layout else standard
    if isinstance(value, Tensor):
        data = np.where(mask._data, value._data.astype(a._data.dtype), a._data)
        out = record(fix(data), MaskedFillBackward1, (a, value))
    else:
        data = np.where(mask._data, np.asarray(value, dtype=a._data.dtype), a._data)
        out = record(fix(data), MaskedFillBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
    return out


class MaskedSelectBackward0(Node):
    """d masked_select(self, mask) = zeros with grad scattered into the masked places."""

    __slots__ = ("s_mask", "s_shape")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        # torch's masked_select_backward: zeros (of the broadcast shape).masked_scatter_(mask,
        # grad); the engine then sums the broadcast dims away.
        zeros = plain(np.zeros(self.s_shape, dtype=grads[0]._data.dtype))
        return (masked_scatter(zeros, self._saved_mask, grads[0]),)


def masked_select(a: Tensor, mask: Tensor) -> Tensor:
    """Math: the elements of a where mask is True, as a 1-D tensor (broadcast first)."""
    shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
    m = np.broadcast_to(mask._data, shape)
    out = record(np.broadcast_to(a._data, shape)[m], MaskedSelectBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_shape = shape
    return out


class MaskedScatterBackward0(Node):
    """d masked_scatter(self, mask, source) = grad with the masked places zeroed, and
    grad.masked_select(mask) (zero-padded) viewed as source's shape."""

    __slots__ = ("s_mask", "s_source_sizes")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        (g,) = grads
        m = self._saved_mask
        ga = masked_fill(g, m, 0) if self._needs(0) else None
        gs = masked_scatter_backward(g, m, self.s_source_sizes) if self._needs(1) else None
        return ga, gs


class MaskedScatterBackwardBackward0(Node):
    """d masked_scatter_backward(grad, mask, sizes) = zeros.masked_scatter(mask, grad)."""

    __slots__ = ("s_mask", "s_shape")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        zeros = plain(np.zeros(self.s_shape, dtype=grads[0]._data.dtype))
        return (masked_scatter(zeros, self._saved_mask, grads[0]),)


def masked_scatter_backward(grad: Tensor, mask: Tensor, sizes: tuple) -> Tensor:
    """Math: grad's masked elements, zero-padded, in the shape ``sizes`` (torch's op)."""
    m = np.broadcast_to(mask._data, grad._data.shape)
    flat = np.zeros(int(np.prod(sizes)), dtype=grad._data.dtype)
    picked = grad._data[m]
    flat[: picked.size] = picked[: flat.size]
    out = record(flat.reshape(sizes), MaskedScatterBackwardBackward0, (grad,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_shape = grad._data.shape
    return out


def masked_scatter(a: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Math: a copy of a with the masked places filled, in order, from source's elements."""
    data = a._data.copy()
    m = np.broadcast_to(mask._data, data.shape)
    data[m] = source._data.reshape(-1)[: int(m.sum())]
    out = record(data, MaskedScatterBackward0, (a, source))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_source_sizes = source._data.shape
    return out
