"""Views and shape operations: view/reshape, t/transpose/permute, squeeze/unsqueeze,
expand, indexing (select, slice, advanced), cat/stack/unbind, clone.

Views share storage and the version counter with their base, as in torch: an in-place
change through one is seen (and counted) by the other.
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from .._type_names import tensor_type
from ..autograd.grad_mode import _state
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr
from ..autograd.views import MULTI_OUTPUT_NODE, register_view, set_creation_meta
from ..tensor import Tensor
from . import reduction
from ._layout import elem_strides, expanded, index_layout, preserved, standard, strided, try_view
from ._promotion import result_dtype
from ._sizes import infer_shape, normalize_dim, shape_arg
from .record import edge, record

__all__ = [
    "shape_arg", "view", "reshape", "flatten", "t", "transpose", "permute", "squeeze",
    "unsqueeze", "expand", "select", "slice_dim", "narrow", "getitem", "cat", "stack",
    "unbind", "clone",
]  # fmt: skip

_INT64_MAX = 9223372036854775807


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Make ``out`` a view of ``base``: shared version counter, ``_base`` set (the tensor
    that owns the memory), and registered with it (see autograd/views.py)."""
    out._vc = base._vc
    root = base._base if base._base is not None else base
    out._base = root
    if base._zero:
        out._zero = True  # torch: a view of a ZeroTensor is one
    if out._inference is not base._inference:  # a view is an inference tensor iff its base is
        out._inference = base._inference
    if base._requires_grad and out._grad_fn is None:
        # torch: a view made under no_grad of a tensor that requires grad requires grad too.
        out._requires_grad = True
    register_view(out, root, base)
    return out


class ViewBackward0(Node):
    """d view(self, shape) = grad reshaped to self's shape."""

    __slots__ = ("s_sizes",)
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (reshape(grads[0], self.s_sizes),)


class UnsafeViewBackward0(ViewBackward0):
    """d _unsafe_view(self, shape) = grad reshaped to self's shape."""

    __slots__ = ()


