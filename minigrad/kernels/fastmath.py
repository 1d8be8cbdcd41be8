"""Scalar ``exp``, ``expm1``, ``log``, ``log1p``, ``tanh`` and ``sigmoid`` without libm.

Why this module exists: a call into the C maths library (``math.exp`` inside a Numba
kernel) is opaque to LLVM, so a loop containing one runs one element at a time. The
functions here are plain arithmetic -- a range reduction, a polynomial and a power of two
written straight into the exponent bits -- so a loop calling them is vectorised (4 float64
or 8 float32 lanes with AVX2). Every ``if`` below is a choice between two already-computed
values, which LLVM turns into a branch-free select; that is what keeps the loop vectorisable.
Divisions are written ``np.divide(a, b)``: Numba's ``a / b`` checks for a zero divisor to
raise ``ZeroDivisionError``, and that check alone stops vectorisation (measured: 4x slower).
Range reductions and polynomials are written with ``_fma(a, b, c)``: a * b + c as one fused
multiply-add instruction where the CPU has one. Numba never fuses ``a * b + c`` by itself,
and the fused form halves the instructions of a polynomial (measured: exp 1.6-1.7x faster,
together with the shorter minimax polynomials below).

Each public function works on a float32 or a float64 scalar. Inside a Numba kernel the
precision is chosen when the kernel is compiled (``numba.extending.overload``); from Python
(and under ``NUMBA_DISABLE_JIT=1``) it is chosen by ``isinstance``. The float32 versions
compute in float32 with float32 constants throughout: a single float64 constant would
promote the whole loop to float64 and halve the SIMD width.

Accuracy, measured by ``tests/kernels/test_unary.py`` against the correctly rounded result
over the whole float range (subnormal results, overflow, underflow included): see the
``MAX_ULP_ERROR`` table. Special values behave like NumPy: exp(-inf) = 0, exp(inf) = inf,
log(0) = -inf, log(x < 0) = nan, tanh(+-inf) = +-1, sigmoid(-inf) = 0, sigmoid(inf) = 1,
and nan propagates.

Caveat for developers: Numba decides whether a cached kernel is stale from the kernel's own
source file only. After editing this file, clear the ``__pycache__`` of the kernel modules
that inline these functions (or touch them), or old machine code is loaded.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba.extending import intrinsic, overload

from minigrad.kernels._compile import inline

__all__ = ["exp", "expm1", "log", "log1p", "tanh", "sigmoid", "MAX_ULP_ERROR"]

# Largest error (in units in the last place) allowed by the tests; measured values are in
# the test module's docstring. Keyed by (function name, dtype name).
MAX_ULP_ERROR = {
    ("exp", "float64"): 1,
    ("exp", "float32"): 1,
    ("log", "float64"): 1,
    ("log", "float32"): 1,
    # 3, not 2: for 0.19 < |x| < 0.22 the rounding of the reduced argument inside expm1
    # and the division |e| / (2 + e) add up to 3 ulp for about 1 input in 500,000 (found by
    # a dense sweep in session 2; the sampled tests had missed it). Carrying the reduced
    # argument's rounding error into expm1 would bring it back to 2.
    ("tanh", "float64"): 3,
    ("tanh", "float32"): 2,
    ("sigmoid", "float64"): 2,
    ("sigmoid", "float32"): 2,
}

# --------------------------------------------------------------------------------------
# Reading and writing the bits of a float. ``view`` on a scalar is a free reinterpretation
# (a bitcast), unlike ``math.ldexp`` or ``2.0 ** n``, which call libm.


@inline
def _bits_of_float64(x):
    return np.float64(x).view(np.int64)


@inline
def _float64_from_bits(bits):
    return np.int64(bits).view(np.float64)


@inline
def _bits_of_float32(x):
    return np.float32(x).view(np.int32)


@inline
def _float32_from_bits(bits):
    # Numba widens int32 arithmetic to int64; narrow back before reinterpreting.
    return np.int32(bits).view(np.float32)


def _fma(a, b, c):
    """a * b + c: one instruction with a single rounding on CPUs with FMA (x86-64 with AVX2,
    ARM64), else a multiply and an add. Numba's ``a * b + c`` never fuses, because fusing
    changes the rounding; the functions below are within their ulp bounds either way
    (float32: checked on all 2**32 inputs, fused and not). The pure-Python version, used
    under NUMBA_DISABLE_JIT=1, does not fuse."""
    return a * b + c


@intrinsic
def _fmuladd(typingctx, a, b, c):
    # LLVM's llvm.fmuladd: "fuse if the target has a fast FMA instruction". Only for
    # three arguments of one float type, so a stray float64 in float32 code fails to compile.
    if not (a == b == c and a in (numba.types.float32, numba.types.float64)):
        return None

    def codegen(context, builder, signature, arguments):
        float_type = context.get_value_type(signature.return_type)
        function_type = ir.FunctionType(float_type, [float_type] * 3)
        function = builder.module.declare_intrinsic("llvm.fmuladd", [float_type], function_type)
        return builder.call(function, arguments)

    return a(a, b, c), codegen


@overload(_fma, inline="always")
def _fma_overload(a, b, c):
    return lambda a, b, c: _fmuladd(a, b, c)


@inline
def _pow2_f64(n):
    """2**n for an integer n in [-1022, 1023], written directly into the exponent field."""
    return _float64_from_bits((n + 1023) << 52)


@inline
def _pow2_f32(n):
    """2**n for an integer n in [-126, 127]."""
    return _float32_from_bits((n + 127) << 23)


# --------------------------------------------------------------------------------------
# float64

_INF = math.inf
_NAN = math.nan
_LOG2E = 1.4426950408889634
# ln 2 split in two so that n * _LN2_HI is exact for |n| < 2**11 (the low bits of
# _LN2_HI are zero): the reduced argument r = x - n ln2 then keeps full precision.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# Adding 1.5 * 2**52 rounds a float64 of magnitude < 2**51 to the nearest integer and leaves
# that integer in the low bits of the sum: rounding without a float-to-int conversion,
# which AVX2 cannot vectorise for 64-bit integers.
_ROUND_SHIFT = 6755399441055744.0
_ROUND_SHIFT_BITS = 0x4338000000000000

# expm1(r) ~ r + r**2 * (E2 + E3 r + ... + E11 r**9) on |r| <= ln2/2: a minimax fit (Remez
# algorithm, in 50-digit arithmetic) of the relative error of expm1(r), below 3.5e-17 with
# the coefficients rounded to float64; the same polynomial then gives e**r = 1 + expm1(r)
# to 1.4e-17. Close to the Taylor coefficients 1/k!, but two terms shorter for the same
# accuracy, because the error is spread evenly over the interval instead of growing
# towards its ends.
_E2 = 0.5000000000000006
_E3 = 0.16666666666666588
_E4 = 0.04166666666657677
_E5 = 0.008333333333389542
_E6 = 0.0013888888931558776
_E7 = 0.00019841269719022807
_E8 = 2.480150528161253e-05
_E9 = 2.7557407536589722e-06
_E10 = 2.76260346119304e-07
_E11 = 2.505377390798269e-08
_EXP_MAX = 710.0  # exp(710) and expm1(710) overflow: larger inputs are clamped to it
_EXP_MIN = -746.0  # exp(-746) rounds to 0
_EXPM1_MIN = -60.0  # expm1(-60) rounds to -1
_TWO_POW_M64 = 2.0**-64


@inline
def _reduce_exp_f64(x):
    """Write x = n ln2 + r with integer n and |r| <= ln2/2; return (n, expm1(r))."""
    shifted = _fma(x, _LOG2E, _ROUND_SHIFT)
    n = _bits_of_float64(shifted) - _ROUND_SHIFT_BITS
    n_float = shifted - _ROUND_SHIFT
    r = _fma(n_float, -_LN2_HI, x)  # exact: n * _LN2_HI is, and it is close to x
    r = _fma(n_float, -_LN2_LO, r)
    # Horner's rule on the polynomial's tail; r + r**2 * tail is rounded once, at the end.
    tail = _fma(r, _fma(r, _fma(r, _fma(r, _E11, _E10), _E9), _E8), _E7)
    tail = _fma(r, _fma(r, _fma(r, _fma(r, _fma(r, tail, _E6), _E5), _E4), _E3), _E2)
    return n, _fma(r * r, tail, r)


@inline
def _exp_f64(x):
    # Beyond these bounds the result is inf or 0 anyway; clamping keeps n in [-1076, 1024].
    # nan fails both tests and passes.
    if x > _EXP_MAX:
        x = _EXP_MAX
    if x < _EXP_MIN:
        x = _EXP_MIN
    n, expm1_r = _reduce_exp_f64(x)
    # e**x = 2**n (1 + expm1_r). 2**n itself may not be a float64 (n = 1024, or n < -1022
    # for subnormal results), so it is applied as 2**(n - k) * 2**k, both normal numbers:
    # k = 1 for x > 0, and the last product overflows to inf where it should; k = -64 for
    # x <= 0, and the last product rounds subnormal results. Choosing k by the sign of x is
    # a select between two constants, cheaper than splitting n in halves.
    k = -64
    two_pow_k = _TWO_POW_M64
    if x > 0.0:
        k = 1
        two_pow_k = 2.0
    scale = _pow2_f64(n - k)
    return _fma(expm1_r, scale, scale) * two_pow_k  # scale * (1 + expm1_r), rounded once


@inline
def _exp_nonpositive_f64(x):
    """exp for x <= 0 (or nan): _exp_f64 without its x > 0 case, for sigmoid."""
    if x < _EXP_MIN:
        x = _EXP_MIN
    n, expm1_r = _reduce_exp_f64(x)
    scale = _pow2_f64(n + 64)
    return _fma(expm1_r, scale, scale) * _TWO_POW_M64


@inline
def _expm1_f64(x):
    if x > _EXP_MAX:
        x = _EXP_MAX
    if x < _EXPM1_MIN:
        x = _EXPM1_MIN
    n, expm1_r = _reduce_exp_f64(x)
    # expm1(x) = 2**n (1 + expm1_r) - 1 = 2 (h expm1_r + (h - 1/2)) with h = 2**(n - 1),
    # a normal number for every n in [-87, 1024]. h - 1/2 is exact whenever it matters, so
    # the fused multiply-add rounds once; the doubling is exact, or overflows to inf.
    half_scale = _pow2_f64(n - 1)
    result = _fma(half_scale, expm1_r, half_scale - 0.5) * 2.0
    if n == 0:
        # |x| <= ln2/2: expm1_r itself. (Halving and doubling it would also give it, except
        # for a subnormal x, whose last bit the halving would round away.)
        result = expm1_r
    return result


# log: fdlibm's minimax polynomial for log(1+f) = 2 atanh(s), s = f/(2+f) (error < 1 ulp).
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
# Bits of (roughly) sqrt(2)/2: the mantissa is reduced to [sqrt(2)/2, sqrt(2)).
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD
_EXPONENT_MASK_64 = -(1 << 52)  # 0xFFF0000000000000 as a signed int64
_SMALLEST_NORMAL_64 = 2.2250738585072014e-308
_TWO_POW_54 = 18014398509481984.0


@inline
def _log_f64(x):
    # Subnormal inputs are scaled into the normal range first, and the scale taken back
    # out of the exponent.
    scaled = x
    exponent_shift = 0
    if x < _SMALLEST_NORMAL_64:
        scaled = x * _TWO_POW_54
        exponent_shift = -54
    bits = _bits_of_float64(scaled)
    offset = bits - _SQRT_HALF_BITS
    k = (offset >> 52) + exponent_shift
    mantissa = _float64_from_bits(bits - (offset & _EXPONENT_MASK_64))
    f = mantissa - 1.0  # exact: mantissa is within a factor 2 of 1
    half_f_squared = 0.5 * f * f
    s = np.divide(f, 2.0 + f)
    z = s * s
    w = z * z
    even = w * (_LG2 + w * (_LG4 + w * _LG6))
    odd = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    k_float = np.float64(k)
    result = k_float * _LN2_HI - (
        (half_f_squared - (s * (half_f_squared + (even + odd)) + k_float * _LN2_LO)) - f
    )
    if x < 0.0:
        result = _NAN
    if x == 0.0:
        result = -_INF
    if not x < _INF:  # +inf and nan are their own logarithm
        result = x
    return result


@inline
def _log1p_f64(x):
    u = 1.0 + x
    # log(u) is the logarithm of a rounded 1 + x; the first-order correction ((u-1)-x)/u
    # removes that rounding (Goldberg's trick), which matters most for tiny x.
    correction = np.divide((u - 1.0) - x, u)
    if u == 0.0 or not u < _INF:
        correction = 0.0
    return _log_f64(u) - correction


@inline
def _tanh_f64(x):
    magnitude = abs(x)
    if magnitude > 20.0:  # tanh(20) rounds to 1
        magnitude = 20.0
    # tanh|x| = |e| / (2 + e) with e = expm1(2|x|), or e = expm1(-2|x|): both forms have no
    # cancellation near zero. Below |x| = 0.55 the negative argument is used, because
    # expm1 is least accurate (2 ulp) for arguments in [ln2/2, 1.5 ln2).
    argument = 2.0 * magnitude
    if magnitude < 0.55:
        argument = -argument
    e = _expm1_f64(argument)
    return math.copysign(np.divide(abs(e), 2.0 + e), x)


@inline
def _sigmoid_f64(x):
    # exp(-|x|) never overflows: 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
    e = _exp_nonpositive_f64(-abs(x))
    numerator = 1.0
    if not x >= 0.0:
        numerator = e  # also for nan, so nan propagates
    return np.divide(numerator, 1.0 + e)


# --------------------------------------------------------------------------------------
# float32: the same algorithms, shorter polynomials, float32 constants only.

_F32 = np.float32
_INF_F32 = _F32(np.inf)
_NAN_F32 = _F32(np.nan)
_ZERO_F32 = _F32(0.0)
_HALF_F32 = _F32(0.5)
_ONE_F32 = _F32(1.0)
_TWO_F32 = _F32(2.0)
_LOG2E_F32 = _F32(1.44269504)
_LN2_HI_F32 = _F32(0.693145751953125)  # low 9 mantissa bits zero
_LN2_LO_F32 = _F32(1.428606765330187e-06)
_ROUND_SHIFT_F32 = _F32(12582912.0)  # 1.5 * 2**23
_ROUND_SHIFT_BITS_F32 = 0x4B400000
_EXP_MAX_F32 = _F32(89.0)
_EXP_MIN_F32 = _F32(-104.0)
_EXPM1_MIN_F32 = _F32(-30.0)
_TANH_MAX_F32 = _F32(10.0)
_TANH_SWITCH_F32 = _F32(0.55)
_TWO_POW_M64_F32 = _F32(2.0**-64)
# The float32 minimax fit of expm1(r), as for float64: relative error below 1.7e-8 (0.3
# ulp) for expm1, 6e-9 for e**r. Taylor's series needs a term more for the same.
_E2_F32 = _F32(0.4999999701976776)
_E3_F32 = _F32(0.1666654348373413)
_E4_F32 = _F32(0.04166720062494278)
_E5_F32 = _F32(0.008366518653929234)
_E6_F32 = _F32(0.0013882522471249104)


@inline
def _reduce_exp_f32(x):
    shifted = _fma(x, _LOG2E_F32, _ROUND_SHIFT_F32)
    n = _bits_of_float32(shifted) - _ROUND_SHIFT_BITS_F32
    n_float = shifted - _ROUND_SHIFT_F32
    r = _fma(n_float, -_LN2_HI_F32, x)
    r = _fma(n_float, -_LN2_LO_F32, r)
    tail = _fma(r, _fma(r, _fma(r, _fma(r, _E6_F32, _E5_F32), _E4_F32), _E3_F32), _E2_F32)
    return n, _fma(r * r, tail, r)


@inline
def _exp_f32(x):
    if x > _EXP_MAX_F32:
        x = _EXP_MAX_F32
    if x < _EXP_MIN_F32:
        x = _EXP_MIN_F32
    n, expm1_r = _reduce_exp_f32(x)  # n in [-150, 128]
    # As in _exp_f64: 2**(n - k) * 2**k with k chosen by the sign of x. The exponent bits
    # (n - k + 127) << 23 are built in int32 arithmetic (Numba computes in int64, but the
    # value fits 32 bits, and LLVM then uses 32-bit vector lanes).
    k = -64
    two_pow_k = _TWO_POW_M64_F32
    if x > _ZERO_F32:
        k = 1
        two_pow_k = _TWO_F32
    scale = _pow2_f32(n - k)
    return _fma(expm1_r, scale, scale) * two_pow_k


@inline
def _exp_nonpositive_f32(x):
    if x < _EXP_MIN_F32:
        x = _EXP_MIN_F32
    n, expm1_r = _reduce_exp_f32(x)
    scale = _pow2_f32(n + 64)
    return _fma(expm1_r, scale, scale) * _TWO_POW_M64_F32


@inline
def _expm1_f32(x):
    if x > _EXP_MAX_F32:
        x = _EXP_MAX_F32
    if x < _EXPM1_MIN_F32:
        x = _EXPM1_MIN_F32
    n, expm1_r = _reduce_exp_f32(x)  # n in [-43, 128]
    half_scale = _pow2_f32(n - 1)
    result = _fma(half_scale, expm1_r, half_scale - _HALF_F32) * _TWO_F32
    if n == 0:
        result = expm1_r
    return result


# fdlibm's (FreeBSD e_logf.c) reduced minimax polynomial for float32.
_LG1_F32 = _F32(float.fromhex("0xaaaaaa.0p-24"))  # 0.66666662693
_LG2_F32 = _F32(float.fromhex("0xccce13.0p-25"))  # 0.40000972152
_LG3_F32 = _F32(float.fromhex("0x91e9ee.0p-25"))  # 0.28498786688
_LG4_F32 = _F32(float.fromhex("0xf89e26.0p-26"))  # 0.24279078841
_LOG_LN2_HI_F32 = _F32(6.9313812256e-01)  # low 12 mantissa bits zero
_LOG_LN2_LO_F32 = _F32(9.0580006145e-06)
_SQRT_HALF_BITS_F32 = 0x3F3504F3
_EXPONENT_MASK_32 = -(1 << 23)  # 0xFF800000 as a signed int32
_SMALLEST_NORMAL_32 = _F32(1.17549435e-38)
_TWO_POW_25_F32 = _F32(33554432.0)


@inline
def _log_f32(x):
    scaled = x
    exponent_shift = 0
    if x < _SMALLEST_NORMAL_32:
        scaled = x * _TWO_POW_25_F32
        exponent_shift = -25
    bits = _bits_of_float32(scaled)
    offset = bits - _SQRT_HALF_BITS_F32
    k = (offset >> 23) + exponent_shift
    mantissa = _float32_from_bits(bits - (offset & _EXPONENT_MASK_32))
    f = mantissa - _ONE_F32
    half_f_squared = _HALF_F32 * f * f
    s = np.divide(f, _TWO_F32 + f)
    z = s * s
    w = z * z
    even = w * (_LG2_F32 + w * _LG4_F32)
    odd = z * (_LG1_F32 + w * _LG3_F32)
    k_float = np.float32(k)
    result = k_float * _LOG_LN2_HI_F32 - (
        (half_f_squared - (s * (half_f_squared + (even + odd)) + k_float * _LOG_LN2_LO_F32)) - f
    )
    if x < _ZERO_F32:
        result = _NAN_F32
    if x == _ZERO_F32:
        result = -_INF_F32
    if not x < _INF_F32:
        result = x
    return result


@inline
def _log1p_f32(x):
    u = _ONE_F32 + x
    correction = np.divide((u - _ONE_F32) - x, u)
    if u == _ZERO_F32 or not u < _INF_F32:
        correction = _ZERO_F32
    return _log_f32(u) - correction


@inline
def _tanh_f32(x):
    magnitude = abs(x)
    if magnitude > _TANH_MAX_F32:  # tanh(10) rounds to 1 in float32
        magnitude = _TANH_MAX_F32
    argument = _TWO_F32 * magnitude
    if magnitude < _TANH_SWITCH_F32:
        argument = -argument
    e = _expm1_f32(argument)
    return math.copysign(np.divide(abs(e), _TWO_F32 + e), x)


@inline
def _sigmoid_f32(x):
    e = _exp_nonpositive_f32(-abs(x))
    numerator = _ONE_F32
    if not x >= _ZERO_F32:
        numerator = e
    return np.divide(numerator, _ONE_F32 + e)


# --------------------------------------------------------------------------------------
# Public functions: one name per operation, precision chosen by the argument's type.


def _by_precision(x, float32_version, float64_version):
    """Numba overload body: pick the implementation for the argument's Numba type."""
    if x == numba.types.float32:
        return lambda x: float32_version(x)
    if x == numba.types.float64:
        return lambda x: float64_version(x)
    return None  # Numba then reports that no implementation matches


