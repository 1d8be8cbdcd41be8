"""Reductions at their edges: 0-d tensors, empty and "all" dimensions, NaN, zeros, a
variance with no degrees of freedom, integer dtypes.

The expected values are PyTorch's (2.x, checked by hand against ``torch``); written out
here so these tests run without it. tests/parity/test_torch_parity_*.py compare with torch
itself where it is installed.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.testing import gradcheck, gradgradcheck

INF = math.inf
NAN = math.nan


def f64(values, requires_grad=True):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def gradient(fn, values, upstream=1.0):
    """The value of ``fn`` at float64 ``values`` and its gradient for ``upstream``."""
    x = f64(values)
    y = fn(x)
    (g,) = minigrad.grad(y, x, minigrad.full_like(y, upstream), allow_unused=True)
    return y._array, (np.zeros_like(x._array) if g is None else g._array)


def assert_close(actual, expected):
    """Same values, NaN and infinities in the same places (and of the same sign)."""
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True)


@pytest.fixture(autouse=True)
def no_numpy_warnings():
    """No reduction here should leak a NumPy RuntimeWarning (0/0, inf - inf)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


# --------------------------------------------------------------------------- outputs are arrays

EVERY_REDUCTION = {
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "amax": lambda x: x.amax(),
    "amin": lambda x: x.amin(),
    "var": lambda x: x.var(correction=0),
    "std": lambda x: x.std(correction=0),
    "logsumexp": lambda x: x.logsumexp(()),
    "norm": lambda x: x.norm(),
    "norm_3": lambda x: x.norm(3),
    "norm_inf": lambda x: x.norm(INF),
    "argmax": lambda x: x.argmax(),
    "argmin": lambda x: x.argmin(),
    "all": lambda x: x.all(),
    "any": lambda x: x.any(),
}


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("name", sorted(EVERY_REDUCTION))
def test_every_reduction_returns_an_ndarray(name, shape, dtype):
    # NumPy arithmetic on 0-d arrays gives NumPy scalars; a Tensor must hold an array.
    x = minigrad.tensor(np.arange(1.0, 1.0 + math.prod(shape)).reshape(shape), dtype=dtype)
    y = EVERY_REDUCTION[name](x)
    assert type(y._array) is np.ndarray, type(y._array)
    assert np.asarray(y).shape == ()
    if y.dtype.kind == "f":
        assert y.dtype == dtype
        y.add_(1.0)  # in-place ops need an array too


# --------------------------------------------------------------------------- 0-d tensors

# Each: the call, value and gradient (upstream 1.5) at x = 2.0, as PyTorch.
ZERO_D = [
    (lambda x: x.sum(0), 2.0, 1.5),
    (lambda x: x.sum(-1, keepdim=True), 2.0, 1.5),
    (lambda x: x.mean(0), 2.0, 1.5),
    (lambda x: x.mean((-1,)), 2.0, 1.5),
    (lambda x: x.max(0).values, 2.0, 1.5),
    (lambda x: x.min(-1, keepdim=True).values, 2.0, 1.5),
    (lambda x: x.amax(0), 2.0, 1.5),
    (lambda x: x.amin(-1), 2.0, 1.5),
    (lambda x: x.var(0), NAN, NAN),
    (lambda x: x.var(0, correction=0), 0.0, 0.0),
    (lambda x: x.std(-1, correction=0), 0.0, 0.0),
    (lambda x: x.logsumexp(0), 2.0, 1.5),
    (lambda x: x.logsumexp(-1, keepdim=True), 2.0, 1.5),
    (lambda x: x.softmax(0), 1.0, 0.0),
    (lambda x: x.log_softmax(-1), 0.0, 0.0),
    (lambda x: x.norm(2, 0), 2.0, 1.5),
    (lambda x: x.norm(0.5, -1), 2.0, 1.5),
    (lambda x: x.norm(INF, 0), 2.0, 1.5),
]


@pytest.mark.parametrize("fn, value, grad", ZERO_D)
def test_0d_tensors_take_dim_0_and_minus_1(fn, value, grad):
    y, g = gradient(fn, 2.0, upstream=1.5)
    assert y.shape == () and g.shape == ()
    assert_close(y, value)
    assert_close(g, grad)


