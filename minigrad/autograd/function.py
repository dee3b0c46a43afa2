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
import inspect
import warnings
from typing import Any

import numpy as np

from .. import _errors
from ..ops import inplace, shape
from ..ops.inplace_views import check_inplace, is_leaf, rebase_history, requires_grad_of
from ..ops.record import edge
from ..tensor import Tensor
from .grad_mode import _state
from .graph import Node
from .saved import SavedTensor
from .views import IN_CUSTOM_FUNCTION, MULTI_OUTPUT_NODE, set_creation_meta

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


# What each output of a Function call is, for the gradients its backward receives.
_DIFFERENTIABLE, _NON_DIFFERENTIABLE, _NOT_A_TENSOR = 0, 1, 2


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of a custom Function call; also its ``ctx``."""

    _forward_cls: type = None  # set on each generated ``<Name>Backward`` class
    _always_call = True
    # ctx._materialize_non_diff_grads = False: outputs marked non-differentiable get None.
    _materialize_non_diff_grads = True

    def __init__(self, next_functions: tuple, out_meta: tuple = ()) -> None:
        Node.__init__(self, next_functions, out_meta)
        self.to_save = ()
        self._saved_tensors = None
        self.non_differentiable = ()
        self.dirty_tensors = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._is_tensor_input = ()
        self._output_kinds = ()

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

    def _grads_for_backward(self, grad_outputs: tuple) -> list:
        """None gradients become zeros, except for outputs that are not tensors (and, with
        ``_materialize_non_diff_grads = False``, for non-differentiable ones)."""
        grads = list(grad_outputs)
        if not self.materialize_grads:
            return grads
        for i, g in enumerate(grads):
            kind = self._output_kinds[i] if i < len(self._output_kinds) else _DIFFERENTIABLE
            if g is None and (
                kind == _DIFFERENTIABLE
                or (kind == _NON_DIFFERENTIABLE and self._materialize_non_diff_grads)
            ):
                shape, dt = self._out_meta[i]
                grads[i] = Tensor._make(np.zeros(shape, dtype=dt))
        return grads

    def apply(self, grad_outputs: tuple) -> tuple:
        result = _user_backward(self._forward_cls)(self, *self._grads_for_backward(grad_outputs))
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


def _user_backward(cls: type):
    """The Function's ``backward``, or its ``vjp`` (one of the two, not both)."""
    backward_fn, vjp_fn = cls.backward, cls.vjp
    if backward_fn is not Function.backward and vjp_fn is not Function.vjp:
        raise RuntimeError(_errors.BACKWARD_AND_VJP)
    return vjp_fn if vjp_fn is not Function.vjp else backward_fn


class _FunctionMeta(type):
    """Gives every Function subclass its node class ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class of custom operations: write static ``forward(ctx, ...)`` and
    ``backward(ctx, *grads)``, call ``.apply(...)``. Or write ``forward(...)`` without
    ``ctx`` and ``setup_context(ctx, inputs, output)`` to fill the ctx afterwards."""

    generate_vmap_rule = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(_errors.FUNCTION_INSTANTIATED.format(type(self)), DeprecationWarning,
                      stacklevel=2)  # fmt: skip

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(_errors.LEGACY_FUNCTION)

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(_errors.FORWARD_NOT_IMPLEMENTED)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError(_errors.SETUP_CONTEXT_NOT_IMPLEMENTED)

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(_errors.BACKWARD_NOT_IMPLEMENTED)

    vjp = backward

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        raise NotImplementedError(_errors.VMAP_NOT_IMPLEMENTED)

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        own_setup = cls.setup_context != Function.setup_context
        if own_setup:  # forward(...) without ctx: its default arguments count as inputs
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args = bound.args
        tensors = [a for a in args if isinstance(a, Tensor)]
        executable = _state.enabled and any(requires_grad_of(a) for a in tensors)
        ctx = cls._backward_cls(tuple(edge(a) for a in tensors) if executable else ())
        ctx.needs_input_grad = tuple(
            executable and isinstance(a, Tensor) and requires_grad_of(a) for a in args
        )
        ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
        outputs = _run_forward(cls, ctx, args, own_setup)
        single = not isinstance(outputs, tuple)
        wrapped = _wrap_outputs(ctx, args, (outputs,) if single else outputs, executable)
        if executable:
            ctx._saved_tensors = tuple(
                None if t is None else SavedTensor(t, is_output=t._grad_fn is ctx)
                for t in ctx.to_save
            )
        ctx.to_save = ()
        return wrapped[0] if single else wrapped


