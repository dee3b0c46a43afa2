"""Smooth functions of one tensor: exp, log, sqrt, sin, cos, tanh, sigmoid.

Each is an operation (``exp``) next to its backward node (``ExpBackward0``). The operation
computes its value with numpy and calls ``record``; when that gives the result a
``grad_fn``, the operation saves on the node what the derivative needs. The node's
``apply`` is the derivative, written with minigrad operations so that it is recorded too
under ``create_graph=True``.

Math: d sin(x) = cos(x)·dx, so ``SinBackward0.apply(g)`` is ``g * cos(x)``. Read ``sin``
and ``SinBackward0`` first: every operation follows their pattern. ``unary_result`` and
``float_data`` only make numpy agree with torch on layout and dtype.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(0.0, requires_grad=True)
    >>> y = mg.sin(x)
    >>> y.grad_fn
    <SinBackward0 object at 0x...>
    >>> y.backward(); x.grad                  # cos(0)
    tensor(1.)
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from ._elementwise import float_data, unary_result
from .arithmetic import div, mul, mul_scalar, neg
from .backward_ops import sigmoid_backward, tanh_backward
from .record import record

__all__ = ["exp", "exp2", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"]


class SinBackward0(Node):
    """d(sin self) = grad·cos(self)."""

    __slots__ = ("s_self",)  # where sin() keeps its input for the derivative
    _saved = ("s_self",)  # slots holding saved tensors: freed after backward
    _saved_self = SavedAttr("s_self")  # torch's name for it: y.grad_fn._saved_self

    def apply(self, grads):
        # One gradient per output of sin in, one per input (next_functions) out.
        return (mul(grads[0], cos(self._saved_self)),)


def sin(a: Tensor) -> Tensor:
    """Math: sin a."""
    out = record(unary_result(np.sin(float_data(a)), a), SinBackward0, (a,))
    if out._grad_fn is not None:  # recorded: keep what the derivative needs
        out._grad_fn.s_self = save(a)
    return out


class CosBackward0(Node):
    """d(cos self) = grad·(-sin(self))."""

    __slots__ = ("s_self",)
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")

    def apply(self, grads):
        return (mul(grads[0], neg(sin(self._saved_self))),)


def cos(a: Tensor) -> Tensor:
    """Math: cos a."""
    out = record(unary_result(np.cos(float_data(a)), a), CosBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
    return out


class ExpBackward0(Node):
    """d(exp self) = grad·result."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (mul(grads[0], self._saved_result),)


def exp(a: Tensor) -> Tensor:
    """Math: e^a."""
    with np.errstate(over="ignore"):
        out = record(unary_result(np.exp(float_data(a)), a), ExpBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class Exp2Backward0(Node):
    """d(2^self) = grad·result·ln 2."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (mul_scalar(mul(grads[0], self._saved_result), math.log(2.0)),)


def exp2(a: Tensor) -> Tensor:
    """Math: 2^a."""
    with np.errstate(over="ignore"):
        out = record(unary_result(np.exp2(float_data(a)), a), Exp2Backward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class LogBackward0(Node):
    """d(log self) = grad / self."""

    __slots__ = ("s_self",)
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")

    def apply(self, grads):
        return (div(grads[0], self._saved_self),)


def log(a: Tensor) -> Tensor:
    """Math: ln a."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = record(unary_result(np.log(float_data(a)), a), LogBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
    return out


class SqrtBackward0(Node):
    """d(√self) = grad / (2·result)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (div(grads[0], mul_scalar(self._saved_result, 2)),)


def sqrt(a: Tensor) -> Tensor:
    """Math: √a."""
    with np.errstate(invalid="ignore"):
        out = record(unary_result(np.sqrt(float_data(a)), a), SqrtBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class TanhBackward0(Node):
    """d(tanh self) = tanh_backward(grad, result) = grad·(1 - result²)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (tanh_backward(grads[0], self._saved_result),)


def tanh(a: Tensor) -> Tensor:
    """Math: tanh a."""
    out = record(unary_result(np.tanh(float_data(a)), a), TanhBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class SigmoidBackward0(Node):
    """d σ(self) = sigmoid_backward(grad, result) = grad·result·(1 - result)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (sigmoid_backward(grads[0], self._saved_result),)


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    # torch computes 1 / (1 + e^-x): where e^-x overflows to inf, σ is exactly 0 (not the
    # subnormal e / (1 + e) gives)
    out[x < -np.log(np.finfo(x.dtype).max)] = 0.0
    return out


def sigmoid(a: Tensor) -> Tensor:
    """Math: σ(a) = 1 / (1 + e^-a)."""
    out = record(unary_result(_sigmoid_np(float_data(a)), a), SigmoidBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out
