"""Selecting and writing elements by index tensors: the gather/scatter family (issue 13).

``gather`` reads ``input`` at the positions an index tensor gives along one dimension;
``scatter`` and ``scatter_add`` write (or add) values at such positions. For a 3-d input
and ``dim=1``::

    gather:       out[i][j][k] = input[i][index[i][j][k]][k]
    scatter:      out[i][index[i][j][k]][k] = src[i][j][k]
    scatter_add:  out[i][index[i][j][k]][k] += src[i][j][k]

Two primitives carry the gradients, each the other's backward: :class:`Gather` and
:class:`ScatterAdd` (zeros with values added at the positions); :class:`Scatter` (zeros
with values written there) has Gather as its backward too. ``index_select``,
``take_along_dim``, ``masked_select`` and ``index_fill`` are compositions of these and of
the ops of :mod:`minigrad.ops.shape` and ``where``. As in PyTorch, the results are copies.
Index tensors are saved for backward, so one changed in place before backward raises
instead of giving a wrong gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function
from minigrad.autograd import history as _history
from minigrad.ops._registry import check, op
from minigrad.ops.elementwise import Where, add, masked_fill, where
from minigrad.ops.shape import _ARRAY, BroadcastTo, Index, IndexAdd, broadcast_to, reshape
from minigrad.tensor import Tensor

_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _coordinates(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The NumPy index that reads, for every position of ``index``, the element at the
    same position but with ``index``'s value along ``axis``."""
    grid: list[np.ndarray] = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    return tuple(grid)


class Gather(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int, index: Tensor) -> np.ndarray:
        ctx.shape, ctx.dim = x._array.shape, dim
        ctx.save_for_backward(index)
        return x._array[_coordinates(index._array, dim)]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (index,) = ctx.saved_tensors
        return ScatterAdd.apply(grad, ctx.shape, ctx.dim, index), None, None


class ScatterAdd(Function):
    """Zeros of ``shape`` with ``values`` (of ``index``'s shape) added at the positions
    ``index`` gives along ``dim`` (repeated positions add up)."""

    @staticmethod
    def forward(
        ctx: Any, values: Tensor, shape: tuple[int, ...], dim: int, index: Tensor
    ) -> np.ndarray:
        ctx.dim = dim
        ctx.save_for_backward(index)
        result = np.zeros(shape, dtype=values._array.dtype)
        np.add.at(result, _coordinates(index._array, dim), values._array)
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (index,) = ctx.saved_tensors
        return Gather.apply(grad, ctx.dim, index), None, None, None


class Scatter(Function):
    """Zeros of ``shape`` with ``values`` (of ``index``'s shape) written at the positions
    ``index`` gives along ``dim`` (of repeated positions, the last write is kept; every
    one gets the gradient of the position, as in PyTorch)."""

    @staticmethod
    def forward(
        ctx: Any, values: Tensor, shape: tuple[int, ...], dim: int, index: Tensor
    ) -> np.ndarray:
        ctx.dim = dim
        ctx.save_for_backward(index)
        result = np.zeros(shape, dtype=values._array.dtype)
        result[_coordinates(index._array, dim)] = values._array
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (index,) = ctx.saved_tensors
        return Gather.apply(grad, ctx.dim, index), None, None, None


# --------------------------------------------------------------------------- checks


def _index_tensor(index: Any, name: str) -> Tensor:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}: index must be an integer Tensor, got {type(index).__name__}")
    if index._array.dtype not in _INDEX_DTYPES:
        raise TypeError(f"{name}: index must have dtype int64 or int32, got {index.dtype}")
    return index


def _check_range(index: np.ndarray, size: int, dim: int, name: str, negative: bool) -> None:
    """Refuse index values outside the dimension (``-size <= i`` too when ``negative``)."""
    if index.size == 0:
        return
    low, high = int(index.min()), int(index.max())
    lowest = -size if negative else 0
    if low < lowest or high >= size:
        bad = low if low < lowest else high
        allowed = f"{lowest} <= index < {size}"
        raise IndexError(
            f"{name}: index {bad} is out of range for dimension {dim} of size {size} "
            f"(expected {allowed})"
        )


