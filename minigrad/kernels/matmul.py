"""Matrix product: a tiled Numba kernel of our own, and NumPy's BLAS for large products.

``matmul(a, b)`` has NumPy's ``matmul`` semantics (1-D and N-D operands, broadcast batch
dimensions) and picks, by measured size thresholds, the faster of two engines:

- ``matmul_tiled``: a blocked, parallel, register-blocked Numba kernel. Its call costs
  ~0.4 µs where NumPy's ``matmul`` costs ~1.5 µs, so it wins for tiny products (the
  recurrent cells and small layers of the examples), and it reaches roughly 0.5-0.75x
  of OpenBLAS at n = 128-512 float32 (measured on 2 cores; float64 similar).
- ``np.matmul`` (OpenBLAS) for everything larger, for matrix-vector products and for
  batched products, where BLAS also handles transposed operands without copying.

How the kernel is organised (the loop order of a "rank-4 update" GEMM):

- B is packed once per call into column panels of ``_N_BLOCK`` columns, each panel a
  contiguous ``(k, width)`` matrix. Every row of a panel is then a short contiguous
  vector, and rows of B that are 4 KiB apart in memory (n = 1024 float32) no longer
  evict each other from the same cache sets.
- Each thread owns ``_M_BLOCK`` consecutive rows of C (``prange`` over row blocks: no two
  threads ever write the same element, so no reduction is needed).
- For a block of ``_K_BLOCK`` rows of a panel (~256 KiB, it stays in the 512 KiB L2),
  the micro-kernel updates 4 rows of C at once with 4 rows of B at once:
  ``C[i:i+4, :] += A[i:i+4, p:p+4] @ B[p:p+4, :]``. The 16 coefficients of A are
  scalars (broadcast registers), the j loop runs over whole contiguous rows
  ``range(0, width)`` so LLVM vectorises it (8 float32 lanes on AVX2), and each loaded
  vector of C is updated with 4 fused multiply-adds before being stored again, so the
  loop does 16 FMAs per 4 loads of B, 4 loads and 4 stores of C: it is bound by the FMA
  units rather than by memory traffic, unlike the textbook one-row one-k loop.
- ``fastmath={"contract"}`` lets LLVM fuse each ``x * y + z`` into one FMA instruction
  (it changes rounding by at most what a BLAS would) but allows no reassociation.

Every public kernel has a NumPy twin, ``matmul_reference``, used as the test oracle.
"""

from __future__ import annotations

import numba
import numpy as np

from minigrad.kernels._compile import serial_and_parallel

__all__ = ["matmul", "matmul_tiled", "matmul_reference"]

# Cache blocking, measured at n = 128..1024 on the 2-core AVX2 machine (0.5 MiB L2 per
# core): (K, N, M) = (256, 256, 64) and (128, 256, 64) were the best of the grid
# {128, 256, 512}^2 x {32, 64}; wider panels (512) lost 10-30 % at n = 1024 float64.
_K_BLOCK = 256
_N_BLOCK = 256
_M_BLOCK = 64

# Products with at most this many multiply-adds (m * k * n) run on the serial build of
# the kernel: starting and joining the worker threads costs ~3 µs per call.
_PARALLEL_MIN_WORK = 64 * 64 * 64

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# ``matmul`` sends 2-D products with at most this many multiply-adds (m * k * n) to our
# serial kernel and larger ones to BLAS. Measured (best of 9, the machine shared):
#   float32  4^3: 0.5-1.0 µs vs np.matmul 1.5-2.6 µs; 24^3: 1.6 vs 2.0; 32^3: 2.6 vs 2.9;
#            40^3: 4.1 vs 3.5; 64^3: 12.4 vs 8.4; 8x128x128: 5.8 vs 10.3 (wins if m small)
#   float64  4^3: 0.45 vs 1.46 µs; 24^3: 3.0 vs 4.6; 32^3: 5.2 vs 3.7; 40^3: 6.3 vs 5.4
# The float64 crossover is lower because an AVX2 register holds 4 float64 but 8 float32.
# Keyed by the scalar type (dtype.type), which the fast path compares with "is".
_KERNEL_MAX_WORK = {np.float32: 32 * 32 * 32, np.float64: 24 * 24 * 24}


# --------------------------------------------------------------------------------------
# Numba kernels
# --------------------------------------------------------------------------------------


