"""Tensor.__format__ and the scalar conversions (float, int, index, bool), as PyTorch.

The parity tests compare with real PyTorch (skipped when it is not installed): the same
text for every spec PyTorch accepts, the same exception type for every one it refuses.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest

import minigrad


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------- __format__


def test_f_string_with_a_spec_on_a_scalar_loss() -> None:
    loss = minigrad.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235"
    assert f"{loss:.2e}" == "1.23e-01"
    assert f"{loss:>8.2f}" == "    0.12"
    assert f"{minigrad.tensor(7):03d}" == "007"
    assert f"{minigrad.tensor(255):x}" == "ff"


def test_format_uses_the_python_scalar_of_item() -> None:
    for value, dtype in [(0.1, minigrad.float32), (2.5, minigrad.float64), (-3, minigrad.int64)]:
        tensor = minigrad.tensor(value, dtype=dtype)
        for spec in ["", ".3f", "e", "g", ">12", "+"]:
            assert format(tensor, spec) == format(tensor.item(), spec)


def test_empty_spec_on_a_zero_dim_tensor_is_the_number_as_in_pytorch() -> None:
    assert f"{minigrad.tensor(5)}" == "5"
    assert f"{minigrad.tensor(True)}" == "True"
    assert f"{minigrad.tensor(0.5)}" == "0.5"


def test_empty_spec_on_other_tensors_is_str() -> None:
    for tensor in [minigrad.tensor([1.0, 2.0]), minigrad.tensor([3]), minigrad.zeros(2, 0)]:
        assert f"{tensor}" == str(tensor) == repr(tensor)
        assert format(tensor) == str(tensor)


def test_one_element_tensor_of_any_shape_takes_a_spec() -> None:
    assert f"{minigrad.tensor([0.25]):.1%}" == "25.0%"
    assert f"{minigrad.tensor([[3]]):>4}" == "   3"


def test_multi_element_tensor_with_a_spec_raises_naming_the_shape() -> None:
    with pytest.raises(TypeError, match=r"unsupported format string '\.4f'.*\(2, 2\)"):
        f"{minigrad.zeros(2, 2):.4f}"
    with pytest.raises(TypeError, match=r"\(0,\)"):
        format(minigrad.zeros(0), "d")


def test_a_spec_the_number_refuses_raises_as_python_does() -> None:
    with pytest.raises(ValueError, match="'d'"):
        f"{minigrad.tensor(1.5):d}"


def test_formatting_a_tensor_that_requires_grad() -> None:
    weight = minigrad.tensor(1.25, requires_grad=True)
    loss = weight * 2
    assert f"{loss:.3f}" == "2.500"
    assert f"{weight:.1f}" == "1.2"  # round half to even, as Python's float formatting


def test_bool_tensor_formats_as_python_bool() -> None:
    flag = minigrad.tensor(True)
    assert format(flag, "") == "True"
    assert format(flag, ">3") == "  1"  # bool with a spec formats as int, as in Python
    assert format(flag, ".1f") == "1.0"


def test_nan_and_infinity() -> None:
    assert f"{minigrad.tensor(math.nan):.2f}" == "nan"
    assert f"{minigrad.tensor(-math.inf):.2f}" == "-inf"


# ---------------------------------------------------------------------- conversions


def test_float_and_int_of_one_element_tensors() -> None:
    assert float(minigrad.tensor(2.5)) == 2.5
    assert float(minigrad.tensor([[3]])) == 3.0 and isinstance(float(minigrad.tensor(3)), float)
    assert int(minigrad.tensor(-2.7)) == -2  # truncated toward zero
    assert int(minigrad.tensor([True])) == 1
    assert math.isclose(float(minigrad.tensor(0.1)), 0.1, rel_tol=1e-7)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        float(minigrad.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(0,\)"):
        int(minigrad.zeros(0))


def test_index_accepts_integer_tensors_only() -> None:
    items = [10, 20, 30, 40]
    assert items[minigrad.tensor(2)] == 30
    assert items[minigrad.tensor([1])] == 20
    assert list(range(minigrad.tensor(3))) == [0, 1, 2]
    assert operator.index(minigrad.tensor(5, dtype=minigrad.int32)) == 5
    assert hex(minigrad.tensor(255)) == "0xff"
    with pytest.raises(TypeError, match="float32"):
        operator.index(minigrad.tensor(2.0))
    with pytest.raises(TypeError, match=r"\(2,\)"):
        operator.index(minigrad.tensor([1, 2]))


def test_bool_of_tensors() -> None:
    assert bool(minigrad.tensor(1.0)) is True
    assert bool(minigrad.tensor([0])) is False
    assert not minigrad.tensor([[0.0]])
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(minigrad.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(minigrad.zeros(0))


# ---------------------------------------------------------------------- parity with torch

SPECS = [
    "",
    ".4f",
    ".2e",
    "e",
    "g",
    ".3g",
    ">10",
    "<8.3f",
    "^9.1f",
    "+.1f",
    ",",
    "%",
    "d",
    "x",
    "05d",
    "_",
    "n",
    "s",
    "!",
]
VALUES = [
    (0.1, "float32"),
    (-1234.5678, "float64"),
    (1e-8, "float32"),
    (math.inf, "float64"),
    (7, "int64"),
    (-42, "int32"),
    (1234567, "int64"),
    (True, "bool"),
    (False, "bool"),
]


def _outcome(function, *args):
    try:
        return ("ok", function(*args))
    except Exception as error:  # the type is what must agree
        return ("error", type(error))


@pytest.mark.parametrize(("value", "dtype"), VALUES)
def test_parity_format_zero_dim(torch, value, dtype) -> None:
    ours = minigrad.tensor(value, dtype=getattr(minigrad, dtype if dtype != "bool" else "bool_"))
    theirs = torch.tensor(value, dtype=getattr(torch, dtype))
    for spec in SPECS:
        assert _outcome(format, ours, spec) == _outcome(format, theirs, spec), spec


def test_parity_format_multi_element_refuses_specs(torch) -> None:
    values = [[1.0, 2.0], [[1, 2], [3, 4]], []]
    for value in values:
        ours, theirs = minigrad.tensor(value), torch.tensor(value)
        for spec in [".4f", "d", ">10", "e"]:
            assert _outcome(format, ours, spec) == ("error", TypeError)
            assert _outcome(format, theirs, spec) == ("error", TypeError)
        # The empty spec is str(tensor) on both sides (the texts themselves may differ).
        assert format(ours, "") == str(ours)
        assert format(theirs, "") == str(theirs)


def test_parity_f_string_of_requires_grad_scalar(torch) -> None:
    ours = minigrad.tensor(0.3, requires_grad=True) * 3
    theirs = torch.tensor(0.3, requires_grad=True) * 3
    for spec in [".4f", "", "e"]:
        assert format(ours, spec) == format(theirs, spec)


CONVERSION_VALUES = [
    (2.75, "float32"),
    (-2.75, "float64"),
    ([3.5], "float32"),
    ([[-4]], "int64"),
    (9, "int32"),
    (True, "bool"),
    ([0], "int64"),
    ([1.0, 2.0], "float32"),
    ([1, 2], "int64"),
    ([], "float32"),
]


@pytest.mark.parametrize(("value", "dtype"), CONVERSION_VALUES)
def test_parity_float_int_bool(torch, value, dtype) -> None:
    ours = minigrad.tensor(value, dtype=getattr(minigrad, dtype if dtype != "bool" else "bool_"))
    theirs = torch.tensor(value, dtype=getattr(torch, dtype))
    for convert in (float, int, bool):
        assert _outcome(convert, ours) == _outcome(convert, theirs), convert


@pytest.mark.parametrize(
    ("value", "dtype"),
    [(3, "int64"), ([2], "int32"), (2.0, "float32"), ([1, 2], "int64"), (1.5, "float64")],
)
def test_parity_index(torch, value, dtype) -> None:
    ours = minigrad.tensor(value, dtype=getattr(minigrad, dtype))
    theirs = torch.tensor(value, dtype=getattr(torch, dtype))
    assert _outcome(operator.index, ours) == _outcome(operator.index, theirs)


def test_numpy_scalars_round_trip_through_float() -> None:
    # float() of a float32 tensor is the float32 value widened, not a re-rounded decimal.
    assert float(minigrad.tensor(0.1)) == float(np.float32(0.1))
