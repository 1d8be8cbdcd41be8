"""Elementwise operations: arithmetic, math functions, activations, comparisons.

Each op is a :class:`Function` with its forward (a Numba kernel on the arrays) and its
backward (Tensor operations, so that it can itself be differentiated) side by side,
followed by its public function and that function's registration: whether it is a Tensor
method, and the records its tests are drawn from (see :mod:`minigrad.ops._registry`).
The activations' backward passes are ops of their own (``TanhBackward`` and friends): one
fused kernel when gradients are computed once, and differentiable again when
``create_graph=True``.

Broadcasting never appears in a backward here: the engine sums each gradient back to its
input's shape.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function
from minigrad.kernels import binary, unary
from minigrad.ops._common import (
    Scalar,
    as_tensor,
    binary_operands,
    broadcast_shape,
    operand,
    saved_output,
    scalar_dtype,
)
from minigrad.ops._common import float_data as _float_data
from minigrad.ops._registry import check, op
from minigrad.tensor import Tensor

# --------------------------------------------------------------------------- arithmetic


def _run_binary(kernel: Any, reference: Any, a: Any, b: Any, name: str) -> np.ndarray:
    x, y, dtype = binary_operands(a, b)
    try:
        # Integer arithmetic goes to NumPy: nothing worth compiling.
        result = kernel(x, y) if dtype.kind == "f" else reference(x, y)
    except ValueError:
        broadcast_shape(a, b, name)  # raises the error that names both shapes
        raise
    return result if type(result) is np.ndarray else np.asarray(result)


def _tensors_or_none(a: Any, b: Any) -> tuple[Tensor | None, Tensor | None]:
    return (a if isinstance(a, Tensor) else None), (b if isinstance(b, Tensor) else None)


def _scalar(rng: np.random.Generator, shapes: Any) -> dict:
    """A Python-number operand for the records of ``tensor <op> number``."""
    return {"scalar": float(rng.uniform(0.5, 2.0)) * rng.choice([-1.0, 1.0])}


class Add(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return _run_binary(binary.add, np.add, a, b, "add")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor]:
        return grad, grad


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """``input + alpha * other``, broadcasting; either may be a Python number."""
    input, other = operand(input, "add"), operand(other, "add")
    return Add.apply(input, other if alpha == 1 else mul(other, alpha))


op(add, Add, method=True, tests=[
    check(np.add, arity=2),
    check(lambda x, scalar: x + scalar, name="add_scalar",
          function=lambda x, scalar: x + scalar, kwargs=_scalar),
])


class Sub(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return _run_binary(binary.sub, np.subtract, a, b, "sub")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor | None]:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """``input - alpha * other``, broadcasting."""
    input, other = operand(input, "sub"), operand(other, "sub")
    return Sub.apply(input, other if alpha == 1 else mul(other, alpha))


op(sub, Sub, method=True, tests=[
    check(np.subtract, arity=2),
    check(lambda x, scalar: scalar - x, name="rsub_scalar",
          function=lambda x, scalar: scalar - x, kwargs=_scalar),
])


class Mul(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        # Each operand is kept only if the other one needs a gradient: w * x keeps x alone
        # for w's gradient, and an unrecorded call keeps nothing (save_for_backward).
        # Whether one needs a gradient is read from the operand (needs_input_grad says
        # the same, but builds a new tuple per call: 10% of a small product).
        a_is_tensor, b_is_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
        ctx.save_for_backward(
            a if a_is_tensor and b_is_tensor and b.requires_grad else None,
            b if b_is_tensor and a_is_tensor and a.requires_grad else None,
        )
        ctx.scalars = (a, b)
        return _run_binary(binary.mul, np.multiply, a, b, "mul")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


def mul(input: Any, other: Any) -> Tensor:
    """``input * other`` elementwise, broadcasting."""
    return Mul.apply(operand(input, "mul"), operand(other, "mul"))


op(mul, Mul, method=True, tests=[
    check(np.multiply, arity=2),
    check(lambda x, scalar: x * scalar, name="mul_scalar",
          function=lambda x, scalar: x * scalar, kwargs=_scalar),
])


class Div(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(*_tensors_or_none(a, b))
        ctx.scalars = (a, b)
        # True division: integer tensors become the default float dtype first.
        if isinstance(a, Tensor) and a._array.dtype.kind != "f":
            a = Tensor._make(_float_data(a))
        if isinstance(b, Tensor) and b._array.dtype.kind != "f":
            b = Tensor._make(_float_data(b))
        return _run_binary(binary.div, np.divide, a, b, "div")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        # -grad * a / b**2 as -grad * ((a / b) / b), as PyTorch: b * b overflows (or
        # underflows to 0) already for |b| near 1e19 (1e-19) in float32.
        grad_b = -grad * ((a / b) / b) if need_b else None
        return grad_a, grad_b


# --------------------------------------------------------------------------- rounded division


def _integer_operands(a: Any, b: Any, name: str) -> tuple[Any, Any, np.dtype]:
    """The raw operands of a rounding division or remainder: refused for bools (as
    PyTorch), and for an integer division by zero (PyTorch's ZeroDivisionError, where
    NumPy would give 0 with a warning)."""
    x, y, dtype = binary_operands(a, b)
    if dtype.kind == "b":
        raise TypeError(f"{name} is not defined for bool tensors; convert them with .long()")
    if dtype.kind != "f" and np.any(np.asarray(y) == 0):
        raise RuntimeError(f"{name}: integer division by zero (ZeroDivisionError)")
    broadcast_shape(a, b, name)  # a clear error before NumPy's own
    return x, y, dtype


def _rounded_quotient(x: Any, y: Any, dtype: np.dtype, mode: str) -> np.ndarray:
    """``x / y`` rounded by ``mode`` on raw operands, in ``dtype`` (integers stay integer)."""
    if mode == "floor":
        # NumPy's floor_divide is PyTorch's div_floor: the quotient of x - fmod(x, y),
        # so exact where floor(x / y) would round (and -0.0, inf and NaN as it).
        return np.asarray(np.floor_divide(x, y), dtype=dtype)
    if dtype.kind == "f":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.trunc(np.divide(x, y)), dtype=dtype)
    # Integers towards zero: the exact quotient of what is left after fmod.
    return np.asarray((x - np.fmod(x, y)) // y, dtype=dtype)


class RoundedDiv(Function):
    """``div(a, b, rounding_mode=...)`` and ``floor_divide``: piecewise constant, so the
    gradient is zero; ``floor_divide``'s backward raises instead, as PyTorch's."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, mode: str, differentiable: bool) -> np.ndarray:
        ctx.differentiable = differentiable
        name = "div" if differentiable else "floor_divide"
        x, y, dtype = _integer_operands(a, b, name)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _rounded_quotient(x, y, dtype, mode)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        if not ctx.differentiable:
            raise RuntimeError(
                "the derivative of floor_divide is not implemented (as in PyTorch); use "
                "div(a, b, rounding_mode='floor'), whose gradient is zero"
            )
        need_a, need_b = ctx.needs_input_grad[:2]
        zeros = Tensor._make(np.zeros_like(grad._array))  # zeros, even for an inf grad
        return (zeros if need_a else None), (zeros if need_b else None), None, None


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other`` elementwise, broadcasting.

    ``rounding_mode=None`` is true division (integer tensors give the default float
    dtype); ``"trunc"`` rounds the quotient towards zero and ``"floor"`` down, keeping
    integer operands integer (``div(tensor([7, -7]), 2, rounding_mode="floor")`` is
    ``[3, -4]``). As in PyTorch, a rounded quotient has zero gradient.
    """
    input, other = operand(input, "div"), operand(other, "div")
    if rounding_mode is None:
        return Div.apply(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
        )
    return RoundedDiv.apply(input, other, rounding_mode, True)


op(div, Div, RoundedDiv, method=True, tests=[
    check(np.divide, arity=2, domain=((-2.0, 2.0), (0.5, 2.0))),
    check(np.divide, name="div_negative_denominator", arity=2,
          domain=((-2.0, 2.0), (-2.0, -0.5))),
    check(lambda x, scalar: scalar / x, name="rdiv_scalar",
          function=lambda x, scalar: scalar / x, kwargs=_scalar, domain=(0.5, 2.0)),
])


def true_divide(dividend: Any, divisor: Any) -> Tensor:
    """Alias of :func:`div` without a rounding mode: ``dividend / divisor``."""
    return Div.apply(operand(dividend, "true_divide"), operand(divisor, "true_divide"))


op(true_divide, Div, method=True)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: the quotient rounded down, integer for integer operands.

    As PyTorch: an integer division by zero raises, a float one gives ``inf`` or NaN, and
    the result has no derivative (backward through it raises; use
    ``div(..., rounding_mode="floor")`` for a zero gradient).
    """
    input, other = operand(input, "floor_divide"), operand(other, "floor_divide")
    return RoundedDiv.apply(input, other, "floor", False)


