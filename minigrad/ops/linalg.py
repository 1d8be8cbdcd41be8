"""Matrix products: ``matmul`` and the affine map ``linear``, each registered right after its
classes (see :mod:`minigrad.ops._registry`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.kernels.matmul import matmul as _matmul_kernel
from minigrad.ops._common import promote_types
from minigrad.ops._registry import check, op
from minigrad.tensor import Tensor


class Matmul(Function):
    """``op(a) @ op(b)``, where ``op`` transposes the last two dimensions when the
    matching flag is set. The flags let the backward pass multiply by transposes without
    separate transpose nodes: for ``C = A B``, ``dA = G B^T`` and ``dB = A^T G``."""

    @staticmethod
    def forward(
        ctx: Any, a: Tensor, b: Tensor, transpose_a: bool = False, transpose_b: bool = False
    ) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.flags = (transpose_a, transpose_b)
        # The method, not np.swapaxes: NumPy's function is a Python wrapper around it.
        x = a._array.swapaxes(-1, -2) if transpose_a else a._array
        y = b._array.swapaxes(-1, -2) if transpose_b else b._array
        if x.dtype is not y.dtype and x.dtype != y.dtype:
            # PyTorch refuses mixed dtypes here; minigrad promotes as every binary op does.
            dtype = promote_types(x.dtype, y.dtype)
            x, y = x.astype(dtype), y.astype(dtype)
        if x.dtype.kind != "f":
            return np.asarray(np.matmul(x, y))
        return _matmul_kernel(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        ta, tb = ctx.flags
        # One entry per argument passed: two from matmul(), four from backward's own calls.
        needs = ctx.needs_input_grad
        need_a, need_b = needs[0], needs[1]
        if a._array.ndim == 1 or b._array.ndim == 1:
            return (*_vector_backward(a, b, grad, need_a, need_b), None, None)[: len(needs)]
        # With A' = op(A), B' = op(B): dA' = G B'^T and dB' = A'^T G, transposed back
        # when the input itself was used transposed.
        grad_a = grad_b = None
        if need_a:
            grad_a = Matmul.apply(b, grad, tb, True) if ta else Matmul.apply(grad, b, False, not tb)
        if need_b:
            grad_b = Matmul.apply(grad, a, True, ta) if tb else Matmul.apply(a, grad, not ta, False)
        return (grad_a, grad_b, None, None)[: len(needs)]


def _vector_backward(a: Tensor, b: Tensor, grad: Tensor, need_a: bool, need_b: bool) -> tuple:
    """Gradients when an operand is a vector: it takes part as a one-row (first) or
    one-column (second) matrix, and its gradient is reshaped back."""
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = grad.unsqueeze(-1) if b.ndim == 1 else grad
    g2 = g2.unsqueeze(-2) if a.ndim == 1 else g2
    grad_a = grad_b = None
    if need_a:
        grad_a = Matmul.apply(g2, b2, False, True)
        grad_a = grad_a.squeeze(-2) if a.ndim == 1 else grad_a
    if need_b:
        grad_b = Matmul.apply(a2, g2, True, False)
        grad_b = grad_b.squeeze(-1) if b.ndim == 1 else grad_b
    return grad_a, grad_b


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product with NumPy's rules (``input @ other``).

    1-D by 1-D is the dot product (a 0-d tensor); a 1-D operand acts as a row (first) or
    column (second) vector and its dimension is removed from the result; N-D operands are
    stacks of matrices whose batch dimensions broadcast.
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul: both operands must be Tensors, got {type(input).__name__} and "
            f"{type(other).__name__}"
        )
    return Matmul.apply(input, other)


op(matmul, Matmul, method=True, tests=[check(np.matmul, arity=2, shapes="matmul", max_rank=4)])


class Linear(Function):
    """``x W^T + b`` in one node: the workhorse of layers and recurrent cells, where a
    transpose node, a product and an addition would each cost a graph node."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None) -> np.ndarray:
        ctx.save_for_backward(x, weight)
        # Every input as rows of features (a 1-D input is one row, N-D inputs are
        # flattened): one 2-D product, where a broadcast N-D product with a transposed
        # weight runs as many small ones and was measured 4x slower.
        rows = x._array if x._array.ndim == 2 else x._array.reshape(-1, x._array.shape[-1])
        out = _matmul_kernel(rows, weight._array.T)
        if bias is not None:
            out += bias._array
        if x._array.ndim != 2:
            out = out.reshape(*x._array.shape[:-1], out.shape[-1])
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, Any, Any]:
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        rows_g = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        grad_x = grad_weight = None
        if need_x:
            grad_x = Matmul.apply(rows_g, weight, False, False)
            if grad.ndim != 2:
                grad_x = grad_x.reshape(*x.shape)
        if need_weight:
            rows_x = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            grad_weight = Matmul.apply(rows_g, rows_x, True, False)
        # The bias was broadcast over the rows: the engine sums its gradient back.
        return grad_x, grad_weight, grad if need_bias else None


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The affine map ``input @ weight.T + bias`` (shapes ``(*, in)``, ``(out, in)``,
    ``(out,)`` -> ``(*, out)``), as one graph node.

    Both operands must have the same float dtype; the shapes are checked and named in the
    error.
    """
    for name, tensor in (("input", input), ("weight", weight), ("bias", bias)):
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"linear: {name} must be a Tensor, got {type(tensor).__name__}")
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must have shape (out_features, in_features), got {weight.shape}"
        )
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {input.shape} does not end in in_features = "
            f"{weight.shape[1]} (weight shape {weight.shape})"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"linear: input must be a floating tensor, got dtype {input.dtype}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.dtype != input.dtype:
            raise TypeError(
                f"linear: input dtype {input.dtype} differs from {name} dtype {tensor.dtype}; "
                f"convert one of them (x.to(...) or module.to(...))"
            )
    return Linear.apply(input, weight, bias)


op(linear, Linear, Matmul, tests=[
    check(lambda x, w, b: x @ w.T + b, arity=3, shapes="linear"),
    check(lambda x, w: x @ w.T, name="linear_no_bias", function=lambda x, w: linear(x, w),
          arity=2, shapes="linear"),
])