@numba.njit(cache=True, fastmath={"contract"})
def _add_rows_times_panel(a, panel, out, i0, i1, p0, p1, j0):  # type: ignore[no-untyped-def]
    """``out[i0:i1, j0:j0+w] += a[i0:i1, p0:p1] @ panel[p0:p1, :]`` (w = panel width)."""
    width = panel.shape[1]
    i = i0
    while i + 4 <= i1:
        # Row views starting at j0, looped from 0: a loop `range(j0, j0 + width)` would
        # keep a wraparound check that stops LLVM from vectorising it.
        c0 = out[i, j0 : j0 + width]
        c1 = out[i + 1, j0 : j0 + width]
        c2 = out[i + 2, j0 : j0 + width]
        c3 = out[i + 3, j0 : j0 + width]
        p = p0
        while p + 4 <= p1:
            b0 = panel[p]
            b1 = panel[p + 1]
            b2 = panel[p + 2]
            b3 = panel[p + 3]
            a00, a01, a02, a03 = a[i, p], a[i, p + 1], a[i, p + 2], a[i, p + 3]
            a10, a11, a12, a13 = a[i + 1, p], a[i + 1, p + 1], a[i + 1, p + 2], a[i + 1, p + 3]
            a20, a21, a22, a23 = a[i + 2, p], a[i + 2, p + 1], a[i + 2, p + 2], a[i + 2, p + 3]
            a30, a31, a32, a33 = a[i + 3, p], a[i + 3, p + 1], a[i + 3, p + 2], a[i + 3, p + 3]
            for j in range(width):
                x0 = b0[j]
                x1 = b1[j]
                x2 = b2[j]
                x3 = b3[j]
                c0[j] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
                c1[j] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
                c2[j] += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3
                c3[j] += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3
            p += 4
        while p < p1:  # the last k % 4 rows of the panel
            b0 = panel[p]
            a00, a10, a20, a30 = a[i, p], a[i + 1, p], a[i + 2, p], a[i + 3, p]
            for j in range(width):
                x0 = b0[j]
                c0[j] += a00 * x0
                c1[j] += a10 * x0
                c2[j] += a20 * x0
                c3[j] += a30 * x0
            p += 1
        i += 4
    while i < i1:  # the last m % 4 rows of C
        c0 = out[i, j0 : j0 + width]
        for p in range(p0, p1):
            b0 = panel[p]
            a00 = a[i, p]
            for j in range(width):
                c0[j] += a00 * b0[j]
        i += 1


def _matmul_tiled_body(a, b, out, packed):  # type: ignore[no-untyped-def]
    # One source, two builds (serial and parallel); ``prange`` is ``range`` serially.
    m, k = a.shape
    n = b.shape[1]
    n_panels = (n + _N_BLOCK - 1) // _N_BLOCK
    if n_panels > 1:
        for jb in numba.prange(n_panels):
            j0 = jb * _N_BLOCK
            width = min(_N_BLOCK, n - j0)
            panel = packed[j0 * k : j0 * k + k * width].reshape((k, width))
            for p in range(k):
                panel[p, :] = b[p, j0 : j0 + width]
    n_row_blocks = (m + _M_BLOCK - 1) // _M_BLOCK
    for block in numba.prange(n_row_blocks):
        i0 = block * _M_BLOCK
        i1 = min(m, i0 + _M_BLOCK)
        out[i0:i1, :] = 0
        for jb in range(n_panels):
            j0 = jb * _N_BLOCK
            width = min(_N_BLOCK, n - j0)
            if n_panels > 1:
                panel = packed[j0 * k : j0 * k + k * width].reshape((k, width))
            else:
                panel = b  # a single panel is B itself, already contiguous
            for p0 in range(0, k, _K_BLOCK):
                _add_rows_times_panel(a, panel, out, i0, i1, p0, min(k, p0 + _K_BLOCK), j0)


_matmul_tiled_serial, _matmul_tiled_parallel = serial_and_parallel(_matmul_tiled_body)


@numba.njit(cache=True)
def _matmul_small(a, b, out):  # type: ignore[no-untyped-def]
    # The tiny-product path of ``matmul``: no packing, no blocking (k is small), and only
    # three arguments, because Numba's dispatcher costs ~0.1 µs per argument it unboxes.
    out[:] = 0
    _add_rows_times_panel(a, b, out, 0, a.shape[0], 0, a.shape[1], 0)


# An empty packing buffer per dtype, passed when B fits in one panel and is not packed.
_NO_BUFFER = {dtype: np.empty(0, dtype) for dtype in _FLOAT_DTYPES}


