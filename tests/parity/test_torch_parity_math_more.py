"""Parity with PyTorch for more elementwise math: rounding divisions and remainders, the
rounding and further unary functions, closeness tests, and the in-place forms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402

# Every pairing of signs, zeros of both signs, infinities and NaN.
_NUMERATORS = [-7.5, -6.0, -3.0, -0.0, 0.0, 2.5, 7.0, np.inf, -np.inf, np.nan]
_DENOMINATORS = [-2.0, 3.0, 0.0, -0.0, np.inf, -np.inf, 0.5]
_PAIRS = list(itertools.product(_NUMERATORS, _DENOMINATORS))
_A = np.array([a for a, _ in _PAIRS])
_B = np.array([b for _, b in _PAIRS])
_INT_A = np.array([7, -7, 6, -6, 0, 5, -5, 9])
_INT_B = np.array([2, 2, -3, -3, 4, -2, -2, 3])


def _assert_same(ours, theirs):
    """Same dtype, shape and values, NaN where torch has NaN, and the sign of zeros."""
    result, expected = ours.numpy(), theirs.detach().numpy()
    assert result.dtype == expected.dtype
    assert result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)
    if result.dtype.kind == "f":
        numbers = ~np.isnan(expected)
        np.testing.assert_array_equal(np.signbit(result[numbers]), np.signbit(expected[numbers]))


_BINARY = {
    "div_floor": (lambda a, b: minigrad.div(a, b, rounding_mode="floor"),
                  lambda a, b: torch.div(a, b, rounding_mode="floor")),
    "div_trunc": (lambda a, b: minigrad.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc")),
    "floor_divide": (minigrad.floor_divide, torch.floor_divide),
    "floordiv_operator": (lambda a, b: a // b, lambda a, b: a // b),
    "fmod": (minigrad.fmod, torch.fmod),
    "remainder": (minigrad.remainder, torch.remainder),
    "mod_operator": (lambda a, b: a % b, lambda a, b: a % b),
    "true_divide": (minigrad.true_divide, torch.true_divide),
}


@pytest.mark.parametrize("name", sorted(_BINARY))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rounding_division_floats(name, dtype):
    ours, theirs = _BINARY[name]
    a, b = _A.astype(dtype), _B.astype(dtype)
    expected = theirs(torch.tensor(a), torch.tensor(b))
    _assert_same(ours(minigrad.tensor(a), minigrad.tensor(b)), expected)


@pytest.mark.parametrize("name", sorted(_BINARY))
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_rounding_division_integers(name, dtype):
    ours, theirs = _BINARY[name]
    a, b = _INT_A.astype(dtype), _INT_B.astype(dtype)
    expected = theirs(torch.tensor(a), torch.tensor(b))
    _assert_same(ours(minigrad.tensor(a), minigrad.tensor(b)), expected)


@pytest.mark.parametrize("name", sorted(_BINARY))
@pytest.mark.parametrize("scalar", [2, 2.5, -3])
@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_rounding_division_with_a_number(name, scalar, dtype):
    ours, theirs = _BINARY[name]
    a = _INT_A.astype(dtype)
    _assert_same(ours(minigrad.tensor(a), scalar), theirs(torch.tensor(a), scalar))


@pytest.mark.parametrize("scalar", [7, 7.5, -3])
def test_reflected_floordiv_and_mod(scalar):
    values = np.array([2.0, -2.0, 0.75, -4.0])
    ours, theirs = minigrad.tensor(values), torch.tensor(values)
    _assert_same(scalar // ours, scalar // theirs)
    _assert_same(scalar % ours, scalar % theirs)


def test_in_place_floordiv_and_mod():
    ours, theirs = minigrad.tensor(_INT_A), torch.tensor(_INT_A)
    ours //= 2
    theirs //= 2
    _assert_same(ours, theirs)
    ours %= 3
    theirs %= 3
    _assert_same(ours, theirs)


@pytest.mark.parametrize(
    "name", ["fmod", "remainder", "div_floor", "div_trunc", "true_divide"]
)
def test_rounding_division_gradients(name):
    ours_op, theirs_op = _BINARY[name]
    a, b = np.array([5.5, -3.2, 7.25, -0.4]), np.array([2.0, 1.5, -2.5, -0.3])
    ours = [minigrad.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    upstream = np.array([0.3, -1.2, 2.0, 0.7])
    (ours_op(*ours) * minigrad.tensor(upstream)).sum().backward()
    (theirs_op(*theirs) * torch.tensor(upstream)).sum().backward()
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), torchs.grad.numpy(), rtol=1e-12)


def test_floor_divide_has_no_derivative_in_either():
    ours = minigrad.tensor([5.5], requires_grad=True)
    theirs = torch.tensor([5.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative"):
        torch.floor_divide(theirs, 2.0).sum().backward()
    with pytest.raises(RuntimeError, match="derivative of floor_divide"):
        minigrad.floor_divide(ours, 2.0).sum().backward()


@pytest.mark.parametrize(
    "call",
    [lambda m, a, b: m.fmod(a, b), lambda m, a, b: m.remainder(a, b),
     lambda m, a, b: m.floor_divide(a, b), lambda m, a, b: m.div(a, b, rounding_mode="trunc")],
)
def test_integer_division_by_zero_raises_in_both(call):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(torch, torch.tensor([1, 2]), torch.tensor([1, 0]))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(minigrad, minigrad.tensor([1, 2]), minigrad.tensor([1, 0]))
