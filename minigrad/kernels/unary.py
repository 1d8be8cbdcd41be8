"""Elementwise kernels on float32/float64 arrays: unary maths, activations, and the fused
derivatives their backward passes need.

Every operation comes in three parts:

* ``_<name>_loop`` -- the Numba loop over flat 1-D arrays, compiled twice (serial and
  parallel, see ``_compile.serial_and_parallel``);
* ``<name>(...)`` -- the entry point: any shape, any memory layout in; a new C-contiguous
  array of the same shape and dtype out (or the caller's ``out=`` buffer);
* ``<name>_reference(...)`` -- the same operation in plain NumPy, the test oracle.

The exponentials, logarithms, tanh and sigmoid come from ``fastmath``, whose functions
contain no libm call, so these loops are vectorised; NumPy evaluates exp and tanh one
element at a time on this machine, and the kernels are several times faster.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from minigrad.kernels import fastmath
from minigrad.kernels._compile import serial_and_parallel

__all__ = [
    "PARALLEL_MIN_SIZE",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "sqrt",
    "sin",
    "cos",
    "abs",
    "neg",
    "relu",
    "leaky_relu",
    "elu",
    "softplus",
    "tanh_backward",
    "sigmoid_backward",
    "relu_backward",
    "leaky_relu_backward",
    "elu_backward",
    "softplus_backward",
]

# Arrays with at least this many elements run on the parallel build. Starting and joining
# the threads costs a few us per call, so the parallel build only pays once the work is
# several times that. Measured here (2 cores, AVX2, omp layer), best of 5, serial vs
# parallel microseconds per call:
#   exp     float32: 8e3  8.1 vs  8.1 | 1.6e4 15.8 vs 13.0 | 3.2e4 30.5 vs 23.9
#   exp     float64: 4e3 10.5 vs  7.1 | 1.6e4 40.4 vs 22.4 | 6.4e4  164 vs   85
#   tanh    float32: 4e3  6.5 vs  5.0 | 1.6e4 25.0 vs 14.3
#   sigmoid float32: 8e3  8.2 vs  7.9 | 1.6e4 16.7 vs 13.3
#   abs     float32: 1.6e4 1.7 vs 2.5 | 3.2e4  2.8 vs  3.3 | 6.4e4  7.2 vs  5.0
#   relu    float64: 1.6e4 3.9 vs 3.3
#   sin     float64: 1e3 10.6 vs 22.5 | 4e3 43.4 vs 27.7
# One threshold for all operations keeps this simple. 2**14 is near the break-even point of
# the vectorised transcendental kernels, which matter most; the memory-bound kernels (abs,
# neg, relu) break even ~3x later and lose at most ~1 us in between, the libm-bound ones
# (sin, cos) ~3x earlier. The timings vary a lot from run to run on this shared machine
# (parallel calls occasionally take milliseconds when the other core is busy).
PARALLEL_MIN_SIZE = 2**14

_JIT_DISABLED = numba.config.DISABLE_JIT  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------
# Plumbing shared by every entry point.


def _as_float_array(array, operation):
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    # "is" on the dtype's scalar type: cheaper than comparing dtypes, and every call pays it.
    if array.dtype.type is not np.float32 and array.dtype.type is not np.float64:
        raise TypeError(
            f"{operation}: expected a float32 or float64 array, got dtype {array.dtype}"
        )
    return array


def _flat(array):
    """A flat C-contiguous view of array (a copy only if its layout needs one)."""
    if array.ndim == 1 and array.flags.c_contiguous:
        return array  # skipping reshape saves ~0.5 us per call, a third of a 1e3 exp
    return np.ascontiguousarray(array).reshape(-1)


def _check_same(first, other, operation):
    if other.shape != first.shape:
        raise ValueError(
            f"{operation}: arrays must have the same shape, got {first.shape} and {other.shape}"
        )
    if other.dtype != first.dtype:
        raise TypeError(
            f"{operation}: arrays must have the same dtype, got {first.dtype} and {other.dtype}"
        )


def _run_one(kernels, operation, x, out, *parameters):
    """``_run`` for one array, with the op layer's usual call (a small contiguous float
    array, no ``out``) first: each check here costs a few percent of a small kernel's
    time."""
    if (
        out is None
        and type(x) is np.ndarray
        and x.flags.c_contiguous
        and x.size < PARALLEL_MIN_SIZE
        and (x.dtype.type is np.float32 or x.dtype.type is np.float64)
        and not _JIT_DISABLED
    ):
        # np.empty, not np.empty_like: the latter goes through a Python-level dispatcher.
        result = np.empty(x.shape, x.dtype)
        if parameters:
            kernels[0](x.ravel(), result.ravel(), *_converted(x, parameters))
        else:  # unpacking even an empty sequence costs a quarter of the kernel's time
            kernels[0](x.ravel(), result.ravel())  # ravel() of a contiguous array: a view
        return result
    return _run(kernels, operation, (x,), out, *parameters)


def _run_two(kernels, operation, x, y, out, *parameters):
    """``_run_one`` for two arrays of one shape and dtype (the fused derivatives)."""
    if (
        out is None
        and type(x) is np.ndarray
        and type(y) is np.ndarray
        and x.flags.c_contiguous
        and y.flags.c_contiguous
        and x.size < PARALLEL_MIN_SIZE
        and (x.dtype.type is np.float32 or x.dtype.type is np.float64)
        and y.dtype.type is x.dtype.type
        and y.shape == x.shape
        and not _JIT_DISABLED
    ):
        result = np.empty(x.shape, x.dtype)
        if parameters:
            kernels[0](x.ravel(), y.ravel(), result.ravel(), *_converted(x, parameters))
        else:
            kernels[0](x.ravel(), y.ravel(), result.ravel())
        return result
    return _run(kernels, operation, (x, y), out, *parameters)


def _converted(array, parameters):
    # The kernels are compiled per argument type, so scalar parameters are converted to
    # the array's dtype: a Python float would make a float32 kernel compute in float64.
    scalar = array.dtype.type
    return [scalar(p) for p in parameters]


def _run(kernels, operation, arrays, out, *parameters):
    """Check ``arrays`` (same shape and float dtype), then run the serial or parallel
    kernel on flat C-contiguous views, writing into ``out`` or a fresh array."""
    first = _as_float_array(arrays[0], operation)
    flat = [_flat(first)]
    for other in arrays[1:]:
        other = _as_float_array(other, operation)
        _check_same(first, other, operation)
        flat.append(_flat(other))
    if out is None:
        # Allocated here rather than inside the kernel: a large allocation in Numba
        # page-faults page by page and costs several times the kernel itself.
        out = np.empty(first.shape, first.dtype)
    elif (
        not isinstance(out, np.ndarray)
        or out.shape != first.shape
        or out.dtype != first.dtype
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        raise ValueError(
            f"{operation}: out must be a writeable C-contiguous {first.dtype} array of "
            f"shape {first.shape}"
        )
    flat.append(_flat(out))
    flat.extend(_converted(first, parameters))
    serial, parallel = kernels
    kernel = parallel if first.size >= PARALLEL_MIN_SIZE else serial
    if _JIT_DISABLED:
        # The loops then run on NumPy scalars, which warn about the nan and inf that the
        # compiled kernels produce silently (as NumPy's own array functions would).
        with np.errstate(all="ignore"):
            kernel(*flat)
    else:
        kernel(*flat)
    return out


# --------------------------------------------------------------------------------------
# Forward kernels. Each loop reads x[i] and writes out[i]; prange is range in the serial
# build. Zero and one are taken from the array's dtype so float32 stays float32.


def _exp_loop(x, out):
    for i in prange(x.size):
        out[i] = fastmath.exp(x[i])


def _log_loop(x, out):
    for i in prange(x.size):
        out[i] = fastmath.log(x[i])


def _tanh_loop(x, out):
    for i in prange(x.size):
        out[i] = fastmath.tanh(x[i])


def _sigmoid_loop(x, out):
    for i in prange(x.size):
        out[i] = fastmath.sigmoid(x[i])


def _sqrt_loop(x, out):
    for i in prange(x.size):
        out[i] = np.sqrt(x[i])  # one instruction; negative inputs give nan, as in NumPy


def _sin_loop(x, out):
    for i in prange(x.size):
        out[i] = np.sin(x[i])  # libm: not vectorised


def _cos_loop(x, out):
    for i in prange(x.size):
        out[i] = np.cos(x[i])  # libm: not vectorised


def _abs_loop(x, out):
    for i in prange(x.size):
        out[i] = np.abs(x[i])  # the builtin abs is shadowed by abs() below


def _neg_loop(x, out):
    for i in prange(x.size):
        out[i] = -x[i]


def _relu_loop(x, out):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        value = x[i]
        # "<= 0" rather than "> 0" so that nan propagates, as in PyTorch.
        out[i] = zero if value <= zero else value


def _leaky_relu_loop(x, out, negative_slope):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        value = x[i]
        out[i] = value if value > zero else value * negative_slope


def _elu_loop(x, out, alpha):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        value = x[i]
        # expm1, not exp - 1: near zero the subtraction would cancel.
        out[i] = value if value > zero else alpha * fastmath.expm1(value)


def _softplus_loop(x, out, beta, threshold):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        value = x[i]
        z = beta * value
        # log(1 + e**z) = max(z, 0) + log1p(e**-|z|): the exponential never overflows,
        # and for very negative z the result is e**z to full relative precision.
        smooth = np.divide(max(z, zero) + fastmath.log1p(fastmath.exp(-np.abs(z))), beta)
        out[i] = value if z > threshold else smooth


_exp_kernels = serial_and_parallel(_exp_loop)
_log_kernels = serial_and_parallel(_log_loop)
_tanh_kernels = serial_and_parallel(_tanh_loop)
_sigmoid_kernels = serial_and_parallel(_sigmoid_loop)
_sqrt_kernels = serial_and_parallel(_sqrt_loop)
_sin_kernels = serial_and_parallel(_sin_loop)
_cos_kernels = serial_and_parallel(_cos_loop)
_abs_kernels = serial_and_parallel(_abs_loop)
_neg_kernels = serial_and_parallel(_neg_loop)
_relu_kernels = serial_and_parallel(_relu_loop)
_leaky_relu_kernels = serial_and_parallel(_leaky_relu_loop)
_elu_kernels = serial_and_parallel(_elu_loop)
_softplus_kernels = serial_and_parallel(_softplus_loop)


def exp(x, out=None):
    """e**x elementwise (error <= 1 ulp). Any shape; returns the same shape and dtype."""
    return _run_one(_exp_kernels, "exp", x, out)


def log(x, out=None):
    """Natural logarithm elementwise; log(0) = -inf, log(x < 0) = nan (error <= 1 ulp)."""
    return _run_one(_log_kernels, "log", x, out)


def tanh(x, out=None):
    """Hyperbolic tangent elementwise (error <= 2 ulp)."""
    return _run_one(_tanh_kernels, "tanh", x, out)


def sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + e**-x) elementwise, without overflow (error <= 2 ulp)."""
    return _run_one(_sigmoid_kernels, "sigmoid", x, out)


