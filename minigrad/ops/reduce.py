"""Reductions: sum, mean, max/min (with indices), var, std, logsumexp, softmax, norm; the
scans cumsum and cumprod, and prod.

Every reduction takes PyTorch's ``dim``/``keepdim``; ``sum``, ``mean``, ``max``, ``min``,
``var`` and ``std`` also take NumPy's ``axis``/``keepdims``. The two spellings differ in
one place, each following its library: ``dim=()`` (or ``[]``) reduces over every
dimension, as PyTorch, and ``axis=()`` over none, as NumPy. A 0-d tensor accepts ``dim``
0 and -1, as PyTorch, and is its own reduction.

Most ops have a backward rule of their own, written with Tensor ops; the minima are the
maxima of the negated input, ``std`` is the square root of ``var`` (with a rule of its
own at 0) and the inf-norms are maxima of ``abs``. Where a derivative is a convention
(ties, zeros, NaN, a variance with no degrees of freedom) the rules follow PyTorch's,
and the comments say which. Each public function is registered right after its classes
(see :mod:`minigrad.ops._registry`).
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import Any

import numpy as np

from minigrad import autograd, dtypes
from minigrad.autograd import Function
from minigrad.kernels import reduce as kernels
from minigrad.kernels import unary
from minigrad.ops._common import float_data, saved_output
from minigrad.ops._registry import check, op
from minigrad.ops.elementwise import abs, exp, where
from minigrad.tensor import Tensor

#: What ``max``/``min`` with a ``dim`` return: a named pair that unpacks like a tuple.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


# --------------------------------------------------------------------------- dimensions

# Every dimension of an array of each rank (NumPy allows at most 64).
_ALL_DIMS = [tuple(range(ndim)) for ndim in range(65)]


def _names_no_dim(dim: Any) -> bool:
    """Whether PyTorch reads ``dim`` as "every dimension": ``None``, ``()`` or ``[]``."""
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def _checked(function: Any, dim: Any, ndim: int, name: str) -> Any:
    """``function(dim, ndim)`` from :mod:`minigrad.dtypes`, its errors prefixed with the
    name of the reduction (they already name the dimension and the tensor's rank)."""
    try:
        return function(dim, ndim)
    except (IndexError, ValueError, TypeError) as error:
        raise type(error)(f"{name}: {error}") from None


def _torch_dims(input: Tensor, dim: Any, name: str) -> tuple[int, ...]:
    """The sorted dimensions a reduction runs over, from PyTorch's ``dim``.

    ``None``, ``()`` and ``[]`` mean every dimension. A 0-d tensor takes 0 and -1 (as
    PyTorch) but has no dimension to reduce: the result is ``()``, and the reduction is
    the identity on its one element.
    """
    ndim = input._array.ndim
    if _names_no_dim(dim):
        return _ALL_DIMS[ndim]
    dims = _checked(dtypes.normalize_dims, dim, ndim, name)
    return dims if ndim else ()


def _torch_dim(input: Tensor, dim: Any, name: str) -> int:
    """One dimension (an int, as PyTorch's softmax or argmax want), checked."""
    return int(_checked(dtypes.normalize_dim, dim, input._array.ndim, name))


def _dims_of(
    input: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: Any, name: str
) -> tuple[tuple[int, ...], bool]:
    """The sorted reduced dimensions and keepdim, from either spelling of the arguments:
    ``dim`` as PyTorch (``()`` is every dimension), ``axis`` as NumPy (``()`` is none)."""
    if keepdims is not None:
        keepdim = keepdims
    if axis is None:
        return _torch_dims(input, dim, name), bool(keepdim)
    if dim is not None:
        raise TypeError(f"{name}: give dim or axis, not both")
    if isinstance(axis, (tuple, list)) and len(axis) == 0:
        return (), bool(keepdim)
    return _torch_dims(input, axis, name), bool(keepdim)


def _keepdim_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if d in dims else s for d, s in enumerate(shape))


def _dropped_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s for d, s in enumerate(shape) if d not in dims)