def test_0d_max_with_dim_gives_values_and_index_0():
    for keepdim in (False, True):
        values, indices = f64(2.5).max(0, keepdim)
        assert values.shape == () and values.item() == 2.5
        assert indices.shape == () and indices.dtype == minigrad.int64 and indices.item() == 0
    values, indices = minigrad.tensor(7, dtype=minigrad.uint8).min(-1)
    assert values.dtype == minigrad.uint8 and values.item() == 7 and indices.item() == 0


def test_0d_argmax_argmin_all_any_take_dim_0():
    x = f64(2.0, requires_grad=False)
    for result in (x.argmax(0), x.argmin(-1), x.argmax(0, keepdim=True), x.argmax(keepdim=True)):
        assert result.shape == () and result.dtype == minigrad.int64 and result.item() == 0
    assert (x > 0).all(0).shape == () and (x > 0).any(-1).item() is True


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: x.sum(1), "sum"),
        (lambda x: x.mean(-2), "mean"),
        (lambda x: x.max(1), "max"),
        (lambda x: x.min(-2), "min"),
        (lambda x: x.amax(1), "amax"),
        (lambda x: x.amin(1), "amin"),
        (lambda x: x.argmax(1), "argmax"),
        (lambda x: x.argmin(-2), "argmin"),
        (lambda x: x.var(1), "var"),
        (lambda x: x.std(1), "var"),
        (lambda x: x.logsumexp(1), "logsumexp"),
        (lambda x: x.softmax(1), "softmax"),
        (lambda x: x.log_softmax(-2), "log_softmax"),
        (lambda x: x.norm(2, 1), "norm"),
    ],
)
def test_0d_dim_out_of_range_names_the_op_dim_and_rank(call, name):
    with pytest.raises(IndexError, match=rf"{name}: dimension -?[12] .* 0 dimensions"):
        call(f64(2.0))


def test_dim_0_and_minus_1_of_a_0d_tensor_are_the_same_dim():
    with pytest.raises(ValueError, match="more than once"):
        f64(2.0).mean((0, -1))


# --------------------------------------------------------------------------- dim=() and axis=()

X = [[0.3, -1.2, 2.5], [1.1, -0.4, 0.9]]


@pytest.mark.parametrize(
    "with_empty_dim, over_all",
    [
        (lambda x: x.sum(dim=()), lambda x: x.sum()),
        (lambda x: x.sum(dim=[], keepdim=True), lambda x: x.sum((0, 1), keepdim=True)),
        (lambda x: x.mean(dim=()), lambda x: x.mean()),
        (lambda x: x.amax(()), lambda x: x.amax()),
        (lambda x: x.amin(dim=(), keepdim=True), lambda x: x.amin(keepdim=True)),
        (lambda x: x.logsumexp(()), lambda x: x.logsumexp((0, 1))),
        (lambda x: x.logsumexp((), keepdim=True), lambda x: x.logsumexp((0, 1), True)),
        (lambda x: x.var(dim=()), lambda x: x.var()),
        (lambda x: x.std(dim=(), correction=0), lambda x: x.std(correction=0)),
        (lambda x: x.norm(1, ()), lambda x: x.norm(1)),
    ],
)
def test_dim_empty_tuple_reduces_over_every_dimension_as_torch(with_empty_dim, over_all):
    y, g = gradient(with_empty_dim, X)
    expected, expected_grad = gradient(over_all, X)
    assert y.shape == expected.shape
    assert_close(y, expected)
    assert_close(g, expected_grad)  # var: the true gradient (PyTorch's divides by 1 - c)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.sum(axis=()),
        lambda x: x.sum(axis=(), keepdims=True),
        lambda x: x.mean(axis=()),
        lambda x: x.max(axis=()),
        lambda x: x.min(axis=[]),
    ],
)
def test_axis_empty_tuple_reduces_over_no_dimension_as_numpy(call):
    y, g = gradient(call, X)
    assert_close(y, X)
    assert_close(g, np.ones((2, 3)))


def test_var_and_std_with_axis_empty_tuple_are_numpys():
    x = f64(X, requires_grad=False)
    assert_close(x.var(axis=(), correction=0)._array, np.var(x._array, axis=(), ddof=0))
    assert_close(x.std(axis=(), correction=0)._array, np.zeros((2, 3)))
    assert np.isnan(x.var(axis=())._array).all()  # N = 1, correction 1


