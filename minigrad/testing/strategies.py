"""Hypothesis strategies for property-testing tensor code (needs ``hypothesis``).

>>> from hypothesis import given
>>> from minigrad.testing import gradcheck, strategies as mgst
>>> @given(mgst.tensors(shape=mgst.shapes(min_rank=1), requires_grad=True))
... def test_my_op(x):
...     assert gradcheck(my_op, x)

Every strategy draws float64 by default (what gradient checks need) and, unless told
otherwise, C-contiguous, transposed (Fortran-ordered) and strided memory layouts alike,
since kernels that assume contiguous memory are a classic source of wrong results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad import dtypes
from minigrad.ops._registry import OpInfo
from minigrad.tensor import Tensor

__all__ = [
    "LAYOUTS",
    "broadcastable_shapes",
    "elements",
    "linear_shapes",
    "matmul_shapes",
    "op_inputs",
    "shapes",
    "tensors",
]

LAYOUTS = ("contiguous", "transposed", "strided")


def shapes(
    *, min_rank: int = 0, max_rank: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes (tuples of ints)."""
    return hnp.array_shapes(
        min_dims=min_rank, max_dims=max_rank, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    count: int = 2,
    *,
    min_rank: int = 0,
    max_rank: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``count`` shapes that broadcast together (NumPy's rules)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=count, min_dims=min_rank, max_dims=max_rank, min_side=min_side,
        max_side=max_side,
    ).map(lambda result: result.input_shapes)


@st.composite
def matmul_shapes(
    draw: Any, *, max_batch_rank: int = 2, min_side: int = 1, max_side: int = 4
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape pairs valid for ``a @ b``: vectors, matrices and broadcast batches."""
    side = st.integers(min_side, max_side)
    m, k, n = draw(side), draw(side), draw(side)
    a_vector = draw(st.booleans()) and draw(st.booleans())
    b_vector = draw(st.booleans()) and draw(st.booleans())
    batches = draw(
        broadcastable_shapes(2, min_rank=0, max_rank=max_batch_rank, max_side=3)
    )
    a_shape = (k,) if a_vector else batches[0] + (m, k)
    b_shape = (k,) if b_vector else batches[1] + (k, n)
    return a_shape, b_shape


@st.composite
def linear_shapes(
    draw: Any, *, max_batch_rank: int = 2, max_side: int = 4
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Shapes ``(input, weight, bias)`` for ``linear``: ``(*, in)``, ``(out, in)``,
    ``(out,)``."""
    side = st.integers(1, max_side)
    batch = draw(shapes(min_rank=0, max_rank=max_batch_rank, max_side=3))
    features_in, features_out = draw(side), draw(side)
    return batch + (features_in,), (features_out, features_in), (features_out,)


def elements(
    low: float = -2.0,
    high: float = 2.0,
    *,
    kinks: Sequence[float] = (),
    margin: float = 0.05,
    width: Literal[16, 32, 64] = 64,
) -> st.SearchStrategy[float]:
    """Finite floats in ``[low, high]`` at least ``margin`` away from every kink (the
    points where the function under test is not differentiable)."""
    values = st.floats(low, high, allow_nan=False, allow_infinity=False, width=width)
    if not kinks:
        return values
    return values.filter(lambda x: all(abs(x - k) >= margin for k in kinks))


def _place(values: np.ndarray, layout: str) -> np.ndarray:
    """The same values in the requested memory layout."""
    if layout == "transposed" and values.ndim >= 2:
        return np.ascontiguousarray(values.T).T
    if layout == "strided" and values.ndim >= 1:
        base = np.zeros(values.shape[:-1] + (2 * values.shape[-1],), dtype=values.dtype)
        base[..., ::2] = values
        return base[..., ::2]
    return values


@st.composite
def tensors(
    draw: Any,
    *,
    dtype: Any = dtypes.float64,
    shape: Any = None,
    elements: Any = None,
    requires_grad: bool = False,
    layouts: Sequence[str] = LAYOUTS,
) -> Tensor:
    """Tensors of the given dtype and shape (a tuple or a strategy of tuples).

    ``elements`` is a strategy for the values (default: floats in [-2, 2]).
    """
    resolved = np.dtype(dtype)
    if shape is None:
        shape = shapes()
    chosen_shape = draw(shape) if isinstance(shape, st.SearchStrategy) else tuple(shape)
    element_strategy = elements if elements is not None else globals()["elements"](
        width=8 * resolved.itemsize if resolved.kind == "f" else 64
    )
    values = draw(hnp.arrays(resolved, chosen_shape, elements=element_strategy))
    layout = draw(st.sampled_from(list(layouts)))
    tensor = Tensor._make(_place(values, layout))
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _distinct_values(
    draw: Any, count: int, low: float, high: float, kinks: Sequence[float], margin: float
) -> np.ndarray:
    """``count`` values spread over ``[low, high]`` with the ``margin`` around each kink
    cut out, pairwise apart by at least 0.4 of the even spacing, in a random order.

    The values are laid out evenly on the allowed length, as if the cut-out gaps were
    closed, and then the gaps are opened again: skipping a gap only moves values apart.
    (Pushing values that fall near a kink to its edge instead would put several on the
    same point, and a duplicate is exactly what the caller asked to avoid.)
    """
    if count == 0:
        return np.zeros(0)
    # Gaps a hair wider than the margin, so that rounding in the shifts below never
    # leaves a value just inside it (0.3 + 0.4 is 0.7 - 0.5 = 0.19999999999999996).
    wide = margin * (1 + 1e-9)
    gaps = sorted(
        (max(kink - wide, low), min(kink + wide, high))
        for kink in kinks
        if kink + wide > low and kink - wide < high
    )
    merged: list[list[float]] = []
    for start, end in gaps:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    allowed = (high - low) - sum(end - start for start, end in merged)
    spacing = allowed / count
    order = np.array(draw(st.permutations(range(count))), dtype=np.float64)
    jitter = draw(
        hnp.arrays(np.float64, count, elements=st.floats(-0.3, 0.3, allow_nan=False))
    )
    values = low + spacing * (order + 0.5 + jitter)
    # Open the gaps from the left: every value at or past a gap's start moves past it.
    for start, end in merged:
        values[values >= start] += end - start
    return values


@st.composite
def op_inputs(
    draw: Any, info: OpInfo, *, dtype: Any = dtypes.float64, requires_grad: bool = True
) -> tuple[list[Tensor], dict[str, Any]]:
    """Inputs and keyword arguments for one :class:`OpInfo` record.

    Shapes follow ``info.shapes``, values ``info.domain`` (away from ``info.kinks``, and
    pairwise distinct for ``info.distinct``), layouts vary, and ``info.kwargs`` draws the
    remaining arguments from a seeded generator.
    """
    side = dict(min_side=info.min_side, max_side=4)
    if callable(info.shapes):
        input_shapes = info.shapes(np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
    elif info.shapes == "matmul":
        input_shapes = draw(matmul_shapes(max_batch_rank=max(info.max_rank - 2, 0)))
    elif info.shapes == "linear":
        input_shapes = draw(linear_shapes())[: info.arity]
    elif info.shapes == "same" or info.arity == 1:
        one = draw(shapes(min_rank=info.min_rank, max_rank=info.max_rank, **side))
        input_shapes = (one,) * info.arity
    else:
        input_shapes = draw(
            broadcastable_shapes(
                info.arity, min_rank=info.min_rank, max_rank=info.max_rank, **side
            )
        )
    seed = draw(st.integers(0, 2**32 - 1))
    kwargs = info.kwargs(np.random.default_rng(seed), input_shapes) if info.kwargs else {}
    kinks = info.kinks_for(kwargs)
    resolved = np.dtype(dtype)

    if info.distinct:
        total = sum(int(np.prod(s)) for s in input_shapes)
        low, high = info.domain_of(0)
        flat = _distinct_values(draw, total, low, high, kinks, info.margin)
        arrays, start = [], 0
        for shape in input_shapes:
            size = int(np.prod(shape))
            arrays.append(flat[start : start + size].reshape(shape).astype(resolved))
            start += size
    else:
        arrays = []
        for index, shape in enumerate(input_shapes):
            low, high = info.domain_of(index)
            # Drawn in float64 and rounded, so the domain's bounds need not be float32.
            values = elements(low, high, kinks=kinks, margin=info.margin)
            arrays.append(draw(hnp.arrays(np.float64, shape, elements=values)).astype(resolved))

    result = []
    for array in arrays:
        tensor = Tensor._make(_place(array, draw(st.sampled_from(LAYOUTS))))
        if requires_grad and resolved.kind == "f":
            tensor.requires_grad_(True)
        result.append(tensor)
    return result, kwargs
