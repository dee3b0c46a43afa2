"""``AccumulateGrad``: the node at the end of every path, which adds into a leaf's ``.grad``.

Each leaf that requires grad has one, made on first use and shared by every operation that
reads the leaf: it is the ``<AccumulateGrad object at ...>`` in ``next_functions``. When the
engine runs it with a gradient g:

    leaf.grad = g (a copy)       if leaf.grad is None
    leaf.grad += g               otherwise: in place, so ``.grad`` stays the same tensor
    leaf.grad = leaf.grad + g    under ``create_graph=True``: a new tensor, itself recorded

then calls the leaf's post-accumulate-grad hooks (``register_post_accumulate_grad_hook``).

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor(3.0, requires_grad=True)
    >>> (w * w).backward(); (w * 2).backward()
    >>> w.grad                                      # 2·3 + 2: both passes accumulated
    tensor(8.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _errors
from ..ops.arithmetic import add
from ._leaf_grad import add_in_place, first_grad
from .grad_mode import _state
from .graph import Node
from .observer import current_observer

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["AccumulateGrad", "accumulate_grad"]


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``; ``variable`` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        Node.__init__(self, ())
        self.variable = variable
        # Run before any other ready node, like torch (its sequence number is the maximum).
        self._seq = float("inf")

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def apply(self, grad_outputs: tuple) -> tuple:
        grad = grad_outputs[0]
        if grad is not None:
            accumulate_grad(self.variable, grad)
        return ()


def accumulate_grad(variable: Tensor, grad: Tensor) -> None:
    """``variable.grad += grad``, then the leaf's post-accumulate-grad hooks."""
    if variable._grad is None:
        variable._grad = first_grad(variable, grad)
    elif _state.enabled:
        variable._grad = add(variable._grad, grad)
    else:
        add_in_place(variable._grad, grad)
    hooks = variable._post_acc_hooks
    if hooks:
        observer = current_observer()
        for fn in tuple(hooks.values()):
            result = fn(variable)
            if observer is not None:
                observer.hook("post_accumulate_grad", None, 0, fn, variable, None)
            if result is not None:
                raise RuntimeError(_errors.POST_ACC_HOOK_RETURN)
