"""``Module``: the base class of layers and models, as ``torch.nn.Module``.

A module holds ``Parameter``s and child modules, assigned as attributes in ``__init__``,
and computes in ``forward``. Calling the module calls ``forward`` (plus any hooks).

Parameters and children are registered in ``_parameters`` / ``_modules`` (ordered dicts,
as in torch) *and* kept in the instance ``__dict__``, so that ``self.weight`` is a plain
attribute read: no ``__getattr__`` detour on the hot path of every forward.

Example:
    >>> import minigrad as mg
    >>> class Net(mg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = mg.nn.Linear(1, 10)
    ...         self.predict = mg.nn.Linear(10, 1)
    ...     def forward(self, x):
    ...         return self.predict(mg.relu(self.hidden(x)))
    >>> Net()
    Net(
      (hidden): Linear(in_features=1, out_features=10, bias=True)
      (predict): Linear(in_features=10, out_features=1, bias=True)
    )
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from .. import _dtype, _errors
from ..autograd.grad_mode import no_grad
from ..autograd.graph import RemovableHandle
from ..tensor import Tensor
from .backward_hook import BackwardHook
from .parameter import Parameter

__all__ = ["Module", "typename"]


def typename(obj: Any) -> str:
    """torch.typename: ``torch.FloatTensor`` for tensors, the qualified type name otherwise."""
    if isinstance(obj, Tensor):
        return obj.dtype._legacy
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def _addindent(s: str, num_spaces: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join(num_spaces * " " + line for line in lines)


class _IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Reset each parameter's ``.grad``: to None, or detached and zeroed in place (torch's rule).

    Shared by ``Module.zero_grad`` and ``Optimizer.zero_grad``.
    """
    for p in params:
        g = p._grad
        if g is None:
            continue
        if set_to_none:
            p._grad = None
        else:
            if g._grad_fn is not None:
                g.detach_()
            else:
                g.requires_grad_(False)
            g.zero_()


