"""Every mismatch the long fuzz run (``make fuzz``) found, as the shrunk program it printed.

Each was fixed in the engine; each runs here through the fuzzer's own comparison (values,
flags, reprs, graphs, errors), so a regression fails with the same report.
"""

from __future__ import annotations

import pytest

from tests.fuzz.strategies import Program
from tests.fuzz.test_fuzz import compare

FOUND = {
    # torch's forward_op_name() keeps an overload digit other than 0: "Output 0 of
    # Squeeze1 is a view of a view which was created in no_grad mode ..."
    "no_grad_view_error_names_squeeze1": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "with lib.no_grad():",
        "    t2 = x1.reshape(1)",
        "t3 = t2.reshape(1)",
        "t4 = t3.squeeze(0)",
        "t5 = -t4",
        "with lib.no_grad():",
        "    x1.mul_(0.5)",
        "t5.backward(retain_graph=True, inputs=[x1])",
        "t5.backward(inputs=[x1])",
    ),
    # under create_graph the first .grad of a leaf that overlaps itself (an expand) is a
    # row-major clone (CloneBackward0), not a copy into its strides (CopyBackwards)
    "recorded_first_grad_of_an_expanded_leaf": (
        "x1 = lib.tensor([0.7], dtype=lib.float32, requires_grad=True)",
        "t4 = x1.log().expand(2).detach().requires_grad_()",
        "(t4 * t4).sum().backward(create_graph=True)",
        "h = (t4.grad * t4.grad).sum()",
        "h.backward(inputs=[x1])",
    ),
    # sgn's gradient is a ZeroTensor: 0 * inf is 0 in a third derivative through abs
    "abs_third_order_with_inf": (
        "x1 = lib.tensor([[-2.0, -2.0, float('inf')]], dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor([0.125, 0.125, 0.125], dtype=lib.float32, requires_grad=True)",
        "t10 = -(-(-(-lib.matmul(x1, x3).abs())))",
        "t10.sum().backward(retain_graph=True, inputs=[x1, x3])",
        "gs = lib.autograd.grad(t10.sum(), [x1], allow_unused=True, create_graph=True)",
        "h2 = (gs[0] * gs[0]).sum()",
        "gs = lib.autograd.grad(h2, [x1, x3], allow_unused=True, create_graph=True)",
        "h3 = (gs[0] * gs[0]).sum() + (gs[1] * gs[1]).sum()",
        "h3.backward()",
    ),
    # a ZeroTensor stolen as .grad refuses the next accumulation; sgn unpacks its saved
    # tensors, so a second backward raises "backward through the graph a second time"
    "sgn_backward_twice": (
        "x3 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t4 = x3.sgn()",
        "t4.backward()",
        "t4.backward()",
    ),
    # ... but create_graph=True stores a materialized clone
    "sgn_create_graph_then_backward": (
        "x3 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t9 = -(-(-(-x3.sgn())).view(()))",
        "t9.backward(create_graph=True)",
        "t9.backward(retain_graph=True, inputs=[x3])",
        "t9.backward(inputs=[x3])",
    ),
    # ... and so does a broadcast (stride-0) ZeroTensor: torch's layout contract
    "sgn_of_sum_with_retain_grad": (
        "x1 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t3 = x1.reshape(1).sum()",
        "t3.retain_grad()",
        "t4 = t3.sgn()",
        "t4.backward(retain_graph=True, inputs=[x1])",
        "t4.backward(inputs=[x1])",
    ),
    # mean's backward divides by a Scalar (div.Scalar): no ZeroTensor kernel, materialized
    "sgn_of_mean_twice": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t3 = x1.mean().sgn()",
        "t3.backward(retain_graph=True, inputs=[x1])",
        "t3.backward(inputs=[x1])",
    ),
    # a 0-dim float32 ZeroTensor times 0.5: torch's kernel computes float64, the engine
    # casts it back, and the cast materializes it: no ZeroTensor .grad, no error
    "sgn_of_scaled_0d": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t3 = (x1 * 0.5).sgn()",
        "t3.backward(retain_graph=True, inputs=[x1])",
        "t3.backward(inputs=[x1])",
    ),
    # bmm's gradient is laid out as torch's TensorIterator lays out an add of mixed layouts
    "batched_matmul_third_order": (
        "a = lib.full((2, 2, 3), -2.0, dtype=lib.float64, requires_grad=True)",
        "b = lib.full((2, 3, 2), 0.5, dtype=lib.float64, requires_grad=True)",
        "out = lib.matmul(a, b)",
        "gs = lib.autograd.grad((out * out).sum(), [a, b], create_graph=True)",
        "h = (gs[0] * gs[0]).sum() + (gs[1] * gs[1]).sum()",
        "gs2 = lib.autograd.grad(h, [a, b], create_graph=True)",
    ),
    # a requires-grad batch of one is squeezed away before the batched product
    "matmul_batch_of_one": (
        "a = lib.full((1, 2, 3), -2.0, dtype=lib.float64, requires_grad=True)",
        "b = lib.full((2, 3, 2), 0.5, dtype=lib.float64, requires_grad=True)",
        "out = lib.matmul(a, b)",
        "gs = lib.autograd.grad((out * out).sum(), [a, b], create_graph=True)",
    ),
    # advanced indexing returns torch's layout: the reshape below is a view, not a copy
    "index_then_reshape": (
        "x2 = lib.tensor([[[float('nan'), float('inf'), -2.0], [-1.875, 0.0, 0.0]]], dtype=lib.float32, requires_grad=True)",
        "with lib.set_grad_enabled(False):",
        "    t4 = -(-x2)",
        "x7 = lib.full((3, 3), -2.0, dtype=lib.float32, requires_grad=True)",
        "t8 = lib.matmul(-(-t4), x7)",
        "t12 = -(-(-t8[:, :, [0, 0]]))",
        "t13 = t12.reshape(4)",
        "t13.sum().backward(create_graph=True)",
    ),
    # norm's backward fills in place: its gradient keeps the input's (permuted) layout
    "norm_of_permuted": (
        "x3 = lib.full((3, 1, 1), 0.125, dtype=lib.float32, requires_grad=True)",
        "x6 = lib.full((1, 3), 0.125, dtype=lib.float32, requires_grad=True)",
        "t7 = lib.matmul(x3.log(), x6)",
        "t11 = -(-(-t7)).permute(2, 1, 0)",
        "t12 = t11.norm()",
        "t12.backward(create_graph=True)",
        "h2 = (x3.grad * x3.grad).sum() + (x6.grad * x6.grad).sum()",
        "h2.backward()",
    ),
    # torch keeps the strides of size-1 dims ((1, 2, 2) for a (2, 1, 1) result of x + 2
    # on a transposed x); matmul's fold test reads them, so it takes bmm (and its error)
    "size_one_strides_decide_matmul_fold": (
        "x1 = lib.tensor([[[0.125, 0.125]]], dtype=lib.float32, requires_grad=True)",
        "t3 = x1.transpose(0, -1) + 2",
        "x5 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t6 = x5 + t3",
        "x9 = lib.tensor([0.125], dtype=lib.float64)",
        "t10 = lib.matmul(t6, x9)",
    ),
    # ... and mm's backward reads them (column-major test) on an indexed (1, 2) result
    "size_one_strides_decide_mm_backward": (
        "x2 = lib.tensor([[[0.125]]], dtype=lib.float32, requires_grad=True)",
        "x10 = lib.tensor([[0.125]], dtype=lib.float32, requires_grad=True)",
        "t11 = lib.matmul(x2, x10)",
        "t13 = lib.matmul(x10, x10)[:, [0, 0]]",
        "x14 = lib.tensor([[0.125], [0.125]], dtype=lib.float32, requires_grad=True)",
        "t15 = lib.matmul(t13, x14)",
        "t15.sum().backward(create_graph=True)",
        "h2 = (x10.grad * x10.grad).sum() + (x14.grad * x14.grad).sum()",
        "h2.backward()",
    ),
    # a reduction allocates a row-major result whatever its input's layout (numpy follows the
    # input): the mv that matmul folds this into then records a view, not a clone
    "reduction_of_transposed_then_matmul": (
        "x2 = lib.full((2, 3), 0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.full((2, 3, 2), 0.125, dtype=lib.float32, requires_grad=True)",
        "t10 = (-lib.matmul(x2, x3)).transpose(0, 1)",
        "t11 = t10.prod(-1, keepdim=True)",
        "x12 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t13 = lib.matmul(t11, x12)",
        "t13.sum().backward(retain_graph=True, inputs=[x2, x3])",
    ),
    # cumprod's gradient with a zero and an inf in the incoming gradient: torch's O(n)
    # formula never multiplies past the first zero, so no 0 * inf = NaN
    "cumprod_zero_with_inf_gradient": (
        "x1 = lib.tensor([[-2.0, -2.0, -2.0], [-2.0, 0.0, -2.0]], dtype=lib.float32, requires_grad=True)",
        "t2 = x1.cumprod(0)",
        "t2.backward(lib.tensor([[-2.0, -2.0, -2.0], [-2.0, float('inf'), -2.0]], dtype=lib.float32))",
    ),
    "cumprod_with_inf_input_backward": (
        "x1 = lib.tensor([[-2.0, -2.0, float('inf')], [-2.0, -2.0, -2.0]], dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor(-2.0, dtype=lib.float32, requires_grad=True)",
        "t11 = (x1 + (-(-(-x3))).sum()).cumprod(0)",
        "t11.sum().backward()",
    ),
    # (-0.0) ** 1.5 three times: torch computes x ** -0.5 as 1 / sqrt(x), -inf at -0.0
    "pow_of_negative_zero_third_order": (
        "x1 = lib.tensor(0.0, dtype=lib.float32, requires_grad=True)",
        "t4 = lib.neg(x1) ** 1.5",
        "t4.backward(create_graph=True)",
        "gs = lib.autograd.grad(x1.grad.sum(), [x1], create_graph=True)",
        "h3 = (gs[0] * gs[0]).sum()",
        "h3.backward()",
    ),
    # cat and stack allocate row-major results (numpy follows an expanded input's strides):
    # the reshape below is a view in torch
    "stack_of_expanded_then_reshape": (
        "x1 = lib.full((2, 1, 3), 0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t5 = (x1 + x3).expand(2, 2, 3)",
        "t10 = -lib.stack([t5, t5], 0).abs()",
        "t11 = t10.reshape(24)",
    ),
    # clamp(min=0.0) keeps -0.0 (torch's std::max), so log gives -inf and its gradient -inf
    "clamp_keeps_negative_zero": (
        "x1 = lib.tensor(-0.0, dtype=lib.float32, requires_grad=True)",
        "t9 = (-(-x1.clamp(min=0.0))).log()",
        "t9.backward()",
    ),
    # pow(tensor, tensor) saves its result even when the exponent needs no gradient
    "pow_result_modified": (
        "x2 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor(0.125, dtype=lib.float32)",
        "t4 = x2 ** x3",
        "t4.zero_()",
        "t4.backward(create_graph=True)",
    ),
    # expand keeps a size-1 dim's stride (numpy zeroes it): no fold, so bmm's dtype error
    "matmul_of_expanded_mixed_dtypes": (
        "x1 = lib.tensor([[0.125]], dtype=lib.float32, requires_grad=True)",
        "t2 = x1.expand(2, 1, 1)",
        "x3 = lib.tensor([0.125], dtype=lib.float64)",
        "t4 = lib.matmul(t2, x3)",
    ),
    # -- found after issue 18 lifted the exclusions (views, setitem, new ops) ----------------
    # repeat(()) of a 0-dim tensor is 0-dim (numpy's tile gives shape (1,))
    "repeat_of_a_scalar_with_no_repeats": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t2 = x1.repeat(())",
        "t2.backward(retain_graph=True, inputs=[x1])",
        "t2.backward(inputs=[x1])",
    ),
    # the mean of an empty tensor is NaN without numpy's "Mean of empty slice" warning
    "mean_of_an_empty_split": (
        "x3 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "with lib.no_grad():",
        "    t4 = x3.split([0, 1], 0)[0]",
        "(t4 * t4).mean().backward(retain_graph=True, inputs=[x3])",
        "(t4 * t4).mean().backward(inputs=[x3])",
    ),
    # the version error of a saved view whose base changed names its regenerated node
    "saved_view_modified_through_its_base": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t4 = x1.view(())",
        "t8 = t4.median().log()",
        "with lib.no_grad():",
        "    x1.mul_(0.5)",
        "t8.backward()",
    ),
    # the gradient of an empty 1-D input of cat is a fresh empty tensor (no history)
    "split_with_an_empty_piece_second_order": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t4 = x3.split([0, 1], 0)[0]",
        "t5 = -t4",
        "(t5 * t5).mean().backward(create_graph=True)",
        "gs = (x1.grad, x3.grad)",
        "h2 = (gs[1] * gs[1]).sum()",
        "gs = lib.autograd.grad(h2, [x3], allow_unused=True, create_graph=True)",
    ),
    # relu_ on a view saves the view itself: its result unpacks with the view's new history
    # (AsStridedBackward0 -> CopySlices), not with ReluBackward0
    "relu_in_place_on_a_view_third_order": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t10 = -(x1 + x3)",
        "t11 = t10.reshape(1)",
        "t11.relu_()",
        "gs = lib.autograd.grad(t11.sum(), [x1], allow_unused=True, create_graph=True)",
        "h2 = (gs[0] * gs[0]).sum()",
        "gs = lib.autograd.grad(h2, [x1], allow_unused=True, create_graph=True)",
        "h3 = (gs[0] * gs[0]).sum()",
        "h3.backward()",
    ),
    # ... and its version error names that node while it lives (here: AsStrided)
    "relu_on_a_view_then_modified_again": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t4 = -x1",
        "t5 = t4.view(())",
        "t5.relu_()",
        "t5.add_(x1, alpha=2)",
        "t9 = t4.abs()",
        "t9.backward(retain_graph=True, inputs=[x1])",
        "t9.backward(inputs=[x1])",
    ),
    # expand() to the same shape (here 0-d) shares no element twice: in-place ops may write it
    "in_place_on_a_same_shape_expand": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t2 = x1.log()",
        "t3 = -t2",
        "t4 = t3.expand(())",
        "t4.mul_(2)",
        "t4.backward(create_graph=True)",
        "gs = (x1.grad,)",
        "h2 = (gs[0] * gs[0]).sum()",
        "gs = lib.autograd.grad(h2, [x1], allow_unused=True, create_graph=True)",
        "h3 = (gs[0] * gs[0]).sum()",
        "h3.backward()",
    ),
    # stack's gradient is an expanded 1 unbound into 0-d views of one element: torch steals
    # them as the leaves' .grad, so they share memory, and a second backward adds twice
    "stolen_grads_sharing_one_element": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "x3 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t4 = lib.stack([x3, x1], 0)",
        "t4.sum().backward()",
        "t4.sum().backward()",
    ),
    # detach() shares the version counter: an in-place change of the detached alias (or of
    # the tensor it was detached from) makes the other's views out of date (AsStridedBackward0)
    "view_of_a_detached_alias_after_in_place": (
        "x1 = lib.tensor(0.125, dtype=lib.float32, requires_grad=True)",
        "t2 = x1.detach().requires_grad_()",
        "t3 = t2.view(())",
        "with lib.no_grad():",
        "    x1.mul_(0.5)",
        "t3.backward(retain_graph=True, inputs=[t2])",
        "t3.backward(inputs=[t2])",
    ),
    "view_after_in_place_on_its_detached_alias": (
        "x3 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t4 = x3.squeeze(0)",
        "t5 = t4.detach()",
        "t6 = t5.reshape(1)",
        "t5.mul_(2)",
        "t4.backward(create_graph=True)",
        "h2 = (x3.grad * x3.grad).sum()",
        "gs = lib.autograd.grad(h2, [x3], allow_unused=True, create_graph=True)",
    ),
    # var_mean's mean is Welford's running mean: an inf before the last element gives NaN
    "var_mean_with_an_infinite_element": (
        'x1 = lib.tensor([[-2.0, float("inf"), -2.0]], dtype=lib.float32, requires_grad=True)',
        "t2 = lib.var_mean(x1)",
        "t3 = t2[0]",
        "t3.backward(retain_graph=True, inputs=[x1])",
        "t3.backward(inputs=[x1])",
    ),
    # var's backward with no degrees of freedom multiplies by where(self == mean, nan, inf):
    # two Python numbers give the default dtype (no ToCopyBackward0 in the double backward)
    "var_of_one_element_double_backward": (
        "x5 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t7 = x5.var()",
        "t9 = (-t7).abs()",
        "t9.backward(create_graph=True)",
        "h2 = (x5.grad * x5.grad).sum()",
        "h2.backward()",
    ),
    # a float32 norm is accumulated in double: |a|² may exceed float32's range
    "norm_of_a_large_float32": (
        "x3 = lib.tensor([[0.125, 0.125, 0.125], [0.125, 0.75, 0.125]], dtype=lib.float32, requires_grad=True)",
        "t6 = ((x3 + 1.5) + 0.25).prod()",
        "t7 = -t6",
        "t7.retain_grad()",
        "t9 = (-t7).exp()",
        "t10 = t9.norm()",
        "t10.backward()",
    ),
    # a leaf's first .grad under create_graph is empty_strided().copy_(grad): version 1, which
    # version errors name
    "first_grad_copy_is_at_version_one": (
        "x3 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "x4 = lib.tensor([[0.125]], dtype=lib.float32, requires_grad=True)",
        "t7 = -(-lib.matmul(x3, x4))",
        "t7.sum().backward(create_graph=True)",
        "h2 = x3.grad.clamp(-4.0, 4.0).sin().sum()",
        "gs = lib.autograd.grad(h2, [x3, x4], allow_unused=True, create_graph=True)",
        "h3 = (gs[1] * x3).sum()",
        "h3.backward()",
    ),
    # a 0-d tensor and its reshape(1) view share memory with other strides: torch's partial
    # overlap error, before anything is written
    "in_place_with_a_partially_overlapping_input": (
        "x2 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t3 = -x2",
        "t7 = t3.sum()",
        "t8 = t7.reshape(1)",
        "t8.mul_(t7)",
        "t8.sum().backward()",
    ),
    # an empty ZeroTensor gradient obeys the layout contract (numpy's 0 strides of an empty
    # array do not count): it becomes .grad as it is, and a second backward cannot add into it
    "empty_zero_tensor_gradient_kept_as_grad": (
        "x1 = lib.tensor([[[0.125]]], dtype=lib.float32, requires_grad=True)",
        "t3 = (-x1).diagonal(1, 0, 1)",
        "t8 = -t3",
        "t9 = t8.detach().requires_grad_()",
        "t10 = t9.view(1, 0)",
        "t11 = t10.sgn()",
        "t11.sum().backward(retain_graph=True, inputs=[t9])",
        "t11.sum().backward(inputs=[t9])",
    ),
    # ... but not when the leaf is the diagonal view itself (torch strides (1, 2)): copied
    "empty_zero_tensor_gradient_of_a_strided_leaf": (
        "x1 = lib.tensor([[[0.125]]], dtype=lib.float32, requires_grad=True)",
        "t3 = (-x1).diagonal(1, 0, 1)",
        "t9 = t3.detach().requires_grad_()",
        "t10 = t9.view(1, 0)",
        "t11 = t10.sgn()",
        "t11.sum().backward(retain_graph=True, inputs=[t9])",
        "t11.sum().backward(inputs=[t9])",
    ),
    # an engine buffer "ZeroTensor + gradient" (sgn's backward meets abs's) is a copy of the
    # gradient in torch (add_zerotensor), keeping its transposed strides, so matmul's
    # second-order backward views (ViewBackward0) where a row-major sum made it copy
    "batched_matmul_of_a_selected_slice_second_order": (
        "x3 = lib.tensor([[[-2.0, -2.0, -2.0]], [[-2.0, -2.0, -2.0]], [[-2.0, -2.0, -2.0]]], dtype=lib.float32, requires_grad=True)",
        "t6 = -x3.select(1, 0)",
        "x7 = lib.tensor([[[0.125, 0.125], [0.125, 0.125], [0.125, 0.125]], [[0.125, 0.125], [0.125, 0.125], [0.125, 0.125]]], dtype=lib.float32, requires_grad=True)",
        "t9 = (lib.matmul(t6, x7).abs() + 0.5).log()",
        "t9.sum().backward(create_graph=True)",
        "h2 = (x3.grad * x3.grad).sum()",
        "gs = lib.autograd.grad(h2, [x3], allow_unused=True, create_graph=True)",
        "h3 = (gs[0] * gs[0]).sum()",
        "h3.backward()",
    ),
    # max(dim) of a tensor empty only along another dim is an empty result, not an error
    "max_along_a_nonempty_dim_of_an_empty_tensor": (
        "x1 = lib.tensor([[[0.125]]], dtype=lib.float32, requires_grad=True)",
        "t2 = -x1",
        "t3 = t2.diagonal(1, 0, 1)",
        "t4 = t3.max(dim=0, keepdim=True).values",
        "t4.sum().backward(retain_graph=True, inputs=[x1])",
        "t4.sum().backward(inputs=[x1])",
    ),
    # max(dim) along an empty dim: torch's IndexError naming the dim (shrunk by hand from a
    # longer program whose only difference this was)
    "max_along_an_empty_dim": (
        "x1 = lib.tensor([0.125, 0.125, 0.125], dtype=lib.float32, requires_grad=True)",
        "t2 = x1.split([3, 0], 0)[1]",
        "t3 = t2.max(dim=0, keepdim=True).values",
    ),
    # addmm names the operand that is not a matrix and its dims, where mm says less
    "addmm_of_a_vector": (
        "x1 = lib.tensor([[0.125, 0.125, 0.125], [0.125, 0.125, 0.125]], dtype=lib.float32, requires_grad=True)",
        "t2 = x1.split([3, 0], 1)[1]",
        "x3 = lib.tensor([], dtype=lib.float32, requires_grad=True)",
        "x4 = lib.tensor([0.125], dtype=lib.float32, requires_grad=True)",
        "t5 = lib.addmm(x4, t2, x3)",
    ),
    # an empty tensor never overlaps itself: in-place ops on one are allowed, whatever the
    # strides numpy gives it
    "inplace_clamp_of_an_empty_diagonal": (
        'x2 = lib.tensor([[[float("nan"), float("nan"), 0.0], [-2.0, -2.0, -2.0], [-2.0, -2.0, -2.0]]], dtype=lib.float32, requires_grad=True)',
        "t3 = x2.diagonal(1, 1, 0)",
        "t4 = -t3",
        "t5 = t4.abs()",
        "t5.clamp_(min=-0.5)",
        "t5.sum().backward()",
        "t5.sum().backward()",
    ),
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_program_found_by_the_fuzzer_matches_torch(name):
    program = Program(FOUND[name])
    diffs = compare(program)
    assert not diffs, program.reproducer() + "\ndifferences:\n" + "\n".join(diffs)
