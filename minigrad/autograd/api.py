"""``backward`` and ``grad``: from the user's arguments to one run of the engine.

Both check their arguments as torch does, turn the outputs into root edges and their
gradients (1 for a scalar), and call ``engine.execute``. ``backward`` accumulates into
``.grad``; ``grad`` returns the gradients and leaves ``.grad`` alone.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> grad(x * x, x)
    (tensor(6.),)
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from .._creation import ones_like, zeros_like
from ..ops.cast import to_dtype
from ..tensor import Tensor
from . import graph
from ._batched import batched_grad
from .engine import execute

__all__ = ["backward", "grad"]


class _Identity(graph.Node):
    """Stands for an input that no graph reaches (its gradient stays None)."""

    __slots__ = ()

    def apply(self, grads):
        return grads


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (Tensor, graph.GradientEdge)):
        return (x,)
    return tuple(x)


def _tensor_or_tensors_to_tuple(tensors, length: int) -> tuple:
    if tensors is None:
        return (None,) * length
    if isinstance(tensors, Tensor):
        return (tensors,)
    return tuple(tensors)


def _make_grads(outputs: tuple, grads: tuple) -> list:
    """torch's _make_grads: check given gradients, create ones for scalar outputs."""
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
                        raise RuntimeError(_errors.IMPLICIT_REAL_SCALAR.format(out.dtype))
                    new.append(ones_like(out))
                else:
                    shape, dt = out.node._out_meta[out.output_nr]
                    if int(np.prod(shape)) != 1:
                        raise RuntimeError(_errors.IMPLICIT_SCALAR)
                    new.append(Tensor._make(np.ones(shape, dtype=dt)))
            else:
                new.append(None)
        else:
            raise TypeError(_errors.GRADIENTS_TYPE.format(type(g).__name__))
    return new


def _root_edges(outputs: tuple, grads: list) -> tuple:
    """Root edges and their gradients, cast to each output's dtype, with torch's checks."""
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
            raise RuntimeError(_errors.NONE_GRADIENT.format(i))
        if g._data.dtype != out._data.dtype:
            g = to_dtype(g, out.dtype)
        edges.append((node, nr))
        seeds.append(g)
    return edges, seeds


def _input_edges(inputs: tuple, accumulate: bool) -> list:
    """The edges of the tensors (or GradientEdges) to differentiate with respect to."""
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
    wanted = _input_edges(inputs_t, True) if inputs_t is not None else None
    execute(edges, seeds, keep_graph=retain_graph, create_graph=create_graph, inputs=wanted)


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
        raise ValueError(_errors.MATERIALIZE_NOT_UNUSED)
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs_t = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    if is_grads_batched:  # (a loop over the batch, in _batched.py)
        return batched_grad(grad, outputs_t, inputs_t, grad_outputs, retain_graph=retain_graph,
                            create_graph=create_graph, allow_unused=allow_unused,
                            materialize_grads=materialize_grads)  # fmt: skip
    grads = _make_grads(outputs_t, _tensor_or_tensors_to_tuple(grad_outputs, len(outputs_t)))
    if retain_graph is None:
        retain_graph = create_graph
    edges, seeds = _root_edges(outputs_t, grads)
    if not inputs_t:
        raise RuntimeError(_errors.EMPTY_GRAD_INPUTS)
    wanted = _input_edges(inputs_t, False)
    result = execute(
        edges, seeds, keep_graph=retain_graph, create_graph=create_graph, capture=wanted
    )
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(_errors.UNUSED_INPUT.format(i))
    if materialize_grads:
        if any(g is None and isinstance(t, graph.GradientEdge) for g, t in zip(result, inputs_t)):
            raise RuntimeError(_errors.MATERIALIZE_GRADIENT_EDGE)
        result = [
            g if g is not None else zeros_like(t, requires_grad=create_graph)
            for g, t in zip(result, inputs_t)
        ]
    return tuple(result)