def sqrt(x, out=None):
    """Square root elementwise; negative inputs give nan."""
    return _run_one(_sqrt_kernels, "sqrt", x, out)


def sin(x, out=None):
    """Sine elementwise (libm, so not vectorised)."""
    return _run_one(_sin_kernels, "sin", x, out)


def cos(x, out=None):
    """Cosine elementwise (libm, so not vectorised)."""
    return _run_one(_cos_kernels, "cos", x, out)


def abs(x, out=None):  # noqa: A001 - the operation's name
    """Absolute value elementwise."""
    return _run_one(_abs_kernels, "abs", x, out)


def neg(x, out=None):
    """-x elementwise."""
    return _run_one(_neg_kernels, "neg", x, out)


def relu(x, out=None):
    """max(x, 0) elementwise; nan stays nan."""
    return _run_one(_relu_kernels, "relu", x, out)


def leaky_relu(x, negative_slope=0.01, out=None):
    """x where x > 0, else negative_slope * x (PyTorch's ``leaky_relu``)."""
    return _run_one(_leaky_relu_kernels, "leaky_relu", x, out, negative_slope)


def elu(x, alpha=1.0, out=None):
    """x where x > 0, else alpha * (e**x - 1) (PyTorch's ``elu``)."""
    return _run_one(_elu_kernels, "elu", x, out, alpha)