def test_all_and_any_with_dim_empty_tuple_reduce_nothing_as_torch():
    mask = minigrad.tensor([[True, False], [True, True]])
    assert mask.all(dim=()).tolist() == mask.tolist()
    assert mask.any(()).tolist() == mask.tolist()


# --------------------------------------------------------------------------- var and std


@pytest.mark.parametrize(
    "values, call, grad",
    [
        ([1.0, 1.0], lambda x: x.std(0), [0.0, 0.0]),
        ([2.0], lambda x: x.std(correction=0), [0.0]),
        ([[1.0, 2.0], [1.0, 3.0]], lambda x: x.std(0),
         [[0.0, -1.0606601717798212], [0.0, 1.0606601717798212]]),
        ([3.0, 3.0, 3.0], lambda x: x.std(unbiased=False, keepdim=True), [0.0, 0.0, 0.0]),
    ],
)
def test_std_of_no_spread_has_gradient_0(values, call, grad):
    # As PyTorch: sqrt's gradient at 0 would be inf, and times var's 0, NaN.
    _, g = gradient(call, values, upstream=1.5)
    assert_close(g, grad)


def test_std_at_no_spread_second_derivative_is_0_through_the_masked_rule():
    x = f64([1.0, 1.0, 1.0])
    y = x.std()
    (g,) = minigrad.grad(y, x, create_graph=True)
    assert_close(g._array, [0.0, 0.0, 0.0])
    (h,) = minigrad.grad((g * f64([0.5, 1.0, 1.5], False)).sum(), x)
    assert_close(h._array, [0.0, 0.0, 0.0])  # as PyTorch; sqrt's rule would give NaN


# Value and gradient (upstream 1.5) of var and std where correction >= N, as PyTorch:
# the divisor is max(0, N - correction). With no dim named, PyTorch's gradient is inf
# (NaN where x equals the mean); with a dim it is 2 (x - mean) / (N - correction).
NO_DEGREES_OF_FREEDOM = [
    (lambda x: x.var(correction=2), [1.0, 2.0], INF, [INF, INF]),
    (lambda x: x.var(correction=3), [1.0, 2.0], INF, [INF, INF]),
    (lambda x: x.var(correction=3), [1.0, 1.0], NAN, [NAN, NAN]),
    (lambda x: x.var(correction=3.5), [1.0, 1.0, 4.0], INF, [INF, INF, INF]),
    (lambda x: x.var(), [2.0], NAN, [NAN]),
    (lambda x: x.var(0, correction=2), [1.0, 2.0], INF, [-INF, INF]),
    (lambda x: x.var(0, correction=3), [1.0, 2.0], INF, [1.5, -1.5]),
    (lambda x: x.var((0,), correction=3), [1.0, 1.0], NAN, [0.0, 0.0]),
    (lambda x: x.std(correction=2), [1.0, 2.0], INF, [NAN, NAN]),
    (lambda x: x.std(0, correction=2), [1.0, 2.0], INF, [NAN, NAN]),
    (lambda x: x.std(0, correction=3), [1.0, 2.0], INF, [0.0, 0.0]),
    (lambda x: x.std(), [2.0], NAN, [NAN]),
    (lambda x: x.var(1), [[1.0], [2.0]], [NAN, NAN], [[NAN], [NAN]]),
]


@pytest.mark.parametrize("call, values, value, grad", NO_DEGREES_OF_FREEDOM)
def test_var_and_std_with_correction_at_least_n_match_torch(call, values, value, grad):
    y, g = gradient(call, values, upstream=1.5)
    assert_close(y, value)
    assert_close(g, grad)


def test_var_and_std_with_fractional_correction():
    y, g = gradient(lambda x: x.var(correction=2.5), [1.0, 1.0, 4.0])
    assert_close(y, 12.0)
    assert_close(g, [-4.0, -4.0, 8.0])
    y, g = gradient(lambda x: x.var(0, correction=-1), [1.0, 2.0])
    assert_close(y, 1 / 6)
    assert_close(g, [-1 / 3, 1 / 3])


