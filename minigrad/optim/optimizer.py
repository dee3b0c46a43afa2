"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and ``step``.

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = mg.optim.SGD([w], lr=0.1)
    >>> (w * 3).sum().backward(); opt.step(); w
    tensor([0.7000], requires_grad=True)
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .. import _errors
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.module import typename, zero_grads
from ..tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with ``"params"`` and options) and ``state``.

    Subclasses implement ``_step_group(group)``; ``step()`` runs it under ``no_grad`` and
    skips parameters whose ``.grad`` is None (so frozen parameters never move).
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(_errors.OPTIM_PARAMS_TENSOR.format(typename(params)))
        self.state: defaultdict = defaultdict(dict)  # parameter -> its state dict
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError(_errors.OPTIM_EMPTY)
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(_errors.OPTIM_GROUP_NOT_DICT.format(type(param_group)))
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(_errors.OPTIM_PARAMS_SET)
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(_errors.OPTIM_NOT_TENSOR.format(typename(p)))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError(_errors.OPTIM_NON_LEAF)
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            warnings.warn(_errors.OPTIM_DUPLICATE_WARNING, UserWarning, stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(i in seen for i in ids):
            raise ValueError(_errors.OPTIM_SHARED_PARAMS)
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (default) or to zeros in place."""
        for group in self.param_groups:
            zero_grads(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()`` if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += "\n" + f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"