def view(a: Tensor, shape: tuple) -> Tensor:
    """A view with another shape (no copy; fails if the strides do not allow it)."""
    shape = infer_shape(tuple(shape), a._data.size)
    data = try_view(a._data, shape)
    if data is None:
        raise RuntimeError(_errors.VIEW_INCOMPATIBLE)
    out = record(data, ViewBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_sizes = a._data.shape
    return _as_view(out, a)


def _unsafe_view(a: Tensor, shape: tuple) -> Tensor:
    out = record(a._data.reshape(shape), UnsafeViewBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_sizes = a._data.shape
    return out


class ReshapeAliasBackward0(ViewBackward0):
    """d _reshape_alias(self, shape) = grad reshaped to self's shape."""

    __slots__ = ()


def reshape(a: Tensor, shape: tuple) -> Tensor:
    """A view when the strides allow it, else a copy (``CloneBackward0`` + ``_unsafe_view``).

    As in torch, the view of a contiguous tensor is a ``view`` (``ViewBackward0``) and that
    of a non-contiguous one a ``_reshape_alias`` (``ReshapeAliasBackward0``).
    """
    shape = infer_shape(tuple(shape), a._data.size)
    data = try_view(a._data, shape)
    if data is not None:
        if a._data.flags.c_contiguous:
            return view(a, shape)
        out = record(data, ReshapeAliasBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_sizes = a._data.shape
        return _as_view(out, a)
    return _unsafe_view(clone(a), shape)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim; a 1-D tensor is returned as it is, as in torch."""
    n = a._data.ndim
    if n == 0:
        return reshape(a, (1,))
    s, e = normalize_dim(start_dim, n), normalize_dim(end_dim, n)
    if s == e:
        return a
    shape = a._data.shape
    return reshape(a, shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])


class TBackward0(Node):
    """d t(self) = t(grad)."""

    __slots__ = ()

    def apply(self, grads):
        return (t(grads[0]),)


def t(a: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    if a._data.ndim > 2:
        raise RuntimeError(_errors.T_TOO_MANY_DIMS.format(a._data.ndim))
    return _as_view(record(a._data.T, TBackward0, (a,)), a)


class TransposeBackward0(Node):
    """d transpose(self, d0, d1) = transpose(grad, d0, d1)."""

    __slots__ = ("s_dim0", "s_dim1")
    _saved_dim0 = SavedAttr("s_dim0")
    _saved_dim1 = SavedAttr("s_dim1")

    def apply(self, grads):
        return (transpose(grads[0], self.s_dim0, self.s_dim1),)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view)."""
    n = a._data.ndim
    d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
    data = np.swapaxes(a._data, d0, d1) if n else a._data.view()
    out = record(data, TransposeBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dim0, out._grad_fn.s_dim1 = dim0, dim1
    return _as_view(out, a)


class PermuteBackward0(Node):
    """d permute(self, dims) = grad permuted back."""

    __slots__ = ("s_dims",)
    _saved_dims = SavedAttr("s_dims")

    def apply(self, grads):
        inverse = tuple(int(i) for i in np.argsort(self.s_dims))
        return (permute(grads[0], inverse),)


def permute(a: Tensor, dims: tuple) -> Tensor:
    """Reorder the dimensions (a view)."""
    n = a._data.ndim
    dims = tuple(normalize_dim(d, n) for d in dims)
    out = record(np.transpose(a._data, dims) if n else a._data.view(), PermuteBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dims = dims
    return _as_view(out, a)


def _unsqueeze_to(grad: Tensor, sizes: tuple) -> Tensor:
    for d, s in enumerate(sizes):
        if s == 1:
            grad = unsqueeze(grad, d)
    return grad


class SqueezeBackward0(Node):
    """d squeeze(self) = grad with self's size-1 dims put back."""

    __slots__ = ("s_sizes",)
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (_unsqueeze_to(grads[0], self.s_sizes),)


class SqueezeBackward1(Node):
    """d squeeze(self, dim) = grad unsqueezed at dim if that dim had size 1."""

    __slots__ = ("s_sizes", "s_dim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        g = grads[0]
        if self.s_sizes and self.s_sizes[self.s_dim] == 1:
            g = unsqueeze(g, self.s_dim)
        return (g,)


def squeeze(a: Tensor, dim=None) -> Tensor:
    """Remove dims of size 1 (all, or ``dim`` only if its size is 1)."""
    shape = a._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        out = record(a._data.reshape(new), SqueezeBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_sizes = shape
        return _as_view(out, a)
    d = normalize_dim(dim, a._data.ndim)
    new = shape[:d] + shape[d + 1 :] if shape and shape[d] == 1 else shape
    out = record(a._data.reshape(new), SqueezeBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_sizes, out._grad_fn.s_dim = shape, d
    return _as_view(out, a)


class UnsqueezeBackward0(Node):
    """d unsqueeze(self, dim) = grad.squeeze(dim)."""

    __slots__ = ("s_dim",)
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        return (squeeze(grads[0], self.s_dim),)


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim``."""
    n = a._data.ndim + 1
    d = normalize_dim(dim, n)
    shape = a._data.shape
    data = a._data.reshape(shape[:d] + (1,) + shape[d:])
    if a._data.size:
        # torch's stride for the new dim: sizes[d] * strides[d], or 1 at the end
        st = elem_strides(a._data)
        new = 1 if d >= len(shape) else shape[d] * st[d]
        data = strided(a._data, data.shape, st[:d] + (new,) + st[d:])
    out = record(data, UnsqueezeBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = d
    return _as_view(out, a)


class ExpandBackward0(Node):
    """d expand(self, sizes) = grad summed back to self's shape."""

    __slots__ = ("s_sizes",)
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (reduction.sum_to(grads[0], self.s_sizes),)


def expand(a: Tensor, sizes: tuple) -> Tensor:
    """Broadcast to ``sizes`` without copying (-1 keeps a dim)."""
    shape = a._data.shape
    sizes = tuple(sizes)
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            _errors.EXPAND_TOO_FEW_SIZES.format(
                tensor_type(a.dtype), list(shape), list(sizes), len(sizes), len(shape)
            )
        )
    target = tuple(shape[i - lead] if (s == -1 and i >= lead) else s for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(
                _errors.EXPAND_MISMATCH.format(
                    target[lead + i], s, lead + i, list(sizes), list(shape)
                )
            )
    out = record(expanded(a._data, target), ExpandBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_sizes = shape
    return _as_view(out, a)


class SelectBackward0(Node):
    """d self.select(dim, index) = zeros with grad placed at index."""

    __slots__ = ("s_dim", "s_index", "s_sizes")
    _saved_dim = SavedAttr("s_dim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    @property
    def _saved_index(self):
        # torch stores the index as an unsigned SymInt: -1 prints as 2**64 - 1.
        return self.s_index % (1 << 64)

    def apply(self, grads):
        return (select_backward(grads[0], self.s_sizes, self.s_dim, self.s_index),)


def select(a: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, one dimension fewer (a view)."""
    n = a._data.ndim
    if n == 0:
        raise IndexError(_errors.SELECT_0D)
    d = normalize_dim(dim, n)
    size = a._data.shape[d]
    if not -size <= index < size:
        raise IndexError(_errors.INDEX_OUT_OF_BOUNDS.format(index, d, size))
    data = a._data[(slice(None),) * d + (index,)]
    out = record(np.asarray(data) if not isinstance(data, np.ndarray) else data,
                 SelectBackward0, (a,))  # fmt: skip
    if out._grad_fn is not None:
        out._grad_fn.s_dim, out._grad_fn.s_index, out._grad_fn.s_sizes = d, index, a._data.shape
    if out._data.base is None and a._data.ndim == 1:
        # numpy gives a scalar copy for a[i] on 1-D data; keep it a view of the storage.
        i = index % size
        out._data = a._data[i : i + 1].reshape(())
    return _as_view(out, a)


class SelectBackwardBackward0(Node):
    """d select_backward(g, sizes, dim, index) = gg.select(dim, index)."""

    __slots__ = ("s_dim", "s_index")
    _saved_dim = SavedAttr("s_dim")
    _saved_index = SavedAttr("s_index")

    def apply(self, grads):
        return (select(grads[0], self.s_dim, self.s_index),)


def select_backward(grad: Tensor, sizes: tuple, dim: int, index: int) -> Tensor:
    """Math: zeros of ``sizes`` with ``grad`` placed at ``index`` along ``dim``."""
    data = np.zeros(sizes, dtype=grad._data.dtype)
    idx = (slice(None),) * dim + (index,)
    data[idx] = grad._data
    out = record(data, SelectBackwardBackward0, (grad,))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = dim
        out._grad_fn.s_index = index
    return out


class SliceBackward0(Node):
    """d self[start:end:step] along dim = zeros with grad placed in the slice."""

    __slots__ = ("s_dim", "s_start", "s_end", "s_step", "s_sizes")
    _saved_dim = SavedAttr("s_dim")
    _saved_start = SavedAttr("s_start")
    _saved_end = SavedAttr("s_end")
    _saved_step = SavedAttr("s_step")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        s = self
        return (slice_backward(grads[0], s.s_sizes, s.s_dim, s.s_start, s.s_end, s.s_step),)


def slice_dim(a: Tensor, dim: int, start=None, end=None, step=1) -> Tensor:
    """``a[start:end:step]`` along ``dim`` (a view)."""
    if step is not None and step <= 0:
        raise ValueError(_errors.SLICE_STEP)
    d = normalize_dim(dim, a._data.ndim)
    start = 0 if start is None else start
    end = _INT64_MAX if end is None else end
    step = 1 if step is None else step
    data = a._data[(slice(None),) * d + (slice(start, end, step),)]
    out = record(data, SliceBackward0, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_dim, node.s_start, node.s_end, node.s_step = d, start, end, step
        node.s_sizes = a._data.shape
    return _as_view(out, a)


class SliceBackwardBackward0(Node):
    """d slice_backward(g, sizes, dim, start, end, step) = gg[start:end:step] along dim."""

    __slots__ = ("s_dim", "s_start", "s_end", "s_step")
    _saved_dim = SavedAttr("s_dim")
    _saved_start = SavedAttr("s_start")
    _saved_end = SavedAttr("s_end")
    _saved_step = SavedAttr("s_step")

    def apply(self, grads):
        return (slice_dim(grads[0], self.s_dim, self.s_start, self.s_end, self.s_step),)


def slice_backward(grad: Tensor, sizes: tuple, dim: int, start: int, end: int, step: int):
    """Math: zeros of ``sizes`` with ``grad`` placed at ``start:end:step`` along ``dim``."""
    data = np.zeros(sizes, dtype=grad._data.dtype)
    idx = (slice(None),) * dim + (slice(start, end, step),)
    data[idx] = grad._data
    out = record(data, SliceBackwardBackward0, (grad,))
    node = out._grad_fn
    if node is not None:
        node.s_dim, node.s_start, node.s_end, node.s_step = dim, start, end, step
    return out


def narrow(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    return slice_dim(a, dim, start, start + length, 1)


class AliasBackward0(Node):
    """d alias(self) = grad."""

    __slots__ = ()

    def apply(self, grads):
        return (grads[0],)


class IndexBackward0(Node):
    """d self[indices] = zeros with grad added at the indices."""

    __slots__ = ("s_indices", "s_sizes", "s_released")
    _saved_indices = SavedAttr("s_indices")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def release_variables(self) -> None:
        # torch saves the index tensors and frees them: a second backward raises.
        self.s_released = True

    def apply(self, grads):
        if getattr(self, "s_released", False):
            raise RuntimeError(_errors.BACKWARD_TWICE)
        return (_index_put_acc(self.s_sizes, self.s_indices, grads[0]),)


class IndexPutImplBackward0(Node):
    """d _index_put_impl_(zeros, indices, values, accumulate) = values' grad is grad[indices]
    (torch's index backward calls the in-place ``_index_put_impl_``, hence the name)."""

    __slots__ = ("s_indices",)

    def apply(self, grads):
        return (None, advanced_index(grads[0], self.s_indices))


def np_index(indices: tuple) -> tuple:
    return tuple(slice(None) if i is None else i._data for i in indices)


def advanced_index(a: Tensor, indices: tuple) -> Tensor:
    data = a._data[np_index(indices)]
    if data.ndim > 1:
        data = index_layout(data, a._data, tuple(None if i is None else i._data for i in indices))
    out = record(data, IndexBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_indices, out._grad_fn.s_sizes = indices, a._data.shape
    return out


def _index_put_acc(sizes: tuple, indices: tuple, values: Tensor) -> Tensor:
    data = np.zeros(sizes, dtype=values._data.dtype)
    np.add.at(data, np_index(indices), values._data)
    out = record(data, IndexPutImplBackward0, (None, values))
    if out._grad_fn is not None:
        out._grad_fn.s_indices = indices
    return out


def _is_advanced(i) -> bool:
    return isinstance(i, (list, np.ndarray, Tensor)) and not (
        isinstance(i, Tensor) and i._data.ndim == 0 and i._data.dtype.kind in "iu"
    )


def _index_tensor(i) -> Tensor:
    if isinstance(i, Tensor):
        return i
    arr = np.asarray(i)
    if arr.dtype.kind not in "iub":
        raise IndexError(_errors.INDEX_TENSOR_DTYPE)
    return Tensor._make(arr if arr.dtype.kind == "b" else arr.astype(np.int64))


def _full_slice(i: slice, size: int) -> bool:
    return i.start in (None, 0) and i.step in (None, 1) and (i.stop is None or i.stop >= size)


def _sequence_as_tuple(index: list) -> bool:
    """numpy's old rule, kept by torch: a short list holding a sequence, tensor, slice,
    None or ``...`` is a tuple of indices (``x[[[0, 1]]]`` is ``x[[0, 1]]``)."""
    if len(index) >= 32:
        return False
    return any(
        isinstance(i, (Tensor, list, tuple, slice, range, np.ndarray)) or i is None or i is Ellipsis
        for i in index
    )


def _int_scalars(index: tuple) -> tuple:
    """0-dim integer index tensors act as ints."""
    return tuple(
        int(i._data)
        if isinstance(i, Tensor) and i._data.ndim == 0 and i._data.dtype.kind in "iu"
        else i
        for i in index
    )


def _count_real(index: tuple) -> int:
    """How many dims of the tensor the index entries consume."""
    n = 0
    for i in index:
        if i is None or i is Ellipsis:
            continue
        if isinstance(i, Tensor) and i._data.dtype == np.bool_:
            n += i._data.ndim
        elif not (isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype == np.bool_):
            n += 1
    return n


def apply_slicing(a: Tensor, index, for_setitem: bool = False) -> tuple:
    """torch's ``applySlicing``: ``(view, indices)``. The basic part of ``a[index]`` (ints
    select, slices slice, None unsqueezes) as a view of ``a``, and the advanced part as one
    index tensor (or None) per dim of that view, or None if there is none. A full slice
    ``:`` makes no view, except alone in ``a[:]`` (for ``t[:] = v``, not even then)."""
    if isinstance(index, list) and _sequence_as_tuple(index):
        index = tuple(index)
    single = not isinstance(index, tuple)
    if single and isinstance(index, slice):
        if for_setitem and _full_slice(index, a._data.shape[0] if a._data.ndim else 0):
            return a, None
        return slice_dim(a, 0, index.start, index.stop, index.step), None
    index = _int_scalars((index,) if single else index)
    n_real = _count_real(index)
    if n_real > a._data.ndim:
        raise IndexError(_errors.TOO_MANY_INDICES.format(a._data.ndim))
    out, dim, advanced = a, 0, []  # advanced: (dim, index tensor) after basic indexing
    for i in index:
        if i is Ellipsis:
            dim += a._data.ndim - n_real
        elif i is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif isinstance(i, bool):
            raise IndexError(_errors.BOOL_SCALAR_INDEX)
        elif isinstance(i, (int, np.integer)):
            out = select(out, dim, int(i))
        elif isinstance(i, slice):
            if not _full_slice(i, out._data.shape[dim]):
                out = slice_dim(out, dim, i.start, i.stop, i.step)
            dim += 1
        elif _is_advanced(i):
            t_ = _index_tensor(i)
            advanced.append((dim, t_))
            dim += t_._data.ndim if t_._data.dtype == np.bool_ else 1
        else:
            raise IndexError(_errors.INVALID_INDEX.format(type(i).__name__))
    if not advanced:
        return out, None
    indices: list = [None] * out._data.ndim
    for d, t_ in advanced:
        indices[d] = t_
    while indices and indices[-1] is None:
        indices.pop()
    return out, tuple(indices)


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with torch's recording: ints select, slices slice, None unsqueezes,
    lists/tensors index (``IndexBackward0``)."""
    out, indices = apply_slicing(a, index)
    if indices is not None:
        return advanced_index(out, indices)
    if out is a:
        return _as_view(record(a._data.view(), AliasBackward0, (a,)), a)
    return out


class CatBackward0(Node):
    """d cat(tensors, dim) = the matching slice of grad for each input."""

    __slots__ = ("s_dim", "s_sizes", "s_empty")
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        (g,) = grads
        outs = []
        start = 0
        for i, size in enumerate(self.s_sizes):
            if i in self.s_empty:  # torch: an empty 1-D input gets a fresh empty gradient
                outs.append(Tensor._make(np.zeros((0,), dtype=g._data.dtype)))
                continue
            outs.append(
                slice_dim(g, self.s_dim, start, start + size, 1) if self._needs(i) else None
            )
            start += size
        return tuple(outs)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError(_errors.CAT_EMPTY)
    d = normalize_dim(dim, tensors[0]._data.ndim)
    first = tensors[0]._data.shape
    for i, x in enumerate(tensors[1:], start=1):
        for k, (s0, s1) in enumerate(zip(first, x._data.shape)):
            if k != d and s0 != s1:
                raise RuntimeError(_errors.CAT_SIZES.format(d, s0, s1, i))
    dt = result_dtype(*tensors).np
    # torch allocates cat's result row-major (numpy follows an expanded input's strides)
    data = standard(np.concatenate([x._data.astype(dt, copy=False) for x in tensors], axis=d))
    out = record(data, CatBackward0, tensors)
    if out._grad_fn is not None:
        out._grad_fn.s_dim = d
        out._grad_fn.s_sizes = tuple(x._data.shape[d] for x in tensors)
        out._grad_fn.s_empty = {i for i, x in enumerate(tensors) if x._data.shape == (0,)}
    return out


class StackBackward0(Node):
    """d stack(tensors, dim) = grad.select(dim, i) for input i."""

    __slots__ = ("s_dim", "s_n")
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        (g,) = grads
        return tuple(select(g, self.s_dim, i) if self._needs(i) else None for i in range(self.s_n))


def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors along a new dimension."""
    tensors = tuple(tensors)
    if not tensors:
        raise RuntimeError(_errors.STACK_EMPTY)
    d = normalize_dim(dim, tensors[0]._data.ndim + 1)
    shape0 = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != shape0:
            raise RuntimeError(_errors.STACK_SIZES.format(list(shape0), list(x._data.shape), i))
    dt = result_dtype(*tensors).np
    data = standard(np.stack([x._data.astype(dt, copy=False) for x in tensors], axis=d))
    out = record(data, StackBackward0, tensors)
    if out._grad_fn is not None:
        out._grad_fn.s_dim, out._grad_fn.s_n = d, len(tensors)
    return out


class UnbindBackward0(Node):
    """d unbind(self, dim) = stack of the outputs' grads (zeros where none arrived)."""

    __slots__ = ("s_dim",)
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        parts = []
        for g, (shape, dt) in zip(grads, self._out_meta):
            parts.append(g if g is not None else Tensor._make(np.zeros(shape, dtype=dt)))
        return (stack(parts, self.s_dim),)


def unbind(a: Tensor, dim: int = 0) -> tuple:
    """Split into the slices along ``dim`` (one node with several outputs)."""
    d = normalize_dim(dim, a._data.ndim)
    if a._data.ndim == 1:  # numpy's a[i] would be a copy: keep 0-dim views of the memory
        parts = [a._data[i : i + 1].reshape(()) for i in range(a._data.shape[0])]
    else:
        parts = [a._data[(slice(None),) * d + (i,)] for i in range(a._data.shape[d])]
    if not (_state.enabled and a._requires_grad):
        outs = tuple(_as_view(Tensor._make(p), a) for p in parts)
    else:
        node = UnbindBackward0((edge(a),), tuple((p.shape, p.dtype) for p in parts))
        node.s_dim = d
        outs = tuple(_as_view(Tensor._make(p, True, node, i), a) for i, p in enumerate(parts))
    if _state.enabled:  # views that share one node: not to be modified in place
        set_creation_meta(outs, MULTI_OUTPUT_NODE)
    return outs


class CloneBackward0(Node):
    """d clone(self) = grad."""

    __slots__ = ()

    def apply(self, grads):
        return (grads[0],)


def clone(a: Tensor, contiguous: bool = False) -> Tensor:
    """A copy with its own storage, recorded (``CloneBackward0``): laid out like ``a``
    (torch's ``preserve_format``), or row-major for ``contiguous()``."""
    data = a._data.copy()  # row-major
    return record(data if contiguous else preserved(data, a._data), CloneBackward0, (a,))