# The rounded quotient jumps where input / other is an integer: these domains keep
# input / other strictly between 0 and 1 (or -1 and 0), away from every jump.
_NOT_MULTIPLE = ((0.1, 0.9), (1.1, 1.9))
_NOT_MULTIPLE_NEGATIVE = ((-0.9, -0.1), (1.1, 1.9))


def _rounded(mode: str) -> Any:
    return lambda x, y: div(x, y, rounding_mode=mode)


op(floor_divide, RoundedDiv, method=True, tests=[
    # The records go through div's rounding modes: floor_divide's backward raises.
    check(np.floor_divide, name="div_floor", function=_rounded("floor"), arity=2,
          domain=_NOT_MULTIPLE_NEGATIVE, smooth=False),
    check(lambda x, y: np.trunc(x / y), name="div_trunc", function=_rounded("trunc"),
          arity=2, domain=_NOT_MULTIPLE, smooth=False),
])


class Remainder(Function):
    """``fmod`` (the remainder of the quotient rounded towards zero, with the sign of
    ``a``) and ``remainder`` (rounded down, with the sign of ``b``): ``a - b * q``, so
    the gradient is ``grad`` for ``a`` and ``-grad * q`` for ``b``."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, mode: str) -> np.ndarray:
        name = "fmod" if mode == "trunc" else "remainder"
        x, y, dtype = _integer_operands(a, b, name)
        ctx.save_for_backward(*_tensors_or_none(a, b))
        ctx.scalars, ctx.mode = (a, b), mode
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.fmod(x, y)
            if mode == "floor":
                # PyTorch's rule: a nonzero remainder of the wrong sign moves by b (so
                # -6.0 % 3 keeps fmod's -0.0).
                wrong_sign = (result != 0) & ((result < 0) != (y < 0))
                result = np.where(wrong_sign, result + y, result)
        return np.asarray(result, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        a, b = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_b = None
        if need_b:
            quotient = RoundedDiv.apply(operand(a, "fmod"), b, ctx.mode, True)
            grad_b = -grad * quotient
        return (grad if need_a else None), grad_b, None


def fmod(input: Any, other: Any) -> Tensor:
    """The remainder of ``input / other`` rounded towards zero (C's ``fmod``): it has the
    sign of ``input``; ``fmod(-7, 3)`` is -1. Integer operands stay integer."""
    return Remainder.apply(operand(input, "fmod"), operand(other, "fmod"), "trunc")


op(fmod, Remainder, RoundedDiv, method=True, tests=[
    check(np.fmod, arity=2, domain=_NOT_MULTIPLE),
])


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other``: the remainder of the quotient rounded down (Python's ``%``), with
    the sign of ``other``; ``remainder(-7, 3)`` is 2. Integer operands stay integer."""
    return Remainder.apply(operand(input, "remainder"), operand(other, "remainder"), "floor")


op(remainder, Remainder, RoundedDiv, method=True, tests=[
    check(np.remainder, arity=2, domain=_NOT_MULTIPLE_NEGATIVE),
])


def _power(base: Any, exponent: Any) -> np.ndarray:
    """``base ** exponent`` on the raw operands, with PyTorch's values where NumPy's pow
    differs."""
    x, y, dtype = binary_operands(base, exponent)
    if dtype.kind == "f" and not isinstance(exponent, Tensor):
        # PyTorch computes a float tensor to these powers without pow(): the same values
        # here (sqrt keeps -0.0 and gives NaN at -inf, where pow gives 0.0 and +inf), and
        # several times faster (x ** 2 is one multiplication, not a pow call).
        one = dtype.type(1)
        if y == 2:
            return binary.mul(x, x)
        if y == 0.5:
            return unary.sqrt(x)
        if y == -0.5:
            return binary.div(one, unary.sqrt(x))
        if y == -1:
            return binary.div(one, x)
        if y == 1:
            return x.copy()
        if y == 3:
            return binary.mul(binary.mul(x, x), x)
        if y == -2:
            return binary.div(one, binary.mul(x, x))
    if dtype.kind != "f" and isinstance(exponent, Tensor):
        negative = y < 0
        if np.any(negative):
            # NumPy refuses negative integer exponents; PyTorch computes them in integers:
            # x ** y = 1 / x ** |y| truncates to 0, unless x is 1 or -1 (then x ** |y|).
            # (A negative Python-number exponent is refused by both.)
            broadcast_shape(base, exponent, "pow")  # the error that names both shapes
            power = np.power(x, np.abs(y))
            return np.where(negative & (np.abs(x) != 1), 0, power).astype(dtype, copy=False)
    return _run_binary(binary.pow, np.power, base, exponent, "pow")


class Pow(Function):
    @staticmethod
    def forward(ctx: Any, base: Any, exponent: Any) -> Tensor:
        out = Tensor._make(_power(base, exponent))
        ctx.scalars = (base, exponent)
        ctx.save_for_backward(*_tensors_or_none(base, exponent), out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # PyTorch's rules where the textbook formulas give 0 * inf or log(0):
        # d/dx x**y = y x**(y-1), but 0 wherever y == 0 (x**0 is 1 for every x, 0 too);
        # d/dy x**y = x**y log(x), but 0 where x == 0 and y >= 0 (the limit from x > 0;
        # for y < 0 it stays x**y log(x) = inf * -inf = -inf).
        base, exponent, out = ctx.saved_tensors
        base = ctx.scalars[0] if base is None else base
        exponent = ctx.scalars[1] if exponent is None else exponent
        need_base, need_exponent = ctx.needs_input_grad
        grad_base = grad_exponent = None
        if need_base:
            if isinstance(exponent, Tensor):
                grad_base = where(exponent == 0, 0.0, grad * exponent * base ** (exponent - 1))
            elif exponent == 0:
                grad_base = Tensor._make(np.zeros_like(grad._array))
            else:
                power = base if exponent == 2 else base ** (exponent - 1)  # x ** 2: no pow
                grad_base = grad * exponent * power
        if need_exponent:
            if isinstance(base, Tensor):
                at_zero = (base == 0) & (exponent >= 0)
                grad_exponent = grad * where(at_zero, 0.0, out * log(base))
            elif base == 0:
                grad_exponent = grad * where(exponent >= 0, 0.0, out * -np.inf)
            else:
                with np.errstate(invalid="ignore"):  # a negative base: NaN, as PyTorch
                    log_base = float(np.log(base))
                grad_exponent = grad * out * log_base
        return grad_base, grad_exponent


def _exponent(rng: np.random.Generator, shapes: Any) -> dict:
    return {"exponent": float(rng.choice([2.0, 3.0, 0.5, -1.0, -1.5, 1.7]))}


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """``input ** exponent`` elementwise; either may be a Python number.

    PyTorch's values and gradients: ``x ** 0.5`` is ``sqrt(x)`` (-0.0 at -0.0, NaN at
    -inf); an integer to a negative integer tensor power truncates (``2 ** -1`` is 0); the
    gradient is 0 for the base where the exponent is 0, and for the exponent where the
    base is 0 and the exponent >= 0.
    """
    return Pow.apply(operand(input, "pow"), operand(exponent, "pow"))


op(pow, Pow, method=True, tests=[
    # kinks: at exponent 0 the base's gradient is 0 by PyTorch's convention, so its
    # derivative in the exponent (1 / base, the limit) is not 0 there.
    check(np.power, arity=2, domain=((0.5, 2.0), (-2.0, 2.0)), kinks=(0.0,)),
    check(lambda x, exponent: np.power(x, exponent), name="pow_scalar",
          function=lambda x, exponent: x**exponent, kwargs=_exponent, domain=(0.5, 2.0)),
    check(lambda x, scalar: np.power(np.abs(scalar), x), name="rpow_scalar",
          function=lambda x, scalar: float(np.abs(scalar)) ** x, kwargs=_scalar),
])


class Maximum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _run_binary(binary.maximum, np.maximum, a, b, "maximum")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = (t._array for t in ctx.saved_tensors)
        return _share_gradient(ctx, grad, a < b, a > b, a == b)


class Minimum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _run_binary(binary.minimum, np.minimum, a, b, "minimum")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = (t._array for t in ctx.saved_tensors)
        return _share_gradient(ctx, grad, a > b, a < b, a == b)


def _share_gradient(
    ctx: Any, grad: Tensor, a_loses: np.ndarray, b_loses: np.ndarray, ties: np.ndarray
) -> tuple[Tensor | None, Tensor | None]:
    """PyTorch's rule for maximum and minimum: each input gets the whole gradient where
    it does not lose, half of it where the two tie, nothing where it loses. A NaN loses
    to nothing (it compares false), so there both inputs get the whole gradient."""
    need_a, need_b = ctx.needs_input_grad
    dtype = grad._array.dtype
    return (
        grad * Tensor._make(_share(a_loses, ties, dtype)) if need_a else None,
        grad * Tensor._make(_share(b_loses, ties, dtype)) if need_b else None,
    )


def _share(loses: np.ndarray, ties: np.ndarray, dtype: np.dtype) -> np.ndarray:
    share = np.array(np.logical_not(loses), dtype=dtype)  # an array even when 0-d
    share[ties] = 0.5
    return share


def maximum(input: Tensor, other: Any) -> Tensor:
    """The elementwise larger of two tensors (NaN if either is NaN), broadcasting. As
    PyTorch, a tie halves the gradient, and at a NaN both inputs get all of it."""
    return Maximum.apply(input, as_tensor(operand(other, "maximum"), input))


op(maximum, Maximum, method=True, tests=[check(np.maximum, arity=2, distinct=True)])


def minimum(input: Tensor, other: Any) -> Tensor:
    """The elementwise smaller of two tensors (NaN if either is NaN), broadcasting. As
    PyTorch, a tie halves the gradient, and at a NaN both inputs get all of it."""
    return Minimum.apply(input, as_tensor(operand(other, "minimum"), input))


op(minimum, Minimum, method=True, tests=[check(np.minimum, arity=2, distinct=True)])


# --------------------------------------------------------------------------- unary math


class Exp(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return saved_output(ctx, unary.exp(_float_data(x)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y


def exp(input: Tensor) -> Tensor:
    """``e ** input``."""
    return Exp.apply(input)


op(exp, Exp, method=True, tests=[check(np.exp)])


def _unary_input(ctx: Any, kernel: Any, x: Tensor, *args: Any) -> np.ndarray:
    """Run a unary kernel and keep its input for backward."""
    ctx.save_for_backward(x)
    return kernel(_float_data(x), *args)


class Log(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.log, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


def log(input: Tensor) -> Tensor:
    """The natural logarithm (``-inf`` at 0, NaN below)."""
    return Log.apply(input)


op(log, Log, method=True, tests=[check(np.log, domain=(0.1, 5.0))])


class Sqrt(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return saved_output(ctx, unary.sqrt(_float_data(x)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad / (y * 2.0)


def sqrt(input: Tensor) -> Tensor:
    """The square root."""
    return Sqrt.apply(input)


op(sqrt, Sqrt, method=True, tests=[check(np.sqrt, domain=(0.1, 5.0))])


class Sin(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.sin, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cos(x)


def sin(input: Tensor) -> Tensor:
    """The sine (radians)."""
    return Sin.apply(input)


op(sin, Sin, method=True, tests=[check(np.sin, domain=(-3.0, 3.0))])


class Cos(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.cos, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return -grad * sin(x)


def cos(input: Tensor) -> Tensor:
    """The cosine (radians)."""
    return Cos.apply(input)


op(cos, Cos, method=True, tests=[check(np.cos, domain=(-3.0, 3.0))])


def square(input: Tensor) -> Tensor:
    """``input ** 2`` (a bool tensor gives int64, as PyTorch)."""
    return pow(input, 2)


op(square, Pow, method=True, tests=[check(np.square)])


class Reciprocal(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        data = _float_data(x)
        return saved_output(ctx, binary.div(data.dtype.type(1), data))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # -grad / x**2 written with y = 1 / x, as PyTorch (so second derivatives at 0
        # are infinite, not the NaN of dividing by x * x = 0).
        (y,) = ctx.saved_tensors
        return -grad * (y * y)


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input``."""
    return Reciprocal.apply(input)


op(reciprocal, Reciprocal, method=True, tests=[check(np.reciprocal, domain=(0.5, 2.0))])


class Rsqrt(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        data = _float_data(x)
        return saved_output(ctx, binary.div(data.dtype.type(1), unary.sqrt(data)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # -x**-1.5 / 2 written with y = x**-0.5, as PyTorch.
        (y,) = ctx.saved_tensors
        return grad * -0.5 * y**3


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return Rsqrt.apply(input)


op(rsqrt, Rsqrt, method=True, tests=[check(lambda x: 1.0 / np.sqrt(x), domain=(0.2, 3.0))])


class Neg(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return np.negative(x._array)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return -grad


def neg(input: Tensor) -> Tensor:
    """``-input``."""
    return Neg.apply(input)


op(neg, Neg, method=True, tests=[check(np.negative)])


class Abs(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        if x._array.dtype.kind != "f":
            if x._array.dtype == np.bool_:
                raise TypeError("abs: bool tensors are not supported (as in PyTorch)")
            return np.abs(x._array)  # integers stay integers (and need no gradient)
        return _unary_input(ctx, unary.abs, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # grad * sign(x), with PyTorch's sign for the derivative: 0 at 0 and at NaN.
        slope = np.sign(x._array, out=np.empty_like(x._array))  # an array even when 0-d
        slope[np.isnan(slope)] = 0.0
        return grad * Tensor._make(slope)


def abs(input: Tensor) -> Tensor:  # noqa: A001
    """``|input|``; the gradient at 0 (and at NaN, as PyTorch) is 0. Integer tensors keep
    their dtype."""
    return Abs.apply(input)


op(abs, Abs, method=True, tests=[check(np.abs, kinks=(0.0,))])


class Sign(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        if x._array.dtype == np.bool_:
            return x._array.copy()  # NumPy has no sign for bool; True is 1 (as PyTorch)
        return np.sign(x._array)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # Zeros, not grad * 0: an infinite upstream gradient must not become NaN.
        return Tensor._make(np.zeros_like(grad._array))


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (gradient zero), in ``input``'s dtype.

    ``sign(nan)`` is NaN, as in NumPy; PyTorch gives 0 there (a NaN is neither positive
    nor negative). NaN keeps a missing value visible instead of turning it into a
    plausible number; ``abs``'s gradient still uses PyTorch's 0 at NaN.
    """
    return Sign.apply(input)


op(sign, Sign, method=True, tests=[check(np.sign, kinks=(0.0,))])


# --------------------------------------------------------------------------- rounding
# Elementwise math for PyTorch programs (issue 13): rounding, more unary functions,
# atan2, hypot, lerp.

_ROUNDING = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}


def _round_half_even(data: np.ndarray, decimals: int) -> np.ndarray:
    """PyTorch's ``round(x, decimals=d)``: ``rint(x * 10**d) / 10**d``, or
    ``rint(x / 10**-d) * 10**-d`` for negative ``d``, in the tensor's own dtype (halves
    go to the even neighbour of the scaled value, so ``round(1.25, decimals=1)`` is 1.2)."""
    if decimals == 0:
        return np.rint(data)
    scale = data.dtype.type(10.0 ** builtins.abs(decimals))
    with np.errstate(over="ignore", invalid="ignore"):
        if decimals > 0:
            return np.asarray(np.rint(data * scale) / scale)
        return np.asarray(np.rint(data / scale) * scale)


class Rounded(Function):
    """``floor``, ``ceil``, ``round`` and ``trunc``: piecewise constant, so the gradient is
    zero (as PyTorch). Integer tensors are returned unchanged (a copy)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, mode: str, decimals: int) -> np.ndarray:
        data = x._array
        if data.dtype.kind == "b":
            raise TypeError(
                f"{mode} is not defined for bool tensors (as in PyTorch); convert them "
                f"with .long() or .float()"
            )
        if data.dtype.kind != "f":
            if decimals != 0:
                raise TypeError(
                    f"round with decimals={decimals} is only defined for float tensors, got "
                    f"dtype {x.dtype} (as in PyTorch); convert with .double() first"
                )
            return data.copy()
        if mode == "round":
            return np.asarray(_round_half_even(data, decimals))
        return np.asarray(_ROUNDING[mode](data))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        # Zeros, not grad * 0: an infinite upstream gradient must not become NaN.
        return Tensor._make(np.zeros_like(grad._array)), None, None


def floor(input: Tensor) -> Tensor:
    """The largest integer not greater than each element (gradient zero); integer tensors
    are returned as they are."""
    return Rounded.apply(input, "floor", 0)


def ceil(input: Tensor) -> Tensor:
    """The smallest integer not less than each element (gradient zero)."""
    return Rounded.apply(input, "ceil", 0)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Each element rounded to ``decimals`` decimal places, halves to even as PyTorch
    (``round(tensor([0.5, 1.5, 2.5]))`` is ``[0., 2., 2.]``); a negative ``decimals``
    rounds to tens, hundreds... Gradient zero."""
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    return Rounded.apply(input, "round", builtins.int(decimals))


def trunc(input: Tensor) -> Tensor:
    """Each element rounded towards zero (its integer part; gradient zero)."""
    return Rounded.apply(input, "trunc", 0)


def fix(input: Tensor) -> Tensor:
    """Alias of :func:`trunc`."""
    return Rounded.apply(input, "trunc", 0)


# The rounded values jump at the integers (round: at the halves); the records keep away.
_INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)
_HALVES = (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)
_TENTH_HALVES = tuple(k / 10 + 0.05 for k in range(-11, 11))

op(floor, Rounded, method=True, tests=[
    check(np.floor, domain=(-2.5, 2.5), kinks=_INTEGERS, smooth=False),
])
op(ceil, Rounded, method=True, tests=[
    check(np.ceil, domain=(-2.5, 2.5), kinks=_INTEGERS, smooth=False),
])
op(round, Rounded, method=True, tests=[
    check(np.round, domain=(-3.0, 3.0), kinks=_HALVES, smooth=False),
    check(lambda x, decimals: np.round(x, decimals), name="round_decimals",
          function=lambda x, decimals: round(x, decimals=decimals),
          kwargs=lambda rng, shapes: {"decimals": 1}, domain=(-1.0, 1.0),
          kinks=_TENTH_HALVES, margin=0.01, smooth=False),
])
op(trunc, Rounded, method=True, tests=[
    check(np.trunc, domain=(-2.5, 2.5), kinks=_INTEGERS, smooth=False),
])
op(fix, Rounded, method=True)


class Frac(Function):
    """``x - trunc(x)``: the gradient passes unchanged (trunc's is zero)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        data = x._array
        if data.dtype.kind != "f":
            raise TypeError(
                f"frac is only defined for float tensors, got dtype {x.dtype} (as in "
                f"PyTorch; an integer's fractional part is 0)"
            )
        with np.errstate(invalid="ignore"):  # inf - inf: NaN, as PyTorch
            return np.asarray(data - np.trunc(data))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)``, with the sign of ``input``
    (``frac(-2.25)`` is -0.25); NaN at infinities."""
    return Frac.apply(input)


op(frac, Frac, method=True, tests=[
    check(lambda x: x - np.trunc(x), domain=(-2.5, 2.5), kinks=_INTEGERS),
])


# --------------------------------------------------------------------------- more unary math


def _ufunc_of_input(ctx: Any, ufunc: Any, x: Tensor) -> np.ndarray:
    """``ufunc`` (a NumPy ufunc or a kernel) on the input's float data, the input kept
    for backward. Out of the domain the result is NaN (or inf) without a warning, as in
    PyTorch."""
    ctx.save_for_backward(x)
    with np.errstate(all="ignore"):
        return np.asarray(ufunc(_float_data(x)))


class Sinh(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.sinh, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cosh(x)


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine."""
    return Sinh.apply(input)


op(sinh, Sinh, method=True, tests=[check(np.sinh)])


class Cosh(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.cosh, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * sinh(x)


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine."""
    return Cosh.apply(input)


op(cosh, Cosh, method=True, tests=[check(np.cosh)])


class Asin(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.arcsin, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * rsqrt(1.0 - x * x)


def asin(input: Tensor) -> Tensor:
    """The inverse sine, in ``[-pi/2, pi/2]`` (NaN outside ``[-1, 1]``)."""
    return Asin.apply(input)


def arcsin(input: Tensor) -> Tensor:
    """Alias of :func:`asin`."""
    return Asin.apply(input)


op(asin, Asin, method=True, tests=[check(np.arcsin, domain=(-0.9, 0.9))])
op(arcsin, Asin, method=True)


class Acos(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.arccos, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return -grad * rsqrt(1.0 - x * x)


def acos(input: Tensor) -> Tensor:
    """The inverse cosine, in ``[0, pi]`` (NaN outside ``[-1, 1]``)."""
    return Acos.apply(input)


def arccos(input: Tensor) -> Tensor:
    """Alias of :func:`acos`."""
    return Acos.apply(input)


op(acos, Acos, method=True, tests=[check(np.arccos, domain=(-0.9, 0.9))])
op(arccos, Acos, method=True)


class Atan(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.arctan, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1.0)


def atan(input: Tensor) -> Tensor:
    """The inverse tangent, in ``(-pi/2, pi/2)``."""
    return Atan.apply(input)


def arctan(input: Tensor) -> Tensor:
    """Alias of :func:`atan`."""
    return Atan.apply(input)


op(atan, Atan, method=True, tests=[check(np.arctan, domain=(-3.0, 3.0))])
op(arctan, Atan, method=True)


class Log1p(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.log1p, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x + 1.0)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate also where ``input`` is tiny."""
    return Log1p.apply(input)


op(log1p, Log1p, method=True, tests=[check(np.log1p, domain=(-0.9, 3.0))])


class Expm1(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        with np.errstate(over="ignore"):
            return saved_output(ctx, np.asarray(np.expm1(_float_data(x))))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y + 1.0)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate also where ``input`` is tiny."""
    return Expm1.apply(input)


op(expm1, Expm1, method=True, tests=[check(np.expm1)])


_LOG_2 = 0.6931471805599453  # log(2), as PyTorch's log2 backward spells it
_LOG_10 = 2.3025850929940456  # log(10)


class Log2(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.log2, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * _LOG_2)


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm (``-inf`` at 0, NaN below)."""
    return Log2.apply(input)


op(log2, Log2, method=True, tests=[check(np.log2, domain=(0.1, 5.0))])


class Log10(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, np.log10, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * _LOG_10)


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm (``-inf`` at 0, NaN below)."""
    return Log10.apply(input)


op(log10, Log10, method=True, tests=[check(np.log10, domain=(0.1, 5.0))])


_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), erf's slope at 0


class Erf(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, unary.erf, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral from 0 to input of exp(-t**2) dt``."""
    return Erf.apply(input)


op(erf, Erf, method=True, tests=[check(unary.erf_reference)])


class Erfc(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _ufunc_of_input(ctx, unary.erfc, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(input)``, without cancellation where
    ``erf`` is near 1."""
    return Erfc.apply(input)


op(erfc, Erfc, method=True, tests=[check(unary.erfc_reference)])


# --------------------------------------------------------------------------- atan2, hypot, lerp


def _tensor_other(input: Any, other: Any, name: str) -> None:
    """PyTorch's atan2 and hypot take two tensors; a number is a TypeError there too."""
    for which, value in (("input", input), ("other", other)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}: {which} must be a Tensor, got {type(value).__name__} (as in "
                f"PyTorch); wrap a number with minigrad.tensor(value)"
            )


def _float_operands(a: Tensor, b: Tensor, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Both operands promoted as a binary op, integers to the default float dtype."""
    x, y, dtype = binary_operands(a, b)
    broadcast_shape(a, b, name)  # a clear error before NumPy's own
    if dtype.kind != "f":
        x, y = x.astype(dtypes.get_default_dtype()), y.astype(dtypes.get_default_dtype())
    return x, y


class Atan2(Function):
    """``atan2(a, b)``, the angle of the point ``(b, a)``; its gradient is
    ``(b, -a) / (a**2 + b**2)``."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = _float_operands(a, b, "atan2")
        ctx.save_for_backward(a, b)
        return np.asarray(np.arctan2(x, y))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        scale = reciprocal(a * a + b * b)
        return (grad * b * scale if need_a else None), (grad * -a * scale if need_b else None)


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle (in ``[-pi, pi]``) of the point ``(other, input)``, elementwise and
    broadcasting: ``atan(input / other)`` in the right quadrant."""
    _tensor_other(input, other, "atan2")
    return Atan2.apply(input, other)


def arctan2(input: Tensor, other: Tensor) -> Tensor:
    """Alias of :func:`atan2`."""
    _tensor_other(input, other, "arctan2")
    return Atan2.apply(input, other)


# atan2 jumps across the negative x axis (other < 0, input = 0): one record keeps other
# positive, one keeps input positive.
op(atan2, Atan2, method=True, tests=[
    check(np.arctan2, arity=2, domain=((-2.0, 2.0), (0.3, 2.0))),
    check(np.arctan2, name="atan2_upper_half", arity=2, domain=((0.3, 2.0), (-2.0, 2.0))),
])
op(arctan2, Atan2, method=True)


class Hypot(Function):
    """``sqrt(a**2 + b**2)`` without overflow; its gradient is ``(a, b) / hypot(a, b)``."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y, dtype = binary_operands(a, b)
        if dtype.kind != "f":
            raise TypeError(
                f"hypot is only defined for float tensors, got {a.dtype} and {b.dtype} (as "
                f"in PyTorch); convert them with .float()"
            )
        broadcast_shape(a, b, "hypot")
        out = Tensor._make(np.asarray(np.hypot(x, y)))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * a / out if need_a else None), (grad * b / out if need_b else None)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input**2 + other**2)`` elementwise and broadcasting, without overflow or
    underflow in the squares."""
    _tensor_other(input, other, "hypot")
    return Hypot.apply(input, other)


# hypot has a cone point at the origin: input stays positive.
op(hypot, Hypot, method=True, tests=[
    check(np.hypot, arity=2, domain=((0.3, 2.0), (-2.0, 2.0))),
])


class Lerp(Function):
    """``start + weight * (end - start)``, rounded as PyTorch's (see ``unary.lerp``)."""

    @staticmethod
    def forward(ctx: Any, start: Tensor, end: Tensor, weight: Any) -> np.ndarray:
        ctx.save_for_backward(start, end, weight if isinstance(weight, Tensor) else None)
        ctx.weight = None if isinstance(weight, Tensor) else weight
        if isinstance(weight, Tensor):
            s, e, w = np.broadcast_arrays(start._array, end._array, weight._array)
            return unary.lerp(s, e, w)
        s, e = np.broadcast_arrays(start._array, end._array)
        return unary.lerp(s, e, weight)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        start, end, weight = ctx.saved_tensors
        weight = ctx.weight if weight is None else weight
        need_start, need_end, need_weight = ctx.needs_input_grad
        return (
            grad * (1.0 - weight) if need_start else None,
            grad * weight if need_end else None,
            grad * (end - start) if need_weight else None,
        )


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """The linear interpolation ``input + weight * (end - input)``, elementwise and
    broadcasting; ``weight`` is a number or a tensor. As PyTorch, the three must share
    one float dtype."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        kinds = [type(v).__name__ for v in (input, end)]
        raise TypeError(f"lerp: input and end must be Tensors, got {kinds[0]} and {kinds[1]}")
    if input._array.dtype.kind != "f":
        raise TypeError(f"lerp is only defined for float tensors, got dtype {input.dtype}")
    for which, value in (("end", end), ("weight", weight)):
        if isinstance(value, Tensor) and value._array.dtype != input._array.dtype:
            raise TypeError(
                f"lerp: expected dtype {input.dtype} for {which} (the dtype of input), got "
                f"{value.dtype}; convert it with .to(input.dtype)"
            )
    if not isinstance(weight, (Tensor, *Scalar)):
        raise TypeError(
            f"lerp: weight must be a number or a Tensor, got {type(weight).__name__}"
        )
    shapes = [v._array.shape for v in (input, end, weight) if isinstance(v, Tensor)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            f"lerp: shapes {', '.join(map(str, shapes))} cannot be broadcast together"
        ) from None
    return Lerp.apply(input, end, weight)


def _weight(rng: np.random.Generator, shapes: Any) -> dict:
    return {"weight": float(rng.uniform(-0.5, 1.5))}


op(lerp, Lerp, method=True, tests=[
    check(lambda start, end, weight: start + weight * (end - start), arity=3),
    check(lambda start, end, weight: start + weight * (end - start), name="lerp_scalar",
          function=lambda start, end, weight: lerp(start, end, weight), arity=2,
          kwargs=_weight),
])


# --------------------------------------------------------------------------- activations


class Tanh(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return saved_output(ctx, unary.tanh(_float_data(x)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return TanhBackward.apply(grad, y)


class TanhBackward(Function):
    """``grad * (1 - y**2)`` for ``y = tanh(x)``, fused."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, y)
        return unary.tanh_backward(grad._array, y._array)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        return (
            TanhBackward.apply(grad_grad, y) if need_grad else None,
            grad_grad * grad * y * -2.0 if need_y else None,
        )


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return Tanh.apply(input)


op(tanh, Tanh, TanhBackward, method=True, tests=[check(np.tanh, domain=(-3.0, 3.0))])


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return saved_output(ctx, unary.sigmoid(_float_data(x)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad, y)


class SigmoidBackward(Function):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, fused."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, y)
        return unary.sigmoid_backward(grad._array, y._array)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        return (
            SigmoidBackward.apply(grad_grad, y) if need_grad else None,
            grad_grad * grad * (1.0 - y * 2.0) if need_y else None,
        )


def _numpy_sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-input))``, without overflow for large |x|."""
    return Sigmoid.apply(input)


op(sigmoid, Sigmoid, SigmoidBackward, method=True,
   tests=[check(_numpy_sigmoid, domain=(-5.0, 5.0))])


class Relu(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray | Tensor:
        if x._array.dtype.kind != "f":
            if x._array.dtype == np.bool_:
                raise TypeError("relu: bool tensors are not supported (as in PyTorch)")
            return np.maximum(x._array, 0)  # integers stay integers (and need no gradient)
        # The output, not the input, as PyTorch (see saved_output).
        return saved_output(ctx, unary.relu(_float_data(x)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return ReluBackward.apply(grad, y)


class ReluBackward(Function):
    """0 where ``x <= 0``, else ``grad``: a NaN input passes the gradient, as PyTorch."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return unary.relu_backward(grad._array, x._array)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, None]:
        (x,) = ctx.saved_tensors
        return (ReluBackward.apply(grad_grad, x) if ctx.needs_input_grad[0] else None), None


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``; the gradient at 0 is 0, at NaN it passes (as PyTorch). Integer
    tensors keep their dtype."""
    return Relu.apply(input)


op(relu, Relu, ReluBackward, method=True, tests=[check(lambda x: np.maximum(x, 0.0), kinks=(0.0,))])


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, negative_slope: float) -> np.ndarray:
        ctx.negative_slope = negative_slope
        return _unary_input(ctx, unary.leaky_relu, x, negative_slope)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        return LeakyReluBackward.apply(grad, x, ctx.negative_slope), None


class LeakyReluBackward(Function):
    """``grad`` where ``x > 0``, else ``negative_slope * grad``."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor, negative_slope: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return unary.leaky_relu_backward(grad._array, x._array, negative_slope)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, None, None]:
        (x,) = ctx.saved_tensors
        first = (
            LeakyReluBackward.apply(grad_grad, x, ctx.negative_slope)
            if ctx.needs_input_grad[0]
            else None
        )
        return first, None, None


def _slope(rng: np.random.Generator, shapes: Any) -> dict:
    return {"negative_slope": float(rng.uniform(0.01, 0.5))}


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``input`` where positive, else ``negative_slope * input``."""
    return LeakyRelu.apply(input, float(negative_slope))


op(leaky_relu, LeakyRelu, LeakyReluBackward, method=True, tests=[
    check(lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
          kinks=(0.0,), kwargs=_slope),
])


class Elu(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, alpha: float) -> np.ndarray:
        ctx.alpha = alpha
        return _unary_input(ctx, unary.elu, x, alpha)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        return EluBackward.apply(grad, x, ctx.alpha), None


class EluBackward(Function):
    """``grad * alpha * exp(x)`` where ``x <= 0``, else ``grad`` (NaN included, as
    PyTorch)."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor, alpha: float) -> np.ndarray:
        ctx.save_for_backward(grad, x)
        ctx.alpha = alpha
        return unary.elu_backward(grad._array, x._array, alpha)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        grad, x = ctx.saved_tensors
        need_grad, need_x = ctx.needs_input_grad[:2]
        first = EluBackward.apply(grad_grad, x, ctx.alpha) if need_grad else None
        second = None
        if need_x:
            # d/dx of grad * alpha * exp(x) is grad * alpha * exp(x) again, on the negative
            # side only: PyTorch's form, the fused kernel masked to x < 0 (so 0 at x = 0
            # itself, and at NaN, where the kernel passes the gradient through).
            negative = (x < 0).to(x.dtype)
            second = EluBackward.apply(grad_grad * grad, x, ctx.alpha) * negative
        return first, second, None


def _alpha(rng: np.random.Generator, shapes: Any) -> dict:
    return {"alpha": float(rng.uniform(0.5, 2.0))}


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return Elu.apply(input, float(alpha))


op(elu, Elu, EluBackward, method=True, tests=[
    check(lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(x)), kinks=(0.0,),
          kwargs=_alpha),
])


class Softplus(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, beta: float, threshold: float) -> np.ndarray:
        ctx.beta, ctx.threshold = beta, threshold
        return _unary_input(ctx, unary.softplus, x, beta, threshold)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        return SoftplusBackward.apply(grad, x, ctx.beta, ctx.threshold), None, None


class SoftplusBackward(Function):
    """``grad * sigmoid(beta * x)``, or ``grad`` where ``beta * x > threshold``."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor, beta: float, threshold: float) -> Any:
        ctx.save_for_backward(grad, x)
        ctx.beta, ctx.threshold = beta, threshold
        return unary.softplus_backward(grad._array, x._array, beta, threshold)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Any, Any, None, None]:
        grad, x = ctx.saved_tensors
        need_grad, need_x = ctx.needs_input_grad[:2]
        first = (
            SoftplusBackward.apply(grad_grad, x, ctx.beta, ctx.threshold) if need_grad else None
        )
        second = None
        if need_x:
            s = sigmoid(x * ctx.beta)
            # 0 on the linear side and at the threshold itself, as in PyTorch.
            smooth = (x * ctx.beta < ctx.threshold).to(x.dtype)
            second = grad_grad * grad * s * (1.0 - s) * ctx.beta * smooth
        return first, second, None, None


def _beta(rng: np.random.Generator, shapes: Any) -> dict:
    return {"beta": float(rng.uniform(0.5, 2.0))}


def _numpy_softplus(x: np.ndarray, beta: float) -> np.ndarray:
    return np.logaddexp(0.0, beta * x) / beta


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * input)) / beta``, linear where ``beta * input > threshold``."""
    return Softplus.apply(input, float(beta), float(threshold))


op(softplus, Softplus, SoftplusBackward, method=True,
   tests=[check(_numpy_softplus, kwargs=_beta, domain=(-4.0, 4.0))])


# --------------------------------------------------------------------------- selection


class Clamp(Function):
    """Each bound is None, a Python number or a Tensor (broadcast with the input)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, low: Any, high: Any) -> np.ndarray:
        ctx.save_for_backward(x, *_tensors_or_none(low, high))
        ctx.low = None if isinstance(low, Tensor) else low
        ctx.high = None if isinstance(high, Tensor) else high
        # minimum(maximum(x, low), high): where low > high, high everywhere.
        if not isinstance(low, Tensor) and not isinstance(high, Tensor):
            # Number bounds, the usual call: promoted once for both steps (a float bound
            # makes an integer tensor float), then one kernel per bound.
            dtype = scalar_dtype(scalar_dtype(x._array.dtype, low), high)
            data = x._array.astype(dtype, copy=False)
            floating = dtype.kind == "f"  # integers go to NumPy, as in _run_binary
            if low is not None:
                data = (binary.maximum if floating else np.maximum)(data, dtype.type(low))
            if high is not None:
                data = (binary.minimum if floating else np.minimum)(data, dtype.type(high))
            return np.asarray(data)
        # Tensor bounds: each step promoted and broadcast as a binary op.
        result = x
        if low is not None:
            result = Tensor._make(_run_binary(binary.maximum, np.maximum, result, low, "clamp"))
        if high is not None:
            result = Tensor._make(_run_binary(binary.minimum, np.minimum, result, high, "clamp"))
        return result._array

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        # PyTorch's rule. A comparison with NaN is false, so where the input or a bound is
        # NaN no one gets the gradient.
        saved_x, saved_low, saved_high = ctx.saved_tensors
        x = saved_x._array
        low = ctx.low if saved_low is None else saved_low._array
        high = ctx.high if saved_high is None else saved_high._array
        need_x, need_low, need_high = ctx.needs_input_grad
        grad_x = grad_low = grad_high = None
        if need_x:  # the input where low <= x <= high
            if low is None:
                inside = x <= high
            elif high is None:
                inside = x >= low
            else:
                inside = (x >= low) & (x <= high)
            grad_x = _gradient_where(inside, grad)
        if need_low:  # low where x < low, unless high is the bound in force (high <= low)
            below = x < low
            if high is not None:
                below = below & (low < high)
            grad_low = _gradient_where(below, grad)
        if need_high:  # high where x > high, and everywhere when high < low
            above = x > high
            if low is not None:
                above = above | (high < low)
            grad_high = _gradient_where(above, grad)
        return grad_x, grad_low, grad_high


def _gradient_where(mask: Any, grad: Tensor) -> Tensor:
    """``grad`` where ``mask`` is true, else 0, as ``grad * mask``: several times faster
    than a selection (np.where) on a random mask. (PyTorch selects, so an infinite
    upstream gradient gives it 0 where the gradient is blocked, and minigrad NaN.)"""
    return grad * Tensor._make(np.asarray(mask, dtype=grad._array.dtype))


def _bounds(rng: np.random.Generator, shapes: Any) -> dict:
    low = float(rng.uniform(-1.5, 0.0))
    return {"min": low, "max": low + float(rng.uniform(0.5, 2.0))}


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]``; either bound may be omitted, a number, or a
    tensor broadcast with ``input``.

    As PyTorch: the result is ``minimum(maximum(input, min), max)`` (so ``max`` everywhere
    when ``min > max``), NaN where ``input`` or a bound is NaN, and float when a bound is a
    float and ``input`` an integer tensor. The gradient passes to ``input`` where
    ``min <= input <= max``, to ``min`` where ``input < min < max``, and to ``max`` where
    ``input > max`` or ``max < min``.
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    min = None if min is None else operand(min, "clamp")
    max = None if max is None else operand(max, "clamp")
    return Clamp.apply(input, min, max)


op(clamp, Clamp, method=True, tests=[
    check(lambda x, min, max: np.clip(x, min, max), kwargs=_bounds,
          kinks=lambda kwargs: (kwargs["min"], kwargs["max"])),
])


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Alias of :func:`clamp`."""
    return clamp(input, min, max)


op(clip, Clamp, method=True)


class Where(Function):
    @staticmethod
    def forward(ctx: Any, condition: Tensor, a: Any, b: Any) -> np.ndarray:
        # Saved, not kept as an attribute, as PyTorch does: a condition changed in place
        # before backward then raises instead of routing the gradient by its new values.
        ctx.save_for_backward(condition)
        x, y, _ = binary_operands(a, b)  # a Python number takes the other's dtype
        try:
            return np.where(condition._array, x, y)
        except ValueError:
            shapes = [v.shape if isinstance(v, Tensor) else () for v in (condition, a, b)]
            raise ValueError(
                f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be broadcast "
                f"together"
            ) from None

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        (condition,) = ctx.saved_tensors
        zero = Tensor._make(np.zeros((), dtype=grad._array.dtype))
        need_a, need_b = ctx.needs_input_grad[1:]
        return (
            None,
            Where.apply(condition, grad, zero) if need_a else None,
            Where.apply(condition, zero, grad) if need_b else None,
        )


def _condition(rng: np.random.Generator, shapes: Any) -> dict:
    shape = np.broadcast_shapes(*shapes)
    return {"condition": Tensor._make(rng.random(shape) < 0.5)}


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other``, broadcasting all three.

    ``input`` and ``other`` may be Python numbers; the gradient goes to the chosen one. The
    result's dtype is PyTorch's: a number takes the tensor's dtype if of the same kind
    (``where(c, float32_x, 0.5)`` is float32), and a float with an integer tensor gives
    the default float dtype; with two numbers, ``where(c, 1.0, 0)`` is float, ``where(c, 1,
    0)`` int64.
    """
    if not isinstance(condition, Tensor):
        # A list or NumPy array becomes a Tensor of its own (a copy): backward needs the
        # condition, and the caller may change an array of theirs before it runs.
        condition = Tensor._make(dtypes.as_array(condition, copy=True))
    if condition._array.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {condition.dtype}")
    input, other = operand(input, "where"), operand(other, "where")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # Two numbers: the first as a 0-d tensor of its own type, the second then promoted
        # with it as any number with a tensor.
        input = as_tensor(input)
    return Where.apply(condition, input, other)


op(where, Where, method=True, tests=[
    check(lambda a, b, condition: np.where(condition._array, a, b),
          function=lambda a, b, condition: where(condition, a, b), arity=2,
          kwargs=_condition),
])


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``input`` with ``value`` where ``mask`` (a bool tensor) is true, the two broadcast.

    As in PyTorch, ``value`` (a number, or a 0-d tensor that then gets the gradient of the
    filled places) takes ``input``'s dtype: an integer tensor filled with 0.5 gets 0, as C
    converts it, and stays an integer tensor.
    """
    if isinstance(value, Tensor):
        if value._array.ndim != 0:
            raise ValueError(
                f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}"
            )
        value = value.to(input.dtype)
    elif isinstance(value, Scalar):
        value = Tensor._make(np.asarray(value).astype(input._array.dtype))
    else:
        raise TypeError(
            f"masked_fill: value must be a number or a 0-d tensor, got {type(value).__name__}"
        )
    return where(mask, value, input)


op(masked_fill, Where, method=True)


# --------------------------------------------------------------------------- comparisons
# No gradients, so no Function classes and no records.


def _compare(ufunc: Any, a: Any, b: Any, name: str) -> Tensor:
    b = operand(b, name)
    x, y, _ = binary_operands(a, b)
    try:
        return Tensor._make(np.asarray(ufunc(x, y)))
    except ValueError:
        broadcast_shape(a, b, name)
        raise


def eq(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input == other`` as a bool tensor."""
    return _compare(np.equal, input, other, "eq")


op(eq, method=True)


def ne(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input != other`` as a bool tensor."""
    return _compare(np.not_equal, input, other, "ne")


op(ne, method=True)


def lt(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input < other`` as a bool tensor."""
    return _compare(np.less, input, other, "lt")


op(lt, method=True)


def le(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input <= other`` as a bool tensor."""
    return _compare(np.less_equal, input, other, "le")


op(le, method=True)


def gt(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input > other`` as a bool tensor."""
    return _compare(np.greater, input, other, "gt")


op(gt, method=True)


def ge(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input >= other`` as a bool tensor."""
    return _compare(np.greater_equal, input, other, "ge")


op(ge, method=True)


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical not, as a bool tensor."""
    return Tensor._make(np.logical_not(input._array))


op(logical_not, method=True)


def logical_and(input: Tensor, other: Any) -> Tensor:
    """Elementwise logical and, as a bool tensor."""
    return _compare(np.logical_and, input, other, "logical_and")


op(logical_and, method=True)


def logical_or(input: Tensor, other: Any) -> Tensor:
    """Elementwise logical or, as a bool tensor."""
    return _compare(np.logical_or, input, other, "logical_or")


op(logical_or, method=True)


def _bitwise(ufunc: Any, name: str, input: Any, other: Any) -> Tensor:
    """``ufunc(input, other)`` for the bitwise functions: operands promoted as for any
    binary op, refused when that makes them floating (PyTorch has no bitwise floats). No
    gradient: integer and bool tensors never require one."""
    a, b = operand(input, name), operand(other, name)
    x, y, dtype = binary_operands(a, b)
    if dtype.kind == "f":
        kinds = [v.dtype if isinstance(v, Tensor) else type(v).__name__ for v in (a, b)]
        raise TypeError(
            f"{name} is only defined for integer and bool operands, got {kinds[0]} and "
            f"{kinds[1]}"
        )
    shape = broadcast_shape(a, b, name)  # a clear error before NumPy's own
    return Tensor._make(np.asarray(ufunc(x, y)).reshape(shape))


def bitwise_and(input: Any, other: Any) -> Tensor:
    """Elementwise bitwise and (``input & other``): ``6 & 3`` is 2; logical and on bools."""
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


op(bitwise_and, method=True)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """Elementwise bitwise or (``input | other``): ``6 | 3`` is 7; logical or on bools."""
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


op(bitwise_or, method=True)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """Elementwise bitwise exclusive or (``input ^ other``): ``6 ^ 3`` is 5."""
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


op(bitwise_xor, method=True)


def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise bitwise not (``~input``): ``~5`` is -6; logical not on bools."""
    if input._array.dtype.kind == "f":
        raise TypeError(
            f"bitwise_not is only defined for integer and bool tensors, got dtype "
            f"{input.dtype} (compare, or use logical_not, for a bool result)"
        )
    return Tensor._make(np.invert(input._array))


op(bitwise_not, method=True)


def isnan(input: Tensor) -> Tensor:
    """Where the elements are NaN, as a bool tensor."""
    return Tensor._make(np.isnan(input._array))


op(isnan, method=True)


def isinf(input: Tensor) -> Tensor:
    """Where the elements are infinite, as a bool tensor."""
    return Tensor._make(np.isinf(input._array))


op(isinf, method=True)


def isfinite(input: Tensor) -> Tensor:
    """Where the elements are finite, as a bool tensor."""
    return Tensor._make(np.isfinite(input._array))


op(isfinite, method=True)


# --------------------------------------------------------------------------- closeness
# Closeness tests for PyTorch programs (issue 13); no gradients, so no Function classes.


def _same_dtype_pair(input: Any, other: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of two tensors of one dtype (PyTorch's isclose and allclose refuse
    mixed dtypes, so a float32 result is never compared at float64 precision by accident),
    after checking that their shapes broadcast."""
    for which, value in (("input", input), ("other", other)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}: {which} must be a Tensor, got {type(value).__name__} (as in "
                f"PyTorch); wrap a number with minigrad.tensor(value)"
            )
    if input._array.dtype != other._array.dtype:
        raise TypeError(
            f"{name}: input and other must have the same dtype, got {input.dtype} and "
            f"{other.dtype}; convert one with .to(other.dtype)"
        )
    broadcast_shape(input, other, name)
    return input._array, other._array


def isclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """Where ``|input - other| <= atol + rtol * |other|``, as a bool tensor (broadcasting).

    As PyTorch: equal values are always close (so are infinities of the same sign),
    otherwise the difference must be finite; NaN is close to NaN only with
    ``equal_nan=True``. Both tensors must have the same dtype.
    """
    x, y = _same_dtype_pair(input, other, "isclose")
    for which, tolerance in (("rtol", rtol), ("atol", atol)):
        if not tolerance >= 0:
            raise ValueError(
                f"isclose: {which} must be greater than or equal to zero, got {tolerance}"
            )
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.asarray(x == y)
        if equal_nan and x.dtype.kind == "f":
            close = close | (np.isnan(x) & np.isnan(y))
        if rtol == 0 and atol == 0:
            return Tensor._make(close)
        if x.dtype.kind == "b":
            x, y = x.astype(dtypes.get_default_dtype()), y.astype(dtypes.get_default_dtype())
        # Tolerances in the tensors' precision (a float scalar makes integers float), as
        # PyTorch's tensor-scalar arithmetic.
        scalar = x.dtype.type if x.dtype.kind == "f" else dtypes.get_default_dtype().type
        allowed = scalar(atol) + np.abs(scalar(rtol) * y.astype(scalar, copy=False))
        actual = np.abs(x - y).astype(allowed.dtype, copy=False)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor._make(np.asarray(close))


op(isclose, method=True)


def allclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`), as a
    Python bool."""
    return builtins.bool(np.all(isclose(input, other, rtol, atol, equal_nan)._array))


op(allclose, method=True)


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape and the same values, as a Python bool
    (dtypes are promoted; NaN equals nothing, ``-0.0`` equals ``0.0``)."""
    for which, value in (("input", input), ("other", other)):
        if not isinstance(value, Tensor):
            raise TypeError(f"equal: {which} must be a Tensor, got {type(value).__name__}")
    if input._array.shape != other._array.shape:
        return False
    x, y, _ = binary_operands(input, other)
    return builtins.bool(np.array_equal(x, y))


op(equal, method=True)
