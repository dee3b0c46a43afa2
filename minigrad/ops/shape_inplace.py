"""In-place view functions: ``t_``, ``transpose_``, ``swapdims_``, ``squeeze_``, ``unsqueeze_``.

They change how a tensor looks at its memory (its shape and strides), not the values. As
in torch, the tensor's version goes up, its ``grad_fn`` becomes the op's node (``TBackward1``,
``TransposeBackward1``, ``SqueezeBackward3``/``4``, ``UnsqueezeBackward1``) whose edge is
its old history, and the checks of in-place ops on views apply (a view made under
``no_grad`` or by ``unbind`` cannot be changed so).

Example:
    >>> import minigrad as mg
    >>> x = mg.ones(2, 3, requires_grad=True).clone()
    >>> x.t_().grad_fn
    <TBackward1 object at 0x...>
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import _state
from ..tensor import Tensor
from . import inplace_views
from ._layout import elem_strides, strided
from ._sizes import normalize_dim
from .record import edge
from .shape import (
    SqueezeBackward0,
    SqueezeBackward1,
    TBackward0,
    TransposeBackward0,
    UnsqueezeBackward0,
)

__all__ = ["t_", "transpose_", "swapdims_", "squeeze_", "unsqueeze_"]


class TBackward1(TBackward0):
    """The node of the in-place ``t_()``."""

    __slots__ = ()


class TransposeBackward1(TransposeBackward0):
    """The node of the in-place ``transpose_(d0, d1)``."""

    __slots__ = ()


class SqueezeBackward3(SqueezeBackward0):
    """The node of the in-place ``squeeze_()``."""

    __slots__ = ()


class SqueezeBackward4(SqueezeBackward1):
    """The node of the in-place ``squeeze_(dim)`` (as in 1-D @ 2-D matmul)."""

    __slots__ = ()


class UnsqueezeBackward1(UnsqueezeBackward0):
    """The node of the in-place ``unsqueeze_(dim)``."""

    __slots__ = ()


def _restride(a: Tensor, data: np.ndarray, node_cls, saved: dict) -> Tensor:
    """``a`` now looks at its memory through ``data``: new version, and (when recorded)
    a ``node_cls`` grad_fn whose edge is ``a``'s previous history."""
    recorded = _state.enabled and inplace_views.requires_grad_of(a)
    if recorded:
        inplace_views.check_inplace(a)
        old = edge(a)
    a._data = data
    a._vc[0] += 1
    if recorded:
        node = node_cls((old,), ((data.shape, data.dtype),))
        for name, value in saved.items():
            setattr(node, name, value)
        a._grad_fn, a._output_nr = node, 0
    if a._base is not None:
        a._attr_version = a._vc[0]  # its grad_fn is the new node, not out of date
    inplace_views.mark_views_stale(a)
    return a


def _permuted(data: np.ndarray, d0: int, d1: int) -> np.ndarray:
    return np.swapaxes(data, d0, d1) if data.ndim else data.view()


def t_(a: Tensor) -> Tensor:
    """In place: ``a.t()``."""
    return _restride(a, _permuted(a._data, 0, 1) if a._data.ndim == 2 else a._data.view(),
                     TBackward1, {})  # fmt: skip


def transpose_(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """In place: ``a.transpose(dim0, dim1)``."""
    n = a._data.ndim
    d0, d1 = (normalize_dim(dim0, n), normalize_dim(dim1, n)) if n else (0, 0)
    saved = {"s_dim0": dim0, "s_dim1": dim1}
    return _restride(a, _permuted(a._data, d0, d1), TransposeBackward1, saved)


swapdims_ = transpose_


def squeeze_(a: Tensor, dim=None) -> Tensor:
    """In place: ``a.squeeze(dim)`` (all size-1 dims when ``dim`` is None)."""
    shape = a._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        return _restride(a, a._data.reshape(new), SqueezeBackward3, {"s_sizes": shape})
    d = normalize_dim(dim, a._data.ndim)
    new = shape[:d] + shape[d + 1 :] if shape and shape[d] == 1 else shape
    saved = {"s_sizes": shape, "s_dim": d}
    return _restride(a, a._data.reshape(new), SqueezeBackward4, saved)


def unsqueeze_(a: Tensor, dim: int) -> Tensor:
    """In place: ``a.unsqueeze(dim)``."""
    d = normalize_dim(dim, a._data.ndim + 1)
    shape, st = a._data.shape, elem_strides(a._data)
    new_stride = 1 if d >= len(shape) else shape[d] * st[d]
    data = strided(a._data, shape[:d] + (1,) + shape[d:], st[:d] + (new_stride,) + st[d:])
    return _restride(a, data, UnsqueezeBackward1, {"s_dim": d})
