"""The ``torch.*`` functions (``mg.exp(x)``, ``mg.cat([...])``, ...) over the operations."""

from __future__ import annotations

from . import _errors
from .autograd.grad_mode import _state
from .ops import arithmetic, inplace
from .ops.arithmetic import neg, reciprocal, rsub
from .ops.compare import (
    all,
    allclose,
    eq,
    ge,
    gt,
    isnan,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
)
from .ops.diagonal import diagonal
from .ops.inplace import setitem  # noqa: F401 - re-exported for completeness
from .ops.linalg import addmm, bmm, dot, matmul, mm, mv
from .ops.masked import masked_fill, where
from .ops.order import argsort, median
from .ops.piecewise import abs, clamp, maximum, minimum, relu, sgn, sign
from .ops.power import pow
from .ops.reduction import argmax, argmin, max, min
from .ops.reduction import mean as _mean
from .ops.reduction import sum as _sum
from .ops.repeat import repeat as _repeat  # noqa: F401 - loads ops.repeat (Tensor.repeat)
from .ops.rounding import floor_divide, nextafter
from .ops.scan import cumprod, cumsum, flip, prod
from .ops.shape import cat, clone, flatten, select, squeeze, stack, t, transpose, unbind, unsqueeze
from .ops.shape import permute as _permute
from .ops.shape import reshape as _reshape
from .ops.split import chunk, split, split_with_sizes
from .ops.statistics import var, var_mean
from .ops.unary import cos, exp, exp2, log, sigmoid, sin, sqrt, tanh
from .tensor import Tensor

clip = clamp

__all__ = [
    "abs", "add", "addmm", "all", "allclose", "argmax", "argmin", "argsort", "bmm", "cat",
    "chunk", "clamp", "clip", "clone", "cos", "cumprod", "cumsum", "diagonal", "div", "dot", "eq",
    "exp", "exp2", "flatten", "flip", "floor_divide", "ge", "gt", "is_tensor", "isnan", "le",
    "log", "median", "nextafter", "split", "split_with_sizes", "var", "var_mean",
    "logical_and", "logical_not", "logical_or", "lt", "masked_fill", "matmul", "max",
    "maximum", "mean", "min", "minimum", "mm", "mul", "mv", "ne", "neg", "numel", "permute",
    "pow", "prod", "reciprocal", "relu", "reshape", "rsub", "select", "sigmoid", "sign", "sgn",
    "sin", "sqrt", "square", "squeeze", "stack", "sub", "sum", "t", "tanh", "transpose",
    "unbind", "unsqueeze", "where",
]  # fmt: skip


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


def square(t: Tensor) -> Tensor:
    return pow(t, 2)


def reshape(t: Tensor, shape) -> Tensor:
    return _reshape(t, tuple(shape))


def permute(t: Tensor, dims) -> Tensor:
    return _permute(t, tuple(dims))


def sum(t: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None) -> Tensor:  # noqa: A001
    return _sum(t, dim if axis is None else axis, keepdim, dtype=dtype)


def mean(t: Tensor, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:
    return _mean(t, dim if axis is None else axis, keepdim)


def _into(name: str, out: Tensor | None, fn, *args, **kwargs) -> Tensor:
    """torch's ``out=``: the result written into ``out``. Not recorded, so refused when an
    input or ``out`` requires grad in grad mode; ``out`` is resized if its shape differs."""
    if out is None:
        return fn(*args, **kwargs)
    tensors = [a for a in args if isinstance(a, Tensor)] + [out]
    if _state.enabled and any(t.requires_grad for t in tensors):
        raise RuntimeError(_errors.OUT_REQUIRES_GRAD.format(name))
    result = fn(*args, **kwargs)
    if result._data.shape == out._data.shape:
        return inplace.copy_(out, result)
    out._data = result._data.astype(out._data.dtype)  # torch resizes out to the result
    inplace.bump_version(out)
    return out


def add(input, other, *, alpha=1, out=None) -> Tensor:  # noqa: A002 - torch's names
    return _into("add", out, arithmetic.add, input, other, alpha=alpha)


def sub(input, other, *, alpha=1, out=None) -> Tensor:  # noqa: A002 - torch's names
    return _into("sub", out, arithmetic.sub, input, other, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:  # noqa: A002 - torch's names
    return _into("mul", out, arithmetic.mul, input, other)


def div(input, other, *, out=None) -> Tensor:  # noqa: A002 - torch's names
    return _into("div", out, arithmetic.div, input, other)
