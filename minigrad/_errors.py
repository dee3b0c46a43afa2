"""Every error and warning text of minigrad's core, in one place.

Most are torch 2.13's texts, word for word: a learner who runs the same program in torch
and in minigrad must read the same message, so every raise site takes its text from here
(``raise RuntimeError(_errors.BACKWARD_TWICE)``; placeholders are filled with ``.format``).
The last section holds minigrad's own messages, for what torch has no message for.
"""

from __future__ import annotations

import warnings

from ._type_names import c_type, scalar_type

# -- backward() and autograd.grad ----------------------------------------------------------------
BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
IMPLICIT_SCALAR = "grad can be implicitly created only for scalar outputs"
IMPLICIT_REAL_SCALAR = "grad can be implicitly created only for real scalar outputs but got {!r}"
SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[{}] has a shape of {} and output[{}] has a shape of {}."
)
UNUSED_INPUT = (
    "The differentiated Tensor at index {} appears to not have been used in the graph. Set "
    "allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
NONE_GRADIENT = "element {} of gradients tuple is None, but the corresponding Tensor requires grad"
GRADIENTS_TYPE = "gradients can be either Tensors or None, but got {}"
COUNT_MISMATCH = "got {} tensors and {} gradients"
EMPTY_GRAD_INPUTS = "`inputs` argument to `grad()` cannot be empty."
EMPTY_BACKWARD_INPUTS = "`inputs` argument to `backward()` cannot be empty."
MATERIALIZE_NOT_UNUSED = (
    "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
    "allow_unused=False."
)
MATERIALIZE_GRADIENT_EDGE = (
    "materialize_grads cannot be used when the given input is a GradientEdge"
)
BATCHED_SHAPE_MISMATCH = (
    "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the "
    "batch dimension. The sizes of the remaining dimensions are expected to match the shape of "
    "corresponding output, but a mismatch was detected: grad_output[{}] has a shape of {} and "
    "output[{}] has a shape of {}. If you only want some tensors in `grad_output` to be "
    "considered batched, consider using vmap."
)
SAVED_DETACHED_INPLACE = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This "
    "is not supported, please use out-of-place `.detach()` instead"
)
INVALID_GRAD_SHAPE = (
    "Function {} returned an invalid gradient at index {} - got {} but expected shape "
    "compatible with {}"
)
MODIFIED_SAVED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{type} {sizes}]{which} is at version {now}; expected version {saved} instead. "
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
MODIFIED_SAVED_WHICH = ", which is output {} of {},"
UNPACK_HOOK_TYPE = (
    "Output of saved tensor unpack_hook expected to be a Tensor but got result of type {}"
)
GRADIENT_EDGE_NO_GRAD = (
    "It is not possible to get the gradient edge for a Tensor that does not require gradients"
)
CALLBACK_OUTSIDE_BACKWARD = "Final callbacks can only be installed during backward pass."
POST_ACC_HOOK_RETURN = "Tensor post accumulate grad hooks should return None."
NODE_CALL_ARGS = "expected {} arguments, got {} instead"
MULTI_GRAD_HOOK_MODE = "Expects mode to be one of ('all', 'any') but got {}"

# -- anomaly detection (autograd.detect_anomaly) ------------------------------------------------
ANOMALY_ENABLED = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
    "be enabled for debugging."
)
ANOMALY_NAN = "Function '{}' returned nan values in its {}th output."
ANOMALY_ERROR = "Error detected in {}. Traceback of forward call that caused the error:\n{}"
ANOMALY_NO_FORWARD = (
    "Error detected in {}. No forward pass information available. Enable detect anomaly "
    "during forward pass for more information."
)
ANOMALY_PARENT = (
    "\n\nPrevious calculation was induced by {}. Traceback of forward call that induced the "
    "previous calculation:\n{}"
)
ANOMALY_MODE_TYPE = "set_anomaly_enabled(): argument 'enabled' (position 1) must be bool, not {}"

# -- inference mode (inference_mode) ------------------------------------------------------------
INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)
INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)
INFERENCE_REQUIRES_GRAD = (
    "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
)
INFERENCE_VERSION = "Inference tensors do not track version counter."
CREATE_GRAPH_BACKWARD_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)"
)

