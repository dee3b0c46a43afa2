"""``minigrad.autograd``: ``backward``, ``grad``, ``Function`` and the graph API.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([3.0], requires_grad=True)
    >>> y = x**2
    >>> g, = mg.autograd.grad(y, x, create_graph=True)
    >>> g
    tensor([6.], grad_fn=<MulBackward0>)
    >>> mg.autograd.grad(g, x)
    (tensor([2.]),)
"""

from __future__ import annotations

from .. import _errors
from . import anomaly_mode, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .api import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    is_grad_enabled,
    is_multithreading_enabled,
    no_grad,
    set_grad_enabled,
    set_multithreading_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .inference_mode import inference_mode
from .variable import Variable

__all__ = [
    "backward",
    "grad",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "gradcheck",
    "gradgradcheck",
    "graph",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "set_multithreading_enabled",
    "is_multithreading_enabled",
    "Variable",
    "inference_mode",
    "detect_anomaly",
    "set_detect_anomaly",
    "anomaly_mode",
]


def __getattr__(name: str):
    # torch.autograd.functional (jacobian, hessian, ...) has no minigrad counterpart.
    if name == "functional":
        raise AttributeError(_errors.NO_AUTOGRAD_FUNCTIONAL.format(name))
    raise AttributeError(_errors.NO_MODULE_ATTRIBUTE.format("minigrad.autograd", name))
