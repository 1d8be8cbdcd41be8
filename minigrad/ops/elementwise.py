"""Elementwise operations: arithmetic, math functions, activations, comparisons.

Each op is a :class:`Function` with its forward (a Numba kernel on the arrays) and its
backward (Tensor operations, so that it can itself be differentiated) side by side. The
activations' backward passes are ops of their own (``TanhBackward`` and friends): one
fused kernel when gradients are computed once, and differentiable again when
``create_graph=True``.

Broadcasting never appears in a backward here: the engine sums each gradient back to its
input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.kernels import binary, unary
from minigrad.ops._common import as_tensor, binary_operands, broadcast_shape, operand
from minigrad.ops._common import float_data as _float_data
from minigrad.ops._registry import OpInfo, register
from minigrad.tensor import Tensor, _wrap

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


class Add(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return _run_binary(binary.add, np.add, a, b, "add")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor]:
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return _run_binary(binary.sub, np.subtract, a, b, "sub")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor | None]:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(*_tensors_or_none(a, b))
        ctx.scalars = (a, b)
        return _run_binary(binary.mul, np.multiply, a, b, "mul")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(*_tensors_or_none(a, b))
        ctx.scalars = (a, b)
        # True division: integer tensors become the default float dtype first.
        if isinstance(a, Tensor) and a.data.dtype.kind != "f":
            a = Tensor._make(_float_data(a))
        if isinstance(b, Tensor) and b.data.dtype.kind != "f":
            b = Tensor._make(_float_data(b))
        return _run_binary(binary.div, np.divide, a, b, "div")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        a = ctx.scalars[0] if a is None else a
        b = ctx.scalars[1] if b is None else b
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * a / (b * b) if need_b else None
        return grad_a, grad_b


class Pow(Function):
    @staticmethod
    def forward(ctx: Any, base: Any, exponent: Any) -> Tensor:
        out = Tensor._make(_run_binary(binary.pow, np.power, base, exponent, "pow"))
        ctx.scalars = (base, exponent)
        ctx.save_for_backward(*_tensors_or_none(base, exponent), out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        base, exponent, out = ctx.saved_tensors
        base = ctx.scalars[0] if base is None else base
        exponent = ctx.scalars[1] if exponent is None else exponent
        need_base, need_exponent = ctx.needs_input_grad
        grad_base = grad_exponent = None
        if need_base:
            if isinstance(exponent, Tensor):
                grad_base = grad * exponent * base ** (exponent - 1)
            elif exponent == 0:
                grad_base = grad * 0.0  # d/dx x**0 is 0 everywhere, even where x = 0
            else:
                grad_base = grad * exponent * base ** (exponent - 1)
        if need_exponent:
            # d/dy x**y = x**y log x; at x = 0 the limit (for y > 0) is 0, not nan.
            log_base = log(base) if isinstance(base, Tensor) else float(np.log(base))
            if isinstance(base, Tensor):
                log_base = where(base == 0, 0.0, log_base)
            grad_exponent = grad * out * log_base
        return grad_base, grad_exponent


class Maximum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _run_binary(binary.maximum, np.maximum, a, b, "maximum")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        # Where a and b tie the gradient is shared equally (as PyTorch).
        share_a = Tensor._make(_tie_share(a.data > b.data, a.data == b.data, grad.data.dtype))
        return _split_gradient(ctx, grad, share_a)


class Minimum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _run_binary(binary.minimum, np.minimum, a, b, "minimum")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        share_a = Tensor._make(_tie_share(a.data < b.data, a.data == b.data, grad.data.dtype))
        return _split_gradient(ctx, grad, share_a)


def _tie_share(wins: np.ndarray, ties: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return wins.astype(dtype) + ties.astype(dtype) * dtype.type(0.5)


def _split_gradient(ctx: Any, grad: Tensor, share_a: Tensor) -> tuple[Any, Any]:
    need_a, need_b = ctx.needs_input_grad
    return (grad * share_a if need_a else None), (grad * (1.0 - share_a) if need_b else None)


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """``input + alpha * other``, broadcasting; either may be a Python number."""
    input, other = operand(input, "add"), operand(other, "add")
    return Add.apply(input, other if alpha == 1 else mul(other, alpha))


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """``input - alpha * other``, broadcasting."""
    input, other = operand(input, "sub"), operand(other, "sub")
    return Sub.apply(input, other if alpha == 1 else mul(other, alpha))


def mul(input: Any, other: Any) -> Tensor:
    """``input * other`` elementwise, broadcasting."""
    return Mul.apply(operand(input, "mul"), operand(other, "mul"))


def div(input: Any, other: Any) -> Tensor:
    """``input / other`` (true division) elementwise, broadcasting."""
    return Div.apply(operand(input, "div"), operand(other, "div"))


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """``input ** exponent`` elementwise; either may be a Python number."""
    return Pow.apply(operand(input, "pow"), operand(exponent, "pow"))


def maximum(input: Tensor, other: Any) -> Tensor:
    """The elementwise larger of two tensors (NaN if either is NaN), broadcasting."""
    return Maximum.apply(input, as_tensor(operand(other, "maximum"), input))


def minimum(input: Tensor, other: Any) -> Tensor:
    """The elementwise smaller of two tensors (NaN if either is NaN), broadcasting."""
    return Minimum.apply(input, as_tensor(operand(other, "minimum"), input))


# --------------------------------------------------------------------------- unary math


def _unary_input(ctx: Any, kernel: Any, x: Tensor, *args: Any) -> np.ndarray:
    """Run a unary kernel and keep its input for backward."""
    ctx.save_for_backward(x)
    return kernel(_float_data(x), *args)


class Neg(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return np.negative(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return -grad


class Abs(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.abs, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * sign(x)


class Sign(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return np.sign(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad * 0.0


class Exp(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _wrap(unary.exp(_float_data(x)))
        ctx.save_for_backward(y)  # the derivative is written with the output
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.log, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _wrap(unary.sqrt(_float_data(x)))
        ctx.save_for_backward(y)  # the derivative is written with the output
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad / (y * 2.0)


class Sin(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.sin, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.cos, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return -grad * sin(x)


def neg(input: Tensor) -> Tensor:
    """``-input``."""
    return Neg.apply(input)


def abs(input: Tensor) -> Tensor:  # noqa: A001
    """``|input|``; the gradient at 0 is 0."""
    return Abs.apply(input)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (gradient zero)."""
    return Sign.apply(input)


