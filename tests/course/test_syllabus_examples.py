"""Every example of the syllabus (course/SYLLABUS.md, concepts 1.x-9.x), run on minigrad and on
torch 2.13.

Each test writes its program once, as ``prog(lib)`` for ``lib`` = minigrad or torch, returning
a dict of observations (reprs, values, graph signatures, identities, errors, warnings).
:func:`compare_programs` runs it on both libraries and asserts the observations are equal; the
test then checks the literal numbers the course quotes on minigrad's side.
"""

from __future__ import annotations

import re

import pytest

from tests.oracle import (
    capture_error,
    capture_warnings,
    compare_programs,
    graph_signature,
    strip_addresses,
)

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NOT_REQUIRE = "element 0 of tensors does not require grad and does not have a grad_fn"
UNUSED = (
    "The differentiated Tensor at index 0 appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)


# --------------------------------------------------------------------------- helpers


def nf(node) -> str:
    """``next_functions`` written as the reference writes it: ``((MulBackward0, 0), (None, 0))``."""
    parts = [
        f"({'None' if n is None else type(n).__name__}, {nr})" for n, nr in node.next_functions
    ]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def addr(obj) -> str:
    """``repr(obj)`` with memory addresses replaced by ``0x...``."""
    return strip_addresses(repr(obj))


def without_trigger(text: str) -> str:
    """A C++ warning's text without its ``(Triggered internally at ...)`` suffix."""
    return re.sub(r" \(Triggered internally at [^\n]*\)$", "", text)


def warned(fn):
    """``(repr(fn()), [(category, text without the internal-trigger suffix)])``."""
    value, warnings = capture_warnings(fn)
    return repr(value), [(cat, without_trigger(text)) for cat, text in warnings]


SAVED_NAMES = ("_saved_self", "_saved_other", "_saved_exponent", "_saved_result", "_saved_alpha")


def saved_attrs(node) -> dict:
    """The saved values a node exposes (``repr``), or the error raised when reading them."""
    out = {}
    for name in SAVED_NAMES:
        try:
            value = getattr(node, name)
        except AttributeError:
            continue
        except RuntimeError as exc:
            out[name] = ("RuntimeError", str(exc))
            continue
        out[name] = repr(value)
    return out


def saved_along_graph(fn) -> list:
    """:func:`saved_attrs` of every node below ``fn``, in :func:`graph_signature` order."""
    seen, order, stack = set(), [], [fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed([n for n, _ in node.next_functions if n is not None]))
    return [(node.name(), saved_attrs(node)) for node in order]


# ------------------------------------------------- 1. forward and backward of one operation


def make_my_function(lib, log):
    """z = (x*y)**2 as a custom Function; backward logs what it receives."""

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return (x * y) ** 2

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            log.append((repr(g), repr(x), repr(y), tuple(ctx.needs_input_grad)))
            return 2 * x * y**2 * g, 2 * x**2 * y * g

    return MyFunction


def test_custom_function_forward_and_backward():
    """A custom Function: node MyFunctionBackward, saved tensors, grads 36/24, freed afterwards."""

    def prog(lib):
        log = []
        my_function = make_my_function(lib, log)
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        z = my_function.apply(x, y)
        node = z.grad_fn
        obs = {
            "z": repr(z),
            "type": type(node).__name__,
            "name": node.name(),
            "node repr": addr(node).replace(f"<{lib.__name__}.", "<torch."),
            "next": nf(node),
            "signature": graph_signature(node),
            "acc0.variable is x": node.next_functions[0][0].variable is x,
            "acc1.variable is y": node.next_functions[1][0].variable is y,
            "saved_tensors": repr(node.saved_tensors),
            "needs_input_grad": tuple(node.needs_input_grad),
            "z.is_leaf": z.is_leaf,
            "z.requires_grad": z.requires_grad,
            "x.is_leaf": x.is_leaf,
            "x.grad_fn": x.grad_fn,
        }
        z.backward()
        obs["backward saw"] = log
        obs["x.grad"] = repr(x.grad)
        obs["y.grad"] = repr(y.grad)
        obs["saved_tensors after backward"] = capture_error(lambda: node.saved_tensors)
        obs["second backward"] = capture_error(z.backward)
        obs["x.grad after failed second backward"] = repr(x.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["z"] == "tensor(36., grad_fn=<MyFunctionBackward>)"
    assert ours["name"] == ours["type"] == "MyFunctionBackward"
    assert ours["node repr"] == "<torch.autograd.function.MyFunctionBackward object at 0x...>"
    assert ours["next"] == "((AccumulateGrad, 0), (AccumulateGrad, 0))"
    assert ours["saved_tensors"] == (
        "(tensor(2., requires_grad=True), tensor(3., requires_grad=True))"
    )
    assert ours["backward saw"] == [
        (
            "tensor(1.)",
            "tensor(2., requires_grad=True)",
            "tensor(3., requires_grad=True)",
            (True, True),
        )
    ]
    assert (ours["x.grad"], ours["y.grad"]) == ("tensor(36.)", "tensor(24.)")
    assert ours["saved_tensors after backward"] == ("RuntimeError", FREED)
    assert ours["second backward"] == ("RuntimeError", FREED)


def test_custom_function_names_and_partial_requires_grad():
    """Node name = class name + 'Backward'; an input without grad gets a None edge."""

    def prog(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t)
                return t * t

            @staticmethod
            def backward(ctx, g):
                (t,) = ctx.saved_tensors
                return 2 * t * g

        t = lib.tensor(5.0, requires_grad=True)
        s = Square.apply(t)
        obs = {"square": repr(s), "square name": (type(s.grad_fn).__name__, s.grad_fn.name())}
        s.backward()
        obs["t.grad"] = repr(t.grad)

        log = []
        my_function = make_my_function(lib, log)
        x2 = lib.tensor(2.0, requires_grad=True)
        y2 = lib.tensor(3.0)
        z2 = my_function.apply(x2, y2)
        obs["z2"] = repr(z2)
        obs["z2 next"] = nf(z2.grad_fn)
        obs["z2 needs_input_grad"] = tuple(z2.grad_fn.needs_input_grad)
        z2.backward()
        obs["backward saw"] = log
        obs["x2.grad"] = repr(x2.grad)
        obs["y2.grad"] = repr(y2.grad)
        z3 = my_function.apply(lib.tensor(2.0), lib.tensor(3.0))
        obs["z3"] = (repr(z3), z3.grad_fn, z3.requires_grad)
        return obs

    ours = compare_programs(prog)
    assert ours["square"] == "tensor(25., grad_fn=<SquareBackward>)"
    assert ours["square name"] == ("SquareBackward", "SquareBackward")
    assert ours["t.grad"] == "tensor(10.)"
    assert ours["z2 next"] == "((AccumulateGrad, 0), (None, 0))"
    assert ours["z2 needs_input_grad"] == (True, False)
    assert (ours["x2.grad"], ours["y2.grad"]) == ("tensor(36.)", "None")
    assert ours["z3"] == ("tensor(36.)", None, False)


def test_custom_function_wrong_number_of_gradients():
    """A backward returning 1 gradient for 2 inputs is an error naming the node."""

    def prog(lib):
        class BadFn(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        out = BadFn.apply(x, y)
        return {
            "error": capture_error(out.backward),
            "grads after": (repr(x.grad), repr(y.grad)),
        }

    ours = compare_programs(prog)
    assert ours["error"] == (
        "RuntimeError",
        "function BadFnBackward returned an incorrect number of gradients (expected 2, got 1)",
    )


# --------------------------------------------------------------------------- 2. the graph


def test_graph_of_w_equals_z_squared():
    """z = x*x*y*y, w = z*z: shared z node, one AccumulateGrad per leaf, x.grad 2592."""

    def prog(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        z = x * x * y * y
        w = z * z
        n1 = z.grad_fn  # (x*x*y) * y
        n2 = n1.next_functions[0][0]  # (x*x) * y
        n3 = n2.next_functions[0][0]  # x * x
        acc_x = n3.next_functions[0][0]
        obs = {
            "z": repr(z),
            "w": repr(w),
            "w.grad_fn": addr(w.grad_fn),
            "signature": graph_signature(w.grad_fn),
            "w next": nf(w.grad_fn),
            "w next[0] is z.grad_fn": w.grad_fn.next_functions[0][0] is z.grad_fn,
            "w next[1] is z.grad_fn": w.grad_fn.next_functions[1][0] is z.grad_fn,
            "chain": [nf(n1), nf(n2), nf(n3), nf(acc_x)],
            "chain names": [type(n).__name__ for n in (n1, n2, n3, acc_x)],
            "acc.variable is x": acc_x.variable is x,
            "acc.variable": repr(acc_x.variable),
            "x*x uses one AccumulateGrad": n3.next_functions[0][0] is n3.next_functions[1][0],
            "y's AccumulateGrad": n1.next_functions[1][0].variable is y,
            "y's node shared by two paths": n1.next_functions[1][0] is n2.next_functions[1][0],
            "is_leaf": (z.is_leaf, w.is_leaf, x.is_leaf),
        }
        obs["dw/dz"] = repr(lib.autograd.grad(w, z, retain_graph=True))
        obs["dz/dx"] = repr(lib.autograd.grad(z, x, retain_graph=True))
        w.backward()
        obs["x.grad"] = repr(x.grad)
        obs["y.grad"] = repr(y.grad)
        obs["z.grad"] = warned(lambda: z.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["z"] == "tensor(36., grad_fn=<MulBackward0>)"
    assert ours["w"] == "tensor(1296., grad_fn=<MulBackward0>)"
    assert ours["w.grad_fn"] == "<MulBackward0 object at 0x...>"
    assert ours["w next"] == "((MulBackward0, 0), (MulBackward0, 0))"
    assert ours["w next[0] is z.grad_fn"] and ours["w next[1] is z.grad_fn"]
    assert ours["acc.variable is x"] and ours["x*x uses one AccumulateGrad"]
    assert ours["y's node shared by two paths"]
    assert ours["chain"][3] == "()"
    assert (ours["dw/dz"], ours["dz/dx"]) == ("(tensor(72.),)", "(tensor(36.),)")
    assert (ours["x.grad"], ours["y.grad"]) == ("tensor(2592.)", "tensor(1728.)")
    assert ours["z.grad"] == ("None", [("UserWarning", NON_LEAF_GRAD_WARNING)])


def test_e_equals_a_times_b_times_d_and_retain_grad():
    """e = (a*b)*d: grads 12, 8, 6; a non-leaf's .grad is None unless retain_grad()."""

    def prog(lib):
        def setup():
            a, b, d = (lib.tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
            c = a * b
            return a, b, d, c, c * d

        a, b, d, c, e = setup()
        obs = {"c": repr(c), "e": repr(e)}
        e.backward()
        obs["grads"] = [repr(t.grad) for t in (a, b, d)]
        obs["c.grad"] = warned(lambda: c.grad)
        obs["e.grad"] = warned(lambda: e.grad)

        a, b, d, c, e = setup()
        c.retain_grad()
        e.retain_grad()
        a.retain_grad()  # a leaf: no effect, retains_grad stays False
        obs["retains_grad"] = (c.retains_grad, a.retains_grad, e.retains_grad)
        e.backward()
        obs["retained"] = warned(lambda: (c.grad, e.grad, a.grad))
        obs["plain tensor .grad"] = warned(lambda: lib.tensor(1.0).grad)
        return obs

    ours = compare_programs(prog)
    assert ours["e"] == "tensor(24., grad_fn=<MulBackward0>)"
    assert ours["grads"] == ["tensor(12.)", "tensor(8.)", "tensor(6.)"]
    assert ours["c.grad"] == ("None", [("UserWarning", NON_LEAF_GRAD_WARNING)])
    assert ours["retains_grad"] == (True, False, True)
    assert ours["retained"] == ("(tensor(4.), tensor(1.), tensor(12.))", [])
    assert ours["plain tensor .grad"] == ("None", [])


# ----------------------------------------------------------------------- 3. requires_grad


def test_requires_grad_propagation():
    """A result requires grad iff an input does; an input without grad is a None edge."""

    def prog(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0)
        z = x * y + y
        c = lib.tensor(2.0) * y + y
        t = lib.tensor([1.0, 2.0])
        returned = t.requires_grad_()
        return {
            "z": repr(z),
            "z flags": (z.requires_grad, z.is_leaf),
            "z.grad_fn": addr(z.grad_fn),
            "z next": nf(z.grad_fn),
            "mul next": nf(z.grad_fn.next_functions[0][0]),
            "c": (repr(c), c.requires_grad, c.grad_fn, c.is_leaf),
            "default": (lib.tensor(2.0).requires_grad, lib.tensor(2.0).is_leaf),
            "requires_grad_()": (repr(t), t.requires_grad, t.is_leaf, returned is t),
            "is_grad_enabled": lib.is_grad_enabled(),
        }

    ours = compare_programs(prog)
    assert ours["z"] == "tensor(9., grad_fn=<AddBackward0>)"
    assert ours["z next"] == "((MulBackward0, 0), (None, 0))"
    assert ours["mul next"] == "((AccumulateGrad, 0), (None, 0))"
    assert ours["c"] == ("tensor(9.)", False, None, True)
    assert ours["default"] == (False, True)
    assert ours["requires_grad_()"] == ("tensor([1., 2.], requires_grad=True)", True, True, True)


def test_only_the_input_requiring_grad_gets_grad():
    """c = a*b with only a (then only b) requiring grad: the other .grad stays None."""

    def prog(lib):
        a = lib.tensor(2.0, requires_grad=True)
        b = lib.tensor(3.0)
        c = a * b
        obs = {
            "c": repr(c),
            "next": nf(c.grad_fn),
            "raw next": addr(c.grad_fn.next_functions),
            "saved": saved_attrs(c.grad_fn),
        }
        c.backward()
        obs["grads"] = (repr(a.grad), repr(b.grad))
        a2 = lib.tensor(2.0)
        b2 = lib.tensor(3.0, requires_grad=True)
        c2 = a2 * b2
        obs["swapped next"] = nf(c2.grad_fn)
        obs["swapped saved"] = saved_attrs(c2.grad_fn)
        c2.backward()
        obs["swapped grads"] = (repr(a2.grad), repr(b2.grad))
        return obs

    ours = compare_programs(prog)
    assert ours["c"] == "tensor(6., grad_fn=<MulBackward0>)"
    assert ours["next"] == "((AccumulateGrad, 0), (None, 0))"
    assert ours["raw next"] == "((<AccumulateGrad object at 0x...>, 0), (None, 0))"
    assert ours["saved"] == {"_saved_other": "tensor(3.)", "_saved_self": "None"}
    assert ours["grads"] == ("tensor(3.)", "None")
    assert ours["swapped next"] == "((None, 0), (AccumulateGrad, 0))"
    assert ours["swapped saved"] == {"_saved_other": "None", "_saved_self": "tensor(2.)"}
    assert ours["swapped grads"] == ("None", "tensor(2.)")


# ------------------------------------------------ 4. backward() and vector-Jacobian products


def test_z_equals_x_squared_plus_y():
    """z = x**2 + y, p = 2z + x at x=1, y=2: p = 7, x.grad 5, y.grad 2."""

    def prog(lib):
        x = lib.tensor(1.0, requires_grad=True)
        y = lib.tensor(2.0, requires_grad=True)
        z = x**2 + y
        p = z * 2 + x
        obs = {"z": repr(z), "p": repr(p), "signature": graph_signature(p.grad_fn)}
        p.backward()
        obs.update({"z after": repr(z), "x.grad": repr(x.grad), "y.grad": repr(y.grad)})
        return obs

    ours = compare_programs(prog)
    assert (ours["z"], ours["p"]) == (
        "tensor(3., grad_fn=<AddBackward0>)",
        "tensor(7., grad_fn=<AddBackward0>)",
    )
    assert [name for _, name, _ in ours["signature"]] == [
        "AddBackward0",
        "MulBackward0",
        "AddBackward0",
        "PowBackward0",
        "torch::autograd::AccumulateGrad",
        "torch::autograd::AccumulateGrad",
    ]
    assert (ours["x.grad"], ours["y.grad"]) == ("tensor(5.)", "tensor(2.)")


def test_sum_of_abs_over_a_matrix():
    """b = sum(|-2A + 1|) over A = ones(3,3) is 9; A.grad all 2; |t|' at 0 is 0."""

    def prog(lib):
        A = lib.ones(3, 3, requires_grad=True)
        b = lib.sum(lib.abs(A * (-2) + 1))
        obs = {"b": repr(b), "signature": graph_signature(b.grad_fn)}
        b.backward()
        obs["A.grad"] = repr(A.grad)
        A2 = lib.tensor([0.5, 1.0, 0.0], requires_grad=True)
        lib.abs(1 - 2 * A2).sum().backward()
        obs["subgradient"] = repr(A2.grad)
        t = lib.tensor([0.0, -0.0, 1.0, -1.0], requires_grad=True)
        t.abs().sum().backward()
        obs["d|t|/dt"] = repr(t.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["b"] == "tensor(9., grad_fn=<SumBackward0>)"
    assert ours["A.grad"] == "tensor([[2., 2., 2.],\n        [2., 2., 2.],\n        [2., 2., 2.]])"
    assert ours["subgradient"] == "tensor([-0.,  2., -2.])"
    assert ours["d|t|/dt"] == "tensor([ 0.,  0.,  1., -1.])"


def test_non_scalar_backward_with_gradient():
    """Q = 3a**3 - b**2: gradient v gives v^T J; [0.1, 2] -> tensor([  3.6000, 162.0000])."""

    def prog(lib):
        def setup():
            a = lib.tensor([2.0, 3.0], requires_grad=True)
            b = lib.tensor([6.0, 4.0], requires_grad=True)
            return a, b, 3 * a**3 - b**2

        a, b, Q = setup()
        obs = {"Q": repr(Q), "signature": graph_signature(Q.grad_fn)}
        obs["implicit"] = capture_error(Q.backward)
        obs["a.grad after failure"] = repr(a.grad)
        Q.backward(gradient=lib.tensor([1.0, 1.0]))
        obs["ones"] = (repr(a.grad), repr(b.grad))
        obs["formulas"] = (repr(9 * a**2 == a.grad), repr(-2 * b == b.grad))
        a, b, Q = setup()
        Q.sum().backward()
        obs["via sum"] = repr(a.grad)
        a, b, Q = setup()
        Q.backward(gradient=lib.tensor([0.1, 2.0]))
        obs["weighted"] = (repr(a.grad), repr(b.grad))
        u = lib.tensor([1.0], requires_grad=True)
        obs["shape [1] backward"] = capture_error((u * 3).backward)
        obs["u.grad"] = repr(u.grad)
        v = lib.tensor([[1.0]], requires_grad=True)
        obs["shape [1,1] backward"] = capture_error((v * 2).backward)
        obs["v.grad"] = repr(v.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["Q"] == "tensor([-12.,  65.], grad_fn=<SubBackward0>)"
    assert ours["implicit"] == (
        "RuntimeError",
        "grad can be implicitly created only for scalar outputs",
    )
    assert ours["ones"] == ("tensor([36., 81.])", "tensor([-12.,  -8.])")
    assert ours["formulas"] == ("tensor([True, True])", "tensor([True, True])")
    assert ours["weighted"] == ("tensor([  3.6000, 162.0000])", "tensor([ -1.2000, -16.0000])")
    assert ours["u.grad"] == "tensor([3.])"


def test_w_plus_one_graph_and_retain_graph():
    """a = w+x, b = w+1, y = a*b: w.grad 5, x.grad 2; retain_graph allows a second pass."""

    def prog(lib):
        w = lib.tensor([1.0], requires_grad=True)
        x = lib.tensor([2.0], requires_grad=True)
        a = lib.add(w, x)
        b = lib.add(w, 1)
        y = lib.mul(a, b)
        obs = {
            "values": [repr(t) for t in (a, b, y)],
            "flags": [(t.is_leaf, t.requires_grad, addr(t.grad_fn)) for t in (w, x, a, b, y)],
            "next": [nf(t.grad_fn) for t in (a, b, y)],
            "b raw next": addr(b.grad_fn.next_functions),
            "y next are a, b": (
                y.grad_fn.next_functions[0][0] is a.grad_fn,
                y.grad_fn.next_functions[1][0] is b.grad_fn,
            ),
            "w's AccumulateGrad shared": (
                a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]
            ),
        }
        y.backward(retain_graph=True)
        obs["first"] = (repr(w.grad), repr(x.grad))
        y.backward()
        obs["second"] = (repr(w.grad), repr(x.grad))
        obs["third"] = capture_error(y.backward)
        obs["after failed third"] = (repr(w.grad), repr(x.grad))
        obs["node after release"] = (addr(y.grad_fn), nf(y.grad_fn))
        obs["saved after release"] = saved_attrs(y.grad_fn)
        w2 = lib.tensor([1.0], requires_grad=True)
        y2 = w2 + w2 + 1  # nothing saved: the graph can be run twice
        y2.backward()
        obs["add-only second pass"] = capture_error(y2.backward)
        obs["w2.grad"] = repr(w2.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["values"] == [
        "tensor([3.], grad_fn=<AddBackward0>)",
        "tensor([2.], grad_fn=<AddBackward0>)",
        "tensor([6.], grad_fn=<MulBackward0>)",
    ]
    assert ours["next"] == [
        "((AccumulateGrad, 0), (AccumulateGrad, 0))",
        "((AccumulateGrad, 0), (None, 0))",
        "((AddBackward0, 0), (AddBackward0, 0))",
    ]
    assert ours["b raw next"] == "((<AccumulateGrad object at 0x...>, 0), (None, 0))"
    assert ours["first"] == ("tensor([5.])", "tensor([2.])")
    assert ours["second"] == ("tensor([10.])", "tensor([4.])")
    assert ours["third"] == ("RuntimeError", FREED)
    assert ours["after failed third"] == ours["second"]
    assert ours["saved after release"] == {
        "_saved_self": ("RuntimeError", FREED),
        "_saved_other": ("RuntimeError", FREED),
    }
    assert ours["add-only second pass"] is None
    assert ours["w2.grad"] == "tensor([4.])"


def test_cat_and_stack_of_two_results():
    """loss = cat([a*b, a+b]) with gradient [1,1]: w.grad 7, x.grad 3 through CatBackward0."""

    def prog(lib):
        def setup():
            w = lib.tensor([1.0], requires_grad=True)
            x = lib.tensor([2.0], requires_grad=True)
            a = w + x
            b = w + 1
            return w, x, a * b, a + b

        w, x, y0, y1 = setup()
        loss = lib.cat([y0, y1])
        obs = {
            "parts": (repr(y0), repr(y1), repr(loss)),
            "next": nf(loss.grad_fn),
            "signature": graph_signature(loss.grad_fn),
            "implicit": capture_error(loss.backward),
        }
        loss.backward(gradient=lib.tensor([1.0, 1.0]))
        obs["ones"] = (repr(w.grad), repr(x.grad))
        w, x, y0, y1 = setup()
        lib.cat([y0, y1]).backward(gradient=lib.tensor([1.0, 2.0]))
        obs["[1,2]"] = (repr(w.grad), repr(x.grad))
        w, x, y0, y1 = setup()
        s = lib.stack([y0, y1])
        obs["stack"] = (repr(s), nf(s.grad_fn))
        s.sum().backward()
        obs["stack grads"] = (repr(w.grad), repr(x.grad))
        return obs

    ours = compare_programs(prog)
    assert ours["parts"][2] == "tensor([6., 5.], grad_fn=<CatBackward0>)"
    assert ours["next"] == "((MulBackward0, 0), (AddBackward0, 0))"
    assert ours["ones"] == ("tensor([7.])", "tensor([3.])")
    assert ours["[1,2]"] == ("tensor([9.])", "tensor([4.])")
    assert ours["stack"] == (
        "tensor([[6.],\n        [5.]], grad_fn=<StackBackward0>)",
        "((MulBackward0, 0), (AddBackward0, 0))",
    )


def test_autograd_backward_function_and_inputs():
    """autograd.backward(tensors, grad_tensors, ...) is backward(); inputs= limits the leaves."""

    def prog(lib):
        a = lib.tensor(2.0, requires_grad=True)
        b = lib.tensor(3.0, requires_grad=True)
        (a * b).backward(inputs=[a])
        obs = {"inputs=[a]": (repr(a.grad), repr(b.grad))}
        a = lib.tensor(2.0, requires_grad=True)
        b = lib.tensor(3.0, requires_grad=True)
        lib.autograd.backward([a * b, a + b], [lib.tensor(1.0), lib.tensor(10.0)])
        obs["two outputs"] = (repr(a.grad), repr(b.grad))
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = w * w
        lib.autograd.backward(y, grad_tensors=lib.tensor([1.0, 1.0]), retain_graph=True)
        lib.autograd.backward(y, lib.tensor([1.0, 1.0]), None, False)
        obs["keyword form twice"] = repr(w.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["inputs=[a]"] == ("tensor(3.)", "None")
    assert ours["two outputs"] == ("tensor(13.)", "tensor(12.)")
    assert ours["keyword form twice"] == "tensor([4., 8.])"


# ------------------------------------------------------- 5. accumulation and retain_graph


def test_accumulation_loops():
    """Gradients accumulate in place into the same .grad object unless zeroed."""

    def prog(lib):
        def step(w, x):
            ((w + x) * (w + 1)).backward()

        w = lib.tensor([1.0], requires_grad=True)
        x = lib.tensor([2.0], requires_grad=True)
        zeroed = []
        for _ in range(4):
            step(w, x)
            zeroed.append((repr(w.grad), repr(x.grad)))
            w.grad.zero_()
            x.grad.zero_()
        obs = {"with zero_": zeroed, "after loop": repr(w.grad)}
        w = lib.tensor([1.0], requires_grad=True)
        x = lib.tensor([2.0], requires_grad=True)
        kept = []
        for _ in range(4):
            step(w, x)
            kept.append((repr(w.grad), repr(x.grad)))
        obs["without zeroing"] = kept
        w = lib.tensor([1.0], requires_grad=True)
        x = lib.tensor([2.0], requires_grad=True)
        set_none = []
        for _ in range(2):
            step(w, x)
            set_none.append(repr(w.grad))
            w.grad = None
        obs["grad = None"] = (set_none, repr(w.grad))
        w = lib.tensor([1.0], requires_grad=True)
        x = lib.tensor([2.0], requires_grad=True)
        step(w, x)
        g0 = w.grad
        step(w, x)
        obs["same object"] = (w.grad is g0, repr(g0))
        returned = w.grad.zero_()
        obs["after zero_"] = (repr(w.grad), w.grad is g0, returned is g0)
        return obs

    ours = compare_programs(prog)
    assert ours["with zero_"] == [("tensor([5.])", "tensor([2.])")] * 4
    assert ours["after loop"] == "tensor([0.])"
    assert [g for g, _ in ours["without zeroing"]] == [
        "tensor([5.])",
        "tensor([10.])",
        "tensor([15.])",
        "tensor([20.])",
    ]
    assert ours["grad = None"] == (["tensor([5.])", "tensor([5.])"], "None")
    assert ours["same object"] == (True, "tensor([10.])")
    assert ours["after zero_"] == ("tensor([0.])", True, True)


# --------------------------------------------------------- 6. leaves and in-place operations


def test_leaves_ids_and_in_place():
    """a = a + 1 is a new tensor; += keeps the object; in-place on a leaf is fine under no_grad."""

    def prog(lib):
        a = lib.tensor([1.0], requires_grad=True)
        a.data += 1
        obs = {"after a.data += 1": (repr(a), a.is_leaf)}
        first = id(a)
        with lib.no_grad():
            a += 1
        obs["no_grad +="] = (repr(a), id(a) == first, a.is_leaf, a.grad_fn)
        a = a + 1
        obs["a = a + 1"] = (repr(a), id(a) != first, a.is_leaf, addr(a.grad_fn))
        b = a * 1
        before = id(b)
        b += 1
        obs["non-leaf +="] = (repr(b), id(b) == before, addr(b.grad_fn), nf(b.grad_fn))
        t = lib.tensor([1.0])
        before = id(t)
        t += 1
        obs["plain +="] = (repr(t), id(t) == before)
        t = t + 1
        obs["plain t = t + 1"] = id(t) == before
        return obs

    ours = compare_programs(prog)
    assert ours["after a.data += 1"] == ("tensor([2.], requires_grad=True)", True)
    assert ours["no_grad +="] == ("tensor([3.], requires_grad=True)", True, True, None)
    assert ours["a = a + 1"][:3] == ("tensor([4.], grad_fn=<AddBackward0>)", True, False)
    assert ours["non-leaf +="] == (
        "tensor([5.], grad_fn=<AddBackward0>)",
        True,
        "<AddBackward0 object at 0x...>",
        "((MulBackward0, 0), (None, 0))",
    )
    assert ours["plain +="] == ("tensor([2.])", True)
    assert ours["plain t = t + 1"] is False


def test_version_counter_counts_in_place_ops():
    """_version: 0, then 1 after add_, 2 after +=, 3 after item assignment."""

    def prog(lib):
        t = lib.tensor([1.0, 2.0, 3.0])
        versions = [t._version]
        t.add_(1)
        versions.append(t._version)
        t += 1
        versions.append(t._version)
        t[0] = 5.0
        versions.append(t._version)
        return {"versions": versions, "t": repr(t)}

    ours = compare_programs(prog)
    assert ours["versions"] == [0, 1, 2, 3]


# --------------------------------------------------------------- 7. stopping gradients


def test_detach_shares_storage_and_version():
    """detach() is a leaf sharing data and version counter; without it x.grad = [8, 16, 24]."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y.detach()
        obs = {
            "y": repr(y),
            "z": (repr(z), z.requires_grad, z.is_leaf, z.grad_fn),
        }
        w = z**2
        obs["w"] = repr(w)
        obs["w.sum().backward()"] = capture_error(w.sum().backward)
        x2 = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        ((x2 * 2) ** 2).sum().backward()
        obs["without detach"] = repr(x2.grad)
        z[0] = 100
        obs["after z[0] = 100"] = (repr(y), repr(z), y._version, z._version)
        obs["backward after alias write"] = capture_error(y.sum().backward)
        obs["x.grad"] = repr(x.grad)
        y3 = x * 2
        y3.detach_()
        obs["detach_()"] = (y3.requires_grad, y3.grad_fn, y3.is_leaf)
        obs["x.data"] = (repr(x.data), x.data.requires_grad)
        return obs

    ours = compare_programs(prog)
    assert ours["z"] == ("tensor([2., 4., 6.])", False, True, None)
    assert ours["w.sum().backward()"] == ("RuntimeError", NOT_REQUIRE)
    assert ours["without detach"] == "tensor([ 8., 16., 24.])"
    assert ours["after z[0] = 100"] == (
        "tensor([100.,   4.,   6.], grad_fn=<MulBackward0>)",
        "tensor([100.,   4.,   6.])",
        1,
        1,
    )
    assert ours["backward after alias write"] is None
    assert ours["x.grad"] == "tensor([2., 2., 2.])"


@pytest.mark.parametrize(
    "formula",
    [
        "y=x*2; w=y**2",
        "y=x**2; w=y*2",
        "y=x*2; w=y*x",
        "y=x*2; w=y.detach()*x",
        "y=x**2; w=y.detach()*x",
        "y=x*x; w=y",
    ],
)
def test_which_formula_gives_4x(formula):
    """Exercise: only some of these give x.grad = 4x = [4, 8, 12]."""
    expected = {
        "y=x*2; w=y**2": "tensor([ 8., 16., 24.])",
        "y=x**2; w=y*2": "tensor([ 4.,  8., 12.])",
        "y=x*2; w=y*x": "tensor([ 4.,  8., 12.])",
        "y=x*2; w=y.detach()*x": "tensor([2., 4., 6.])",
        "y=x**2; w=y.detach()*x": "tensor([1., 4., 9.])",
        "y=x*x; w=y": "tensor([2., 4., 6.])",
    }

    def prog(lib):
        scope = {"x": lib.tensor([1.0, 2.0, 3.0], requires_grad=True)}
        exec(formula, {}, scope)  # the six fixed formulas above
        scope["w"].sum().backward()
        return {"x.grad": repr(scope["x"].grad)}

    assert compare_programs(prog)["x.grad"] == expected[formula]


def test_no_grad_enable_grad_set_grad_enabled():
    """no_grad records nothing; enable_grad re-enables; both work as decorators too."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        obs = {}
        with lib.no_grad():
            obs["inside"] = lib.is_grad_enabled()
            y = x * 2
            with lib.enable_grad():
                inner = x * 2
            made = lib.tensor(1.0, requires_grad=True)
            obs["created under no_grad"] = (made.requires_grad, (made * 2).requires_grad)
        obs["after"] = lib.is_grad_enabled()
        obs["y"] = (repr(y), y.requires_grad, y.grad_fn, y.is_leaf)
        obs["enable_grad inside"] = repr(inner)

        @lib.no_grad()
        def triple(t):
            return t * 3

        @lib.enable_grad()
        def double(t):
            return t * 2

        obs["@no_grad()"] = repr(triple(x))
        with lib.no_grad():
            obs["@enable_grad() under no_grad"] = repr(double(x))
        with lib.set_grad_enabled(False):
            obs["set_grad_enabled(False)"] = (repr(x * 2), lib.is_grad_enabled())
        with lib.set_grad_enabled(True):
            obs["set_grad_enabled(True)"] = repr(x * 2)
        lib.set_grad_enabled(False)
        obs["as a function"] = (lib.is_grad_enabled(), repr(x * 2))
        lib.set_grad_enabled(True)
        obs["restored"] = (lib.is_grad_enabled(), repr(x * 2))
        return obs

    ours = compare_programs(prog)
    assert (ours["inside"], ours["after"]) == (False, True)
    assert ours["y"] == ("tensor([2., 4., 6.])", False, None, True)
    assert ours["enable_grad inside"] == "tensor([2., 4., 6.], grad_fn=<MulBackward0>)"
    assert ours["created under no_grad"] == (True, False)
    assert ours["@no_grad()"] == "tensor([3., 6., 9.])"
    assert ours["set_grad_enabled(False)"] == ("tensor([2., 4., 6.])", False)


# ------------------------------------------------------------------------ 8. autograd.grad


def test_autograd_grad_returns_tuple_and_leaves_grad_alone():
    """grad() returns a tuple, does not touch .grad; grad_outputs weights the outputs."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        result = lib.autograd.grad(y.sum(), x, retain_graph=True)
        obs = {"result": (type(result).__name__, len(result), repr(result))}
        obs["x.grad"] = repr(x.grad)
        obs["ones"] = repr(lib.autograd.grad(y, x, grad_outputs=lib.ones(2), retain_graph=True))
        obs["ones_like"] = repr(lib.autograd.grad(y, x, lib.ones_like(y), retain_graph=True))
        obs["weighted"] = repr(lib.autograd.grad(y, [x], grad_outputs=[lib.tensor([1.0, 2.0])]))
        u = lib.tensor([5.0], requires_grad=True)
        y = x * x
        obs["allow_unused"] = repr(
            lib.autograd.grad(y.sum(), [x, u], allow_unused=True, retain_graph=True)
        )
        obs["materialize_grads"] = repr(
            lib.autograd.grad(y.sum(), [x, u], allow_unused=True, materialize_grads=True)
        )
        return obs

    ours = compare_programs(prog)
    assert ours["result"] == ("tuple", 1, "(tensor([3., 3.]),)")
    assert ours["x.grad"] == "None"
    assert ours["ones"] == ours["ones_like"] == "(tensor([3., 3.]),)"
    assert ours["weighted"] == "(tensor([3., 6.]),)"
    assert ours["allow_unused"] == "(tensor([2., 4.]), None)"
    assert ours["materialize_grads"] == "(tensor([2., 4.]), tensor([0.]))"


def test_per_sample_gradients_and_the_batch_mean():
    """Summed per-sample losses keep per-sample grads; a batch mean mixes them unless detached."""

    def prog(lib):
        X = lib.tensor([1.0, 2.0, 4.0], requires_grad=True)
        independent = lib.autograd.grad((X**2).sum(), X)[0]
        mixed = lib.autograd.grad(((X - X.mean()) ** 2 * X).sum(), X)[0]
        detached = lib.autograd.grad(((X - X.mean().detach()) ** 2 * X).sum(), X)[0]
        return {"independent": independent, "mixed": mixed, "detached": detached}

    ours = compare_programs(prog)
    assert ours["independent"][3] == [2.0, 4.0, 8.0]
    assert ours["mixed"] != ours["detached"]


# -------------------------------------------------------------- 9. higher-order derivatives


def test_second_derivative_of_x_squared():
    """create_graph records the backward: 6 (MulBackward0) -> 2 (MulBackward0) -> 0 (no graph)."""

    def prog(lib):
        grad = lib.autograd.grad
        x = lib.tensor([3.0], requires_grad=True)
        y = x**2
        obs = {"y": repr(y), "y next": nf(y.grad_fn), "y saved": saved_attrs(y.grad_fn)}
        g1 = grad(y, x, create_graph=True)
        obs["g1"] = (repr(g1), type(g1).__name__, g1[0].requires_grad, g1[0].is_leaf)
        obs["g1 graph"] = graph_signature(g1[0].grad_fn)
        obs["g1 saved"] = saved_along_graph(g1[0].grad_fn)
        obs["g1 reuses y's node"] = (
            g1[0].grad_fn.next_functions[1][0].next_functions[0][0] is y.grad_fn
        )
        g2 = grad(g1, x, create_graph=True)
        obs["g2"] = (repr(g2), graph_signature(g2[0].grad_fn))
        g3 = grad(g2, x, create_graph=True)
        obs["g3"] = (repr(g3), g3[0].grad_fn)
        obs["grad of g3"] = capture_error(lambda: grad(g3, x))
        obs["grad of g3 allow_unused"] = capture_error(lambda: grad(g3, x, allow_unused=True))
        y = x**2
        plain = grad(y, x)
        obs["without create_graph"] = (repr(plain), plain[0].requires_grad)
        obs["grad of that"] = capture_error(lambda: grad(plain, x))
        obs["again (freed)"] = capture_error(lambda: grad(y, x))
        y = x**2
        obs["retained twice"] = (repr(grad(y, x, retain_graph=True)), repr(grad(y, x)))
        return obs

    ours = compare_programs(prog)
    assert ours["y"] == "tensor([9.], grad_fn=<PowBackward0>)"
    assert ours["y saved"] == {
        "_saved_exponent": "2",
        "_saved_self": "tensor([3.], requires_grad=True)",
    }
    assert ours["g1"] == ("(tensor([6.], grad_fn=<MulBackward0>),)", "tuple", True, False)
    assert [name for _, name, _ in ours["g1 graph"]] == [
        "MulBackward0",
        "MulBackward1",
        "PowBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    assert ours["g1 saved"][:3] == [
        ("MulBackward0", {"_saved_self": "tensor([1.])", "_saved_other": "None"}),
        ("MulBackward1", {"_saved_other": "2.0"}),
        (
            "PowBackward0",
            {"_saved_self": "tensor([3.], requires_grad=True)", "_saved_exponent": "1.0"},
        ),
    ]
    assert ours["g2"][0] == "(tensor([2.], grad_fn=<MulBackward0>),)"
    assert ours["g3"] == ("(tensor([0.]),)", None)
    assert ours["grad of g3"] == ("RuntimeError", NOT_REQUIRE)
    assert ours["without create_graph"] == ("(tensor([6.]),)", False)
    assert ours["again (freed)"] == ("RuntimeError", FREED)


def test_higher_derivatives_of_x_times_x_and_x_cubed():
    """y = x*x differentiates into an AddBackward0 graph; x**3 gives 27, 18, 6."""

    def prog(lib):
        grad = lib.autograd.grad
        x = lib.tensor([3.0], requires_grad=True)
        y = x * x
        g1 = grad(y, x, create_graph=True)
        obs = {"x*x": (repr(g1), graph_signature(g1[0].grad_fn), repr(grad(g1, x)))}
        y = x**3
        g1 = grad(y, x, create_graph=True)
        g2 = grad(g1, x, create_graph=True)
        g3 = grad(g2, x, create_graph=True)
        obs["x**3"] = (repr(g1), repr(g2), repr(g3), graph_signature(g1[0].grad_fn))
        s = lib.tensor(3.0, requires_grad=True)
        (h1,) = grad(s**2, s, create_graph=True)
        (h2,) = grad(h1, s)
        obs["0-dim"] = (repr(h1), repr(h2))
        return obs

    ours = compare_programs(prog)
    assert ours["x*x"][0] == "(tensor([6.], grad_fn=<AddBackward0>),)"
    assert ours["x*x"][2] == "(tensor([2.]),)"
    assert ours["x**3"][:3] == (
        "(tensor([27.], grad_fn=<MulBackward0>),)",
        "(tensor([18.], grad_fn=<MulBackward0>),)",
        "(tensor([6.], grad_fn=<MulBackward0>),)",
    )
    assert ours["0-dim"] == ("tensor(6., grad_fn=<MulBackward0>)", "tensor(2.)")


def test_backward_with_create_graph_records_into_grad():
    """backward(create_graph=True): x.grad itself has a graph (CopyBackwards).

    (torch warns about the reference cycle only once per process, so the warning is not
    compared here.)
    """

    def prog(lib):
        x = lib.tensor([3.0], requires_grad=True)
        y = x**2
        capture_warnings(lambda: y.backward(create_graph=True))
        obs = {
            "x.grad": repr(x.grad),
            "graph": graph_signature(x.grad.grad_fn),
        }
        g = x.grad
        x.grad = None
        g.backward()
        obs["after x.grad.backward()"] = repr(x.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["x.grad"] == "tensor([6.], grad_fn=<CopyBackwards>)"
    assert ours["after x.grad.backward()"] == "tensor([2.])"


def test_hessian_of_q_equals_x_x_y_squared():
    """Q = (x*x*y)**2 at x=2, y=3: gradient (288, 96), Hessian 432, 192, 192, 32."""

    def prog(lib):
        grad = lib.autograd.grad
        x = lib.tensor(2.0, requires_grad=True)
        y = lib.tensor(3.0, requires_grad=True)
        Q = (x * x * y) ** 2
        obs = {"Q": repr(Q), "Q graph": graph_signature(Q.grad_fn)}
        dQdx, dQdy = grad(Q, (x, y), create_graph=True)
        obs["first"] = (repr(dQdx), repr(dQdy))
        obs["dQ/dx graph"] = graph_signature(dQdx.grad_fn)
        obs["dQ/dx saved"] = saved_along_graph(dQdx.grad_fn)
        obs["dQ/dy graph"] = graph_signature(dQdy.grad_fn)
        dxx, dxy = grad(dQdx, (x, y), create_graph=True)
        dyx, dyy = grad(dQdy, (x, y), create_graph=True)
        obs["second"] = [repr(t) for t in (dxx, dxy, dyx, dyy)]
        Q = (x * x * y) ** 2
        dQdx, dQdy = grad(Q, (x, y), create_graph=True)
        rows = [grad(d, (x, y), retain_graph=True) for d in (dQdx, dQdy)]
        obs["rows"] = repr(rows)
        Q = (x * x * y) ** 2
        (dQdx,) = grad(Q, x, create_graph=True)
        obs["grad(Q, x)"] = repr(dQdx)
        obs["grad(dQdx, x)"] = repr(grad(dQdx, x))
        obs["then grad(dQdx, y)"] = capture_error(lambda: grad(dQdx, y))
        return obs

    ours = compare_programs(prog)
    assert ours["Q"] == "tensor(144., grad_fn=<PowBackward0>)"
    assert ours["first"] == (
        "tensor(288., grad_fn=<AddBackward0>)",
        "tensor(96., grad_fn=<MulBackward0>)",
    )
    assert len(ours["dQ/dx graph"]) == 11 and len(ours["dQ/dy graph"]) == 8
    assert ours["second"] == [
        "tensor(432., grad_fn=<AddBackward0>)",
        "tensor(192., grad_fn=<AddBackward0>)",
        "tensor(192., grad_fn=<AddBackward0>)",
        "tensor(32., grad_fn=<MulBackward0>)",
    ]
    assert ours["rows"] == "[(tensor(432.), tensor(192.)), (tensor(192.), tensor(32.))]"
    assert ours["then grad(dQdx, y)"] == ("RuntimeError", FREED)


def test_batched_second_derivatives_through_slices():
    """X [4,2], x = X[:,0], y = X[:,1]: dz/dx = [8,36,96,200], d2z/dxdy = [8,24,48,80]."""

    def prog(lib):
        grad = lib.autograd.grad
        X = lib.tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], requires_grad=True)
        x, y = X[:, 0], X[:, 1]
        z = x * x * y * y
        obs = {
            "x, y, z": (repr(x), repr(y), repr(z)),
            "x node": (nf(x.grad_fn), x.is_leaf),
        }
        (g,) = grad(z.sum(), X, create_graph=True)
        obs["g"] = repr(g)
        z1 = g[:, 0]
        obs["z1"] = (repr(z1), graph_signature(z1.grad_fn))
        (h,) = grad(z1.sum(), X)
        obs["h"] = repr(h)
        obs["d2z/dxdy, d2z/dx2"] = (repr(h[:, 1]), repr(h[:, 0]))
        z = x * x * y * y
        obs["fresh slice"] = capture_error(lambda: grad(z.sum(), X[:, 0], retain_graph=True))
        obs["fresh slice allow_unused"] = repr(
            grad(z.sum(), X[:, 0], allow_unused=True, retain_graph=True)
        )
        obs["materialize_grads"] = repr(
            grad(z.sum(), X[:, 0], allow_unused=True, materialize_grads=True, retain_graph=True)
        )
        obs["same slice objects"] = repr(grad(z.sum(), [x, y]))
        return obs

    ours = compare_programs(prog)
    assert ours["x, y, z"] == (
        "tensor([1., 2., 3., 4.], grad_fn=<SelectBackward0>)",
        "tensor([2., 3., 4., 5.], grad_fn=<SelectBackward0>)",
        "tensor([  4.,  36., 144., 400.], grad_fn=<MulBackward0>)",
    )
    assert ours["z1"][0] == "tensor([  8.,  36.,  96., 200.], grad_fn=<SelectBackward0>)"
    assert ours["d2z/dxdy, d2z/dx2"] == (
        "tensor([ 8., 24., 48., 80.])",
        "tensor([ 8., 18., 32., 50.])",
    )
    assert ours["fresh slice"] == ("RuntimeError", UNUSED)
    assert ours["fresh slice allow_unused"] == "(None,)"
    assert ours["materialize_grads"] == "(tensor([0., 0., 0., 0.]),)"
    assert ours["same slice objects"] == (
        "(tensor([  8.,  36.,  96., 200.]), tensor([  4.,  24.,  72., 160.]))"
    )


def test_create_graph_implies_retain_graph():
    """grad(create_graph=True) keeps the graph unless retain_graph=False is given."""

    def prog(lib):
        x = lib.tensor([3.0], requires_grad=True)
        y = x**2
        lib.autograd.grad(y, x, create_graph=True)
        obs = {"backward after": capture_error(y.backward), "x.grad": repr(x.grad)}
        y = x**2
        lib.autograd.grad(y, x, create_graph=True, retain_graph=False)
        obs["retain_graph=False"] = capture_error(y.backward)
        return obs

    ours = compare_programs(prog)
    assert ours["backward after"] is None and ours["x.grad"] == "tensor([6.])"
    assert ours["retain_graph=False"] == ("RuntimeError", FREED)


# ------------------------------------------------------------- printing, diamonds, ties


def test_tensor_printing_forms():
    """The repr forms the course shows: requires_grad=True, grad_fn=<...>, scientific, float64."""

    def prog(lib):
        x = lib.tensor([3.0], requires_grad=True)
        m = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        d = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
        return {
            "forms": [
                str(x),
                repr(x),
                str(x * 2),
                repr(x.grad),
                repr((x * 2).sum()),
                repr(x.detach()),
                repr(lib.tensor(2.5, requires_grad=True)),
                repr(m),
                repr(m * 2),
                repr(lib.tensor([1.5, 2.25], requires_grad=True) * 1),
                repr(lib.tensor([1e-5, 1.0], requires_grad=True)),
                repr(lib.tensor([1e6, 1.0], requires_grad=True)),
                repr(lib.tensor(1 / 3)),
                repr(lib.tensor([-0.0, 0.0])),
                repr(lib.tensor([1.0, 2.0], dtype=lib.float64) * d),
            ]
        }

    assert compare_programs(prog)["forms"] == [
        "tensor([3.], requires_grad=True)",
        "tensor([3.], requires_grad=True)",
        "tensor([6.], grad_fn=<MulBackward0>)",
        "None",
        "tensor(6., grad_fn=<SumBackward0>)",
        "tensor([3.])",
        "tensor(2.5000, requires_grad=True)",
        "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)",
        "tensor([[2., 4.],\n        [6., 8.]], grad_fn=<MulBackward0>)",
        "tensor([1.5000, 2.2500], grad_fn=<MulBackward0>)",
        "tensor([1.0000e-05, 1.0000e+00], requires_grad=True)",
        "tensor([1.0000e+06, 1.0000e+00], requires_grad=True)",
        "tensor(0.3333)",
        "tensor([-0., 0.])",
        "tensor([1., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)",
    ]


def test_diamond_accumulates_over_paths():
    """a = 3x, b = a + a, c = a*b = 2a**2: dc/dx = 72, summed over both paths."""

    def prog(lib):
        x = lib.tensor(2.0, requires_grad=True)
        a = 3 * x
        b = a + a
        c = a * b
        c.backward()
        return {
            "x.grad": repr(x.grad),
            "b next": nf(b.grad_fn),
            "b next both a": b.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[1][0],
        }

    ours = compare_programs(prog)
    assert ours["x.grad"] == "tensor(72.)"
    assert ours["b next"] == "((MulBackward0, 0), (MulBackward0, 0))"
    assert ours["b next both a"] is True


def test_one_accumulate_grad_per_leaf_across_graphs():
    """A leaf's AccumulateGrad is the same object in two separate graphs."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y1, y2 = x * 2, x.exp()
        acc = y1.grad_fn.next_functions[0][0]
        return {
            "same": acc is y2.grad_fn.next_functions[0][0],
            "variable is x": acc.variable is x,
        }

    assert compare_programs(prog) == {"same": True, "variable is x": True}


def test_sum_mean_and_broadcast_gradients():
    """mean spreads 1/n; broadcasting's adjoint sums over the broadcast dimensions."""

    def prog(lib):
        m = lib.ones(2, 2, requires_grad=True)
        m.mean().backward()
        obs = {"mean": repr(m.grad)}
        x = lib.ones(2, 2, requires_grad=True)
        b = lib.tensor([1.0, 2.0], requires_grad=True)
        s = x + b
        s.sum().backward()
        obs["broadcast add"] = (repr(b.grad), nf(s.grad_fn))
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = lib.tensor([[10.0], [20.0]], requires_grad=True)
        (x * b).sum().backward()
        obs["broadcast mul"] = (repr(b.grad), repr(x.grad))
        s0 = lib.tensor(2.0, requires_grad=True)
        (s0 * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        obs["0-dim"] = repr(s0.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["mean"] == "tensor([[0.2500, 0.2500],\n        [0.2500, 0.2500]])"
    assert ours["broadcast add"] == (
        "tensor([2., 2.])",
        "((AccumulateGrad, 0), (AccumulateGrad, 0))",
    )
    assert ours["broadcast mul"] == (
        "tensor([[3.],\n        [7.]])",
        "tensor([[10., 10.],\n        [20., 20.]])",
    )
    assert ours["0-dim"] == "tensor(6.)"


TIES = {
    "relu at [-1, 0, 1]": ("[-1., 0., 1.]", lambda lib, x: x.relu().sum(), "tensor([0., 0., 1.])"),
    "max() tie": ("[1., 3., 3.]", lambda lib, x: x.max(), "tensor([0.0000, 0.5000, 0.5000])"),
    "max(dim=0) tie": (
        "[1., 3., 3.]",
        lambda lib, x: lib.max(x, dim=0).values,
        "tensor([0., 1., 0.])",
    ),
    "sqrt at 0": ("[0.]", lambda lib, x: x.sqrt().sum(), "tensor([inf])"),
    "x**0.5 at 0": ("[0.]", lambda lib, x: (x**0.5).sum(), "tensor([inf])"),
    "log at 0": ("[0.]", lambda lib, x: (-x.log()).sum(), "tensor([-inf])"),
    "x**0 at 0": ("[0.]", lambda lib, x: (x**0).sum(), "tensor([0.])"),
    "x**1 at 0": ("[0.]", lambda lib, x: (x**1).sum(), "tensor([1.])"),
    "abs at 0": ("[0.]", lambda lib, x: x.abs().sum(), "tensor([0.])"),
    "x**x at 0": ("[0.]", lambda lib, x: (x**x).sum(), "tensor([0.])"),
}


@pytest.mark.parametrize("case", list(TIES))
def test_gradients_at_ties_and_kinks(case):
    """The subgradient torch picks at ties and kinks (relu, max, sqrt, log, pow, abs)."""
    values, fn, expected = TIES[case]

    def prog(lib):
        x = lib.tensor(eval(values), requires_grad=True)  # literal lists from TIES
        fn(lib, x).backward()
        return {"x.grad": repr(x.grad)}

    assert compare_programs(prog)["x.grad"] == expected


def test_maximum_splits_ties():
    """maximum(x, y) with a tie sends half the gradient to each side."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([1.0, 1.0], requires_grad=True)
        lib.maximum(x, y).sum().backward()
        return {"grads": (repr(x.grad), repr(y.grad))}

    assert compare_programs(prog)["grads"] == (
        "tensor([0.5000, 1.0000])",
        "tensor([0.5000, 0.0000])",
    )


# ------------------------------------------------------------------- S. the node API


def test_node_repr_name_metadata():
    """Nodes print as <MulBackward0 object at 0x...>; name(); a metadata dict that persists."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y.sum()
        acc = y.grad_fn.next_functions[0][0]
        obs = {
            "repr": addr(y.grad_fn),
            "str": strip_addresses(str(y.grad_fn)),
            "next repr": addr(y.grad_fn.next_functions),
            "acc repr": addr(acc),
            "acc type": type(acc).__name__,
            "acc name()": acc.name(),
            "type": type(y.grad_fn).__name__,
            "names": (y.grad_fn.name(), z.grad_fn.name()),
            "same object each access": y.grad_fn is y.grad_fn,
            "metadata": (dict(y.grad_fn.metadata), type(y.grad_fn.metadata).__name__),
        }
        y.grad_fn.metadata["tag"] = "mine"
        obs["metadata after set"] = dict(y.grad_fn.metadata)
        return obs

    ours = compare_programs(prog)
    assert ours["repr"] == ours["str"] == "<MulBackward0 object at 0x...>"
    assert ours["next repr"] == "((<AccumulateGrad object at 0x...>, 0), (None, 0))"
    assert ours["acc repr"] == "<AccumulateGrad object at 0x...>"
    assert ours["acc name()"] == "torch::autograd::AccumulateGrad"
    assert ours["names"] == ("MulBackward0", "SumBackward0")
    assert ours["metadata"] == ({}, "dict")
    assert ours["metadata after set"] == {"tag": "mine"}


OPS = {
    "x+x": lambda lib, x: x + x,
    "x-x": lambda lib, x: x - x,
    "x*x": lambda lib, x: x * x,
    "x/x": lambda lib, x: x / x,
    "x**2": lambda lib, x: x**2,
    "x.sum()": lambda lib, x: x.sum(),
    "x.mean()": lambda lib, x: x.mean(),
    "x.exp()": lambda lib, x: x.exp(),
    "x.log()": lambda lib, x: x.log(),
    "x.tanh()": lambda lib, x: x.tanh(),
    "x.sigmoid()": lambda lib, x: x.sigmoid(),
    "x.relu()": lambda lib, x: x.relu(),
    "-x": lambda lib, x: -x,
    "x.abs()": lambda lib, x: x.abs(),
    "x.sqrt()": lambda lib, x: x.sqrt(),
    "x.sin()": lambda lib, x: x.sin(),
    "x.cos()": lambda lib, x: x.cos(),
    "x.view(2,1)": lambda lib, x: x.view(2, 1),
    "x.reshape(2,1)": lambda lib, x: x.reshape(2, 1),
    "x.t()": lambda lib, x: x.t(),
    "x[0]": lambda lib, x: x[0],
    "x[0:1]": lambda lib, x: x[0:1],
    "x.unsqueeze(0)": lambda lib, x: x.unsqueeze(0),
    "x.max()": lambda lib, x: x.max(),
    "x.clone()": lambda lib, x: x.clone(),
    "x @ x": lambda lib, x: x @ x,
    "x.expand(3,2)": lambda lib, x: x.expand(3, 2),
    "x.dot(x)": lambda lib, x: x.dot(x),
    "x.matmul(ones(2,2))": lambda lib, x: x.matmul(lib.ones(2, 2)),
    "x.pow(x)": lambda lib, x: x.pow(x),
    "where": lambda lib, x: lib.where(x > 0, x, x * 2),
    "x.clamp(0,1)": lambda lib, x: x.clamp(0, 1),
    "x.float()": lambda lib, x: x.float(),
    "x.double()": lambda lib, x: x.double(),
    "x.to(x)": lambda lib, x: x.to(x),
    "x.squeeze()": lambda lib, x: x.squeeze(),
    "x.flatten()": lambda lib, x: x.flatten(),
    "x.neg()": lambda lib, x: x.neg(),
    "x.maximum(x)": lambda lib, x: x.maximum(x),
    "x.prod()": lambda lib, x: x.prod(),
    "x.norm()": lambda lib, x: x.norm(),
    "stack": lambda lib, x: lib.stack([x, x]),
    "cat": lambda lib, x: lib.cat([x, x]),
    "x.sum(0)": lambda lib, x: x.sum(0),
    "x.exp2()": lambda lib, x: x.exp2(),
    "x.reciprocal()": lambda lib, x: x.reciprocal(),
    "x.sub(1)": lambda lib, x: x.sub(1),
    "x.add(x, alpha=2)": lambda lib, x: x.add(x, alpha=2),
    "x.mul(2.)": lambda lib, x: x.mul(2.0),
    "x.div(2.)": lambda lib, x: x.div(2.0),
    "x.pow(0.5)": lambda lib, x: x.pow(0.5),
    "x.square()": lambda lib, x: x.square(),
    # operators with a Python number (section G)
    "w + 1": lambda lib, x: x + 1,
    "1 + w": lambda lib, x: 1 + x,
    "w + tensor (no grad)": lambda lib, x: x + lib.tensor([1.0, 1.0]),
    "w * 3": lambda lib, x: x * 3,
    "w - 1": lambda lib, x: x - 1,
    "1 - w": lambda lib, x: 1 - x,
    "w / 2": lambda lib, x: x / 2,
    "2 / w": lambda lib, x: 2 / x,
    "2 ** w": lambda lib, x: 2**x,
}


@pytest.mark.parametrize("op", list(OPS))
def test_node_of_each_op(op):
    """The grad_fn type, name() and next_functions each operation records (reference S, G)."""

    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = OPS[op](lib, x)
        node = out.grad_fn
        if node is None:
            return {"node": None}
        return {"node": (type(node).__name__, node.name(), nf(node), graph_signature(node))}

    compare_programs(prog)


def test_saved_values_of_nodes():
    """_saved_self/_saved_other/_saved_exponent/_saved_result and the freed error afterwards."""

    def prog(lib):
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        y = x * x
        obs = {
            "mul": saved_attrs(y.grad_fn),
            "mul _saved_self is x": y.grad_fn._saved_self is x,
        }
        node = y.grad_fn
        y.sum().backward()
        obs["mul after backward"] = (addr(node), nf(node), saved_attrs(node))
        y = x * x
        y.sum().backward(retain_graph=True)
        obs["mul after retained backward"] = saved_attrs(y.grad_fn)
        results = {}
        for name in ("exp", "relu", "tanh", "sigmoid"):
            out = getattr(x, name)()
            results[name] = (saved_attrs(out.grad_fn), out.grad_fn._saved_result is out)
        obs["results"] = results
        obs["log"] = saved_attrs(x.log().grad_fn)
        obs["div"] = saved_attrs((x / lib.tensor(2.0, requires_grad=True)).grad_fn)
        obs["pow"] = saved_attrs((x**2).grad_fn)
        obs["add"] = saved_attrs((x + x).grad_fn)
        return obs

    ours = compare_programs(prog)
    assert ours["mul"] == {
        "_saved_self": "tensor([[1., 2.]], requires_grad=True)",
        "_saved_other": "tensor([[1., 2.]], requires_grad=True)",
    }
    assert ours["mul _saved_self is x"] is True
    assert ours["mul after backward"][2] == {
        "_saved_self": ("RuntimeError", FREED),
        "_saved_other": ("RuntimeError", FREED),
    }
    assert ours["results"]["exp"] == (
        {"_saved_result": "tensor([[2.7183, 7.3891]], grad_fn=<ExpBackward0>)"},
        False,
    )
    assert ours["pow"] == {
        "_saved_self": "tensor([[1., 2.]], requires_grad=True)",
        "_saved_exponent": "2",
    }