def softplus(x, beta=1.0, threshold=20.0, out=None):
    """log(1 + e**(beta*x)) / beta, or x where beta*x > threshold (PyTorch's
    ``softplus``); stable for inputs of any size."""
    return _run_one(_softplus_kernels, "softplus", x, out, beta, threshold)


# --------------------------------------------------------------------------------------
# Fused derivative kernels: upstream gradient times the local derivative, in one pass.
# Inputs have the same shape; the result has that shape.


def _tanh_backward_loop(grad, y, out):
    one = y.dtype.type(1)
    for i in prange(y.size):
        out[i] = grad[i] * (one - y[i] * y[i])


def _sigmoid_backward_loop(grad, y, out):
    one = y.dtype.type(1)
    for i in prange(y.size):
        out[i] = grad[i] * y[i] * (one - y[i])


def _relu_backward_loop(grad, x, out):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        # "<= 0" rather than "> 0": a nan input passes the gradient, as in PyTorch.
        out[i] = zero if x[i] <= zero else grad[i]


def _leaky_relu_backward_loop(grad, x, out, negative_slope):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        out[i] = grad[i] if x[i] > zero else grad[i] * negative_slope


def _elu_backward_loop(grad, x, out, alpha):
    zero = x.dtype.type(0)
    for i in prange(x.size):
        value = x[i]
        # min(value, 0): the exponential of the positive inputs is never used, and would
        # overflow for large ones. "<= 0": a nan input passes the gradient, as in PyTorch.
        out[i] = grad[i] * alpha * fastmath.exp(min(value, zero)) if value <= zero else grad[i]


