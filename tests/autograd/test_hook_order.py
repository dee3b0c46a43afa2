"""Tensor, node, post-accumulate and module hooks: which fire, in what order, with what
(issue 18).

torch runs, for each node: the tensor hooks of the tensor whose gradient arrives, the node's
pre-hooks, the node, its post-hooks. At an ``AccumulateGrad`` node the tensor hooks run first,
then the node's pre-hooks, then the accumulation, the post-accumulate-grad hooks, and last the
node's post-hooks. Each program runs on minigrad and on torch; the name given to
``programs.add`` is the test of PyTorch's ``test/test_autograd.py`` it comes from.
"""

from __future__ import annotations

import copy

from tests.oracle import (
    ProgramSet,
    capture_error,
    graph_signature,
)

programs = ProgramSet()


def tolist(t):
    return None if t is None else t.tolist()


def deterministic_linear(lib, n_in, n_out, bias=True):
    """An ``nn.Linear`` with the same weights in both libraries."""
    lin = lib.nn.Linear(n_in, n_out, bias=bias)
    with lib.no_grad():
        lin.weight.copy_(lib.arange(float(n_in * n_out)).view(n_out, n_in) / 10 - 0.3)
        if bias:
            lin.bias.copy_(lib.arange(float(n_out)) / 5)
    return lin


# ------------------------------------------------------------------ AccumulateGrad


@programs.add("test_post_accumulate_grad_hook_ordering")
def accumulate_grad_hook_order(lib):
    """Issue 18, program 4: ((1 - 2) / 5 + 0.5) * 10 = 3."""
    t = lib.ones(3, requires_grad=True)
    log = []
    acc = t.view_as(t).grad_fn.next_functions[0][0]

    def pre_hook(g):
        log.append("tensor hook")
        return g.sub(2.0)

    def acc_pre(go):
        log.append("node pre-hook")
        return (go[0].div(5.0),)

    def post_acc(tt):
        log.append("post-accumulate hook")
        tt.grad.add_(0.5)

    def acc_post(gi, go):
        log.append("node post-hook")
        t.grad = go[0].mul(10)

    t.register_hook(pre_hook)
    acc.register_prehook(acc_pre)
    t.register_post_accumulate_grad_hook(post_acc)
    acc.register_hook(acc_post)
    t.sum().backward()
    return {"t.grad": t.grad, "log": log}


@programs.add("test_prehook_ordering")
def tensor_hooks_before_node_prehooks(lib):
    log = []

    def hook1(g):
        log.append(1)
        return g * 3

    def hook2(gs):
        log.append(2)
        return tuple(g * 2 for g in gs)

    a = lib.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.grad_fn.register_prehook(hook2)
    b.register_hook(hook1)
    b.grad_fn.register_prehook(hook2)
    acc = b.grad_fn.next_functions[0][0]
    a.register_hook(hook1)
    acc.register_prehook(hook2)
    a.register_hook(hook1)
    b.sum().backward(retain_graph=True)
    obs = {"backward": list(log), "a.grad": a.grad}
    log.clear()
    obs["grad value"] = lib.autograd.grad(b.sum(), inputs=(a,), retain_graph=True)
    obs["grad"] = list(log)
    log.clear()
    b.retain_grad()
    b.sum().backward(inputs=(b,))
    obs["backward inputs=b"] = list(log)
    obs["b.grad"] = b.grad
    return obs


@programs.add("test_retains_grad_can_always_observe_tensor_prehook")
def retain_grad_sees_every_tensor_hook(lib):
    obs = {}
    for first in ("hook", "retain"):
        a = lib.tensor(1.0, requires_grad=True)
        b = a.clone()
        if first == "hook":
            b.register_hook(lambda g: g * 2)
        b.retain_grad()
        b.register_hook(lambda g: g * 2)
        b.clone().backward()
        obs[first] = (b.grad, a.grad)
    return obs


@programs.add("test_accumulate_grad_posthooks_can_observe_tensor_prehook")
def accumulate_grad_hooks_see_tensor_hook_result(lib):
    log = []
    a = lib.tensor(1.0, requires_grad=True)
    b = a.clone()
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(
        lambda gi, go: log.append(("post", [tolist(g) for g in gi], [tolist(g) for g in go]))
    )
    acc.register_prehook(lambda go: log.append(("pre", [tolist(g) for g in go])))
    a.register_hook(lambda g: g * 2)
    b.backward()
    return {"log": log, "a.grad": a.grad}


