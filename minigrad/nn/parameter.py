"""``Parameter``: a leaf tensor that a ``Module`` registers as one of its weights.

Example:
    >>> import minigrad as mg
    >>> mg.nn.Parameter(mg.tensor([1.0, 2.0]))
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A tensor that is a module's parameter: assigned as a module attribute, it is listed
    by ``parameters()``. Shares storage with ``data``; requires grad by default."""

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = Tensor._make(np.zeros((0,), dtype=np.float32))
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError(_errors.FLOAT_REQUIRES_GRAD)
        Tensor._init(self, data._data, bool(requires_grad), None, 0)
        self._vc = data._vc  # like torch's detach(): same storage, same version counter

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A new Parameter with a copy of the values: no ``.grad``, no hooks (as torch)."""
        if id(self) not in memo:
            memo[id(self)] = type(self)(
                Tensor._make(np.array(self._data, order="K")), self._requires_grad
            )
        return memo[id(self)]

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__
