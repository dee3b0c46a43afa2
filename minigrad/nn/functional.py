"""``minigrad.nn.functional`` (``F``): the operations behind the layers.

Example:
    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.mse_loss(mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([0.0, 0.0]))
    tensor(2.5000, grad_fn=<MseLossBackward0>)
"""

from __future__ import annotations

import warnings

from ..ops import linalg as _la
from ..ops import pointwise as _pw
from ..ops import shape as _sh
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
    return _pw.add(_la.matmul(input, wt), bias)


def _check_same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        names = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{names.get(a.dtype.name, a.dtype.name)} and {names.get(b.dtype.name, b.dtype.name)}"
        )


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Math: max(input, 0)."""
    if inplace:
        raise NotImplementedError("minigrad has no in-place relu: use relu(x, inplace=False)")
    return _pw.relu(input)


def tanh(input: Tensor) -> Tensor:
    """Math: tanh(input)."""
    return _pw.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """Math: 1 / (1 + exp(-input))."""
    return _pw.sigmoid(input)


def _legacy_reduction(size_average, reduce) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=3,
    )
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
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if input._data.shape != target._data.shape:
        from ..ops._util import check_broadcast

        shape = _broadcast_shape(input._data.shape, target._data.shape)
        check_broadcast(input._data.shape, target._data.shape)
        if input._data.shape != shape:
            input = _sh.expand(input, shape)
        if target._data.shape != shape:
            target = _sh.expand(target, shape)
    return mse_loss_op(input, target, REDUCTIONS[reduction])


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    import numpy as np

    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return ()
