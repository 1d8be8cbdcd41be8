"""Matrix products."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops._registry import OpInfo, register
from minigrad.tensor import Tensor

try:  # the tiled Numba kernel lands separately; NumPy's matmul is its twin
    from minigrad.kernels.matmul import matmul as _matmul_kernel
except ImportError:  # pragma: no cover
    _matmul_kernel = np.matmul


class Matmul(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        x, y = a.data, b.data
        if x.dtype != y.dtype:
            dtype = np.result_type(x.dtype, y.dtype)
            x, y = x.astype(dtype), y.astype(dtype)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"matmul: both operands need at least one dimension, got shapes {a.shape} "
                f"and {b.shape}"
            )
        if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                f"{x.shape[-1]} (last dim of the first) != "
                f"{y.shape[-2 if y.ndim > 1 else 0]} ({'second-to-last' if y.ndim > 1 else 'only'}"
                f" dim of the second)"
            )
        if x.dtype.kind != "f":
            return np.asarray(np.matmul(x, y))
        return np.asarray(_matmul_kernel(x, y))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # Vectors take part as a 1-row (a) or 1-column (b) matrix; the gradient is then
        # computed for the matrix and reshaped back. The engine sums broadcast batch dims.
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = grad
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        grad_a = grad_b = None
        if need_a:
            grad_a = matmul(g2, b2.mT)
            if a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if need_b:
            grad_b = matmul(a2.mT, g2)
            if b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
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




register(
    OpInfo("matmul", matmul, np.matmul, arity=2, shapes="matmul", max_rank=4),
)
