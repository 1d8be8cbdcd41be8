"""Reductions: sum, mean, max/min (with indices), var, std, logsumexp, softmax, norm.

Every reduction takes PyTorch's ``dim``/``keepdim`` or NumPy's ``axis``/``keepdims``.
Only ``sum``, the maxima, ``logsumexp``, the softmax pair and ``norm`` have backward rules
of their own; ``mean``, ``var``, ``std`` and the minima are compositions of other ops.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function
from minigrad.kernels import reduce as kernels
from minigrad.kernels import unary
from minigrad.ops._registry import OpInfo, register
from minigrad.ops.elementwise import abs, exp, sign, sqrt, where
from minigrad.tensor import Tensor

#: What ``max``/``min`` with a ``dim`` return: a named pair that unpacks like a tuple.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _dims_of(
    input: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: Any, name: str
) -> tuple[tuple[int, ...], bool]:
    """The sorted reduced dimensions and keepdim, from either spelling of the arguments."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}: give dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dtypes.normalize_dims(dim, input.data.ndim), bool(keepdim)


# Every dimension of an array of each rank (NumPy allows at most 64).
_ALL_DIMS = [tuple(range(ndim)) for ndim in range(65)]


def _keepdim_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if d in dims else s for d, s in enumerate(shape))


def _restore(grad: Tensor, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """A reduced gradient reshaped so it broadcasts against the input (keepdim form)."""
    return grad if keepdim else grad.reshape(_keepdim_shape(shape, dims))


class Sum(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x.data.shape, dims, keepdim
        if x.data.dtype.kind != "f":
            return np.asarray(np.sum(x.data, axis=dims, keepdims=keepdim))
        if not dims and x.data.ndim:
            return x.data.copy()
        return kernels.sum(x.data, dims, keepdim)

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
        data = x.data
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
        ctx.shape = x.data.shape
        extra = x.data.ndim - len(shape)
        dims = tuple(range(extra)) + tuple(
            extra + i for i, s in enumerate(shape) if s == 1 and x.data.shape[extra + i] != 1
        )
        return Sum.forward(ctx, x, dims, True).reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad.broadcast_to(ctx.shape), None


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum ``input`` down to ``size``, a shape it was broadcast from (the inverse of
    broadcasting: leading dimensions disappear, stretched ones shrink back to 1)."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    have = input.data.shape
    extra = len(have) - len(shape)
    if extra < 0 or builtins.any(s != 1 and s != h for s, h in zip(shape, have[extra:])):
        raise ValueError(f"sum_to_size: a tensor of shape {have} cannot be summed to {shape}")
    if have == shape:
        return input
    return SumToSize.apply(input, shape)


def sum(  # noqa: A001
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or ``None`` for all dimensions)."""
    if dim is None and axis is None and keepdims is None and type(keepdim) is bool:
        return Sum.apply(input, _ALL_DIMS[input.data.ndim], keepdim)  # the total, quickly
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "sum")
    return Sum.apply(input, dims, keepdim)


class Mean(Function):
    """The mean over ``dims``. Its own op (not a sum times 1/n) so that, as PyTorch's,
    it keeps no tensor for backward and can be backpropagated through twice."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x.data.shape, dims, keepdim
        ctx.count = math.prod(x.data.shape[d] for d in dims)
        total = Sum.forward(ctx, x, dims, keepdim)
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
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Arithmetic mean over ``dim`` (NaN for an empty reduction, as NumPy)."""
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "mean")
    if input.data.dtype.kind != "f":
        raise TypeError(f"mean: needs a floating tensor, got dtype {input.dtype}")
    return Mean.apply(input, dims, keepdim)


class Amax(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        _check_not_empty(x, dims, "max")
        values, _ = kernels.max_with_indices(x.data, dims, keepdim=True)
        ctx.save_for_backward(x)
        ctx.values, ctx.dims, ctx.keepdim = values, dims, keepdim
        return values if keepdim else values.reshape(
            [s for d, s in enumerate(x.data.shape) if d not in dims]
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        # Tied maxima share the gradient equally (as PyTorch's amax and max()).
        hits = (x.data == ctx.values).astype(grad.data.dtype)
        hits /= np.sum(hits, axis=ctx.dims, keepdims=True)
        return _restore(grad, x.data.shape, ctx.dims, ctx.keepdim) * Tensor._make(hits), None, None


class MaxDim(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
        _check_not_empty(x, (dim,), "max")
        values, indices = kernels.max_with_indices(x.data, (dim,), keepdim=True)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.indices = x.data.shape, dim, keepdim, indices
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    @staticmethod
    def backward(ctx: Any, grad: Tensor, grad_indices: Any) -> tuple[Tensor, None, None]:
        # The gradient goes to the one element each index names.
        chosen = np.zeros(ctx.shape, dtype=grad.data.dtype)
        np.put_along_axis(chosen, ctx.indices, 1, axis=ctx.dim)
        grad = _restore(grad, ctx.shape, (ctx.dim,), ctx.keepdim)
        return grad * Tensor._make(chosen), None, None


def _check_not_empty(x: Tensor, dims: tuple[int, ...], name: str) -> None:
    if x.data.size == 0 or builtins.any(x.data.shape[d] == 0 for d in dims):
        raise RuntimeError(
            f"{name}: cannot reduce an empty tensor of shape {x.shape} over dims {dims}; "
            f"the operation has no identity"
        )


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest value over ``dim`` (all dimensions by default); ties share the gradient."""
    dims = dtypes.normalize_dims(dim, input.data.ndim)
    return Amax.apply(input, dims, bool(keepdim))


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest value over ``dim``; ties share the gradient."""
    return -amax(-input, dim, keepdim)


def max(  # noqa: A001
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """The largest element, or with ``dim`` a pair ``(values, indices)`` along it.

    As PyTorch: ``x.max()`` is a 0-d tensor; ``x.max(dim)`` is a named tuple with
    ``values`` (differentiable; the gradient goes to the element at ``indices``) and
    ``indices`` (int64). With another tensor as ``dim`` it is :func:`maximum`.
    """
    if isinstance(dim, Tensor):
        from minigrad.ops.elementwise import maximum

        return maximum(input, dim)
    if dim is None and axis is None:
        return Amax.apply(input, tuple(range(input.data.ndim)), False)
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "max")
    if len(dims) != 1:
        return Amax.apply(input, dims, keepdim)
    values, indices = MaxDim.apply(input, dims[0], keepdim)
    return ValuesIndices(values, indices)


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
    result = max(-input, dim, keepdim, axis=axis, keepdims=keepdims)
    if isinstance(result, ValuesIndices):
        return ValuesIndices(-result.values, result.indices)
    return -result


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None).

    Ties give the first index; a NaN counts as the largest value (as PyTorch).
    """
    data = input.data.reshape(-1) if dim is None else input.data
    dims = (dtypes.normalize_dim(0 if dim is None else dim, data.ndim),)
    _check_not_empty(input, dims if dim is not None else (), "argmax")
    if data.dtype.kind != "f":
        indices = np.argmax(data, axis=dims[0], keepdims=keepdim and dim is not None)
        return Tensor._make(np.asarray(indices, dtype=np.int64))
    _, indices = kernels.max_with_indices(data, dims, keepdim and dim is not None)
    return Tensor._make(indices)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    data = input.data
    flipped = ~data if data.dtype.kind == "b" else np.negative(data)
    return argmax(Tensor._make(flipped), dim, keepdim)


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
    """Variance over ``dim``: ``sum((x - mean)**2) / (N - correction)``.

    ``correction=1`` (the default) is the unbiased estimator; ``unbiased=False`` is the
    older spelling of ``correction=0``.
    """
    dims, keepdim = _dims_of(input, dim, keepdim, axis, keepdims, "var")
    if unbiased is not None:
        correction = 1 if unbiased else 0
    count = int(np.prod([input.data.shape[d] for d in dims]))
    centred = input - mean(input, dims, keepdim=True)
    return sum(centred * centred, dims, keepdim) / float(count - correction)


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
    """Standard deviation over ``dim``: the square root of :func:`var`."""
    return sqrt(
        var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis,
            keepdims=keepdims)
    )


def _shifted(x: np.ndarray, dims: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``x - max(x)`` along ``dims`` and the max, with infinite maxima replaced by 0 so an
    all ``-inf`` slice gives ``-inf`` rather than ``nan``."""
    peak, _ = kernels.max_with_indices(x, dims, keepdim=True)
    peak = np.where(np.isfinite(peak), peak, 0).astype(x.dtype)
    return x - peak, peak


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
        shifted, peak = _shifted(x.data, dims)
        total = kernels.sum(unary.exp(shifted), dims, keepdim=True)
        result = unary.log(total) + peak
        if not keepdim:
            result = result.reshape([s for d, s in enumerate(x.data.shape) if d not in dims])
        out = Tensor._make(result)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        x, out = ctx.saved_tensors
        out = _restore(out, x.data.shape, ctx.dims, ctx.keepdim)
        grad = _restore(grad, x.data.shape, ctx.dims, ctx.keepdim)
        return grad * exp(x - out), None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed stably through the max shift."""
    dims = dtypes.normalize_dims(dim, input.data.ndim)
    _check_not_empty(input, dims, "logsumexp")
    return LogSumExp.apply(input, dims, bool(keepdim))


class Softmax(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> Tensor:
        shifted, _ = _shifted(x.data, (dim,))
        numerators = unary.exp(shifted)
        out = Tensor._make(numerators / kernels.sum(numerators, (dim,), keepdim=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        return y * (grad - sum(grad * y, ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> Tensor:
        shifted, _ = _shifted(x.data, (dim,))
        total = kernels.sum(unary.exp(shifted), (dim,), keepdim=True)
        out = Tensor._make(shifted - unary.log(total))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        return grad - exp(y) * sum(grad, ctx.dim, keepdim=True), None


def _float_input(input: Tensor, name: str) -> Tensor:
    if input.data.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating tensor, got dtype {input.dtype}")
    return input


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, stable for large inputs."""
    _float_input(input, "softmax")
    return Softmax.apply(input, dtypes.normalize_dim(dim, input.data.ndim))


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, stable for large inputs."""
    _float_input(input, "log_softmax")
    return LogSoftmax.apply(input, dtypes.normalize_dim(dim, input.data.ndim))


class Norm(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, p: float, dims: tuple[int, ...], keepdim: bool) -> Tensor:
        magnitude = np.abs(x.data)
        powered = magnitude * magnitude if p == 2 else magnitude**p
        total = kernels.sum(powered, dims, keepdim)
        out = Tensor._make(np.sqrt(total) if p == 2 else total ** (1.0 / p))
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        x, out = ctx.saved_tensors
        norm = _restore(out, x.data.shape, ctx.dims, ctx.keepdim)
        grad = _restore(grad, x.data.shape, ctx.dims, ctx.keepdim)
        # d||x||_p / dx = sign(x) (|x| / ||x||)^(p-1); a zero norm gets the zero subgradient.
        zero = norm == 0
        safe = where(zero, 1.0, norm)
        ratio = x / safe if ctx.p == 2 else sign(x) * (abs(x) / safe) ** (ctx.p - 1)
        return where(zero, 0.0, grad * ratio), None, None, None


def norm(input: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over ``dim`` (all elements by default).

    ``p`` may be a positive number, ``"fro"`` (= 2), ``inf`` (largest magnitude) or
    ``-inf`` (smallest magnitude).
    """
    _float_input(input, "norm")
    dims = dtypes.normalize_dims(dim, input.data.ndim)
    if p == "fro":
        p = 2
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p != p or p == 0:
        raise ValueError(f"norm: p must be a non-zero number, inf, -inf or 'fro'; got {p!r}")
    if p == float("inf"):
        return amax(abs(input), dims, keepdim)
    if p == float("-inf"):
        return amin(abs(input), dims, keepdim)
    if p < 0:
        raise ValueError(f"norm: p must be positive (or inf/-inf), got {p}")
    return Norm.apply(input, float(p), dims, bool(keepdim))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether every element (over ``dim``) is true, as a bool tensor."""
    axis = None if dim is None else dtypes.normalize_dims(dim, input.data.ndim)
    return Tensor._make(np.asarray(np.all(input.data, axis=axis, keepdims=keepdim)))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether some element (over ``dim``) is true, as a bool tensor."""
    axis = None if dim is None else dtypes.normalize_dims(dim, input.data.ndim)
    return Tensor._make(np.asarray(np.any(input.data, axis=axis, keepdims=keepdim)))


# --------------------------------------------------------------------------- the records


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


def _norm_args(rng: np.random.Generator, shapes: Any) -> dict:
    args = _some_dims(rng, shapes)
    args["p"] = float(rng.choice([1.0, 1.5, 2.0, 3.0]))
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


def _numpy_logsumexp(x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
    peak = np.max(x, axis=dim, keepdims=True)
    result = np.log(np.sum(np.exp(x - peak), axis=dim, keepdims=True)) + peak
    return result if keepdim else np.squeeze(result, axis=dim)


def _numpy_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    return x - _numpy_logsumexp(x, dim, True)


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


register(
    OpInfo("sum_all", lambda x: sum(x), np.sum, max_rank=4),
    OpInfo("sum_to_size", lambda x, size: sum_to_size(x, size), _numpy_sum_to_size,
           kwargs=_smaller_shape, max_rank=4),
    OpInfo("sum_dims", sum, lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim),
           kwargs=_some_dims, max_rank=4),
    OpInfo("mean_dims", mean, lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim),
           kwargs=_some_dims, min_side=1),
    OpInfo("var_dims", var,
           lambda x, dim, keepdim: np.var(x, axis=dim, keepdims=keepdim, ddof=1),
           kwargs=_some_dims, min_rank=1, min_side=2, distinct=True),
    OpInfo("std_dims", std,
           lambda x, dim, keepdim: np.std(x, axis=dim, keepdims=keepdim, ddof=1),
           kwargs=_some_dims, min_rank=1, min_side=2, distinct=True),
    OpInfo("max_all", lambda x: max(x), np.max, min_side=1, distinct=True),
    OpInfo("max_dim", lambda x, dim, keepdim: max(x, dim, keepdim).values,
           lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim),
           kwargs=_one_dim, min_rank=1, min_side=1, distinct=True),
    OpInfo("min_dim", lambda x, dim, keepdim: min(x, dim, keepdim).values,
           lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim),
           kwargs=_one_dim, min_rank=1, min_side=1, distinct=True),
    OpInfo("amax_dims", amax, lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim),
           kwargs=_some_dims, min_side=1, distinct=True),
    OpInfo("amin_dims", amin, lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim),
           kwargs=_some_dims, min_side=1, distinct=True),
    OpInfo("logsumexp", logsumexp, _numpy_logsumexp, kwargs=_some_dims, min_side=1,
           domain=(-5.0, 5.0)),
    OpInfo("softmax", lambda x, dim, keepdim: softmax(x, dim),
           lambda x, dim, keepdim: np.exp(_numpy_log_softmax(x, dim)),
           kwargs=_one_dim, min_rank=1, min_side=1),
    OpInfo("log_softmax", lambda x, dim, keepdim: log_softmax(x, dim),
           lambda x, dim, keepdim: _numpy_log_softmax(x, dim),
           kwargs=_one_dim, min_rank=1, min_side=1),
    # An asymmetric, irrational domain: no two distinct values share a magnitude, which
    # would be a kink of the inf-norm.
    OpInfo("norm", lambda x, dim, keepdim, p: norm(x, p, dim, keepdim), _numpy_norm,
           kwargs=_norm_args, min_side=1, kinks=(0.0,), margin=0.2, distinct=True,
           domain=(-1.6180339887, 2.4142135624)),
    OpInfo("norm_inf", lambda x, dim, keepdim, p: norm(x, p, dim, keepdim), _numpy_norm,
           kwargs=_inf_norm_args, min_side=1, kinks=(0.0,), margin=0.2, distinct=True,
           domain=(-1.6180339887, 2.4142135624)),
)
