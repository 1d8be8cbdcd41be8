"""Binary and reduction kernels against their NumPy twins, in both float dtypes, across
the parallel threshold, with broadcasting and non-contiguous inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.kernels import binary, reduce
from minigrad.testing.strategies import broadcastable_shapes

DTYPES = [np.float32, np.float64]
BINARY = [
    (binary.add, np.add),
    (binary.sub, np.subtract),
    (binary.mul, np.multiply),
    (binary.div, np.divide),
    (binary.pow, np.power),
    (binary.maximum, np.maximum),
    (binary.minimum, np.minimum),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel, twin", BINARY, ids=[k.__name__ for k, _ in BINARY])
@given(shapes=broadcastable_shapes(2, max_rank=4), data=st.data())
def test_binary_kernels_match_numpy(kernel, twin, dtype, shapes, data):
    positive = st.floats(0.25, 4.0, width=32)
    a = data.draw(hnp.arrays(dtype, shapes[0], elements=positive))
    b = data.draw(hnp.arrays(dtype, shapes[1], elements=positive))
    result = kernel(a, b)
    expected = twin(a, b)
    assert result.dtype == dtype and result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_kernels_with_scalars_and_zero_dimensional_arrays(dtype):
    x = np.arange(1.0, 4.0, dtype=dtype)
    for kernel, twin in BINARY:
        for a, b in [(x, dtype(2)), (dtype(2), x), (np.asarray(dtype(3)), np.asarray(dtype(2)))]:
            result = kernel(a, b)
            assert result.dtype == dtype and result.shape == np.shape(twin(a, b))
            np.testing.assert_allclose(result, twin(a, b), rtol=4 * np.finfo(dtype).eps)


def test_binary_kernels_refuse_mixed_or_integer_dtypes():
    with pytest.raises(TypeError, match="float32 and float64"):
        binary.add(np.ones(2, np.float32), np.ones(2))
    with pytest.raises(TypeError, match="int64"):
        binary.add(np.ones(2, np.int64), np.ones(2, np.int64))


def test_broadcasts_that_do_not_fit_rows_and_columns():
    rng = np.random.default_rng(1)
    a, b = rng.random((3, 1, 4, 1)), rng.random((5, 1, 2))
    np.testing.assert_allclose(binary.mul(a, b), a * b)
    np.testing.assert_allclose(binary.sub(b, a), b - a)


def test_broadcast_plans_are_remembered_per_pair_of_shapes(monkeypatch):
    a = np.arange(12.0).reshape(3, 4)
    b = np.arange(4.0)
    monkeypatch.setattr(binary, "_PLANS", {})
    monkeypatch.setattr(binary, "_MAX_PLANS", 2)
    np.testing.assert_array_equal(binary.add(a, b), a + b)
    np.testing.assert_array_equal(binary.add(b, a), b + a)
    assert set(binary._PLANS) == {((3, 4), (4,)), ((4,), (3, 4))}
    # A third pair clears the full table rather than growing it; results stay right.
    np.testing.assert_array_equal(binary.sub(a[:, :1], a), a[:, :1] - a)
    assert list(binary._PLANS) == [((3, 1), (3, 4))]
    np.testing.assert_array_equal(binary.mul(a, b), a * b)
    with pytest.raises(ValueError):
        binary.add(a, np.ones(3))  # shapes that do not broadcast are not remembered
    assert ((3, 4), (3,)) not in binary._PLANS


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_kernels_on_strided_and_transposed_views(dtype):
    rng = np.random.default_rng(0)
    base = rng.random((6, 8)).astype(dtype) + 0.5
    a, b = base[::2, ::2], base.T[:4, :3].T
    for kernel, twin in BINARY:
        np.testing.assert_allclose(kernel(a, b), twin(a, b), rtol=4 * np.finfo(dtype).eps)


def test_maximum_minimum_propagate_nan_from_either_side():
    a = np.array([np.nan, 1.0, 2.0])
    b = np.array([0.0, np.nan, 1.0])
    np.testing.assert_array_equal(binary.maximum(a, b), np.maximum(a, b))
    np.testing.assert_array_equal(binary.minimum(a, b), np.minimum(a, b))


SIZES = [1, 7, reduce.PARALLEL_THRESHOLD - 1, reduce.PARALLEL_THRESHOLD * 3 + 5]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
def test_sum_and_max_across_the_parallel_threshold(dtype, size):
    rng = np.random.default_rng(size)
    x = rng.standard_normal((3, size)).astype(dtype)
    for dims in [(), (0,), (1,), (0, 1)]:
        np.testing.assert_allclose(
            reduce.sum(x, dims), reduce.sum_reference(x, dims), rtol=1e-6, atol=1e-6
        )
        values, indices = reduce.max_with_indices(x, dims)
        expected_values, expected_indices = reduce.max_with_indices_reference(x, dims)
        np.testing.assert_array_equal(values, expected_values)
        np.testing.assert_array_equal(indices, expected_indices)
        np.testing.assert_array_equal(reduce.max_values(x, dims), expected_values)
    wide = rng.standard_normal((size, 3)).astype(dtype)
    np.testing.assert_allclose(
        reduce.sum(wide, (0,)), reduce.sum_reference(wide, (0,)), rtol=1e-5, atol=1e-5
    )


@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4),
                 elements=st.floats(-5, 5)),
    data=st.data(),
)
def test_reductions_over_any_dims_and_layouts(x, data):
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, x.ndim - 1)))))
    keepdim = data.draw(st.booleans())
    for view in (x, np.asfortranarray(x), x[..., ::-1]):
        np.testing.assert_allclose(
            reduce.sum(view, dims, keepdim), reduce.sum_reference(view, dims, keepdim),
            rtol=1e-12, atol=1e-12,
        )
        values, indices = reduce.max_with_indices(view, dims, keepdim)
        expected = reduce.max_with_indices_reference(view, dims, keepdim)
        np.testing.assert_array_equal(values, expected[0])
        np.testing.assert_array_equal(indices, expected[1])
        np.testing.assert_array_equal(reduce.max_values(view, dims, keepdim), expected[0])


def test_float32_sums_accumulate_in_float64():
    x = np.full(10_000_000, 0.1, dtype=np.float32)
    # A float32 running sum would be off by about 9%; float64 accumulation is exact to
    # float32 rounding of the true total.
    assert reduce.sum(x, ()) == np.float32(np.sum(x, dtype=np.float64))


def test_max_takes_the_first_nan_and_ties_take_the_first_index():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, 0.0]])
    values, indices = reduce.max_with_indices(x, (1,))
    assert np.isnan(values[0]) and indices.tolist() == [1, 1]
    assert values[1] == 5.0
    # Values only: a NaN anywhere in the slice, first or last, still gives NaN.
    for row in ([np.nan, 1.0, 2.0], [1.0, 2.0, np.nan], [-np.inf, np.nan, np.inf]):
        assert np.isnan(reduce.max_values(np.array([row]), (1,))[0])


def test_parallel_kernels_called_from_several_threads_at_once():
    # Numba's work-queue threading layer ends the process when entered concurrently;
    # minigrad runs parallel kernels one at a time. A subprocess, since failure kills it.
    import subprocess
    import sys

    code = (
        "import threading, numpy as np\n"
        "from minigrad.kernels import reduce, unary\n"
        "x = np.random.rand(200_000).astype(np.float32)\n"
        "def work():\n"
        "    for _ in range(50):\n"
        "        unary.tanh(x); reduce.sum(x, ())\n"
        "threads = [threading.Thread(target=work) for _ in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
