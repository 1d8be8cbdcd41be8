"""More elementwise math: rounding division, remainders (their errors and edge cases
beyond the op table's property tests)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def test_div_refuses_an_unknown_rounding_mode():
    with pytest.raises(ValueError, match="rounding_mode must be None, 'trunc' or 'floor'"):
        minigrad.div(minigrad.ones(2), 2, rounding_mode="round")


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_rounding_ops_refuse_bools(name):
    flags = minigrad.tensor([True, False])
    with pytest.raises(TypeError, match="bool"):
        getattr(minigrad, name)(flags, flags)


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_rounding_ops_name_both_shapes(name):
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        getattr(minigrad, name)(minigrad.ones(2), minigrad.ones(3))


def test_integer_division_by_zero_changes_nothing_in_place():
    values = minigrad.tensor([4, 5])
    with pytest.raises(RuntimeError, match="division by zero"):
        values //= minigrad.tensor([1, 0])
    np.testing.assert_array_equal(values.numpy(), [4, 5])


def test_rounded_division_keeps_integers_and_true_divide_does_not():
    values = minigrad.tensor([7, -7])
    assert minigrad.div(values, 2, rounding_mode="floor").tolist() == [3, -4]
    assert minigrad.div(values, 2, rounding_mode="trunc").tolist() == [3, -3]
    assert (values // 2).dtype == minigrad.int64
    assert values.true_divide(2).dtype == minigrad.float32
    assert values.true_divide(2).tolist() == [3.5, -3.5]


def test_remainder_has_the_divisor_sign_and_fmod_the_dividend_sign():
    values = minigrad.tensor([-7.0, 7.0])
    assert (values % 3).tolist() == [2.0, 1.0]
    assert (values % -3).tolist() == [-1.0, -2.0]
    assert values.fmod(3).tolist() == [-1.0, 1.0]
    assert values.remainder(-3).tolist() == [-1.0, -2.0]


def test_rounded_division_gradient_is_zero_even_for_an_infinite_upstream():
    x = minigrad.tensor([1.5, -2.5], dtype=minigrad.float64, requires_grad=True)
    y = minigrad.div(x, 2.0, rounding_mode="floor")
    (grad,) = minigrad.grad(y, (x,), minigrad.tensor([np.inf, 1.0], dtype=minigrad.float64))
    assert grad.tolist() == [0.0, 0.0]
