"""Binary elementwise kernels with NumPy broadcasting.

Every binary kernel is one loop skeleton, ``_binary_rows``, compiled once per operation
with that operation's scalar function inlined (see ``_compile.specialise``). Broadcasting
is planned in Python before the call: the two operands are brought to a common shape that
the skeleton sees as ``rows x columns``, where along each axis an operand either has
every element (stride 1 between neighbours along a row, a whole row between rows) or one
element repeated (stride 0). Almost every broadcast in practice has that form once
adjacent dimensions are merged — same shapes, a scalar, a bias row ``(N, H) + (H,)``, a
column ``(N, H) * (N, 1)``. Anything else copies the smaller operand to the full shape
first.

Inside the skeleton the innermost loop always runs over a contiguous row view starting at
0, which LLVM vectorises (measured here: at 1e5 float32 elements, ``add`` runs at
NumPy's speed). These loops are bound by memory bandwidth, so they stay serial: a second
core does not add bandwidth here.

Every kernel has a NumPy twin, ``<name>_reference``, used as the test oracle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.kernels._compile import inline, specialise

__all__ = ["add", "div", "maximum", "minimum", "mul", "pow", "sub"]


def _binary_rows(a, a_row, a_column, b, b_row, b_column, out, rows, columns):  # type: ignore[no-untyped-def]
    """``out[i, j] = OPERATION(a[i*a_row + j*a_column], b[i*b_row + j*b_column])`` on
    flat arrays, where the column strides are 0 or 1."""
    for i in range(rows):
        row = out[i * columns : (i + 1) * columns]
        start_a = i * a_row
        start_b = i * b_row
        if a_column == 1 and b_column == 1:
            left = a[start_a : start_a + columns]
            right = b[start_b : start_b + columns]
            for j in range(columns):
                row[j] = OPERATION(left[j], right[j])  # noqa: F821 - bound by specialise
        elif a_column == 1:
            left = a[start_a : start_a + columns]
            y = b[start_b]
            for j in range(columns):
                row[j] = OPERATION(left[j], y)  # noqa: F821
        elif b_column == 1:
            x = a[start_a]
            right = b[start_b : start_b + columns]
            for j in range(columns):
                row[j] = OPERATION(x, right[j])  # noqa: F821
        else:
            value = OPERATION(a[start_a], b[start_b])  # noqa: F821
            for j in range(columns):
                row[j] = value


@inline
def _add(x, y):  # type: ignore[no-untyped-def]
    return x + y


@inline
def _sub(x, y):  # type: ignore[no-untyped-def]
    return x - y


@inline
def _mul(x, y):  # type: ignore[no-untyped-def]
    return x * y


@inline
def _div(x, y):  # type: ignore[no-untyped-def]
    return x / y


@inline
def _pow(x, y):  # type: ignore[no-untyped-def]
    return x**y


@inline
def _maximum(x, y):  # type: ignore[no-untyped-def]
    # NaN wins from either side, as in np.maximum: NaN compares false with everything.
    return x if (x > y or x != x) else y


@inline
def _minimum(x, y):  # type: ignore[no-untyped-def]
    return x if (x < y or x != x) else y


# Plans by pair of shapes: a training loop broadcasts the same shapes at every step, and
# working a plan out costs several times the kernel call for small arrays.
_PLANS: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[Any, ...] | None] = {}
_MAX_PLANS = 4096


def _plan(a: np.ndarray, b: np.ndarray) -> tuple[Any, ...] | None:
    """``_plan_for`` the shapes of ``a`` and ``b``, remembered."""
    key = (a.shape, b.shape)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    plan = _plan_for(a.shape, b.shape)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()  # a bound on memory; the common shapes come straight back
    _PLANS[key] = plan
    return plan


def _plan_for(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[Any, ...] | None:
    """Strides that let ``_binary_rows`` read operands of these shapes broadcast together,
    or None when the broadcast does not fit in rows x columns. Raises ValueError when the
    shapes do not broadcast."""
    shape = np.broadcast_shapes(shape_a, shape_b)
    ndim = len(shape)
    full_a = (1,) * (ndim - len(shape_a)) + shape_a
    full_b = (1,) * (ndim - len(shape_b)) + shape_b
    # Per dimension of the result: does each operand have all elements (True) or one?
    axes: list[tuple[int, bool, bool]] = []
    for size, size_a, size_b in zip(shape, full_a, full_b):
        if size == 1:
            continue
        pattern = (size_a == size, size_b == size)
        if axes and axes[-1][1:] == pattern:  # merge with the previous dimension
            axes[-1] = (axes[-1][0] * size, *pattern)
        else:
            axes.append((size, *pattern))
    if len(axes) > 2:
        return None
    while len(axes) < 2:
        axes.insert(0, (1, True, True))
    (rows, a_rows, b_rows), (columns, a_columns, b_columns) = axes
    a_column, b_column = int(a_columns), int(b_columns)
    a_row = (columns if a_columns else 1) if a_rows and rows > 1 else 0
    b_row = (columns if b_columns else 1) if b_rows and rows > 1 else 0
    return shape, a_row, a_column, b_row, b_column, rows, columns


def _contiguous(x: Any) -> np.ndarray:
    # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
    x = np.asarray(x)
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def _run(kernel: Any, a: np.ndarray, b: Any) -> np.ndarray:
    """Broadcast, run ``kernel`` into a new array, and return it in the result's shape.

    ``b`` may be a NumPy scalar of ``a``'s dtype (or the other way round).
    """
    a, b = _contiguous(a), _contiguous(b)
    if a.dtype != b.dtype or a.dtype.kind != "f":
        raise TypeError(f"binary kernels need two float32 or two float64 operands, got "
                        f"{a.dtype} and {b.dtype}")
    if a.shape == b.shape:
        out = np.empty(a.shape, dtype=a.dtype)
        kernel(a.reshape(-1), 0, 1, b.reshape(-1), 0, 1, out.reshape(-1), 1, a.size)
        return out
    plan = _plan(a, b)
    if plan is None:
        # Spread the operands to the full shape; they are then plain rows.
        shape = np.broadcast_shapes(a.shape, b.shape)
        return _run(kernel, np.broadcast_to(a, shape).copy(), np.broadcast_to(b, shape).copy())
    shape, a_row, a_column, b_row, b_column, rows, columns = plan
    out = np.empty(shape, dtype=a.dtype)
    if math.prod(shape):
        kernel(a.reshape(-1), a_row, a_column, b.reshape(-1), b_row, b_column,
               out.reshape(-1), rows, columns)
    return out


def _binary(name: str, scalar: Any) -> Any:
    """The entry point of one binary kernel: call it with two arrays (or an array and a
    NumPy scalar) of one float dtype; it returns a new array of their broadcast shape.

    The op layer's usual call, two contiguous arrays of one shape and dtype, goes straight
    to the kernel (each check here costs a few percent of a small kernel's time)."""
    kernel = specialise(_binary_rows, "_" + name, OPERATION=scalar)

    def entry(a: Any, b: Any) -> np.ndarray:
        if (
            type(a) is np.ndarray
            and type(b) is np.ndarray
            and a.shape == b.shape
            and a.dtype is b.dtype
            and a.dtype.kind == "f"
            and a.flags.c_contiguous
            and b.flags.c_contiguous
        ):
            out = np.empty(a.shape, a.dtype)
            kernel(a.ravel(), 0, 1, b.ravel(), 0, 1, out.ravel(), 1, a.size)
            return out
        if type(a) is np.ndarray and a.flags.c_contiguous and type(b) is a.dtype.type:
            # An array and a scalar of its dtype (x * 2.0): the scalar is a column of one.
            out = np.empty(a.shape, a.dtype)
            kernel(a.ravel(), 0, 1, np.array([b]), 0, 0, out.ravel(), 1, a.size)
            return out
        return _run(kernel, a, b)

    entry.__name__ = entry.__qualname__ = name
    entry.kernel = kernel  # type: ignore[attr-defined]
    return entry


add = _binary("add", _add)
sub = _binary("sub", _sub)
mul = _binary("mul", _mul)
div = _binary("div", _div)
pow = _binary("pow", _pow)  # noqa: A001
maximum = _binary("maximum", _maximum)
minimum = _binary("minimum", _minimum)

add_reference = np.add
sub_reference = np.subtract
mul_reference = np.multiply
div_reference = np.divide
pow_reference = np.power
maximum_reference = np.maximum
minimum_reference = np.minimum
