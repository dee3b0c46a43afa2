"""Arithmetic: ``+``, ``-``, ``*``, ``/``, negation and reciprocal, with their backward nodes.

Each backward formula follows torch's ``derivatives.yaml`` and is written with minigrad
operations, so that under ``create_graph=True`` it is itself recorded: the graph of a
gradient then has the same nodes as torch's. A Python number operand gives the ``Scalar``
variant of a node (``x * 2`` records ``MulBackward0`` with a wrapped number; a backward
formula multiplying by a constant calls ``mul_scalar``: ``MulBackward1``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from ._elementwise import binary_operands, float_data, laid_out, unary_result, wrap_scalar
from ._promotion import is_scalar
from ._zerotensor import add_zero, as_zero
from .record import record

__all__ = [
    "add", "sub", "rsub", "mul", "div", "rdiv", "neg", "reciprocal", "add_scalar",
    "sub_scalar", "mul_scalar", "div_scalar",
]  # fmt: skip

# -- add / sub ------------------------------------------------------------------------------


class AddBackward0(Node):
    """d(self + alpha·other) = grad, alpha·grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        (g,) = grads
        alpha = self.s_alpha
        return g, (g if alpha == 1 else mul_scalar(g, alpha)) if self._needs(1) else None


class AddBackward1(Node):
    """d(self + scalar) = grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        return (grads[0],)


class SubBackward0(Node):
    """d(self - alpha·other) = grad, -alpha·grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        (g,) = grads
        if not self._needs(1):
            return g, None
        n = neg(g)
        return g, n if self.s_alpha == 1 else mul_scalar(n, self.s_alpha)


class SubBackward1(Node):
    """d(self - scalar) = grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        return (grads[0],)


class RsubBackward1(Node):
    """d(scalar - alpha·self) = -alpha·grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        n = neg(grads[0])
        return (n if self.s_alpha == 1 else mul_scalar(n, self.s_alpha),)