@programs.add("test_accumulate_grad_posthooks_should_not_execute")
def hooks_of_leaves_outside_inputs_do_not_run(lib):
    log = []
    a = lib.tensor(1.0, requires_grad=True)
    a.register_hook(lambda g: log.append("a tensor hook"))
    b = lib.tensor(1.0, requires_grad=True)
    c = a.clone()
    acc = c.grad_fn.next_functions[0][0]
    acc.register_hook(lambda gi, go: log.append("a post hook"))
    out = a + b + c
    out.sum().backward(inputs=[b])
    return {"log": log, "a.grad": a.grad, "b.grad": b.grad}


@programs.add("test_hook_edge_case_when_called_with_grad")
def which_hooks_run_for_grad_and_backward(lib):
    a = lib.tensor(1.0, requires_grad=True)
    b = a * 2
    c = b * 2
    counts = {"tensor": 0, "pre": 0, "post": 0}

    def bump(key):
        def hook(*args):
            counts[key] += 1

        return hook

    a.register_hook(bump("tensor"))
    b.register_hook(bump("tensor"))
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(bump("post"))
    acc.register_prehook(bump("pre"))
    b.grad_fn.register_hook(bump("post"))
    b.grad_fn.register_prehook(bump("pre"))
    obs = {}
    calls = {
        "grad(c, b)": lambda: lib.autograd.grad(c, inputs=(b,), retain_graph=True),
        "grad(c, (a, b))": lambda: lib.autograd.grad(c, inputs=(a, b), retain_graph=True),
        "backward": lambda: c.backward(retain_graph=True),
        "backward(inputs=(a, b))": lambda: c.backward(inputs=(a, b), retain_graph=True),
    }
    for name, call in calls.items():
        counts.update(tensor=0, pre=0, post=0)
        call()
        obs[name] = dict(counts)
    return obs


# ------------------------------------------------------------------ node hooks


def _mul2(lib, custom):
    if not custom:
        return lambda x: x * 2

    class Mul2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Mul2.apply


@programs.add("test_grad_fn_prehooks", cases={"builtin": (False,), "custom": (True,)})
def node_prehooks_and_posthooks(lib, custom):
    mul2 = _mul2(lib, custom)
    log = []
    a = lib.tensor([1.0], requires_grad=True)
    b = mul2(a)

    def posthook(grad_input, grad_output):
        log.append(("post", tolist(grad_input[0]), tolist(grad_output[0])))
        return grad_input

    def prehook(grad_output):
        log.append(("pre", tolist(grad_output[0])))
        return (grad_output[0] * 2,)

    b.grad_fn.register_hook(posthook)
    b.grad_fn.register_hook(posthook)
    b.grad_fn.register_prehook(prehook)
    b.grad_fn.register_prehook(lambda x: None)
    b.grad_fn.register_prehook(prehook)
    b.grad_fn.register_prehook(prehook)
    b.grad_fn.register_prehook(lambda x: x)
    b.grad_fn.register_prehook(lambda x: None)
    b.sum().backward()
    obs = {"log": list(log), "a.grad": a.grad}
    a2 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b2 = mul2(a2)
    b2.grad_fn.register_prehook(lambda go: log.append("returns None"))
    b2.sum().backward()
    obs["a2.grad"] = a2.grad
    return obs


@programs.add("test_grad_fn_prehooks_remove_hooks", cases={"builtin": (False,), "custom": (True,)})
def removing_node_prehooks(lib, custom):
    mul2 = _mul2(lib, custom)
    counter = [0]

    def prehook(g):
        counter[0] += 1

    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = mul2(a)
    handle = b.grad_fn.register_prehook(prehook)
    b.grad_fn.register_prehook(prehook)
    handle.remove()
    b.sum().backward()
    obs = {"simple": (counter[0], a.grad)}

    counter[0] = 0
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = mul2(a)
    handles = {}

    def prehook1(g):
        handles[2].remove()
        handles[3].remove()  # removing twice is fine

    b.grad_fn.register_prehook(prehook1)
    handles[2] = b.grad_fn.register_prehook(prehook)
    handles[3] = b.grad_fn.register_prehook(prehook)
    handles[3].remove()
    b.sum().backward()
    obs["during backward"] = (counter[0], a.grad)
    return obs


