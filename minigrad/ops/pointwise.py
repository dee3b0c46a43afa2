"""Element-wise operations and their backward nodes.

Each backward formula follows torch's ``derivatives.yaml`` and is written with minigrad
operations, so that with ``create_graph=True`` it is itself recorded: the graph of a
gradient then has the same nodes as torch's (e.g. ``x**2`` gives ``grad * (2 * x.pow(1))``:
``MulBackward0 -> MulBackward1 -> PowBackward0``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from ..autograd.graph import Node
from ._layout import needs_layout, preserved, standard, torch_layout
from ._util import (
    SavedAttr,
    Tensor,
    as_array,
    as_zero,
    check_broadcast,
    is_scalar,
    plain,
    record,
    result_dtype,
    save,
    save_result,
    scalar_tensor,
    zero_tensor,
)

__all__ = [
    "add", "sub", "rsub", "mul", "div", "rdiv", "neg", "pow", "reciprocal", "exp", "log",
    "sqrt", "exp2", "abs", "sgn", "sign", "sin", "cos", "tanh", "sigmoid", "relu", "clamp",
    "maximum", "minimum", "where", "masked_fill", "to_dtype", "eq", "ne", "lt", "le", "gt",
    "ge", "isnan", "logical_and", "logical_or", "logical_not", "zeros_scalar", "masked_select",
    "masked_scatter",
]  # fmt: skip


def _binary(a, b, *, true_div: bool = False):
    """Operands as numpy arrays in torch's result dtype, and that dtype."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    dt = result_dtype(a, b)
    if true_div and not dt.is_floating_point:
        dt = _dtype.float32  # integer / integer is true division in torch
    npd = dt.np
    return as_array(a, npd), as_array(b, npd)


def _laid_out(data: np.ndarray, *arrays: np.ndarray) -> np.ndarray:
    """``data`` in torch's result layout when an operand is not C-contiguous (see _layout)."""
    return torch_layout(data, *arrays) if needs_layout(data, *arrays) else data


def _unary(data: np.ndarray, a: Tensor) -> np.ndarray:
    """The result of an element-wise op on ``a`` alone, in torch's layout (see _layout)."""
    if data.ndim > 1 and needs_layout(data, a._data):
        return torch_layout(data, a._data)
    return data


def _operand(x):
    """A Python scalar operand becomes the 0-dim tensor torch wraps it in."""
    return scalar_tensor(x) if is_scalar(x) else x


def zeros_scalar(like: Tensor) -> Tensor:
    """``at::zeros({}, grad.options())``: a 0-dim zero of ``like``'s dtype."""
    return plain(np.zeros((), dtype=like._data.dtype))


