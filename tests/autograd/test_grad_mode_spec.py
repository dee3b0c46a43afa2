"""Grad modes as torch 2.13's own tests pin them down (issue 18).

``no_grad``/``enable_grad``/``set_grad_enabled`` as context managers, as decorators with and
without parentheses, called on a function (``no_grad(fn)``), on generators and coroutines
(the mode applies inside the generator only, across ``send``/``throw``/``close``), and
``set_grad_enabled`` called as a plain function. Every program restores the global mode
itself, so a failure cannot leak into other tests.
"""

from __future__ import annotations

from tests.oracle import (
    ProgramSet,
    capture_error,
    capture_warnings,
    node_type,
)

programs = ProgramSet()


def restoring(prog):
    """Run ``prog(lib)`` and put grad mode back on afterwards, whatever happened."""

    def wrapper(lib):
        try:
            return prog(lib)
        finally:
            lib.set_grad_enabled(True)

    wrapper.__name__ = prog.__name__
    wrapper.__doc__ = prog.__doc__
    wrapper.__wrapped__ = prog
    return wrapper


# ------------------------------------------------------------------ decorators and function form


@programs.add("test_no_grad")
@restoring
def no_grad_called_on_a_function(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = lib.ones(2, 2) * 4

    def adder(x, y):
        return x + y

    obs = {}
    for name, decorated in (
        ("no_grad()(fn)", lib.no_grad()(adder)),
        ("no_grad(fn)", lib.no_grad(adder)),
    ):
        z = decorated(x, y)
        obs[name] = (z.requires_grad, node_type(z.grad_fn), lib.is_grad_enabled())
        obs[name + " backward"] = capture_error(lambda z=z: z.backward(lib.ones(2, 2)))
    with lib.no_grad():
        inside = lib.is_grad_enabled()
        w = lib.no_grad(adder)(x, y)
        obs["nested"] = (inside, lib.is_grad_enabled(), w.requires_grad)
    return obs


@programs.add("test_enable_grad_decorator_no_paren")
@restoring
def enable_grad_decorator_without_parentheses(lib):
    x = lib.ones(1, requires_grad=True)

    @lib.enable_grad
    def doubler(x):
        return x * 2

    with lib.no_grad():
        z = doubler(x)
        after = lib.is_grad_enabled()
    return {"z.requires_grad": z.requires_grad, "mode after call": after}


@programs.add("test_no_grad")
@restoring
def decorators_with_parentheses(lib):
    x = lib.ones(2, requires_grad=True)

    @lib.no_grad()
    def off(t):
        return t * 2, lib.is_grad_enabled()

    @lib.enable_grad()
    def on(t):
        return t * 2, lib.is_grad_enabled()

    obs = {"off": off(x)[0].requires_grad, "off mode": off(x)[1], "on": on(x)[0].requires_grad}
    with lib.no_grad():
        obs["on inside no_grad"] = (on(x)[0].requires_grad, on(x)[1], lib.is_grad_enabled())
    obs["names"] = (off.__name__, on.__name__)
    return obs


@programs.add("test_set_grad_enabled")
@restoring
def set_grad_enabled_as_a_function(lib):
    x = lib.tensor([1.0], requires_grad=True)
    obs = {}
    with lib.set_grad_enabled(False):
        obs["context False"] = (x * 2).requires_grad
    with lib.set_grad_enabled(True):
        obs["context True"] = (x * 2).requires_grad
    with lib.set_grad_enabled(False):
        lib.set_grad_enabled(True)
        obs["function inside context"] = (x * 2).requires_grad
    obs["after context"] = lib.is_grad_enabled()
    lib.set_grad_enabled(False)
    obs["function False"] = ((x * 2).requires_grad, lib.is_grad_enabled())
    lib.set_grad_enabled(True)
    obs["function True"] = ((x * 2).requires_grad, lib.is_grad_enabled())
    return obs


@programs.add("test_set_grad_enabled_wraps")
@restoring
def set_grad_enabled_as_a_decorator(lib):
    obs = {}
    for decorator in (True, False):
        with lib.enable_grad():
            if decorator:

                @lib.set_grad_enabled(False)
                def inner_func(x):
                    return x.sin()

            else:

                def inner_func(x):
                    return x.sin()

                obj = lib.set_grad_enabled(False)
                obs[f"{decorator} after construction"] = lib.is_grad_enabled()
                inner_func = obj(inner_func)
            obs[f"{decorator} after decoration"] = lib.is_grad_enabled()
            x = lib.zeros(1, requires_grad=True)
            obs[f"{decorator} result"] = inner_func(x).requires_grad
            obs[f"{decorator} after call"] = lib.is_grad_enabled()
    return obs


@programs.add("test_set_grad_enabled")
@restoring
def set_grad_enabled_rejects_non_bools(lib):
    obs = {}
    for value in (1, "x", None):
        obs[repr(value)] = capture_error(lambda value=value: lib.set_grad_enabled(value))
        obs[repr(value) + " mode"] = lib.is_grad_enabled()
        lib.set_grad_enabled(True)
    return obs


@programs.add("test_grad_mode_class_decoration")
@restoring
def decorating_a_class_warns(lib):
    seen = []

    def define():
        @lib.no_grad()
        class Foo:
            def __init__(self):
                seen.append(("init", lib.is_grad_enabled()))

            def foo(self):
                seen.append(("method", lib.is_grad_enabled()))

        return Foo

    Foo, warned = capture_warnings(define)
    Foo().foo()

    def define_methods():
        class Foo2:
            @lib.no_grad()
            def __init__(self):
                seen.append(("decorated init", lib.is_grad_enabled()))

        return Foo2

    Foo2, warned2 = capture_warnings(define_methods)
    Foo2()
    return {"warnings": warned, "no warnings": warned2, "seen": seen}


@programs.add("test_no_grad")
@restoring
def mode_restored_after_an_exception(lib):
    obs = {}

    def fail():
        with lib.no_grad():
            raise ValueError("inside")

    obs["context"] = (capture_error(fail), lib.is_grad_enabled())

    @lib.no_grad()
    def fail_decorated():
        raise ValueError("decorated")

    obs["decorator"] = (capture_error(fail_decorated), lib.is_grad_enabled())
    with lib.no_grad():

        @lib.enable_grad()
        def fail_enabled():
            raise KeyError("enabled")

        obs["enable_grad decorator"] = (capture_error(fail_enabled), lib.is_grad_enabled())
    return obs


@programs.add("test_no_grad")
@restoring
def reusing_one_no_grad_object(lib):
    """torch keeps one saved mode per object: nesting the same object loses the outer one."""
    ng = lib.no_grad()
    with ng:
        with ng:
            pass
        inner = lib.is_grad_enabled()
    return {"after inner": inner, "after outer": lib.is_grad_enabled()}


# ------------------------------------------------------------------ generators and coroutines


@programs.add("test_set_grad_generator_functions")
@restoring
def decorated_generators(lib):
    log = []

    @lib.no_grad()
    def gen_no_grad():
        for i in range(3):
            log.append(("no_grad gen", i, lib.is_grad_enabled()))
            yield i

    @lib.enable_grad()
    def gen_enable_grad():
        for i in range(3):
            log.append(("enable_grad gen", i, lib.is_grad_enabled()))
            yield i

    with lib.enable_grad():
        for _ in gen_no_grad():
            log.append(("caller", lib.is_grad_enabled()))
    with lib.no_grad():
        for _ in gen_enable_grad():
            log.append(("caller", lib.is_grad_enabled()))
    return {"log": log}


@programs.add("test_set_grad_generator_functions_recursive")
@restoring
def decorators_and_context_managers_nest(lib):
    log = []

    @lib.enable_grad()
    def enable_rec(depth):
        log.append(("enable", depth, lib.is_grad_enabled()))
        if depth > 0:
            no_grad_rec(depth - 1)
            log.append(("enable after", depth, lib.is_grad_enabled()))

    @lib.no_grad()
    def no_grad_rec(depth):
        log.append(("no_grad", depth, lib.is_grad_enabled()))
        if depth > 0:
            enable_rec(depth - 1)
            log.append(("no_grad after", depth, lib.is_grad_enabled()))

    def enable_ctx(depth):
        with lib.enable_grad():
            log.append(("enable ctx", depth, lib.is_grad_enabled()))
            if depth > 0:
                no_grad_ctx(depth - 1)
                log.append(("enable ctx after", depth, lib.is_grad_enabled()))

    def no_grad_ctx(depth):
        with lib.no_grad():
            log.append(("no_grad ctx", depth, lib.is_grad_enabled()))
            if depth > 0:
                enable_ctx(depth - 1)
                log.append(("no_grad ctx after", depth, lib.is_grad_enabled()))

    for outer in (lib.enable_grad, lib.no_grad):
        with outer():
            enable_rec(4)
            enable_ctx(4)
            log.append(("outer", lib.is_grad_enabled()))
    return {"log": log}


@programs.add("test_set_grad_coroutines")
@restoring
def decorated_coroutines_send(lib):
    log = []

    @lib.no_grad()
    def coro_no_grad(n=3):
        log.append(("start", lib.is_grad_enabled()))
        for i in range(n):
            r = yield i
            log.append(("resumed", r, lib.is_grad_enabled()))

    with lib.enable_grad():
        coro, r = coro_no_grad(), None
        try:
            while True:
                log.append(("caller", lib.is_grad_enabled()))
                r = coro.send(r)
        except StopIteration:
            pass
    return {"log": log}


@programs.add("test_set_grad_coroutines_benign_exceptions")
@restoring
def decorated_coroutines_throw(lib):
    class RecoverableException(Exception):
        pass

    log = []

    @lib.enable_grad()
    def coro_enable_grad(n=3):
        has_raised = False
        for i in range(n):
            try:
                log.append(("inside", lib.is_grad_enabled()))
                yield (-i if has_raised else i)
            except RecoverableException:
                log.append(("caught", lib.is_grad_enabled()))
                has_raised = True

    with lib.no_grad():
        coro = coro_enable_grad()
        log.append(("first", next(coro)))
        try:
            while True:
                log.append(("thrown", coro.throw(RecoverableException), lib.is_grad_enabled()))
        except StopIteration:
            pass
    return {"log": log}


@programs.add("test_set_grad_coroutines_critical_exceptions")
@restoring
def decorated_coroutines_reraise(lib):
    class UnrecoverableException(Exception):
        pass

    class SecondaryException(Exception):
        pass

    log = []

    @lib.no_grad()
    def coro_no_grad(n=3):
        for i in range(n):
            try:
                yield i
            except UnrecoverableException:
                log.append(("caught", lib.is_grad_enabled()))
                raise SecondaryException from None

    with lib.enable_grad():
        coro = coro_no_grad()
        next(coro)
        err = capture_error(lambda: coro.throw(UnrecoverableException))
        log.append(("caller", lib.is_grad_enabled()))
    return {"log": log, "error": err}


@programs.add("test_set_grad_coroutines_exit")
@restoring
def decorated_coroutines_close(lib):
    log = []

    @lib.no_grad()
    def coro_no_grad():
        for i in range(10):
            try:
                yield i
            except GeneratorExit:
                log.append(("GeneratorExit", lib.is_grad_enabled()))
                raise

    with lib.enable_grad():
        coro = coro_no_grad()
        for _ in range(5):
            next(coro)
        coro.close()
        log.append(("caller", lib.is_grad_enabled()))
    return {"log": log}


# ------------------------------------------------------------------ the rest of the API


@programs.add(
    "test_set_multithreading_enabled_as_context_manager_and_function",
)
def multithreading_switch(lib):
    ag = lib.autograd
    obs = {}
    try:
        with ag.set_multithreading_enabled(False):
            obs["inside False"] = ag.is_multithreading_enabled()
        obs["after"] = ag.is_multithreading_enabled()
        with ag.set_multithreading_enabled(False):
            ag.set_multithreading_enabled(True)
            obs["function inside"] = ag.is_multithreading_enabled()
        obs["after 2"] = ag.is_multithreading_enabled()
        ag.set_multithreading_enabled(False)
        obs["function False"] = ag.is_multithreading_enabled()
    finally:
        ag.set_multithreading_enabled(True)
    return obs


@programs.add("test_no_grad")
@restoring
def grad_mode_module_paths(lib):
    gm = lib.autograd.grad_mode
    x = lib.ones(1, requires_grad=True)
    with gm.no_grad():
        a = x * 2
    with gm.set_grad_enabled(False):
        b = x * 2
    return {
        "same classes": (gm.no_grad is lib.no_grad, gm.enable_grad is lib.enable_grad),
        "results": (a.requires_grad, b.requires_grad),
        "autograd names": (
            lib.autograd.no_grad is lib.no_grad,
            lib.autograd.enable_grad is lib.enable_grad,
        ),
    }


@programs.add("test_no_grad_input")
@restoring
def results_under_no_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.no_grad():
        y = x * 2
        v = x[0]
        c = x.clone()
        d = x.detach()
    return {
        "y": (y.requires_grad, y.is_leaf, node_type(y.grad_fn)),
        "view": (v.requires_grad, v.is_leaf, node_type(v.grad_fn)),
        "clone": (c.requires_grad, c.is_leaf),
        "detach": d.requires_grad,
        "x": x.requires_grad,
    }


@programs.add("test_grad_mode_restored_reentrant")
@restoring
def grad_mode_inside_backward(lib):
    seen = []

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            seen.append(("forward", lib.is_grad_enabled()))
            return inp.clone()

        @staticmethod
        def backward(ctx, go):
            seen.append(("backward", lib.is_grad_enabled()))
            with lib.enable_grad():
                foo = go.detach().requires_grad_()
                (grad,) = lib.autograd.grad(foo**3, foo, grad_outputs=go)
            seen.append(("restored", lib.is_grad_enabled()))
            return grad

    inp = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    MyFunction.apply(inp).sum().backward()
    MyFunction.apply(inp).sum().backward(create_graph=True)
    return {"seen": seen, "inp.grad": inp.grad}


test_matches_torch, test_program_runs_on_torch = programs.tests()