@programs.add("test_grad_fn_prehooks_multiple_outputs")
def prehook_on_a_multi_output_custom_function(lib):
    seen = []

    class DoubleMul2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, a, y):
            ctx.a = a
            return a * x * 2, a, a * y * 2

        @staticmethod
        def backward(ctx, g1, _a, g2):
            return ctx.a * g1 * 2, None, ctx.a * g2 * 2

    def prehook(grad_output):
        g1, ga, g2 = grad_output
        seen.append(ga)
        return (g1 * 2, None, g2 * 2)

    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = lib.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    c, _, d = DoubleMul2.apply(a, 3, b)
    c.grad_fn.register_prehook(prehook)
    (c + d).sum().backward()
    return {"seen": seen, "a.grad": a.grad, "b.grad": b.grad}


@programs.add("test_grad_fn_prehooks_multiple_outputs")
def prehook_on_var_mean(lib):
    b = lib.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0], [2.0, 2.0, 1.0]], requires_grad=True)
    var, mean = lib.var_mean(b, dim=0)
    (var + mean).sum().backward()
    a = b.detach().requires_grad_()
    counter = [0]

    def prehook(grad_output):
        gvar, gmean = grad_output
        counter[0] += 1
        return (gvar * 2, gmean * 2)

    var, mean = lib.var_mean(a, dim=0)
    mean.grad_fn.register_prehook(prehook)
    (var + mean).sum().backward()
    return {"counter": counter[0], "plain": b.grad, "hooked": a.grad}


@programs.add("test_hooks")
def tensor_hooks_count_remove_and_replace(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = (lib.ones(2, 2) * 4).requires_grad_(True)
    counter = [0]

    def bw_hook(inc, grad):
        counter[0] += inc

    z = x**2 + x * 2 + x * y + y
    x.register_hook(lambda *args: bw_hook(0, *args))
    test = z.register_hook(lambda *args: bw_hook(1, *args))
    z.backward(lib.ones(2, 2), retain_graph=True)
    obs = {"1": counter[0]}
    test2 = z.register_hook(lambda *args: bw_hook(2, *args))
    z.backward(lib.ones(2, 2), retain_graph=True)
    obs["2"] = counter[0]
    test2.remove()
    z.backward(lib.ones(2, 2), retain_graph=True)
    obs["3"] = counter[0]
    test.remove()
    z.register_hook(lambda g: g.mul(2))
    with lib.no_grad():
        y.grad.zero_()
    z.backward(lib.ones(2, 2), retain_graph=True)
    obs["y.grad doubled"] = y.grad
    y.register_hook(lambda g: g.mul(2))
    with lib.no_grad():
        y.grad.zero_()
    z.backward(lib.ones(2, 2))
    obs["y.grad quadrupled"] = y.grad
    return obs


@programs.add("test_hook_with_no_name")
def callable_object_as_hook(lib):
    class MyHookClass:
        def __call__(self, grad):
            return grad.clone() * 3

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    y.register_hook(MyHookClass())
    y.sum().backward()
    return {"x.grad": x.grad}


@programs.add("test_tensor_hooks_inplace")
def tensor_hooks_follow_in_place_ops(lib):
    seen = []

    def fn1(g):
        seen.append(("fn1", g.tolist()))
        return g * 2

    def fn2(g):
        seen.append(("fn2", g.tolist()))
        return g * 2

    a = lib.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn1)
    b.mul_(2)
    b.register_hook(fn2)
    b.sum().backward()
    obs = {"seen": list(seen), "a.grad": a.grad}
    seen.clear()
    a = lib.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn1)
    b.mul_(2)
    b.mul_(2)
    b.sum().backward()
    obs["twice"] = (list(seen), a.grad)
    return obs


def _double_mul(lib):
    class DoubleMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    return DoubleMul.apply


def _two_outputs(lib, which):
    if which == "custom":
        return _double_mul(lib)
    return lambda b: lib.var_mean(b, dim=0)