def exp(input: Tensor) -> Tensor:
    """``e ** input``."""
    return Exp.apply(input)


def log(input: Tensor) -> Tensor:
    """The natural logarithm (``-inf`` at 0, NaN below)."""
    return Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    """The square root."""
    return Sqrt.apply(input)


def sin(input: Tensor) -> Tensor:
    """The sine (radians)."""
    return Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    """The cosine (radians)."""
    return Cos.apply(input)


def square(input: Tensor) -> Tensor:
    """``input * input``."""
    return mul(input, input)


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input``."""
    return div(1.0, input)


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return div(1.0, sqrt(input))


# --------------------------------------------------------------------------- activations


class Tanh(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _wrap(unary.tanh(_float_data(x)))
        ctx.save_for_backward(y)  # the derivative is written with the output
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return TanhBackward.apply(grad, y)


class TanhBackward(Function):
    """``grad * (1 - y**2)`` for ``y = tanh(x)``, fused."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, y)
        return unary.tanh_backward(grad.data, y.data)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        return (
            TanhBackward.apply(grad_grad, y) if need_grad else None,
            grad_grad * grad * y * -2.0 if need_y else None,
        )


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _wrap(unary.sigmoid(_float_data(x)))
        ctx.save_for_backward(y)  # the derivative is written with the output
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad, y)


class SigmoidBackward(Function):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, fused."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, y)
        return unary.sigmoid_backward(grad.data, y.data)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        return (
            SigmoidBackward.apply(grad_grad, y) if need_grad else None,
            grad_grad * grad * (1.0 - y * 2.0) if need_y else None,
        )


