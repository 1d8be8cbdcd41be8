"""Elementwise ops where the value, the derivative or the dtype is a convention: pinned to
PyTorch's results (computed with torch 2.x and written out here, so these tests run
without torch; tests/parity/test_torch_parity_tensor.py compares the common cases live).

Covered: clamp with tensor bounds (ties, min > max, NaN, broadcasting), maximum/minimum
with NaN, pow at base 0 and its fast paths, NaN through the activations, second
derivatives at kinks and zeros, division's gradient for large denominators, and integer
inputs. Every changed backward rule is also checked by finite differences (float64)
away from its special points (here, or by its record in tests/ops/test_op_table.py: elu,
softplus, reciprocal, rsqrt, div, maximum, minimum, abs), and run with
``create_graph=True`` through them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.testing import gradcheck, gradgradcheck

INF = math.inf
NAN = math.nan
UPSTREAM = [1.5, -0.5, 2.0, 0.75, -1.25, 1.0, 0.25, -2.0, 0.5, 3.0, -0.75, 1.25]
SECOND_UPSTREAM = [0.5, 2.0, -1.0, 1.5, 3.0, -0.25, 1.0, 0.5]


def _upstream(values, shape):
    return minigrad.tensor(np.resize(np.array(values, dtype=np.float64), shape))


def value_and_grads(fn, *values, create_graph=False):
    """``fn`` at float64 copies of ``values``, and every input's gradient for the fixed
    upstream gradient ``UPSTREAM`` (zeros for an input that gets none)."""
    xs = [minigrad.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in values]
    y = fn(*xs)
    grads = minigrad.grad(
        y, xs, _upstream(UPSTREAM, y.shape), allow_unused=True, create_graph=create_graph
    )
    return xs, y, grads


def second_grads(xs, grad):
    """The derivative of one first-order gradient (for ``SECOND_UPSTREAM``) by every input."""
    return minigrad.grad(grad, xs, _upstream(SECOND_UPSTREAM, grad.shape), allow_unused=True)


def assert_same(actual, expected):
    """The same values (to the last few bits), with NaN and each sign of inf in the same
    places; ``None`` (no gradient) counts as zeros."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.zeros_like(expected) if actual is None else np.asarray(actual._array)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0)


# =========================================================================== clamp

X = [0.0, 1.0, 0.5, -1.0, 2.0, 1.0, 1.5, 3.0, NAN, 0.5, 0.5]
LOW = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 0.0, NAN, 0.0]
HIGH = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, NAN]
# Ties with each bound, inside, below, above, min > max (below, between, above both),
# and a NaN in the input, in min and in max.
CLAMP_CASES = [
    pytest.param(
        lambda x, low, high: x.clamp(low, high), (X, LOW, HIGH),
        [0.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 1.0, NAN, NAN, NAN],
        [
            [1.5, -0.5, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, -1.25, 1.0, 0.25, -2.0, 0.0, 0.0, 0.0],
        ],
        id="both_tensors",
    ),
    pytest.param(
        lambda x, low: x.clamp(min=low), (X, LOW),
        [0.0, 1.0, 0.5, 0.0, 2.0, 2.0, 2.0, 3.0, NAN, NAN, 0.5],
        [
            [1.5, -0.5, 2.0, 0.0, -1.25, 0.0, 0.0, -2.0, 0.0, 0.0, -0.75],
            [0.0, 0.0, 0.0, 0.75, 0.0, 1.0, 0.25, 0.0, 0.0, 0.0, 0.0],
        ],
        id="min_tensor_only",
    ),
    pytest.param(
        lambda x, high: x.clamp(max=high), (X, HIGH),
        [0.0, 1.0, 0.5, -1.0, 1.0, 1.0, 1.0, 1.0, NAN, 0.5, NAN],
        [
            [1.5, -0.5, 2.0, 0.75, 0.0, 1.0, 0.0, 0.0, 0.0, 3.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, -1.25, 0.0, 0.25, -2.0, 0.0, 0.0, 0.0],
        ],
        id="max_tensor_only",
    ),
    # A number and a tensor (PyTorch wants both bounds of one kind; minigrad accepts the
    # mix, with the rule of two tensors).
    pytest.param(
        lambda x, high: x.clamp(0.0, high), (X, HIGH),
        [0.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 1.0, NAN, 0.5, NAN],
        [
            [1.5, -0.5, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, -1.25, 0.0, 0.25, -2.0, 0.0, 0.0, 0.0],
        ],
        id="number_min_tensor_max",
    ),
]