def _softplus_backward_loop(grad, x, out, beta, threshold):
    for i in prange(x.size):
        z = beta * x[i]
        out[i] = grad[i] if z > threshold else grad[i] * fastmath.sigmoid(z)


_tanh_backward_kernels = serial_and_parallel(_tanh_backward_loop)
_sigmoid_backward_kernels = serial_and_parallel(_sigmoid_backward_loop)
_relu_backward_kernels = serial_and_parallel(_relu_backward_loop)
_leaky_relu_backward_kernels = serial_and_parallel(_leaky_relu_backward_loop)
_elu_backward_kernels = serial_and_parallel(_elu_backward_loop)
_softplus_backward_kernels = serial_and_parallel(_softplus_backward_loop)


def tanh_backward(grad, y, out=None):
    """grad * (1 - y**2), the gradient of tanh given its output y = tanh(x)."""
    return _run_two(_tanh_backward_kernels, "tanh_backward", grad, y, out)


def sigmoid_backward(grad, y, out=None):
    """grad * y * (1 - y), the gradient of sigmoid given its output y = sigmoid(x)."""
    return _run_two(_sigmoid_backward_kernels, "sigmoid_backward", grad, y, out)


def relu_backward(grad, x, out=None):
    """0 where x <= 0, else grad: the gradient of relu given its input x (a nan input
    passes the gradient, as in PyTorch)."""
    return _run_two(_relu_backward_kernels, "relu_backward", grad, x, out)


def leaky_relu_backward(grad, x, negative_slope=0.01, out=None):
    """grad where x > 0, else grad * negative_slope."""
    return _run_two(
        _leaky_relu_backward_kernels, "leaky_relu_backward", grad, x, out, negative_slope
    )


def elu_backward(grad, x, alpha=1.0, out=None):
    """grad * alpha * e**x where x <= 0, else grad: the gradient of elu given its input
    (a nan input passes the gradient, as in PyTorch)."""
    return _run_two(_elu_backward_kernels, "elu_backward", grad, x, out, alpha)


def softplus_backward(grad, x, beta=1.0, threshold=20.0, out=None):
    """grad * sigmoid(beta * x), or grad where beta * x > threshold."""
    return _run_two(
        _softplus_backward_kernels, "softplus_backward", grad, x, out, beta, threshold
    )


# --------------------------------------------------------------------------------------
# NumPy twins: the test oracles. Written for clarity and numerical sense, not speed.


def exp_reference(x):
    """NumPy twin of ``exp``."""
    return np.exp(x)


