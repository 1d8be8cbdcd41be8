"""Tests of the elementwise kernels (minigrad.kernels.unary) and of the libm-free scalar
functions they use (minigrad.kernels.fastmath).

Three kinds of test:

* every kernel against its NumPy twin, in both dtypes, at sizes on both sides of the
  parallel threshold, for non-contiguous and multi-dimensional inputs, with special values;
* the accuracy of exp, log, tanh and sigmoid in ulps against a more precise reference
  (long double for float64 where the platform has it, float64 for float32), over the whole
  float range, including subnormals, overflow and underflow;
* the contract of the entry points: a fresh C-contiguous result of the input's shape and
  dtype, inputs left unchanged, ``out=``, and the errors.

Measured maximum ulp distance to the correctly rounded result (2e6 values per case, random
bit patterns, wide and narrow uniform ranges; all 2**32 inputs for float32): exp 1/1,
log 1/1, tanh 3/2, sigmoid 2/2 (float64/float32), expm1 2/2 and log1p 1/1. tanh float64
reaches 3 ulp only for 0.19 < |x| < 0.22, about 1 input in 500,000 there; a dense test
checks that range. ``fastmath.MAX_ULP_ERROR`` holds the bounds.
"""

from __future__ import annotations

import subprocess
import sys

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numba
import numpy as np
import pytest
from hypothesis import given, settings

from minigrad.kernels import fastmath, unary

JIT_DISABLED = numba.config.DISABLE_JIT
DTYPES = [np.float32, np.float64]

# --------------------------------------------------------------------------------------
# ulp arithmetic


def _ordered(values: np.ndarray) -> np.ndarray:
    """Map floats to int64 so that consecutive floats map to consecutive integers
    (and -0.0 and +0.0 both to 0)."""
    if values.dtype == np.float64:
        bits = values.view(np.int64)
        sign_bit = np.int64(-(2**63))
    else:
        bits = values.view(np.int32).astype(np.int64)
        sign_bit = np.int64(-(2**31))
    return np.where(bits < 0, sign_bit - bits, bits)


