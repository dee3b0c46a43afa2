"""Custom differentiable operations: ``Function`` with ``forward``/``backward``.

Example:
    >>> import minigrad as mg
    >>> class Square(mg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> Square.apply(mg.tensor(5.0, requires_grad=True))
    tensor(25., grad_fn=<SquareBackward>)

The node of a call is an instance of ``<Name>Backward``, which is also the ``ctx``
passed to ``forward`` and ``backward`` (as in torch, ``grad_fn`` *is* the context).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import _errors
from ..ops.record import edge
from ..tensor import Tensor
from .grad_mode import _state
from .graph import Node
from .saved import SavedTensor

__all__ = [
    "Function",
    "FunctionCtx",
    "BackwardCFunction",
    "once_differentiable",
    "Error",
]


class FunctionCtx:
    """What ``forward`` can tell ``backward``: saved tensors and flags."""

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward; they are checked for in-place changes when used."""
        self.to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (e.g. indices)."""
        self.non_differentiable = tensors

    def mark_dirty(self, *tensors) -> None:
        """Inputs that forward modified in place."""
        self.dirty_tensors = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether None output gradients reach backward as zeros (the default) or None."""
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of a custom Function call; also its ``ctx``."""

    _forward_cls: type = None  # set on each generated ``<Name>Backward`` class
    _always_call = True

    def __init__(self, next_functions: tuple, out_meta: tuple = ()) -> None:
        Node.__init__(self, next_functions, out_meta)
        self.to_save = ()
        self._saved_tensors = None
        self.non_differentiable = ()
        self.dirty_tensors = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._is_tensor_input = ()

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{self.name()} object at {hex(id(self))}>"

    @property
    def saved_tensors(self) -> tuple:
        if self._saved_tensors is None:
            # Before apply() wrapped the outputs (inside forward): the raw tensors.
            return tuple(self.to_save)
        return tuple(None if s is None else s.unpack() for s in self._saved_tensors)

    saved_variables = saved_tensors

    def release_variables(self) -> None:
        for s in self._saved_tensors or ():
            if s is not None:
                s.release()

    def apply(self, grad_outputs: tuple) -> tuple:
        grads = list(grad_outputs)
        if self.materialize_grads:
            for i, g in enumerate(grads):
                if g is None:
                    shape, dt = self._out_meta[i]
                    grads[i] = Tensor._make(np.zeros(shape, dtype=dt))
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_inputs = len(self._is_tensor_input)
        if len(result) > n_inputs and all(r is None for r in result[n_inputs:]):
            result = result[:n_inputs]
        if len(result) != n_inputs:
            raise RuntimeError(_errors.WRONG_GRAD_COUNT.format(self.name(), n_inputs, len(result)))
        out = []
        for i, (g, is_tensor) in enumerate(zip(result, self._is_tensor_input)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(_errors.GRAD_FOR_NON_TENSOR.format(self.name(), i + 1))
                continue
            out.append(g)
        return tuple(out)


class _FunctionMeta(type):
    """Gives every Function subclass its node class ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class of custom operations: write static ``forward(ctx, ...)`` and
    ``backward(ctx, *grads)``, call ``.apply(...)``."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError(_errors.FORWARD_NOT_IMPLEMENTED)

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(_errors.BACKWARD_NOT_IMPLEMENTED)

    @classmethod
    def apply(cls, *args: Any) -> Any:
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = _state.enabled and any(needs)
        edges = tuple(edge(a) for a in args if isinstance(a, Tensor))
        ctx = cls._backward_cls(edges)
        ctx.needs_input_grad = needs if record else tuple(False for _ in args)
        ctx._is_tensor_input = is_tensor
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = cls.forward(ctx, *args)
        finally:
            _state.enabled = prev
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if record:
            for d in ctx.dirty_tensors:
                if d._grad_fn is None and d._requires_grad:
                    raise RuntimeError(_errors.LEAF_INPLACE_FUNCTION)
            meta = []
            wrapped = []
            for i, o in enumerate(outs):
                if not isinstance(o, Tensor):
                    wrapped.append(o)
                    meta.append(((), np.dtype(np.float32)))
                    continue
                if any(o is a for a in args) and not any(o is d for d in ctx.dirty_tensors):
                    # An input returned as it is: torch returns a new tensor (a view).
                    o = Tensor._make(o._data)
                meta.append((o._data.shape, o._data.dtype))
                if any(o is n for n in ctx.non_differentiable):
                    o._requires_grad = False
                else:
                    o._grad_fn, o._output_nr, o._requires_grad = ctx, i, True
                    if any(o is d for d in ctx.dirty_tensors):
                        o._vc[0] += 1
                wrapped.append(o)
            ctx._out_meta = tuple(meta)
            ctx._saved_tensors = tuple(
                None
                if t is None
                else SavedTensor(t, is_output=any(t is o for o in wrapped) and t._grad_fn is ctx)
                for t in ctx.to_save
            )
            ctx.to_save = ()
            outs = tuple(wrapped)
        return outs[0] if single else outs


class Error(Node):
    """A node that raises when backward reaches it (torch's ``DelayedError``)."""

    __slots__ = ("msg",)
    _always_call = True

    def __init__(self, msg: str, next_functions: tuple, out_meta: tuple) -> None:
        Node.__init__(self, next_functions, out_meta)
        self.msg = msg

    def name(self) -> str:
        return "torch::autograd::Error"

    def apply(self, grad_outputs: tuple) -> tuple:
        raise RuntimeError(self.msg)


def _delayed_error(msg: str, outputs: tuple) -> tuple:
    """Outputs with the same values whose grad_fn is an ``Error`` node raising ``msg``.

    As torch does, each output's edge leads to the ``AccumulateGrad`` of a fresh leaf (a
    detached alias): the graph goes nowhere, backward fails only if it reaches the node.
    """
    leaves = []
    for o in outputs:
        if isinstance(o, Tensor):
            leaf = Tensor._make(o._data, True)
            leaf._vc = o._vc
            leaves.append(leaf)
        else:
            leaves.append(None)
    meta = tuple(((), np.dtype(np.float32)) if v is None else (v._data.shape, v._data.dtype)
                 for v in leaves)  # fmt: skip
    node = Error(msg, tuple(edge(v) for v in leaves), meta)
    return tuple(
        None if v is None else Tensor._make(v._data, True, node, i) for i, v in enumerate(leaves)
    )


def once_differentiable(fn):
    """Decorate ``backward`` to run without recording: its result cannot be differentiated.

    Under ``create_graph=True`` the gradients it returns get an ``Error`` grad_fn, so that
    differentiating them raises ``trying to differentiate twice a function that was marked
    with @once_differentiable`` (torch's behaviour and text).
    """

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _state.enabled = prev
        if not _state.enabled:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        wrapped = _delayed_error(_errors.ONCE_DIFFERENTIABLE, (outputs,) if single else outputs)
        return wrapped[0] if single else wrapped

    return wrapper
