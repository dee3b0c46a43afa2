"""``Linear`` (y = x Wᵀ + b) and ``Identity``.

Example:
    >>> import minigrad as mg
    >>> layer = mg.nn.Linear(3, 2)
    >>> layer(mg.ones(4, 3)).grad_fn
    <AddmmBackward0 object at 0x...>
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Linear", "Identity"]


class Identity(Module):
    """Returns its input unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """Math: y = x Wᵀ + b, W of shape (out_features, in_features).

    Initialised as torch does: W ~ kaiming_uniform(a=√5), i.e. U(-1/√in, 1/√in), and
    b ~ U(-1/√in, 1/√in), from minigrad's generator (``mg.manual_seed``).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        np_dtype = (_dtype.to_dtype(dtype) if dtype is not None else _dtype.float32).np
        self.weight = Parameter(Tensor._make(np.empty((out_features, in_features), np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.empty((out_features,), np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights with torch's default rule."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
