"""Tests of minigrad.kernels.matmul against NumPy's matmul (the oracle).

Tolerance: both our kernel and BLAS compute each entry as a sum of k products in the
operands' dtype, in some order, with or without fused multiply-adds. The classical
forward-error bound for such a sum is |computed - exact| <= gamma_k * (|a| @ |b|), with
gamma_k = k * eps / (1 - k * eps) (Higham, *Accuracy and Stability*, 3.1). Two such
results therefore differ by at most 2 * gamma_k * (|a| @ |b|), entry by entry. We check
that bound (computed in float64) with a margin of 2: it scales with k and with the dtype's
epsilon as it should, it is loose enough never to fail for a correct kernel, and an
error of a single missing or repeated product (of order |a_ip * b_pj|, far above
k * eps * |a| @ |b| for the sizes here) breaks it.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.kernels import matmul as matmul_module
from minigrad.kernels.matmul import matmul, matmul_reference, matmul_tiled

DTYPES = [np.float32, np.float64]

# Interpreted (NUMBA_DISABLE_JIT=1) the kernel runs its loops in Python: keep sizes small.
SLOW = bool(numba.config.DISABLE_JIT)

EDGE_SIZES = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 129]
if SLOW:
    EDGE_SIZES = [s for s in EDGE_SIZES if s <= 17]


def random_array(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)


def assert_matmul_close(result: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Check ``result`` against ``np.matmul(a, b)``: shape, dtype, values (see top)."""
    expected = matmul_reference(a, b)
    assert result.shape == np.shape(expected)
    assert result.dtype == a.dtype
    k = a.shape[-1]
    eps = np.finfo(a.dtype).eps
    gamma = k * eps / (1 - k * eps)
    magnitude = np.matmul(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
    bound = 2 * 2 * gamma * magnitude + np.finfo(a.dtype).tiny
    error = np.abs(result.astype(np.float64) - np.asarray(expected, np.float64))
    assert np.all(error <= bound), (
        f"max error {np.max(error - bound)} above the bound for shapes {a.shape} @ {b.shape}"
    )


def run_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # NaN-filled output: the kernel must overwrite every entry, not accumulate into it.
    out = np.full((a.shape[0], b.shape[1]), np.nan, a.dtype)
    returned = matmul_tiled(a, b, out)
    assert returned is out
    return out


# --------------------------------------------------------------------------------------
# matmul_tiled: the kernel itself
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", EDGE_SIZES)
def test_tiled_square_sizes_at_tile_edges(n, dtype):
    rng = np.random.default_rng(n)
    a, b = random_array(rng, (n, n), dtype), random_array(rng, (n, n), dtype)
    assert_matmul_close(run_tiled(a, b), a, b)


RECTANGLE_SIZES = [1, 3, 4, 7, 17] if SLOW else [1, 3, 4, 7, 17, 65]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", list(itertools.product(RECTANGLE_SIZES, repeat=3)))
def test_tiled_rectangular(m, k, n, dtype):
    rng = np.random.default_rng(m * 10000 + k * 100 + n)
    a, b = random_array(rng, (m, k), dtype), random_array(rng, (k, n), dtype)
    assert_matmul_close(run_tiled(a, b), a, b)


# Shapes around every blocking constant and the serial/parallel switch: several row
# blocks (m > _M_BLOCK, so the parallel build runs), several k blocks (k > _K_BLOCK),
# several packed panels of B (n > _N_BLOCK), and the partial last block of each.
BLOCK_SHAPES = [
    (64, 64, 64),  # exactly at the parallel threshold: serial build
    (65, 64, 64),  # one row more: parallel build, two row blocks
    (129, 70, 33),
    (70, 255, 9),
    (70, 256, 9),
    (70, 257, 9),
    (66, 40, 255),
    (66, 40, 256),
    (66, 40, 257),
    (5, 3, 600),  # serial build with three packed panels
    (131, 513, 300),
]


@pytest.mark.skipif(SLOW, reason="too slow without the JIT")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", BLOCK_SHAPES)
def test_tiled_across_blocks_and_threads(m, k, n, dtype):
    rng = np.random.default_rng(m + k + n)
    a, b = random_array(rng, (m, k), dtype), random_array(rng, (k, n), dtype)
    assert_matmul_close(run_tiled(a, b), a, b)


def test_tiled_block_shapes_exercise_both_builds():
    # Guards the test above: if the thresholds move, its shapes must still cover both.
    serial_shape, parallel_shape = BLOCK_SHAPES[0], BLOCK_SHAPES[1]
    assert np.prod(serial_shape) <= matmul_module._PARALLEL_MIN_WORK
    assert np.prod(parallel_shape) > matmul_module._PARALLEL_MIN_WORK
    assert parallel_shape[0] > matmul_module._M_BLOCK
    assert any(k > matmul_module._K_BLOCK for _, k, _ in BLOCK_SHAPES)
    assert any(n > 2 * matmul_module._N_BLOCK for _, _, n in BLOCK_SHAPES)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tiled_exact_on_integers(dtype):
    # Small integers multiply and add exactly in floating point: equality, not closeness.
    rng = np.random.default_rng(0)
    a = rng.integers(-4, 5, size=(13, 11)).astype(dtype)
    b = rng.integers(-4, 5, size=(11, 10)).astype(dtype)
    np.testing.assert_array_equal(run_tiled(a, b), a @ b)


def test_tiled_does_not_modify_inputs():
    rng = np.random.default_rng(1)
    a, b = random_array(rng, (9, 7), np.float32), random_array(rng, (7, 300), np.float32)
    a_before, b_before = a.copy(), b.copy()
    run_tiled(a, b)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)


