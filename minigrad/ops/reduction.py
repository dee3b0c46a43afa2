"""Reductions: sum, mean, max/min (all elements or along a dimension).

The backward of a reduction broadcasts the gradient back to the input's shape
(``unsqueeze`` then ``expand``); max/min send it to the selected elements only, split
evenly between ties when reducing over all elements, as torch does.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .. import _errors
from .._type_names import scalar_type
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from . import masked, piecewise, shape
from ._layout import standard
from ._sizes import normalize_dim
from .arithmetic import div, div_scalar, mul
from .compare import eq, isnan
from .record import plain, record

__all__ = ["norm", "sum", "mean", "max", "min", "argmax", "argmin", "scatter", "gather",
           "scatter_add", "sum_to"]  # fmt: skip


def _dims(dim, ndim: int) -> tuple:
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(normalize_dim(d, ndim) for d in dim)


def _sum_backward(grad: Tensor, sizes: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """torch's sum_backward: unsqueeze the reduced dims (unless keepdim), then expand."""
    if not keepdim and sizes:
        for d in sorted(dims):
            grad = shape.unsqueeze(grad, d)
    return shape.expand(grad, sizes)


class SumBackward0(Node):
    """d sum(self) = grad expanded to self's shape."""

    __slots__ = ("s_sizes",)
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (shape.expand(grads[0], self.s_sizes),)