def _checked_axis(
    input: Tensor, dim: int, index: Tensor, name: str, src: Tensor | None = None
) -> int:
    """Check ``index`` against ``input`` (and ``src``) as PyTorch's gather/scatter do;
    return ``dim`` normalized."""
    ndim = input._array.ndim
    axis = dtypes.normalize_dim(dim, ndim)
    if index._array.ndim != ndim and not (ndim == 0 and index._array.ndim <= 1):
        raise ValueError(
            f"{name}: index has {index._array.ndim} dimensions (shape {index.shape}), but "
            f"input has {ndim} (shape {input.shape}); they must have the same number"
        )
    shape = input._array.shape
    for d, size in enumerate(index._array.shape if ndim else ()):
        if d != axis and size > shape[d]:
            raise ValueError(
                f"{name}: index of shape {index.shape} is larger than input of shape "
                f"{input.shape} at dimension {d} (only dimension {axis}, dim, may be larger)"
            )
        if src is not None and size > src._array.shape[d]:
            raise ValueError(
                f"{name}: index of shape {index.shape} is larger than src of shape "
                f"{src.shape} at dimension {d}"
            )
    _check_range(index._array, shape[axis] if ndim else 1, dim, name, negative=False)
    return axis


def _src_part(src: Tensor, index: Tensor) -> Tensor:
    """The corner of ``src`` that ``index`` covers (PyTorch ignores the rest of it)."""
    if src._array.shape == index._array.shape:
        return src
    return src[tuple(slice(0, size) for size in index._array.shape)]


def _as_vector(input: Tensor, index: Tensor) -> tuple[Tensor, Tensor]:
    """A 0-d input and index as 1-d ones (gather and scatter on scalars)."""
    return reshape(input, 1), Tensor._make(index._array.reshape(1))


# --------------------------------------------------------------------------- gather


def _index_shape(rng: np.random.Generator, shape: Any, axis: int) -> tuple[int, ...]:
    return tuple(
        int(rng.integers(0, 4)) if d == axis else int(rng.integers(1, size + 1))
        for d, size in enumerate(shape)
    )


def _gather_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    dim = int(rng.integers(-len(shape), len(shape)))
    axis = dim % len(shape)
    index = rng.integers(0, shape[axis], size=_index_shape(rng, shape, axis))
    return {"dim": dim, "index": Tensor._make(index)}


def _numpy_gather(x: np.ndarray, dim: int, index: Tensor) -> np.ndarray:
    return x[_coordinates(index._array, dim % x.ndim)]


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """The elements of ``input`` at the positions ``index`` gives along ``dim``:
    ``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim=1``. ``index`` (int64 or
    int32) has ``input``'s number of dimensions and is no larger in the others; the
    result has its shape. ``sparse_grad`` is accepted and ignored (the gradient is
    dense)."""
    index = _index_tensor(index, "gather")
    axis = _checked_axis(input, dim, index, "gather")
    if input._array.ndim == 0:
        vector, position = _as_vector(input, index)
        return reshape(Gather.apply(vector, 0, position), index.shape)
    return Gather.apply(input, axis, index)


op(gather, Gather, ScatterAdd, method=True, tests=[
    check(_numpy_gather, kwargs=_gather_args, min_rank=1, min_side=1),
])


def _take_along_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    if rng.integers(3) == 0:
        size = int(np.prod(shape))
        index = rng.integers(0, size, size=int(rng.integers(0, 5)))
        return {"indices": Tensor._make(index), "dim": None}
    dim = int(rng.integers(-len(shape), len(shape)))
    axis = dim % len(shape)
    # The other dimensions broadcast: 1 on either side, or the same size.
    index_shape = tuple(
        int(rng.integers(0, 4)) if d == axis else (1 if rng.integers(2) else size)
        for d, size in enumerate(shape)
    )
    index = rng.integers(-shape[axis], shape[axis], size=index_shape)
    return {"indices": Tensor._make(index), "dim": dim}


