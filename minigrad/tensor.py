"""``Tensor``: a numpy array plus the autograd fields torch users know.

Three fields carry autograd (the rest is bookkeeping):

- ``requires_grad``: whether operations on it are recorded;
- ``grad_fn``: the backward ``Node`` that made it (None for leaves);
- ``grad``: where ``backward()`` accumulates d(output)/d(this leaf).

The operators and methods (``x * y``, ``x.exp()``) are one-liners that call the
operations in ``minigrad.ops``; each operation records its node with ``ops.record``.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> y = x * x
    >>> y
    tensor(4., grad_fn=<MulBackward0>)
    >>> y.backward(); x.grad
    tensor(4.)
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _dtype, _errors
from ._tensor_methods import TensorMethods
from ._tensor_str import tensor_repr
from .ops._sizes import normalize_dim

__all__ = ["Tensor"]


class Tensor(TensorMethods):
    """An n-dimensional array that can record the operations applied to it.

    The operators and operation methods (``x * y``, ``x.exp()``) are inherited from
    ``TensorMethods`` (``_tensor_methods.py``); this class holds the data and autograd's
    fields.
    """

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad_fn",
        "_output_nr",
        "_vc",
        "__weakref__",
        "__dict__",
    )

    # Rarely set, so class-level defaults: an instance stores its own value (in its
    # __dict__) only once it has one, and creating a tensor costs that many stores less.
    _grad: Tensor | None = None
    _retains_grad: bool = False
    _hooks: Any = None
    _base: Tensor | None = None
    _grad_acc: Any = None
    _post_acc_hooks: Any = None
    # Views only (see autograd/views.py): how the view was made, the version of its memory
    # its grad_fn belongs to, and a grad_fn an in-place change put out of date. A base
    # keeps weak references to its views in _views.
    _creation_meta: int = 0
    _attr_version: int = 0
    _stale_grad_fn: Any = None
    _views: Any = None

    # minigrad-only: a label for diagrams (``mg.tensor(2.0, name="x")``); None like torch's.
    name: str | None = None
    # torch's ZeroTensor flag (``sgn``'s gradient), set on the rare ones: see ops/_zerotensor.py.
    _zero: bool = False
    # Made inside ``inference_mode()``: see autograd/inference_mode.py.
    _inference: bool = False

    # -- construction --------------------------------------------------------------------
    def __init__(self, data: Any = None, requires_grad: bool = False) -> None:
        Tensor._init(self, _creation._to_array(data, None), requires_grad, None, 0)
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _init(self, data, requires_grad, grad_fn, output_nr) -> None:
        self._data = data
        self._requires_grad = requires_grad
        self._grad_fn = grad_fn
        self._output_nr = output_nr
        self._vc = [0]  # the version counter, shared by views and detach()
        # (_grad, _retains_grad, _hooks, _base, _grad_acc: the class defaults)
        if _inference.enabled:
            self._inference = True

    @classmethod
    def _make(
        cls, data: np.ndarray, requires_grad: bool = False, grad_fn=None, output_nr: int = 0
    ) -> Tensor:
        """Fast internal constructor: no conversion, no checks."""
        t = object.__new__(cls)
        t._data = data
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = [0]
        if _inference.enabled:
            t._inference = True
        return t

    def new_zeros(self, *size, dtype=None, requires_grad: bool = False):
        return _creation.zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: bool = False):
        return _creation.ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad: bool = False):
        return _creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    # -- the graph: grad_fn, is_leaf -----------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (or detached): no ``grad_fn``."""
        return self.grad_fn is None

    @property
    def grad_fn(self):
        """The backward node that produced this tensor, or None for a leaf."""
        fn = self._grad_fn
        if fn is None and self._base is not None:
            # A view whose memory an in-place op changed: its history is regenerated.
            return _inplace_views.view_grad_fn(self)
        return fn

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        """How many times this tensor's storage was modified in place."""
        if self._inference:
            raise RuntimeError(_errors.INFERENCE_VERSION)
        return self._vc[0]

    def is_inference(self) -> bool:
        """True for a tensor created inside ``inference_mode()``."""
        return self._inference

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (its ``_base``)."""
        return self._base is not None

    # -- requires_grad -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        base = self._base  # a view requires grad when its base does
        return self._requires_grad or (base is not None and base._requires_grad)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if value:
                raise RuntimeError(_errors.NON_LEAF_REQUIRES_GRAD_TRUE)
            raise RuntimeError(_errors.NON_LEAF_REQUIRES_GRAD)
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(_errors.FLOAT_REQUIRES_GRAD_ATTR)
        if value and self._inference and not _inference.enabled:
            raise RuntimeError(_errors.INFERENCE_REQUIRES_GRAD)
        self._requires_grad = bool(value)

    @requires_grad.deleter
    def requires_grad(self) -> None:
        raise RuntimeError(_errors.DELETE_REQUIRES_GRAD)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return self."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(_errors.NON_LEAF_REQUIRES_GRAD)
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(_errors.FLOAT_REQUIRES_GRAD_SET)
        if requires_grad and self._inference and not _inference.enabled:
            raise RuntimeError(_errors.INFERENCE_REQUIRES_GRAD)
        self._requires_grad = bool(requires_grad)
        return self

    # -- grad ----------------------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves, or tensors that ``retain_grad()``)."""
        if self._grad is None and not self._retains_grad and not self.is_leaf:
            warnings.warn(_errors.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(_errors.GRAD_TYPE.format(type(value).__name__))
            if value is self:
                raise RuntimeError(_errors.GRAD_IS_SELF)
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(_errors.grad_dtype(value.dtype, self.dtype))
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    _errors.GRAD_SIZE.format(list(value._data.shape), list(self._data.shape))
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError(_errors.RETAIN_GRAD_NO_GRAD)
        node = self.grad_fn
        if node is None or self._retains_grad:
            return
        self._retains_grad = True
        if node._retains_grad is None:
            node._retains_grad = {}
        node._retains_grad[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def _grad_accumulator(self):
        """This leaf's ``AccumulateGrad`` node: one per leaf, alive while a graph uses it."""
        acc = self._grad_acc() if self._grad_acc is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._grad_acc = weakref.ref(acc)
        return acc

    def _edge(self) -> tuple:
        """``(grad_fn, output_nr)``, or ``(AccumulateGrad, 0)`` for a leaf (see ``ops.record``)."""
        return _record.edge(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        return _hooks.register_tensor_hook(self, hook)

    @property
    def _backward_hooks(self):
        """The hooks registered on this tensor (torch's ``_backward_hooks``), or None."""
        return _hooks.tensor_hooks(self)

    @_backward_hooks.deleter
    def _backward_hooks(self) -> None:
        raise RuntimeError(_errors.DELETE_BACKWARD_HOOKS)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]):
        """Call ``hook(self)`` after the gradient was accumulated into ``self.grad``."""
        return _hooks.register_post_accumulate_grad_hook(self, hook)

    # -- backward ------------------------------------------------------------------------
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | Tensor | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf), weighted by ``gradient``, into every leaf's ``.grad``.

        Math: leaf.grad += vᵀ·J with v = ``gradient`` (1 for a scalar).
        """
        _api.backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
        )

    # -- detaching and data --------------------------------------------------------------
    def detach(self) -> Tensor:
        """A new leaf sharing storage (and version counter) with no history."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        if self._zero:
            t._zero = True
        if t._inference is not self._inference:  # a view: inference iff its base is
            t._inference = self._inference
        return t

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad, in place."""
        if self._base is not None:
            raise RuntimeError(_errors.DETACH_VIEW_INPLACE)
        self._grad_fn = None
        self._output_nr = 0
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """The values as a tensor outside autograd: same storage, its own version counter."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(_errors.DATA_TYPE.format(type(value).__name__))
        if self._requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError(_errors.DATA_NOT_FLOAT)
        self._data = value._data

    @data.deleter
    def data(self) -> None:
        raise RuntimeError(_errors.DELETE_DATA)

    @property
    def volatile(self) -> bool:
        """Removed from torch long ago: always False, with a warning."""
        warnings.warn(_errors.VOLATILE_REMOVED, UserWarning, stacklevel=2)
        return False

    # -- basic attributes ----------------------------------------------------------------
    @property
    def shape(self) -> _dtype.Size:
        return _dtype.Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return _dtype.Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.to_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def device(self) -> str:
        return "cpu"

    def _is_zerotensor(self) -> bool:
        """``Tensor._is_zerotensor()``: is this an immutable zero such as ``sgn``'s gradient?"""
        return self._zero

    def is_contiguous(self) -> bool:
        """Whether the elements lie in row-major order in memory (size-1 dims don't count).

        Example: ``mg.ones(2, 3).t().is_contiguous()`` is False.
        """
        return self._data.flags.c_contiguous

    # -- values as numpy arrays and Python numbers ---------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a numpy array sharing memory; not allowed while requiring grad.

        ``force=True`` gives the values anyway (a copy for a ZeroTensor), as in torch.
        """
        if force:
            return self._data.copy() if self._zero else self._data
        if self._requires_grad and _grad_mode.enabled:
            raise RuntimeError(_errors.NUMPY_REQUIRES_GRAD)
        if self._zero:
            raise RuntimeError(_errors.ZERO_NUMPY)
        return self._data

    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(_errors.ITEM_NUMEL.format(self._data.size))
        return self._data.item()

    def tolist(self):
        if self._zero:  # torch's ZeroTensor has no storage to read
            raise RuntimeError(_errors.ZERO_TOLIST)
        return self._data.tolist()

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError(_errors.SCALAR_NUMEL)
        if self._requires_grad:
            warnings.warn(_errors.SCALAR_REQUIRES_GRAD_WARNING, UserWarning, stacklevel=3)
        return self._data.item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(_errors.INDEX_NOT_INTEGER)
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(_errors.BOOL_AMBIGUOUS)
        return bool(self._data.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError(_errors.LEN_0D)
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError(_errors.ITER_0D)
        return iter(self.unbind(0))

    __hash__ = object.__hash__

    def __deepcopy__(self, memo: dict) -> Tensor:
        return _copying.deepcopy_tensor(self, memo)

    def __reduce_ex__(self, protocol: int):
        return _copying.reduce_tensor(self)

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad and _grad_mode.enabled:
            raise RuntimeError(_errors.NUMPY_REQUIRES_GRAD)
        if self._zero:
            raise RuntimeError(_errors.ZERO_NUMPY)
        return self._data if dtype is None else self._data.astype(dtype)

    # -- printing ------------------------------------------------------------------------
    def __repr__(self) -> str:
        try:
            fn = self.grad_fn
            fn_name = None if fn is None else type(fn).__name__
        except RuntimeError:  # a view that may not be used any more (torch prints this)
            fn_name = "Invalid"
        return tensor_repr(
            self._data,
            dtype=self.dtype.name,
            requires_grad=self.requires_grad,
            grad_fn_name=fn_name,
        )

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return repr(self)


# -- where the import circle closes -----------------------------------------------------------
# The modules below import Tensor, so they are imported here, once the class exists; the
# methods above look them up when they run.
from . import _copying, _creation  # noqa: E402
from .autograd import api as _api  # noqa: E402
from .autograd import hooks as _hooks  # noqa: E402
from .autograd.accumulate_grad import AccumulateGrad  # noqa: E402
from .autograd.grad_mode import _state as _grad_mode  # noqa: E402
from .autograd.inference_mode import _state as _inference  # noqa: E402
from .ops import inplace_views as _inplace_views  # noqa: E402
from .ops import record as _record  # noqa: E402