# -- add / sub ------------------------------------------------------------------------------
class AddBackward0(Node):
    """d(self + alpha·other) = grad, alpha·grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        (g,) = grads
        alpha = self.s_alpha
        return g, (g if alpha == 1 else _mul_scalar(g, alpha)) if self._needs(1) else None


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
        return g, n if self.s_alpha == 1 else _mul_scalar(n, self.s_alpha)


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
        return (n if self.s_alpha == 1 else _mul_scalar(n, self.s_alpha),)


class RsubBackward0(Node):
    """d(other - alpha·self) = -alpha·grad, grad."""

    __slots__ = ("s_alpha",)
    _saved_alpha = SavedAttr("s_alpha")

    def apply(self, grads):
        (g,) = grads
        n = neg(g) if self._needs(0) else None
        if n is not None and self.s_alpha != 1:
            n = _mul_scalar(n, self.s_alpha)
        return n, g


def add(a, b, alpha=1) -> Tensor:
    """Math: a + alpha·b. Example: ``mg.add(x, 1)`` is ``x + 1``."""
    if not isinstance(a, Tensor):
        a, b = b, a  # a Python scalar on the left: torch calls add(tensor, scalar)
    x, y = _binary(a, b)
    data = x + y if alpha == 1 else x + alpha * y
    if data.ndim > 1:
        data = _laid_out(data, x, y)
    out = record(data, AddBackward0, (a, _operand(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    if a._zero and getattr(b, "_zero", False):
        out._zero = True  # torch: ZeroTensor + ZeroTensor stays one
    return out


def sub(a, b, alpha=1) -> Tensor:
    """Math: a - alpha·b."""
    if not isinstance(a, Tensor):
        return rsub(b, a, alpha)
    x, y = _binary(a, b)
    data = x - y if alpha == 1 else x - alpha * y
    if data.ndim > 1:
        data = _laid_out(data, x, y)
    out = record(data, SubBackward0, (a, _operand(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    return out


def rsub(a: Tensor, b, alpha=1) -> Tensor:
    """Math: b - alpha·a (``1 - w`` is ``rsub(w, 1)``: ``RsubBackward1``)."""
    x, y = _binary(a, b)
    data = y - x if alpha == 1 else y - alpha * x
    if data.ndim > 1:
        data = _laid_out(data, y, x)  # torch computes other - alpha·self
    if is_scalar(b):
        out = record(data, RsubBackward1, (a,))
    else:
        out = record(data, RsubBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = alpha
    return out


def _add_scalar(a: Tensor, s) -> Tensor:
    """tensor + Scalar as backward formulas call it (``AddBackward1``)."""
    x, y = _binary(a, s)
    out = record(_laid_out(x + y, x, y) if a._data.ndim > 1 else x + y, AddBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = 1
    return out


def _sub_scalar(a: Tensor, s) -> Tensor:
    """tensor - Scalar as backward formulas call it (``SubBackward1``)."""
    x, y = _binary(a, s)
    out = record(_laid_out(x - y, x, y) if a._data.ndim > 1 else x - y, SubBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_alpha = 1
    return out


# -- mul / div ------------------------------------------------------------------------------
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
        return (_mul_scalar(grads[0], self.s_other),)


def mul(a, b) -> Tensor:
    """Math: a·b, broadcast. Example: ``x * 3`` gives ``MulBackward0``."""
    if not isinstance(a, Tensor):
        a, b = b, a
    x, y = _binary(a, b)
    b = _operand(b)
    data = x * y
    if data.ndim > 1:
        data = _laid_out(data, x, y)
    out = record(data, MulBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        # Only what a needed gradient uses is saved, as in torch.
        node.s_self = save(a) if isinstance(b, Tensor) and b._requires_grad else None
        node.s_other = save(b) if a._requires_grad else None
    if a._zero or b._zero:
        as_zero(out, a, b)  # torch: ZeroTensor · anything is a ZeroTensor, even · inf
    return out


def _mul_scalar(a: Tensor, s) -> Tensor:
    """tensor · Scalar as backward formulas call it (``MulBackward1``)."""
    x, y = _binary(a, s)
    out = record(_laid_out(x * y, x, y) if a._data.ndim > 1 else x * y, MulBackward1, (a,))
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
        return (_div_scalar(grads[0], self.s_other),)


def div(a, b) -> Tensor:
    """Math: a / b (true division)."""
    if not isinstance(a, Tensor):
        return rdiv(b, a)
    x, y = _binary(a, b, true_div=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = x / y
    if data.ndim > 1:
        data = _laid_out(data, x, y)
    b = _operand(b)
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


def _div_scalar(a: Tensor, s) -> Tensor:
    """tensor / Scalar as backward formulas call it (``DivBackward1``)."""
    x, y = _binary(a, s, true_div=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = x / y
    out = record(_laid_out(data, x, y) if a._data.ndim > 1 else data, DivBackward1, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_other = s
    return out  # (div.Scalar has no ZeroTensor kernel in torch: a ZeroTensor materializes)


# -- neg / pow ------------------------------------------------------------------------------
class NegBackward0(Node):
    """d(-self) = -grad."""

    __slots__ = ()

    def apply(self, grads):
        return (neg(grads[0]),)


def neg(a: Tensor) -> Tensor:
    """Math: -a."""
    return record(_unary(np.negative(a._data), a), NegBackward0, (a,))


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
        return (mul(g, _mul_scalar(pow(x, e - 1.0), e)),)


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
        gx = ge = None
        if self._needs(1):  # "exponent" before "self", as torch
            cond = logical_and(eq(x, 0), ge_(e, 0))
            x_ = to_dtype(x, result_dtype(x, e))  # torch: self.to(result_type(self, exponent))
            ge = mul(g, where(cond, zeros_scalar(g), mul(result, log(x_))))
        if self._needs(0):
            d = mul(g, mul(e, pow(x, _sub_scalar(e, 1))))
            gx = where(eq(e, 0.0), zeros_scalar(g), d)
        return gx, ge


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
                d = _mul_scalar(result, -math.inf)
            return (mul(g, where(ge_(e, 0), zeros_scalar(g), d)),)
        return (mul(g, _mul_scalar(result, math.log(base))),)


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
        x, y = _binary(a, exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.power(x, y)
        out = record(data, PowBackward2, (exponent,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = a
            out._grad_fn.s_result = save_result(out)
            out._grad_fn.s_exponent = save(exponent)
        return out
    if is_scalar(exponent):
        x, y = _binary(a, exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = _pow_scalar(x, y)
        out = record(_unary(data, a), PowBackward0, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_self = save(a)
            out._grad_fn.s_exponent = exponent
        return out
    x, y = _binary(a, exponent)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = _laid_out(np.power(x, y), x, y)
    out = record(data, PowBackward1, (a, exponent))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a)
        node.s_exponent = save(exponent)
        node.s_result = save_result(out)  # saved (and checked) even if unused, as torch
    return out


# -- unary functions ------------------------------------------------------------------------
def _float_data(a: Tensor) -> np.ndarray:
    """Integer inputs of float functions compute in the default dtype, as in torch."""
    d = a._data
    return d if d.dtype.kind == "f" else d.astype(np.float32)


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
        data = np.reciprocal(_float_data(a))
    out = record(_unary(data, a), ReciprocalBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
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
        out = record(_unary(np.exp(_float_data(a)), a), ExpBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class Exp2Backward0(Node):
    """d(2^self) = grad·result·ln 2."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (_mul_scalar(mul(grads[0], self._saved_result), math.log(2.0)),)


