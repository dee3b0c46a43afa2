"""The ``torch.*`` functions (``mg.exp(x)``, ``mg.cat([...])``, ...) over the operations."""

from __future__ import annotations

from .ops.arithmetic import add, div, mul, neg, reciprocal, rsub, sub
from .ops.compare import eq, ge, gt, isnan, le, logical_and, logical_not, logical_or, lt, ne
from .ops.inplace import setitem  # noqa: F401 - re-exported for completeness
from .ops.linalg import addmm, bmm, dot, matmul, mm, mv
from .ops.masked import masked_fill, where
from .ops.piecewise import abs, clamp, maximum, minimum, relu, sgn, sign
from .ops.power import pow
from .ops.reduction import argmax, argmin, max, mean, min, sum
from .ops.scan import cumprod, cumsum, flip, prod
from .ops.shape import cat, clone, flatten, select, squeeze, stack, t, transpose, unbind, unsqueeze
from .ops.shape import permute as _permute
from .ops.shape import reshape as _reshape
from .ops.unary import cos, exp, log, sigmoid, sin, sqrt, tanh
from .tensor import Tensor

clip = clamp

__all__ = [
    "abs", "add", "addmm", "argmax", "argmin", "bmm", "cat", "clamp", "clip", "clone", "cos",
    "cumprod", "cumsum", "div", "dot", "eq", "exp", "flatten", "flip", "ge", "gt", "is_tensor", "isnan", "le", "log",
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
