"""Comparisons and logic: eq, ne, lt, le, gt, ge, isnan, logical_and/or/not, all, allclose.

Their results are bool tensors, never recorded: a comparison has no gradient.
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from .._type_names import scalar_type
from ..tensor import Tensor
from ._elementwise import binary_operands, laid_out
from ._promotion import as_array
from ._sizes import normalize_dim
from .record import plain

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "isnan", "logical_and", "logical_or", "logical_not",
    "all", "allclose",
]  # fmt: skip


def _compare(a, b, op) -> Tensor:
    x, y = binary_operands(a, b)
    return plain(laid_out(op(x, y), x, y))


def eq(a, b) -> Tensor:
    return _compare(a, b, np.equal)


def ne(a, b) -> Tensor:
    return _compare(a, b, np.not_equal)


def lt(a, b) -> Tensor:
    return _compare(a, b, np.less)


def le(a, b) -> Tensor:
    return _compare(a, b, np.less_equal)


def gt(a, b) -> Tensor:
    return _compare(a, b, np.greater)


def ge(a, b) -> Tensor:
    return _compare(a, b, np.greater_equal)


def isnan(a: Tensor) -> Tensor:
    return plain(np.isnan(a._data))


def logical_and(a, b) -> Tensor:
    return plain(np.logical_and(as_array(a, np.bool_), as_array(b, np.bool_)))


def logical_or(a, b) -> Tensor:
    return plain(np.logical_or(as_array(a, np.bool_), as_array(b, np.bool_)))


def logical_not(a) -> Tensor:
    return plain(np.logical_not(as_array(a, np.bool_)))


def all(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - torch's name
    """Whether every element is nonzero (along ``dim``): a bool tensor."""
    if dim is None:
        return plain(np.asarray(np.all(a._data)))
    return plain(np.all(a._data, axis=normalize_dim(dim, a._data.ndim), keepdims=keepdim))


def allclose(a: Tensor, b: Tensor, rtol=1e-05, atol=1e-08, equal_nan: bool = False) -> bool:
    """Math: |a - b| ≤ atol + rtol·|b| everywhere (broadcast); a Python bool."""
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            _errors.DTYPE_MISMATCH.format(scalar_type(a.dtype), scalar_type(b.dtype))
        )
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