def test_var_and_std_of_empty_tensors_are_nan():
    assert np.isnan(f64([]).var().item()) and np.isnan(f64([]).std().item())
    assert f64(np.zeros((0, 3))).var(1).shape == (0,)
    assert np.isnan(f64(np.zeros((0, 3))).std(0)._array).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"dim": 1},
        {"dim": (0, 2), "keepdim": True},
        {"dim": -1, "correction": 0},
        {"dim": (1,), "correction": 2.5},
        {"correction": 0.5, "keepdim": True},
        {"axis": 0, "keepdims": True, "unbiased": False},
    ],
)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_backward_rules_pass_gradcheck_and_gradgradcheck(name, kwargs):
    x = f64(np.random.default_rng(3).standard_normal((3, 4, 2)))

    def fn(t):
        return getattr(t, name)(**kwargs)

    assert gradcheck(fn, x)
    assert gradgradcheck(fn, x)


def test_var_and_std_of_integers_are_refused():
    with pytest.raises(TypeError, match="floating"):
        minigrad.tensor([1, 2, 3]).var()
    with pytest.raises(TypeError, match="floating"):
        minigrad.tensor([1, 2, 3]).std()


# --------------------------------------------------------------------------- norms

# Value and gradient (upstream 1.5) of the p-norm at zeros, ties and infinities, as PyTorch.
NORMS = [
    (0.5, [0.0, 3.0, -4.0, 0.0], 13.928203230275509,
     [0.0, 3.2320508075688776, -2.799038105676658, 0.0]),
    (0.25, [0.0, 0.0, 2.0], 2.0, [0.0, 0.0, 1.5]),
    (0.5, [0.0, 0.0, 0.0], 0.0, [0.0, 0.0, 0.0]),
    (1, [0.0, 3.0, -4.0, 0.0], 7.0, [0.0, 1.5, -1.5, 0.0]),
    (1, [0.0, 0.0], 0.0, [0.0, 0.0]),
    (1, [1.0, NAN, 3.0], NAN, [1.5, 0.0, 1.5]),
    (1.5, [0.0, 0.0], 0.0, [0.0, 0.0]),
    (1.5, [1.0, -INF, 3.0], INF, [0.0, NAN, 0.0]),
    (2, [0.0, 0.0, 0.0], 0.0, [0.0, 0.0, 0.0]),
    (2, [0.0, 3.0, -4.0, 0.0], 5.0, [0.0, 0.9, -1.2, 0.0]),
    (3, [0.0, 0.0], 0.0, [0.0, 0.0]),
    (0.5, [1.0, -INF, 3.0], INF, [INF, NAN, INF]),
    (INF, [0.0, 0.0, 0.0], 0.0, [0.0, 0.0, 0.0]),
    (INF, [3.0, -3.0, 1.0], 3.0, [0.75, -0.75, 0.0]),
    (INF, [1.0, NAN, 3.0], NAN, [0.0, 0.0, 0.0]),
    (INF, [1.0, -INF, 3.0], INF, [0.0, -1.5, 0.0]),
    (-INF, [1.0, -1.0, 3.0], 1.0, [0.75, -0.75, 0.0]),
    (-INF, [0.0, 0.0, 3.0], 0.0, [0.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("p, values, value, grad", NORMS)
def test_norm_at_zeros_ties_and_infinities_matches_torch(p, values, value, grad):
    y, g = gradient(lambda x: x.norm(p), values, upstream=1.5)
    assert_close(y, value)
    assert_close(g, grad)


@pytest.mark.parametrize("p", [0.5, 0.75, 1, 1.5, 2, 3])
def test_norm_backward_rules_pass_gradcheck_and_gradgradcheck(p):
    # Away from zero entries, where the norm is smooth.
    rng = np.random.default_rng(5)
    values = rng.uniform(0.3, 2.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    x = f64(values)
    for dim, keepdim in [(None, False), (1, True), ((0, 1), False)]:
        assert gradcheck(lambda t, d=dim, k=keepdim: t.norm(p, d, k), x)
        assert gradgradcheck(lambda t, d=dim, k=keepdim: t.norm(p, d, k), x)


def test_norm_second_derivative_at_zero_entries_is_finite_for_p_below_1():
    x = f64([0.0, 3.0, -4.0])
    (g,) = minigrad.grad(x.norm(0.5), x, create_graph=True)
    (h,) = minigrad.grad(g.sum(), x)
    assert np.isfinite(h._array).all()
    assert h._array[0] == 0.0


# --------------------------------------------------------------------------- log-sum-exp


@pytest.mark.parametrize(
    "shape, dim, keepdim, expected",
    [
        ((0,), 0, False, -INF),
        ((2, 0), 1, False, [-INF, -INF]),
        ((2, 0), 1, True, [[-INF], [-INF]]),
        ((2, 0), (0, 1), False, -INF),
        ((0, 3), 1, False, np.zeros(0)),
        ((0, 3), 0, False, [-INF, -INF, -INF]),
    ],
)
def test_logsumexp_over_an_empty_dimension_is_minus_inf(shape, dim, keepdim, expected):
    x = f64(np.zeros(shape))
    y = x.logsumexp(dim, keepdim)
    assert_close(y._array, expected)
    assert y.shape == np.shape(expected)
    y.sum().backward()
    assert x.grad.shape == shape


def test_logsumexp_with_infinities():
    y, g = gradient(lambda x: x.logsumexp(0), [-INF, -INF], upstream=1.5)
    assert_close(y, -INF)
    assert_close(g, [NAN, NAN])
    y, g = gradient(lambda x: x.logsumexp(0), [INF, 1.0], upstream=1.5)
    assert_close(y, INF)
    assert_close(g, [NAN, 0.0])


def test_logsumexp_of_integers_is_default_float_as_torch():
    y = minigrad.tensor([[1, 2], [3, 4]]).logsumexp(1)
    assert y.dtype == minigrad.get_default_dtype()
    assert_close(y._array, np.log(np.exp([1.0, 3.0]) + np.exp([2.0, 4.0])).astype(np.float32))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_slice_with_plus_inf_is_nan_as_torch(name):
    y, g = gradient(lambda x: getattr(x, name)(1), [[INF, 0.0, 1.0], [0.0, 1.0, 2.0]])
    assert np.isnan(y[0]).all() and np.isnan(g[0]).all()
    assert np.isfinite(y[1]).all() and np.isfinite(g[1]).all()


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_empty_tensors(name):
    for shape, dim in [((0, 3), 1), ((2, 0), 1), ((0, 3), 0)]:
        x = f64(np.zeros(shape))
        y = getattr(x, name)(dim)
        assert y.shape == shape
        y.sum().backward()
        assert x.grad.shape == shape


# --------------------------------------------------------------------------- NaN maxima


@pytest.mark.parametrize(
    "call, values, value, grad",
    [
        (lambda x: x.max(), [1.0, NAN, 3.0, NAN], NAN, [0.0, 0.75, 0.0, 0.75]),
        (lambda x: x.min(), [1.0, NAN, 3.0, NAN], NAN, [0.0, 0.75, 0.0, 0.75]),
        (lambda x: x.max(), [[1.0, NAN], [3.0, 2.0]], NAN, [[0.0, 1.5], [0.0, 0.0]]),
        (lambda x: x.max(), NAN, NAN, 1.5),
        (lambda x: x.max(), [INF, 1.0, INF], INF, [0.75, 0.0, 0.75]),
        (lambda x: x.amax(), [1.0, NAN, 3.0], NAN, [NAN, NAN, NAN]),
        (lambda x: x.amin(), [1.0, NAN, 3.0], NAN, [NAN, NAN, NAN]),
        (lambda x: x.amax(), NAN, NAN, NAN),
        (lambda x: x.amax(1), [[1.0, NAN], [2.0, 2.0]], [NAN, 2.0], [[NAN, NAN], [0.75, 0.75]]),
        (lambda x: x.max(1).values, [[1.0, NAN, NAN], [2.0, 2.0, 1.0]], [NAN, 2.0],
         [[0.0, 1.5, 0.0], [1.5, 0.0, 0.0]]),
    ],
)
def test_nan_maxima_match_torch(call, values, value, grad):
    # max()/min() over all elements: the NaN elements share the gradient (PyTorch's
    # evenly_distribute_backward); amax/amin: NaN over the slice (PyTorch's amax).
    y, g = gradient(call, values, upstream=1.5)
    assert_close(y, value)
    assert_close(g, grad)


def test_max_gradient_with_nan_passes_through_create_graph():
    x = f64([1.0, NAN, 3.0, NAN])
    (g,) = minigrad.grad(x.max(), x, create_graph=True)
    assert_close(g._array, [0.0, 0.5, 0.0, 0.5])


# --------------------------------------------------------------------------- argmax / argmin


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_keepdim_without_dim_keeps_every_dimension(name):
    x = f64([[[0.3, -1.2], [2.5, 1.1]], [[-0.4, 0.9], [3.0, -2.0]]], requires_grad=False)
    flat = getattr(x, name)()
    kept = getattr(x, name)(keepdim=True)
    assert kept.shape == (1, 1, 1) and kept.dtype == minigrad.int64
    assert kept.item() == flat.item() == (6 if name == "argmax" else 7)


def test_argmax_of_empty_dimensions():
    assert minigrad.zeros(0, 3).argmax(1).shape == (0,)
    with pytest.raises(RuntimeError, match=r"argmin: .*shape \(0, 3\).*empty dimension 0"):
        minigrad.zeros(0, 3).argmin()


def test_max_and_amax_over_kept_empty_dimensions_give_empty_results():
    x = minigrad.zeros(0, 3)
    assert x.amax(1).shape == (0,) and x.amin(1, keepdim=True).shape == (0, 1)
    values, indices = x.max(1)
    assert values.shape == indices.shape == (0,)
    with pytest.raises(RuntimeError, match="empty dimension 0"):
        x.max(0)


# --------------------------------------------------------------------------- dtypes

INTS = [[3, -1, 4], [1, 5, -9]]


@pytest.mark.parametrize(
    "values, dtype",
    [(INTS, np.int64), (INTS, np.int32), ([[200, 100], [255, 7]], np.uint8),
     ([[True, False], [True, True]], np.bool_)],
)
def test_sum_of_integers_and_bools_is_int64_as_torch(values, dtype):
    x = minigrad.tensor(np.asarray(values, dtype=dtype))
    expected = np.asarray(values, dtype=np.int64)
    for result, reference in [
        (x.sum(), expected.sum()),
        (x.sum(1), expected.sum(1)),
        (x.sum(0, keepdim=True), expected.sum(0, keepdims=True)),
        (x.sum(dim=()), expected.sum()),
    ]:
        assert result.dtype == minigrad.int64
        np.testing.assert_array_equal(result._array, reference)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, np.bool_])
def test_maxima_and_minima_of_integers_keep_their_dtype_and_order(dtype):
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    if info is None:
        data = np.array([[True, False], [True, True]])
    else:  # the extremes of the type: -x would overflow or wrap around
        data = np.array([[info.max, 0], [info.min, 1]], dtype=dtype)
    x = minigrad.tensor(data)
    assert x.max().dtype == x.min().dtype == x.amin(0).dtype == x.amax(1).dtype == dtype
    assert x.max().item() == data.max() and x.min().item() == data.min()
    np.testing.assert_array_equal(x.amin(0)._array, data.min(0))
    np.testing.assert_array_equal(x.amax(1)._array, data.max(1))
    values, indices = x.min(1)
    np.testing.assert_array_equal(values._array, data.min(1))
    np.testing.assert_array_equal(indices._array, data.argmin(1))
    assert x.argmin().item() == data.argmin() and x.argmax().item() == data.argmax()
    np.testing.assert_array_equal(x.argmin(0)._array, data.argmin(0))


def test_mean_of_integers_is_refused_unless_a_dtype_is_given():
    x = minigrad.tensor([1, 2, 4])
    with pytest.raises(TypeError, match="dtype="):
        x.mean()
    y = x.mean(dtype=minigrad.float64)
    assert y.dtype == minigrad.float64 and y.item() == 7 / 3
    assert minigrad.tensor([True, False]).mean(0, dtype=minigrad.float32).item() == 0.5


def test_sum_and_mean_with_dtype_convert_first_and_pass_gradients_back():
    x = minigrad.tensor([1.5, 2.5], dtype=minigrad.float32, requires_grad=True)
    y = x.sum(dtype=minigrad.float64) + x.mean(dtype=minigrad.float64)
    assert y.dtype == minigrad.float64
    y.backward()
    assert x.grad.dtype == minigrad.float32
    assert x.grad.tolist() == [1.5, 1.5]
    assert minigrad.tensor([True, True]).sum(dtype=minigrad.float32).dtype == minigrad.float32


def test_all_and_any_of_uint8_are_uint8_as_torch():
    x = minigrad.tensor(np.array([[1, 0], [2, 3]], dtype=np.uint8))
    assert x.all().dtype == x.any(1).dtype == minigrad.uint8
    assert x.all().item() == 0 and x.any(1).tolist() == [1, 1]
    assert minigrad.tensor([1, 0]).all().dtype == minigrad.bool_
