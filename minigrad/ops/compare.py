"""Comparisons and logic: eq, ne, lt, le, gt, ge, isnan, logical_and/or/not.

Their results are bool tensors, never recorded: a comparison has no gradient.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._elementwise import binary_operands, laid_out
from ._promotion import as_array
from .record import plain

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "isnan", "logical_and", "logical_or", "logical_not"]


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