def _numpy_take_along(x: np.ndarray, indices: Tensor, dim: Any) -> np.ndarray:
    if dim is None:
        return np.take_along_axis(x.reshape(-1), indices._array.reshape(-1), 0)
    return np.take_along_axis(x, indices._array, dim)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """The elements of ``input`` at ``indices`` along ``dim`` (NumPy's
    ``take_along_axis``): :func:`gather` once ``input`` and ``indices`` are broadcast
    against each other in every other dimension; negative indices count from the end.
    Without ``dim``, both are flattened first, and (as PyTorch) negative indices are
    refused."""
    indices = _index_tensor(indices, "take_along_dim")
    if dim is None:
        flat = reshape(input, -1)
        positions = indices._array.reshape(-1)
        axis = 0
    else:
        if indices._array.ndim != input._array.ndim:
            raise ValueError(
                f"take_along_dim: input of shape {input.shape} and indices of shape "
                f"{indices.shape} must have the same number of dimensions"
            )
        axis = dtypes.normalize_dim(dim, input._array.ndim)
        if input._array.ndim == 0:
            flat, positions = reshape(input, 1), indices._array.reshape(1)
        else:
            try:
                spread = np.broadcast_shapes(
                    *(
                        tuple(1 if d == axis else s for d, s in enumerate(t._array.shape))
                        for t in (input, indices)
                    )
                )
            except ValueError:
                raise ValueError(
                    f"take_along_dim: input of shape {input.shape} and indices of shape "
                    f"{indices.shape} do not broadcast outside dimension {dim}"
                ) from None
            flat = broadcast_to(input, _with_size(spread, axis, input._array.shape[axis]))
            positions = np.broadcast_to(
                indices._array, _with_size(spread, axis, indices._array.shape[axis])
            )
    size = flat._array.shape[axis]
    _check_range(positions, size, axis if dim is None else dim, "take_along_dim",
                 negative=dim is not None)
    wrapped = Tensor._make(np.where(positions < 0, positions + size, positions))
    result = Gather.apply(flat, axis, wrapped)
    return reshape(result, ()) if dim is not None and input._array.ndim == 0 else result


def _with_size(shape: tuple[int, ...], axis: int, size: int) -> tuple[int, ...]:
    return shape[:axis] + (size,) + shape[axis + 1 :]


op(take_along_dim, Gather, ScatterAdd, BroadcastTo, method=True, tests=[
    check(_numpy_take_along, kwargs=_take_along_args, min_rank=1, min_side=1),
])


def _select_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    dim = int(rng.integers(-len(shape), len(shape)))
    index = rng.integers(0, shape[dim], size=int(rng.integers(0, 5)))
    return {"dim": dim, "index": Tensor._make(index)}


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a 1-d or 0-d
    int64 or int32 tensor), in that order: ``input[:, index]`` for ``dim=1``."""
    index = _index_tensor(index, "index_select")
    if index._array.ndim > 1:
        raise ValueError(
            f"index_select: index must be 1-d or 0-d, got shape {index.shape}"
        )
    positions = index._array.reshape(-1)
    if input._array.ndim == 0:
        _check_range(positions, 1, dim, "index_select", negative=False)
        dtypes.normalize_dim(dim, 0)
        return reshape(Index.apply(reshape(input, 1), _ARRAY, (Tensor._make(positions),)), ())
    axis = dtypes.normalize_dim(dim, input._array.ndim)
    _check_range(positions, input._array.shape[axis], dim, "index_select", negative=False)
    key = (slice(None),) * axis + (_ARRAY,)
    return Index.apply(input, key, (Tensor._make(positions),))


op(index_select, Index, IndexAdd, method=True, tests=[
    check(lambda x, dim, index: np.take(x, index._array, axis=dim), kwargs=_select_args,
          min_rank=1, min_side=1),
])


def _bool_mask(mask: Any, name: str) -> Tensor:
    if not isinstance(mask, Tensor) or mask._array.dtype != np.bool_:
        what = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{name}: mask must be a bool tensor, got {what}")
    return mask


def _mask_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    trailing = shape[int(rng.integers(0, len(shape) + 1)) :]
    mask_shape = tuple(1 if rng.integers(3) == 0 else s for s in trailing)
    return {"mask": Tensor._make(rng.random(mask_shape) < 0.5)}


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` (a bool tensor, broadcast with
    ``input``) is true, as a 1-d tensor in row-major order."""
    mask = _bool_mask(mask, "masked_select")
    try:
        shape = np.broadcast_shapes(input._array.shape, mask._array.shape)
    except ValueError:
        raise ValueError(
            f"masked_select: mask of shape {mask.shape} does not broadcast with input of "
            f"shape {input.shape}"
        ) from None
    chosen = Tensor._make(np.broadcast_to(mask._array, shape))
    return Index.apply(broadcast_to(input, shape), _ARRAY, (chosen,))


op(masked_select, Index, IndexAdd, BroadcastTo, method=True, tests=[
    check(lambda x, mask: x[np.broadcast_to(mask._array, np.broadcast_shapes(
        x.shape, mask._array.shape))] if x.ndim else np.broadcast_to(x, mask._array.shape)[
        mask._array], function=lambda x, mask: masked_select(x, mask), kwargs=_mask_args),
])


# --------------------------------------------------------------------------- scatter


