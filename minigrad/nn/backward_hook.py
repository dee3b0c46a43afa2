"""Module full backward hooks: ``hook(module, grad_input, grad_output)``.

As in torch (``torch.utils.hooks.BackwardHook``), the module's tensor inputs and outputs
are passed through an identity ``BackwardHookFunction``; a pre-hook on the output side's
node records ``grad_output``, a post-hook on the input side's node sees ``grad_input`` and
calls the user hooks, which may return a replacement ``grad_input``.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import _errors
from ..autograd.function import Function
from ..tensor import Tensor

__all__ = ["BackwardHook", "BackwardHookFunction"]

_NO_INPUT_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See "
    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details."
)


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; its node is where the hooks attach."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(
            *[a for a in args if isinstance(a, Tensor) and not a.requires_grad]
        )
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """Wires the user hooks of one module call into its inputs' and outputs' graph."""

    def __init__(self, module, user_hooks: tuple) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.input_positions: list = []

    def _apply(self, args: tuple) -> tuple[tuple, list]:
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        if not any(t.requires_grad for t in tensors):
            return args, []
        new = BackwardHookFunction.apply(*tensors)
        out = list(args)
        for i, t in zip(positions, new):
            out[i] = t
        return tuple(out), positions

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        new_args, positions = self._apply(args)
        self.input_positions = positions
        if positions:
            node = next(a.grad_fn for a in new_args if isinstance(a, Tensor) and a.grad_fn)

            def hook(grad_inputs, _grad_outputs):
                if self.grad_outputs is None:
                    # The gradient reached the inputs without passing through the outputs
                    # (double backward through the first gradient's graph): no call.
                    return None
                # grad_inputs of the identity node: the gradients w.r.t. the module's inputs.
                packed = [None] * self.n_inputs
                for i, g in zip(self.input_positions, grad_inputs):
                    packed[i] = g
                result = self._run_user_hooks(tuple(packed))
                self.grad_outputs = None
                if result is None:
                    return None
                return tuple(result[i] for i in self.input_positions)

            node.register_hook(hook)
        return new_args

    def _run_user_hooks(self, grad_inputs: tuple) -> tuple | None:
        replaced = None
        for user_hook in self.user_hooks:
            out = user_hook(self.module, grad_inputs, self.grad_outputs)
            if out is not None:
                out = out if isinstance(out, tuple) else (out,)
                if len(out) != len(grad_inputs):
                    raise RuntimeError(_errors.MODULE_HOOK_COUNT.format(len(out), len(grad_inputs)))
                grad_inputs = replaced = out
        return replaced

    def setup_output_hook(self, output: Any) -> Any:
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        new_outs, positions = self._apply(outs)
        if positions:
            node = next(o.grad_fn for o in new_outs if isinstance(o, Tensor) and o.grad_fn)

            def prehook(grad_outputs):
                self.grad_outputs = tuple(grad_outputs)
                if not self.input_positions:
                    # No input needs a gradient: the hooks run now, with grad_input None.
                    warnings.warn(_NO_INPUT_WARNING, UserWarning, stacklevel=2)
                    self._run_user_hooks((None,) * self.n_inputs)
                    self.grad_outputs = None
                return None

            node.register_prehook(prehook)
        return new_outs[0] if single else new_outs