class RsubBackward0(Node):
    """d(other - alpha·self) = -alpha·grad, grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        (g,) = grads
        n = neg(g) if self._needs(0) else None
        if n is not None and self.s_alpha != 1:
            n = mul_scalar(n, self.s_alpha)
        return n, g


def add(a, b, alpha=1) -> Tensor:
    """Math: a + alpha·b. Example: ``mg.add(x, 1)`` is ``x + 1``."""
    if not isinstance(a, Tensor):
        a, b = b, a  # a Python scalar on the left: torch calls add(tensor, scalar)
    x, y = binary_operands(a, b)
    data = x + y if alpha == 1 else x + alpha * y
    zero_a, zero_b = a._zero, getattr(b, "_zero", False)
    if zero_a != zero_b:
        data = add_zero(data, x, y, zero_a, alpha)  # torch: a copy of the other operand
    elif data.ndim > 1:
        data = laid_out(data, x, y)
    out = record(data, AddBackward0, (a, wrap_scalar(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    if zero_a and zero_b:
        out._zero = True  # torch: ZeroTensor + ZeroTensor stays one
    return out


def sub(a, b, alpha=1) -> Tensor:
    """Math: a - alpha·b."""
    if not isinstance(a, Tensor):
        return rsub(b, a, alpha)
    x, y = binary_operands(a, b)
    data = x - y if alpha == 1 else x - alpha * y
    if data.ndim > 1:
        data = laid_out(data, x, y)
    out = record(data, SubBackward0, (a, wrap_scalar(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    return out


def rsub(a: Tensor, b, alpha=1) -> Tensor:
    """Math: b - alpha·a (``1 - w`` is ``rsub(w, 1)``: ``RsubBackward1``)."""
    x, y = binary_operands(a, b)
    data = y - x if alpha == 1 else y - alpha * x
    if data.ndim > 1:
        data = laid_out(data, y, x)  # torch computes other - alpha·self
    if is_scalar(b):
        out = record(data, RsubBackward1, (a,))
    else:
        out = record(data, RsubBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    return out


def add_scalar(a: Tensor, s) -> Tensor:
    """tensor + Scalar as backward formulas call it (``AddBackward1``)."""
    x, y = binary_operands(a, s)
    out = record(laid_out(x + y, x, y) if a._data.ndim > 1 else x + y, AddBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = 1
    return out


def sub_scalar(a: Tensor, s) -> Tensor:
    """tensor - Scalar as backward formulas call it (``SubBackward1``)."""
    x, y = binary_operands(a, s)
    out = record(laid_out(x - y, x, y) if a._data.ndim > 1 else x - y, SubBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = 1
    return out


class MulBackward0(Node):
    """d(self·other) = grad·other, grad·self."""

    __slots__ = ("s_self", "s_other")
    _saved = ("s_self", "s_other")
    _saved_self = SavedAttr("s_self")
    _saved_other = SavedAttr("s_other")

    def apply(self, grads):
        (g,) = grads
        # torch's generated code computes the inputs' gradients in alphabetical order of
        # their names (other before self); creation order decides the engine's priority
        # when this gradient is differentiated again.
        gb = mul(g, self._saved_self) if self._needs(1) else None
        ga = mul(g, self._saved_other) if self._needs(0) else None
        return ga, gb


class MulBackward1(Node):
    """d(self·scalar) = grad·scalar."""

    __slots__ = ("s_other",)
    _saved_other = SavedAttr("s_other")

    def apply(self, grads):
        return (mul_scalar(grads[0], self.s_other),)


def mul(a, b) -> Tensor:
    """Math: a·b, broadcast. Example: ``x * 3`` gives ``MulBackward0``."""
    if not isinstance(a, Tensor):
        a, b = b, a
    x, y = binary_operands(a, b)
    b = wrap_scalar(b)
    data = x * y
    if data.ndim > 1:
        data = laid_out(data, x, y)
    out = record(data, MulBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        # Only what a needed gradient uses is saved, as in torch.
        node.s_self = save(a) if isinstance(b, Tensor) and b._requires_grad else None
        node.s_other = save(b) if a._requires_grad else None
    if a._zero or b._zero:
        as_zero(out, a, b)  # torch: ZeroTensor · anything is a ZeroTensor, even · inf
    return out


def mul_scalar(a: Tensor, s) -> Tensor:
    """tensor · Scalar as backward formulas call it (``MulBackward1``)."""
    x, y = binary_operands(a, s)
    out = record(laid_out(x * y, x, y) if a._data.ndim > 1 else x * y, MulBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_other = s
    if a._zero:
        as_zero(out, a, s)
    return out


class DivBackward0(Node):
    """d(self/other) = grad/other, -grad·(self/other)/other."""

    __slots__ = ("s_self", "s_other")
    _saved = ("s_self", "s_other")
    _saved_self = SavedAttr("s_self")
    _saved_other = SavedAttr("s_other")

    def apply(self, grads):
        (g,) = grads
        other = self._saved_other
        gb = None
        if self._needs(1):  # "other" before "self", as torch
            gb = mul(neg(g), div(div(self._saved_self, other), other))
        ga = div(g, other) if self._needs(0) else None
        return ga, gb


class DivBackward1(Node):
    """d(self/scalar) = grad/scalar."""

    __slots__ = ("s_other",)
    _saved_other = SavedAttr("s_other")

    def apply(self, grads):
        return (div_scalar(grads[0], self.s_other),)


def div(a, b) -> Tensor:
    """Math: a / b (true division)."""
    if not isinstance(a, Tensor):
        return rdiv(b, a)
    x, y = binary_operands(a, b, true_div=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = x / y
    if data.ndim > 1:
        data = laid_out(data, x, y)
    b = wrap_scalar(b)
    out = record(data, DivBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if isinstance(b, Tensor) and b._requires_grad else None
        node.s_other = save(b)
    if a._zero:
        as_zero(out, a, b)  # torch: ZeroTensor / anything is a ZeroTensor
    return out


def rdiv(a: Tensor, b) -> Tensor:
    """``b / a`` for a Python scalar b: torch computes ``a.reciprocal() * b``."""
    if isinstance(b, Tensor):
        return div(b, a)
    return mul(reciprocal(a), b)


def div_scalar(a: Tensor, s) -> Tensor:
    """tensor / Scalar as backward formulas call it (``DivBackward1``)."""
    x, y = binary_operands(a, s, true_div=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = x / y
    out = record(laid_out(data, x, y) if a._data.ndim > 1 else data, DivBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_other = s
    return out  # (div.Scalar has no ZeroTensor kernel in torch: a ZeroTensor materializes)


class NegBackward0(Node):
    """d(-self) = -grad."""

    __slots__ = ()

    def apply(self, grads):
        return (neg(grads[0]),)


def neg(a: Tensor) -> Tensor:
    """Math: -a."""
    return record(unary_result(np.negative(a._data), a), NegBackward0, (a,))


class ReciprocalBackward0(Node):
    """d(1/self) = -grad·result²."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        r = self._saved_result
        return (mul(neg(grads[0]), mul(r, r)),)


def reciprocal(a: Tensor) -> Tensor:
    """Math: 1/a."""
    with np.errstate(divide="ignore"):
        data = np.reciprocal(float_data(a))
    out = record(unary_result(data, a), ReciprocalBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out
