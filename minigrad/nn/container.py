"""Containers: ``Sequential`` (modules applied in order) and ``ModuleList``.

Example:
    >>> import minigrad as mg
    >>> mg.nn.Sequential(mg.nn.Linear(2, 16), mg.nn.Tanh())
    Sequential(
      (0): Linear(in_features=2, out_features=16, bias=True)
      (1): Tanh()
    )
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .. import _errors
from .module import Module, _addindent

__all__ = ["Sequential", "ModuleList"]


class Sequential(Module):
    """Math: f_n(…f_2(f_1(x))): each module's output is the next one's input."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        size = len(self._modules)
        if not -size <= idx < size:
            raise IndexError(_errors.MODULE_INDEX.format(idx))
        return list(self._modules.values())[idx % size]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (indexable, iterable)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int) -> Module:
        size = len(self._modules)
        if not -size <= idx < size:
            raise IndexError(_errors.MODULE_INDEX.format(idx))
        return list(self._modules.values())[idx % size]

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def __repr__(self) -> str:
        # torch compresses runs of identical entries: "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list = []
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            text = f"({start}): {r}"
            if start != end:
                text = f"({start}-{end}): {end - start + 1} x {r}"
            lines.append(_addindent(text, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
