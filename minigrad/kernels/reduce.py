"""Reduction kernels: sums, and maxima with their indices, over any set of dimensions.

Any reduction is brought to one shape first: the array is viewed (or, when the reduced
dimensions are not one block of a C-contiguous array, copied) as ``(outer, reduced,
inner)``, and the kernels reduce the middle axis. With ``inner > 1`` the innermost loop
runs along contiguous memory and vectorises; with ``inner == 1`` each output is the sum of
one contiguous run.

float32 sums accumulate in float64: a float32 running sum of 1e7 elements would lose
about three digits, and pairwise tricks would cost more than the wider accumulator.

Every kernel has a NumPy twin, ``<name>_reference``, used as the test oracle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import prange

from minigrad.kernels._compile import inline, serial_and_parallel

__all__ = ["sum", "max_with_indices"]

# Below this many input elements the parallel build's start-up costs more than splitting
# the work over two cores saves. Measured here, summing 64 rows (float32, serial vs
# parallel): 4096 elements 1.6 vs 2.6 µs; 16384: 5.7 vs 4.9 µs; 65536: 21 vs 12 µs;
# 2^20: 333 vs 177 µs.
PARALLEL_THRESHOLD = 1 << 14

# A reduction to one number is cut into this many pieces so that it can run in parallel.
_PIECES = 64


def _total(column):  # type: ignore[no-untyped-def]
    """The sum of a 1-D array, in float64."""
    # Four independent partial sums break the dependency chain of one running sum.
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    r = 0
    n = column.size
    while r + 4 <= n:
        s0 += column[r]
        s1 += column[r + 1]
        s2 += column[r + 2]
        s3 += column[r + 3]
        r += 4
    while r < n:
        s0 += column[r]
        r += 1
    return (s0 + s1) + (s2 + s3)


# Inlined into the 3-D kernels; also called on its own for the total of a small array.
_total = inline(_total)


def _sum_3d(x, out):  # type: ignore[no-untyped-def]
    outer, reduced, inner = x.shape
    for a in prange(outer):
        row_out = out[a]
        if inner == 1:
            row_out[0] = _total(x[a, :, 0])
        else:
            for b in range(inner):
                row_out[b] = 0.0
            for r in range(reduced):
                row = x[a, r]
                for b in range(inner):
                    row_out[b] += row[b]


_sum_serial, _sum_parallel = serial_and_parallel(_sum_3d)


def _max_3d(x, values, indices):  # type: ignore[no-untyped-def]
    outer, reduced, inner = x.shape
    for a in prange(outer):
        best = values[a]
        where = indices[a]
        first = x[a, 0]
        for b in range(inner):
            best[b] = first[b]
            where[b] = 0
        for r in range(1, reduced):
            row = x[a, r]
            for b in range(inner):
                value = row[b]
                current = best[b]
                # The first NaN wins and stays: NaN compares false with everything.
                if current == current and (value > current or value != value):
                    best[b] = value
                    where[b] = r


_max_serial, _max_parallel = serial_and_parallel(_max_3d)


def _as_three_axes(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    """View ``x`` as (outer, reduced, inner), reducing the sorted dimensions ``dims``."""
    shape = x.shape
    if len(dims) == x.ndim:  # everything: the common case of a loss
        return np.ascontiguousarray(x).reshape(1, -1, 1)
    if dims != tuple(range(dims[0], dims[-1] + 1)):
        # Not one block: move the reduced dimensions to the end (a copy).
        kept = [d for d in range(x.ndim) if d not in dims]
        moved = np.ascontiguousarray(x.transpose(kept + list(dims)))
        return moved.reshape(math.prod([shape[d] for d in kept]), -1, 1)
    outer = math.prod(shape[: dims[0]])
    reduced = math.prod(shape[dims[0] : dims[-1] + 1])
    return np.ascontiguousarray(x).reshape(outer, reduced, math.prod(shape[dims[-1] + 1 :]))


def _result_shape(shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> tuple:
    if keepdim:
        return tuple(1 if d in dims else s for d, s in enumerate(shape))
    return tuple(s for d, s in enumerate(shape) if d not in dims)


def sum(x: np.ndarray, dims: Sequence[int], keepdim: bool = False) -> np.ndarray:  # noqa: A001
    """Sum of float ``x`` over the sorted dimensions ``dims`` (all of them if empty).

    Returns a new array of ``x``'s dtype, with the reduced dimensions dropped or, with
    ``keepdim``, kept with size 1.
    """
    if (len(dims) == 0 or len(dims) == x.ndim) and 0 < x.size < PARALLEL_THRESHOLD:
        # The commonest call, the total of a small array (a loss): one short path.
        total = np.array(_total(x.ravel()), dtype=x.dtype)
        return total.reshape((1,) * x.ndim) if keepdim else total
    dims = tuple(dims) if len(dims) else tuple(range(x.ndim))
    if x.size == 0:
        return np.sum(x, axis=dims, keepdims=keepdim)
    shape = _result_shape(x.shape, dims, keepdim) if x.ndim else ()
    x3 = _as_three_axes(x, dims)
    if x.size < PARALLEL_THRESHOLD:
        out = np.empty((x3.shape[0], x3.shape[2]), dtype=np.float64)
        _sum_serial(x3, out)
    elif x3.shape[0] == 1 and x3.shape[2] == 1:
        # One total: sum equal pieces in parallel, then the pieces and the remainder.
        flat = x3.reshape(-1)
        whole = flat.size - flat.size % _PIECES
        partial = np.empty((_PIECES, 1), dtype=np.float64)
        _sum_parallel(flat[:whole].reshape(_PIECES, -1, 1), partial)
        out = np.array([[partial.sum() + flat[whole:].sum(dtype=np.float64)]])
    else:
        out = np.empty((x3.shape[0], x3.shape[2]), dtype=np.float64)
        (_sum_parallel if x3.shape[0] > 1 else _sum_serial)(x3, out)
    return out.astype(x.dtype, copy=False).reshape(shape)


def max_with_indices(
    x: np.ndarray, dims: Sequence[int], keepdim: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum of ``x`` over the sorted dimensions ``dims`` (all if empty) and its index.

    The index counts positions in the reduced dimensions taken together in C order (for
    one dimension: the index along it). Ties go to the first index; a NaN gives NaN and
    the index of the first NaN (as PyTorch). ``x`` must not be empty along ``dims``.
    """
    dims = tuple(dims) if len(dims) else tuple(range(x.ndim))
    x3 = _as_three_axes(x, dims)
    values = np.empty((x3.shape[0], x3.shape[2]), dtype=x.dtype)
    indices = np.empty((x3.shape[0], x3.shape[2]), dtype=np.int64)
    kernel = _max_parallel if x.size >= PARALLEL_THRESHOLD and x3.shape[0] > 1 else _max_serial
    kernel(x3, values, indices)
    shape = _result_shape(x.shape, dims, keepdim)
    return values.reshape(shape), indices.reshape(shape)


