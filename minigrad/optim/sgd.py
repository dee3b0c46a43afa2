"""``SGD``: stochastic gradient descent with momentum, dampening, weight decay, Nesterov.

torch's single-tensor update, for each parameter p with gradient g:

    g ← g + weight_decay·p
    b ← g (first step), else momentum·b + (1 - dampening)·g
    g ← g + momentum·b (nesterov) or b (momentum ≠ 0)
    p ← p - lr·g

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = mg.optim.SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * 2).sum().backward(); opt.step()
    >>> w
    tensor([-1.9000], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import _errors
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Math: p ← p − lr·(g + weight_decay·p), with optional (Nesterov) momentum."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(_errors.INVALID_OPTION.format("learning rate:", lr))
        if momentum < 0.0:
            raise ValueError(_errors.INVALID_OPTION.format("momentum value:", momentum))
        if weight_decay < 0.0:
            raise ValueError(_errors.INVALID_OPTION.format("weight_decay value:", weight_decay))
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": None,
            "differentiable": False,
            "fused": None,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(_errors.NESTEROV)
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        for p in group["params"]:
            if p._grad is None:
                continue
            d = p._data
            dt = d.dtype.type  # scalars in the parameter's dtype, as torch's kernels use
            g = p._grad._data
            if group["maximize"]:
                g = -g
            if weight_decay != 0:
                g = g + dt(weight_decay) * d
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = Tensor._make(np.array(g, copy=True))
                else:
                    b = buf._data
                    b *= dt(momentum)
                    b += dt(1 - dampening) * g
                    buf._vc[0] += 1
                g = g + dt(momentum) * buf._data if nesterov else buf._data
            d -= dt(lr) * g
            p._vc[0] += 1
