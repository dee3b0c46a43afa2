"""``minigrad.optim``: optimizers that update parameters from their ``.grad``.

Example:
    >>> import minigrad as mg
    >>> net = mg.nn.Linear(1, 1)
    >>> opt = mg.optim.SGD(net.parameters(), lr=0.1)
    >>> opt.zero_grad(); net(mg.ones(4, 1)).sum().backward(); opt.step()
"""

from __future__ import annotations

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam"]
