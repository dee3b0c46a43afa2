"""``minigrad.nn.functional`` (``F``): the operations behind the layers.

Example:
    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.mse_loss(mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([0.0, 0.0]))
    tensor(2.5000, grad_fn=<MseLossBackward0>)
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _errors
from .._type_names import scalar_type
from ..ops import linalg as _la
from ..ops import shape as _sh
from ..ops._sizes import check_broadcast
from ..ops.arithmetic import add
from ..ops.piecewise import relu as _relu
from ..ops.unary import sigmoid as _sigmoid
from ..ops.unary import tanh as _tanh
from ..tensor import Tensor
from ._mse_loss import REDUCTIONS, mse_loss_op

__all__ = ["linear", "relu", "tanh", "sigmoid", "mse_loss"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Math: input @ weightᵀ + bias, recorded as torch records it.

    2-D input: one ``addmm`` (``AddmmBackward0``); other contiguous input: flattened to
    2-D, ``addmm``, viewed back (``ViewBackward0``); without bias: ``matmul``.
    """
    wt = _sh.t(weight)
    if bias is None:
        return _la.matmul(input, wt)
    nd = input._data.ndim
    if nd == 2:
        _check_same_dtype(input, weight)
        return _la.addmm(bias, input, wt)
    if nd >= 1 and input._data.flags.c_contiguous:
        _check_same_dtype(input, weight)
        sizes = input._data.shape
        rows = 1
        for s in sizes[:-1]:
            rows *= s
        out = _la.addmm(bias, _sh.reshape(input, (rows, sizes[-1])), wt)
        return _sh.view(out, sizes[:-1] + (out._data.shape[1],))
    return add(_la.matmul(input, wt), bias)


def _check_same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            _errors.ADDMM_DTYPES.format("mat1", scalar_type(a.dtype), scalar_type(b.dtype))
        )


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Math: max(input, 0)."""
    if inplace:
        return input.relu_()
    return _relu(input)


def tanh(input: Tensor) -> Tensor:
    """Math: tanh(input)."""
    return _tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """Math: 1 / (1 + exp(-input))."""
    return _sigmoid(input)


def _legacy_reduction(size_average, reduce) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    warnings.warn(_errors.LEGACY_REDUCTION_WARNING.format(ret), UserWarning, stacklevel=3)
    return ret


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Math: mean((input - target)²) (``reduction="mean"``), the sum, or the squares.

    Different shapes are broadcast, with torch's warning, since that is rarely intended.
    """
    if target.size() != input.size():
        warnings.warn(
            _errors.MSE_SIZE_WARNING.format(target.size(), input.size()), UserWarning, stacklevel=2
        )
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(_errors.INVALID_REDUCTION.format(reduction))
    if input._data.shape != target._data.shape:
        shape = _broadcast_shape(input._data.shape, target._data.shape)
        check_broadcast(input._data.shape, target._data.shape)
        if input._data.shape != shape:
            input = _sh.expand(input, shape)
        if target._data.shape != shape:
            target = _sh.expand(target, shape)
    return mse_loss_op(input, target, REDUCTIONS[reduction])


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return ()
