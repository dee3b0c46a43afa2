"""minigrad's operations, each next to its backward ``Node``.

``record`` builds the graph (every operation calls it). The operations, by idea:
``arithmetic`` (+ - * /), ``power``, ``unary`` (exp, log, sin, tanh, ...), ``piecewise``
(abs, relu, clamp, maximum, ...), ``masked`` (where, masked_fill, ...), ``compare``,
``cast``, ``reduction`` (sum, mean, max, ...), ``scan`` (prod, cumsum, cumprod, flip),
``linalg`` (mm, matmul, ...), ``shape`` (views, indexing, cat/stack), ``split`` (split,
chunk), ``diagonal``, ``repeat``, ``statistics`` (var, var_mean), ``order`` (argsort,
median), ``rounding`` (``//``, nextafter), ``inplace`` and ``inplace_views`` (in-place ops
and how they rewrite a view's base: ``CopySlices``), ``as_strided`` (a view by sizes and
strides), ``multi_output`` (one node, several outputs) and ``backward_ops`` (ops that only
backward formulas call, such as ``tanh_backward``).

The modules whose names start with ``_`` hold plumbing and torch fidelity: ``_sizes``
(shape arithmetic), ``_elementwise`` (operands in, result out), ``_promotion`` (type
promotion and wrapped numbers), ``_layout`` (strides), ``_zerotensor``.
"""
