"""The ``torch.Tensor`` methods that are operations: ``x * y``, ``x.exp()``, ``x.sum()``, ...

Each is one line calling the operation it names: ``x * y`` is ``ops.arithmetic.mul(x, y)``,
``x.exp()`` is ``ops.unary.exp(x)``. ``Tensor`` inherits them (``class
Tensor(TensorMethods)``): this is the one place where ``Tensor`` gets its operations,
written out method by method. The operation modules import ``Tensor``, so the methods reach
them through the ``ops`` package when they run, by which time every module is loaded.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * 3).sum()                        # ops.reduction.sum(ops.arithmetic.mul(x, 3))
    tensor(9., grad_fn=<SumBackward0>)
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _dtype, _errors, ops
from .ops._layout import elem_strides
from .ops._sizes import normalize_dim, shape_arg

__all__ = ["TensorMethods"]


class TensorMethods:
    """``Tensor``'s operators and operation methods, each calling ``minigrad.ops``."""

    __slots__ = ()

    # -- layout --------------------------------------------------------------------------
    def stride(self, dim: int | None = None):
        """Elements to step over to move by one along each dimension (0 where expanded).

        Example: ``mg.ones(2, 3).stride()`` is ``(3, 1)``; ``.t().stride()`` is ``(1, 3)``.
        """
        steps = elem_strides(self._data)  # torch's strides, also for empty tensors
        if dim is None:
            return steps
        return steps[normalize_dim(dim, self._data.ndim)]

    # -- operators (an operand of another type gets NotImplemented: see _OPERAND_TYPES) -----
    def __add__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.add(self, other)

    def __radd__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.add(self, other)

    def __sub__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.sub(self, other)

    def __rsub__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.rsub(self, other)

    def __mul__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.mul(self, other)

    def __rmul__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.mul(self, other)

    def __truediv__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.div(self, other)

    def __rtruediv__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.arithmetic.rdiv(self, other)

    def __pow__(self, exponent):
        if not isinstance(exponent, _OPERAND_TYPES):
            return NotImplemented
        return ops.power.pow(self, exponent)

    def __rpow__(self, base):
        if not isinstance(base, _OPERAND_TYPES):
            return NotImplemented
        return ops.power.pow(base, self)

    def __neg__(self):
        return ops.arithmetic.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.piecewise.abs(self)

    def __matmul__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.linalg.matmul(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.linalg.matmul(other, self)

    def __iadd__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.inplace.add_(self, other)

    def __isub__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.inplace.sub_(self, other)

    def __imul__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.inplace.mul_(self, other)

    def __itruediv__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.inplace.div_(self, other)

    def __eq__(self, other):  # type: ignore[override]
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.eq(self, other)

    def __ne__(self, other):  # type: ignore[override]
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.ne(self, other)

    def __lt__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.lt(self, other)

    def __le__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.le(self, other)

    def __gt__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.gt(self, other)

    def __ge__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.ge(self, other)

    def __getitem__(self, index):
        return ops.shape.getitem(self, index)

    def __setitem__(self, index, value) -> None:
        ops.inplace.setitem(self, index, value)

    def __floordiv__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.rounding.floor_divide(self, other)

    def __rfloordiv__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.rounding.floor_divide(other, self)

    def __invert__(self):
        return ops.compare.logical_not(self)

    def __and__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.logical_and(self, other)

    def __or__(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return ops.compare.logical_or(self, other)

    # -- methods mirroring torch.Tensor --------------------------------------------------
    def add(self, other, alpha=1):
        return ops.arithmetic.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return ops.arithmetic.sub(self, other, alpha=alpha)

    def mul(self, other):
        return ops.arithmetic.mul(self, other)

    def div(self, other):
        return ops.arithmetic.div(self, other)

    def pow(self, exponent):
        return ops.power.pow(self, exponent)

    def square(self):
        return ops.power.pow(self, 2)

    def neg(self):
        return ops.arithmetic.neg(self)

    def reciprocal(self):
        return ops.arithmetic.reciprocal(self)

    def exp(self):
        return ops.unary.exp(self)

    def exp2(self):
        return ops.unary.exp2(self)

    def prod(self, dim: int | None = None, keepdim: bool = False):
        return ops.scan.prod(self, dim, keepdim)

    def cumsum(self, dim: int):
        return ops.scan.cumsum(self, dim)

    def cumprod(self, dim: int):
        return ops.scan.cumprod(self, dim)

    def flip(self, *dims, **kwargs):
        """``x.flip(0)``, ``x.flip(0, 1)``, ``x.flip((0, 1))`` or ``x.flip(dims=(0, 1))``."""
        if "dims" in kwargs:
            dims = (kwargs.pop("dims"),)
        if kwargs:
            raise TypeError(_errors.UNEXPECTED_KEYWORD.format("flip", next(iter(kwargs))))
        return ops.scan.flip(
            self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims
        )

    def norm(self):
        return ops.reduction.norm(self)

    def log(self):
        return ops.unary.log(self)

    def sqrt(self):
        return ops.unary.sqrt(self)

    def abs(self):
        return ops.piecewise.abs(self)

    def sgn(self):
        return ops.piecewise.sgn(self)

    def sign(self):
        return ops.piecewise.sign(self)

    def sin(self):
        return ops.unary.sin(self)

    def cos(self):
        return ops.unary.cos(self)

    def tanh(self):
        return ops.unary.tanh(self)

    def sigmoid(self):
        return ops.unary.sigmoid(self)

    def relu(self):
        return ops.piecewise.relu(self)

    def clamp(self, min=None, max=None):  # noqa: A002 - torch's names
        return ops.piecewise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.piecewise.maximum(self, other)

    def minimum(self, other):
        return ops.piecewise.minimum(self, other)

    def where(self, condition, other):
        return ops.masked.where(condition, self, other)

    def masked_fill(self, mask, value):
        return ops.masked.masked_fill(self, mask, value)

    def eq(self, other):
        return ops.compare.eq(self, other)

    def ne(self, other):
        return ops.compare.ne(self, other)

    def lt(self, other):
        return ops.compare.lt(self, other)

    def le(self, other):
        return ops.compare.le(self, other)

    def gt(self, other):
        return ops.compare.gt(self, other)

    def ge(self, other):
        return ops.compare.ge(self, other)

    def isnan(self):
        return ops.compare.isnan(self)

    def logical_and(self, other):
        return ops.compare.logical_and(self, other)

    def logical_or(self, other):
        return ops.compare.logical_or(self, other)

    def logical_not(self):
        return ops.compare.logical_not(self)

    def sum(self, dim=None, keepdim: bool = False, dtype=None, *, axis=None):
        return ops.reduction.sum(self, dim if axis is None else axis, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None):
        return ops.reduction.mean(self, dim if axis is None else axis, keepdim)

    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        return ops.statistics.var(self, dim, unbiased, keepdim, correction=correction)

    def median(self, dim=None, keepdim: bool = False):
        return ops.order.median(self, dim, keepdim)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return ops.order.argsort(self, dim, descending, stable)

    def all(self, dim=None, keepdim: bool = False):
        return ops.compare.all(self, dim, keepdim)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan: bool = False) -> bool:
        return ops.compare.allclose(self, other, rtol, atol, equal_nan)

    def floor_divide(self, other):
        return ops.rounding.floor_divide(self, other)

    def nextafter(self, other):
        return ops.rounding.nextafter(self, other)

    def max(self, dim=None, keepdim: bool = False):
        return ops.reduction.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return ops.reduction.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return ops.reduction.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return ops.reduction.argmin(self, dim, keepdim)

    def matmul(self, other):
        return ops.linalg.matmul(self, other)

    def mm(self, mat2):
        return ops.linalg.mm(self, mat2)

    def mv(self, vec):
        return ops.linalg.mv(self, vec)

    def dot(self, other):
        return ops.linalg.dot(self, other)

    def t(self):
        return ops.shape.t(self)

    @property
    def T(self):  # noqa: N802 - torch's name
        if self._data.ndim == 0:
            _errors.warn_once(_errors.T_0D_WARNING)  # once per process, as torch
        elif self._data.ndim != 2:
            _errors.warn_once(_errors.T_DEPRECATED_WARNING)
        return ops.shape.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    def transpose(self, dim0: int, dim1: int):
        return ops.shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return ops.shape.permute(self, dims)

    def view(self, *shape):
        return ops.shape.view(self, shape_arg(shape))

    def view_as(self, other):
        return ops.shape.view(self, other._data.shape)

    def reshape(self, *shape):
        return ops.shape.reshape(self, shape_arg(shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return ops.shape.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return ops.shape.unsqueeze(self, dim)

    def expand(self, *sizes):
        return ops.shape.expand(self, shape_arg(sizes))

    def expand_as(self, other):
        return ops.shape.expand(self, other._data.shape)

    def select(self, dim: int, index: int):
        return ops.shape.select(self, dim, index)

    def narrow(self, dim: int, start: int, length: int):
        return ops.shape.narrow(self, dim, start, length)

    def unbind(self, dim: int = 0):
        return ops.shape.unbind(self, dim)

    def split(self, split_size, dim: int = 0):
        return ops.split.split(self, split_size, dim)

    def split_with_sizes(self, split_sizes, dim: int = 0):
        return ops.split.split_with_sizes(self, split_sizes, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return ops.split.chunk(self, chunks, dim)

    def repeat(self, *sizes):
        return ops.repeat.repeat(self, shape_arg(sizes))

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        return ops.diagonal.diagonal(self, offset, dim1, dim2)

    def clone(self):
        return ops.shape.clone(self)

    def contiguous(self):
        return self if self._data.flags.c_contiguous else ops.shape.clone(self, contiguous=True)

    def to(self, dtype=None, *args, **kwargs):
        if isinstance(dtype, TensorMethods):  # a tensor: its dtype
            dtype = dtype.dtype
        if dtype is None or isinstance(dtype, str):  # a device such as "cpu"
            dtype = kwargs.get("dtype")
        return self if dtype is None else ops.cast.to_dtype(self, dtype)

    def type(self, dtype=None):
        if dtype is None:
            return self.dtype._legacy
        return self.to(dtype)

    def float(self):
        return ops.cast.to_dtype(self, _dtype.float32)

    def double(self):
        return ops.cast.to_dtype(self, _dtype.float64)

    def long(self):
        return ops.cast.to_dtype(self, _dtype.int64)

    def int(self):
        return ops.cast.to_dtype(self, _dtype.int32)

    def bool(self):
        return ops.cast.to_dtype(self, _dtype.bool)

    # -- in-place ------------------------------------------------------------------------
    def add_(self, other, alpha=1):
        return ops.inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, alpha=1):
        return ops.inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return ops.inplace.mul_(self, other)

    def div_(self, other):
        return ops.inplace.div_(self, other)

    def zero_(self):
        return ops.inplace.zero_(self)

    def fill_(self, value):
        return ops.inplace.fill_(self, value)

    def copy_(self, src):
        return ops.inplace.copy_(self, src)

    def clamp_(self, min=None, max=None):  # noqa: A002 - torch's names
        return ops.inplace.clamp_(self, min, max)

    def t_(self):
        return ops.shape_inplace.t_(self)

    def transpose_(self, dim0: int, dim1: int):
        return ops.shape_inplace.transpose_(self, dim0, dim1)

    def swapdims_(self, dim0: int, dim1: int):
        return ops.shape_inplace.swapdims_(self, dim0, dim1)

    def squeeze_(self, dim=None):
        return ops.shape_inplace.squeeze_(self, dim)

    def unsqueeze_(self, dim: int):
        return ops.shape_inplace.unsqueeze_(self, dim)

    def exp_(self):
        return ops.inplace.exp_(self)

    def relu_(self):
        return ops.inplace.relu_(self)


# What an operator accepts besides a tensor (TensorMethods covers Tensor and Parameter). Any
# other operand (t + None) gets NotImplemented, so Python raises its TypeError ("unsupported
# operand type(s)") or compares by identity for ==, as torch's operators do.
_OPERAND_TYPES = (TensorMethods, numbers.Number, np.generic, np.ndarray)