# -- hooks ---------------------------------------------------------------------------------------
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"
POST_ACC_HOOK_NON_LEAF = "post accumulate grad hooks cannot be registered on non-leaf tensors"
HOOK_REPLACED_NONE = "can't replace a None gradient with a non-None value"
HOOK_NOT_TENSOR = "expected Variable, but hook returned '{}'"
HOOK_CHANGED_TYPE = "hook '{}' has changed the type of value (was {} got {})"
HOOK_CHANGED_SIZE = "hook '{}' has changed the size of value"
HOOK_NOT_TUPLE = "expected tuple, but hook returned '{}'"
HOOK_WRONG_COUNT = "hook '{}' has returned an incorrect number of values (got {}, but expected {})"
MODULE_HOOK_COUNT = (
    "Backward hook returned an invalid number of grad_input, got {}, but expected {}"
)

# -- custom Function and gradcheck ---------------------------------------------------------------
FORWARD_NOT_IMPLEMENTED = "You must implement the forward function for custom autograd.Function."
BACKWARD_NOT_IMPLEMENTED = (
    "You must implement either the backward or vjp method for your custom autograd.Function to "
    "use it with backward mode AD."
)
BACKWARD_AND_VJP = (
    "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You should "
    "only implement one of them."
)
SETUP_CONTEXT_NOT_IMPLEMENTED = "setup_context is not implemented."
VMAP_NOT_IMPLEMENTED = (
    "To use autograd.Function with vmap, you must either override the vmap staticmethod or set "
    "generate_vmap_rule=True."
)
FUNCTION_INSTANTIATED = (
    "{} should not be instantiated. Methods on autograd functions are all static, so you should "
    "invoke them on the class itself. Instantiating an autograd function will raise an error in "
    "a future version of PyTorch."
)
LEGACY_FUNCTION = (
    "Legacy autograd function with non-static forward method is deprecated. Please use "
    "new-style autograd function with static forward method. (Example: "
    "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
)
MARK_DIRTY_NOT_INPUT = (
    "ctx.mark_dirty() received a tensor that was not an input. Only input Tensors that have "
    "been mutated should be passed to ctx.mark_dirty()."
)
MARK_DIRTY_NOT_INPUT_WARNING = (
    MARK_DIRTY_NOT_INPUT + " (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/custom_function.cpp:320.)"
)
DIRTY_VIEW_MULTI_OUTPUT = (
    "If your Function modifies inplace an input that is a view of another Tensor, your Function "
    "cannot return more than one Tensor. This is not supported by the current autograd engine. "
    "You should either make sure the input is not a view (using .clone() for example) or make "
    "your Function only return one Tensor (potentially splitting it into two Functions: one "
    "doing the inplace that returns a single Tensor and a second one that does the other "
    "operations). You can ask on the forum https://discuss.pytorch.org/ if you need help to do "
    "this change."
)
DIRTY_NOT_RETURNED = (
    "Some elements marked as dirty during the forward method were not returned as output. The "
    "inputs that are modified inplace must all be outputs of the Function."
)
WRONG_GRAD_COUNT = "function {} returned an incorrect number of gradients (expected {}, got {})"
GRAD_FOR_NON_TENSOR = (
    "function {} returned a gradient different than None at position {}, but the corresponding "
    "forward input was not a Variable"
)
LEAF_INPLACE_FUNCTION = "a leaf Variable that requires grad has been used in an in-place operation."
ONCE_DIFFERENTIABLE = (
    "trying to differentiate twice a function that was marked with @once_differentiable"
)
GRADCHECK_NO_INPUT = (
    "gradcheck expects at least one input tensor to require gradient, but none of them have "
    "requires_grad=True."
)
GRADCHECK_NOT_DOUBLE_WARNING = (
    "Input #{} requires gradient and is not a double precision floating point or complex. This "
    "check will likely fail if all the inputs are not of double precision floating point or "
    "complex. "
)
GRADCHECK_BAD_SIZE = "Analytical gradient has incorrect size"
GRADCHECK_NOT_ZERO = "Numerical gradient for function expected to be zero"
GRADCHECK_NOT_REENTRANT = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output "
    "multiple times gives different values, although analytical gradient matches numerical "
    "gradient.The tolerance for nondeterminism was {}."
)
GRADCHECK_STRIDE_ZERO = (
    "The {}th input has a dimension with stride 0. gradcheck only supports inputs that are "
    "non-overlapping to be able to compute the numerical gradients correctly. You should call "
    ".contiguous on the input before passing it to gradcheck."
)
GRADCHECK_NOT_MULTIPLIED = "backward not multiplied by grad_output"
GRADCHECK_UNDEFINED_WARNING = (
    "Backwards compatibility: New undefined gradient support checking feature is enabled by "
    "default, but it may break existing callers of this function. If this is true for you, you "
    'can call this function with "check_undefined_grad=False" to disable the feature'
)
GRADCHECK_UNDEFINED_RAISED = (
    'Expected backward function to handle undefined output grads. Please look at "Notes about '
    'undefined output gradients" in "tools/autograd/derivatives.yaml"'
)
GRADCHECK_UNDEFINED_NOT_ZERO = (
    "Expected all input grads to be undefined or zero when all output grads are undefined or "
    'zero. Please look at "Notes about undefined output gradients" in '
    '"tools/autograd/derivatives.yaml"'
)
GRADCHECK_PERTURBED_SHAPE = (
    "Expected `func` to return outputs with the same shape when inputs are perturbed {}by {}, "
    "but got: shapes {} and {}."
)
GRADCHECK_PERTURBED_DTYPE = (
    "Expected `func` to return outputs with the same dtype when inputs are perturbed {}by {}, "
    "but got: dtypes {} and {}."
)
GRADCHECK_PRIVATE_API_WARNING = (
    "`{}` was part of PyTorch's private API and not meant to be exposed. We are deprecating it "
    "and it will be removed in a future version of PyTorch. If you have a specific use for this "
    "or feature request for this to be a stable API, please file us an issue at "
    "https://github.com/pytorch/pytorch/issues/new"
)
GRADCHECK_GRAD_OUT = "Expected grad_out to be 1.0. {} no longer supports values of grad_out != 1.0."

