"""What the op modules share: operand handling (dtype promotion, scalar arguments) and
saving an output for backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.tensor import Tensor, _make

Scalar = (int, float, bool, np.integer, np.floating, np.bool_)
_OPERANDS = (Tensor, *Scalar)


def as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    """``value`` as a Tensor: Tensors unchanged, numbers and arrays wrapped (no grad)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Scalar) and like is not None:
        return Tensor._make(np.asarray(value, dtype=scalar_dtype(like._array.dtype, value)))
    return Tensor._make(dtypes.as_array(value, copy=False))


def scalar_dtype(dtype: np.dtype, value: Any) -> np.dtype:
    """The dtype of ``tensor <op> value`` for a Python scalar ``value`` (as PyTorch).

    A scalar never widens a tensor of its own kind (float32 tensor * 2.5 stays float32);
    a float scalar with an integer or bool tensor gives the default float dtype.
    """
    if isinstance(value, (float, np.floating)) and dtype.kind != "f":
        return dtypes.get_default_dtype()
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if dtype.kind == "b":
            return dtypes.int64
    return dtype


# PyTorch orders dtypes by category, bool < integer < float, before width.
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote_types(first: np.dtype, second: np.dtype) -> np.dtype:
    """The dtype of an op on two tensors of these dtypes, as PyTorch's.

    When the categories (bool < integer < float) differ, the higher one's dtype wins
    whatever the widths: int64 + float32 gives float32, bool + int32 gives int32. (NumPy
    would give float64 for int64 + float32, to hold every int64 exactly.) Within a
    category the wider type wins: float32 + float64 gives float64, uint8 + int32 int32.
    PyTorch's exception for a 0-d tensor, which does not widen a tensor with dimensions
    of its category, is not followed: the result never depends on the shapes.
    """
    category_first, category_second = _CATEGORY[first.kind], _CATEGORY[second.kind]
    if category_first != category_second:
        return first if category_first > category_second else second
    return np.promote_types(first, second)


def binary_operands(a: Any, b: Any) -> tuple[np.ndarray | Any, np.ndarray | Any, np.dtype]:
    """The raw operands of a binary op and the result dtype, with Python scalars as
    NumPy scalars of that dtype (so a scalar never upcasts the arrays)."""
    a_is_tensor = isinstance(a, Tensor)
    b_is_tensor = isinstance(b, Tensor)
    if a_is_tensor and b_is_tensor:
        x, y = a._array, b._array
        if x.dtype is y.dtype or x.dtype == y.dtype:  # the common case: nothing to promote
            return x, y, x.dtype
        dtype = promote_types(x.dtype, y.dtype)
        return x.astype(dtype, copy=False), y.astype(dtype, copy=False), dtype
    if a_is_tensor:
        dtype = scalar_dtype(a._array.dtype, b)
        return a._array.astype(dtype, copy=False), dtype.type(b), dtype
    if b_is_tensor:
        dtype = scalar_dtype(b._array.dtype, a)
        return dtype.type(a), b._array.astype(dtype, copy=False), dtype
    raise TypeError(f"expected a Tensor operand, got {type(a).__name__} and {type(b).__name__}")


def operand(value: Any, name: str) -> Any:
    """A tensor or a number as an operand: NumPy arrays become tensors (as PyTorch
    treats them); anything else is a TypeError naming its type."""
    if isinstance(value, _OPERANDS):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._make(dtypes.as_array(value, copy=False))
    raise TypeError(
        f"{name}: unsupported operand of type {type(value).__name__}; expected a Tensor, "
        f"a NumPy array or a Python number"
    )


def broadcast_shape(a: Any, b: Any, name: str) -> tuple[int, ...]:
    """The broadcast shape of two operands, or a ValueError naming both shapes."""
    shape_a = a._array.shape if isinstance(a, Tensor) else ()
    shape_b = b._array.shape if isinstance(b, Tensor) else ()
    if shape_a == shape_b:
        return shape_a
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        raise ValueError(
            f"{name}: shapes {shape_a} and {shape_b} cannot be broadcast together"
        ) from None


def float_data(tensor: Tensor) -> np.ndarray:
    """The data of a tensor a floating op works on; integer tensors become the default
    float dtype (as ``torch.exp`` of an int tensor)."""
    data = tensor._array
    if data.dtype.kind == "f":
        return data
    return data.astype(dtypes.get_default_dtype())


def saved_output(ctx: Any, array: np.ndarray) -> Tensor:
    """``array`` as the output tensor of ``ctx``'s op, kept for its backward.

    For ops whose derivative is written with their output: exp' is exp itself, tanh' is
    ``1 - y*y``, sqrt' is ``1 / (2 y)``. Backward then needs no recomputation, and only
    the output is kept, not the input as well (relu saves its output for PyTorch's
    reason: ``y > 0`` exactly where ``x > 0``, and changing ``x`` in place after relu
    then does not spoil the gradient). The engine does not keep this very tensor, which
    holds the node that would hold it: it keeps a detached twin sharing its data and
    version counter, attached to the node again when a backward pass is recorded
    (``create_graph=True``).
    """
    output = _make(array)
    ctx.save_for_backward(output)
    return output