@programs.add(
    "test_tensor_hooks_inplace_multiple_outputs",
    cases={"custom": ("custom",), "var_mean": ("var_mean",)},
)
def hooks_on_multi_output_node_and_in_place(lib, which):
    fn = _two_outputs(lib, which)
    seen = []
    b = lib.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0], [2.0, 2.0, 1.0]], requires_grad=True)
    out1, out2 = fn(b)
    h1 = out1.register_hook(lambda g: seen.append(("out1 old", g.tolist())))
    h2 = out2.register_hook(lambda g: seen.append(("out2", g.tolist())))
    out1.mul_(2)
    h3 = out1.register_hook(lambda g: seen.append(("out1 new", g.tolist())))
    (out1 + out2 * 3).sum().backward()
    for h in (h1, h2, h3):
        h.remove()
    return {"seen": seen, "b.grad": b.grad}


@programs.add(
    "test_retains_grad_inplace_multiple_outputs",
    cases={"custom": ("custom",), "var_mean": ("var_mean",)},
)
def retain_grad_on_multi_output_node_and_in_place(lib, which):
    fn = _two_outputs(lib, which)
    b = lib.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0], [2.0, 2.0, 1.0]], requires_grad=True)
    var, mean = fn(b)
    var.retain_grad()
    mean.retain_grad()
    var.mul_(2)
    (var + mean).sum().backward()
    a = b.detach().requires_grad_(True)
    var2, mean2 = fn(a)
    var2.mul_(2)
    expected = lib.autograd.grad((var2 + mean2).sum(), inputs=(var2, mean2))
    return {"retained": (var.grad, mean.grad), "expected": expected}


@programs.add("test_retain_grad")
def retain_grad_accumulates_and_is_a_no_op_on_leaves(lib):
    inp = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    h1 = inp * 3
    out = (h1 * h1).sum()
    h1.retain_grad()
    h1.retain_grad()
    out.backward(retain_graph=True)
    obs = {"once": h1.grad}
    out.backward(retain_graph=True)
    obs["twice"] = h1.grad
    with lib.no_grad():
        inp.grad.zero_()
    inp.retain_grad()
    inp.retain_grad()
    out.backward()
    obs["leaf"] = inp.grad
    return obs


@programs.add("test_retain_grad_inplace")
def retain_grad_follows_in_place_ops(lib):
    obs = {}
    for times in (1, 2):
        a = lib.tensor([1.0], requires_grad=True).clone()
        a.retain_grad()
        for _ in range(times):
            a.mul_(2)
        a.sum().backward()
        obs[times] = a.grad
    return obs


@programs.add("test_grad_nonleaf_many_outputs")
def grad_of_two_chunks(lib):
    called = []
    x = lib.arange(8.0).view(4, 2).requires_grad_()
    a, b = x.chunk(2)
    x.register_hook(lambda *g: called.append(True))
    go = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    ga, gb = lib.autograd.grad((a + 2 * b), [a, b], grad_outputs=go, create_graph=True)
    return {"ga": ga, "gb": gb, "called": called, "x.grad": x.grad}


@programs.add("test_grad_nonleaf_register_hook")
def unbind_output_hook_receives_none(lib):
    """Issue 18: a tensor hook on an unused output of a multi-output node gets None."""
    seen = []
    x = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    x_list = x.unbind()
    x_list[0].register_hook(lambda g: seen.append(tolist(g)))
    x_list[0].backward()
    obs = {"first": list(seen), "x.grad": x.grad.tolist()}
    for i in range(1, 5):
        x_list[i].backward()
    obs["all"] = seen
    obs["x.grad all"] = x.grad
    return obs


@programs.add("test_grad_nonleaf_register_hook")
def custom_function_output_hook_receives_none(lib):
    seen = []

    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a, b = Two.apply(x)
    a.register_hook(lambda g: seen.append(("a", tolist(g))))
    b.sum().backward()
    return {"seen": seen, "x.grad": x.grad}


# ------------------------------------------------------------------ post-accumulate-grad hooks


@programs.add("test_post_accumulate_grad_hook_on_non_leaf")
def post_accumulate_hook_on_non_leaf(lib):
    leaf = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    non_leaf = 2.0 * leaf
    return {
        "error": capture_error(lambda: non_leaf.register_post_accumulate_grad_hook(lambda t: None))
    }


