"""torch's type promotion, and the Python numbers it wraps as tensors (fidelity).

The result dtype of ``a + b`` depends on more than the two dtypes: dimensioned tensors
outrank 0-dim tensors, which outrank Python numbers, and a lower-ranked operand changes
the result only if it is of a higher category (bool < integer < floating). A Python
number inside an operation becomes a ``WrappedNumber``: a 0-dim tensor that keeps the
lowest rank wherever it goes, e.g. when a backward formula multiplies by it.

Example: ``int_tensor * 2.5`` is float32; ``float32_tensor * 2.5`` stays float32; a 0-dim
float64 tensor times a float32 vector gives float32.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype, _errors
from ..tensor import Tensor

__all__ = ["is_scalar", "result_dtype", "WrappedNumber", "scalar_tensor", "as_array"]

_PY_NUMBERS = (float, int, bool)


def is_scalar(x) -> bool:
    """A Python (or numpy) number used as an operand: torch's 'wrapped number'."""
    if type(x) in _PY_NUMBERS:  # the common case, without the slow ABC isinstance
        return True
    return isinstance(x, (numbers.Number, np.number, np.bool_)) and not isinstance(x, Tensor)


def _scalar_dtype(x) -> _dtype.dtype:
    if isinstance(x, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(x, (numbers.Integral, np.integer)):
        return _dtype.int64
    if isinstance(x, complex):
        raise TypeError(_errors.NO_COMPLEX_NUMBERS)
    return _dtype.float32  # a Python float counts as the default dtype, as in torch


def result_dtype(*operands) -> _dtype.dtype:
    """torch's type promotion: dimensioned tensors > 0-dim tensors > Python scalars.

    A lower-priority operand changes the result only if it is of a higher category
    (bool < integer < floating), e.g. ``int_tensor * 2.5`` is float32.
    """
    if len(operands) == 2:
        # Fast paths (most ops): a float tensor with a Python number (or one wrapped by a
        # backward formula), or two tensors of one dtype: the tensor's dtype either way.
        a, b = operands
        if type(a) is Tensor:
            tb = type(b)
            if tb is float or tb is int or tb is WrappedNumber:
                if a._data.dtype.kind == "f":
                    return _dtype.to_dtype(a._data.dtype)
            elif tb is Tensor and a._data.dtype == b._data.dtype:
                return _dtype.to_dtype(a._data.dtype)
    groups: list = [None, None, None]  # dim tensors, zero-dim tensors, scalars
    for x in operands:
        if isinstance(x, Tensor) and type(x) is not WrappedNumber:
            d = x.dtype
            i = 0 if x._data.ndim else 1
        elif isinstance(x, WrappedNumber):
            d = _scalar_dtype(x._data.item())
            i = 2
        else:
            d = _scalar_dtype(x)
            i = 2
        groups[i] = d if groups[i] is None else _dtype.promote_types(groups[i], d)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def _combine(higher, lower):
    # c10's combine_categories: the higher-priority dtype wins unless the lower one is of
    # a higher category.
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is _dtype.bool or lower.is_floating_point:
        return _dtype.promote_types(higher, lower)
    return higher


class WrappedNumber(Tensor):
    """A Python number wrapped as a 0-dim tensor: it keeps a scalar's (low) priority in
    type promotion wherever it goes, e.g. when a backward formula multiplies by it."""

    __slots__ = ()


def scalar_tensor(x) -> Tensor:
    """A Python number as the 0-dim tensor torch wraps it in (int64, float64 or bool)."""
    if type(x) is float:  # the common case first: no ABC isinstance
        return WrappedNumber._make(np.array(x))
    if isinstance(x, (bool, np.bool_)):
        arr = np.array(x, dtype=np.bool_)
    elif isinstance(x, (numbers.Integral, np.integer)):
        arr = np.array(x, dtype=np.int64)
    else:
        arr = np.array(x, dtype=np.float64)
    return WrappedNumber._make(arr)


def as_array(x, np_dtype) -> np.ndarray | float:
    """The numpy value of a tensor or scalar operand, in the computation dtype.

    A Python float stays a float when the computation is floating: numpy (NEP 50) then
    casts it to the other operand's dtype, which is what torch does with a wrapped number.
    """
    if isinstance(x, Tensor):
        d = x._data
        return d if d.dtype == np_dtype else d.astype(np_dtype)
    if type(x) is float and isinstance(np_dtype, np.dtype) and np_dtype.kind == "f":
        return x
    return np.asarray(x, dtype=np_dtype)