def _scatter_args(rng: np.random.Generator, shapes: Any) -> dict:
    """dim and an index whose positions along dim differ within each line (scatter's
    result is the last write of repeated positions, whose gradient jumps)."""
    shape = shapes[0]
    dim = int(rng.integers(-len(shape), len(shape)))
    axis = dim % len(shape)
    target = _index_shape(rng, shape, axis)
    count = min(target[axis], shape[axis])
    orders = np.argsort(rng.random(shape), axis=axis)
    corner = tuple(slice(0, count) if d == axis else slice(0, s) for d, s in enumerate(target))
    return {"dim": dim, "index": Tensor._make(orders[corner])}


def _scatter_add_args(rng: np.random.Generator, shapes: Any) -> dict:
    """dim and an index no larger than src (of input's shape); positions may repeat."""
    shape = shapes[0]
    dim = int(rng.integers(-len(shape), len(shape)))
    index_shape = tuple(int(rng.integers(0, size + 1)) for size in shape)
    index = rng.integers(0, shape[dim], size=index_shape)
    return {"dim": dim, "index": Tensor._make(index)}


def _numpy_scatter(x: np.ndarray, src: np.ndarray, dim: int, index: Tensor, add: bool
                   ) -> np.ndarray:
    result = x.copy()
    where = _coordinates(index._array, dim % x.ndim)
    part = src[tuple(slice(0, s) for s in index._array.shape)]
    if add:
        np.add.at(result, where, part)
    else:
        result[where] = part
    return result


def _scatter_value_args(rng: np.random.Generator, shapes: Any) -> dict:
    return {**_scatter_args(rng, shapes), "value": float(rng.uniform(-2, 2))}


def _numpy_scatter_value(x: np.ndarray, dim: int, index: Tensor, value: float) -> np.ndarray:
    result = x.copy()
    result[_coordinates(index._array, dim % x.ndim)] = value
    return result


def _scatter_checked(
    input: Tensor, dim: int, index: Any, src: Any, name: str
) -> tuple[int, Tensor, Tensor | None]:
    index = _index_tensor(index, name)
    tensor_src = src if isinstance(src, Tensor) else None
    if tensor_src is not None:
        if tensor_src._array.dtype != input._array.dtype:
            raise TypeError(
                f"{name}: src has dtype {tensor_src.dtype}, but input has {input.dtype}; they "
                f"must be the same (convert src with .to({input.dtype}))"
            )
        if tensor_src._array.ndim != index._array.ndim:
            raise ValueError(
                f"{name}: src of shape {tensor_src.shape} and index of shape {index.shape} "
                "must have the same number of dimensions"
            )
    axis = _checked_axis(input, dim, index, name, tensor_src)
    return axis, index, tensor_src


def _scatter_mask(shape: tuple[int, ...], axis: int, index: Tensor) -> Tensor:
    mask = np.zeros(shape, dtype=np.bool_)
    mask[_coordinates(index._array, axis)] = True
    return Tensor._make(mask)


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """A copy of ``input`` with ``src``'s elements written at the positions ``index``
    gives along ``dim``: ``out[i][index[i][j][k]][k] = src[i][j][k]`` for ``dim=1``.
    ``src`` may be a tensor (of ``input``'s dtype, no smaller than ``index``) or a
    number, also given as ``value=``. Of repeated positions one write is kept (PyTorch
    leaves which undefined)."""
    if reduce is not None:
        raise ValueError(
            f"scatter: reduce={reduce!r} is not supported; use scatter_add for 'add'"
        )
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src (a tensor or number) and value")
    source = src if value is None else value
    if isinstance(source, Tensor) and value is not None:
        raise TypeError("scatter: value must be a number; pass a tensor as src")
    axis, index, tensor_src = _scatter_checked(input, dim, index, source, "scatter")
    if input._array.ndim == 0:
        vector, position = _as_vector(input, index)
        part = None if tensor_src is None else reshape(tensor_src, 1)
        return reshape(scatter(vector, 0, position, part if part is not None else source), ())
    mask = _scatter_mask(input._array.shape, axis, index)
    if tensor_src is None:
        return masked_fill(input, mask, source)
    written = Scatter.apply(_src_part(tensor_src, index), input._array.shape, axis, index)
    return where(mask, written, input)