@programs.add("test_post_accumulate_grad_hook_multiple_hooks")
def post_accumulate_hooks_run_in_order(lib):
    t = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def hook1(tensor):
        tensor.sub_(tensor.grad)

    def hook2(tensor):
        tensor.mul_(4.0)

    t.register_post_accumulate_grad_hook(hook1)
    t.register_post_accumulate_grad_hook(hook2)
    t.sum().backward()
    return {"t": t, "version": t._version}


@programs.add("test_post_accumulate_grad_hook_multiple_tensors")
def post_accumulate_hooks_on_two_tensors(lib):
    def hook(tensor):
        tensor.sub_(tensor.grad)

    t1 = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t2 = lib.tensor([4.0, 5.0], requires_grad=True)
    t1.register_post_accumulate_grad_hook(hook)
    t2.register_post_accumulate_grad_hook(hook)
    t1.sum().backward()
    t2.sum().backward()
    return {"t1": t1, "t2": t2}


@programs.add(
    "test_post_accumulate_grad_hook_returns_not_None",
)
def post_accumulate_hook_returning_a_value(lib):
    t = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    t.register_post_accumulate_grad_hook(lambda tensor: tensor.grad)
    return {"error": capture_error(lambda: t.sum().backward())}


@programs.add("test_post_accumulate_grad_hook_e2e")
def optimizer_step_in_post_accumulate_hooks(lib):
    model = deterministic_linear(lib, 3, 2)
    inp = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    optims = {}
    handles = []

    def optim_step_hook(param):
        optims[param].step()
        optims[param].zero_grad()

    for p in model.parameters():
        optims[p] = lib.optim.Adam([p])
        handles.append(p.register_post_accumulate_grad_hook(optim_step_hook))
    model_copy = copy.deepcopy(model)
    optim_copy = lib.optim.Adam(model_copy.parameters())
    for _ in range(3):
        model(inp).sum().backward()
        model_copy(inp).sum().backward()
        optim_copy.step()
        optim_copy.zero_grad()
    obs = {
        "same": [
            (p - q).abs().max().item() < 1e-6
            for p, q in zip(model.parameters(), model_copy.parameters())
        ]
    }
    obs["params"] = [p.detach().clone() for p in model.parameters()]
    for h in handles:
        h.remove()
    for _ in range(2):
        model(inp).sum().backward()
        model_copy(inp).sum().backward()
        optim_copy.step()
        optim_copy.zero_grad()
    obs["after removal"] = [p.detach().clone() for p in model.parameters()]
    return obs


@programs.add("test_post_accumulate_grad_hook_e2e")
def deepcopy_of_a_parameter_leaves_hooks_behind(lib):
    log = []
    p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    p.register_post_accumulate_grad_hook(lambda t: log.append("post"))
    p.register_hook(lambda g: log.append("pre"))
    q = copy.deepcopy(p)
    (q * 2).sum().backward()
    obs = {"log": list(log), "q.grad": q.grad, "p.grad": p.grad, "type": type(q).__name__}
    (p * 2).sum().backward()
    obs["log after p"] = log
    return obs


@programs.add("test_post_accumulate_grad_hook_e2e")
def deepcopy_of_a_non_leaf(lib):
    t = lib.tensor([1.0], requires_grad=True)
    return {"leaf": copy.deepcopy(t), "non-leaf": capture_error(lambda: copy.deepcopy(t * 2))}


# ------------------------------------------------------------------ module hooks


