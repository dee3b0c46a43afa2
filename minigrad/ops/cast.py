"""``to_dtype``: a tensor converted to another dtype (``x.to(mg.float64)``, ``x.float()``).

Math: the gradient is converted back to the input's dtype (``ToCopyBackward0``).
"""

from __future__ import annotations

from .. import _dtype
from ..autograd.graph import Node
from ..tensor import Tensor
from ._layout import preserved
from .record import record

__all__ = ["to_dtype"]


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
