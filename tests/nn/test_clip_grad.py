"""clip_grad_norm_, clip_grad_value_ and the parameter <-> vector helpers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.nn import Parameter
from minigrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)


def params_with_grads(*grads, dtype=np.float64):
    params = []
    for grad in grads:
        if grad is None:
            param = Parameter(minigrad.zeros(2, dtype=dtype))
        else:
            grad = np.asarray(grad, dtype=dtype)
            param = Parameter(minigrad.zeros(grad.shape, dtype=dtype))
            param.grad = minigrad.tensor(grad)
        params.append(param)
    return params


def reference_norm(grads, norm_type):
    flat = np.concatenate([np.ravel(g) for g in grads]).astype(np.float64)
    if norm_type == math.inf:
        return np.max(np.abs(flat))
    return np.sum(np.abs(flat) ** norm_type) ** (1 / norm_type)


@given(
    scale=st.floats(1e-3, 1e3),
    max_norm=st.floats(1e-2, 10.0),
    norm_type=st.sampled_from([1.0, 2.0, 3.0, 0.5, math.inf]),
    seed=st.integers(0, 2**16),
)
def test_norm_and_scaling_match_the_definition(scale, max_norm, norm_type, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal((3, 4)) * scale, rng.standard_normal(5) * scale]
    params = params_with_grads(*grads)
    total = clip_grad_norm_(params, max_norm, norm_type)
    expected = reference_norm(grads, norm_type)
    assert isinstance(total, minigrad.Tensor) and total.shape == ()
    assert float(total) == pytest.approx(expected, rel=1e-10)
    coefficient = min(1.0, max_norm / (expected + 1e-6))
    for param, grad in zip(params, grads):
        np.testing.assert_allclose(param.grad._array, grad * coefficient, rtol=1e-10)
    new_norm = reference_norm([p.grad._array for p in params], norm_type)
    assert new_norm <= max_norm * (1 + 1e-9) or new_norm == pytest.approx(expected)


def test_below_max_norm_is_left_alone():
    params = params_with_grads([3.0, 4.0])
    total = clip_grad_norm_(params, max_norm=10.0)
    assert float(total) == 5.0
    np.testing.assert_allclose(params[0].grad._array, [3.0, 4.0])


def test_clips_to_max_norm():
    params = params_with_grads([3.0, 4.0], [12.0])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert float(total) == pytest.approx(13.0)
    np.testing.assert_allclose(params[0].grad._array, np.array([3.0, 4.0]) / (13.0 + 1e-6))
    np.testing.assert_allclose(params[1].grad._array, [12.0 / (13.0 + 1e-6)])


def test_inf_norm_is_the_largest_magnitude():
    params = params_with_grads([1.0, -7.0], [2.0])
    total = clip_grad_norm_(params, max_norm=3.5, norm_type=float("inf"))
    assert float(total) == 7.0
    np.testing.assert_allclose(params[0].grad._array, np.array([1.0, -7.0]) * 3.5 / (7 + 1e-6))
    total = clip_grad_norm_(params_with_grads([1.0, -7.0]), 100.0, norm_type="inf")
    assert float(total) == 7.0


def test_zero_gradients_stay_zero():
    params = params_with_grads(np.zeros(4), np.zeros((2, 2)))
    total = clip_grad_norm_(params, max_norm=1.0)
    assert float(total) == 0.0
    assert all(np.all(p.grad._array == 0) for p in params)


def test_params_without_grad_are_skipped_and_none_at_all_gives_zero():
    params = params_with_grads(None, [0.0, 2.0], None)
    assert float(clip_grad_norm_(params, 1.0)) == 2.0
    assert params[0].grad is None and params[2].grad is None
    np.testing.assert_allclose(params[1].grad._array, [0.0, 2.0 / (2 + 1e-6)])
    empty = clip_grad_norm_(params_with_grads(None), 1.0)
    assert float(empty) == 0.0 and empty.dtype == minigrad.float32


def test_single_tensor_and_generator_accepted():
    (param,) = params_with_grads([6.0, 8.0])
    assert float(clip_grad_norm_(param, 5.0)) == 10.0
    np.testing.assert_allclose(param.grad._array, [6.0 * 5 / (10 + 1e-6), 8.0 * 5 / (10 + 1e-6)])
    params = params_with_grads([1.0], [1.0])
    assert float(clip_grad_norm_((p for p in params), 5.0)) == pytest.approx(math.sqrt(2))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_with_error_raises_before_changing_anything(bad):
    params = params_with_grads([1.0, bad], [5.0])
    with pytest.raises(RuntimeError, match="order 2.0.*non-finite|norm of order 2.0"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[1].grad._array, [5.0])


def test_non_finite_without_error_scales_as_torch_does():
    # Infinite norm: coefficient max_norm / inf = 0, so finite entries become 0 and
    # infinite ones 0 * inf = NaN. NaN norm: everything becomes NaN.
    params = params_with_grads([1.0, np.inf], [5.0])
    total = clip_grad_norm_(params, 1.0)
    assert float(total) == math.inf
    np.testing.assert_array_equal(params[0].grad._array, [0.0, np.nan])
    np.testing.assert_array_equal(params[1].grad._array, [0.0])
    params = params_with_grads([1.0, np.nan])
    assert math.isnan(float(clip_grad_norm_(params, 1.0)))
    assert np.all(np.isnan(params[0].grad._array))


def test_float32_gradients_keep_their_dtype():
    params = params_with_grads(np.full(10, 3.0), dtype=np.float32)
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype == minigrad.float32 and params[0].grad.dtype == minigrad.float32
    assert float(total) == pytest.approx(math.sqrt(90), rel=1e-6)


def test_clip_grad_value():
    params = params_with_grads([-3.0, 0.5, 2.0], None)
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad._array, [-1.0, 0.5, 1.0])
    assert params[1].grad is None
    (single,) = params_with_grads([5.0])
    clip_grad_value_(single, 2)
    np.testing.assert_array_equal(single.grad._array, [2.0])
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value_(params, -1.0)


def test_parameters_vector_round_trip():
    first = Parameter(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    second = Parameter(minigrad.tensor([5.0]))
    vector = parameters_to_vector([first, second])
    np.testing.assert_array_equal(vector._array, [1, 2, 3, 4, 5])
    (vector * minigrad.arange(5).float()).sum().backward()
    np.testing.assert_array_equal(first.grad._array, [[0, 1], [2, 3]])
    vector_to_parameters(minigrad.tensor([9.0, 8.0, 7.0, 6.0, 5.5]), [first, second])
    np.testing.assert_array_equal(first._array, [[9, 8], [7, 6]])
    np.testing.assert_array_equal(second._array, [5.5])
    with pytest.raises(ValueError, match="5 elements but the parameters have 4"):
        vector_to_parameters(minigrad.zeros(5), [first])
    np.testing.assert_array_equal(first._array, [[9, 8], [7, 6]])
    with pytest.raises(TypeError):
        vector_to_parameters(np.zeros(5), [first, second])


# --------------------------------------------------------------------------- torch


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e6])
def test_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    grads = [rng.standard_normal((4, 5)), rng.standard_normal(7) * 10, None]
    ours = params_with_grads(*grads)
    theirs = []
    for grad in grads:
        param = torch.zeros(2 if grad is None else grad.shape, dtype=torch.float64)
        param.requires_grad_(True)
        param.grad = None if grad is None else torch.tensor(grad)
        theirs.append(param)
    our_total = clip_grad_norm_(ours, max_norm, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert float(our_total) == pytest.approx(float(their_total), rel=1e-12)
    for our, their in zip(ours, theirs):
        if their.grad is None:
            assert our.grad is None
        else:
            np.testing.assert_allclose(our.grad._array, their.grad.numpy(), rtol=1e-12)


def test_non_finite_matches_torch():
    torch = pytest.importorskip("torch")
    for bad in (np.inf, np.nan):
        grad = np.array([1.0, bad, -2.0])
        (ours,) = params_with_grads(grad)
        theirs = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        theirs.grad = torch.tensor(grad)
        our_total = clip_grad_norm_(ours, 1.0)
        their_total = torch.nn.utils.clip_grad_norm_([theirs], 1.0)
        np.testing.assert_array_equal(float(our_total), float(their_total))
        np.testing.assert_array_equal(ours.grad._array, theirs.grad.numpy())


def test_a_float32_gradient_beyond_the_squares_range_is_still_clipped():
    # 1e20 squared overflows float32: the norm is computed scaled, in float64, so the
    # gradient is clipped to max_norm instead of zeroed by an infinite norm
    parameter = minigrad.nn.Parameter(minigrad.zeros(4))
    parameter.grad = minigrad.full((4,), 1e20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning leaks either
        total = clip_grad_norm_([parameter], 1.0)
    assert total.dtype == minigrad.float32
    assert total.item() == pytest.approx(2e20, rel=1e-6)
    np.testing.assert_allclose(parameter.grad.numpy(), [0.5] * 4, rtol=1e-5)
