"""``pow``: tensor ** number, tensor ** tensor and number ** tensor, with their backward nodes.

Math: d(xᵉ) = e·xᵉ⁻¹·dx + xᵉ·ln(x)·de. torch's formulas treat x = 0 specially (zero where
the exponent is ≥ 0), and its kernel takes exact shortcuts for e = ±0.5, 2, 3, -1, -2; both
are reproduced, so values and recorded graphs match.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from ._elementwise import binary_operands, laid_out, unary_result, zeros_scalar
from ._promotion import is_scalar, result_dtype
from .arithmetic import mul, mul_scalar, sub_scalar
from .cast import to_dtype
from .compare import eq, ge, logical_and
from .masked import where
from .record import plain, record
from .unary import log

__all__ = ["pow"]


class PowBackward0(Node):
    """d(self^e) = grad·(e·self^(e-1)); zero for e = 0."""

    __slots__ = ("s_self", "s_exponent")
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")
    _saved_exponent = SavedAttr("s_exponent")

    def apply(self, grads):
        (g,) = grads
        e = self.s_exponent
        x = self._saved_self
        if e == 0:
            return (plain(np.zeros_like(x._data)),)
        e = float(e)
        return (mul(g, mul_scalar(pow(x, e - 1.0), e)),)


class PowBackward1(Node):
    """d(self^exponent): exponent·self^(exponent-1) and self^exponent·log(self)."""

    __slots__ = ("s_self", "s_exponent", "s_result")
    _saved = ("s_self", "s_exponent", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_exponent = SavedAttr("s_exponent")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._apply(grads)

    def _apply(self, grads):
        (g,) = grads
        # torch unpacks every saved tensor first: a freed or modified one always raises.
        x, e, result = self._saved_self, self._saved_exponent, self._saved_result
        gx = g_exponent = None
        if self._needs(1):  # "exponent" before "self", as torch
            cond = logical_and(eq(x, 0), ge(e, 0))
            x_ = to_dtype(x, result_dtype(x, e))  # torch: self.to(result_type(self, exponent))
            g_exponent = mul(g, where(cond, zeros_scalar(g), mul(result, log(x_))))
        if self._needs(0):
            d = mul(g, mul(e, pow(x, sub_scalar(e, 1))))
            gx = where(eq(e, 0.0), zeros_scalar(g), d)
        return gx, g_exponent


class PowBackward2(Node):
    """d(base^exponent) for a scalar base = grad·base^exponent·log(base)."""

    __slots__ = ("s_self", "s_result", "s_exponent")
    _saved = ("s_result", "s_exponent")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")
    _saved_exponent = SavedAttr("s_exponent")

    def apply(self, grads):
        (g,) = grads
        base = self.s_self
        # torch saves (and so checks the version of) the exponent whatever the base
        e = self._saved_exponent
        result = self._saved_result
        if base == 0:
            # torch: zero where exponent >= 0, else result·log(0) = -inf·result.
            with np.errstate(invalid="ignore"):
                d = mul_scalar(result, -math.inf)
            return (mul(g, where(ge(e, 0), zeros_scalar(g), d)),)
        # torch: log of a negative base is NaN (a NaN gradient, not a Python error)
        log_base = math.log(base) if base > 0 else math.nan
        return (mul(g, mul_scalar(result, log_base)),)


def _pow_scalar(x, e):
    """torch's pow(tensor, scalar) kernel: special exponents take the exact shortcuts,
    which differ from pow() at signed zeros: (-0.0) ** -0.5 is 1 / sqrt(-0.0) = -inf."""
    if x.dtype.kind == "f":
        if e == 0.5:
            return np.sqrt(x)
        if e == 2:
            return x * x
        if e == 3:
            return x * x * x
        if e == -0.5:
            return 1 / np.sqrt(x)
        if e == -1:
            return 1 / x
        if e == -2:
            return 1 / (x * x)
    return np.power(x, e)


def pow(a, exponent) -> Tensor:  # noqa: A001 - torch's name
    """Math: a^exponent (tensor**scalar, tensor**tensor or scalar**tensor)."""
    if not isinstance(a, Tensor):
        # scalar ** tensor
        x, y = binary_operands(a, exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.power(x, y)
        out = record(data, PowBackward2, (exponent,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = a
            out._grad_fn.s_result = save_result(out)
            out._grad_fn.s_exponent = save(exponent)
        return out
    if is_scalar(exponent):
        x, y = binary_operands(a, exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = _pow_scalar(x, y)
        out = record(unary_result(data, a), PowBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = save(a)
            out._grad_fn.s_exponent = exponent
        return out
    x, y = binary_operands(a, exponent)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = laid_out(np.power(x, y), x, y)
    out = record(data, PowBackward1, (a, exponent))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a)
        node.s_exponent = save(exponent)
        node.s_result = save_result(out)  # saved (and checked) even if unused, as torch
    return out
