"""More elementwise math: rounding division, remainders, rounding and further unary
functions, closeness tests, the in-place forms and the erf and lerp kernels (their errors
and edge cases beyond the op table's property tests)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

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


# ----------------------------------------------------------------------------- rounding, unary math


def test_round_refuses_a_non_integer_decimals():
    with pytest.raises(TypeError, match="decimals must be an int, got float"):
        minigrad.round(minigrad.ones(2), decimals=1.5)


def test_round_halves_go_to_even_and_keep_the_sign_of_zero():
    values = minigrad.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype=minigrad.float64)
    result = minigrad.round(values).numpy()
    np.testing.assert_array_equal(result, [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0])
    assert np.signbit(result[2]) and not np.signbit(result[3])


def test_rounding_aliases_are_the_same_functions_of_the_table():
    assert minigrad.Tensor.fix(minigrad.tensor([-1.5])).tolist() == [-1.0]
    assert minigrad.Tensor.arcsin is minigrad.arcsin
    x = minigrad.tensor([0.25, -0.5], dtype=minigrad.float64)
    pairs = [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("fix", "trunc")]
    for alias, name in pairs:
        np.testing.assert_array_equal(getattr(x, alias)().numpy(), getattr(x, name)().numpy())
    other = minigrad.tensor([-0.5, 2.0], dtype=minigrad.float64)
    np.testing.assert_array_equal(x.arctan2(other).numpy(), x.atan2(other).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_kernels_match_their_references_within_an_ulp(dtype):
    from minigrad.kernels import unary

    rng = np.random.default_rng(0)
    values = np.concatenate([rng.uniform(-6, 6, 50_000), rng.standard_normal(50_000) * 1e-3,
                             [0.0, -0.0, np.inf, -np.inf, np.nan, 30.0, -30.0]]).astype(dtype)
    pairs = [(unary.erf, unary.erf_reference), (unary.erfc, unary.erfc_reference)]
    for kernel, reference in pairs:
        result, expected = kernel(values), reference(values)
        assert result.dtype == dtype and result.shape == values.shape
        spacing = np.spacing(np.abs(expected).astype(dtype))
        finite = np.isfinite(expected)
        assert np.all(np.abs(result[finite] - expected[finite]) <= spacing[finite])
        np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    # a non-contiguous 2-D input of the parallel size
    grid = rng.uniform(-3, 3, (300, 200)).astype(dtype)[:, ::2]
    np.testing.assert_allclose(unary.erf(grid), unary.erf_reference(grid), rtol=1e-6)


def test_erf_kernels_refuse_integer_arrays():
    from minigrad.kernels import unary

    with pytest.raises(TypeError, match="erf: expected a float32 or float64 array"):
        unary.erf(np.arange(3))


@pytest.mark.parametrize("weight", [0.25, 0.75, "array"])
def test_lerp_kernel_matches_its_reference(weight):
    from minigrad.kernels import unary

    rng = np.random.default_rng(1)
    start, end = rng.standard_normal((2, 40_000))
    w = rng.uniform(-1, 2, 40_000) if weight == "array" else weight
    np.testing.assert_allclose(unary.lerp(start, end, w), unary.lerp_reference(start, end, w),
                               rtol=1e-15, atol=1e-15)
    assert unary.lerp(start, end, 1.0).tolist() == end.tolist()  # weight 1 gives end exactly


def test_binary_math_names_both_shapes():
    for name in ("atan2", "hypot"):
        with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
            getattr(minigrad, name)(minigrad.ones(2), minigrad.ones(3))
    with pytest.raises(ValueError, match=r"lerp: shapes \(2,\), \(3,\)"):
        minigrad.lerp(minigrad.ones(2), minigrad.ones(3), 0.5)
    with pytest.raises(TypeError, match="weight must be a number or a Tensor, got str"):
        minigrad.lerp(minigrad.ones(2), minigrad.ones(2), "half")


def test_unary_math_out_of_domain_is_nan_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = minigrad.tensor([-2.0, 2.0])
        assert np.isnan(minigrad.asin(values).numpy()).all()
        assert np.isnan(minigrad.log1p(minigrad.tensor([-2.0])).numpy()).all()
        assert minigrad.log2(minigrad.tensor([0.0])).tolist() == [-np.inf]


def test_lerp_weight_gradient_flows_through_a_tensor_weight():
    start = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    end = minigrad.tensor([3.0, 6.0], dtype=minigrad.float64, requires_grad=True)
    weight = minigrad.tensor(0.25, dtype=minigrad.float64, requires_grad=True)
    minigrad.lerp(start, end, weight).sum().backward()
    assert start.grad.tolist() == [0.75, 0.75]
    assert end.grad.tolist() == [0.25, 0.25]
    assert weight.grad.item() == 6.0


# ----------------------------------------------------------------------------- in-place forms

tensor_module = importlib.import_module("minigrad.tensor")  # minigrad.tensor: the function
_IN_PLACE = tensor_module.IN_PLACE_OPS


def _in_place_arguments(name):
    """Operands for each in-place form, on values inside every op's domain."""
    other = minigrad.tensor([0.7, 1.3, 0.4], dtype=minigrad.float64)
    return {
        "pow": (2.5,), "lerp": (other, 0.3), "fmod": (0.3,), "remainder": (-0.3,),
        "floor_divide": (0.3,), "true_divide": (other,), "atan2": (other,),
        "arctan2": (other,), "hypot": (other,),
    }.get(name, ())


