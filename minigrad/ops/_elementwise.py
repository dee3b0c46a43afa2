"""Plumbing shared by the element-wise operations: operands in, result out, as torch does.

An element-wise op computes ``f(x, y)`` with numpy. Around that one line, torch decides
two things numpy decides differently, and these helpers make numpy agree:

- the dtype the operands are computed in (``binary_operands``: torch's type promotion,
  with Python numbers as low-priority "wrapped numbers", see ``_promotion``);
- the memory layout of the result (``unary_result``, ``laid_out``: see ``_layout``).

Example: for a float32 ``x``, ``binary_operands(x, 2)`` is ``(x's array, 2)`` computed in
float32, where numpy alone would give float64 for an int64 tensor times 2.5.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from ..tensor import Tensor
from ._layout import needs_layout, torch_layout
from ._promotion import as_array, is_scalar, result_dtype, scalar_tensor
from ._sizes import check_broadcast
from .record import plain

__all__ = [
    "binary_operands",
    "laid_out",
    "unary_result",
    "wrap_scalar",
    "float_data",
    "zeros_scalar",
]


def binary_operands(a, b, *, true_div: bool = False) -> tuple:
    """The numpy values of ``a`` and ``b`` in torch's result dtype."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    dt = result_dtype(a, b)
    if true_div and not dt.is_floating_point:
        dt = _dtype.float32  # integer / integer is true division in torch
    npd = dt.np
    return as_array(a, npd), as_array(b, npd)


def laid_out(data: np.ndarray, *arrays: np.ndarray) -> np.ndarray:
    """``data`` in torch's result layout when an operand is not C-contiguous."""
    return torch_layout(data, *arrays) if needs_layout(data, *arrays) else data


def unary_result(data: np.ndarray, a: Tensor) -> np.ndarray:
    """The result of an element-wise op on ``a`` alone, in torch's layout."""
    if data.ndim > 1 and needs_layout(data, a._data):
        return torch_layout(data, a._data)
    return data


def wrap_scalar(x):
    """A Python number operand becomes the 0-dim tensor torch wraps it in."""
    return scalar_tensor(x) if is_scalar(x) else x


def float_data(a: Tensor) -> np.ndarray:
    """Integer inputs of float functions compute in the default dtype, as in torch."""
    d = a._data
    return d if d.dtype.kind == "f" else d.astype(np.float32)


def zeros_scalar(like: Tensor) -> Tensor:
    """``at::zeros({}, grad.options())``: a 0-dim zero of ``like``'s dtype."""
    return plain(np.zeros((), dtype=like._data.dtype))