class Module:
    """Base class of all layers: subclass it, assign parameters/submodules in ``__init__``
    and write ``forward``.

    Math: ``module(x)`` = ``forward(x)``; ``parameters()`` are the leaves an optimizer updates.
    """

    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(
                _errors.UNEXPECTED_KEYWORD.format(
                    f"{type(self).__name__}.__init__", next(iter(kwargs))
                )
            )
        if args:
            raise TypeError(_errors.MODULE_INIT_ARGS.format(type(self).__name__, len(args) + 1))
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_modules"] = {}
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(_errors.MODULE_NO_FORWARD.format(type(self).__name__))

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_hooks"]:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook in tuple(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        bw = None
        if self._backward_hooks:
            bw = BackwardHook(self, tuple(self._backward_hooks.values()))
            args = bw.setup_input_hook(args)
        output = self.forward(*args, **kwargs)
        for hook in tuple(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        if bw is not None:
            output = bw.setup_output_hook(output)
        return output

    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; it may return new args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; it may return a new output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients w.r.t. the
        module's inputs are computed; it may return a new ``grad_input``."""
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    # -- attribute registration ------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(_errors.MODULE_NOT_INIT.format("parameters"))
            d["_modules"].pop(name, None)
            d["_buffers"].pop(name, None)
            d.pop(name, None)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(_errors.MODULE_ASSIGN_PARAMETER.format(typename(value), name))
            params[name] = None
            d[name] = None
        elif isinstance(value, Module):
            modules = d.get("_modules")
            if modules is None:
                raise AttributeError(_errors.MODULE_NOT_INIT.format("module"))
            params.pop(name, None)
            d["_buffers"].pop(name, None)
            modules[name] = value
            d[name] = value
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(_errors.MODULE_ASSIGN_CHILD.format(typename(value), name))
            d["_modules"][name] = None
            d[name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(_errors.MODULE_ASSIGN_BUFFER.format(typename(value), name))
            d["_buffers"][name] = value
            d[name] = value
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d[registry]:
                del d[registry][name]
                d.pop(name, None)
                return
        object.__delattr__(self, name)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails (registered names live in __dict__ too).
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(_errors.NO_ATTRIBUTE.format(type(self).__name__, name))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` under ``name`` (None registers an absent parameter, e.g. no bias)."""
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(_errors.MODULE_NOT_INIT.format("parameter"))
        if not isinstance(name, str):
            raise TypeError(_errors.NAME_NOT_STRING.format("parameter", typename(name)))
        if "." in name:
            raise KeyError(_errors.PARAMETER_NAME_DOT)
        if name == "":
            raise KeyError(_errors.NAME_EMPTY.format("parameter"))
        if name in d and name not in d["_parameters"]:
            raise KeyError(_errors.ATTRIBUTE_EXISTS.format(name))
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(_errors.REGISTER_NOT_PARAMETER.format(typename(param), name))
        if param is not None and param._grad_fn is not None:
            raise ValueError(_errors.NON_LEAF_PARAMETER.format(name))
        d["_parameters"][name] = param
        d[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (not returned by parameters())."""
        d = self.__dict__
        if name in d and name not in d["_buffers"]:
            raise KeyError(_errors.ATTRIBUTE_EXISTS.format(name))
        d["_buffers"][name] = tensor
        d[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(_errors.NOT_A_MODULE.format(typename(module)))
        if not isinstance(name, str):
            raise TypeError(_errors.NAME_NOT_STRING.format("module", typename(name)))
        d = self.__dict__
        if name in d and name not in d["_modules"]:
            raise KeyError(_errors.ATTRIBUTE_EXISTS.format(name))
        if "." in name:
            raise KeyError(_errors.MODULE_NAME_DOT.format(name))
        if name == "":
            raise KeyError(_errors.NAME_EMPTY.format("module"))
        d["_modules"][name] = module
        d[name] = module

    register_module = add_module

    # -- walking the tree (iteratively) ----------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module and every descendant, depth first."""
        seen = memo if memo is not None else set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [
                (name + ("." if name else "") + key, child)
                for key, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen: set = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for key, value in module.__dict__[registry].items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + key, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, e.g. ``("hidden.weight", ...)``."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and its descendants (each once)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and on self; return self."""
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    # -- modes and gradients ---------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all descendants; return self."""
        if not isinstance(mode, bool):
            raise ValueError(_errors.TRAINING_NOT_BOOL)
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (freeze with False); return self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        zero_grads(self.parameters(), set_to_none)

    # -- dtype -----------------------------------------------------------------------------
    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        # Parameters keep their identity (optimizers hold them): only their values change.
        for module in self.modules():
            for registry in ("_parameters", "_buffers"):
                for t in module.__dict__[registry].values():
                    if t is not None:
                        new = fn(t.detach())
                        t._data = new._data
                        if t._grad is not None:
                            t._grad = fn(t._grad)
        return self

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64; return self."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def float(self) -> Module:  # noqa: A003 - torch's name
        """Cast floating-point parameters and buffers to float32; return self."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` casts floating-point parameters; devices other than "cpu" are refused."""
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif a not in ("cpu", None):
                raise RuntimeError(_errors.ONLY_CPU.format(a))
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(_errors.MODULE_TO_DTYPE.format(dtype))
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    # -- state -----------------------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Parameters and buffers by dotted name (detached unless ``keep_vars``)."""
        out: OrderedDict = OrderedDict()
        for registry in ("_parameters", "_buffers"):
            for name, t in self._named_members(registry, prefix, True, False):
                out[name] = t if keep_vars else t.detach()
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers (same names)."""
        own = dict(self._named_members("_parameters", "", True, False))
        own.update(self._named_members("_buffers", "", True, False))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(
                    _errors.STATE_DICT_MISSING.format(", ".join(f'"{k}"' for k in missing))
                )
            if unexpected:
                parts.append(
                    _errors.STATE_DICT_UNEXPECTED.format(", ".join(f'"{k}"' for k in unexpected))
                )
            raise RuntimeError(
                _errors.STATE_DICT_ERRORS.format(type(self).__name__, "\n\t".join(parts))
            )
        with no_grad():
            for name, t in own.items():
                if name in state_dict:
                    src = state_dict[name]
                    src = src if isinstance(src, Tensor) else Tensor(src)
                    if src._data.shape != t._data.shape:
                        raise RuntimeError(
                            _errors.STATE_DICT_ERRORS.format(
                                type(self).__name__,
                                _errors.STATE_DICT_SIZE.format(name, src.shape, t.shape),
                            )
                        )
                    t.copy_(src)
        return _IncompatibleKeys(missing, unexpected)

    # -- printing --------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override it)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            "(" + key + "): " + _addindent(repr(module), 2) for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def __dir__(self) -> list:
        keys = set(dir(type(self))) | set(self.__dict__)
        return sorted(k for k in keys if not k[0].isdigit())