# -- tensors: requires_grad, .grad, conversions --------------------------------------------------
FLOAT_REQUIRES_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
FLOAT_REQUIRES_GRAD_ATTR = "only Tensors of floating point and complex dtype can require gradients"
FLOAT_REQUIRES_GRAD_SET = "only Tensors of floating point dtype can require gradients"
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = "
    "var.detach()."
)
NON_LEAF_REQUIRES_GRAD_TRUE = "you can only change requires_grad flags of leaf variables."
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
GRAD_IS_SELF = "can't assign Variable as its own grad"
DATA_TYPE = "Variable data has to be a tensor, but got {}"
DATA_NOT_FLOAT = (
    "data set to a tensor that requires gradients must be floating point or complex dtype"
)
DELETE_DATA = "Deleting tensor data is not allowed. Delete tensor instead!"
DELETE_REQUIRES_GRAD = "requires_grad must be a bool"
DELETE_BACKWARD_HOOKS = "Deletion of _backwards_hooks not allowed!"
VOLATILE_REMOVED = "volatile was removed (Variable.volatile is always False)"
DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)
DETACH_VIEW_INPLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution."
)
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
ITEM_NUMEL = "a Tensor with {} elements cannot be converted to Scalar"
SCALAR_NUMEL = "only one element tensors can be converted to Python scalars"
SCALAR_REQUIRES_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
    "behavior.\nConsider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)"
)
INDEX_NOT_INTEGER = "only integer tensors of a single element can be converted to an index"
BOOL_AMBIGUOUS = "Boolean value of Tensor with more than one value is ambiguous"
LEN_0D = "len() of a 0-d tensor"
ITER_0D = "iteration over a 0-d tensor"
UNEXPECTED_KEYWORD = "{}() got an unexpected keyword argument '{}'"
CANNOT_INFER_DTYPE = "Could not infer dtype of {}"
NUMPY_DTYPE_UNSUPPORTED = "can't convert np.ndarray of type numpy.{} to a tensor"
COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor)."
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

# -- ZeroTensor (sgn's gradient) and in-place operations -----------------------------------------
# torch's two ZeroTensor wordings: most in-place ops, and copy_ (which ``t[i] = v`` goes through).
ZERO_INPLACE = (
    "ZeroTensors are immutable. Please use the materialized zero tensor obtained using "
    ".clone() if you want a mutable tensor."
)
ZERO_COPY = (
    "ZeroTensors are immutable. Please materialize the tensor using `.clone()`, if you want a "
    "mutable zero tensor."
)
ZERO_NUMPY = " Cannot convert a ZeroTensor to numpy. Set force=True if you need the zero array."
ZERO_TOLIST = "tolist() shouldn't be called on a tensor with unallocated storage"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
FILL_VALUE_DIM = "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions."
INDEX_PUT_DTYPES = (
    "Index put requires the source and destination dtypes match, got {} for the destination "
    "and {} for the source."
)
RESULT_TYPE_CAST = "result type {} can't be cast to the desired output type {}"
INPLACE_SHAPE = "output with shape {} doesn't match the broadcast shape {}"
INPLACE_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
INPUT_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)

