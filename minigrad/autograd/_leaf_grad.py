"""torch's rules for storing into a leaf's ``.grad``, beyond ``.grad += g`` (fidelity).

- The first gradient is stored as a copy. Under ``create_graph=True`` torch records that
  copy: the new ``.grad`` has a ``CopyBackwards`` grad_fn leading to the gradient's graph.
- A ZeroTensor gradient (``sgn``'s) may be kept as a ZeroTensor (see ``ops._zerotensor``).
- The in-place ``.grad += g`` bumps the version counter and refuses a ZeroTensor ``.grad``.

Example: after ``mg.autograd.backward(y, create_graph=True)`` a leaf's ``.grad`` prints
``grad_fn=<CopyBackwards>``.
"""

from __future__ import annotations

from .. import _errors
from ..ops._zerotensor import keeps_zero
from ..ops.inplace import recorded_copy
from ..tensor import Tensor
from .grad_mode import _state

__all__ = ["first_grad", "add_in_place"]


def first_grad(variable: Tensor, grad: Tensor) -> Tensor:
    """What becomes ``variable.grad`` when it was None: a copy of ``grad``."""
    if _state.enabled and grad._requires_grad:
        return recorded_copy(grad)  # torch records the copy into the new .grad
    new = Tensor._make(grad._data.copy())
    if keeps_zero(grad, variable, _state.enabled):
        new._zero = True
    return new


def add_in_place(current: Tensor, grad: Tensor) -> None:
    """``current += grad`` for a ``.grad`` that is not recorded: same tensor, new version."""
    if current._zero:
        # torch's in-place ``grad += new`` on a stolen ZeroTensor (sgn's gradient).
        raise RuntimeError(_errors.ZERO_INPLACE)
    current._data += grad._data
    current._vc[0] += 1