def exp(x):
    """e**x for a float32 or float64 scalar, in the same precision (error <= 1 ulp)."""
    return _exp_f32(x) if isinstance(x, np.float32) else _exp_f64(np.float64(x))


def expm1(x):
    """e**x - 1, accurate also for tiny x (where exp(x) - 1 would cancel)."""
    return _expm1_f32(x) if isinstance(x, np.float32) else _expm1_f64(np.float64(x))


def log(x):
    """Natural logarithm; log(0) = -inf, log(x < 0) = nan (error <= 1 ulp)."""
    return _log_f32(x) if isinstance(x, np.float32) else _log_f64(np.float64(x))


def log1p(x):
    """log(1 + x), accurate also for tiny x."""
    return _log1p_f32(x) if isinstance(x, np.float32) else _log1p_f64(np.float64(x))


def tanh(x):
    """Hyperbolic tangent; tanh(+-inf) = +-1 (error <= 2 ulp)."""
    return _tanh_f32(x) if isinstance(x, np.float32) else _tanh_f64(np.float64(x))


def sigmoid(x):
    """Logistic function 1 / (1 + e**-x) without overflow for any x (error <= 2 ulp)."""
    return _sigmoid_f32(x) if isinstance(x, np.float32) else _sigmoid_f64(np.float64(x))


@overload(exp, inline="always")
def _exp_overload(x):
    return _by_precision(x, _exp_f32, _exp_f64)


@overload(expm1, inline="always")
def _expm1_overload(x):
    return _by_precision(x, _expm1_f32, _expm1_f64)


@overload(log, inline="always")
def _log_overload(x):
    return _by_precision(x, _log_f32, _log_f64)


@overload(log1p, inline="always")
def _log1p_overload(x):
    return _by_precision(x, _log1p_f32, _log1p_f64)


@overload(tanh, inline="always")
def _tanh_overload(x):
    return _by_precision(x, _tanh_f32, _tanh_f64)


@overload(sigmoid, inline="always")
def _sigmoid_overload(x):
    return _by_precision(x, _sigmoid_f32, _sigmoid_f64)