@pytest.mark.parametrize("fn, values, expected, expected_grads", CLAMP_CASES)
def test_clamp_with_tensor_bounds_follows_pytorch(fn, values, expected, expected_grads):
    _, y, grads = value_and_grads(fn, *values)
    assert_same(y, expected)
    for grad, want in zip(grads, expected_grads, strict=True):
        assert_same(grad, want)


def test_clamp_with_tensor_bounds_broadcasts_all_three():
    x = minigrad.tensor([0.0, 0.5, 3.0], requires_grad=True)
    low = minigrad.tensor([[1.0], [0.0]], requires_grad=True)
    high = minigrad.tensor(2.0, requires_grad=True)
    y = x.clamp(low, high)
    assert y.shape == (2, 3)
    np.testing.assert_array_equal(y._array, [[1.0, 1.0, 2.0], [0.0, 0.5, 2.0]])
    y.backward(minigrad.ones(2, 3))
    np.testing.assert_array_equal(x.grad._array, [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(low.grad._array, [[2.0], [0.0]])
    assert high.grad.shape == () and high.grad.item() == 2.0


def _distinct_clamp_inputs(seed):
    """x in (-2, 2), low in (-1, 0.5), high in (-0.5, 1): some places with low > high,
    every value at least 0.05 away from the others at its place (no ties)."""
    rng = np.random.default_rng(seed)
    while True:
        x = rng.uniform(-2, 2, (3, 4))
        low, high = rng.uniform(-1, 0.5, 4), rng.uniform(-0.5, 1, (3, 1))
        a, b, c = np.broadcast_arrays(x, low, high)
        distinct = min(np.abs(a - b).min(), np.abs(a - c).min(), np.abs(b - c).min()) > 0.05
        if distinct and (b > c).any() and (b < c).any():
            return [minigrad.tensor(v, requires_grad=True) for v in (x, low, high)]


@pytest.mark.parametrize("seed", range(3))
def test_clamp_with_tensor_bounds_gradcheck(seed):
    inputs = _distinct_clamp_inputs(seed)
    assert gradcheck(lambda x, low, high: x.clamp(low, high), inputs)
    assert gradgradcheck(lambda x, low, high: x.clamp(low, high), inputs)
    assert gradcheck(lambda x, low: minigrad.clamp(x, min=low), inputs[:2])
    assert gradcheck(lambda x, high: minigrad.clamp(x, max=high), inputs[::2])


def test_clamp_gradient_with_create_graph_at_ties():
    xs = [
        minigrad.tensor(v, dtype=minigrad.float64, requires_grad=True)
        for v in ([0.0, 1.0, 0.5], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0])
    ]
    upstream = minigrad.tensor([1.5, -0.5, 2.0], dtype=minigrad.float64, requires_grad=True)
    grads = minigrad.grad(xs[0].clamp(xs[1], xs[2]), xs, upstream, create_graph=True)
    masks = [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    for grad, mask in zip(grads, masks, strict=True):
        assert_same(grad, np.multiply(mask, [1.5, -0.5, 2.0]))
        # Linear in the upstream gradient (the mask), piecewise constant in the inputs.
        by_upstream, *by_inputs = minigrad.grad(
            grad, [upstream, *xs], minigrad.ones(3, dtype=minigrad.float64), allow_unused=True
        )
        assert_same(by_upstream, mask)
        for second in by_inputs:
            assert_same(second, [0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "fn, dtype, expected",
    [
        (lambda x: x.clamp(0.5, 2.5), np.float32, [0.5, 2.5]),
        (lambda x: x.clamp(min=0.5), np.float32, [0.5, 3.0]),
        (lambda x: x.clamp(0, 2.5), np.float32, [0.0, 2.5]),
        (lambda x: x.clamp(0, 2), np.int64, [0, 2]),
        (lambda x: x.int().clamp(0, 2), np.int32, [0, 2]),
        (lambda x: x.clamp(minigrad.tensor(0.5), minigrad.tensor(2.5)), np.float32, [0.5, 2.5]),
        (lambda x: x.clamp(minigrad.tensor([0]), minigrad.tensor([2])), np.int64, [0, 2]),
    ],
)
def test_clamp_of_an_integer_tensor_promotes_like_pytorch(fn, dtype, expected):
    y = fn(minigrad.tensor([-1, 3]))
    assert y.dtype == dtype
    np.testing.assert_array_equal(y._array, expected)


# =========================================================================== maximum, minimum


def test_maximum_and_minimum_give_nan_to_both_inputs():
    # NaN loses to nothing: both inputs get the whole gradient; a tie halves it.
    a, b = [NAN, 1.0, NAN, 2.0, 1.0], [1.0, NAN, NAN, 1.0, 1.0]
    _, y, (grad_a, grad_b) = value_and_grads(minigrad.maximum, a, b)
    assert_same(y, [NAN, NAN, NAN, 2.0, 1.0])
    assert_same(grad_a, [1.5, -0.5, 2.0, 0.75, -0.625])
    assert_same(grad_b, [1.5, -0.5, 2.0, 0.0, -0.625])
    _, y, (grad_a, grad_b) = value_and_grads(minigrad.minimum, a, b)
    assert_same(y, [NAN, NAN, NAN, 1.0, 1.0])
    assert_same(grad_a, [1.5, -0.5, 2.0, 0.0, -0.625])
    assert_same(grad_b, [1.5, -0.5, 2.0, 0.75, -0.625])


def test_maximum_of_0d_tensors_has_a_gradient():
    a = minigrad.tensor(1.0, requires_grad=True)
    b = minigrad.tensor(1.0, requires_grad=True)
    minigrad.maximum(a, b).backward()
    assert a.grad.item() == 0.5 and b.grad.item() == 0.5


# =========================================================================== pow

BASE = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, -0.0]
EXPONENT = [0.0, 1.0, 2.0, 0.5, -1.0, 0.0, -0.5, -1.0]


def test_pow_with_tensor_exponent_at_base_zero_follows_pytorch():
    _, y, (grad_base, grad_exponent) = value_and_grads(lambda b, e: b**e, BASE, EXPONENT)
    assert_same(y, [1.0, 0.0, 0.0, 0.0, INF, 1.0, INF, -INF])
    # Exponent 0: base gradient 0. Base 0 and exponent >= 0: exponent gradient 0.
    assert_same(grad_base, [0.0, -0.5, 0.0, INF, INF, 0.0, -INF, INF])
    assert_same(grad_exponent, [0.0, 0.0, 0.0, 0.0, INF, math.log(2.0), -INF, -INF])


def test_pow_at_base_zero_with_create_graph_follows_pytorch():
    xs, _, (grad_base, grad_exponent) = value_and_grads(
        lambda b, e: b**e, BASE, EXPONENT, create_graph=True
    )
    assert_same(grad_base, [0.0, -0.5, 0.0, INF, INF, 0.0, -INF, INF])
    d_base, d_exponent = second_grads(xs, grad_base)
    assert_same(d_base, [NAN, 0.0, -4.0, -INF, -INF, 0.0, INF, INF])
    assert_same(d_exponent, [NAN, -1.0, 0.0, NAN, -INF, 0.0, INF, -INF])
    d_base, d_exponent = second_grads(xs, grad_exponent)
    assert_same(d_base, [NAN, NAN, NAN, NAN, -INF, -0.125, INF, -INF])
    assert_same(d_exponent, [NAN, NAN, NAN, NAN, -INF, -0.12011325347955035, INF, INF])


def test_number_base_zero_to_a_tensor_power_follows_pytorch():
    xs, y, (grad,) = value_and_grads(
        lambda e: 0.0**e, [0.0, 1.0, 0.5, 2.0, -1.0, -0.5], create_graph=True
    )
    assert_same(y, [1.0, 0.0, 0.0, 0.0, INF, INF])
    assert_same(grad, [0.0, 0.0, 0.0, 0.0, INF, -INF])
    assert_same(second_grads(xs, grad)[0], [NAN, NAN, NAN, NAN, -INF, -INF])


def test_pow_exponent_gradient_is_checked_where_the_zero_rule_applies():
    # 0 ** e is 0 for every e > 0: the exponent's gradient 0 is the true derivative.
    exponent = minigrad.tensor(np.linspace(0.1, 2.0, 7), requires_grad=True)
    assert gradcheck(lambda e: 0.0**e, exponent)
    assert gradcheck(lambda e: minigrad.zeros(7, dtype=minigrad.float64) ** e, exponent)


@pytest.mark.parametrize("seed", range(2))
def test_pow_with_tensor_exponent_gradcheck_away_from_exponent_zero(seed):
    rng = np.random.default_rng(seed)
    base = minigrad.tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)
    exponent = rng.uniform(0.2, 2.0, 3) * rng.choice([-1.0, 1.0], 3)
    exponent = minigrad.tensor(exponent, requires_grad=True)
    assert gradcheck(minigrad.pow, (base, exponent))
    assert gradgradcheck(minigrad.pow, (base, exponent))
    assert gradgradcheck(lambda e: 1.7**e, exponent)


POW_X = [-0.0, -INF, 4.0, 0.0, NAN, 2.5, -3.0]


@pytest.mark.parametrize(
    "exponent, expected",
    [
        (0.5, [-0.0, NAN, 2.0, 0.0, NAN, math.sqrt(2.5), NAN]),
        (-0.5, [-INF, NAN, 0.5, INF, NAN, 1 / math.sqrt(2.5), NAN]),
        (2, [0.0, INF, 16.0, 0.0, NAN, 6.25, 9.0]),
        (3, [-0.0, -INF, 64.0, 0.0, NAN, 15.625, -27.0]),
        (-1, [-INF, -0.0, 0.25, INF, NAN, 0.4, -1 / 3]),
        (-2, [INF, 0.0, 0.0625, INF, NAN, 0.16, 1 / 9]),
        (1, [-0.0, -INF, 4.0, 0.0, NAN, 2.5, -3.0]),
        (1.5, [0.0, INF, 8.0, 0.0, NAN, 2.5**1.5, NAN]),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_by_a_number_gives_pytorchs_values_and_signs(exponent, expected, dtype):
    # PyTorch computes x ** 0.5 as sqrt(x) (so -0.0 stays -0.0, and -inf gives NaN), x ** 2
    # as x * x, and so on; minigrad takes the same paths.
    y = minigrad.tensor(np.array(POW_X, dtype)) ** exponent
    expected = np.array(expected, dtype)
    assert y.dtype == dtype
    np.testing.assert_allclose(y._array, expected, rtol=2e-7 if dtype == np.float32 else 1e-15)
    number = ~np.isnan(expected)  # a NaN's sign bit means nothing
    np.testing.assert_array_equal(np.signbit(y._array[number]), np.signbit(expected[number]))


def test_pow_fast_paths_are_plain_products():
    x = np.random.default_rng(0).uniform(-3, 3, 1000).astype(np.float32)
    t = minigrad.tensor(x)
    np.testing.assert_array_equal((t**2)._array, x * x)
    np.testing.assert_array_equal((t**3)._array, x * x * x)
    np.testing.assert_array_equal((t**-1)._array, np.float32(1) / x)


def test_pow_gradient_at_minus_zero_follows_the_sqrt_path():
    # d/dx x ** 0.5 = 0.5 * x ** -0.5 = 0.5 / sqrt(-0.0) = -inf, as PyTorch.
    x = minigrad.tensor([-0.0, 4.0], requires_grad=True)
    (x**0.5).backward(minigrad.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad._array, [-INF, 0.25])


def test_integer_powers_with_negative_tensor_exponents_follow_pytorch():
    # NumPy refuses them; PyTorch truncates 1 / x ** |y| to 0 unless x is 1 or -1.
    base = minigrad.tensor([[2, 1, -1, 0, -1, 3]])
    exponent = minigrad.tensor([-1, -3, -3, -2, -2, 2])
    y = base**exponent
    assert y.dtype == minigrad.int64
    np.testing.assert_array_equal(y._array, [[0, 1, -1, 0, 1, 9]])
    np.testing.assert_array_equal((2 ** minigrad.tensor([-1, 3]))._array, [0, 8])
    with pytest.raises(ValueError):
        minigrad.tensor([1, 2]) ** -1  # a negative Python-number exponent: refused by both


# =========================================================================== activations and NaN


@pytest.mark.parametrize(
    "fn, expected_grad",
    [
        (minigrad.relu, [1.5, 0.0, 0.0, 0.75]),  # PyTorch's mask is "result <= 0 gives 0"
        (minigrad.elu, [1.5, -0.5 * math.exp(-1.0), 2.0, 0.75]),
        (lambda x: minigrad.leaky_relu(x, 0.2), [0.3, -0.1, 0.4, 0.75]),
    ],
)
def test_activations_pass_the_gradient_at_nan_as_pytorch(fn, expected_grad):
    _, y, (grad,) = value_and_grads(fn, [NAN, -1.0, 0.0, 2.0])
    assert math.isnan(y._array[0])
    assert_same(grad, expected_grad)
    # The gradient of the gradient by the upstream one: the same mask.
    upstream = minigrad.tensor(np.array(UPSTREAM[:4]), requires_grad=True)
    x = minigrad.tensor([NAN, -1.0, 0.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (first,) = minigrad.grad(fn(x), x, upstream, create_graph=True)
    (by_upstream,) = minigrad.grad(first, upstream, minigrad.ones(4, dtype=minigrad.float64))
    np.testing.assert_allclose(by_upstream._array * np.array(UPSTREAM[:4]), expected_grad)


def test_abs_gradient_is_zero_at_nan_and_at_zero_but_sign_of_nan_is_nan():
    _, y, (grad,) = value_and_grads(minigrad.abs, [NAN, -1.0, 0.0, -0.0, 2.0])
    assert_same(y, [NAN, 1.0, 0.0, 0.0, 2.0])
    assert_same(grad, [0.0, 0.5, 0.0, 0.0, -1.25])  # PyTorch's sgn(nan) = 0
    # sign keeps NumPy's NaN (PyTorch: 0), and its gradient is 0 even for an inf upstream.
    x = minigrad.tensor([NAN, -2.0, 0.0, 3.0], requires_grad=True)
    y = minigrad.sign(x)
    np.testing.assert_array_equal(y._array, [NAN, -1.0, 0.0, 1.0])
    y.backward(minigrad.tensor([INF, 1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0, 0.0, 0.0])


def test_abs_of_0d_tensor_has_a_gradient():
    x = minigrad.tensor(-2.0, requires_grad=True)
    x.abs().backward()
    assert x.grad.item() == -1.0


@pytest.mark.parametrize(
    "fn, values, expected_grad, expected_second",
    [
        # The curvature at the kink itself is 0, as PyTorch (x < 0 is the curved side).
        (minigrad.elu, [-1.0, 0.0, -0.0, 1.0, NAN],
         [1.5 * math.exp(-1.0), -0.5, 2.0, 0.75, -1.25],
         [0.5 * 1.5 * math.exp(-1.0), 0.0, 0.0, 0.0, 0.0]),
        # 0 at the threshold itself (beta * x == threshold), where the value is still smooth.
        (lambda x: minigrad.softplus(x, 2.0, 5.0), [2.5, 2.499, 2.5001, 0.0],
         [1.4899607236135726, -0.49664691991786175, 2.0, 0.375],
         [0.0, -0.013322375160255357, 0.0, 0.5625]),
        # Written with the output as PyTorch: infinite, not NaN, at zero.
        (minigrad.reciprocal, [0.0, -0.0, 2.0, INF], [-INF, INF, -0.5, 0.0],
         [INF, INF, -0.5, 0.0]),
        (minigrad.rsqrt, [0.0, -0.0, 4.0, INF], [-INF, -INF, -0.125, 0.0],
         [INF, INF, -0.046875, 0.0]),
    ],
)
def test_second_derivatives_at_kinks_and_zeros_follow_pytorch(
    fn, values, expected_grad, expected_second
):
    xs, _, (grad,) = value_and_grads(fn, values, create_graph=True)
    assert_same(grad, expected_grad)
    assert_same(second_grads(xs, grad)[0], expected_second)


def test_division_second_derivatives_at_zero_denominators_follow_pytorch():
    xs, y, (grad_a, grad_b) = value_and_grads(
        lambda a, b: a / b, [1.0, -1.0, 0.0, 2.0, -3.0], [0.0, 0.0, 0.0, -0.0, -0.0],
        create_graph=True,
    )
    assert_same(y, [INF, -INF, NAN, -INF, INF])
    assert_same(grad_a, [INF, -INF, INF, -INF, INF])
    assert_same(grad_b, [-INF, -INF, NAN, -INF, -INF])
    assert_same(second_grads(xs, grad_a)[1], [-INF, INF, INF, -INF, INF])
    d_a, d_b = second_grads(xs, grad_b)
    assert_same(d_a, [-INF, INF, INF, -INF, INF])
    assert_same(d_b, [INF, INF, NAN, -INF, -INF])


def test_division_gradient_for_large_denominators_in_float32():
    # -a / b**2 as -(a / b) / b: b * b would overflow float32 and give 0.
    a = minigrad.tensor([1e10], requires_grad=True)
    b = minigrad.tensor([1e20], requires_grad=True)
    (a / b).sum().backward()
    np.testing.assert_allclose(a.grad._array, [1e-20], rtol=1e-6)
    np.testing.assert_allclose(b.grad._array, [-1e-30], rtol=1e-6)


# =========================================================================== where, masked_fill


def test_masked_fill_with_a_0d_tensor_value_passes_it_the_gradient():
    _, y, (grad_x, grad_value) = value_and_grads(
        lambda x, v: x.masked_fill(x > 0, v), [1.0, -1.0, 2.0, 3.0], 7.0
    )
    assert_same(y, [7.0, -1.0, 7.0, 7.0])
    assert_same(grad_x, [0.0, -0.5, 0.0, 0.0])
    assert_same(grad_value, 4.25)
    x = minigrad.tensor([1.0, -1.0, 2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    value = minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True)
    mask = minigrad.tensor([True, False, False, True])
    assert gradcheck(lambda x, v: minigrad.masked_fill(x, mask, v), (x, value))


def test_masked_fill_casts_the_value_to_the_tensors_dtype():
    x = minigrad.tensor([-1, 3])
    for value, expected in [(0.5, [-1, 0]), (2.7, [-1, 2]), (-2.7, [-1, -2]), (True, [-1, 1])]:
        y = x.masked_fill(x > 0, value)
        assert y.dtype == minigrad.int64
        np.testing.assert_array_equal(y._array, expected)
    y = minigrad.tensor([-1, 3]).masked_fill(x > 0, minigrad.tensor(7.5))
    assert y.dtype == minigrad.int64 and y.tolist() == [-1, 7]
    f = minigrad.tensor([-1.0, 3.0])
    assert f.masked_fill(f > 0, minigrad.tensor(7.0, dtype=minigrad.float64)).dtype == np.float32
    with pytest.raises(ValueError, match="0-d"):
        f.masked_fill(f > 0, minigrad.tensor([7.0]))
    with pytest.raises(TypeError):
        f.masked_fill(f > 0, [7.0])
    with pytest.raises(TypeError):
        f.masked_fill(minigrad.tensor([1, 0]), 1.0)  # the mask must be bool


@pytest.mark.parametrize(
    "fn, dtype, expected",
    [
        (lambda c, x: minigrad.where(c, x, 0.5), np.float32, [0.5, 3.0]),
        (lambda c, x: minigrad.where(c, x.int(), 0.5), np.float32, [0.5, 3.0]),
        (lambda c, x: minigrad.where(c, x, 5), np.int64, [5, 3]),
        (lambda c, x: minigrad.where(c, x.int(), 5), np.int32, [5, 3]),
        (lambda c, x: minigrad.where(c, 1.0, 0), np.float32, [0.0, 1.0]),
        (lambda c, x: minigrad.where(c, 1, 0), np.int64, [0, 1]),
        (lambda c, x: minigrad.where(c, True, False), np.bool_, [False, True]),
        (lambda c, x: minigrad.where(c, True, 0.5), np.float32, [0.5, 1.0]),
    ],
)
def test_where_with_numbers_takes_pytorchs_dtype(fn, dtype, expected):
    x = minigrad.tensor([-1, 3])
    y = fn(x > 0, x)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y._array, expected)


def test_where_with_a_number_gradcheck():
    x = minigrad.tensor(np.linspace(-1.0, 1.0, 6), requires_grad=True)
    condition = minigrad.tensor([True, False, True, True, False, False])
    assert gradcheck(lambda x: minigrad.where(condition, x, 0.5), x)
    assert gradcheck(lambda x: minigrad.where(condition, 0.5, x * x), x)


# =========================================================================== integer inputs


@pytest.mark.parametrize(
    "fn, values, dtype, expected_dtype, expected",
    [
        (minigrad.abs, [-1, 3], np.int32, np.int32, [1, 3]),
        (minigrad.abs, [1, 200], np.uint8, np.uint8, [1, 200]),
        (minigrad.relu, [-1, 3], np.int64, np.int64, [0, 3]),
        (minigrad.relu, [-1, 3], np.int32, np.int32, [0, 3]),
        (minigrad.sign, [-2, 0, 3], np.int64, np.int64, [-1, 0, 1]),
        (minigrad.sign, [True, False], np.bool_, np.bool_, [True, False]),
        (minigrad.neg, [-1, 3], np.int32, np.int32, [1, -3]),
        (minigrad.square, [True, False], np.bool_, np.int64, [1, 0]),  # x ** 2, as PyTorch
        (minigrad.square, [-2, 3], np.int32, np.int32, [4, 9]),
        (lambda x: minigrad.maximum(x, minigrad.tensor([0, 5])), [-1, 3], np.int32, np.int64,
         [0, 5]),
        (lambda x: minigrad.minimum(x, minigrad.tensor([0, 5])), [-1, 3], np.int64, np.int64,
         [-1, 3]),
    ],
)
def test_integer_inputs_keep_pytorchs_dtypes(fn, values, dtype, expected_dtype, expected):
    y = fn(minigrad.tensor(np.array(values, dtype=dtype)))
    assert y.dtype == expected_dtype
    np.testing.assert_array_equal(y._array, expected)
    assert not y.requires_grad


@pytest.mark.parametrize("fn", [minigrad.relu, minigrad.abs])
def test_relu_and_abs_refuse_bool_tensors_as_pytorch(fn):
    with pytest.raises(TypeError, match="bool"):
        fn(minigrad.tensor([True, False]))