# -- operations: shapes, indexing, products, reductions ------------------------------------------
DIM_OUT_OF_RANGE = "Dimension out of range (expected to be in range of [{}, {}], but got {})"
INFER_TWO_DIMS = "only one dimension can be inferred"
INVALID_SHAPE = "shape '{}' is invalid for input of size {}"
BROADCAST_MISMATCH = (
    "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}"
)
VIEW_INCOMPATIBLE = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)
T_TOO_MANY_DIMS = "t() expects a tensor with <= 2 dimensions, but self is {}D"
EXPAND_TOO_FEW_SIZES = (
    "expand({}{{{}}}, size={}): the number of sizes provided ({}) must be greater or equal to "
    "the number of dimensions in the tensor ({})"
)
EXPAND_MISMATCH = (
    "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton "
    "dimension {}.  Target sizes: {}.  Tensor sizes: {}"
)
SELECT_0D = "select() cannot be applied to a 0-dim tensor."
INDEX_OUT_OF_BOUNDS = "index {} is out of bounds for dimension {} with size {}"
SLICE_STEP = "step must be greater than zero"
INDEX_TENSOR_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"
TOO_MANY_INDICES = "too many indices for tensor of dimension {}"
INVALID_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
    "indices (got {})"
)
CAT_EMPTY = "torch.cat(): expected a non-empty list of Tensors"
CAT_SIZES = (
    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for "
    "tensor number {} in the list."
)
STACK_EMPTY = "stack expects a non-empty TensorList"
STACK_SIZES = "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}"
MM_SELF_NOT_MATRIX = "self must be a matrix"
MM_MAT2_NOT_MATRIX = "mat2 must be a matrix"
ADDMM_NOT_MATRIX = "{} must be a matrix, got {}-D tensor"  # addmm's mat1 / mat2
MM_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})"
MM_DTYPES = "expected m1 and m2 to have the same dtype, but got: {} != {}"
ADDMM_DTYPES = "{} and mat2 must have the same dtype, but got {} and {}"
MV_SIZES = "size mismatch, got input ({}), mat ({}), vec ({})"
MV_DTYPES = "addmv input tensors must have the same dtype, but got {}, {}, and {}"
DOT_NOT_1D = "1D tensors expected, but got {}D and {}D tensors"
DOT_DTYPES = "dot : expected both vectors to have same dtype, but found {} and {}"
DOT_SIZES = (
    "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of "
    "elements, but got {} and {} elements respectively"
)
BMM_NOT_3D = "batch1 and batch2 must be 3D tensors"
BMM_DTYPES = "expected scalar type {} but found {}"
MATMUL_0D = "both arguments to matmul need to be at least 1D, but they are {}D and {}D"
DOF_WARNING = (
    "{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
    "factor (input numel divided by output numel). (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)"
)
STD_VAR_DTYPE = "std and var only support floating point and complex dtypes"
SPLIT_0D = "split expects at least a 1-dimensional tensor"
SPLIT_SIZES_SUM = (
    "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at "
    "dimension {}), but got split_sizes={}"
)
SPLIT_SIZE_NEGATIVE = "split expects split_size be non-negative, but got split_size={}"
SPLIT_SIZE_ZERO = "split_size can only be 0 if dimension size is 0, but got dimension size of {}"
CHUNK_0D = "chunk expects at least a 1-dimensional tensor"
CHUNK_COUNT = "chunk expects `chunks` to be greater than 0, got: {}"
REPEAT_DIMS = (
    "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
)
DIAGONAL_DIMS = "diagonal dimensions requires ndim larger than 1, but got ndim={}"
DIAGONAL_SAME_DIMS = "diagonal dimensions cannot be identical {}, {}"
DTYPE_MISMATCH = "{} did not match {}"
FLOOR_DIVIDE_BY_ZERO = "ZeroDivisionError"
NOT_IMPLEMENTED_DERIVATIVE = "derivative for {} is not implemented"
RANDINT_ARGS = (
    "randint() received an invalid combination of arguments: use randint(high, size) or "
    "randint(low, high, size)"
)
OUT_REQUIRES_GRAD = (
    "{}(): functions with out=... arguments don't support automatic differentiation, but one "
    "of the arguments requires grad."
)
MEAN_DTYPE = (
    "mean(): could not infer output dtype. Input dtype must be either a floating point or "
    "complex dtype. Got: {}"
)
EXTREME_EMPTY = (
    "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
    "reduction dim with the 'dim' argument."
)
# IndexError: max(dim), min(dim), median(dim) along a dim of size 0
EXTREME_EMPTY_DIM = "{}(): Expected reduction dim {} to have non-zero size."
CLAMP_NO_BOUNDS = "torch.clamp: At least one of 'min' or 'max' must not be None"