class Relu(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return _unary_input(ctx, unary.relu, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return ReluBackward.apply(grad, x)


class ReluBackward(Function):
    """``grad`` where ``x > 0``, else 0."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return unary.relu_backward(grad.data, x.data)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, None]:
        (x,) = ctx.saved_tensors
        return (ReluBackward.apply(grad_grad, x) if ctx.needs_input_grad[0] else None), None


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
        return unary.leaky_relu_backward(grad.data, x.data, negative_slope)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, None, None]:
        (x,) = ctx.saved_tensors
        first = (
            LeakyReluBackward.apply(grad_grad, x, ctx.negative_slope)
            if ctx.needs_input_grad[0]
            else None
        )
        return first, None, None


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
    """``grad`` where ``x > 0``, else ``grad * alpha * exp(x)``."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, x: Tensor, alpha: float) -> np.ndarray:
        ctx.save_for_backward(grad, x)
        ctx.alpha = alpha
        return unary.elu_backward(grad.data, x.data, alpha)

    @staticmethod
    def backward(ctx: Any, grad_grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        grad, x = ctx.saved_tensors
        need_grad, need_x = ctx.needs_input_grad[:2]
        first = EluBackward.apply(grad_grad, x, ctx.alpha) if need_grad else None
        second = None
        if need_x:
            # d/dx of alpha * exp(x) on the negative side; clamping keeps exp finite on
            # the positive side, where the mask zeroes it anyway.
            curvature = exp(clamp(x, max=0.0)) * ctx.alpha * (x <= 0).to(x.dtype)
            second = grad_grad * grad * curvature
        return first, second, None


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
        return unary.softplus_backward(grad.data, x.data, beta, threshold)

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
            linear = (x * ctx.beta <= ctx.threshold).to(x.dtype)
            second = grad_grad * grad * s * (1.0 - s) * ctx.beta * linear
        return first, second, None, None


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-input))``, without overflow for large |x|."""
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``; the gradient at 0 is 0."""
    return Relu.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``input`` where positive, else ``negative_slope * input``."""
    return LeakyRelu.apply(input, float(negative_slope))


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return Elu.apply(input, float(alpha))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * input)) / beta``, linear where ``beta * input > threshold``."""
    return Softplus.apply(input, float(beta), float(threshold))


# --------------------------------------------------------------------------- selection


class Clamp(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, low: float | None, high: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        data = x.data
        dtype = data.dtype.type
        if low is not None:
            data = binary.maximum(data, dtype(low))
        if high is not None:
            data = binary.minimum(data, dtype(high))
        return data.copy() if data is x.data else data

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        inside = np.ones(x.data.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x.data >= ctx.low
        if ctx.high is not None:
            inside &= x.data <= ctx.high
        return grad * Tensor._make(inside.astype(grad.data.dtype)), None, None


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]`` (either bound may be omitted or a Tensor).

    The gradient passes where ``min <= input <= max``.
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = input
        if min is not None:
            result = maximum(result, min)
        if max is not None:
            result = minimum(result, max)
        return result
    return Clamp.apply(input, min, max)


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Alias of :func:`clamp`."""
    return clamp(input, min, max)


class Where(Function):
    @staticmethod
    def forward(ctx: Any, condition: Tensor, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.condition = condition.data
        x, y, _ = binary_operands(a, b)
        try:
            return np.where(condition.data, x, y)
        except ValueError:
            raise ValueError(
                f"where: shapes {condition.shape}, {a.shape} and {b.shape} cannot be "
                f"broadcast together"
            ) from None

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        keep = Tensor._make(ctx.condition)
        zero = Tensor._make(np.zeros((), dtype=grad.data.dtype))
        need_a, need_b = ctx.needs_input_grad[1:]
        return (
            None,
            Where.apply(keep, grad, zero) if need_a else None,
            Where.apply(keep, zero, grad) if need_b else None,
        )


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other``, broadcasting all three.

    ``input`` and ``other`` may be Python numbers; the gradient goes to the chosen one.
    """
    condition = as_tensor(condition)
    if condition.data.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {condition.dtype}")
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    if like is None:
        raise TypeError("where: input or other must be a Tensor")
    return Where.apply(condition, as_tensor(input, like), as_tensor(other, like))


def masked_fill(input: Tensor, mask: Any, value: float) -> Tensor:
    """``input`` with ``value`` where ``mask`` is true (broadcast to ``input``'s shape)."""
    return where(mask, value, input)


# --------------------------------------------------------------------------- comparisons


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


def ne(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input != other`` as a bool tensor."""
    return _compare(np.not_equal, input, other, "ne")


def lt(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input < other`` as a bool tensor."""
    return _compare(np.less, input, other, "lt")


def le(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input <= other`` as a bool tensor."""
    return _compare(np.less_equal, input, other, "le")


def gt(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input > other`` as a bool tensor."""
    return _compare(np.greater, input, other, "gt")


def ge(input: Tensor, other: Any) -> Tensor:
    """Elementwise ``input >= other`` as a bool tensor."""
    return _compare(np.greater_equal, input, other, "ge")


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical not, as a bool tensor."""
    return Tensor._make(np.logical_not(input.data))


def logical_and(input: Tensor, other: Any) -> Tensor:
    """Elementwise logical and, as a bool tensor."""
    return _compare(np.logical_and, input, other, "logical_and")


def logical_or(input: Tensor, other: Any) -> Tensor:
    """Elementwise logical or, as a bool tensor."""
    return _compare(np.logical_or, input, other, "logical_or")


def isnan(input: Tensor) -> Tensor:
    """Where the elements are NaN, as a bool tensor."""
    return Tensor._make(np.isnan(input.data))


def isinf(input: Tensor) -> Tensor:
    """Where the elements are infinite, as a bool tensor."""
    return Tensor._make(np.isinf(input.data))


def isfinite(input: Tensor) -> Tensor:
    """Where the elements are finite, as a bool tensor."""
    return Tensor._make(np.isfinite(input.data))


# --------------------------------------------------------------------------- the records


def _slope(rng: np.random.Generator, shapes: Any) -> dict:
    return {"negative_slope": float(rng.uniform(0.01, 0.5))}


def _alpha(rng: np.random.Generator, shapes: Any) -> dict:
    return {"alpha": float(rng.uniform(0.5, 2.0))}


def _beta(rng: np.random.Generator, shapes: Any) -> dict:
    return {"beta": float(rng.uniform(0.5, 2.0))}


def _bounds(rng: np.random.Generator, shapes: Any) -> dict:
    low = float(rng.uniform(-1.5, 0.0))
    return {"min": low, "max": low + float(rng.uniform(0.5, 2.0))}


def _condition(rng: np.random.Generator, shapes: Any) -> dict:
    shape = np.broadcast_shapes(*shapes)
    return {"condition": Tensor._make(rng.random(shape) < 0.5)}


def _scalar(rng: np.random.Generator, shapes: Any) -> dict:
    return {"scalar": float(rng.uniform(0.5, 2.0)) * rng.choice([-1.0, 1.0])}


def _exponent(rng: np.random.Generator, shapes: Any) -> dict:
    return {"exponent": float(rng.choice([2.0, 3.0, 0.5, -1.0, -1.5, 1.7]))}


def _numpy_softplus(x: np.ndarray, beta: float) -> np.ndarray:
    return np.logaddexp(0.0, beta * x) / beta


def _numpy_sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


register(
    OpInfo("add", add, np.add, arity=2),
    OpInfo("sub", sub, np.subtract, arity=2),
    OpInfo("mul", mul, np.multiply, arity=2),
    OpInfo("div", div, np.divide, arity=2, domain=((-2.0, 2.0), (0.5, 2.0))),
    OpInfo("div_negative_denominator", div, np.divide, arity=2,
           domain=((-2.0, 2.0), (-2.0, -0.5))),
    OpInfo("pow", pow, np.power, arity=2, domain=((0.5, 2.0), (-2.0, 2.0))),
    OpInfo("add_scalar", lambda x, scalar: x + scalar, lambda x, scalar: x + scalar,
           kwargs=_scalar),
    OpInfo("rsub_scalar", lambda x, scalar: scalar - x, lambda x, scalar: scalar - x,
           kwargs=_scalar),
    OpInfo("mul_scalar", lambda x, scalar: x * scalar, lambda x, scalar: x * scalar,
           kwargs=_scalar),
    OpInfo("rdiv_scalar", lambda x, scalar: scalar / x, lambda x, scalar: scalar / x,
           kwargs=_scalar, domain=(0.5, 2.0)),
    OpInfo("pow_scalar", lambda x, exponent: x**exponent,
           lambda x, exponent: np.power(x, exponent), kwargs=_exponent, domain=(0.5, 2.0)),
    OpInfo("rpow_scalar", lambda x, scalar: float(np.abs(scalar)) ** x,
           lambda x, scalar: np.power(np.abs(scalar), x), kwargs=_scalar),
    OpInfo("maximum", maximum, np.maximum, arity=2, distinct=True),
    OpInfo("minimum", minimum, np.minimum, arity=2, distinct=True),
    OpInfo("neg", neg, np.negative),
    OpInfo("abs", abs, np.abs, kinks=(0.0,)),
    OpInfo("sign", sign, np.sign, kinks=(0.0,)),
    OpInfo("exp", exp, np.exp),
    OpInfo("log", log, np.log, domain=(0.1, 5.0)),
    OpInfo("sqrt", sqrt, np.sqrt, domain=(0.1, 5.0)),
    OpInfo("sin", sin, np.sin, domain=(-3.0, 3.0)),
    OpInfo("cos", cos, np.cos, domain=(-3.0, 3.0)),
    OpInfo("square", square, np.square),
    OpInfo("reciprocal", reciprocal, np.reciprocal, domain=(0.5, 2.0)),
    OpInfo("rsqrt", rsqrt, lambda x: 1.0 / np.sqrt(x), domain=(0.2, 3.0)),
    OpInfo("tanh", tanh, np.tanh, domain=(-3.0, 3.0)),
    OpInfo("sigmoid", sigmoid, _numpy_sigmoid, domain=(-5.0, 5.0)),
    OpInfo("relu", relu, lambda x: np.maximum(x, 0.0), kinks=(0.0,)),
    OpInfo("leaky_relu", leaky_relu,
           lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
           kinks=(0.0,), kwargs=_slope),
    OpInfo("elu", elu, lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(x)),
           kinks=(0.0,), kwargs=_alpha),
    OpInfo("softplus", softplus, _numpy_softplus, kwargs=_beta, domain=(-4.0, 4.0)),
    OpInfo("clamp", clamp, lambda x, min, max: np.clip(x, min, max), kwargs=_bounds,
           kinks=lambda kwargs: (kwargs["min"], kwargs["max"])),
    OpInfo("where", lambda a, b, condition: where(condition, a, b),
           lambda a, b, condition: np.where(condition.data, a, b), arity=2,
           kwargs=_condition),
)
