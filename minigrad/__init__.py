"""minigrad: a small numpy autograd engine that behaves like PyTorch's, so you can see it.

``import minigrad as mg`` mirrors ``import torch``: the same names, values, graph nodes
(``grad_fn``, ``next_functions``, ``AccumulateGrad``) and error messages.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> y = mg.tensor(3.0, requires_grad=True)
    >>> z = x * x * y * y
    >>> w = z * z
    >>> w.backward()
    >>> x.grad, y.grad
    (tensor(2592.), tensor(1728.))
"""

from __future__ import annotations

import warnings as _warnings

# Tensor first: every other module builds on it, and tensor.py imports them once the class
# exists (see the end of tensor.py).
from .tensor import Tensor

# isort: split
from . import autograd
from ._creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    Size,
    bool,  # noqa: A004 - torch's name
    double,
    dtype,
    float,  # noqa: A004 - torch's name
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    long,
    promote_types,
)
from ._errors import is_warn_always_enabled, set_warn_always
from ._functional import (
    abs,  # noqa: A004 - torch's name
    add,
    addmm,
    all,  # noqa: A004 - torch's name
    allclose,
    argmax,
    argmin,
    argsort,
    bmm,
    cat,
    chunk,
    clamp,
    clip,
    clone,
    cos,
    cumprod,
    cumsum,
    diagonal,
    div,
    dot,
    eq,
    exp,
    exp2,
    flatten,
    flip,
    floor_divide,
    ge,
    gt,
    is_tensor,
    isnan,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    matmul,
    max,  # noqa: A004 - torch's name
    maximum,
    mean,
    median,
    min,  # noqa: A004 - torch's name
    minimum,
    mm,
    mul,
    mv,
    ne,
    neg,
    nextafter,
    numel,
    permute,
    pow,  # noqa: A004 - torch's name
    prod,
    reciprocal,
    relu,
    reshape,
    rsub,
    select,
    sgn,
    sigmoid,
    sign,
    sin,
    split,
    split_with_sizes,
    sqrt,
    square,
    squeeze,
    stack,
    sub,
    sum,  # noqa: A004 - torch's name
    t,
    tanh,
    transpose,
    unbind,
    unsqueeze,
    var,
    var_mean,
    where,
)
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.inference_mode import inference_mode, is_inference_mode_enabled

# isort: split
# nn and optim build on Tensor and the ops, so they are imported last.
from . import nn, optim

__version__ = "0.1.0"


def _is_zerotensor(x: Tensor) -> bool:
    """``torch._is_zerotensor``: is ``x`` an immutable zero such as ``sgn``'s gradient?

    Example: ``_is_zerotensor(autograd.grad(x.sgn().sum(), x)[0])`` is True.
    """
    return x._zero


# torch computes inf and NaN silently (inf * 0, 1 / 0); numpy warns. Silence numpy's
# floating-point warnings raised by minigrad's own modules only: a filter costs nothing
# until a warning fires, where ``np.errstate`` around every op would cost ~2 µs per op.
_warnings.filterwarnings(
    "ignore",
    message=r"(invalid value|divide by zero|overflow|underflow) encountered",
    category=RuntimeWarning,
    module=r"minigrad(\.|$)",
)