def _run_forward(cls, ctx, args: tuple, own_setup: bool):
    """``forward`` (and ``setup_context``) with grad mode off: not recorded."""
    prev = _state.enabled
    _state.enabled = False
    try:
        if not own_setup:
            return cls.forward(ctx, *args)
        outputs = cls.forward(*args)
        cls.setup_context(ctx, args, outputs)
        return outputs
    finally:
        _state.enabled = prev


def _wrap_outputs(ctx, args: tuple, outs: tuple, executable: bool) -> tuple:
    """Give the outputs their history (torch's ``_wrap_outputs``): ``ctx`` as ``grad_fn``,
    a view for an input returned as it is, the base's rebase for a dirty view."""
    dirty = ctx.dirty_tensors
    for d in dirty:
        inplace.bump_version(d)
    meta, kinds, wrapped, n_differentiable = [], [], [], 0
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            meta.append(((), np.dtype(np.float32)))
            kinds.append(_NOT_A_TENSOR)
            wrapped.append(o)
            continue
        is_input = any(o is a for a in args)
        is_modified = any(o is d for d in dirty)
        differentiable = (
            executable
            and not any(o is n for n in ctx.non_differentiable)
            and o._data.dtype.kind == "f"
        )
        meta.append((o._data.shape, o._data.dtype))
        kinds.append(_DIFFERENTIABLE if differentiable else _NON_DIFFERENTIABLE)
        o = _set_history(ctx, o, i, (is_input, is_modified, differentiable), len(outs))
        if not (is_input and is_modified) and o._base is not None:
            o._creation_meta = IN_CUSTOM_FUNCTION
        n_differentiable += differentiable
        wrapped.append(o)
    if n_differentiable > 1:  # several outputs: none of their views may change in place
        views = [o for o in wrapped if isinstance(o, Tensor) and o._base is not None]
        set_creation_meta(views, MULTI_OUTPUT_NODE)
    for d in dirty:
        if not any(d is o for o in wrapped):
            raise RuntimeError(_errors.DIRTY_NOT_RETURNED)
    if executable:
        ctx._out_meta, ctx._output_kinds = tuple(meta), tuple(kinds)
    return tuple(wrapped)


def _view_as_self(t: Tensor) -> Tensor:
    """An input returned as it is comes back as a view of it, made without grad mode."""
    prev = _state.enabled
    _state.enabled = False
    try:
        return shape.view(t, t._data.shape)
    finally:
        _state.enabled = prev


def _set_history(ctx, var: Tensor, nr: int, flags: tuple, n_outputs: int) -> Tensor:
    """One output's history (torch's ``set_history`` in ``_process_backward_mode_ad``)."""
    is_input, is_modified, differentiable = flags
    if not differentiable:
        if not requires_grad_of(var):
            return _view_as_self(var) if is_input and not is_modified else var
        if is_input:
            return var.detach()
        if var._base is None:
            var.detach_()
        return var
    if is_modified:
        if is_leaf(var) and requires_grad_of(var):
            raise RuntimeError(_errors.LEAF_INPLACE_FUNCTION)
        if not is_input:
            if var._base is not None:
                raise RuntimeError(_errors.MARK_DIRTY_NOT_INPUT)
            warnings.warn(_errors.MARK_DIRTY_NOT_INPUT_WARNING, UserWarning, stacklevel=4)
        if var._base is not None and n_outputs > 1:
            raise RuntimeError(_errors.DIRTY_VIEW_MULTI_OUTPUT)
        var._grad = None
        check_inplace(var)
        rebase_history(var, ctx, nr)
        return var
    if is_input:
        var = _view_as_self(var)
    var._grad_fn, var._output_nr, var._requires_grad = ctx, nr, True
    var._attr_version = var._vc[0]
    return var


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