def test_tiled_rejects_bad_arguments():
    a = np.ones((3, 4), np.float32)
    b = np.ones((4, 5), np.float32)
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(3, 4\)"):
        matmul_tiled(a, a, np.empty((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(4, 5\) -> \(3, 4\)"):
        matmul_tiled(a, b, np.empty((3, 4), np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        matmul_tiled(a, np.ones((5, 4), np.float32).T, np.empty((3, 5), np.float32))
    with pytest.raises(ValueError, match="2-D"):
        matmul_tiled(a, np.ones(4, np.float32), np.empty(3, np.float32))
    with pytest.raises(TypeError, match="float32, float64 and float32"):
        matmul_tiled(a, b.astype(np.float64), np.empty((3, 5), np.float32))
    with pytest.raises(TypeError, match="int64"):
        matmul_tiled(a.astype(np.int64), b.astype(np.int64), np.empty((3, 5), np.int64))
    square = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="overlap"):
        matmul_tiled(square, np.ones((4, 4), np.float32), square)


# --------------------------------------------------------------------------------------
# matmul: NumPy semantics and the choice of engine
# --------------------------------------------------------------------------------------


def check_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    result = matmul(a, b)
    assert isinstance(result, np.ndarray)
    assert result.flags.c_contiguous
    assert not np.shares_memory(result, a) and not np.shares_memory(result, b)
    assert_matmul_close(result, a, b)
    return result


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", EDGE_SIZES)
def test_matmul_square_sizes(n, dtype):
    rng = np.random.default_rng(n)
    check_matmul(random_array(rng, (n, n), dtype), random_array(rng, (n, n), dtype))


def _cube_root_floor(work: int) -> int:
    side = round(work ** (1 / 3))
    while side**3 > work:
        side -= 1
    while (side + 1) ** 3 <= work:
        side += 1
    return side


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_engine_choice_on_both_sides_of_threshold(dtype, monkeypatch):
    # The kernel path must be taken at and below the threshold and BLAS above it, and
    # both must be right. The spy wraps the real kernel, so values are still checked.
    calls = []
    real_kernel = matmul_module._matmul_small

    def spy(a, b, out):
        calls.append(a.shape + b.shape[1:])
        return real_kernel(a, b, out)

    monkeypatch.setattr(matmul_module, "_matmul_small", spy)
    limit = matmul_module._KERNEL_MAX_WORK[np.dtype(dtype).type]
    side = _cube_root_floor(limit)
    rng = np.random.default_rng(2)
    shapes = [(side, side, side), (side + 1, side, side), (1, side * side, side)]
    shapes.append((1, side * side, side + 1))
    for m, k, n in shapes:
        calls.clear()
        a, b = random_array(rng, (m, k), dtype), random_array(rng, (k, n), dtype)
        check_matmul(a, b)
        assert (calls == [(m, k, n)]) == (m * k * n <= limit)


SHAPE_PAIRS = [
    # 1-D with 1-D, 1-D with 2-D, 2-D with 1-D
    ((5,), (5,)),
    ((1,), (1,)),
    ((5,), (5, 3)),
    ((4, 5), (5,)),
    ((40, 50), (50,)),
    # 1-D against batches
    ((5,), (2, 5, 3)),
    ((2, 3, 4, 5), (5,)),
    # batches, broadcasting each way
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (6, 4, 5)),
    ((6, 1, 3, 4), (2, 4, 5)),
    ((2, 1, 4, 4), (1, 3, 4, 4)),
    ((0, 3, 4), (4, 2)),
    # empty dimensions
    ((0, 4), (4, 3)),
    ((3, 0), (0, 4)),
    ((0,), (0,)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape_a,shape_b", SHAPE_PAIRS)
def test_matmul_ranks_and_broadcasting(shape_a, shape_b, dtype):
    rng = np.random.default_rng(len(shape_a) * 10 + len(shape_b))
    a, b = random_array(rng, shape_a, dtype), random_array(rng, shape_b, dtype)
    result = check_matmul(a, b)
    if len(shape_a) == len(shape_b) == 1:
        assert result.shape == ()  # a 0-d array where NumPy returns a scalar


def test_matmul_empty_inner_dimension_gives_zeros():
    result = matmul(np.ones((3, 0), np.float32), np.ones((0, 4), np.float32))
    np.testing.assert_array_equal(result, np.zeros((3, 4), np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", [(4, 4, 4), (7, 5, 3), (40, 60, 50)])
def test_matmul_non_contiguous_inputs(m, k, n, dtype):
    # Both sides of the threshold: the kernel copies, BLAS reads the strides.
    rng = np.random.default_rng(m)
    a_t = random_array(rng, (k, m), dtype).T  # transposed view, as in the backward pass
    b_t = random_array(rng, (n, k), dtype).T
    a_strided = random_array(rng, (m, 2 * k), dtype)[:, ::2]
    b_strided = random_array(rng, (2 * k, n + 3), dtype)[::2, 3:]
    assert not a_t.flags.c_contiguous and not b_strided.flags.c_contiguous
    for a, b in [(a_t, b_t), (a_strided, b_strided), (a_t, b_strided), (a_strided, b_t)]:
        check_matmul(a, b)
    batch = random_array(rng, (3, k, m), dtype).transpose(0, 2, 1)
    check_matmul(batch, b_t)


def test_matmul_does_not_modify_inputs():
    rng = np.random.default_rng(3)
    a, b = random_array(rng, (5, 6), np.float64), random_array(rng, (6, 7), np.float64)
    a_before, b_before = a.copy(), b.copy()
    matmul(a, b)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)


@pytest.mark.parametrize(
    "dtype_a,dtype_b",
    [
        (np.float32, np.float64),
        (np.float64, np.float32),
        (np.int64, np.int64),
        (np.float16, np.float16),
        (np.complex128, np.complex128),
    ],
)
@pytest.mark.parametrize("shape", [(3, 3), (100, 100)])
def test_matmul_rejects_dtypes(dtype_a, dtype_b, shape):
    a, b = np.ones(shape, dtype_a), np.ones(shape, dtype_b)
    with pytest.raises(TypeError, match=f"{np.dtype(dtype_a)} and {np.dtype(dtype_b)}"):
        matmul(a, b)


@pytest.mark.parametrize(
    "shape_a,shape_b",
    [
        ((3, 4), (5, 6)),
        ((3,), (4,)),
        ((3,), (4, 5)),
        ((3, 4), (3,)),
        ((2, 3, 4), (3, 4, 5)),  # batch dims 2 and 3 do not broadcast
        ((2, 3, 4), (3, 5, 5)),
        ((4, 2, 3, 4), (3, 4, 5)),
        ((100, 200), (300, 100)),
        ((), (3,)),
        ((3,), ()),
    ],
)
def test_matmul_rejects_shapes_naming_them(shape_a, shape_b):
    a, b = np.ones(shape_a, np.float32), np.ones(shape_b, np.float32)
    with pytest.raises(ValueError) as raised:
        matmul(a, b)
    assert str(shape_a) in str(raised.value) and str(shape_b) in str(raised.value)
    with pytest.raises(ValueError):  # the oracle agrees these are errors
        np.matmul(a, b)


# --------------------------------------------------------------------------------------
# Property test
# --------------------------------------------------------------------------------------

MAX_SIDE = 9 if SLOW else 70


@st.composite
def matmul_operands(draw):
    dtype = draw(st.sampled_from(DTYPES))
    m, k, n = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    batch_a = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    # b's batch: a suffix of a's, possibly with ones, so the two broadcast.
    batch_b = tuple(
        draw(st.sampled_from([size, 1])) for size in batch_a[draw(st.integers(0, len(batch_a))) :]
    )
    shape_a = (k,) if a_vector else batch_a + (m, k)
    shape_b = (k,) if b_vector else batch_b + (k, n)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    transpose_a, transpose_b = draw(st.booleans()), draw(st.booleans())

    def make(shape, transpose):
        if transpose and len(shape) >= 2:
            swapped = shape[:-2] + (shape[-1], shape[-2])
            return np.swapaxes(random_array(rng, swapped, dtype), -1, -2)
        return random_array(rng, shape, dtype)

    return make(shape_a, transpose_a), make(shape_b, transpose_b)


@given(matmul_operands())
def test_matmul_matches_numpy_property(operands):
    a, b = operands
    check_matmul(a, b)


@given(
    st.sampled_from(DTYPES),
    st.integers(1, MAX_SIDE),
    st.integers(1, MAX_SIDE),
    st.integers(1, 2 * MAX_SIDE),
    st.integers(0, 2**32 - 1),
)
def test_tiled_matches_numpy_property(dtype, m, k, n, seed):
    rng = np.random.default_rng(seed)
    a, b = random_array(rng, (m, k), dtype), random_array(rng, (k, n), dtype)
    assert_matmul_close(run_tiled(a, b), a, b)