def _run_tiled(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    # Operands already checked: 2-D, C-contiguous, same float dtype, matching shapes.
    m, k = a.shape
    n = b.shape[1]
    if n > _N_BLOCK:
        packed = np.empty(k * n, a.dtype)
    else:
        packed = _NO_BUFFER[a.dtype]
    if m * k * n <= _PARALLEL_MIN_WORK or m <= _M_BLOCK:
        _matmul_tiled_serial(a, b, out, packed)
    else:
        _matmul_tiled_parallel(a, b, out, packed)


def matmul_tiled(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write ``a @ b`` into ``out`` with minigrad's own tiled Numba kernel; return ``out``.

    ``a`` is ``(m, k)``, ``b`` is ``(k, n)`` and ``out`` is ``(m, n)``: all 2-D,
    C-contiguous and of one dtype, float32 or float64. ``out`` must not overlap ``a`` or
    ``b``. Products of more than ``64**3`` multiply-adds with more than 64 rows run on
    all cores.

    >>> a = np.ones((2, 3), np.float32); b = np.ones((3, 4), np.float32)
    >>> matmul_tiled(a, b, np.empty((2, 4), np.float32))[0]
    array([3., 3., 3., 3.], dtype=float32)
    """
    for name, array in (("a", a), ("b", b), ("out", out)):
        if array.ndim != 2:
            raise ValueError(f"matmul_tiled: {name} must be 2-D, got shape {array.shape}")
        if not array.flags.c_contiguous:
            raise ValueError(f"matmul_tiled: {name} must be C-contiguous")
    if a.dtype not in _FLOAT_DTYPES or b.dtype != a.dtype or out.dtype != a.dtype:
        raise TypeError(
            "matmul_tiled: a, b and out must share one dtype, float32 or float64; got "
            f"{a.dtype}, {b.dtype} and {out.dtype}"
        )
    m, k = a.shape
    if b.shape[0] != k or out.shape != (m, b.shape[1]):
        raise ValueError(f"matmul_tiled: shapes {a.shape} @ {b.shape} -> {out.shape} do not match")
    if np.shares_memory(out, a) or np.shares_memory(out, b):
        raise ValueError("matmul_tiled: out must not overlap a or b")
    _run_tiled(a, b, out)
    return out


# --------------------------------------------------------------------------------------
# NumPy semantics and the choice of engine
# --------------------------------------------------------------------------------------


def _shape_error(a: np.ndarray, b: np.ndarray) -> ValueError:
    return ValueError(
        f"matmul: shapes {a.shape} and {b.shape} are not aligned "
        "(inner dimensions must match and batch dimensions must broadcast)"
    )


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The matrix product ``a @ b`` with NumPy's ``matmul`` semantics, as a new array.

    Both operands have one float dtype (float32 or float64), and the result has it too.
    Shapes, as in NumPy:

    - ``(k,) @ (k,)`` -> ``()`` (a 0-d array, where NumPy returns a scalar)
    - ``(k,) @ (..., k, n)`` -> ``(..., n)`` and ``(..., m, k) @ (k,)`` -> ``(..., m)``
    - ``(m, k) @ (k, n)`` -> ``(m, n)``
    - ``(..., m, k) @ (..., k, n)`` -> ``(..., m, n)``, the batch dimensions ``...``
      broadcasting against each other.

    Operands may be non-contiguous (transposed views, slices); the result is always a
    new C-contiguous array. Small 2-D products run on minigrad's Numba kernel (cheaper
    to call), larger ones and batched ones on NumPy's BLAS.

    Raises ``TypeError`` naming the dtypes unless both are float32 or both float64, and
    ``ValueError`` naming the shapes if an operand is 0-d, the inner dimensions differ or
    the batch dimensions do not broadcast.

    >>> matmul(np.eye(2, dtype=np.float32), np.array([1.0, 2.0], np.float32))
    array([1., 2.], dtype=float32)
    """
    dtype = a.dtype
    # The fast path first: a tiny 2-D product must not pay for the general checks.
    if a.ndim == 2 and b.ndim == 2 and b.dtype.type is dtype.type:
        limit = _KERNEL_MAX_WORK.get(dtype.type, 0)
        m, k = a.shape
        k2, n = b.shape
        if k2 == k and m * k * n <= limit:
            out = np.empty((m, n), dtype)
            # The kernel reads A one element at a time, so a transposed A (F-contiguous,
            # as in the backward pass's A^T G) is used as it is; B is read along rows,
            # which must be contiguous to vectorise: copying a small B costs less than a
            # BLAS call.
            if not (a.flags.c_contiguous or a.flags.f_contiguous):
                a = np.ascontiguousarray(a)
            _matmul_small(a, np.ascontiguousarray(b), out)
            return out

    if dtype not in _FLOAT_DTYPES or b.dtype != dtype:
        raise TypeError(
            f"matmul: operands must both be float32 or both float64, got {a.dtype} and {b.dtype}"
        )
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must be at least 1-D, got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise _shape_error(a, b)
    if a.ndim > 2 or b.ndim > 2:
        # Check broadcasting ourselves so that the message names both shapes.
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise _shape_error(a, b) from None
    # Larger 2-D products, 1-D operands and batches go to BLAS: it is faster than our
    # kernel above the threshold, matrix-vector products do not vectorise along j in our
    # kernel, and NumPy loops over a batch in C. BLAS reads transposed operands in place.
    if a.ndim == 1 and b.ndim == 1:
        return np.asarray(np.matmul(a, b))  # a 0-d array rather than NumPy's scalar
    return np.ascontiguousarray(np.matmul(a, b))


def matmul_reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The test oracle: NumPy's ``np.matmul(a, b)``."""
    return np.matmul(a, b)
