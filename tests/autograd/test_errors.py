"""Every error (and warning) of the torch 2.13 reference: same type, same message as torch.

Each case builds some tensors, snapshots them, performs the failing call, and snapshots them
again: a failed call must leave values, ``.grad`` and ``_version`` exactly as torch leaves them
(for almost every case: untouched). The literal message is also checked on minigrad's side so
that the test documents what the learner sees.
"""

from __future__ import annotations

import re

import pytest

from tests.oracle import capture_error, capture_warnings, compare_programs

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NOT_REQUIRE = "element 0 of tensors does not require grad and does not have a grad_fn"
IMPLICIT = "grad can be implicitly created only for scalar outputs"
UNUSED = (
    "The differentiated Tensor at index 0 appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
INT_CREATE = "Only Tensors of floating point and complex dtype can require gradients"
INT_REQUIRES_GRAD_ = "only Tensors of floating point dtype can require gradients"
INT_SET_FLAG = "only Tensors of floating point and complex dtype can require gradients"
NON_LEAF_FLAG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
HINT = (
    " Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)


def modified(what: str, version: int = 1, expected: int = 0) -> str:
    """The version-counter error for a saved tensor described by ``what``."""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {version}; expected version {expected} instead." + HINT
    )


def mismatch(grad_shape: str, out_shape: str) -> str:
    return (
        f"Mismatch in shape: grad_output[0] has a shape of torch.Size([{grad_shape}]) and "
        f"output[0] has a shape of torch.Size([{out_shape}])."
    )


def state(*tensors) -> list:
    """What a failed call must not change: repr, _version, and .grad of leaves."""
    out = []
    for t in tensors:
        grad = repr(t.grad) if t.is_leaf else "(non-leaf)"
        out.append((repr(t), t._version, grad, t.requires_grad, t.is_leaf))
    return out


def leaf(lib, values, **kwargs):
    return lib.tensor(values, requires_grad=True, **kwargs)


# ----------------------------------------------------------------------------- the cases
# Each returns (tensors whose state is checked, the failing call).


def backward_plain_scalar(lib):
    t = lib.tensor(3.0)
    return [t], t.backward


def backward_without_any_grad(lib):
    a, b = lib.tensor(2.0), lib.tensor(3.0)
    c = a * b
    return [a, b, c], c.backward


def grad_without_any_grad(lib):
    a, b = lib.tensor(2.0), lib.tensor(3.0)
    c = a * b
    return [a, b, c], lambda: lib.autograd.grad(c, a)


def grad_of_output_without_grad(lib):
    X = leaf(lib, [1.0, 2.0])
    return [X], lambda: lib.autograd.grad(lib.tensor(1.0), X)


def backward_after_detach(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    w = (x * 2).detach() ** 2
    return [x], w.sum().backward


def implicit_backward_non_scalar(lib):
    a, b = leaf(lib, [2.0, 3.0]), leaf(lib, [6.0, 4.0])
    Q = 3 * a**3 - b**2
    return [a, b], Q.backward


def implicit_grad_non_scalar(lib):
    a, b = leaf(lib, [2.0, 3.0]), leaf(lib, [6.0, 4.0])
    Q = 3 * a**3 - b**2
    return [a, b], lambda: lib.autograd.grad(Q, a)


def implicit_backward_of_cat(lib):
    w, x = leaf(lib, [1.0]), leaf(lib, [2.0])
    loss = lib.cat([(w + x) * (w + 1), (w + x) + (w + 1)])
    return [w, x], loss.backward


def _q(lib):
    a, b = leaf(lib, [2.0, 3.0]), leaf(lib, [6.0, 4.0])
    return a, b, 3 * a**3 - b**2


def gradient_shape_3_vs_2(lib):
    a, b, Q = _q(lib)
    return [a, b], lambda: Q.backward(gradient=lib.tensor([1.0, 1.0, 1.0]))


def gradient_shape_0d_vs_2(lib):
    a, b, Q = _q(lib)
    return [a, b], lambda: Q.backward(gradient=lib.tensor(1.0))


def gradient_shape_1x2_vs_2(lib):
    a, b, Q = _q(lib)
    return [a, b], lambda: Q.backward(gradient=lib.tensor([[1.0, 1.0]]))


def gradient_shape_1_vs_0d(lib):
    a = leaf(lib, [2.0, 3.0])
    s = (a * 2).sum()
    return [a], lambda: s.backward(gradient=lib.tensor([1.0]))


def gradient_shape_2x1_vs_2(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 3
    return [x], lambda: y.backward(lib.ones(2, 1))


def grad_outputs_shape_5_vs_2(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 3
    return [x], lambda: lib.autograd.grad(y, x, grad_outputs=lib.ones(5))


def grad_outputs_shape_1_vs_2(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 3
    return [x], lambda: lib.autograd.grad(y, x, grad_outputs=lib.ones(1))


def grad_outputs_shape_2_vs_0d(lib):
    X = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    z = (X * X).sum()
    return [X], lambda: lib.autograd.grad(z, X, grad_outputs=lib.ones(2))


def grad_outputs_shape_3_vs_4(lib):
    X = leaf(lib, [[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    z = X[:, 0] * X[:, 1]
    return [X], lambda: lib.autograd.grad(z, X, grad_outputs=lib.ones(3))


def gradient_as_python_list(lib):
    a, b, Q = _q(lib)
    return [a, b], lambda: Q.backward(gradient=[1.0, 1.0])


def second_backward_freed_graph(lib):
    w, x = leaf(lib, [1.0]), leaf(lib, [2.0])
    y = (w + x) * (w + 1)
    y.backward()
    return [w, x], y.backward


def second_grad_freed_graph(lib):
    x = leaf(lib, [3.0])
    y = x**2
    lib.autograd.grad(y, x)
    return [x], lambda: lib.autograd.grad(y, x)


def custom_function_saved_tensors_after_backward(lib):
    class Sq(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return 2 * t * g

    x = leaf(lib, 2.0)
    y = Sq.apply(x)
    y.backward()
    return [x], lambda: y.grad_fn.saved_tensors


def saved_self_after_backward(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * x
    y.sum().backward()
    return [x], lambda: y.grad_fn._saved_self


def leaf_iadd(lib):
    a = leaf(lib, [1.0])

    def act():
        nonlocal a
        a += 1

    return [a], act


def leaf_add_(lib):
    a = leaf(lib, [1.0])
    return [a], lambda: a.add_(1)


def leaf_mul_(lib):
    a = leaf(lib, [1.0])
    return [a], lambda: a.mul_(2)


def leaf_zero_(lib):
    a = leaf(lib, [1.0])
    return [a], a.zero_


def leaf_setitem(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])

    def act():
        a[0] = 5.0

    return [a], act


def leaf_view_mul_(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    return [a], lambda: a.view(3).mul_(2)


def leaf_slice_add_(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    v = a[:2]
    return [a], lambda: v.add_(1)


def modified_output_of_add(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    b = a + 1
    c = b * b
    b.add_(1)
    return [a], c.sum().backward


def modified_output_of_add_0d(lib):
    a = leaf(lib, 1.0)
    b = a + 1
    c = b * b
    b.add_(1)
    return [a], c.backward


def modified_pow_input(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    b = a * 2
    c = b**2
    b.add_(1)
    return [a], c.sum().backward


def modified_output_of_exp(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x.exp()
    y.detach().zero_()
    return [x], y.sum().backward


def modified_output_of_sigmoid(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    s = x.sigmoid()
    s.detach().mul_(2)
    return [x], s.sum().backward


def modified_output_of_mul_through_detach(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    b = a * 2
    c = b * b
    b.detach().add_(1)
    return [a], c.sum().backward


def modified_output_of_setitem(lib):
    x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    w = leaf(lib, [[1.0, 0.0], [0.0, 1.0]])
    m = x * 1
    c = m @ w
    m[0, 0] = 5.0
    return [x, w], c.sum().backward


def modified_float64(lib):
    a = leaf(lib, [1.0, 2.0, 3.0], dtype=lib.float64)
    b = a + 1
    c = b * b
    b.add_(1)
    return [a], c.sum().backward


def modified_leaf_under_no_grad(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = (x**2).sum()
    with lib.no_grad():
        x.add_(1)
    return [x], y.backward


def modified_input_without_grad(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    w = leaf(lib, [1.0, 1.0, 1.0])
    c = x * w
    x.add_(1)
    return [x, w], c.sum().backward


def unused_input(lib):
    x, u = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0])
    y = (x * x).sum()
    return [x, u], lambda: lib.autograd.grad(y, u)


def unused_fresh_slice(lib):
    X = leaf(lib, [[1.0, 2.0], [2.0, 3.0]])
    x, y = X[:, 0], X[:, 1]
    z = x * x * y * y
    return [X], lambda: lib.autograd.grad(z.sum(), X[:, 0])


def input_not_requiring_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    t = lib.tensor([1.0, 2.0])
    y = (x * t).sum()
    return [x, t], lambda: lib.autograd.grad(y, t)


def two_outputs_one_gradient(lib):
    X = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    z = X * X
    return [X], lambda: lib.autograd.grad([z, z.sum()], X, grad_outputs=[lib.ones(4)])


def grad_empty_inputs(lib):
    X = leaf(lib, [1.0, 2.0])
    z = (X * X).sum()
    return [X], lambda: lib.autograd.grad(z, [])


def backward_empty_inputs(lib):
    a, b = leaf(lib, 2.0), leaf(lib, 3.0)
    return [a, b], lambda: lib.autograd.backward(a * b, inputs=[])


def int_tensor_requires_grad(lib):
    return [], lambda: lib.tensor([1, 2], requires_grad=True)


def int32_tensor_requires_grad(lib):
    return [], lambda: lib.tensor([1.0, 2.0], dtype=lib.int32, requires_grad=True)


def long_ones_requires_grad(lib):
    return [], lambda: lib.ones(2, dtype=lib.long, requires_grad=True)


def bool_tensor_requires_grad(lib):
    return [], lambda: lib.tensor([True], requires_grad=True)


def int_requires_grad_(lib):
    t = lib.tensor([1, 2])
    return [t], t.requires_grad_


def int_set_requires_grad(lib):
    t = lib.tensor([1, 2])

    def act():
        t.requires_grad = True

    return [t], act


def non_leaf_requires_grad_false(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    return [x], lambda: y.requires_grad_(False)


def non_leaf_set_requires_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2

    def act():
        y.requires_grad = False

    return [x], act


def non_leaf_set_requires_grad_true(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2

    def act():
        y.requires_grad = True

    return [x], act


def non_leaf_requires_grad_true(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    return [x], lambda: y.requires_grad_(True)


def numpy_of_leaf_requiring_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    return [x], x.numpy


def numpy_of_result_requiring_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    return [x], (x * 2).numpy


def item_of_two_elements(lib):
    x = leaf(lib, [1.0, 2.0])
    return [x], (x * 2).item


def assign_grad_wrong_size(lib):
    x = leaf(lib, [1.0, 2.0])

    def act():
        x.grad = lib.ones(3)

    return [x], act


def assign_grad_wrong_dtype(lib):
    x = leaf(lib, [1.0, 2.0])

    def act():
        x.grad = lib.ones(2, dtype=lib.float64)

    return [x], act


def assign_grad_list(lib):
    x = leaf(lib, [1.0, 2.0])

    def act():
        x.grad = [1.0, 2.0]

    return [x], act


def retain_grad_without_requires_grad(lib):
    t = lib.tensor([1.0, 2.0])
    return [t], t.retain_grad


def zero_grad_that_is_none(lib):
    v = leaf(lib, [1.0, 2.0])
    return [v], lambda: v.grad.zero_()


def custom_function_wrong_count(lib):
    class BadFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x, y = leaf(lib, 2.0), leaf(lib, 3.0)
    return [x, y], BadFn.apply(x, y).backward


CASES = {
    # element 0 ...: nothing in the graph requires grad
    "backward of a plain scalar": (backward_plain_scalar, ("RuntimeError", NOT_REQUIRE)),
    "backward, no input requires grad": (backward_without_any_grad, ("RuntimeError", NOT_REQUIRE)),
    "grad, no input requires grad": (grad_without_any_grad, ("RuntimeError", NOT_REQUIRE)),
    "grad of an output without grad": (grad_of_output_without_grad, ("RuntimeError", NOT_REQUIRE)),
    "backward after detach": (backward_after_detach, ("RuntimeError", NOT_REQUIRE)),
    # implicit gradient of a non-scalar
    "backward() of a non-scalar": (implicit_backward_non_scalar, ("RuntimeError", IMPLICIT)),
    "grad() of a non-scalar": (implicit_grad_non_scalar, ("RuntimeError", IMPLICIT)),
    "backward() of cat": (implicit_backward_of_cat, ("RuntimeError", IMPLICIT)),
    # gradient / grad_outputs shapes
    "gradient [3] for [2]": (gradient_shape_3_vs_2, ("RuntimeError", mismatch("3", "2"))),
    "gradient [] for [2]": (gradient_shape_0d_vs_2, ("RuntimeError", mismatch("", "2"))),
    "gradient [1, 2] for [2]": (gradient_shape_1x2_vs_2, ("RuntimeError", mismatch("1, 2", "2"))),
    "gradient [1] for []": (gradient_shape_1_vs_0d, ("RuntimeError", mismatch("1", ""))),
    "gradient [2, 1] for [2]": (gradient_shape_2x1_vs_2, ("RuntimeError", mismatch("2, 1", "2"))),
    "grad_outputs [5] for [2]": (grad_outputs_shape_5_vs_2, ("RuntimeError", mismatch("5", "2"))),
    "grad_outputs [1] for [2]": (grad_outputs_shape_1_vs_2, ("RuntimeError", mismatch("1", "2"))),
    "grad_outputs [2] for []": (grad_outputs_shape_2_vs_0d, ("RuntimeError", mismatch("2", ""))),
    "grad_outputs [3] for [4]": (grad_outputs_shape_3_vs_4, ("RuntimeError", mismatch("3", "4"))),
    "gradient as a Python list": (
        gradient_as_python_list,
        ("TypeError", "gradients can be either Tensors or None, but got float"),
    ),
    # freed graph
    "second backward": (second_backward_freed_graph, ("RuntimeError", FREED)),
    "second grad": (second_grad_freed_graph, ("RuntimeError", FREED)),
    "saved_tensors after backward": (
        custom_function_saved_tensors_after_backward,
        ("RuntimeError", FREED),
    ),
    "_saved_self after backward": (saved_self_after_backward, ("RuntimeError", FREED)),
    # in-place on a leaf that requires grad, or on a view of it
    "leaf +=": (leaf_iadd, ("RuntimeError", LEAF_INPLACE)),
    "leaf add_": (leaf_add_, ("RuntimeError", LEAF_INPLACE)),
    "leaf mul_": (leaf_mul_, ("RuntimeError", LEAF_INPLACE)),
    "leaf zero_": (leaf_zero_, ("RuntimeError", LEAF_INPLACE)),
    "leaf a[0] = 5.": (leaf_setitem, ("RuntimeError", VIEW_INPLACE)),
    "leaf a.view(3).mul_(2)": (leaf_view_mul_, ("RuntimeError", VIEW_INPLACE)),
    "leaf a[:2].add_(1)": (leaf_slice_add_, ("RuntimeError", VIEW_INPLACE)),
    # a saved tensor modified in place
    "saved output of Add": (
        modified_output_of_add,
        ("RuntimeError", modified("[torch.FloatTensor [3]], which is output 0 of Add,")),
    ),
    "saved 0-d output of Add": (
        modified_output_of_add_0d,
        ("RuntimeError", modified("[torch.FloatTensor []], which is output 0 of Add,")),
    ),
    "saved pow input, then add_": (
        modified_pow_input,
        ("RuntimeError", modified("[torch.FloatTensor [3]], which is output 0 of Add,")),
    ),
    "saved result of Exp": (
        modified_output_of_exp,
        ("RuntimeError", modified("[torch.FloatTensor [3]], which is output 0 of Exp,")),
    ),
    "saved result of Sigmoid": (
        modified_output_of_sigmoid,
        ("RuntimeError", modified("[torch.FloatTensor [3]], which is output 0 of Sigmoid,")),
    ),
    "saved output of Mul via detach": (
        modified_output_of_mul_through_detach,
        ("RuntimeError", modified("[torch.FloatTensor [3]], which is output 0 of Mul,")),
    ),
    "saved output of setitem (CopySlices)": (
        modified_output_of_setitem,
        (
            "RuntimeError",
            modified(
                "[torch.FloatTensor [2, 2]], which is output 0 of torch::autograd::CopySlices,"
            ),
        ),
    ),
    "saved float64": (
        modified_float64,
        ("RuntimeError", modified("[torch.DoubleTensor [3]], which is output 0 of Add,")),
    ),
    "saved leaf modified under no_grad": (
        modified_leaf_under_no_grad,
        ("RuntimeError", modified("[torch.FloatTensor [3]]")),
    ),
    "saved input without grad": (
        modified_input_without_grad,
        ("RuntimeError", modified("[torch.FloatTensor [3]]")),
    ),
    # autograd.grad inputs
    "unused input": (unused_input, ("RuntimeError", UNUSED)),
    "fresh slice is unused": (unused_fresh_slice, ("RuntimeError", UNUSED)),
    "input not requiring grad": (
        input_not_requiring_grad,
        ("RuntimeError", "One of the differentiated Tensors does not require grad"),
    ),
    "2 outputs, 1 grad_output": (
        two_outputs_one_gradient,
        ("RuntimeError", "got 2 tensors and 1 gradients"),
    ),
    "grad with empty inputs": (
        grad_empty_inputs,
        ("RuntimeError", "`inputs` argument to `grad()` cannot be empty."),
    ),
    "backward with empty inputs": (
        backward_empty_inputs,
        ("RuntimeError", "`inputs` argument to `backward()` cannot be empty."),
    ),
    # requires_grad flags
    "int tensor(requires_grad=True)": (int_tensor_requires_grad, ("RuntimeError", INT_CREATE)),
    "int32 tensor(requires_grad=True)": (int32_tensor_requires_grad, ("RuntimeError", INT_CREATE)),
    "ones(long, requires_grad=True)": (long_ones_requires_grad, ("RuntimeError", INT_CREATE)),
    "bool tensor(requires_grad=True)": (bool_tensor_requires_grad, ("RuntimeError", INT_CREATE)),
    "int requires_grad_()": (int_requires_grad_, ("RuntimeError", INT_REQUIRES_GRAD_)),
    "int .requires_grad = True": (int_set_requires_grad, ("RuntimeError", INT_SET_FLAG)),
    "non-leaf requires_grad_(False)": (
        non_leaf_requires_grad_false,
        ("RuntimeError", NON_LEAF_FLAG),
    ),
    "non-leaf .requires_grad = False": (
        non_leaf_set_requires_grad,
        ("RuntimeError", NON_LEAF_FLAG),
    ),
    "non-leaf .requires_grad = True": (
        non_leaf_set_requires_grad_true,
        ("RuntimeError", "you can only change requires_grad flags of leaf variables."),
    ),
    "non-leaf requires_grad_(True) is allowed": (non_leaf_requires_grad_true, None),
    # conversions
    "numpy() of a leaf requiring grad": (
        numpy_of_leaf_requiring_grad,
        (
            "RuntimeError",
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ),
    ),
    "numpy() of a result": (
        numpy_of_result_requiring_grad,
        (
            "RuntimeError",
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ),
    ),
    "item() of 2 elements": (
        item_of_two_elements,
        ("RuntimeError", "a Tensor with 2 elements cannot be converted to Scalar"),
    ),
    # .grad assignment and access
    ".grad = wrong size": (
        assign_grad_wrong_size,
        (
            "RuntimeError",
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. "
            "Please ensure that the gradient and the tensor are the same size",
        ),
    ),
    ".grad = wrong dtype": (
        assign_grad_wrong_dtype,
        (
            "RuntimeError",
            "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype "
            "'Float'. The gradient must match the tensor's grad_dtype (defaults to the tensor's "
            "dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or "
            "None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
            "tensor and its gradient may break downstream systems that assume they match.",
        ),
    ),
    ".grad = list": (
        assign_grad_list,
        ("TypeError", "assigned grad expected to be a Tensor or None but got grad of type list"),
    ),
    "retain_grad without requires_grad": (
        retain_grad_without_requires_grad,
        ("RuntimeError", "can't retain_grad on Tensor that has requires_grad=False"),
    ),
    ".grad.zero_() when .grad is None": (
        zero_grad_that_is_none,
        ("AttributeError", "'NoneType' object has no attribute 'zero_'"),
    ),
    "custom Function returns too few grads": (
        custom_function_wrong_count,
        (
            "RuntimeError",
            "function BadFnBackward returned an incorrect number of gradients (expected 2, got 1)",
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error_and_nothing_lost(case):
    """The error's type and message are torch's, and the failed call leaves the state alone."""
    setup, expected = CASES[case]

    def prog(lib):
        tensors, action = setup(lib)
        before = state(*tensors)
        error = capture_error(action)
        return {"error": error, "before": before, "after": state(*tensors)}

    ours = compare_programs(prog)
    assert ours["error"] == expected
    assert ours["after"] == ours["before"]


# ------------------------------------------------- calls that look wrong but are accepted


def test_gradient_dtypes_and_shapes_that_are_accepted():
    """int64, float64 and bool gradients and an expanded 0-d gradient are accepted; grad stays float32."""

    def prog(lib):
        obs = {}
        for label, gradient in [
            ("int64", lib.tensor([1, 1])),
            ("float64", lib.tensor([1.0, 1.0], dtype=lib.float64)),
            ("bool", lib.tensor([True, True])),
            ("expanded 0-d", lib.tensor(1.0).expand(2)),
        ]:
            a = leaf(lib, [2.0, 3.0])
            y = a * 2
            obs[label] = (
                capture_error(lambda y=y, g=gradient: y.backward(gradient=g)),
                repr(a.grad),
            )
            obs[label + " dtype"] = repr(a.grad.dtype)
        a = leaf(lib, [2.0, 3.0])
        s = (a * 2).sum()
        obs["0-d gradient for 0-d"] = (
            capture_error(lambda: s.backward(lib.tensor(3.0))),
            repr(a.grad),
        )
        x = leaf(lib, [1.0, 2.0])
        obs["grad_outputs ones(2)"] = repr(lib.autograd.grad(x * 3, x, grad_outputs=lib.ones(2)))
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        obs["same input twice"] = repr(lib.autograd.grad(y.sum(), (x, x)))
        return obs

    ours = compare_programs(prog)
    for label in ("int64", "float64", "bool", "expanded 0-d"):
        assert ours[label] == (None, "tensor([2., 2.])")
        assert ours[label + " dtype"] == "torch.float32"
    assert ours["0-d gradient for 0-d"] == (None, "tensor([6., 6.])")
    assert ours["grad_outputs ones(2)"] == "(tensor([3., 3.]),)"
    assert ours["same input twice"] == "(tensor([2., 4.]), tensor([2., 4.]))"


def test_fixing_the_error_works():
    """What the messages suggest works: retain_graph, allow_unused, detach().numpy(), .item()."""

    def prog(lib):
        obs = {}
        w = leaf(lib, [1.0])
        y = (w + 1) * w
        y.backward(retain_graph=True)
        obs["retain_graph"] = (capture_error(y.backward), repr(w.grad))
        x, u = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0])
        obs["allow_unused"] = repr(lib.autograd.grad((x * x).sum(), [x, u], allow_unused=True))
        obs["detach().numpy()"] = repr(x.detach().numpy())
        obs["item()"] = (x * 2)[0].item()
        x.grad = lib.ones(2)
        obs["valid .grad assignment"] = repr(x.grad)
        x.grad = None
        obs[".grad = None"] = repr(x.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["retain_graph"] == (None, "tensor([6.])")
    assert ours["allow_unused"] == "(tensor([2., 4.]), None)"
    assert ours["detach().numpy()"] == "array([1., 2.], dtype=float32)"
    assert ours["item()"] == 2.0
    assert ours["valid .grad assignment"] == "tensor([1., 1.])"


def test_in_place_that_backward_does_not_need_is_fine():
    """Modifying a tensor no node saved does not break backward; the .data write goes unnoticed."""

    def prog(lib):
        a = leaf(lib, [1.0, 2.0, 3.0])
        b = a + 1
        c = b + b
        b.mul_(2)
        obs = {
            "nothing saved": (
                capture_error(c.sum().backward),
                repr(a.grad),
                type(b.grad_fn).__name__,
            )
        }
        a = leaf(lib, [1.0, 2.0, 3.0])
        b = a * 2
        c = b * b
        b.data.add_(1)
        obs["through .data"] = (b._version, capture_error(c.sum().backward), repr(a.grad))
        a = leaf(lib, [1.0, 2.0, 3.0])
        b = a * 2
        b.add_(1)
        obs["b.add_ rewires b"] = (type(b.grad_fn).__name__, b._version)
        return obs

    ours = compare_programs(prog)
    assert ours["nothing saved"] == (None, "tensor([2., 2., 2.])", "MulBackward0")
    assert ours["through .data"] == (0, None, "tensor([12., 20., 28.])")
    assert ours["b.add_ rewires b"] == ("AddBackward0", 1)


# ------------------------------------------------------------------------------- warnings


def non_leaf_grad_access(lib):
    x = leaf(lib, 2.0)
    z = x * x
    z.backward()
    value, warnings = capture_warnings(lambda: z.grad)
    return {"value": repr(value), "warnings": warnings}


def test_non_leaf_grad_warns():
    """Reading a non-leaf's .grad returns None with torch's UserWarning naming retain_grad()."""

    def prog(lib):
        obs = non_leaf_grad_access(lib)
        obs["warnings"] = [
            (c, re.sub(r" \(Triggered internally at [^\n]*\)$", "", t)) for c, t in obs["warnings"]
        ]
        return obs

    ours = compare_programs(prog)
    assert ours == {"value": "None", "warnings": [("UserWarning", NON_LEAF_GRAD_WARNING)]}


def test_non_leaf_grad_warning_text_is_exact():
    """The whole warning text, including torch's '(Triggered internally at ...)' suffix."""
    compare_programs(non_leaf_grad_access)


def test_leaf_and_plain_grad_access_do_not_warn():
    """A leaf's .grad and a plain tensor's .grad are read silently."""

    def prog(lib):
        x = leaf(lib, 2.0)
        (x * x).backward()
        return {
            "leaf": capture_warnings(lambda: repr(x.grad)),
            "plain": capture_warnings(lambda: repr(lib.tensor(1.0).grad)),
            "retained": capture_warnings(lambda: _retained_grad(lib)),
        }

    ours = compare_programs(prog)
    assert ours["leaf"] == ("tensor(4.)", [])
    assert ours["plain"] == ("None", [])
    assert ours["retained"] == ("tensor(1.)", [])


def _retained_grad(lib):
    x = leaf(lib, 2.0)
    z = x * x
    z.retain_grad()
    z.backward()
    return repr(z.grad)
