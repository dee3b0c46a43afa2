"""``record_outputs``: ``record`` for an operation with several outputs and one node.

``var_mean`` returns two tensors, ``split`` several: each output's ``grad_fn`` is the same
node, told apart by ``output_nr`` (0, 1, ...). The node's backward receives one gradient
per output (None for an output no path used).

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    >>> var, mean = mg.var_mean(x)
    >>> var.grad_fn is mean.grad_fn, (var.output_nr, mean.output_nr)
    (True, (0, 1))
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import _state
from ..tensor import Tensor
from .record import edge

__all__ = ["record_outputs"]


def record_outputs(datas, node_cls, inputs: tuple) -> tuple:
    """``(outputs, node)``: one tensor per array of ``datas``, all with the ``node_cls``
    node when grad is recorded (``node`` is None otherwise)."""
    datas = [d if type(d) is np.ndarray else np.asarray(d) for d in datas]
    if not (_state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs)):
        return tuple(Tensor._make(d) for d in datas), None
    node = node_cls(tuple(edge(t) for t in inputs), tuple((d.shape, d.dtype) for d in datas))
    return tuple(Tensor._make(d, True, node, i) for i, d in enumerate(datas)), node
