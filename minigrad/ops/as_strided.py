"""``as_strided``: a view given by sizes, strides and an offset, and its backward.

Every view is, underneath, a window on its base's memory: ``sizes``, ``strides`` (in
elements) and a ``storage_offset``. Autograd falls back to that description when an
in-place operation has changed a view's history (``AsStridedBackward0``, see
``inplace_views.py``), and ``CopySlices`` uses it to find the view inside its base.

Math: ``as_strided(x, size, stride, offset)[i, j] = x.flat_storage[offset + i·stride[0]
+ j·stride[1]]``; its backward scatters the gradient back to those places.

Example:
    >>> import minigrad as mg
    >>> x = mg.arange(6.0)
    >>> as_strided(x, (2, 2), (1, 2), 1)
    tensor([[1., 3.],
            [2., 4.]])
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided as np_as_strided

from ..autograd.graph import Node
from ..tensor import Tensor
from . import inplace, reduction, shape
from .record import record

__all__ = [
    "geometry",
    "window",
    "as_strided",
    "empty_strided",
    "AsStridedBackward0",
    "as_strided_backward",
]


def geometry(data: np.ndarray, origin: np.ndarray | None = None) -> tuple:
    """``(sizes, strides, storage_offset)`` of ``data`` in elements, the offset counted from
    the first element of ``origin`` (the base's memory)."""
    item = data.itemsize
    strides = tuple(s // item for s in data.strides)
    if origin is None:
        return data.shape, strides, 0
    start = data.__array_interface__["data"][0] - origin.__array_interface__["data"][0]
    return data.shape, strides, start // item


def window(data: np.ndarray, size: tuple, stride: tuple, offset: int) -> np.ndarray:
    """numpy's view of the memory of ``data`` with this geometry (offset from its start)."""
    item = data.itemsize
    start = np_as_strided(data, (offset + 1,), (item,))[offset:]
    return np_as_strided(start, size, tuple(s * item for s in stride),
                         writeable=data.flags.writeable)  # fmt: skip


def _min_storage_size(sizes, strides, offset: int) -> int:
    size = offset + 1
    for n, st in zip(sizes, strides):
        if n == 0:
            return offset
        size += (n - 1) * st
    return size


def empty_strided(sizes: tuple, strides: tuple, dtype) -> Tensor:
    """A new tensor with exactly these strides (torch's ``empty_strided``), filled with 0."""
    memory = np.zeros(_min_storage_size(sizes, strides, 0), dtype=dtype)
    return Tensor._make(window(memory, tuple(sizes), tuple(strides), 0))


class AsStridedBackward0(Node):
    """d as_strided(self, size, stride, offset) = the gradient scattered back to the places
    of ``self``'s memory it was read from (``as_strided_backward``)."""

    __slots__ = ("s_size", "s_stride", "s_offset", "s_self_geometry")

    @property
    def _saved_size(self) -> tuple:
        return tuple(self.s_size)

    @property
    def _saved_stride(self) -> tuple:
        return tuple(self.s_stride)

    @property
    def _saved_storage_offset(self) -> int:
        return self.s_offset

    def apply(self, grads):
        g = grads[0]
        return (as_strided_backward(g, self.s_self_geometry, self.s_size, self.s_stride,
                                    self.s_offset),)  # fmt: skip


def as_strided(a: Tensor, size, stride, storage_offset: int = 0) -> Tensor:
    """A view of ``a``'s memory with these sizes and strides, ``storage_offset`` elements
    after ``a``'s first element (``a`` owns its memory: it is not a view)."""
    size, stride = tuple(size), tuple(stride)
    out = record(window(a._data, size, stride, storage_offset), AsStridedBackward0, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_size, node.s_stride, node.s_offset = size, stride, storage_offset
        node.s_self_geometry = geometry(a._data)
    return shape._as_view(out, a)


def _maybe_overlapping(sizes: list, strides: list) -> bool:
    """torch's ``_maybe_overlapping_memory``: could two indices reach one element?"""
    reach = 0
    for st, n in sorted(zip(strides, sizes)):
        if st <= reach:
            return True
        reach += st * (n - 1)
    return False


def _drop_ones(sizes, strides) -> tuple[list, list]:
    kept = [(n, st) for n, st in zip(sizes, strides) if n != 1]
    return [n for n, _ in kept], [st for _, st in kept]


def as_strided_backward(grad: Tensor, input_geometry: tuple, sizes, strides, offset: int):
    """torch's ``as_strided_backward``: zeros of the input's memory, the gradient copied
    into the output's window of it (summed over stride-0 dims), read back as the input.

    Math: dL/dx[p] = Σ over output places q reading memory p of dL/dy[q].
    """
    inp_sizes, inp_strides, inp_offset = input_geometry
    if 0 in sizes or 0 in inp_sizes:
        return Tensor._make(np.zeros(inp_sizes, dtype=grad._data.dtype))
    out_sizes, out_strides = [], []
    for i in range(len(sizes) - 1, -1, -1):
        if sizes[i] == 1:
            grad = shape.squeeze(grad, i)
        elif strides[i] == 0:
            grad = reduction.sum(grad, i, False)
        else:
            out_sizes.insert(0, sizes[i])
            out_strides.insert(0, strides[i])
    kept_sizes, kept_strides = _drop_ones(inp_sizes, inp_strides)
    shared = min(inp_offset, offset)
    inp_eff, out_eff = inp_offset - shared, offset - shared
    size = max(_min_storage_size(kept_sizes, kept_strides, inp_eff),
               _min_storage_size(out_sizes, out_strides, out_eff))  # fmt: skip
    storage = Tensor._make(np.zeros(size, dtype=grad._data.dtype))
    if _maybe_overlapping(out_sizes, out_strides) or _maybe_overlapping(kept_sizes, kept_strides):
        return _overlapping_backward(grad, storage, (out_sizes, out_strides, out_eff),
                                     (inp_sizes, inp_strides, inp_eff))  # fmt: skip
    inplace.copy_(as_strided(storage, out_sizes, out_strides, out_eff), grad)
    return as_strided(storage, inp_sizes, inp_strides, inp_eff)


def _overlapping_backward(grad: Tensor, storage: Tensor, out_geo: tuple, inp_geo: tuple):
    """The same for windows that read some memory twice (torch uses index_add_ here): each
    place sums its gradients, and an input place seen k times gets 1/k of them."""
    memory = storage._data
    places = window(np.arange(memory.size), *out_geo)
    np.add.at(memory, places.reshape(-1), grad._data.reshape(-1))
    seen = np.zeros(memory.size)
    np.add.at(seen, window(np.arange(memory.size), *inp_geo).reshape(-1), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        memory /= seen
    return Tensor._make(np.array(window(memory, *inp_geo)))