def ulp_distance(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Number of representable floats between actual and expected (0 if both are nan;
    a huge number if only one is)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype
    a, b = _ordered(actual.ravel()), _ordered(expected.ravel())
    same_sign = (a >= 0) == (b >= 0)
    # a - b can overflow int64 only for opposite signs; there float arithmetic is exact
    # while the distance is small (both values near zero), and huge anyway otherwise.
    opposite = np.minimum(np.abs(a.astype(np.float64) - b.astype(np.float64)), 2.0**62)
    distance = np.where(same_sign, np.abs(a - np.where(same_sign, b, 0)), opposite.astype(np.int64))
    nan_a, nan_b = np.isnan(actual.ravel()), np.isnan(expected.ravel())
    distance = np.where(nan_a & nan_b, 0, distance)
    return np.where(nan_a ^ nan_b, np.int64(2**62), distance)


def assert_ulp_close(actual, expected, max_ulp, inputs=None):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    distance = ulp_distance(actual, expected)
    if distance.size and distance.max() > max_ulp:
        worst = int(np.argmax(distance))
        where = "" if inputs is None else f" at input {np.asarray(inputs).ravel()[worst]!r}"
        raise AssertionError(
            f"{int(distance.max())} ulp > {max_ulp}{where}: got "
            f"{actual.ravel()[worst]!r}, expected {expected.ravel()[worst]!r} "
            f"({int((distance > max_ulp).sum())} of {distance.size} values off)"
        )


def test_ulp_distance_counts_representable_floats():
    one = np.array([1.0])
    assert ulp_distance(one, np.nextafter(one, 2))[0] == 1
    assert ulp_distance(np.array([0.0]), np.array([-0.0]))[0] == 0
    smallest = np.array([5e-324])
    assert ulp_distance(smallest, -smallest)[0] == 2
    assert ulp_distance(np.array([np.nan]), np.array([np.nan]))[0] == 0
    assert ulp_distance(np.array([np.nan]), one)[0] > 10**9
    f = np.array([1.0], np.float32)
    assert ulp_distance(f, np.nextafter(f, np.float32(0)))[0] == 1
    with pytest.raises(AssertionError):
        assert_ulp_close(np.array([1.0]), np.array([1.0 + 2**-51]), 1)


# --------------------------------------------------------------------------------------
# Precise references for the accuracy tests

_HAS_EXTENDED = np.finfo(np.longdouble).nmant >= 63


def _sigmoid_precise(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


_PRECISE = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": _sigmoid_precise,
    "expm1": np.expm1,
    "log1p": np.log1p,
}


def precise(name, x):
    """The function evaluated in higher precision, rounded to x's dtype."""
    wide = np.float64 if x.dtype == np.float32 else np.longdouble
    with np.errstate(all="ignore"):
        return _PRECISE[name](x.astype(wide)).astype(x.dtype)


def _allowed_ulp(name, dtype):
    bound = fastmath.MAX_ULP_ERROR[(name, np.dtype(dtype).name)]
    # Without long double, the float64 reference is itself off by up to 1 ulp.
    return bound + (1 if dtype == np.float64 and not _HAS_EXTENDED else 0)


# Kernels that apply one fastmath function, for testing fastmath itself in both dtypes.
_FASTMATH_KERNELS = {
    "exp": unary.exp,
    "log": unary.log,
    "tanh": unary.tanh,
    "sigmoid": unary.sigmoid,
}
ACCURACY_FUNCTIONS = list(_FASTMATH_KERNELS)


def edge_values(dtype):
    """Special values and the boundaries where exp/log/tanh/sigmoid change regime."""
    info = np.finfo(dtype)
    tiny_subnormal = info.smallest_subnormal
    base = [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        1.0,
        -1.0,
        tiny_subnormal,
        -tiny_subnormal,
        info.tiny,
        -info.tiny,
        info.tiny / 3,
        info.max,
        -info.max,
        info.eps,
        0.5,
        2.0,
        1e-8,
        -1e-8,
        0.3465,
        0.55,
        1.04,
        20.0,
        22.0,
        10.0,
        9.0,
        1e4,
        -1e4,
        1e30,
        -1e30,
    ]
    # Overflow and underflow thresholds of exp, and the bottom of the subnormal range.
    if dtype == np.float64:
        thresholds = [709.782712893384, -708.3964185322641, -745.1332191019411, -744.44]
    else:
        thresholds = [88.72283, -87.33655, -103.27893, -103.97208, -104.0]
    values = np.array(base + thresholds, dtype=dtype)
    with np.errstate(over="ignore"):  # the neighbour of the largest float is inf
        neighbours = [np.nextafter(values, dtype(np.inf)), np.nextafter(values, dtype(-np.inf))]
    return np.concatenate([values] + [v.astype(dtype) for v in neighbours])


# --------------------------------------------------------------------------------------
# Accuracy


@pytest.mark.parametrize("name", ACCURACY_FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_accuracy_at_edge_values(name, dtype):
    x = edge_values(dtype)
    assert_ulp_close(
        _FASTMATH_KERNELS[name](x), precise(name, x), _allowed_ulp(name, dtype), inputs=x
    )


@pytest.mark.parametrize("name", ACCURACY_FUNCTIONS)
@pytest.mark.parametrize("width", [32, 64])
@settings(deadline=None)  # the first example compiles the kernel
@given(data=st.data())
def test_accuracy_over_the_whole_float_range(name, width, data):
    dtype = np.float32 if width == 32 else np.float64
    x = data.draw(hnp.arrays(dtype, st.integers(1, 40), elements=st.floats(width=width)))
    assert_ulp_close(
        _FASTMATH_KERNELS[name](x), precise(name, x), _allowed_ulp(name, dtype), inputs=x
    )


def _float32_grid(name, count):
    """Evenly spaced float32 values over the range where name changes, plus random bit
    patterns (every exponent, both signs, nans, infinities and subnormals)."""
    span = {
        "exp": (-105.0, 90.0),
        "log": (0.0, 4.0),
        "tanh": (-11.0, 11.0),
        "sigmoid": (-105.0, 105.0),
    }[name]
    even = np.linspace(*span, count).astype(np.float32)
    bits = np.random.default_rng(7).integers(0, 2**32, count, dtype=np.uint64)
    return np.concatenate([even, bits.astype(np.uint32).view(np.float32)])


@pytest.mark.parametrize("name", ACCURACY_FUNCTIONS)
def test_float32_accuracy_on_a_dense_grid(name):
    x = _float32_grid(name, 10_000 if JIT_DISABLED else 1_000_000)
    assert_ulp_close(
        _FASTMATH_KERNELS[name](x), precise(name, x), _allowed_ulp(name, np.float32), inputs=x
    )


@pytest.mark.parametrize("name", ACCURACY_FUNCTIONS)
def test_float64_accuracy_on_random_bit_patterns_and_ranges(name):
    count = 5_000 if JIT_DISABLED else 500_000
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [
            rng.integers(-(2**63), 2**63 - 1, count, dtype=np.int64).view(np.float64),
            rng.uniform(-750, 750, count),
            rng.uniform(-3, 3, count),
            np.exp(rng.uniform(-745, 709, count)),  # log over every exponent
        ]
    )
    assert_ulp_close(
        _FASTMATH_KERNELS[name](x), precise(name, x), _allowed_ulp(name, np.float64), inputs=x
    )


def test_tanh_float64_where_its_error_peaks():
    # The range where tanh float64 comes closest to its bound (see MAX_ULP_ERROR): random
    # samples over the whole range rarely land there.
    count = 5_000 if JIT_DISABLED else 1_000_000
    x = np.random.default_rng(5).uniform(0.15, 0.6, count)
    x = np.concatenate([x, -x])
    assert_ulp_close(unary.tanh(x), precise("tanh", x), _allowed_ulp("tanh", np.float64), inputs=x)


@pytest.mark.parametrize("name", ["expm1", "log1p"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_expm1_and_log1p_accuracy(name, dtype):
    # Exercised through elu and softplus in the kernels; tested here directly, in
    # compiled form, on the ranges those kernels use.
    rng = np.random.default_rng(3)
    count = 2_000 if JIT_DISABLED else 200_000
    if name == "expm1":
        x = np.concatenate(
            [
                rng.uniform(-60, 60, count),
                -np.exp(rng.uniform(-700, 4, count)),
                np.exp(rng.uniform(-700, 4, count)),
            ]
        )
    else:
        x = np.concatenate([rng.uniform(0, 1, count), np.exp(rng.uniform(-740, 0, count))])
    x = x.astype(dtype)
    x = np.concatenate([x, np.array([0.0, -0.0, np.nan], dtype)])
    kernel = numba.njit(_apply_fastmath)
    result = np.empty_like(x)
    kernel(x, result, name == "expm1")
    assert_ulp_close(result, precise(name, x), 2, inputs=x)


def _apply_fastmath(x, out, use_expm1):
    for i in range(x.size):
        out[i] = fastmath.expm1(x[i]) if use_expm1 else fastmath.log1p(x[i])


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values_behave_like_numpy(dtype):
    inf, nan = dtype(np.inf), dtype(np.nan)
    x = np.array([-np.inf, np.inf, np.nan, 0.0, -0.0, -1.0], dtype)
    np.testing.assert_array_equal(unary.exp(x), np.array([0, inf, nan, 1, 1, np.exp(-1)], dtype))
    np.testing.assert_array_equal(unary.log(x), np.array([nan, inf, nan, -inf, -inf, nan], dtype))
    np.testing.assert_array_equal(
        unary.tanh(x), np.array([-1, 1, nan, 0, -0.0, np.tanh(dtype(-1))], dtype)
    )
    assert np.signbit(unary.tanh(x)[4])  # tanh(-0) = -0
    sigmoid = unary.sigmoid(np.array([-np.inf, np.inf, np.nan, 0.0, 1e4, -1e4], dtype))
    np.testing.assert_array_equal(sigmoid, np.array([0, 1, nan, 0.5, 1, 0], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_overflow_and_underflow_thresholds(dtype):
    info = np.finfo(dtype)
    largest_finite_input = dtype(np.log(np.float64(info.max)))
    while not np.isfinite(precise("exp", np.array([largest_finite_input]))[0]):
        largest_finite_input = np.nextafter(largest_finite_input, dtype(0))
    above = np.nextafter(largest_finite_input, dtype(np.inf))
    assert precise("exp", np.array([above]))[0] == np.inf
    result = unary.exp(np.array([largest_finite_input, above], dtype))
    assert np.isfinite(result[0]) and result[1] == np.inf
    # The smallest subnormal, and 0 just below where exp rounds to it.
    sub = unary.exp(np.array([np.log(np.float64(info.smallest_subnormal))], dtype))
    assert sub[0] == info.smallest_subnormal
    assert unary.exp(np.array([-1e4], dtype))[0] == 0


# --------------------------------------------------------------------------------------
# Every kernel against its NumPy twin

# name -> (kind, parameters, input range, oracle, max ulp distance to the oracle).
# kind "unary": f(x, *parameters); kind "backward": f(grad, second, *parameters) with the
# second input drawn from the range.
# Oracle "same": the twin in the kernel's dtype, which evaluates the same arithmetic in the
# same order, so the results must be bit-identical (0 ulp).
# Oracle "wide": the twin evaluated in higher precision (float64 for float32 kernels, long
# double for float64 ones) and rounded, i.e. (nearly) the correctly rounded result; the
# bound is the kernel's own error. NumPy's float32 exp and log are themselves up to 2-3 ulp
# off, so the twin in float32 would be a poor judge of a 1-ulp kernel.
# Parameters are exact in both dtypes (beta a power of two): softplus's beta * x would
# otherwise be rounded differently by kernel and oracle, and for very negative inputs
# that difference is amplified |beta * x| times.
OPS = {
    "exp": ("unary", (), (-100, 100), "wide", 1),
    "log": ("unary", (), (0, 1000), "wide", 1),
    "tanh": ("unary", (), (-12, 12), "wide", 2),
    "sigmoid": ("unary", (), (-110, 110), "wide", 2),
    "sqrt": ("unary", (), (0, 1000), "same", 0),
    "sin": ("unary", (), (-10, 10), "wide", 1),
    "cos": ("unary", (), (-10, 10), "wide", 1),
    "abs": ("unary", (), (-10, 10), "same", 0),
    "neg": ("unary", (), (-10, 10), "same", 0),
    "relu": ("unary", (), (-10, 10), "same", 0),
    "leaky_relu": ("unary", (0.2,), (-10, 10), "same", 0),
    "elu": ("unary", (0.7,), (-30, 10), "wide", 2),
    "softplus": ("unary", (2.0, 20.0), (-60, 30), "wide", 2),
    "tanh_backward": ("backward", (), (-1, 1), "same", 0),
    "sigmoid_backward": ("backward", (), (0, 1), "same", 0),
    "relu_backward": ("backward", (), (-10, 10), "same", 0),
    "leaky_relu_backward": ("backward", (0.2,), (-10, 10), "same", 0),
    "elu_backward": ("backward", (0.7,), (-30, 10), "wide", 2),
    "softplus_backward": ("backward", (0.5, 20.0), (-80, 30), "wide", 3),
}

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 1e30, -1e30]


def make_inputs(name, shape, dtype, seed=0):
    kind, parameters, (low, high), _, _ = OPS[name]
    # Parameters rounded to the dtype, so that kernel and oracle use the same values.
    parameters = tuple(float(dtype(p)) for p in parameters)
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    values = rng.uniform(low, high, size).astype(dtype)
    if size >= 2 * len(SPECIALS) and kind == "unary":
        values[: len(SPECIALS)] = np.array(SPECIALS, dtype)
    values = values.reshape(shape)
    if kind == "unary":
        return (values,), parameters
    grad = rng.standard_normal(size).astype(dtype).reshape(shape)
    return (grad, values), parameters


def check_against_twin(name, arrays, parameters):
    kernel = getattr(unary, name)
    twin = getattr(unary, name + "_reference")
    _, _, _, oracle, max_ulp = OPS[name]
    copies = [a.copy() for a in arrays]
    result = kernel(*arrays, *parameters)
    dtype = arrays[0].dtype
    if oracle == "wide":
        wide = np.float64 if dtype == np.float32 else np.longdouble
        max_ulp += 1 if dtype == np.float64 and not _HAS_EXTENDED else 0
        with np.errstate(all="ignore"):
            expected = twin(*[a.astype(wide) for a in arrays], *parameters).astype(dtype)
    else:
        with np.errstate(all="ignore"):
            expected = twin(*arrays, *parameters)
    assert_ulp_close(result, np.asarray(expected), max_ulp, inputs=arrays[-1])
    # A fresh C-contiguous result of the input's shape and dtype; inputs untouched.
    assert result.shape == arrays[0].shape and result.dtype == arrays[0].dtype
    assert result.flags.c_contiguous and result.flags.owndata
    for array, copy in zip(arrays, copies, strict=True):
        assert not np.shares_memory(result, array)
        np.testing.assert_array_equal(array, copy)


@pytest.fixture
def small_threshold_without_jit(monkeypatch):
    # Python loops are slow: move the threshold down so both code paths stay cheap.
    if JIT_DISABLED:
        monkeypatch.setattr(unary, "PARALLEL_MIN_SIZE", 64)


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_kernel_matches_twin_at_sizes_across_the_parallel_threshold(
    name, dtype, small_threshold_without_jit
):
    threshold = unary.PARALLEL_MIN_SIZE
    for size in sorted(
        {0, 1, 7, threshold - 1, threshold, threshold + 1, 3 * threshold + 5}
        | ({1_000_003} if not JIT_DISABLED else set())
    ):
        arrays, parameters = make_inputs(name, (size,), dtype, seed=size)
        check_against_twin(name, arrays, parameters)


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["transposed", "strided", "multi_dim", "scalar"])
def test_kernel_matches_twin_for_any_layout(name, dtype, layout):
    if layout == "scalar":
        arrays, parameters = make_inputs(name, (), dtype)
    elif layout == "multi_dim":
        arrays, parameters = make_inputs(name, (3, 4, 5, 6), dtype)
    else:
        arrays, parameters = make_inputs(name, (40, 60), dtype)
        if layout == "transposed":
            arrays = tuple(a.T for a in arrays)
        else:
            arrays = tuple(a[::3, 1::2] for a in arrays)
        assert not arrays[0].flags.c_contiguous
    check_against_twin(name, arrays, parameters)


@pytest.mark.parametrize("name", list(OPS))
@settings(deadline=None)
@given(data=st.data())
def test_kernel_matches_twin_on_generated_arrays(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    kind, parameters, (low, high), _, _ = OPS[name]
    parameters = tuple(float(dtype(p)) for p in parameters)
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=6))
    # Values within the op's range (where the twin bounds hold), laced with specials.
    element = st.floats(low, high, width=np.dtype(dtype).itemsize * 8)
    if kind == "unary":
        element = element | st.sampled_from(SPECIALS).map(dtype)
    x = data.draw(hnp.arrays(dtype, shape, elements=element))
    if data.draw(st.booleans()) and x.ndim >= 2:
        x = x.T  # non-contiguous
    if kind == "unary":
        arrays = (x,)
    else:
        grad = data.draw(hnp.arrays(dtype, x.shape, elements=st.floats(-1e3, 1e3, width=32)))
        arrays = (grad, x)
    check_against_twin(name, arrays, parameters)


def test_softplus_follows_pytorch():
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-800, 800, 10_001), np.linspace(-3, 3, 1001)])
    for beta, threshold in [(1.0, 20.0), (2.0, 5.0), (0.5, 30.0)]:
        expected = torch.nn.functional.softplus(torch.from_numpy(x), beta, threshold).numpy()
        # Both sides are within ~2 ulp of the exact value, hence rtol = 4.5 ulp; atol: where
        # the result is subnormal (x < -744/beta) PyTorch returns 0.
        np.testing.assert_allclose(
            unary.softplus(x, beta, threshold), expected, rtol=1e-15, atol=1e-307
        )
        expected_grad = torch.ops.aten.softplus_backward(
            torch.ones(x.shape, dtype=torch.float64), torch.from_numpy(x), beta, threshold
        ).numpy()
        np.testing.assert_allclose(
            unary.softplus_backward(np.ones_like(x), x, beta, threshold),
            expected_grad,
            rtol=1e-15,
            atol=1e-307,
        )


