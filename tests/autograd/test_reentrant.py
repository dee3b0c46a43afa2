"""Re-entrant backward: a backward that calls ``backward``/``autograd.grad`` itself (issue 18).

torch runs a re-entrant backward to the end before the outer one continues, gives its tasks
priority, propagates its errors, and does not overflow the stack however deep the nesting
goes (it hands deep re-entrant calls to a fresh worker). Each program runs on minigrad and
on torch; the name given to ``programs.add`` is the test of PyTorch's
``test/test_autograd.py`` it comes from.
"""

from __future__ import annotations

from tests.oracle import ProgramSet, capture_error

programs = ProgramSet()


def _deep_reentrant(lib):
    class DeepReentrant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = x.detach().requires_grad_()
                ctx.x = ctx.x - 1
            return ctx.x.detach()

        @staticmethod
        def backward(ctx, x):
            if ctx.x < 0:
                return x
            with lib.enable_grad():
                DeepReentrant.apply(ctx.x).sum().backward()
            return x

    return DeepReentrant


@programs.add(
    "test_deep_reentrant",
    cases={"20 deep": (20.0,), "200 deep": (200.0,)},
)
def shallow_reentrant_backward(lib, depth):
    v = lib.tensor(depth, requires_grad=True)
    _deep_reentrant(lib).apply(v).sum().backward()
    return {"v.grad": v.grad}


@programs.add("test_deep_reentrant")
def deep_reentrant_backward(lib):
    """Issue 18, program 5: 2,000 nested backward calls, then 200 more reusing the engine."""
    fn = _deep_reentrant(lib)
    v = lib.tensor(2000.0, requires_grad=True)
    fn.apply(v).sum().backward()
    v2 = lib.tensor(200.0, requires_grad=True)
    fn.apply(v2).sum().backward()
    return {"v.grad": v.grad, "v2.grad": v2.grad}


@programs.add("test_simple_reentrant")
def backward_inside_backward(lib):
    y_data = lib.tensor([[1.0, 2.0], [3.0, 4.0]])

    class Reenter(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = x.detach().requires_grad_()
                ctx.y = y_data.detach().requires_grad_()
                ctx.output_var = ctx.x * ctx.y
            return ctx.output_var.detach()

        @staticmethod
        def backward(ctx, g):
            with lib.enable_grad():
                ctx.output_var.sum().backward()
            return ctx.x.grad * g

    x = lib.tensor([[0.5, 1.5], [2.5, 3.5]], requires_grad=True)
    out = Reenter.apply(x)
    out.sum().backward()
    return {"x.grad": x.grad, "out": out}


@programs.add("test_reentrant_child_error")
def error_in_the_inner_backward(lib):
    class SimulateBackwardError(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            raise Exception("Simulate error on backward pass")  # noqa: TRY002

    a = lib.ones(3, 3, requires_grad=True)
    c = a * a
    b = lib.ones(3, 3, requires_grad=True)
    reentrant_root = SimulateBackwardError.apply(b * b).sum()

    class ReentrantFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, g):
            reentrant_root.backward()
            return g

    d = ReentrantFunc.apply(c)
    obs = {"error": capture_error(lambda: d.sum().backward()), "a.grad": a.grad, "b.grad": b.grad}
    e = a * 3
    e.sum().backward()
    obs["engine still works"] = a.grad
    return obs


@programs.add("test_reentrant_priority")
def reentrant_tasks_run_first(lib):
    order = []

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, x):
            order.append("MyFunction")
            return x

    class Reentrant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = x.detach().requires_grad_()
                ctx.x = ctx.x - 1
            return ctx.x.detach()

        @staticmethod
        def backward(ctx, x):
            order.append("Reentrant")
            if ctx.x < 0:
                return x
            with lib.enable_grad():
                Reentrant.apply(ctx.x).backward()
            return x

    a = MyFunction.apply(lib.tensor(6.0, requires_grad=True))
    b = Reentrant.apply(lib.tensor(9.0, requires_grad=True))
    (a * b).backward()
    return {"order": order}


@programs.add("test_reentrant_with_leaf_variable_hook")
def leaf_hook_that_runs_backward(lib):
    param = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    handles = []

    def add_gradient_penalty_to_grad(grad):
        handles[0].remove()
        old_param_grad = grad
        param.grad = None
        with lib.enable_grad():
            g = grad.detach().requires_grad_()
            new_param = param.detach().requires_grad_()
            out = ((g * 2) + new_param).sum()
            out.backward()
        res = g.grad + grad
        param.grad = old_param_grad
        return res

    handles.append(param.register_hook(add_gradient_penalty_to_grad))
    (param * param).sum().backward()
    return {"param.grad": param.grad}


@programs.add("test_reentrant_with_non_leaf_variable_hook")
def non_leaf_hook_that_runs_backward(lib):
    param = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    handles = []

    def manual_increase_gradient(grad):
        handles[0].remove()
        with lib.enable_grad():
            g = grad.detach().requires_grad_()
            out = ((g * 2) + 5).sum()
            out.backward()
        return g.grad + grad

    tmp = param * param
    handles.append(tmp.register_hook(manual_increase_gradient))
    tmp.sum().backward()
    return {"param.grad": param.grad}


@programs.add("test_grad_mode_restored_reentrant")
def autograd_grad_inside_backward(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            with lib.enable_grad():
                t = x.detach().requires_grad_()
                (d,) = lib.autograd.grad((t * t).sum(), t)
            return g * d

    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    return {"x.grad": x.grad}


def _callback_program(lib, depths):
    counter = {"inner": 0, "outer": 0}
    engine = lib.autograd.Variable._execution_engine

    class MyFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            if 1 in depths:
                engine.queue_callback(lambda: counter.__setitem__("inner", counter["inner"] + 1))
            return g

    class MyReentrantFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            if 0 in depths:
                engine.queue_callback(lambda: counter.__setitem__("outer", counter["outer"] + 1))
            tmp_inp = g.detach().requires_grad_()
            with lib.enable_grad():
                tmp_out = MyFunc.apply(tmp_inp).sum()
            tmp_out.backward()
            return g

    t1 = lib.ones(3, 3, requires_grad=True)
    lib.autograd.backward([MyReentrantFunc.apply(t1).sum()])
    return {"counter": counter, "t1.grad": t1.grad}


@programs.add(
    "test_reentrant_with_callbacks_depth_0",
    cases={"depth 0": ((0,),), "depth 1": ((1,),), "both depths": ((0, 1),)},
)
def callbacks_queued_in_reentrant_backward(lib, depths):
    return _callback_program(lib, depths)


@programs.add("test_callback_adds_callback")
def callback_that_queues_a_callback(lib):
    called = [0]
    engine = lib.autograd.Variable._execution_engine

    def callback_final():
        called[0] += 1

    def callback_adds_callback():
        called[0] += 1
        engine.queue_callback(callback_final)

    class MyFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            engine.queue_callback(callback_adds_callback)
            return g

    a = lib.ones(3, 3, requires_grad=True)
    MyFunc.apply(a).sum().backward()
    return {"called": called[0]}


@programs.add("test_preserve_backtrace")
def exception_type_from_backward_is_kept(lib):
    class Foo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, *grad):
            raise ValueError("something")

    t = lib.tensor([1.0, 2.0], requires_grad=True)
    return {"error": capture_error(lambda: Foo.apply(t).sum().backward())}


test_matches_torch, test_program_runs_on_torch = programs.tests()
