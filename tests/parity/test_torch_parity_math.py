"""Parity with PyTorch for elementwise math: rounding divisions, remainders, the rounding
and inverse-trigonometric functions, and argmax/argmin's NumPy spelling."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402


def _pair(values, dtype=np.float64):
    array = np.asarray(values, dtype=dtype)
    return minigrad.tensor(array), torch.tensor(array)


# --------------------------------------------------------------------------- argmax axis


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("keepdims", [None, False, True])
def test_argmax_takes_numpy_axis(name, keepdims):
    values = np.random.default_rng(0).normal(size=(2, 3, 4))
    ours, theirs = _pair(values)
    kwargs = {} if keepdims is None else {"keepdims": keepdims}
    result = getattr(ours, name)(axis=2, **kwargs)
    expected = getattr(theirs, name)(dim=2, keepdim=bool(keepdims))
    assert result.dtype == minigrad.int64
    assert result.shape == tuple(expected.shape)
    np.testing.assert_array_equal(result.numpy(), expected.numpy())
    function_result = getattr(minigrad, name)(ours, axis=-1, **kwargs)
    np.testing.assert_array_equal(function_result.numpy(), expected.numpy())


def test_argmax_refuses_dim_and_axis_together():
    with pytest.raises(TypeError, match="dim or axis"):
        minigrad.zeros(2, 3).argmax(dim=0, axis=1)
