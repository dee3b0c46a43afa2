"""Loss layers: ``MSELoss``.

Example:
    >>> import minigrad as mg
    >>> mg.nn.MSELoss()(mg.tensor([1.0, 3.0], requires_grad=True), mg.tensor([1.0, 1.0]))
    tensor(2., grad_fn=<MseLossBackward0>)
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .functional import _legacy_reduction
from .module import Module

__all__ = ["MSELoss"]


class MSELoss(Module):
    """Math: mean((input - target)²) (``reduction="mean"``), or the sum, or no reduction."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)
