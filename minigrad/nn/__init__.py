"""``minigrad.nn``: modules, parameters, layers and losses, as ``torch.nn``.

Example:
    >>> import minigrad as mg
    >>> net = mg.nn.Sequential(mg.nn.Linear(2, 16), mg.nn.Tanh(), mg.nn.Linear(16, 1))
    >>> sum(p.numel() for p in net.parameters())
    65
"""

from __future__ import annotations

from . import functional, init
from .activation import ReLU, Sigmoid, Tanh
from .container import ModuleList, Sequential
from .linear import Identity, Linear
from .loss import MSELoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "Module",
    "Parameter",
    "Linear",
    "Identity",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Sequential",
    "ModuleList",
    "MSELoss",
    "functional",
    "init",
]
