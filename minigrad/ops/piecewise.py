"""Functions defined piece by piece: abs, sgn, sign, relu, clamp, maximum, minimum.

Their derivative picks a piece: 1 or -1 (abs), 0 or 1 (relu, clamp), the gradient sent
to the larger input (maximum), split in half on a tie. ``sgn``'s derivative is zero
everywhere, and torch returns it as a ZeroTensor (``_zerotensor``).
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from . import masked
from ._elementwise import binary_operands, laid_out, unary_result, zeros_scalar
from ._zerotensor import zero_tensor
from .arithmetic import div_scalar, mul
from .backward_ops import threshold_backward
from .compare import eq, ge, gt, le, logical_and, lt
from .record import plain, record

__all__ = ["abs", "sgn", "sign", "relu", "clamp", "maximum", "minimum"]


class AbsBackward0(Node):
    """d|self| = grad·sgn(self) (0 at 0)."""

    __slots__ = ("s_self",)
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")

    def apply(self, grads):
        return (mul(grads[0], sgn(self._saved_self)),)


def abs(a: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """Math: |a|."""
    out = record(unary_result(np.abs(a._data), a), AbsBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
    return out


class SgnBackward0(Node):
    """d sgn(self) = 0 for real inputs: torch returns a ZeroTensor (``zero_tensor``)."""

    __slots__ = ("s_self", "s_result")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        # Unpacked although unused, as torch does: a freed or modified one raises.
        self._saved_self, self._saved_result  # noqa: B018
        g = grads[0]._data
        return (zero_tensor(g.shape, g.dtype),)


class SignBackward0(Node):
    """d sign(self) = 0."""

    __slots__ = ()

    def apply(self, grads):
        return (plain(np.zeros_like(grads[0]._data)),)


def _sign_np(d: np.ndarray) -> np.ndarray:
    # torch: (0 < x) - (x < 0), so NaN gives 0 (np.sign gives NaN)
    if d.dtype.kind != "f":
        return np.sign(d)
    return (d > 0).astype(d.dtype) - (d < 0).astype(d.dtype)


def sgn(a: Tensor) -> Tensor:
    """Math: sign of a (-1, 0 or 1)."""
    out = record(unary_result(_sign_np(a._data), a), SgnBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_result = save_result(out)
    return out


def sign(a: Tensor) -> Tensor:
    """Math: sign of a (-1, 0 or 1)."""
    return record(unary_result(_sign_np(a._data), a), SignBackward0, (a,))


class ReluBackward0(Node):
    """d relu(self) = threshold_backward(grad, result, 0): grad where result > 0."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (threshold_backward(grads[0], self._saved_result, 0),)


def relu(a: Tensor) -> Tensor:
    """Math: max(a, 0)."""
    d = a._data
    # x < 0 ? 0 : x, as torch: keeps -0. and NaN (np.maximum would turn -0. into 0.)
    out = record(unary_result(np.where(d < 0, np.zeros((), d.dtype), d), a), ReluBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class ClampBackward1(Node):
    """d clamp(self, min, max) = grad where min ≤ self ≤ max, else 0."""

    __slots__ = ("s_self", "s_min", "s_max")
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")
    _saved_min = SavedAttr("s_min")
    _saved_max = SavedAttr("s_max")

    def apply(self, grads):
        (g,) = grads
        x = self._saved_self
        lo, hi = self.s_min, self.s_max
        if lo is not None and hi is not None:
            cond = logical_and(ge(x, lo), le(x, hi))
        elif lo is not None:
            cond = ge(x, lo)
        else:
            cond = le(x, hi)
        return (masked.where(cond, g, zeros_scalar(g)),)


def clamp(a: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """Math: min(max(a, min), max). min and max are numbers."""
    if min is None and max is None:
        raise RuntimeError(_errors.CLAMP_NO_BOUNDS)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        raise TypeError(_errors.CLAMP_TENSOR_BOUNDS)
    d = a._data
    data = d
    # torch's scalar kernel: std::min(std::max(x, min), max), i.e. x unless x < min (or
    # max < x): NaN stays NaN and -0.0 stays -0.0 (np.maximum(-0.0, 0.0) gives 0.0)
    if min is not None:
        lo = np.asarray(min, dtype=d.dtype)
        data = np.where(data < lo, lo, data)
    if max is not None:
        hi = np.asarray(max, dtype=d.dtype)
        data = np.where(hi < data, hi, data)
    out = record(
        unary_result(data.copy() if data is d else np.asarray(data), a), ClampBackward1, (a,)
    )
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a)
        node.s_min = min
        node.s_max = max
    return out


class MaximumBackward0(Node):
    """d max(self, other): grad to the larger input, split in half on ties."""

    __slots__ = ("s_self", "s_other")
    _saved = ("s_self", "s_other")
    _saved_self = SavedAttr("s_self")
    _saved_other = SavedAttr("s_other")
    _self_loses = staticmethod(lambda x, y: lt(x, y))

    def apply(self, grads):
        (g,) = grads
        x, y = self._saved_self, self._saved_other
        tie = eq(x, y)
        gx = gy = None
        if self._needs(1):  # "other" before "self", as torch
            gy = masked.masked_fill(
                masked.where(tie, div_scalar(g, 2), g),
                type(self)._self_loses(y, x),
                0,
                keep_layout=True,
            )
        if self._needs(0):
            gx = masked.masked_fill(
                masked.where(tie, div_scalar(g, 2), g),
                type(self)._self_loses(x, y),
                0,
                keep_layout=True,
            )
        return gx, gy


class MinimumBackward0(MaximumBackward0):
    """d min(self, other): grad to the smaller input, split in half on ties."""

    __slots__ = ()
    _self_loses = staticmethod(lambda x, y: gt(x, y))


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """Math: element-wise max(a, b)."""
    x, y = binary_operands(a, b)
    out = record(laid_out(np.maximum(x, y), x, y), MaximumBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_other = save(b)
    return out


def minimum(a: Tensor, b: Tensor) -> Tensor:
    """Math: element-wise min(a, b)."""
    x, y = binary_operands(a, b)
    out = record(laid_out(np.minimum(x, y), x, y), MinimumBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_other = save(b)
    return out