def _restore(grad: Tensor, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """A reduced gradient reshaped so it broadcasts against the input (keepdim form)."""
    return grad if keepdim else grad.reshape(_keepdim_shape(shape, dims))


def _check_not_empty(x: Tensor | np.ndarray, dims: tuple[int, ...], name: str) -> None:
    """Maxima and minima have no identity: reducing over a dimension of size 0 is an
    error (as PyTorch). Empty dimensions that are kept give an empty result."""
    shape = x.shape
    empty = [d for d in dims if shape[d] == 0]
    if empty:
        raise RuntimeError(
            f"{name}: cannot reduce a tensor of shape {shape} over its empty dimension "
            f"{empty[0]}: the operation has no identity"
        )


def _float_input(input: Tensor, name: str) -> Tensor:
    if input._array.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating tensor, got dtype {input.dtype}")
    return input


# The dimensions the records reduce over, drawn for the input's shape.


def _some_dims(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    if ndim == 0:
        return {"dim": None, "keepdim": bool(rng.integers(2))}
    count = int(rng.integers(1, ndim + 1))
    dims = tuple(int(d) for d in rng.choice(ndim, size=count, replace=False))
    return {"dim": dims, "keepdim": bool(rng.integers(2))}


def _one_dim(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    return {"dim": int(rng.integers(-ndim, ndim)), "keepdim": bool(rng.integers(2))}


# --------------------------------------------------------------------------- sums


def _sum_over(data: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """The sum of an array over exactly ``dims`` (none when ``dims`` is empty and the
    array is not 0-d; the kernel would read ``()`` as every dimension), a new array."""
    if data.dtype.kind != "f":
        # Integers and bools sum to int64, as PyTorch (NumPy would give uint64 for uint8).
        return np.asarray(np.sum(data, axis=dims, keepdims=keepdim, dtype=np.int64))
    if not dims and data.ndim:
        return data.copy()
    ordered = sorted(dims)
    if len(ordered) > 1 and ordered[-1] - ordered[0] != len(ordered) - 1:
        # Dimensions apart, (0, 2) of (N, C, L) as a bias gradient: one at a time, the
        # last first, is several times faster than the kernel's strided walk.
        for dim in reversed(ordered):
            data = kernels.sum(data, (dim,), True)
        return data if keepdim else data.reshape(
            [size for axis, size in enumerate(data.shape) if axis not in ordered]
        )
    return kernels.sum(data, dims, keepdim)


class Sum(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x._array.shape, dims, keepdim
        return _sum_over(x._array, dims, keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return SpreadReduced.apply(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None


class SpreadReduced(Function):
    """A reduced tensor spread back over the dimensions it was reduced over: the
    backward of :class:`Sum` (and, the other way round, Sum is its backward)."""

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool
    ) -> np.ndarray:
        ctx.dims, ctx.keepdim = dims, keepdim
        data = x._array
        # A new contiguous array (what the next kernel wants), filled by broadcasting.
        spread = np.empty(shape, dtype=data.dtype)
        if data.ndim == 0:
            spread.fill(data)  # the gradient of a total: one value everywhere
        else:
            spread[...] = data if keepdim else data.reshape(_keepdim_shape(shape, dims))
        return spread

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return Sum.apply(grad, ctx.dims, ctx.keepdim), None, None, None


class SumToSize(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x._array.shape
        extra = x._array.ndim - len(shape)
        dims = tuple(range(extra)) + tuple(
            extra + i for i, s in enumerate(shape) if s == 1 and x._array.shape[extra + i] != 1
        )
        return _sum_over(x._array, dims, True).reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad.broadcast_to(ctx.shape), None


def _smaller_shape(rng: np.random.Generator, shapes: Any) -> dict:
    shape = shapes[0]
    keep = int(rng.integers(0, len(shape) + 1))
    target = tuple(1 if rng.random() < 0.5 else s for s in shape[len(shape) - keep :])
    return {"size": target}


def _numpy_sum_to_size(x: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    extra = x.ndim - len(size)
    summed = x.sum(axis=tuple(range(extra))) if extra else x
    dims = tuple(i for i, s in enumerate(size) if s == 1)
    return summed.sum(axis=dims, keepdims=True) if dims else summed


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum ``input`` down to ``size``, a shape it was broadcast from (the inverse of
    broadcasting: leading dimensions disappear, stretched ones shrink back to 1)."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    have = input._array.shape
    extra = len(have) - len(shape)
    if extra < 0 or builtins.any(s != 1 and s != h for s, h in zip(shape, have[extra:])):
        raise ValueError(f"sum_to_size: a tensor of shape {have} cannot be summed to {shape}")
    if have == shape:
        return input
    return SumToSize.apply(input, shape)


op(sum_to_size, SumToSize, method=True, tests=[
    check(_numpy_sum_to_size, function=lambda x, size: sum_to_size(x, size),
          kwargs=_smaller_shape, max_rank=4),
])


def sum(  # noqa: A001
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or ``None`` for all dimensions).

    ``dim=()`` sums over every dimension (as PyTorch), ``axis=()`` over none (as NumPy).
    Integer and bool tensors sum to int64 (as PyTorch); ``dtype`` converts the input
    first (``x.sum(dtype=minigrad.float64)``).
    """
    if dtype is not None:
        input = input.to(dtype)
    if dim is None and axis is None and keepdims is None and type(keepdim) is bool:
        return Sum.apply(input, _ALL_DIMS[input._array.ndim], keepdim)  # the total, quickly
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "sum")
    return Sum.apply(input, dims, keepdim)


op(sum, Sum, SpreadReduced, method=True, tests=[
    check(np.sum, name="sum_all", function=lambda x: sum(x), max_rank=4),
    check(lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim),
          name="sum_dims", kwargs=_some_dims, max_rank=4),
])


class Mean(Function):
    """The mean over ``dims``. Its own op (not a sum times 1/n) so that, as PyTorch's,
    it keeps no tensor for backward and can be backpropagated through twice."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x._array.shape, dims, keepdim
        ctx.count = math.prod(x._array.shape[d] for d in dims)
        total = _sum_over(x._array, dims, keepdim)
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean is NaN
            return np.asarray(total / total.dtype.type(ctx.count) if ctx.count else total * np.nan)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        spread = SpreadReduced.apply(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return spread * (1.0 / ctx.count) if ctx.count else spread, None, None


def mean(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Arithmetic mean over ``dim`` (NaN for an empty reduction, as PyTorch).

    ``dim=()`` averages over every dimension (as PyTorch), ``axis=()`` over none (as
    NumPy). The mean of an integer or bool tensor raises a ``TypeError``, as PyTorch:
    there is no good result dtype. Pass ``dtype`` (``x.mean(dtype=minigrad.float32)``) or
    call ``x.float()`` first.
    """
    if dtype is not None:
        input = input.to(dtype)
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "mean")
    if input._array.dtype.kind != "f":
        raise TypeError(
            f"mean: needs a floating tensor, got dtype {input.dtype} (as PyTorch); pass "
            f"dtype=minigrad.float32 or convert with .float() first"
        )
    return Mean.apply(input, dims, keepdim)


op(mean, Mean, SpreadReduced, method=True, tests=[
    check(lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim),
          name="mean_dims", kwargs=_some_dims, min_side=1),
])


# --------------------------------------------------------------------------- maxima


class Amax(Function):
    """The largest value over ``dims``; tied maxima share the gradient equally.

    ``nan_wins`` chooses between PyTorch's two rules for a NaN maximum: its ``max()``
    over all elements (and its inf-norm) gives the gradient to the NaN elements, shared
    equally like ties; its ``amax`` gives the whole slice a NaN gradient (no element
    equals NaN, and each element's share is 0/0).
    """

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool, nan_wins: bool
    ) -> np.ndarray:
        if dims:
            values = kernels.max_values(x._array, dims, keepdim=True)
        else:  # nothing to reduce (a 0-d tensor, or NumPy's axis=()): each is its own max
            values = x._array.copy()
        ctx.save_for_backward(x)
        ctx.values, ctx.dims, ctx.keepdim, ctx.nan_wins = values, dims, keepdim, nan_wins
        return values if keepdim else values.reshape(_dropped_shape(x._array.shape, dims))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (x,) = ctx.saved_tensors
        hits = np.asarray(x._array == ctx.values)  # an array even when 0-d
        if ctx.nan_wins:
            hits |= np.isnan(x._array) & np.isnan(ctx.values)
        share = hits.astype(grad._array.dtype)
        with np.errstate(invalid="ignore"):  # 0/0 where nothing equals a NaN maximum
            share /= np.sum(share, axis=ctx.dims, keepdims=True)
        grad = _restore(grad, x._array.shape, ctx.dims, ctx.keepdim)
        return grad * Tensor._make(share), None, None, None


class MaxDim(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
        # Ties and NaN: the first maximum, or the first NaN, wins (as PyTorch).
        values, indices = kernels.max_with_indices(x._array, (dim,), keepdim=True)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.indices = x._array.shape, dim, keepdim, indices
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    @staticmethod
    def backward(ctx: Any, grad: Tensor, grad_indices: Any) -> tuple[Tensor, None, None]:
        # The gradient goes to the one element each index names.
        chosen = np.zeros(ctx.shape, grad._array.dtype)
        np.put_along_axis(chosen, ctx.indices, 1, axis=ctx.dim)
        grad = _restore(grad, ctx.shape, (ctx.dim,), ctx.keepdim)
        return grad * Tensor._make(chosen), None, None


def _flipped(input: Tensor) -> Tensor:
    """``input`` with its order reversed exactly, so that a minimum is a maximum: ``-x``
    for floats (differentiable), ``~x`` for integers and bools (which have no gradient;
    ``-x`` would overflow at the type's minimum, wrap around for uint8, and is refused
    for bool)."""
    if input._array.dtype.kind == "f":
        return -input
    return Tensor._make(np.asarray(np.invert(input._array)))


def _amax(input: Tensor, dims: tuple[int, ...], keepdim: bool, nan_wins: bool, name: str) -> Tensor:
    _check_not_empty(input, dims, name)
    return Amax.apply(input, dims, keepdim, nan_wins)


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest value over ``dim`` (every dimension for ``None`` or ``()``).

    Ties share the gradient equally; a slice whose maximum is NaN gets NaN gradients
    (both as PyTorch's ``amax``).
    """
    return _amax(input, _torch_dims(input, dim, "amax"), bool(keepdim), False, "amax")


op(amax, Amax, method=True, tests=[
    check(lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim),
          name="amax_dims", kwargs=_some_dims, min_side=1, distinct=True),
])


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest value over ``dim``; ties and NaN as :func:`amax`."""
    dims = _torch_dims(input, dim, "amin")
    return _flipped(_amax(_flipped(input), dims, bool(keepdim), False, "amin"))


op(amin, Amax, method=True, tests=[
    check(lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim),
          name="amin_dims", kwargs=_some_dims, min_side=1, distinct=True),
])


def _max(input: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: Any, name: str) -> Any:
    """:func:`max`, with ``name`` in its errors (:func:`min` is the max of the flipped
    input)."""
    if dim is None and axis is None:
        # Over all elements: ties, and NaN maxima, share the gradient (PyTorch's max()).
        return _amax(input, _ALL_DIMS[input._array.ndim], False, True, name)
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, name)
    named = dim if axis is None else axis
    if isinstance(named, (tuple, list)) and len(named) != 1:
        # Several dimensions (minigrad's extension; NumPy's max takes them): the values,
        # with amax's gradient.
        return _amax(input, dims, keepdim, False, name)
    if not dims:
        # A 0-d tensor: the reduction of the one-element vector it holds.
        values, indices = MaxDim.apply(input.reshape(1), 0, False)
    else:
        _check_not_empty(input, dims, name)
        values, indices = MaxDim.apply(input, dims[0], keepdim)
    return ValuesIndices(values, indices)


def max(  # noqa: A001
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """The largest element, or with ``dim`` a pair ``(values, indices)`` along it.

    As PyTorch: ``x.max()`` is a 0-d tensor; tied maxima share its gradient equally (NaN
    elements, if there are any, are the maximum and share it); ``x.max(dim)`` is a
    named tuple with
    ``values`` (differentiable; the gradient goes to the element at ``indices``: the
    first maximum, or the first NaN) and ``indices`` (int64). With another tensor as
    ``dim`` it is :func:`maximum`.
    """
    if isinstance(dim, Tensor):
        from minigrad.ops.elementwise import maximum

        return maximum(input, dim)
    return _max(input, dim, keepdim, axis, keepdims, "max")


op(max, Amax, MaxDim, method=True, tests=[
    check(np.max, name="max_all", function=lambda x: max(x), min_side=1, distinct=True),
    check(lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim), name="max_dim",
          function=lambda x, dim, keepdim: max(x, dim, keepdim).values,
          kwargs=_one_dim, min_rank=1, min_side=1, distinct=True),
])


def min(  # noqa: A001
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """The smallest element, or with ``dim`` a pair ``(values, indices)`` along it."""
    if isinstance(dim, Tensor):
        from minigrad.ops.elementwise import minimum

        return minimum(input, dim)
    result = _max(_flipped(input), dim, keepdim, axis, keepdims, "min")
    if isinstance(result, ValuesIndices):
        return ValuesIndices(_flipped(result.values), result.indices)
    return _flipped(result)


op(min, Amax, MaxDim, method=True, tests=[
    check(lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim), name="min_dim",
          function=lambda x, dim, keepdim: min(x, dim, keepdim).values,
          kwargs=_one_dim, min_rank=1, min_side=1, distinct=True),
])


def _index_of_max(data: np.ndarray, dim: int) -> np.ndarray:
    """The index of the largest element along ``dim`` (dropped from the shape), int64:
    the first of tied maxima; a NaN counts as the largest value (as PyTorch)."""
    if data.dtype.kind != "f":
        return np.asarray(np.argmax(data, axis=dim), dtype=np.int64)
    _, indices = kernels.max_with_indices(data, (dim,))
    return indices


def _argmax(data: np.ndarray, dim: Any, keepdim: bool, name: str) -> Tensor:
    if dim is not None:
        dim = _checked(dtypes.normalize_dim, dim, data.ndim, name)
    if dim is None or data.ndim == 0:
        # Over all elements, in C order (a 0-d tensor's dim 0 is all of it); keepdim
        # keeps every dimension, with size 1 (as PyTorch).
        _check_not_empty(data, _ALL_DIMS[data.ndim], name)
        index = _index_of_max(data.reshape(-1), 0)
        return Tensor._make(index.reshape((1,) * data.ndim if keepdim else ()))
    _check_not_empty(data, (dim,), name)
    indices = _index_of_max(data, dim)
    return Tensor._make(np.expand_dims(indices, dim) if keepdim else indices)


def _argmax_dim(dim: Any, keepdim: bool, axis: Any, keepdims: Any, name: str) -> Any:
    """``dim`` and ``keepdim`` from either spelling: PyTorch's, or NumPy's ``axis`` and
    ``keepdims`` (the README's promise for reductions)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}: give dim or axis, not both (got dim={dim}, axis={axis})")
        dim = axis
    return dim, bool(keepdim if keepdims is None else keepdims)


def argmax(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None).

    Ties give the first index; a NaN counts as the largest value (as PyTorch). Without
    ``dim``, ``keepdim=True`` gives the index in a tensor of shape ``(1,) * ndim``.
    NumPy's ``axis``/``keepdims`` are accepted for ``dim``/``keepdim``.
    """
    dim, keepdim = _argmax_dim(dim, keepdim, axis, keepdims, "argmax")
    return _argmax(input._array, dim, keepdim, "argmax")


op(argmax, method=True)


def argmin(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None);
    ties, NaN, ``keepdim`` and ``axis``/``keepdims`` as :func:`argmax`."""
    dim, keepdim = _argmax_dim(dim, keepdim, axis, keepdims, "argmin")
    data = input._array
    flipped = np.negative(data) if data.dtype.kind == "f" else np.invert(data)
    return _argmax(np.asarray(flipped), dim, keepdim, "argmin")


op(argmin, method=True)


# --------------------------------------------------------------------------- spread


class Var(Function):
    """The variance over ``dims``: ``sum((x - mean)**2) / max(0, N - correction)``."""

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        dims: tuple[int, ...],
        correction: float,
        keepdim: bool,
        no_dim_named: bool,
    ) -> np.ndarray:
        data = x._array
        count = math.prod(data.shape[d] for d in dims)
        # As PyTorch, the divisor is never negative: with correction >= N the variance is
        # inf, or NaN when every element equals the mean (0 / 0).
        divisor = builtins.max(0, count - correction)
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean; divisor 0
            mean = _sum_over(data, dims, True) / data.dtype.type(count)
            centred = data - mean
            out = np.asarray(_sum_over(centred * centred, dims, keepdim) / data.dtype.type(divisor))
        ctx.save_for_backward(x)
        ctx.mean, ctx.dims, ctx.keepdim = mean, dims, keepdim
        ctx.dof, ctx.no_dim_named = count - correction, no_dim_named
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        (x,) = ctx.saved_tensors
        grad = _restore(grad, x._array.shape, ctx.dims, ctx.keepdim)
        if ctx.dof <= 0 and ctx.no_dim_named:
            # PyTorch's rule for a variance over all elements, with no dim named, and no
            # degrees of freedom left: 2 (x - mean) / 0 read as +inf whatever the sign,
            # NaN where x equals the mean.
            slope = np.where(x._array == ctx.mean, np.nan, np.inf).astype(x._array.dtype)
            return grad * Tensor._make(slope), None, None, None, None
        # d var / dx = 2 (x - mean) / (N - correction) (the mean's own derivative cancels:
        # the deviations sum to 0). With a named dim PyTorch divides by N - correction
        # itself: 0 gives +-inf (NaN at the mean), a negative one a finite gradient.
        scale = 2.0 / ctx.dof if ctx.dof else math.inf
        centred = x - Mean.apply(x, ctx.dims, True)
        return grad * centred * scale, None, None, None, None


def var(
    input: Tensor,
    dim: Any = None,
    *,
    correction: float = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)**2) / max(0, N - correction)``.

    ``correction=1`` (the default) is the unbiased estimator; ``unbiased=False`` is the
    older spelling of ``correction=0``. With ``correction >= N`` the result is inf (NaN if
    all elements are equal), with PyTorch's gradients. ``dim=()`` reduces over every
    dimension (as PyTorch), ``axis=()`` over none (as NumPy).
    """
    _float_input(input, "var")
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "var")
    if unbiased is not None:
        correction = 1 if unbiased else 0
    # PyTorch's backward has a rule of its own when no dimension is named (or the tensor
    # is 0-d); dim=() counts as none named (PyTorch's gradient for it divides by 1 - c).
    no_dim_named = (_names_no_dim(dim) and axis is None) or input._array.ndim == 0
    return Var.apply(input, dims, correction, keepdim, no_dim_named)


op(var, Var, Mean, method=True, tests=[
    check(lambda x, dim, keepdim: np.var(x, axis=dim, keepdims=keepdim, ddof=1),
          name="var_dims", kwargs=_some_dims, min_rank=1, min_side=2, distinct=True),
])


class StdFromVar(Function):
    """The square root of a variance, with PyTorch's gradient for ``std``: 0 where the
    standard deviation is 0 (where ``sqrt``'s would be infinite, and the variance's
    gradient 0, so their product NaN)."""

    @staticmethod
    def forward(ctx: Any, variance: Tensor) -> Tensor:
        return saved_output(ctx, np.sqrt(variance._array, out=np.empty_like(variance._array)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (std,) = ctx.saved_tensors
        zero = std == 0
        # The inner where keeps the division finite, so a second derivative is not NaN.
        return where(zero, 0.0, grad / (2.0 * where(zero, 1.0, std)))


def std(
    input: Tensor,
    dim: Any = None,
    *,
    correction: float = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Standard deviation over ``dim``: the square root of :func:`var` (same arguments).

    Where it is 0 its gradient is 0 (as PyTorch), not the NaN of ``sqrt(var)``.
    """
    variance = var(
        input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis,
        keepdims=keepdims,
    )
    return StdFromVar.apply(variance)


op(std, Var, StdFromVar, method=True, tests=[
    check(lambda x, dim, keepdim: np.std(x, axis=dim, keepdims=keepdim, ddof=1),
          name="std_dims", kwargs=_some_dims, min_rank=1, min_side=2, distinct=True),
])


# --------------------------------------------------------------------------- log-sum-exp


def _peak(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    """The maximum over ``dims`` (kept, size 1), the shift that keeps ``exp`` finite;
    zeros when ``x`` is empty (nothing to shift, and the kernel needs an element)."""
    if x.size == 0:
        return np.zeros(_keepdim_shape(x.shape, dims), dtype=x.dtype)
    return kernels.max_values(x, dims, keepdim=True)


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
        # Shift by the maximum, except an infinite one (as PyTorch): an all -inf slice
        # then gives log(0) = -inf rather than NaN, and a +inf one gives +inf. An empty
        # slice also sums to 0: -inf, the identity of log-sum-exp.
        peak = _peak(x._array, dims)
        peak = np.where(np.isfinite(peak), peak, 0).astype(x._array.dtype)
        total = _sum_over(unary.exp(x._array - peak), dims, True)
        result = unary.log(total) + peak
        if not keepdim:
            result = result.reshape(_dropped_shape(x._array.shape, dims))
        out = Tensor._make(np.asarray(result))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        x, out = ctx.saved_tensors
        out = _restore(out, x._array.shape, ctx.dims, ctx.keepdim)
        grad = _restore(grad, x._array.shape, ctx.dims, ctx.keepdim)
        return grad * exp(x - out), None, None


def _numpy_logsumexp(x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
    peak = np.max(x, axis=dim, keepdims=True)
    result = np.log(np.sum(np.exp(x - peak), axis=dim, keepdims=True)) + peak
    return result if keepdim else np.squeeze(result, axis=dim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed stably through the max shift.

    ``dim=()`` reduces over every dimension; an empty reduction gives ``-inf``; integer
    and bool tensors give the default float dtype (all as PyTorch).
    """
    if input._array.dtype.kind != "f":
        input = Tensor._make(float_data(input))
    return LogSumExp.apply(input, _torch_dims(input, dim, "logsumexp"), bool(keepdim))


op(logsumexp, LogSumExp, method=True,
   tests=[check(_numpy_logsumexp, kwargs=_some_dims, min_side=1, domain=(-5.0, 5.0))])


class Softmax(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> Tensor:
        # Shifted by the maximum itself (as PyTorch): a slice with +inf, or all -inf,
        # gives NaN everywhere (inf - inf).
        with np.errstate(invalid="ignore"):
            numerators = unary.exp(x._array - _peak(x._array, (dim,)))
        ctx.dim = dim
        return saved_output(ctx, numerators / kernels.sum(numerators, (dim,), keepdim=True))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        return y * (grad - sum(grad * y, ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> Tensor:
        with np.errstate(invalid="ignore"):  # NaN slices as in Softmax
            shifted = x._array - _peak(x._array, (dim,))
        total = kernels.sum(unary.exp(shifted), (dim,), keepdim=True)
        ctx.dim = dim
        return saved_output(ctx, shifted - unary.log(total))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        return grad - exp(y) * sum(grad, ctx.dim, keepdim=True), None


def _numpy_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    return x - _numpy_logsumexp(x, dim, True)


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, stable for large inputs."""
    _float_input(input, "softmax")
    dim = _torch_dim(input, dim, "softmax")
    if input._array.ndim == 0:  # the one-element vector it holds: 1, with gradient 0
        return Softmax.apply(input.reshape(1), 0).reshape(())
    return Softmax.apply(input, dim)


op(softmax, Softmax, method=True, tests=[
    check(lambda x, dim, keepdim: np.exp(_numpy_log_softmax(x, dim)),
          function=lambda x, dim, keepdim: softmax(x, dim), kwargs=_one_dim,
          min_rank=1, min_side=1),
])


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, stable for large inputs."""
    _float_input(input, "log_softmax")
    dim = _torch_dim(input, dim, "log_softmax")
    if input._array.ndim == 0:  # the one-element vector it holds: 0, with gradient 0
        return LogSoftmax.apply(input.reshape(1), 0).reshape(())
    return LogSoftmax.apply(input, dim)


op(log_softmax, LogSoftmax, method=True, tests=[
    check(lambda x, dim, keepdim: _numpy_log_softmax(x, dim),
          function=lambda x, dim, keepdim: log_softmax(x, dim), kwargs=_one_dim,
          min_rank=1, min_side=1),
])


# --------------------------------------------------------------------------- norms


def _sgn(data: np.ndarray) -> np.ndarray:
    """PyTorch's sign for derivatives: -1, 0 or 1, and 0 at NaN. A constant in the
    graph: its derivative is 0 wherever it has one."""
    slope = np.sign(data, out=np.empty_like(data))  # an array even when 0-d
    slope[np.isnan(slope)] = 0
    return slope


class Norm(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, p: float, dims: tuple[int, ...], keepdim: bool) -> Tensor:
        magnitude = np.abs(x._array)
        powered = magnitude * magnitude if p == 2 else magnitude**p
        total = _sum_over(powered, dims, keepdim)
        out = Tensor._make(np.asarray(np.sqrt(total) if p == 2 else total ** (1.0 / p)))
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        # d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1), with PyTorch's conventions where
        # that is undefined, each noted below.
        x, out = ctx.saved_tensors
        p = ctx.p
        grad = _restore(grad, x._array.shape, ctx.dims, ctx.keepdim)
        if p == 1:
            return grad * Tensor._make(_sgn(x._array)), None, None, None  # 0 at x = 0
        norm = _restore(out, x._array.shape, ctx.dims, ctx.keepdim)
        # A zero norm (x all zero) gets the zero subgradient; the inner where keeps the
        # division finite, so that a second derivative is not NaN either.
        zero = norm == 0
        safe = where(zero, 1.0, norm)
        if p == 2:
            return where(zero, 0.0, grad * (x / safe)), None, None, None
        scale = where(zero, 0.0, grad / safe ** (p - 1))
        # |x|^(p-1) is 0 at x = 0 for p > 1 but infinite for p < 1, where PyTorch gives
        # those entries no gradient: take it as 0 there for every p.
        at_zero = x == 0
        powered = where(at_zero, 0.0, where(at_zero, 1.0, abs(x)) ** (p - 1))
        return Tensor._make(_sgn(x._array)) * powered * scale, None, None, None


def _norm_args(rng: np.random.Generator, shapes: Any) -> dict:
    args = _some_dims(rng, shapes)
    args["p"] = float(rng.choice([0.5, 1.0, 1.5, 2.0, 3.0]))
    return args


def _inf_norm_args(rng: np.random.Generator, shapes: Any) -> dict:
    args = _some_dims(rng, shapes)
    args["p"] = float(rng.choice([np.inf, -np.inf]))
    return args


def _numpy_norm(x: np.ndarray, dim: Any, keepdim: bool, p: float) -> np.ndarray:
    if p == np.inf:
        return np.max(np.abs(x), axis=dim, keepdims=keepdim)
    if p == -np.inf:
        return np.min(np.abs(x), axis=dim, keepdims=keepdim)
    return np.sum(np.abs(x) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)


# An asymmetric, irrational domain: no two distinct values share a magnitude, which would
# be a kink of the inf-norm.
_NORM_CHECK: dict[str, Any] = dict(kinks=(0.0,), margin=0.2, min_side=1, distinct=True,
                   domain=(-1.6180339887, 2.4142135624))


def norm(input: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over ``dim`` (all elements for ``None`` or ``()``).

    ``p`` may be a positive number, ``"fro"`` (= 2), ``inf`` (largest magnitude) or
    ``-inf`` (smallest magnitude). Gradients follow PyTorch where the norm has a kink:
    0 at a zero norm and, for ``p < 1``, at zero entries; for ``inf``/``-inf`` tied
    magnitudes share the gradient, and a NaN norm passes back none.
    """
    _float_input(input, "norm")
    dims = _torch_dims(input, dim, "norm")
    keepdim = bool(keepdim)
    if p == "fro":
        p = 2
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p != p or p == 0:
        raise ValueError(f"norm: p must be a non-zero number, inf, -inf or 'fro'; got {p!r}")
    if p == float("inf"):
        return _amax(abs(input), dims, keepdim, True, "norm")
    if p == float("-inf"):
        return -_amax(-abs(input), dims, keepdim, True, "norm")
    if p < 0:
        raise ValueError(f"norm: p must be positive (or inf/-inf), got {p}")
    return Norm.apply(input, float(p), dims, keepdim)


op(norm, Norm, Amax, method=True, tests=[
    check(_numpy_norm, function=lambda x, dim, keepdim, p: norm(x, p, dim, keepdim),
          kwargs=_norm_args, **_NORM_CHECK),
    check(_numpy_norm, name="norm_inf",
          function=lambda x, dim, keepdim, p: norm(x, p, dim, keepdim),
          kwargs=_inf_norm_args, **_NORM_CHECK),
])


# --------------------------------------------------------------------------- all, any


def _logical_reduction(ufunc: Any, input: Tensor, dim: Any, keepdim: bool, name: str) -> Tensor:
    data = input._array
    if dim is None:
        axis: tuple[int, ...] | None = None
    elif isinstance(dim, (tuple, list)) and len(dim) == 0:
        axis = ()  # PyTorch's all/any read dim=() as no dimension (unlike its sum)
    else:
        axis = _torch_dims(input, dim, name)
    result = np.asarray(ufunc(data, axis=axis, keepdims=keepdim))
    # uint8 gives uint8 (as PyTorch, for compatibility with old byte masks).
    return Tensor._make(result.astype(np.uint8) if data.dtype == np.uint8 else result)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether every element (over ``dim``) is true, as a bool tensor (uint8 for uint8)."""
    return _logical_reduction(np.all, input, dim, bool(keepdim), "all")


op(all, method=True)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether some element (over ``dim``) is true, as a bool tensor (uint8 for uint8)."""
    return _logical_reduction(np.any, input, dim, bool(keepdim), "any")


op(any, method=True)


# --------------------------------------------------------------------------- scans, products
# (issue 13: PyTorch programs run unchanged)


def _scan_dtype(data: np.ndarray) -> Any:
    """Integer and bool scans and products accumulate in int64, as PyTorch's."""
    return None if data.dtype.kind == "f" else np.int64


def _along(function: Any, data: np.ndarray, dim: int, reverse: bool = False) -> np.ndarray:
    """``function(data, axis=dim)`` (a running sum or product) as a new contiguous array,
    from the end of ``dim`` when ``reverse``; a 0-d array is one element."""
    if data.ndim == 0:
        return np.asarray(function(data.reshape(1), axis=0, dtype=_scan_dtype(data))).reshape(())
    if reverse:
        data = np.flip(data, dim)
    out = function(data, axis=dim, dtype=_scan_dtype(data))
    return np.ascontiguousarray(np.flip(out, dim) if reverse else out)


class Cumsum(Function):
    """Running sums along ``dim``, from the end when ``reverse``. Each direction's
    backward is the other: ``y_j = sum_{i<=j} x_i`` gives ``dx_i = sum_{j>=i} g_j``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int, reverse: bool) -> np.ndarray:
        ctx.dim, ctx.reverse = dim, reverse
        return _along(np.cumsum, x._array, dim, reverse)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return Cumsum.apply(grad, ctx.dim, not ctx.reverse), None, None


def _scan_dim(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    return {"dim": int(rng.integers(-ndim, ndim))}


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The cumulative sum along ``dim``: ``out[..., j, ...] = sum_{i <= j} input[..., i,
    ...]``, of ``input``'s shape. Integer and bool inputs give int64 (as PyTorch);
    ``dtype`` converts the input first."""
    if dtype is not None:
        input = input.to(dtype)
    return Cumsum.apply(input, _torch_dim(input, dim, "cumsum"), False)


op(cumsum, Cumsum, method=True, tests=[
    check(lambda x, dim: np.cumsum(x, axis=dim), kwargs=_scan_dim, min_rank=1),
])


def _flip(x: Tensor, dim: int) -> Tensor:
    return x[(slice(None),) * dim + (slice(None, None, -1),)]


def _cumprod_zeros_backward(x: np.ndarray, y: np.ndarray, grad: np.ndarray, dim: int) -> np.ndarray:
    """Cumprod's gradient, on arrays, for an input with zeros (no division by them).

    With ``z`` the first zero of a slice, ``dy_j/dx_i = prod_{k <= j, k != i} x_k`` is
    ``y_j / x_i`` before ``z``, vanishes for ``i > z`` (``x_z`` is a factor), and at
    ``z`` is the running product of the slice with ``x_z`` taken as 1.
    """
    is_zero = x == 0
    zeros_so_far = np.cumsum(is_zero, axis=dim)
    before = zeros_so_far == 0
    first = is_zero & (zeros_so_far == 1)
    gy = grad * y
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        result = np.where(before, _along(np.cumsum, gy, dim, True) / np.where(before, x, 1), 0)
    y_without_first = _along(np.cumprod, np.where(first, 1, x), dim)
    at_first = _along(np.cumsum, grad * y_without_first, dim, True)
    return np.where(first, at_first, result).astype(x.dtype, copy=False)


def _cumprod_zeros_recorded(x: Tensor, grad: Tensor, dim: int) -> Tensor:
    """Cumprod's gradient as Tensor ops, for a recorded (create_graph) backward of an
    input with zeros: ``dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k``, with row
    ``i`` of an ``n x n`` matrix holding the slice with ``x_i`` taken as 1. Quadratic in
    the length of ``dim``, but exact in every derivative (the division-free rule above
    would not be: its masks do not move with ``x``)."""
    xt, gt = x.transpose(dim, -1), grad.transpose(dim, -1)
    n = xt.shape[-1]
    diagonal = Tensor._make(np.eye(n, dtype=bool))
    upper = Tensor._make(np.triu(np.ones((n, n), dtype=x.dtype)))  # j >= i in row i
    products = cumprod(where(diagonal, 1.0, xt.unsqueeze(-2)), -1)
    return (products * (upper * gt.unsqueeze(-2))).sum(-1).transpose(dim, -1)


class Cumprod(Function):
    """Running products along ``dim``. The gradient is ``reverse_cumsum(g y) / x`` when
    ``x`` has no zeros, and computed without dividing by them when it has (as
    PyTorch's, which is exact with zeros in every order of derivative)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        output = Tensor._make(_along(np.cumprod, x._array, dim))
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        x, y = ctx.saved_tensors
        dim = ctx.dim
        if x._array.ndim == 0:
            return grad, None
        if not (x._array == 0).any():
            return Cumsum.apply(grad * y, dim, True) / x, None
        if autograd.is_grad_enabled():
            return _cumprod_zeros_recorded(x, grad, dim), None
        result = _cumprod_zeros_backward(x._array, y._array, grad._array, dim)
        return Tensor._make(result), None


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The cumulative product along ``dim``: ``out[..., j, ...] = prod_{i <= j}
    input[..., i, ...]``. Integer and bool inputs give int64 (as PyTorch); ``dtype``
    converts the input first. The gradient is exact with zeros in the input."""
    if dtype is not None:
        input = input.to(dtype)
    return Cumprod.apply(input, _torch_dim(input, dim, "cumprod"))


# The records keep inputs off 0: the no-zeros rule divides by x, whose second derivative
# cancels two huge terms for a tiny x (as PyTorch's). Exact zeros, which take the
# division-free rules, are checked in tests/ops/test_reduce_more.py.
op(cumprod, Cumprod, Cumsum, method=True, tests=[
    check(lambda x, dim: np.cumprod(x, axis=dim), kwargs=_scan_dim, min_rank=1, kinks=(0.0,)),
])


def _product_of_others(x: Tensor, dim: int) -> Tensor:
    """For each element, the product of the others along ``dim``: the products before it
    times those after it (running products shifted by one), with no division."""
    n = x.shape[dim]
    # Element i - 1 at each position i along dim, and 1 at position 0.
    shift = (slice(None),) * dim + (np.maximum(np.arange(n) - 1, 0),)
    first = np.zeros(tuple(n if d == dim else 1 for d in range(x.ndim)), dtype=bool)
    first.reshape(-1)[0] = True
    first_position = Tensor._make(first)

    def before(t: Tensor) -> Tensor:
        return cumprod(where(first_position, 1.0, t[shift]), dim)

    return before(x) * _flip(before(_flip(x, dim)), dim)


class Prod(Function):
    """The product over ``dims`` (one dimension, or all). The gradient is ``g y / x``
    without zeros, and the product of the other elements (no division) with them, as
    PyTorch's: exact with one zero or several, in every order of derivative."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
        ctx.dims, ctx.keepdim = dims, keepdim
        data = x._array
        output = Tensor._make(
            np.asarray(np.prod(data, axis=dims, keepdims=keepdim, dtype=_scan_dtype(data)))
        )
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        x, y = ctx.saved_tensors
        dims, shape = ctx.dims, x.shape
        if not dims:
            return grad, None, None
        grad = _restore(grad, shape, dims, ctx.keepdim)
        if not (x._array == 0).any():
            return grad * (_restore(y, shape, dims, ctx.keepdim) / x), None, None
        if len(dims) == 1:
            return grad * _product_of_others(x, dims[0]), None, None
        others = _product_of_others(x.reshape(-1), 0).reshape(shape)
        return grad * others, None, None


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product of all elements (a 0-d tensor), or with ``dim`` (an int) along that
    dimension, dropped unless ``keepdim``. Integer and bool inputs give int64 (as
    PyTorch); ``dtype`` converts the input first. The gradient is exact with zeros."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return Prod.apply(input, _ALL_DIMS[input._array.ndim], bool(keepdim))
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(
            f"prod: dim must be one int (or None for every element), got {dim!r}; PyTorch's "
            f"prod reduces one dimension at a time"
        )
    return Prod.apply(input, _torch_dims(input, dim, "prod"), bool(keepdim))


op(prod, Prod, Cumprod, Cumsum, method=True, tests=[
    check(np.prod, name="prod_all", function=lambda x: prod(x), max_rank=3, kinks=(0.0,)),
    check(lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim), name="prod_dim",
          kwargs=_one_dim, min_rank=1, kinks=(0.0,)),
])
