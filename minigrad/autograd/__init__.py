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

from collections.abc import Sequence

from .. import _errors
from . import graph
from .engine import _Identity, execute
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

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
]


def _as_tuple(x) -> tuple:
    from ..tensor import Tensor

    if x is None:
        return ()
    if isinstance(x, (Tensor, graph.GradientEdge)):
        return (x,)
    return tuple(x)


def _tensor_or_tensors_to_tuple(tensors, length: int) -> tuple:
    from ..tensor import Tensor

    if tensors is None:
        return (None,) * length
    if isinstance(tensors, Tensor):
        return (tensors,)
    return tuple(tensors)


def _make_grads(outputs: tuple, grads: tuple) -> list:
    """torch's _make_grads: check given gradients, create ones for scalar outputs."""
    from .._creation import ones_like
    from ..tensor import Tensor

    new = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        shape = (
            out.node._out_meta[out.output_nr][0]
            if isinstance(out, graph.GradientEdge)
            else (out._data.shape)
        )
        if isinstance(g, Tensor):
            if g._data.shape != shape:
                raise RuntimeError(
                    _errors.SHAPE_MISMATCH.format(
                        i, _errors.shape_str(g._data.shape), i, _errors.shape_str(shape)
                    )
                )
            new.append(g)
        elif g is None:
            if isinstance(out, graph.GradientEdge) or out._requires_grad:
                if isinstance(out, Tensor):
                    if out._data.size != 1:
                        raise RuntimeError(_errors.IMPLICIT_SCALAR)
                    if out._data.dtype.kind != "f":
                        raise RuntimeError(
                            "grad can be implicitly created only for real scalar outputs but "
                            f"got {out.dtype!r}"
                        )
                    new.append(ones_like(out))
                else:
                    import numpy as np

                    shape, dt = out.node._out_meta[out.output_nr]
                    new.append(Tensor._make(np.ones(shape, dtype=dt)))
            else:
                new.append(None)
        else:
            raise TypeError(_errors.GRADIENTS_TYPE.format(type(g).__name__))
    return new


def _root_edges(outputs: tuple, grads: list) -> tuple:
    """Root edges and their gradients, cast to each output's dtype, with torch's checks."""
    from ..ops.pointwise import to_dtype

    if len(outputs) != len(grads):
        raise RuntimeError(_errors.COUNT_MISMATCH.format(len(outputs), len(grads)))
    edges, seeds = [], []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if isinstance(out, graph.GradientEdge):
            edges.append((out.node, out.output_nr))
            seeds.append(g)
            continue
        node, nr = out._edge()
        if node is None:
            raise RuntimeError(_errors.NO_GRAD_FN.format(i))
        if g is None:
            raise RuntimeError(
                f"element {i} of gradients tuple is None, but the corresponding Tensor "
                "requires grad"
            )
        if g._data.dtype != out._data.dtype:
            g = to_dtype(g, out.dtype)
        edges.append((node, nr))
        seeds.append(g)
    return edges, seeds


def _input_edges(inputs: tuple, accumulate: bool) -> list:
    edges = []
    for t in inputs:
        if isinstance(t, graph.GradientEdge):
            edges.append((t.node, t.output_nr))
            continue
        node = t._grad_fn
        if node is None and t._grad_acc is not None:
            node = t._grad_acc()
        if accumulate:
            if t._requires_grad:
                t.retain_grad()
        if not t._requires_grad:
            raise RuntimeError(_errors.INPUT_NO_GRAD)
        if node is None:
            if accumulate:
                node = t._grad_accumulator()
            else:
                edges.append((_Identity(()), 0))
                continue
        edges.append((node, t._output_nr))
    return edges


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs=None,
) -> None:
    """Accumulate the gradients of ``tensors`` w.r.t. the graph's leaves into ``.grad``.

    Math: leaf.grad += Σᵢ vᵢᵀ·∂tensorᵢ/∂leaf, with vᵢ = ``grad_tensors[i]`` (1 for scalars).
    ``retain_graph`` defaults to ``create_graph``; ``inputs`` limits which leaves accumulate.
    """
    if inputs is not None and len(_as_tuple(inputs)) == 0:
        raise RuntimeError(_errors.EMPTY_BACKWARD_INPUTS)
    outputs = _as_tuple(tensors)
    inputs_t = _as_tuple(inputs) if inputs is not None else None
    grads = _make_grads(outputs, _tensor_or_tensors_to_tuple(grad_tensors, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    edges, seeds = _root_edges(outputs, grads)
    if create_graph:
        # torch warns once per process (TORCH_WARN_ONCE).
        _errors.warn_once(_errors.CREATE_GRAPH_BACKWARD_WARNING, stacklevel=3)
    out_edges = _input_edges(inputs_t, True) if inputs_t is not None else None
    execute(edges, seeds, retain_graph, create_graph, True, out_edges)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (``.grad`` is untouched).

    Math: returns (Σᵢ gᵢᵀ·∂outputᵢ/∂input for each input), g = ``grad_outputs``.
    ``create_graph=True`` records the computation so the result can be differentiated.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        raise NotImplementedError("minigrad does not implement is_grads_batched")
    outputs_t = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    grads = _make_grads(outputs_t, _tensor_or_tensors_to_tuple(grad_outputs, len(outputs_t)))
    if retain_graph is None:
        retain_graph = create_graph
    edges, seeds = _root_edges(outputs_t, grads)
    if not inputs_t:
        raise RuntimeError(_errors.EMPTY_GRAD_INPUTS)
    out_edges = _input_edges(inputs_t, False)
    result = execute(edges, seeds, retain_graph, create_graph, False, out_edges)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(_errors.UNUSED_INPUT.format(i))
    if materialize_grads:
        from .._creation import zeros_like

        result = [
            g if g is not None else zeros_like(t, requires_grad=create_graph)
            for g, t in zip(result, inputs_t)
        ]
    return tuple(result)


def __getattr__(name: str):
    # gradcheck and friends arrive with the API-completeness work; say so clearly.
    if name == "functional":
        raise AttributeError(
            f"minigrad.autograd.{name} is not implemented yet (see the issue on hooks, "
            "gradcheck, nn and optim)"
        )
    raise AttributeError(f"module 'minigrad.autograd' has no attribute '{name}'")