def max_values(x: np.ndarray, dims: Sequence[int], keepdim: bool = False) -> np.ndarray:
    """Maximum of ``x`` over the sorted dimensions ``dims`` (all if empty), values only.

    A NaN in a slice gives NaN (as PyTorch). When no index is asked for, the running
    maximum needs no branch per element and vectorises: this is NumPy's SIMD reduction,
    10x faster than :func:`max_with_indices` over the last axis of a wide matrix (the
    softmax axis of a language model). ``x`` must not be empty along ``dims``.
    """
    axis = tuple(dims) if len(dims) else None
    return np.asarray(np.max(x, axis=axis, keepdims=keepdim))


def sum_reference(x: np.ndarray, dims: Sequence[int], keepdim: bool = False) -> np.ndarray:
    """NumPy twin of :func:`sum`."""
    axis = tuple(dims) if len(dims) else None
    return np.sum(x, axis=axis, keepdims=keepdim, dtype=np.float64).astype(x.dtype)


def max_with_indices_reference(
    x: np.ndarray, dims: Sequence[int], keepdim: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`max_with_indices`."""
    dims = tuple(dims) if len(dims) else tuple(range(x.ndim))
    kept = [d for d in range(x.ndim) if d not in dims]
    flat = x.transpose(kept + list(dims)).reshape([x.shape[d] for d in kept] + [-1])
    nan = np.isnan(flat)
    indices = np.where(nan.any(axis=-1), np.argmax(nan, axis=-1), np.argmax(flat, axis=-1))
    values = np.take_along_axis(flat, indices[..., None], axis=-1)[..., 0]
    if keepdim:
        values = np.expand_dims(values, dims)
        indices = np.expand_dims(indices, dims)
    return values, indices