# -- nn ------------------------------------------------------------------------------------------
MODULE_INIT_ARGS = "{}.__init__() takes 1 positional argument but {} were given"
MODULE_NO_FORWARD = 'Module [{}] is missing the required "forward" function'
MODULE_NOT_INIT = "cannot assign {} before Module.__init__() call"
MODULE_ASSIGN_PARAMETER = (
    "cannot assign '{}' as parameter '{}' (torch.nn.Parameter or None expected)"
)
MODULE_ASSIGN_CHILD = "cannot assign '{}' as child module '{}' (torch.nn.Module or None expected)"
MODULE_ASSIGN_BUFFER = "cannot assign '{}' as buffer '{}' (torch.Tensor or None expected)"
NO_ATTRIBUTE = "'{}' object has no attribute '{}'"
NAME_NOT_STRING = "{} name should be a string. Got {}"
PARAMETER_NAME_DOT = 'parameter name can\'t contain "."'
MODULE_NAME_DOT = 'module name can\'t contain ".", got: {}'
NAME_EMPTY = '{} name can\'t be empty string ""'
ATTRIBUTE_EXISTS = "attribute '{}' already exists"
REGISTER_NOT_PARAMETER = (
    "cannot assign '{}' object to parameter '{}' (torch.nn.Parameter or None required)"
)
NON_LEAF_PARAMETER = (
    "Cannot assign non-leaf Tensor to parameter '{0}'. Model parameters must be created "
    "explicitly. To express '{0}' as a function of another Tensor, compute the value in the "
    "forward() method."
)
NOT_A_MODULE = "{} is not a Module subclass"
TRAINING_NOT_BOOL = "training mode is expected to be boolean"
MODULE_TO_DTYPE = (
    "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={}"
)
STATE_DICT_MISSING = "Missing key(s) in state_dict: {}. "
STATE_DICT_UNEXPECTED = "Unexpected key(s) in state_dict: {}. "
STATE_DICT_ERRORS = "Error(s) in loading state_dict for {}:\n\t{}"
STATE_DICT_SIZE = (
    "size mismatch for {}: copying a param with shape {} from checkpoint, the shape in current "
    "model is {}."
)
MODULE_INDEX = "index {} is out of range"
NEGATIVE_SLOPE = "negative_slope {} not a valid number"
NONLINEARITY = "Unsupported nonlinearity {}"
FAN_FEW_DIMS = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
FAN_MODE = "Mode {} not supported, please use one of fan_in, fan_out"
INVALID_REDUCTION = "{} is not a valid value for reduction"
LEGACY_REDUCTION_WARNING = (
    "size_average and reduce args will be deprecated, please use reduction='{}' instead."
)
MSE_SIZE_WARNING = (
    "Using a target size ({}) that is different to the input size ({}). This will likely lead "
    "to incorrect results due to broadcasting. Please ensure they have the same size."
)

# -- optim ---------------------------------------------------------------------------------------
OPTIM_PARAMS_TENSOR = (
    "params argument given to the optimizer should be an iterable of Tensors or dicts, but got {}"
)
OPTIM_EMPTY = "optimizer got an empty parameter list"
OPTIM_GROUP_NOT_DICT = "param_group must be a dict, but got {}"
OPTIM_PARAMS_SET = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of "
    "tensors in sets will change between runs. Please use a list instead."
)
OPTIM_NOT_TENSOR = "optimizer can only optimize Tensors, but one of the params is {}"
OPTIM_NON_LEAF = "can't optimize a non-leaf Tensor"
OPTIM_DUPLICATE_WARNING = (
    "optimizer contains a parameter group with duplicate parameters; in future, this will "
    "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information"
)
OPTIM_SHARED_PARAMS = "some parameters appear in more than one parameter group"
INVALID_OPTION = "Invalid {} {}"
NESTEROV = "Nesterov momentum requires a momentum and zero dampening"