def log_reference(x):
    """NumPy twin of ``log``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def tanh_reference(x):
    """NumPy twin of ``tanh``."""
    return np.tanh(x)


def sigmoid_reference(x):
    """NumPy twin of ``sigmoid``: e = exp(-|x|) never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def sqrt_reference(x):
    """NumPy twin of ``sqrt``."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


def sin_reference(x):
    """NumPy twin of ``sin``."""
    with np.errstate(invalid="ignore"):
        return np.sin(x)


def cos_reference(x):
    """NumPy twin of ``cos``."""
    with np.errstate(invalid="ignore"):
        return np.cos(x)


def abs_reference(x):
    """NumPy twin of ``abs``."""
    return np.abs(x)


def neg_reference(x):
    """NumPy twin of ``neg``."""
    return np.negative(x)


def relu_reference(x):
    """NumPy twin of ``relu``."""
    return np.where(x <= 0, np.zeros_like(x), x)


def leaky_relu_reference(x, negative_slope=0.01):
    """NumPy twin of ``leaky_relu``."""
    return np.where(x > 0, x, x * x.dtype.type(negative_slope))


def elu_reference(x, alpha=1.0):
    """NumPy twin of ``elu``."""
    return np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0)))


def softplus_reference(x, beta=1.0, threshold=20.0):
    """NumPy twin of ``softplus``."""
    beta = x.dtype.type(beta)
    z = beta * x
    smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > x.dtype.type(threshold), x, smooth)


def tanh_backward_reference(grad, y):
    """NumPy twin of ``tanh_backward``."""
    return grad * (1 - y * y)


def sigmoid_backward_reference(grad, y):
    """NumPy twin of ``sigmoid_backward``."""
    return grad * y * (1 - y)


def relu_backward_reference(grad, x):
    """NumPy twin of ``relu_backward``."""
    return np.where(x <= 0, np.zeros_like(grad), grad)


def leaky_relu_backward_reference(grad, x, negative_slope=0.01):
    """NumPy twin of ``leaky_relu_backward``."""
    return np.where(x > 0, grad, grad * x.dtype.type(negative_slope))


def elu_backward_reference(grad, x, alpha=1.0):
    """NumPy twin of ``elu_backward``."""
    return np.where(x <= 0, grad * x.dtype.type(alpha) * np.exp(np.minimum(x, 0)), grad)


def softplus_backward_reference(grad, x, beta=1.0, threshold=20.0):
    """NumPy twin of ``softplus_backward``."""
    z = x.dtype.type(beta) * x
    return np.where(z > x.dtype.type(threshold), grad, grad * sigmoid_reference(z))


# --------------------------------------------------------------------------------------
# The error function and its complement (issue 13: torch.erf, torch.erfc, exact GELU).
# libm's erf/erfc (correct to about 1 ulp) called per element from a compiled loop: many
# times faster than math.erf from Python, which NumPy would need (it has no erf). float32
# is computed in float64 and rounded: libm's erfcf is 2 ulp off in places, this 1 at most.

__all__ += ["erf", "erfc"]


def _erf_loop(x, out):
    for i in prange(x.size):
        out[i] = math.erf(np.float64(x[i]))  # libm: not vectorised


def _erfc_loop(x, out):
    for i in prange(x.size):
        out[i] = math.erfc(np.float64(x[i]))  # libm: not vectorised


_erf_kernels = serial_and_parallel(_erf_loop)
_erfc_kernels = serial_and_parallel(_erfc_loop)


def erf(x, out=None):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t**2) dt, elementwise (libm)."""
    return _run_one(_erf_kernels, "erf", x, out)


def erfc(x, out=None):
    """1 - erf(x) elementwise, without the cancellation for large x (libm)."""
    return _run_one(_erfc_kernels, "erfc", x, out)


_math_erf = np.vectorize(math.erf, otypes=[np.float64])
_math_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def erf_reference(x):
    """NumPy twin of ``erf``: Python's math.erf (float64) per element."""
    return _math_erf(x).astype(x.dtype)


def erfc_reference(x):
    """NumPy twin of ``erfc``: Python's math.erfc (float64) per element."""
    return _math_erfc(x).astype(x.dtype)


# --------------------------------------------------------------------------------------
# Linear interpolation (torch.lerp), with PyTorch's rounding: a fused multiply-add from
# start where |weight| < 0.5, else from end backwards (so weight 1 gives end exactly).

__all__ += ["lerp"]


def _lerp_loop(start, end, weight, out):
    one, half = start.dtype.type(1), start.dtype.type(0.5)
    for i in prange(start.size):
        difference = end[i] - start[i]
        w = weight[i]
        if np.abs(w) < half:
            out[i] = fastmath._fma(w, difference, start[i])
        else:
            out[i] = fastmath._fma(-difference, one - w, end[i])


def _lerp_scalar_loop(start, end, out, weight):
    one, half = start.dtype.type(1), start.dtype.type(0.5)
    small, rest = np.abs(weight) < half, one - weight
    for i in prange(start.size):
        difference = end[i] - start[i]
        if small:
            out[i] = fastmath._fma(weight, difference, start[i])
        else:
            out[i] = fastmath._fma(-difference, rest, end[i])


_lerp_kernels = serial_and_parallel(_lerp_loop)
_lerp_scalar_kernels = serial_and_parallel(_lerp_scalar_loop)


def lerp(start, end, weight, out=None):
    """start + weight * (end - start) elementwise; ``weight`` an array of the same shape
    and dtype or a number. Fused multiply-adds where the CPU has them, as PyTorch."""
    if isinstance(weight, np.ndarray):
        return _run(_lerp_kernels, "lerp", (start, end, weight), out)
    return _run(_lerp_scalar_kernels, "lerp", (start, end), out, weight)


def lerp_reference(start, end, weight):
    """NumPy twin of ``lerp`` (unfused, so within an ulp or so of it)."""
    weight = np.asarray(weight, dtype=start.dtype)
    difference = end - start
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(
            np.abs(weight) < 0.5, start + weight * difference, end - difference * (1 - weight)
        ).astype(start.dtype)
