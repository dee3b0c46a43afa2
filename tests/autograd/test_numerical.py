"""``central_difference``: the one finite-difference loop in minigrad."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.autograd.numerical import central_difference


def test_matches_the_derivative_of_known_functions():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    jac = central_difference(lambda: np.sin(x) * x[0, 0], x, 1e-6)
    # d(sin(x_k) * x_00)/dx_j: cos(x_k) * x_00 on the diagonal, plus sin(x_k) in row 0.
    expected = np.diag(np.cos(x).reshape(-1) * x[0, 0])
    expected[0] += np.sin(x).reshape(-1)
    assert jac.shape == (6, 6)
    np.testing.assert_allclose(jac, expected, rtol=1e-7, atol=1e-8)


def test_scalar_result_and_row_major_order():
    x = np.array([1.0, 2.0, 3.0])
    jac = central_difference(lambda: (x * np.arange(1.0, 4.0)).sum(), x, 1e-6)
    np.testing.assert_allclose(jac, [[1.0], [2.0], [3.0]], rtol=1e-6)


def test_x_is_restored_even_when_f_raises():
    x = np.array([1.0, 2.0])
    calls = []

    def f():
        calls.append(x.copy())
        if len(calls) == 2:
            raise ValueError("boom")
        return x

    with pytest.raises(ValueError, match="boom"):
        central_difference(f, x, 0.5)
    assert x.tolist() == [1.0, 2.0]
    assert calls[0].tolist() == [0.5, 2.0]  # perturbed in place, below first


def test_perturbs_in_the_arrays_own_dtype():
    x = np.array([1.0], dtype=np.float32)
    seen = []
    central_difference(lambda: seen.append(x.dtype) or x, x, 1e-3)
    assert seen == [np.float32, np.float32]


def test_refuses_a_copy_it_could_not_perturb():
    with pytest.raises(TypeError, match="writeable numpy array"):
        central_difference(lambda: 0.0, [1.0, 2.0], 1e-6)
