"""``autograd.grad(..., is_grads_batched=True)``: one ``grad`` call per batch element.

torch runs the backward pass vectorized (vmap) over the first dimension of every
``grad_outputs`` tensor; minigrad runs it once per element and stacks the results, which
gives the same values.

Example: for ``out`` of shape (2, 2) and a batch ``v`` of shape (3, 2, 2),
``grad(out, x, v, is_grads_batched=True)[0]`` has shape (3, *x.shape).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import _errors
from ..ops.shape import stack
from ..tensor import Tensor

__all__ = ["batched_grad"]


def batched_grad(grad: Callable, outputs: tuple, inputs: tuple, grad_outputs, **kwargs) -> tuple:
    """``grad`` for each slice ``grad_outputs[i][b]``, stacked along a new first dim."""
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is not None and tuple(g._data.shape[1:]) != tuple(out._data.shape):
            raise RuntimeError(
                _errors.BATCHED_SHAPE_MISMATCH.format(
                    i, _errors.shape_str(g._data.shape[2:]), i, _errors.shape_str(out.shape)
                )
            )
    size = next(g._data.shape[0] for g in grad_outputs if g is not None)
    kwargs["retain_graph"] = True if kwargs.get("retain_graph") is None else kwargs["retain_graph"]
    per_element = [
        grad(outputs, inputs, tuple(None if g is None else g[b] for g in grad_outputs), **kwargs)
        for b in range(size)
    ]
    return tuple(None if parts[0] is None else stack(list(parts)) for parts in zip(*per_element))
