"""Operations without a usable derivative: ``floor_divide`` (``//``) and ``nextafter``.

``a // b`` rounds a / b toward -inf. torch defines no derivative for it: its result gets
a ``NotImplemented`` node (when an input requires grad) and backward through it raises.
``nextafter(a, b)``, the next representable number after ``a`` towards ``b``, passes the
gradient through to ``a`` where ``a != b``.

Example:
    >>> import minigrad as mg
    >>> mg.tensor([3.5, -2.5]) // 2
    tensor([ 1., -2.])
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..tensor import Tensor
from ._elementwise import binary_operands, laid_out, wrap_scalar, zeros_scalar
from .compare import ne
from .masked import where
from .record import record

__all__ = ["floor_divide", "nextafter", "NotImplemented"]


class NotImplemented(Node):  # noqa: A001 - torch's node name
    """The node of an operation torch has no derivative for: backward raises."""

    __slots__ = ("op_name",)
    _always_call = True

    def name(self) -> str:
        return "torch::autograd::NotImplemented"

    def apply(self, grads):
        raise RuntimeError(_errors.NOT_IMPLEMENTED_DERIVATIVE.format(self.op_name))


def floor_divide(a, b) -> Tensor:
    """Math: floor(a / b), elementwise (an integer result for integer inputs)."""
    x, y = binary_operands(a, b)
    if np.asarray(x).dtype.kind in "iub" and np.asarray(y).dtype.kind in "iub":
        if np.any(np.asarray(y) == 0):
            raise RuntimeError(_errors.FLOOR_DIVIDE_BY_ZERO)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.floor_divide(x, y)
    inputs = tuple(v for v in (a, b) if isinstance(v, Tensor))
    out = record(laid_out(np.asarray(data), x, y), NotImplemented, inputs)
    if out._grad_fn is not None:
        out._grad_fn.op_name = "aten::floor_divide"
    return out


class NextafterBackward0(Node):
    """d nextafter(self, other) = grad where self != other (0 where equal) for self, 0 for
    other."""

    __slots__ = ("s_self", "s_other")
    _saved = ("s_self", "s_other")
    _saved_self = SavedAttr("s_self")
    _saved_other = SavedAttr("s_other")

    def apply(self, grads):
        (g,) = grads
        ga = gb = None
        if self._needs(0):
            ga = where(ne(self._saved_self, self._saved_other), g, zeros_scalar(g))
        if self._needs(1):
            gb = Tensor._make(np.zeros(g._data.shape, dtype=g._data.dtype))
        return ga, gb


def nextafter(a: Tensor, b) -> Tensor:
    """Math: the next floating-point number after ``a`` in the direction of ``b``."""
    x, y = binary_operands(a, b)
    out = record(laid_out(np.nextafter(x, y), x, y), NextafterBackward0, (a, wrap_scalar(b)))
    if out._grad_fn is not None:
        out._grad_fn.s_self, out._grad_fn.s_other = save(a), save(b)
    return out
