"""Calling a backward node by hand, as the engines learners write in lesson 11 do."""

from __future__ import annotations

from typing import Any

from minigrad.tensor import Tensor


def run_node(node: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
    """Run ``node`` on the gradient of its output; one gradient per ``next_functions`` entry.

    .. math:: \\text{run\\_node}(n, g) = (g\\,\\partial y/\\partial x_1, \\dots, g\\,\\partial y/\\partial x_k)

    torch (and minigrad) return a lone Tensor when a node has one gradient to pass on and a
    tuple otherwise; an engine loop that zips the result with ``next_functions`` wants the
    tuple every time, so this wraps the lone Tensor.

    Example:
        >>> import minigrad as mg
        >>> x = mg.tensor(2.0, requires_grad=True)
        >>> y = x.sin()
        >>> with mg.no_grad():
        ...     run_node(y.grad_fn, mg.tensor(1.0))
        (tensor(-0.4161),)
    """
    grads = node(grad)
    return grads if isinstance(grads, tuple) else (grads,)