class SumBackward1(Node):
    """d sum(self, dim) = grad unsqueezed along dim and expanded."""

    __slots__ = ("s_dim", "s_keepdim", "s_sizes")
    _saved_dim = SavedAttr("s_dim")
    _saved_keepdim = SavedAttr("s_keepdim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        return (_sum_backward(grads[0], self.s_sizes, self.s_dim, self.s_keepdim),)


def _plus_zero(data):
    """torch's sums start from +0., so a sum of -0. values is +0. (numpy's keeps -0.)."""
    data = np.asarray(data)
    return data + data.dtype.type(0) if data.dtype.kind == "f" else data


def _sum_dtype(a: Tensor, dtype):
    if dtype is not None:
        return dtype.np
    return a._data.dtype if a._data.dtype.kind == "f" else np.dtype(np.int64)


def sum(a: Tensor, dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A001
    """Math: Σ a, over all elements or along ``dim`` (an int or a tuple of ints)."""
    npd = _sum_dtype(a, dtype)
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        out = record(_plus_zero(np.sum(a._data, dtype=npd)), SumBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_sizes = a._data.shape
        return out
    dims = _dims(dim, a._data.ndim)
    data = _plus_zero(
        np.sum(a._data, axis=dims, keepdims=keepdim, dtype=npd)
        if a._data.ndim
        else (a._data.astype(npd))
    )
    out = record(standard(data), SumBackward1, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_dim, node.s_keepdim, node.s_sizes = dims, keepdim, a._data.shape
    return out


class LinalgVectorNormBackward0(Node):
    """d ‖self‖₂ = self·grad/‖self‖ (0 where the norm is 0)."""

    __slots__ = ("s_self", "s_result")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        x, r = self._saved_self, self._saved_result
        # torch's norm_backward for p = 2: grad * (self / norm).masked_fill_(norm == 0, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = masked.masked_fill(
                div(x, r), eq(r, 0), 0, keep_layout=True
            )  # in place in torch
        return (mul(grads[0], ratio),)


def norm(a: Tensor) -> Tensor:
    """Math: the Euclidean norm √(Σ a²)."""
    # torch accumulates a float32 norm in double on CPU: no overflow of a² for |a| < 1.8e38
    x = a._data.astype(np.float64) if a._data.dtype.itemsize < 8 else a._data
    value = np.asarray(np.sqrt(np.sum(x * x)), dtype=a._data.dtype)
    out = record(value, LinalgVectorNormBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_result = save_result(out)
    return out


class MeanBackward0(Node):
    """d mean(self) = grad expanded, divided by the number of elements."""

    __slots__ = ("s_sizes", "s_numel")
    _saved_self_sym_sizes = SavedAttr("s_sizes")
    _saved_self_sym_numel = SavedAttr("s_numel")

    def apply(self, grads):
        return (div_scalar(shape.expand(grads[0], self.s_sizes), self.s_numel),)


class MeanBackward1(Node):
    """d mean(self, dim) = sum's backward divided by the size of the reduced dims."""

    __slots__ = ("s_dim", "s_keepdim", "s_sizes", "s_numel")
    _saved_dim = SavedAttr("s_dim")
    _saved_keepdim = SavedAttr("s_keepdim")
    _saved_self_sym_sizes = SavedAttr("s_sizes")
    _saved_self_sym_numel = SavedAttr("s_numel")

    def apply(self, grads):
        n = 1
        for d in self.s_dim:
            n *= self.s_sizes[d] if self.s_sizes else 1  # a 0-dim input: dim 0 has size 1
        g = _sum_backward(grads[0], self.s_sizes, self.s_dim, self.s_keepdim)
        return (div_scalar(g, n),)


def _np_mean(data: np.ndarray, **kwargs) -> np.ndarray:
    """numpy's mean, without its warning for an empty slice (torch gives NaN silently)."""
    if data.size:
        return np.mean(data, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.mean(data, **kwargs)


def mean(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Math: (1/n) Σ a, over all elements or along ``dim``."""
    if a._data.dtype.kind != "f":
        raise RuntimeError(_errors.MEAN_DTYPE.format(scalar_type(a.dtype)))
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        out = record(_plus_zero(_np_mean(a._data, dtype=a._data.dtype)), MeanBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_sizes = a._data.shape
            out._grad_fn.s_numel = a._data.size
        return out
    dims = _dims(dim, a._data.ndim)
    data = _plus_zero(
        _np_mean(a._data, axis=dims, keepdims=keepdim) if a._data.ndim else a._data.copy()
    )
    out = record(standard(data), MeanBackward1, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_dim, node.s_keepdim, node.s_sizes = dims, keepdim, a._data.shape
        node.s_numel = a._data.size
    return out


class return_types_max(NamedTuple):  # noqa: N801 - printed as torch.return_types.max
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"torch.return_types.max(\nvalues={self.values!r},\nindices={self.indices!r})"


class return_types_min(NamedTuple):  # noqa: N801 - printed as torch.return_types.min
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"torch.return_types.min(\nvalues={self.values!r},\nindices={self.indices!r})"


class MaxBackward1(Node):
    """d max(self) = grad shared evenly by the elements equal to the max."""

    __slots__ = ("s_self", "s_result")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        x, r = self._saved_self, self._saved_result
        mask = isnan(x) if np.isnan(r._data).any() else eq(x, r)
        # torch: zeros_like(input, contiguous).masked_fill_(mask, grad / count)
        zeros = plain(np.zeros(x._data.shape, dtype=x._data.dtype))
        return (masked.masked_fill(zeros, mask, div(grads[0], sum(mask)), keep_layout=True),)


class MinBackward1(MaxBackward1):
    """d min(self) = grad shared evenly by the elements equal to the min."""

    __slots__ = ()


class MaxBackward0(Node):
    """d max(self, dim) = grad scattered to the selected indices."""

    __slots__ = ("s_dim", "s_keepdim", "s_indices", "s_sizes")
    _saved = ("s_indices",)
    _saved_dim = SavedAttr("s_dim")
    _saved_keepdim = SavedAttr("s_keepdim")
    _saved_indices = SavedAttr("s_indices")
    _saved_self_sym_sizes = SavedAttr("s_sizes")

    def apply(self, grads):
        g, idx, dim = grads[0], self._saved_indices, self.s_dim
        if not self.s_keepdim and len(self.s_sizes):
            g = shape.unsqueeze(g, dim)
            idx = shape.unsqueeze(idx, dim)
        zeros = plain(np.zeros(self.s_sizes, dtype=g._data.dtype))
        return (scatter(zeros, dim, idx, g),)


class MinBackward0(MaxBackward0):
    """d min(self, dim) = grad scattered to the selected indices."""

    __slots__ = ()


def _extreme(a: Tensor, dim, keepdim: bool, is_max: bool):
    data = a._data
    if data.size == 0 and dim is None:
        raise RuntimeError(_errors.EXTREME_EMPTY.format("max" if is_max else "min"))
    if dim is None:
        value = np.max(data) if is_max else np.min(data)
        out = record(value, MaxBackward1 if is_max else MinBackward1, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = save(a)
            out._grad_fn.s_result = save_result(out)
        return out
    pick = np.argmax if is_max else np.argmin
    out, indices = select_along(a, dim, keepdim, lambda x, d: pick(x, axis=d, keepdims=True),
                                MaxBackward0 if is_max else MinBackward0,
                                "max" if is_max else "min")  # fmt: skip
    return (return_types_max if is_max else return_types_min)(out, indices)


def select_along(a: Tensor, dim: int, keepdim: bool, index_of, node_cls, name: str) -> tuple:
    """``(values, indices)`` of one element per slice along ``dim`` (``name``: max, min,
    median): ``index_of(data, d)`` gives the chosen indices (keepdims); ``node_cls``
    scatters the gradient back to them. Other dims may be empty; ``dim`` itself may not."""
    data = a._data
    d = normalize_dim(dim, data.ndim)
    if data.ndim and data.shape[d] == 0:
        raise IndexError(_errors.EXTREME_EMPTY_DIM.format(name, d))
    if data.ndim == 0:
        idx, values = np.zeros((), dtype=np.int64), data.copy()
    else:
        idx = index_of(data, d)
        values = np.take_along_axis(data, idx, axis=d)
        if not keepdim:
            idx, values = np.squeeze(idx, axis=d), np.squeeze(values, axis=d)
    indices = plain(standard(idx.astype(np.int64)))
    out = record(standard(values), node_cls, (a,))
    node = out._grad_fn
    if node is not None:
        node.s_dim, node.s_keepdim, node.s_sizes = d, keepdim, data.shape
        node.s_indices = save(indices)
    return out, indices


def max(a: Tensor, dim=None, keepdim: bool = False):  # noqa: A001 - torch's name
    """The largest element, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):
        return piecewise.maximum(a, dim)
    return _extreme(a, dim, keepdim, True)


def min(a: Tensor, dim=None, keepdim: bool = False):  # noqa: A001 - torch's name
    """The smallest element, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):
        return piecewise.minimum(a, dim)
    return _extreme(a, dim, keepdim, False)


def argmax(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return plain(np.asarray(np.argmax(a._data), dtype=np.int64))
    return plain(np.argmax(a._data, axis=normalize_dim(dim, a.ndim), keepdims=keepdim))


def argmin(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return plain(np.asarray(np.argmin(a._data), dtype=np.int64))
    return plain(np.argmin(a._data, axis=normalize_dim(dim, a.ndim), keepdims=keepdim))


class ScatterBackward0(Node):
    """d scatter(self, dim, index, src) = grad with index zeroed, grad.gather(dim, index)."""

    __slots__ = ("s_dim", "s_index")
    _saved = ("s_index",)
    _saved_dim = SavedAttr("s_dim")
    _saved_index = SavedAttr("s_index")

    def apply(self, grads):
        (g,) = grads
        idx = self._saved_index
        zeros = plain(np.zeros(idx._data.shape, dtype=g._data.dtype))
        ga = scatter(g, self.s_dim, idx, zeros) if self._needs(0) else None
        gs = gather(g, self.s_dim, idx) if self._needs(1) else None
        return ga, gs


def scatter(a: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """Math: a copy of ``a`` with ``src`` written at ``index`` along ``dim``."""
    data = a._data.copy()
    if data.ndim == 0:  # a 0-dim scatter (max(dim) of a 0-dim tensor) writes the value
        data = src._data.astype(data.dtype).reshape(())
    else:
        np.put_along_axis(data, index._data, src._data.astype(data.dtype), axis=dim)
    out = record(data, ScatterBackward0, (a, src))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = dim
        out._grad_fn.s_index = save(index)
    return out


class GatherBackward0(Node):
    """d gather(self, dim, index) = zeros scattered-added with grad at index."""

    __slots__ = ("s_dim", "s_index", "s_sizes")
    _saved = ("s_index",)
    _saved_dim = SavedAttr("s_dim")
    _saved_index = SavedAttr("s_index")

    def apply(self, grads):
        # torch's gather_backward: zeros.scatter_add(dim, index, grad), differentiable.
        (g,) = grads
        zeros = plain(np.zeros(self.s_sizes, dtype=g._data.dtype))
        return (scatter_add(zeros, self.s_dim, self._saved_index, g),)


class ScatterAddBackward0(Node):
    """d scatter_add(self, dim, index, src) = grad, grad.gather(dim, index)."""

    __slots__ = ("s_dim", "s_index")
    _saved = ("s_index",)
    _saved_dim = SavedAttr("s_dim")
    _saved_index = SavedAttr("s_index")

    def apply(self, grads):
        (g,) = grads
        gs = gather(g, self.s_dim, self._saved_index) if self._needs(1) else None
        return (g if self._needs(0) else None), gs


def scatter_add(a: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """Math: a copy of ``a`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    data = a._data.copy()
    if data.ndim == 0:
        data = data + src._data.astype(data.dtype).reshape(())
    else:
        coords = list(np.indices(index._data.shape))
        coords[dim] = index._data
        np.add.at(data, tuple(coords), src._data[tuple(slice(0, s) for s in index._data.shape)])
    out = record(data, ScatterAddBackward0, (a, src))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = dim
        out._grad_fn.s_index = save(index)
    return out


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """Math: out[i][j] = a[index[i][j]][j] (for dim 0), as ``torch.gather``."""
    if a._data.ndim == 0:  # 0-dim: the only element (torch allows dim 0 / -1 here)
        data = a._data.copy()
    else:
        data = np.take_along_axis(a._data, index._data, axis=dim)
    out = record(data, GatherBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = dim
        out._grad_fn.s_index = save(index)
        out._grad_fn.s_sizes = a._data.shape
    return out


def sum_to(grad: Tensor, sizes: tuple) -> Tensor:
    """The adjoint of broadcasting (torch's ``at::sum_to``): sum ``grad`` down to ``sizes``.

    Leading dimensions are summed away and dimensions where ``sizes`` has 1 are summed
    with keepdim; recorded as ``SumBackward1`` then ``ViewBackward0``, as torch does.
    Example: a (2, 3) gradient for a (3,) input is summed over dim 0.
    """
    sizes = tuple(sizes)
    gshape = grad._data.shape
    if not sizes:  # torch: always grad.sum() for a 0-dim target, even from a 0-dim grad
        return sum(grad)
    if gshape == sizes:
        return grad
    lead = len(gshape) - len(sizes)
    dims = list(range(lead))
    for i, s in enumerate(sizes):
        if s == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    if dims:
        grad = sum(grad, dims, keepdim=True)
    if lead > 0:
        grad = shape.view(grad, sizes)
    return grad