op(scatter, Scatter, Gather, method=True, tests=[
    check(lambda x, src, dim, index: _numpy_scatter(x, src, dim, index, add=False),
          function=lambda x, src, dim, index: scatter(x, dim, index, src), arity=2,
          shapes="same", kwargs=_scatter_args, min_rank=1, min_side=1),
    check(_numpy_scatter_value, name="scatter_value", kwargs=_scatter_value_args,
          function=lambda x, dim, index, value: scatter(x, dim, index, value=value),
          min_rank=1, min_side=1),
])


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src``'s elements added at the positions ``index``
    gives along ``dim`` (repeated positions add up): ``out[i][index[i][j][k]][k] +=
    src[i][j][k]`` for ``dim=1``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    axis, index, _ = _scatter_checked(input, dim, index, src, "scatter_add")
    if input._array.ndim == 0:
        vector, position = _as_vector(input, index)
        return reshape(scatter_add(vector, 0, position, reshape(src, 1)), ())
    spread = ScatterAdd.apply(_src_part(src, index), input._array.shape, axis, index)
    return add(input, spread)


op(scatter_add, ScatterAdd, Gather, method=True, tests=[
    check(lambda x, src, dim, index: _numpy_scatter(x, src, dim, index, add=True),
          function=lambda x, src, dim, index: scatter_add(x, dim, index, src), arity=2,
          shapes="same", kwargs=_scatter_add_args, min_rank=1, min_side=1),
])


def _index_fill_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    dim = int(rng.integers(-len(shape), len(shape)))
    index = rng.integers(-shape[dim], shape[dim], size=int(rng.integers(0, 4)))
    return {"dim": dim, "index": Tensor._make(index), "value": float(rng.uniform(-2, 2))}


def _numpy_index_fill(x: np.ndarray, dim: int, index: Tensor, value: float) -> np.ndarray:
    result = np.moveaxis(x.copy(), dim, 0)
    result[index._array] = value
    return np.moveaxis(result, 0, dim)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` (a number, or a 0-d tensor that then gets the
    filled places' gradient) in the slices along ``dim`` at the positions in ``index``
    (a 1-d or 0-d int64 tensor; negative positions count from the end)."""
    if not isinstance(index, Tensor) or index._array.dtype != np.int64:
        what = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"index_fill: index must be an int64 tensor, got {what}")
    if index._array.ndim > 1:
        raise ValueError(f"index_fill: index must be 1-d or 0-d, got shape {index.shape}")
    ndim = input._array.ndim
    axis = dtypes.normalize_dim(dim, ndim)
    size = input._array.shape[axis] if ndim else 1
    _check_range(index._array, size, dim, "index_fill", negative=True)
    chosen = np.zeros(size, dtype=np.bool_)
    chosen[index._array.reshape(-1)] = True
    # Along dim, broadcast over the dimensions after it (and those before it, by rank).
    mask = chosen.reshape((size,) + (1,) * (ndim - axis - 1)) if ndim else chosen.reshape(())
    return masked_fill(input, Tensor._make(mask), value)


op(index_fill, Where, method=True, tests=[
    check(_numpy_index_fill, kwargs=_index_fill_args, min_rank=1, min_side=1),
])


# --------------------------------------------------------------------------- in place
#
# Each computes the out-of-place op on the tensor's current values and makes the result
# its new content (minigrad/autograd/history.py), as Tensor.add_ does.


def _change(tensor: Tensor, name: str, operation: Any, *args: Any, **kwargs: Any) -> Tensor:
    _history.check_in_place_allowed(tensor)
    result = operation(_history.snapshot(tensor), *args, **kwargs)
    if result._array.shape != tensor._array.shape:  # checked before anything changes
        raise ValueError(
            f"{name}: the result of shape {result.shape} does not fit the tensor of shape "
            f"{tensor.shape} changed in place (the other arguments must broadcast to it)"
        )
    return _history.commit(tensor, result)


def masked_fill_(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """In place: :func:`masked_fill` (``value`` where ``mask``, broadcast to this
    tensor's shape, is true)."""
    return _change(input, "masked_fill_", masked_fill, mask, value)


op(masked_fill_, Where, method=True, method_only=True)


def index_fill_(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """In place: :func:`index_fill`."""
    return _change(input, "index_fill_", index_fill, dim, index, value)


op(index_fill_, Where, method=True, method_only=True)


def scatter_(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
) -> Tensor:
    """In place: :func:`scatter` (``src``, a tensor or a number, or ``value=``)."""
    return _change(input, "scatter_", scatter, dim, index, src, value, reduce=reduce)


op(scatter_, Scatter, Gather, method=True, method_only=True)


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """In place: :func:`scatter_add`."""
    return _change(input, "scatter_add_", scatter_add, dim, index, src)


op(scatter_add_, ScatterAdd, Gather, method=True, method_only=True)