@programs.add("test_backward_hook_relative_ordering")
def every_hook_of_a_linear_module_in_order(lib):
    order = []

    class MyModule(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = deterministic_linear(lib, 3, 3)

        def forward(self, x):
            return self.linear(x)

    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    module = MyModule()
    module.register_full_backward_hook(lambda _1, _2, _3: order.append("module full backward hook"))
    count = [0]

    def register_hooks_on_all_nodes(nodes):
        stack = list(reversed(nodes))
        while stack:
            node, _ = stack.pop()
            if node is None:
                continue
            count[0] += 1
            ident = f"{node.name()}_{count[0]}"
            node.register_prehook(lambda _, ident=ident: order.append(f"pre {ident}"))
            node.register_hook(lambda _1, _2, ident=ident: order.append(f"post {ident}"))
            stack.extend(reversed(node.next_functions))

    loss = module(x).sum()
    register_hooks_on_all_nodes(((loss.grad_fn, None),))
    x.register_hook(lambda _: order.append("tensor hook x"))
    module.linear.weight.register_hook(lambda _: order.append("tensor hook weight"))
    module.linear.bias.register_hook(lambda _: order.append("tensor hook bias"))
    x.register_post_accumulate_grad_hook(lambda _: order.append("post acc x"))
    module.linear.weight.register_post_accumulate_grad_hook(
        lambda _: order.append("post acc weight")
    )
    module.linear.bias.register_post_accumulate_grad_hook(lambda _: order.append("post acc bias"))
    loss.backward()
    return {"order": order, "graph": graph_signature(loss.grad_fn)}


@programs.add(
    "test_full_backward_hook_double_backward",
)
def full_backward_hook_under_double_backward(lib):
    x = lib.tensor([0.25], requires_grad=True)
    y = lib.tensor([0.75])
    func = lib.nn.MSELoss()
    counter = [0]

    def hook(module, grad_input, grad_output):
        counter[0] += 1

    func.register_full_backward_hook(hook)
    f = func(x, y)
    (gradx_f,) = lib.autograd.grad(f, x, create_graph=True)
    obs = {"after first": counter[0], "gradx_f": gradx_f}
    obs["second"] = lib.autograd.grad(gradx_f, x)
    obs["after second"] = counter[0]
    return obs


@programs.add("test_multi_grad_any_hooks")
def multi_grad_hook_any_mode_in_modules(lib):
    hook_order = []
    handles = []
    counter = [0]

    def hook(hook_id, *unused):
        hook_order.append(hook_id)

    class MultiOutputModule(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = deterministic_linear(lib, 3, 3)

        def forward(self, x):
            z = self.lin(x)
            out = lib.sin(z), lib.cos(z)
            z.register_hook(lambda *a, i=counter[0]: hook(i, *a))
            counter[0] += 1
            handles.append(
                lib.autograd.graph.register_multi_grad_hook(
                    out, lambda *a, i=counter[0]: hook(i, *a), mode="any"
                )
            )
            counter[0] += 1
            return out

    class Model(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.mod1 = MultiOutputModule()
            self.mod2 = MultiOutputModule()

        def forward(self, x):
            y = self.mod1(x)
            return self.mod2(y[0] + y[1])

    model = Model()
    inp = lib.tensor([[1.0, 2.0, 3.0], [0.5, 0.25, -1.0]])
    out = model(inp)
    (out[0] + out[1]).sum().backward()
    obs = {"order": list(hook_order)}
    hook_order.clear()
    handles.clear()
    counter[0] = 0
    out = model(inp)
    for h in handles:
        h.remove()
    (out[0] + out[1]).sum().backward()
    obs["after removal"] = hook_order
    return obs


@programs.add("test_multi_grad_all_hooks")
def multi_grad_hook_all_mode(lib):
    seen = []

    class Foo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone()

        @staticmethod
        def backward(ctx, g):
            return g

    t1 = lib.tensor([1.0, 2.0], requires_grad=True).mul(2)
    t2 = Foo.apply(lib.tensor([3.0, 4.0], requires_grad=True))
    t3 = lib.tensor([5.0, 6.0], requires_grad=True).clone()
    handle = lib.autograd.graph.register_multi_grad_hook(
        (t1, t2, t3), lambda grads: seen.append([g is not None for g in grads])
    )
    out = t2 * t3
    out.sum().backward(inputs=(t2, t3), retain_graph=True)
    out.sum().backward(inputs=(t3,), retain_graph=True)
    handle.remove()
    out.sum().backward(inputs=(t2, t3), retain_graph=True)
    return {"seen": seen}


@programs.add("test_multi_grad_hooks_invalid_mode")
def multi_grad_hook_invalid_mode(lib):
    t1 = lib.tensor([1.0, 2.0], requires_grad=True)
    t2 = lib.tensor([3.0, 4.0], requires_grad=True)
    return {
        "error": capture_error(
            lambda: lib.autograd.graph.register_multi_grad_hook(
                (t1, t2), lambda _: None, mode="foo"
            )
        )
    }


test_matches_torch, test_program_runs_on_torch = programs.tests()