@pytest.mark.parametrize("name", _IN_PLACE)
def test_each_in_place_form_is_its_op_written_back(name):
    values = np.array([0.25, -0.6, 0.9])
    x = minigrad.tensor(values, dtype=minigrad.float64)
    arguments = _in_place_arguments(name)
    expected = getattr(minigrad.ops, name)(minigrad.tensor(values), *arguments)
    memory = x._array
    assert getattr(x, f"{name}_")(*arguments) is x
    assert x._array is memory  # the same memory, written over
    np.testing.assert_array_equal(x.numpy(), expected.numpy())


def test_in_place_round_takes_decimals():
    x = minigrad.tensor([1.25, 1.35, -2.46], dtype=minigrad.float64)
    x.round_(decimals=1)
    np.testing.assert_array_equal(x.numpy(), [1.2, 1.4, -2.5])


def test_the_in_place_forms_are_typed_from_the_same_list():
    """The ``if TYPE_CHECKING:`` block of Tensor that types ``exp_`` names exactly the
    in-place forms, each typed as its op."""
    tree = ast.parse(Path(tensor_module.__file__).read_text())
    tensor = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    blocks = [n for n in tensor.body
              if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    block = next(b for b in blocks if any(
        isinstance(n, ast.Assign) and n.targets[0].id == "exp_" for n in b.body))
    stubs = {node.targets[0].id: ast.unparse(node.value) for node in block.body}
    assert stubs == {f"{name}_": f"_ops_for_typing.{name}" for name in _IN_PLACE}
    for name in _IN_PLACE:
        assert getattr(minigrad.Tensor, f"{name}_").__name__ == f"{name}_"


def test_in_place_errors_leave_the_tensor_unchanged():
    integers = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="exp_: result type float32 can't be cast"):
        integers.exp_()
    assert integers.tolist() == [1, 2]
    x = minigrad.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"atan2_: the result's shape \(3, 2\) differs"):
        x.atan2_(minigrad.ones(3, 2))
    assert x.tolist() == [1.0, 2.0]
    leaf = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf.sin_()
    assert leaf.tolist() == [1.0, 2.0]
    assert integers.floor_().tolist() == [1, 2]  # an integer result stays


def test_in_place_forms_under_no_grad_and_on_a_non_leaf_record_correctly():
    x = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    y = x * 2
    y.sin_()
    y.pow_(2)
    y.sum().backward()
    expected = 2 * np.sin(2 * x._array) * np.cos(2 * x._array) * 2
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-14)
    with minigrad.no_grad():
        x.abs_()
    assert x.tolist() == [0.5, 1.0] and x.grad_fn is None
