"""Order: ``argsort`` (no gradient: indices) and ``median``.

``median(x)`` is the lower of the two middle values for an even count; its gradient is
shared evenly by every element equal to it (as for ``max``). ``median(x, dim)`` returns
``(values, indices)`` and sends the gradient to the selected indices.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([4.0, 1.0, 3.0, 2.0], requires_grad=True)
    >>> mg.median(x)
    tensor(2., grad_fn=<MedianBackward0>)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd.saved import save, save_result
from ..tensor import Tensor
from ._layout import standard
from ._sizes import normalize_dim
from .record import plain, record
from .reduction import MaxBackward0, MaxBackward1, select_along

__all__ = ["argsort", "median"]


def _sort_keys(data: np.ndarray, descending: bool) -> np.ndarray:
    if not descending:
        return data
    keys = -data.astype(np.float64) if data.dtype.kind != "b" else ~data
    if keys.dtype.kind == "f":
        keys = np.where(np.isnan(keys), -np.inf, keys)  # NaN counts as the largest
    return keys


def argsort(a: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``a`` along ``dim`` (int64; ties keep their order)."""
    if a._data.ndim == 0:
        return plain(np.zeros((), dtype=np.int64))
    d = normalize_dim(dim, a._data.ndim)
    order = np.argsort(_sort_keys(a._data, descending), axis=d, kind="stable")
    return plain(standard(order.astype(np.int64)))


class return_types_median(NamedTuple):  # noqa: N801 - printed as torch.return_types.median
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"torch.return_types.median(\nvalues={self.values!r},\nindices={self.indices!r})"


return_types_median.__name__ = return_types_median.__qualname__ = "median"


class MedianBackward0(MaxBackward1):
    """d median(self) = grad shared evenly by the elements equal to the median."""

    __slots__ = ()


class MedianBackward1(MaxBackward0):
    """d median(self, dim) = grad scattered to the selected indices."""

    __slots__ = ()


def _lower_median_index(data: np.ndarray, axis: int) -> np.ndarray:
    """Index of the lower median along ``axis`` (NaN, if any, is the median: torch)."""
    n = data.shape[axis]
    order = np.argsort(data, axis=axis, kind="stable")  # NaNs sort last
    pick = np.take(order, [(n - 1) // 2], axis=axis)
    has_nan = np.isnan(data).any(axis=axis, keepdims=True) if data.dtype.kind == "f" else None
    if has_nan is not None and has_nan.any():
        first_nan = np.argmax(np.isnan(data), axis=axis)
        pick = np.where(has_nan, np.expand_dims(first_nan, axis), pick)
    return pick


def median(a: Tensor, dim=None, keepdim: bool = False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
    data = a._data
    if dim is None:
        flat = data.reshape(-1)
        idx = _lower_median_index(flat, 0)[0] if flat.size else 0
        value = flat[idx] if flat.size else np.array(np.nan, dtype=data.dtype)
        out = record(np.asarray(value, dtype=data.dtype), MedianBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = save(a)
            out._grad_fn.s_result = save_result(out)
        return out
    out, indices = select_along(a, dim, keepdim, _lower_median_index, MedianBackward1, "median")
    return return_types_median(out, indices)
