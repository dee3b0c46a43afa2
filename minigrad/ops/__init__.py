"""minigrad's operations, each next to its backward ``Node``.

Modules: ``_util`` (recording, type promotion), ``pointwise``, ``reduction``, ``linalg``,
``shape`` (views, indexing, cat/stack), ``backward_ops`` (ops that only backward formulas
call, such as ``tanh_backward``), ``inplace``.
"""
