"""``split``, ``split_with_sizes``, ``chunk``: pieces of a tensor along one dimension.

The pieces are views of the input sharing one backward node (like ``unbind``): its
backward concatenates the pieces' gradients, zeros for a piece that got none. Being
several views of one node, they may not be modified in place (torch refuses, see
``autograd/views.py``).

Math: d split(x)[i] / dx = the identity on piece i's slice of x, 0 elsewhere.

Example:
    >>> import minigrad as mg
    >>> x = mg.arange(5.0, requires_grad=True)
    >>> a, b = x.split(3)
    >>> b
    tensor([3., 4.], grad_fn=<SplitBackward0>)
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..autograd.grad_mode import _state
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr
from ..autograd.views import MULTI_OUTPUT_NODE, set_creation_meta
from ..tensor import Tensor
from . import shape
from ._sizes import normalize_dim
from .multi_output import record_outputs

__all__ = ["split", "split_with_sizes", "chunk"]


def _split_backward(node, grads) -> tuple:
    """torch's ``split_with_sizes_backward``: cat of the pieces' gradients (zeros for a
    piece that received none), along the split dimension."""
    parts = []
    for g, (piece_shape, dt) in zip(grads, node._out_meta):
        parts.append(g if g is not None else Tensor._make(np.zeros(piece_shape, dtype=dt)))
    return (shape.cat(parts, node.s_dim),)


class SplitBackward0(Node):
    """d split(self, split_size, dim) = cat of the pieces' gradients."""

    __slots__ = ("s_split_size", "s_dim", "s_sizes")
    _saved_split_size = SavedAttr("s_split_size")
    _saved_dim = SavedAttr("s_dim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return _split_backward(self, grads)


class SplitWithSizesBackward0(Node):
    """d split_with_sizes(self, split_sizes, dim) = cat of the pieces' gradients."""

    __slots__ = ("s_split_sizes", "s_dim", "s_sizes")
    _saved_split_sizes = SavedAttr("s_split_sizes")
    _saved_dim = SavedAttr("s_dim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return _split_backward(self, grads)


def _pieces(a: Tensor, sizes: list, dim: int, node_cls, saved: tuple) -> tuple:
    """The views of ``a`` of the given sizes along ``dim``, sharing one node."""
    datas, start = [], 0
    for n in sizes:
        datas.append(a._data[(slice(None),) * dim + (slice(start, start + n),)])
        start += n
    outs, node = record_outputs(datas, node_cls, (a,))
    if node is not None:
        node.s_dim, node.s_sizes = dim, a._data.shape
        setattr(node, saved[0], saved[1])
    outs = tuple(shape._as_view(o, a) for o in outs)
    if _state.enabled:  # views that share one node: not to be modified in place
        set_creation_meta(outs, MULTI_OUTPUT_NODE)
    return outs


def _dim(a: Tensor, dim: int) -> int:
    if a._data.ndim == 0:
        raise RuntimeError(_errors.SPLIT_0D)
    return normalize_dim(dim, a._data.ndim)


def split_with_sizes(a: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Pieces of the given sizes along ``dim`` (they must add up to its size)."""
    d = _dim(a, dim)
    sizes = [int(n) for n in split_sizes]
    if sum(sizes) != a._data.shape[d]:
        raise RuntimeError(_errors.SPLIT_SIZES_SUM.format(a._data.shape[d], d, sizes))
    return _pieces(a, sizes, d, SplitWithSizesBackward0, ("s_split_sizes", tuple(sizes)))


def split(a: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last one smaller), or of the sizes in a
    list (``split_with_sizes``)."""
    if not isinstance(split_size_or_sections, int):
        return split_with_sizes(a, split_size_or_sections, dim)
    d = _dim(a, dim)
    size, n = a._data.shape[d], int(split_size_or_sections)
    if n < 0:
        raise RuntimeError(_errors.SPLIT_SIZE_NEGATIVE.format(n))
    if n == 0 and size != 0:
        raise RuntimeError(_errors.SPLIT_SIZE_ZERO.format(size))
    count = max((size + n - 1) // n, 1) if n else 1
    sizes = [n] * (count - 1) + [size - n * (count - 1)]
    return _pieces(a, sizes, d, SplitBackward0, ("s_split_size", n))


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces of equal size along ``dim`` (the last smaller; fewer if the size
    does not allow as many): ``split`` with ``ceil(size / chunks)``."""
    if a._data.ndim == 0:
        raise RuntimeError(_errors.CHUNK_0D)
    if chunks <= 0:
        raise RuntimeError(_errors.CHUNK_COUNT.format(chunks))
    size = a._data.shape[normalize_dim(dim, a._data.ndim)]
    split_size = (size + chunks - 1) // chunks
    if split_size == 0 and size == 0:
        return split_with_sizes(a, [0] * chunks, dim)
    return split(a, split_size, dim)
