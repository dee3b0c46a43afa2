"""``Adam``: adaptive moment estimation, torch's single-tensor update.

For each parameter p with gradient g, at step t:

    g ← g + weight_decay·p
    m ← m + (1 - β₁)·(g - m)                  (exp_avg.lerp_(g, 1 - β₁))
    v ← β₂·v + (1 - β₂)·g²
    p ← p - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = mg.optim.Adam([w], lr=0.1)
    >>> (w * 2).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import _errors
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Math: p ← p − lr·m̂/(√v̂ + eps), m̂, v̂ the bias-corrected moment estimates."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(_errors.INVALID_OPTION.format("learning rate:", lr))
        if not 0.0 <= eps:
            raise ValueError(_errors.INVALID_OPTION.format("epsilon value:", eps))
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(_errors.INVALID_OPTION.format("beta parameter at index 0:", betas[0]))
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(_errors.INVALID_OPTION.format("beta parameter at index 1:", betas[1]))
        if not 0.0 <= weight_decay:
            raise ValueError(_errors.INVALID_OPTION.format("weight_decay value:", weight_decay))
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": None,
            "capturable": False,
            "differentiable": False,
            "fused": None,
            "decoupled_weight_decay": False,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        for p in group["params"]:
            if p._grad is None:
                continue
            d = p._data
            dt = d.dtype.type
            state = self.state[p]
            if not state:
                state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
                state["exp_avg"] = Tensor._make(np.zeros_like(d))
                state["exp_avg_sq"] = Tensor._make(np.zeros_like(d))
                if amsgrad:
                    state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(d))
            g = p._grad._data
            if group["maximize"]:
                g = -g
            step_t = state["step"]
            step_t._data += np.float32(1)
            if weight_decay != 0:
                g = g + dt(weight_decay) * d
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += dt(1 - beta1) * (g - m)  # lerp with weight < 0.5, as torch computes it
            v *= dt(beta2)
            v += dt(1 - beta2) * g * g
            step = float(step_t._data)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if amsgrad:
                vmax = state["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                denom = np.sqrt(vmax) / dt(bias_correction2_sqrt) + dt(eps)
            else:
                denom = np.sqrt(v) / dt(bias_correction2_sqrt) + dt(eps)
            d += dt(-step_size) * (m / denom)
            p._vc[0] += 1
