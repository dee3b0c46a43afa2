"""The texts of torch 2.13's autograd errors and warnings, in one place.

They are quoted word for word from torch (see ``shared/reference``): a learner who runs the
same program in torch and in minigrad must read the same message.
"""

from __future__ import annotations

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed when "
    "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
IMPLICIT_SCALAR = "grad can be implicitly created only for scalar outputs"
SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[{}] has a shape of {} and output[{}] has a shape of {}."
)
UNUSED_INPUT = (
    "The differentiated Tensor at index {} appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
# torch's two wordings: most in-place ops, and copy_ (which ``t[i] = v`` goes through).
ZERO_INPLACE = (
    "ZeroTensors are immutable. Please use the materialized zero tensor obtained using "
    ".clone() if you want a mutable tensor."
)
ZERO_COPY = (
    "ZeroTensors are immutable. Please materialize the tensor using `.clone()`, if you want "
    "a mutable zero tensor."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
MODIFIED_SAVED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{type} {sizes}]{which} is at version {now}; expected version {saved} instead. "
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
FLOAT_REQUIRES_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
FLOAT_REQUIRES_GRAD_ATTR = "only Tensors of floating point and complex dtype can require gradients"
FLOAT_REQUIRES_GRAD_SET = "only Tensors of floating point dtype can require gradients"
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
ZERO_NUMPY = " Cannot convert a ZeroTensor to numpy. Set force=True if you need the zero array."
ZERO_TOLIST = "tolist() shouldn't be called on a tensor with unallocated storage"
ITEM_NUMEL = "a Tensor with {} elements cannot be converted to Scalar"
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
RETAIN_GRAD_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
GRAD_SIZE = (
    "attempting to assign a gradient of size '{}' to a tensor of size '{}'. Please ensure that "
    "the gradient and the tensor are the same size"
)
GRAD_DTYPE = (
    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The "
    "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
    "downstream systems that assume they match."
)
GRAD_TYPE = "assigned grad expected to be a Tensor or None but got grad of type {}"
GRADIENTS_TYPE = "gradients can be either Tensors or None, but got {}"
COUNT_MISMATCH = "got {} tensors and {} gradients"
EMPTY_GRAD_INPUTS = "`inputs` argument to `grad()` cannot be empty."
EMPTY_BACKWARD_INPUTS = "`inputs` argument to `backward()` cannot be empty."
WRONG_GRAD_COUNT = "function {} returned an incorrect number of gradients (expected {}, got {})"
INVALID_GRAD_SHAPE = (
    "Function {} returned an invalid gradient at index {} - got {} but expected shape "
    "compatible with {}"
)
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"
SCALAR_REQUIRES_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)"
)
CREATE_GRAPH_BACKWARD_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)"
)
UNSUPPORTED_VIEW_INPLACE = (
    "minigrad does not record in-place operations on a view of a tensor that requires grad "
    "(torch rewrites the base's history with CopySlices here). Apply the operation out of "
    "place, or to the base tensor, or .clone() the view first."
)


T_DEPRECATED_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)"
)

T_0D_WARNING = (
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)"
)

_warned: set = set()


def warn_once(message: str, stacklevel: int = 2) -> None:
    """Warn (UserWarning) only the first time in this process, like torch's TORCH_WARN_ONCE."""
    if message in _warned:
        return
    _warned.add(message)
    import warnings

    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def shape_str(shape) -> str:
    """``torch.Size([2, 3])``, the way torch's Python errors print a shape."""
    return f"torch.Size({list(shape)})"