def exp2(a: Tensor) -> Tensor:
    """Math: 2^a."""
    with np.errstate(over="ignore"):
        out = record(_unary(np.exp2(_float_data(a)), a), Exp2Backward0, (a,))
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
        out = record(_unary(np.log(_float_data(a)), a), LogBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
    return out


class SqrtBackward0(Node):
    """d(√self) = grad / (2·result)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (div(grads[0], _mul_scalar(self._saved_result, 2)),)


def sqrt(a: Tensor) -> Tensor:
    """Math: √a."""
    with np.errstate(invalid="ignore"):
        out = record(_unary(np.sqrt(_float_data(a)), a), SqrtBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class AbsBackward0(Node):
    """d|self| = grad·sgn(self) (0 at 0)."""

    __slots__ = ("s_self",)
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")

    def apply(self, grads):
        return (mul(grads[0], sgn(self._saved_self)),)


def abs(a: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """Math: |a|."""
    out = record(_unary(np.abs(a._data), a), AbsBackward0, (a,))
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
    out = record(_unary(_sign_np(a._data), a), SgnBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_result = save_result(out)
    return out


def sign(a: Tensor) -> Tensor:
    """Math: sign of a (-1, 0 or 1)."""
    return record(_unary(_sign_np(a._data), a), SignBackward0, (a,))


class SinBackward0(Node):
    """d(sin self) = grad·cos(self)."""

    __slots__ = ("s_self",)
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")

    def apply(self, grads):
        return (mul(grads[0], cos(self._saved_self)),)


def sin(a: Tensor) -> Tensor:
    """Math: sin a."""
    out = record(_unary(np.sin(_float_data(a)), a), SinBackward0, (a,))
    if out._grad_fn is not None:
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
    out = record(_unary(np.cos(_float_data(a)), a), CosBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
    return out


class TanhBackward0(Node):
    """d(tanh self) = tanh_backward(grad, result) = grad·(1 - result²)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (_bw.tanh_backward(grads[0], self._saved_result),)


def tanh(a: Tensor) -> Tensor:
    """Math: tanh a."""
    out = record(_unary(np.tanh(_float_data(a)), a), TanhBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class SigmoidBackward0(Node):
    """d σ(self) = sigmoid_backward(grad, result) = grad·result·(1 - result)."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (_bw.sigmoid_backward(grads[0], self._saved_result),)


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def sigmoid(a: Tensor) -> Tensor:
    """Math: σ(a) = 1 / (1 + e^-a)."""
    out = record(_unary(_sigmoid_np(_float_data(a)), a), SigmoidBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_result = save_result(out)
    return out


class ReluBackward0(Node):
    """d relu(self) = threshold_backward(grad, result, 0): grad where result > 0."""

    __slots__ = ("s_result",)
    _saved = ("s_result",)
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        return (_bw.threshold_backward(grads[0], self._saved_result, 0),)


def relu(a: Tensor) -> Tensor:
    """Math: max(a, 0)."""
    d = a._data
    # x < 0 ? 0 : x, as torch: keeps -0. and NaN (np.maximum would turn -0. into 0.)
    out = record(_unary(np.where(d < 0, np.zeros((), d.dtype), d), a), ReluBackward0, (a,))
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
            cond = logical_and(ge_(x, lo), le(x, hi))
        elif lo is not None:
            cond = ge_(x, lo)
        else:
            cond = le(x, hi)
        return (where(cond, g, zeros_scalar(g)),)


def clamp(a: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """Math: min(max(a, min), max). min and max are numbers."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        raise TypeError("minigrad's clamp takes numbers; use mg.maximum/mg.minimum for tensors")
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
    out = record(_unary(data.copy() if data is d else np.asarray(data), a), ClampBackward1, (a,))
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
            gy = masked_fill(
                where(tie, _div_scalar(g, 2), g), type(self)._self_loses(y, x), 0, keep_layout=True
            )
        if self._needs(0):
            gx = masked_fill(
                where(tie, _div_scalar(g, 2), g), type(self)._self_loses(x, y), 0, keep_layout=True
            )
        return gx, gy


class MinimumBackward0(MaximumBackward0):
    """d min(self, other): grad to the smaller input, split in half on ties."""

    __slots__ = ()
    _self_loses = staticmethod(lambda x, y: gt(x, y))


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """Math: element-wise max(a, b)."""
    x, y = _binary(a, b)
    out = record(_laid_out(np.maximum(x, y), x, y), MaximumBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_other = save(b)
    return out


def minimum(a: Tensor, b: Tensor) -> Tensor:
    """Math: element-wise min(a, b)."""
    x, y = _binary(a, b)
    out = record(_laid_out(np.minimum(x, y), x, y), MinimumBackward0, (a, b))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_other = save(b)
    return out


class WhereBackward0(Node):
    """d where(c, self, other) = where(c, grad, 0), where(c, 0, grad)."""

    __slots__ = ("s_condition",)
    _saved = ("s_condition",)
    _saved_condition = SavedAttr("s_condition")

    def apply(self, grads):
        (g,) = grads
        c = self._saved_condition
        z = zeros_scalar(g)
        gb = where(c, z, g) if self._needs(1) else None  # "other" before "self", as torch
        ga = where(c, g, z) if self._needs(0) else None
        return ga, gb


def where(condition: Tensor, a, b) -> Tensor:
    """Math: a where condition else b."""
    x, y = _binary(a, b)
    data = _laid_out(np.where(condition._data, x, y), condition._data, x, y)
    out = record(data, WhereBackward0, (_operand(a), _operand(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_condition = save(condition)
    return out


class MaskedFillBackward0(Node):
    """d masked_fill(self, mask, value) = grad with the masked places zeroed."""

    __slots__ = ("s_mask",)
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        return (masked_fill(grads[0], self._saved_mask, 0),)


class MaskedFillBackward1(Node):
    """masked_fill with a 0-dim tensor value: the value gets the sum of the masked grads."""

    __slots__ = ("s_mask",)
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        from .reduction import sum as _sum

        (g,) = grads
        m = self._saved_mask
        ga = masked_fill(g, m, 0) if self._needs(0) else None
        gv = _sum(masked_select(g, m)) if self._needs(1) else None  # as torch
        return ga, gv


class MaskedSelectBackward0(Node):
    """d masked_select(self, mask) = zeros with grad scattered into the masked places."""

    __slots__ = ("s_mask", "s_shape")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        # torch's masked_select_backward: zeros (of the broadcast shape).masked_scatter_(mask,
        # grad); the engine then sums the broadcast dims away.
        zeros = plain(np.zeros(self.s_shape, dtype=grads[0]._data.dtype))
        return (masked_scatter(zeros, self._saved_mask, grads[0]),)


def masked_select(a: Tensor, mask: Tensor) -> Tensor:
    """Math: the elements of a where mask is True, as a 1-D tensor (broadcast first)."""
    shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
    m = np.broadcast_to(mask._data, shape)
    out = record(np.broadcast_to(a._data, shape)[m], MaskedSelectBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_shape = shape
    return out


class MaskedScatterBackward0(Node):
    """d masked_scatter(self, mask, source) = grad with the masked places zeroed, and
    grad.masked_select(mask) (zero-padded) viewed as source's shape."""

    __slots__ = ("s_mask", "s_source_sizes")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        (g,) = grads
        m = self._saved_mask
        ga = masked_fill(g, m, 0) if self._needs(0) else None
        gs = masked_scatter_backward(g, m, self.s_source_sizes) if self._needs(1) else None
        return ga, gs


class MaskedScatterBackwardBackward0(Node):
    """d masked_scatter_backward(grad, mask, sizes) = zeros.masked_scatter(mask, grad)."""

    __slots__ = ("s_mask", "s_shape")
    _saved = ("s_mask",)
    _saved_mask = SavedAttr("s_mask")

    def apply(self, grads):
        zeros = plain(np.zeros(self.s_shape, dtype=grads[0]._data.dtype))
        return (masked_scatter(zeros, self._saved_mask, grads[0]),)


def masked_scatter_backward(grad: Tensor, mask: Tensor, sizes: tuple) -> Tensor:
    """Math: grad's masked elements, zero-padded, in the shape ``sizes`` (torch's op)."""
    m = np.broadcast_to(mask._data, grad._data.shape)
    flat = np.zeros(int(np.prod(sizes)), dtype=grad._data.dtype)
    picked = grad._data[m]
    flat[: picked.size] = picked[: flat.size]
    out = record(flat.reshape(sizes), MaskedScatterBackwardBackward0, (grad,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_shape = grad._data.shape
    return out


def masked_scatter(a: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Math: a copy of a with the masked places filled, in order, from source's elements."""
    data = a._data.copy()
    m = np.broadcast_to(mask._data, data.shape)
    data[m] = source._data.reshape(-1)[: int(m.sum())]
    out = record(data, MaskedScatterBackward0, (a, source))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
        out._grad_fn.s_source_sizes = source._data.shape
    return out


def masked_fill(a: Tensor, mask: Tensor, value, *, keep_layout: bool = False) -> Tensor:
    """Math: a with ``value`` where ``mask`` is True.

    torch fills a contiguous clone of ``a``, so the result is contiguous whatever ``a``'s
    layout; backward formulas that call the in-place ``masked_fill_`` on a fresh result
    pass ``keep_layout=True`` to keep that result's layout instead, as torch does.
    """
    fix = (lambda d: _laid_out(d, a._data)) if keep_layout else standard
    if isinstance(value, Tensor):
        data = np.where(mask._data, value._data.astype(a._data.dtype), a._data)
        out = record(fix(data), MaskedFillBackward1, (a, value))
    else:
        data = np.where(mask._data, np.asarray(value, dtype=a._data.dtype), a._data)
        out = record(fix(data), MaskedFillBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_mask = save(mask)
    return out


class ToCopyBackward0(Node):
    """d self.to(dtype) = grad.to(self's dtype)."""

    __slots__ = ("s_dtype",)

    def apply(self, grads):
        return (to_dtype(grads[0], self.s_dtype),)


def to_dtype(a: Tensor, dtype: _dtype.dtype) -> Tensor:
    """``a.to(dtype)``: the same tensor when the dtype already matches."""
    if a._data.dtype == dtype.np:
        return a
    out = record(preserved(a._data.astype(dtype.np), a._data), ToCopyBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dtype = a.dtype
    if out._requires_grad and not dtype.is_floating_point:
        out._requires_grad = False
        out._grad_fn = None
    return out


# -- comparisons and logic (never differentiable) ------------------------------------------
def _compare(a, b, op) -> Tensor:
    x, y = _binary(a, b)
    return plain(_laid_out(op(x, y), x, y))


def eq(a, b) -> Tensor:
    return _compare(a, b, np.equal)


def ne(a, b) -> Tensor:
    return _compare(a, b, np.not_equal)


def lt(a, b) -> Tensor:
    return _compare(a, b, np.less)


def le(a, b) -> Tensor:
    return _compare(a, b, np.less_equal)


def gt(a, b) -> Tensor:
    return _compare(a, b, np.greater)


def ge(a, b) -> Tensor:
    return _compare(a, b, np.greater_equal)


ge_ = ge  # the name ``ge`` is shadowed by local gradients in backward formulas


def isnan(a: Tensor) -> Tensor:
    return plain(np.isnan(a._data))


def logical_and(a, b) -> Tensor:
    return plain(np.logical_and(as_array(a, np.bool_), as_array(b, np.bool_)))


def logical_or(a, b) -> Tensor:
    return plain(np.logical_or(as_array(a, np.bool_), as_array(b, np.bool_)))


def logical_not(a) -> Tensor:
    return plain(np.logical_not(as_array(a, np.bool_)))


# backward_ops builds on the ops above, so it is imported last (a cycle otherwise); the
# nodes above look its functions up at call time, without a per-call import statement.
from . import backward_ops as _bw  # noqa: E402
