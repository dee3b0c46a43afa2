"""torch's rules for storing into a leaf's ``.grad``, beyond ``.grad += g`` (fidelity).

- The first gradient is **stolen** when nothing else holds it: ``.grad`` becomes that very
  gradient (sharing its memory), not a copy, if grad mode is off, no one but the engine
  refers to it (torch tests the tensor's use count; minigrad Python's reference count)
  and its strides suit the leaf (``obeys_layout_contract``). A hook that kept the
  gradient, or a gradient that is the slice of another, can therefore show up in ``.grad``.
- Otherwise it is copied with the leaf's strides (``contract_copy``); under
  ``create_graph=True`` torch records that copy: the new ``.grad`` has a ``CopyBackwards``
  grad_fn leading to the gradient's graph (``CloneBackward0`` when the leaf's own layout
  has gaps or overlaps, e.g. an ``expand``: then torch clones row-major).
- A stolen ZeroTensor gradient (``sgn``'s) stays a ZeroTensor (see ``ops._zerotensor``).
- The in-place ``.grad += g`` bumps the version counter and refuses a ZeroTensor ``.grad``.

Example: after ``mg.autograd.backward(y, create_graph=True)`` a leaf's ``.grad`` prints
``grad_fn=<CopyBackwards>``.
"""

from __future__ import annotations

import sys

from .. import _errors
from ..ops._layout import (
    contract_copy,
    non_overlapping_and_dense,
    obeys_layout_contract,
    writeable_alias,
)
from ..ops.inplace import recorded_copy
from ..ops.shape import clone
from ..tensor import Tensor
from .grad_mode import _state

__all__ = ["first_grad", "add_in_place"]

# References to the gradient that the engine itself holds while first_grad() reads it: its
# list of the node's incoming gradients, the tuple handed to AccumulateGrad.apply, the
# engine's loop variable, apply's local, the parameters of accumulate_grad() and
# first_grad(), and getrefcount()'s argument. One more is someone else's (a hook that kept
# it, the caller's seed): then torch copies.
_ENGINE_REFERENCES = 7


def first_grad(variable: Tensor, grad: Tensor) -> Tensor:
    """What becomes ``variable.grad`` when it was None: ``grad`` itself, or a copy."""
    if _state.enabled:
        if grad._requires_grad and not non_overlapping_and_dense(variable._data):
            return clone(grad, contiguous=True)  # torch records the copy into the new .grad
        data = contract_copy(grad._data, variable._data)
        return _copied(variable, recorded_copy(grad, data) if grad._requires_grad else None, data)
    data = grad._data
    if sys.getrefcount(grad) <= _ENGINE_REFERENCES and obeys_layout_contract(data, variable._data):
        if not data.flags.writeable:
            # numpy marks a broadcast read-only; torch does not: a leaf's stolen .grad may
            # share memory with another's (stack's unbound gradient of an expanded 1), and
            # the next backward's in-place += then shows in both
            alias = writeable_alias(data)
            data = data.copy() if alias is None else alias
        stolen = Tensor._make(data)  # grad.detach(): same memory and version counter
        stolen._vc = grad._vc
        stolen._zero = grad._zero
        return stolen
    return _copied(variable, None, contract_copy(grad._data, variable._data))


def _copied(variable: Tensor, copy: Tensor | None, data) -> Tensor:
    """torch's ``clone_obey_contract``: for a dense leaf ``empty_strided(...).copy_(grad)``,
    whose in-place ``copy_`` leaves the new ``.grad`` at version 1 (a clone otherwise: 0)."""
    out = Tensor._make(data) if copy is None else copy
    if non_overlapping_and_dense(variable._data):
        out._vc[0] = 1
    return out


def add_in_place(current: Tensor, grad: Tensor) -> None:
    """``current += grad`` for a ``.grad`` that is not recorded: same tensor, new version."""
    if current._zero:
        # torch's in-place ``grad += new`` on a stolen ZeroTensor (sgn's gradient).
        raise RuntimeError(_errors.ZERO_INPLACE)
    current._data += grad._data
    current._vc[0] += 1