# -- grad modes ----------------------------------------------------------------------------------
SET_GRAD_ENABLED_TYPE = "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not {}"
DECORATING_CLASS_WARNING = (
    "Decorating classes is deprecated and will be disabled in future versions. You should only "
    "decorate functions or methods. To preserve the current behavior of class decoration, you "
    "can directly decorate the `__init__` method and nothing else."
)

# -- in-place operations on views (torch's handle_view_on_rebase) ---------------------------------
VIEW_MODIFIED_DIRECT = "is being"
VIEW_MODIFIED_INDIRECT = "its base or another view of its base has been"
VIEW_OF_NO_GRAD_VIEW = "Output {} of {} is a view of a view which was created in"
VIEW_MADE_IN_NO_GRAD = "A view was created in"
VIEW_NO_GRAD_HEADER = "{} no_grad mode and {} modified inplace with grad mode enabled."
VIEW_HEADER = "Output {} of {} is a view and {} modified inplace."
VIEW_MULTI_OUTPUT = (
    " This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation by "
    "an out-of-place one."
)
VIEW_NO_GRAD = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block (if "
    "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked)."
)
VIEW_CUSTOM_FUNCTION = (
    " This view was created inside a custom Function (or because an input was returned as-is) "
    "and the autograd logic to handle view+inplace would override the custom backward "
    "associated with the custom Function, leading to incorrect gradients. This behavior is "
    "forbidden. You can fix this by cloning the output of the custom Function."
)

# -- minigrad's own messages, where torch has no counterpart: each says what to do
UNSUPPORTED_VIEW_INPLACE = (
    "minigrad does not record in-place operations on a view of a tensor that requires grad "
    "(torch rewrites the base's history with CopySlices here). Apply the operation out of "
    "place, or to the base tensor, or .clone() the view first."
)
NO_AUTOGRAD_FUNCTIONAL = (
    "minigrad does not implement torch.autograd.{} (jacobian, hessian, ...): build them from "
    "minigrad.autograd.grad"
)
NO_MODULE_ATTRIBUTE = "module '{}' has no attribute '{}'"
NO_COMPLEX_NUMBERS = "minigrad does not support complex numbers"
NO_COMPLEX_TENSORS = "minigrad does not support complex tensors"
UNSUPPORTED_DTYPE = "minigrad supports float32, float64, int32, int64 and bool tensors, not {}"
BOOL_SCALAR_INDEX = "minigrad does not support bool scalars as indices"
CLAMP_TENSOR_BOUNDS = "minigrad's clamp takes numbers; use mg.maximum/mg.minimum for tensors"
ONLY_CPU = "minigrad only has the cpu device, got {!r}"
EXECUTE_INPUTS_AND_CAPTURE = (
    "execute() takes inputs= (backward) or capture= (autograd.grad), not both"
)
CENTRAL_DIFFERENCE_ARRAY = "central_difference perturbs x in place: pass a writeable numpy array"
REPR_DTYPE = "unsupported dtype {!r}; expected one of {}"


_warned: set = set()


_warn_always = [False]


def warn_once(message: str, stacklevel: int = 2) -> None:
    """Warn (UserWarning) only the first time in this process, like torch's TORCH_WARN_ONCE
    (every time after ``set_warn_always(True)``)."""
    if message in _warned and not _warn_always[0]:
        return
    _warned.add(message)
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def set_warn_always(b: bool) -> None:
    """``torch.set_warn_always``: repeat the once-per-process warnings every time."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether ``set_warn_always(True)`` is in effect."""
    return _warn_always[0]


def shape_str(shape) -> str:
    """``torch.Size([2, 3])``, the way torch's Python errors print a shape."""
    return f"torch.Size({list(shape)})"


def grad_dtype(theirs, ours) -> str:
    """``GRAD_DTYPE`` for assigning a ``theirs`` gradient to a ``ours`` tensor: torch names
    the first by its C type, the second by its ScalarType."""
    return GRAD_DTYPE.format(c_type(theirs), scalar_type(ours))
