"""Sorting and running extremes: sort, argsort, msort, topk, kthvalue, cummax, cummin.

Each op orders one dimension with NumPy (a stable sort; NaN is the largest value, as in
PyTorch) and then takes the chosen elements with :class:`TakeAlong`, whose gradient is
scattered back to the positions the indices name (:class:`ScatterAlong`, whose own
gradient is a take again, so higher-order gradients hold). Indices are int64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function
from minigrad.ops._registry import check, op
from minigrad.ops.reduce import ValuesIndices, _scan_dim
from minigrad.tensor import Tensor


class TakeAlong(Function):
    """The elements of ``x`` at ``indices`` along ``dim`` (NumPy's ``take_along_axis``);
    ``unique`` when no index repeats along ``dim`` (a sort), so the gradient can be put
    back rather than added up (cummax repeats indices)."""

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, indices: np.ndarray, dim: int, unique: bool = True
    ) -> np.ndarray:
        ctx.shape, ctx.indices, ctx.dim, ctx.unique = x._array.shape, indices, dim, unique
        return np.take_along_axis(x._array, indices, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        scattered = ScatterAlong.apply(grad, ctx.indices, ctx.dim, ctx.shape, ctx.unique)
        return scattered, None, None, None


class ScatterAlong(Function):
    """Zeros of ``shape`` with ``x`` added at ``indices`` along ``dim``: TakeAlong's
    backward, whose backward is TakeAlong."""

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, indices: np.ndarray, dim: int, shape: tuple[int, ...],
        unique: bool,
    ) -> np.ndarray:
        ctx.indices, ctx.dim, ctx.unique = indices, dim, unique
        out = np.zeros(shape, x._array.dtype)
        if unique:
            np.put_along_axis(out, indices, x._array, axis=dim)
        else:  # repeated indices add up: np.add.at with open grids for the other dims
            grids = list(np.ix_(*[np.arange(size) for size in indices.shape]))
            grids[dim] = indices
            np.add.at(out, tuple(grids), x._array)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        return TakeAlong.apply(grad, ctx.indices, ctx.dim, ctx.unique), None, None, None, None


def _dim(input: Tensor, dim: Any, name: str) -> int:
    try:
        return int(dtypes.normalize_dim(dim, max(input._array.ndim, 1)))
    except (IndexError, ValueError, TypeError) as error:
        raise type(error)(f"{name}: {error}") from None


def _order(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The int64 indices that sort ``data`` along ``dim``, ties in their original order
    (a stable sort also satisfies ``stable=False``); NaN sorts as the largest value."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable").astype(np.int64, copy=False)
    # Stable descending: sort the reversed data ascending, reverse the order, map back.
    size = data.shape[dim]
    reversed_order = np.argsort(np.flip(data, dim), axis=dim, kind="stable")
    return (size - 1 - np.flip(reversed_order, dim)).astype(np.int64, copy=False)


def _sorted(input: Tensor, dim: Any, descending: bool, name: str) -> tuple[Tensor, Tensor, int]:
    """Values and indices along ``dim`` (a 0-d input is sorted as one element)."""
    d = _dim(input, dim, name)
    if input._array.ndim == 0:
        return input.clone(), Tensor._make(np.zeros((), np.int64)), d
    indices = _order(input._array, d, bool(descending))
    return TakeAlong.apply(input, indices, d), Tensor._make(indices), d


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Sort ``input`` along ``dim``: a named tuple ``(values, indices)`` with int64
    ``indices`` such that ``values == input.gather(dim, indices)``.

    Ascending unless ``descending``; NaN counts as the largest value. minigrad's sort is
    always stable (equal elements keep their order), which ``stable=False`` allows. The
    gradient of ``values`` goes back to the position each value came from.
    """
    values, indices, _ = _sorted(input, dim, descending, "sort")
    return ValuesIndices(values, indices)


def _sort_kwargs(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    return {"dim": int(rng.integers(-ndim, ndim)), "descending": bool(rng.integers(2))}


def _numpy_sort(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    values = np.sort(x, axis=dim)
    return np.flip(values, dim) if descending else values


op(sort, TakeAlong, ScatterAlong, method=True, tests=[
    check(_numpy_sort, function=lambda x, dim, descending: sort(x, dim, descending).values,
          kwargs=_sort_kwargs, min_rank=1, distinct=True),
])


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    d = _dim(input, dim, "argsort")
    if input._array.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(_order(input._array, d, bool(descending)))


op(argsort, method=True)


def msort(input: Tensor) -> Tensor:
    """``input`` sorted ascending along its first dimension (``sort(input, 0).values``)."""
    return sort(input, 0).values


op(msort, TakeAlong, ScatterAlong, method=True, tests=[
    check(lambda x: np.sort(x, axis=0), min_rank=1, distinct=True),
])


def _check_k(input: Tensor, k: Any, d: int, low: int, name: str) -> int:
    if isinstance(k, Tensor):
        k = k.item()
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name}: k must be an int, got {type(k).__name__}")
    size = input._array.shape[d] if input._array.ndim else 1
    if not low <= k <= size:
        raise RuntimeError(
            f"{name}: k={k} is out of range for dimension {d} of size {size} "
            f"(shape {input.shape}): k must be in [{low}, {size}]"
        )
    return int(k)


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> Any:
    """The ``k`` largest elements along ``dim`` (the smallest with ``largest=False``): a
    named tuple ``(values, indices)``, int64 indices into ``dim``.

    The results are always in sorted order (largest first, or smallest first), which
    ``sorted=False`` allows. The gradient goes to the chosen elements.
    """
    d = _dim(input, dim, "topk")
    k = _check_k(input, k, d, 0, "topk")
    if input._array.ndim == 0:  # PyTorch returns the element for k=0 as well as k=1
        return ValuesIndices(input.clone(), Tensor._make(np.zeros((), np.int64)))
    order = _order(input._array, d, bool(largest))
    indices = np.take(order, np.arange(k), axis=d)
    return ValuesIndices(TakeAlong.apply(input, indices, d), Tensor._make(indices))


def _topk_kwargs(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    dim = int(rng.integers(-ndim, ndim))
    return {"k": int(rng.integers(0, shapes[0][dim] + 1)), "dim": dim,
            "largest": bool(rng.integers(2))}


def _numpy_topk(x: np.ndarray, k: int, dim: int, largest: bool) -> np.ndarray:
    return np.take(_numpy_sort(x, dim, largest), np.arange(k), axis=dim)


op(topk, TakeAlong, ScatterAlong, method=True, tests=[
    check(_numpy_topk,
          function=lambda x, k, dim, largest: topk(x, k, dim, largest).values,
          kwargs=_topk_kwargs, min_rank=1, distinct=True),
])


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1): a named tuple
    ``(values, indices)``, ``dim`` dropped unless ``keepdim``; the gradient goes to the
    chosen element."""
    d = _dim(input, dim, "kthvalue")
    k = _check_k(input, k, d, 1, "kthvalue")
    if input._array.ndim == 0:
        return ValuesIndices(input.clone(), Tensor._make(np.zeros((), np.int64)))
    order = _order(input._array, d, False)
    indices = np.take(order, [k - 1], axis=d)
    values = TakeAlong.apply(input, indices, d)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return ValuesIndices(values, Tensor._make(indices))


def _kthvalue_kwargs(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    dim = int(rng.integers(-ndim, ndim))
    return {"k": int(rng.integers(1, shapes[0][dim] + 1)), "dim": dim,
            "keepdim": bool(rng.integers(2))}


def _numpy_kthvalue(x: np.ndarray, k: int, dim: int, keepdim: bool) -> np.ndarray:
    values = np.take(np.sort(x, axis=dim), [k - 1], axis=dim)
    return values if keepdim else values.squeeze(dim)


op(kthvalue, TakeAlong, ScatterAlong, method=True, tests=[
    check(_numpy_kthvalue,
          function=lambda x, k, dim, keepdim: kthvalue(x, k, dim, keepdim).values,
          kwargs=_kthvalue_kwargs, min_rank=1, min_side=1, distinct=True),
])


def _cumulative_extreme(input: Tensor, dim: Any, largest: bool, name: str) -> Any:
    d = _dim(input, dim, name)
    data = input._array
    if data.ndim == 0:
        return ValuesIndices(input.clone(), Tensor._make(np.zeros((), np.int64)))
    values = (np.maximum if largest else np.minimum).accumulate(data, axis=d)
    # The index of the running extreme: the latest position holding it (ties move it on,
    # as PyTorch's), or the latest NaN once one is met (NaN propagates).
    holds = data == values
    if data.dtype.kind == "f":
        holds |= np.isnan(data)
    positions = np.arange(data.shape[d], dtype=np.int64).reshape(
        tuple(-1 if k == d else 1 for k in range(data.ndim))
    )
    indices = np.maximum.accumulate(np.where(holds, positions, 0), axis=d)
    return ValuesIndices(TakeAlong.apply(input, indices, d, False), Tensor._make(indices))


def cummax(input: Tensor, dim: int) -> Any:
    """The running maximum along ``dim``: a named tuple ``(values, indices)`` of
    ``input``'s shape, ``indices`` (int64) the position of each maximum (the latest of
    tied ones; NaN propagates). The gradient goes to those positions."""
    return _cumulative_extreme(input, dim, True, "cummax")


op(cummax, TakeAlong, ScatterAlong, method=True, tests=[
    check(lambda x, dim: np.maximum.accumulate(x, axis=dim),
          function=lambda x, dim: cummax(x, dim).values, kwargs=_scan_dim, min_rank=1,
          distinct=True),
])


def cummin(input: Tensor, dim: int) -> Any:
    """The running minimum along ``dim``: a named tuple ``(values, indices)`` as
    :func:`cummax`'s."""
    return _cumulative_extreme(input, dim, False, "cummin")


op(cummin, TakeAlong, ScatterAlong, method=True, tests=[
    check(lambda x, dim: np.minimum.accumulate(x, axis=dim),
          function=lambda x, dim: cummin(x, dim).values, kwargs=_scan_dim, min_rank=1,
          distinct=True),
])