def test_activations_follow_pytorch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-20, 20, 4001)
    tx = torch.from_numpy(x)
    functional = torch.nn.functional
    np.testing.assert_array_equal(unary.relu(x), functional.relu(tx).numpy())
    np.testing.assert_array_equal(unary.leaky_relu(x, 0.1), functional.leaky_relu(tx, 0.1).numpy())
    np.testing.assert_allclose(unary.elu(x, 0.7), functional.elu(tx, 0.7).numpy(), rtol=4e-16)
    assert np.isnan(unary.relu(np.array([np.nan]))[0])  # as torch.relu


# --------------------------------------------------------------------------------------
# The entry points' contract


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_, np.float16, np.complex64])
def test_non_float_dtypes_raise_type_error_naming_the_dtype(dtype):
    x = np.ones(5, dtype)
    for name in OPS:
        arguments = (x,) if OPS[name][0] == "unary" else (x, x)
        with pytest.raises(TypeError, match=np.dtype(dtype).name):
            getattr(unary, name)(*arguments)


def test_backward_inputs_must_agree():
    grad = np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="float64"):
        unary.tanh_backward(grad, np.ones((2, 3), np.float64))
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        unary.tanh_backward(grad, np.ones((3, 2), np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_receives_the_result(dtype):
    x = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    out = np.full((3, 4), 7, dtype)
    result = unary.tanh(x, out=out)
    assert result is out
    assert_ulp_close(out, precise("tanh", x), 2)
    # In place is allowed: elementwise kernels read each element before writing it.
    y = x.copy()
    unary.exp(y, out=y)
    assert_ulp_close(y, precise("exp", x), 1)


@pytest.mark.parametrize(
    "bad_out",
    [np.empty((4, 3)), np.empty((3, 4), np.float32), np.empty((4, 3)).T, np.empty(12)],
)
def test_unsuitable_out_raises_before_writing(bad_out):
    x = np.ones((3, 4))
    before = bad_out.copy()
    with pytest.raises(ValueError, match="out"):
        unary.exp(x, out=bad_out)
    np.testing.assert_array_equal(bad_out, before)


@pytest.mark.parametrize("name", list(OPS))
def test_every_public_function_has_a_docstring(name):
    assert getattr(unary, name).__doc__
    assert getattr(unary, name + "_reference").__doc__


@pytest.mark.skipif(JIT_DISABLED, reason="nothing is compiled without the JIT")
def test_a_second_process_loads_the_kernels_from_the_cache():
    program = (
        "import numpy as np\n"
        "from minigrad.kernels import unary\n"
        "for dtype in (np.float32, np.float64):\n"
        "    unary.tanh(np.ones(10, dtype))\n"
        "    unary.softplus(np.ones(10, dtype))\n"
        "serial = unary._tanh_kernels[0], unary._softplus_kernels[0]\n"
        "print(sum(k.stats.cache_hits[s] for k in serial for s in k.stats.cache_hits),"
        " sum(len(k.stats.cache_misses) for k in serial))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    hits, misses = map(int, runs[-1])
    assert (hits, misses) == (4, 0), runs
