"""Matrix products: ``matmul`` and the affine map ``linear``; PyTorch's fixed-rank products
(``mm``, ``bmm``, ``mv``, ``dot``, ``outer``, ``addmm``, ...) and ``cross``. Each is
registered right after its classes (see :mod:`minigrad.ops._registry`)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function
from minigrad.kernels.matmul import matmul as _matmul_kernel
from minigrad.ops._common import promote_types
from minigrad.ops._registry import check, op
from minigrad.ops.elementwise import where
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



# --------------------------------------------------------------------------- PyTorch's
# fixed-rank products (issue 13: PyTorch programs run unchanged). Each checks the ranks
# and sizes PyTorch checks (``bmm`` wants two 3-D tensors, ``mv`` a matrix and a vector)
# and, as PyTorch, refuses operands of different dtypes; then it is one Matmul node.


def _tensors(name: str, **operands: Any) -> None:
    for label, value in operands.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}: {label} must be a Tensor, got {type(value).__name__}")


def _ranks(name: str, expected: tuple[int, ...], **operands: Tensor) -> None:
    for (label, tensor), ndim in zip(operands.items(), expected):
        if tensor.ndim != ndim:
            raise RuntimeError(
                f"{name}: {label} must be a {ndim}-D tensor, got shape {tensor.shape} "
                f"({tensor.ndim}-D)"
            )


def _same_dtype(name: str, **operands: Tensor) -> None:
    dtypes = {label: tensor.dtype for label, tensor in operands.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{label} {dtype}" for label, dtype in dtypes.items())
        raise RuntimeError(
            f"{name}: expected operands of the same dtype, got {listed} (as PyTorch); "
            f"convert one with .to(...)"
        )


def _inner(name: str, first: str, a: Tensor, second: str, b: Tensor) -> None:
    """The contracted sizes agree: the last of ``a`` and the first matrix dim of ``b``."""
    inner_b = b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise RuntimeError(
            f"{name}: {first} of shape {a.shape} and {second} of shape {b.shape} cannot be "
            f"multiplied ({a.shape[-1]} != {inner_b})"
        )


def _matrices(rng: np.random.Generator) -> tuple[int, int, int]:
    """Sizes ``n, k, m`` of an ``(n, k) @ (k, m)`` product for the records."""
    n, k, m = (int(s) for s in rng.integers(1, 5, size=3))
    return n, k, m


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The matrix product of ``input`` ``(n, m)`` and ``mat2`` ``(m, p)``: ``(n, p)``. No
    broadcasting (see :func:`matmul`)."""
    _tensors("mm", input=input, mat2=mat2)
    _ranks("mm", (2, 2), input=input, mat2=mat2)
    _inner("mm", "input", input, "mat2", mat2)
    _same_dtype("mm", input=input, mat2=mat2)
    return Matmul.apply(input, mat2)


def _mm_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, m = _matrices(rng)
    return (n, k), (k, m)


op(mm, Matmul, method=True, tests=[check(np.matmul, arity=2, shapes=_mm_shapes)])


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix products: ``input`` ``(b, n, m)`` times ``mat2`` ``(b, m, p)`` is
    ``(b, n, p)``, one product per batch element; no broadcasting."""
    _tensors("bmm", input=input, mat2=mat2)
    _ranks("bmm", (3, 3), input=input, mat2=mat2)
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: input of shape {input.shape} and mat2 of shape {mat2.shape} have different "
            f"batch sizes ({input.shape[0]} != {mat2.shape[0]})"
        )
    _inner("bmm", "input", input, "mat2", mat2)
    _same_dtype("bmm", input=input, mat2=mat2)
    return Matmul.apply(input, mat2)


def _bmm_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, m = _matrices(rng)
    b = int(rng.integers(1, 4))
    return (b, n, k), (b, k, m)


op(bmm, Matmul, method=True, tests=[check(np.matmul, arity=2, shapes=_bmm_shapes)])


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of the matrix ``input`` ``(n, m)`` and the vector ``vec`` ``(m,)``:
    ``(n,)``."""
    _tensors("mv", input=input, vec=vec)
    _ranks("mv", (2, 1), input=input, vec=vec)
    _inner("mv", "input", input, "vec", vec)
    _same_dtype("mv", input=input, vec=vec)
    return Matmul.apply(input, vec)


def _mv_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, _ = _matrices(rng)
    return (n, k), (k,)


op(mv, Matmul, method=True, tests=[check(np.matmul, arity=2, shapes=_mv_shapes)])


def _vector_pair(name: str, input: Tensor, other: Tensor) -> None:
    _tensors(name, input=input, other=other)
    _ranks(name, (1, 1), input=input, other=other)
    if input.shape != other.shape:
        raise RuntimeError(
            f"{name}: input of shape {input.shape} and other of shape {other.shape} must "
            f"have the same number of elements"
        )
    _same_dtype(name, input=input, other=other)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-D tensors of the same size and dtype: a 0-d tensor."""
    _vector_pair("dot", input, other)
    return Matmul.apply(input, other)


def _vector_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    k = int(rng.integers(0, 6))
    return (k,), (k,)


op(dot, Matmul, method=True, tests=[check(np.dot, arity=2, shapes=_vector_shapes)])


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """``sum(conj(input) * other)`` for 1-D tensors: the dot product (minigrad's tensors
    are real, so the conjugate changes nothing)."""
    _vector_pair("vdot", input, other)
    return Matmul.apply(input, other)


op(vdot, Matmul, method=True, tests=[check(np.vdot, arity=2, shapes=_vector_shapes)])


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors, ``(n,)`` and ``(m,)`` -> ``(n, m)``:
    ``out[i, j] = input[i] * vec2[j]``. Dtypes are promoted, as PyTorch."""
    _tensors("outer", input=input, vec2=vec2)
    _ranks("outer", (1, 1), input=input, vec2=vec2)
    return Matmul.apply(input.unsqueeze(-1), vec2.unsqueeze(0))


def _outer_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, m = (int(s) for s in rng.integers(0, 5, size=2))
    return (n,), (m,)


op(outer, Matmul, method=True, tests=[check(np.outer, arity=2, shapes=_outer_shapes)])


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product (:func:`outer`; PyTorch's older name)."""
    return outer(input, vec2)


op(ger, Matmul, method=True, tests=[check(np.outer, arity=2, shapes=_outer_shapes)])


def _scaled_sum(name: str, input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """``beta * input + alpha * product``, ``input`` broadcast to the product's shape.

    With ``beta = 0`` the values of ``input`` are ignored (NaN and inf in it do not
    propagate) but it still receives a zero gradient, as PyTorch's.
    """
    try:
        fits = np.broadcast_shapes(input.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"{name}: input of shape {input.shape} cannot be broadcast to the product's "
            f"shape {product.shape}"
        )
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        # where() with a false condition: zeros, and a zero gradient for input.
        return product + where(Tensor._make(np.zeros((), dtype=bool)), input, 0)
    return product + (input if beta == 1 else input * beta)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``: ``mat1`` ``(n, m)``, ``mat2`` ``(m, p)``,
    ``input`` broadcastable to ``(n, p)``. With ``beta=0``, ``input`` is ignored."""
    _tensors("addmm", input=input, mat1=mat1, mat2=mat2)
    _ranks("addmm", (2, 2), mat1=mat1, mat2=mat2)
    _inner("addmm", "mat1", mat1, "mat2", mat2)
    _same_dtype("addmm", input=input, mat1=mat1, mat2=mat2)
    return _scaled_sum("addmm", input, Matmul.apply(mat1, mat2), beta, alpha)


def _scales(rng: np.random.Generator, shapes: Any) -> dict:
    beta, alpha = rng.choice([0.0, 1.0, 0.5, -2.0], size=2)
    return {"beta": float(beta), "alpha": float(alpha)}


def _numpy_addmm(input: np.ndarray, a: np.ndarray, b: np.ndarray, beta: float,
                 alpha: float) -> np.ndarray:
    return beta * input + alpha * np.matmul(a, b)


def _addmm_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, m = _matrices(rng)
    input_shape = [(n, m), (m,), (1, m), (n, 1), ()][int(rng.integers(5))]
    return input_shape, (n, k), (k, m)


op(addmm, Matmul, method=True, tests=[
    check(_numpy_addmm, arity=3, shapes=_addmm_shapes, kwargs=_scales),
])


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``: ``mat`` ``(n, m)``, ``vec`` ``(m,)``,
    ``input`` broadcastable to ``(n,)``. With ``beta=0``, ``input`` is ignored."""
    _tensors("addmv", input=input, mat=mat, vec=vec)
    _ranks("addmv", (2, 1), mat=mat, vec=vec)
    _inner("addmv", "mat", mat, "vec", vec)
    _same_dtype("addmv", input=input, mat=mat, vec=vec)
    return _scaled_sum("addmv", input, Matmul.apply(mat, vec), beta, alpha)


def _addmv_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, _ = _matrices(rng)
    return [(n,), (1,), ()][int(rng.integers(3))], (n, k), (k,)


op(addmv, Matmul, method=True, tests=[
    check(_numpy_addmm, arity=3, shapes=_addmv_shapes, kwargs=_scales),
])


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``: ``batch1`` ``(b, n, m)``,
    ``batch2`` ``(b, m, p)``, ``input`` broadcastable to ``(b, n, p)``."""
    _tensors("baddbmm", input=input, batch1=batch1, batch2=batch2)
    _ranks("baddbmm", (3, 3), batch1=batch1, batch2=batch2)
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(
            f"baddbmm: batch1 of shape {batch1.shape} and batch2 of shape {batch2.shape} "
            f"have different batch sizes ({batch1.shape[0]} != {batch2.shape[0]})"
        )
    _inner("baddbmm", "batch1", batch1, "batch2", batch2)
    _same_dtype("baddbmm", input=input, batch1=batch1, batch2=batch2)
    return _scaled_sum("baddbmm", input, Matmul.apply(batch1, batch2), beta, alpha)


def _baddbmm_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    n, k, m = _matrices(rng)
    b = int(rng.integers(1, 4))
    input_shape = [(b, n, m), (n, m), (1, 1, m), ()][int(rng.integers(4))]
    return input_shape, (b, n, k), (b, k, m)


op(baddbmm, Matmul, method=True, tests=[
    check(_numpy_addmm, arity=3, shapes=_baddbmm_shapes, kwargs=_scales),
])


class Cross(Function):
    """The cross product of 3-vectors along ``dim`` (inputs broadcast together). It is
    linear in each operand: ``d(a x b) = da x b + a x db``, so the gradients are cross
    products again, ``ga = b x g`` and ``gb = g x a``."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor, dim: int) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        x, y = a._array, b._array
        if x.dtype != y.dtype:
            dtype = promote_types(x.dtype, y.dtype)
            x, y = x.astype(dtype), y.astype(dtype)
        return np.asarray(np.cross(x, y, axis=dim))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, Any, None]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_a = Cross.apply(b, grad, ctx.dim) if need_a else None
        grad_b = Cross.apply(grad, a, ctx.dim) if need_b else None
        return grad_a, grad_b, None


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (``input`` and ``other`` broadcast
    together; that dimension must have size 3 in both).

    As ``torch.cross``: with ``dim=None`` it is the first dimension of size 3, with a
    ``UserWarning`` (PyTorch deprecates that default; pass ``dim``, ``-1`` being
    ``torch.linalg.cross``'s).
    """
    _tensors("cross", input=input, other=other)
    if input.ndim != other.ndim:
        raise RuntimeError(
            f"cross: input of shape {input.shape} and other of shape {other.shape} must "
            f"have the same number of dimensions"
        )
    try:
        shape = np.broadcast_shapes(input.shape, other.shape)
    except ValueError:
        raise RuntimeError(
            f"cross: shapes {input.shape} and {other.shape} cannot be broadcast together"
        ) from None
    if dim is None:
        warnings.warn(
            "Using cross without specifying the dim arg is deprecated (as in PyTorch): "
            "pass dim explicitly (dim=-1 is torch.linalg.cross's default)",
            UserWarning,
            stacklevel=2,
        )
        sized = [d for d, size in enumerate(shape) if size == 3]
        if not sized:
            raise RuntimeError(f"cross: no dimension of size 3 in shape {shape}")
        dim = sized[0]
    try:
        d = dtypes.normalize_dim(dim, len(shape))
    except (IndexError, TypeError) as error:
        raise type(error)(f"cross: {error}") from None
    if input.ndim == 0 or input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(
            f"cross: dimension {dim} must have size 3 in both inputs, got shapes "
            f"{input.shape} and {other.shape}"
        )
    return Cross.apply(input, other, d)


def _cross_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    ndim = int(rng.integers(1, 4))
    shape = [int(s) for s in rng.integers(1, 4, size=ndim)]
    shape[int(rng.integers(ndim))] = 3
    other = [s if s == 3 or rng.random() < 0.7 else 1 for s in shape]
    return tuple(shape), tuple(other)


def _cross_dim(rng: np.random.Generator, shapes: Any) -> dict:
    sized = [d for d, size in enumerate(shapes[0]) if size == 3 and shapes[1][d] == 3]
    d = int(rng.choice(sized))
    return {"dim": d - len(shapes[0]) if rng.random() < 0.5 else d}


op(cross, Cross, method=True, tests=[
    check(lambda a, b, dim: np.cross(a, b, axis=dim), arity=2, shapes=_cross_shapes,
          kwargs=_cross_dim),
])


# --------------------------------------------------------------------------- einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _einsum_terms(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """``equation`` with every ellipsis spelt out as letters and the output made explicit:
    one string of labels per operand and one for the output (errors as PyTorch's).

    The ellipsis dimensions broadcast, aligned on the right, and take letters the
    equation does not use; the implicit output (no ``->``) is the ellipsis dimensions
    followed by the labels that appear exactly once, in alphabetical order (capitals
    first).
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a str, got {type(equation).__name__}")
    spec = equation.replace(" ", "")
    if spec.count("->") > 1:
        raise RuntimeError(f"einsum: more than one '->' in the equation {equation!r}")
    left, arrow, right = spec.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(
            f"einsum: the equation {equation!r} names {len(terms)} operand(s), but "
            f"{len(shapes)} were given"
        )
    for term in (*terms, right):
        rest = term.replace("...", "", 1)
        bad = [c for c in rest if c not in _LETTERS]
        if bad:
            raise RuntimeError(
                f"einsum: invalid subscript {bad[0]!r} in the equation {equation!r}: "
                f"subscripts are letters a-z, A-Z and one '...' per operand"
            )
    unused = [c for c in _LETTERS if c not in spec]
    counts: list[int] = []
    for term, shape in zip(terms, shapes):
        named = len(term) - (3 if "..." in term else 0)
        if "..." not in term and named != len(shape) or named > len(shape):
            raise RuntimeError(
                f"einsum: operand {len(counts)} has {len(shape)} dimension(s) (shape "
                f"{shape}) but its subscripts {term!r} name {named}"
                + ("" if "..." in term else " and it has no '...'")
            )
        counts.append(len(shape) - named if "..." in term else 0)
    broadcast = unused[: max(counts, default=0)]
    if len(broadcast) < max(counts, default=0):
        raise RuntimeError("einsum: too many dimensions for the letters left for '...'")
    inputs = [
        term.replace("...", "".join(broadcast[len(broadcast) - count :]))
        for term, count in zip(terms, counts)
    ]
    if arrow:
        output = right.replace("...", "".join(broadcast))
        for label in output:
            if output.count(label) > 1:
                raise RuntimeError(f"einsum: output subscript {label} appears more than once")
            if not any(label in term for term in inputs):
                raise RuntimeError(
                    f"einsum: output subscript {label} does not appear in any input operand"
                )
    else:
        joined = "".join(inputs)
        once = sorted(c for c in set(joined) if joined.count(c) == 1 and c not in broadcast)
        output = "".join(broadcast) + "".join(once)
    return inputs, output


def _label_sizes(inputs: list[str], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    """The size of each label, checked: repeats within an operand are equal, and across
    operands a size broadcasts only from 1 (as PyTorch)."""
    sizes: dict[str, int] = {}
    for number, (term, shape) in enumerate(zip(inputs, shapes)):
        own: dict[str, int] = {}
        for label, size in zip(term, shape):
            if own.setdefault(label, size) != size:
                raise RuntimeError(
                    f"einsum: subscript {label} is repeated for operand {number} (shape "
                    f"{shape}) but the sizes differ, {own[label]} != {size}"
                )
        for label, size in own.items():
            seen = sizes.get(label, size)
            if seen != size and 1 not in (seen, size):
                raise RuntimeError(
                    f"einsum: subscript {label} has size {size} for operand {number} (shape "
                    f"{shape}), which does not broadcast with the size {seen} seen before"
                )
            sizes[label] = size if seen == 1 else seen
    return sizes


class Einsum(Function):
    """``np.einsum`` of an explicit equation (letters only, ``->`` given; see
    :func:`einsum`). Multilinear, so each operand's gradient is an einsum again: of the
    upstream gradient and the other operands, with an identity matrix for each repeated
    label (the gradient lands on the diagonal) and ones for a label summed in that
    operand alone (the gradient spreads along it)."""

    @staticmethod
    def forward(ctx: Any, equation: str, *operands: Tensor) -> np.ndarray:
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        arrays = [t._array for t in operands]
        out = np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 1))
        if any(np.may_share_memory(out, a) for a in arrays):  # "ij->ji" gives a view
            out = out.copy()
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        operands = ctx.saved_tensors
        left, output = ctx.equation.split("->")
        inputs = left.split(",")
        needs = ctx.needs_input_grad[1:]
        spare = iter(c for c in _LETTERS if c not in ctx.equation)
        grads: list[Any] = [None]
        for k, (term, operand) in enumerate(zip(inputs, operands)):
            if not needs[k]:
                grads.append(None)
                continue
            terms = [output] + [t for j, t in enumerate(inputs) if j != k]
            tensors = [grad] + [t for j, t in enumerate(operands) if j != k]
            sizes: dict[str, int] = {}
            for t, tensor in zip(terms, tensors):
                for label, size in zip(t, tensor.shape):
                    sizes[label] = max(sizes.get(label, 1), size)
            wanted = ""
            for label, size in zip(term, operand.shape):
                if label in wanted:  # a repeat: its own letter, tied by an identity
                    fresh = next(spare)
                    terms.append(label + fresh)
                    tensors.append(Tensor._make(np.eye(size, dtype=grad.dtype)))
                    wanted += fresh
                    continue
                if sizes.get(label, 0) != size and term.count(label) == 1:
                    # Summed in this operand alone (or broadcast from 1 elsewhere).
                    terms.append(label)
                    tensors.append(Tensor._make(np.ones(size, dtype=grad.dtype)))
                wanted += label
            grads.append(Einsum.apply(",".join(terms) + "->" + wanted, *tensors))
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation: the product of the operands over the labels of ``equation``,
    summed over the labels missing from its output.

    As ``torch.einsum``: ``"bij,bjk->bik"`` (batched matrix products), ``"ii->i"`` (a
    diagonal), ``"ii"`` (a trace), ``"i,j->ij"`` (an outer product); ``...`` stands for
    broadcast dimensions; without ``->`` the output is the labels that appear once, in
    alphabetical order. The operands may be given as one list; they must have one dtype
    (as PyTorch, which does not promote here).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum: needs at least one operand")
    named = {f"operand {i}": t for i, t in enumerate(operands)}
    _tensors("einsum", **named)
    _same_dtype("einsum", **named)
    shapes = [t.shape for t in operands]
    inputs, output = _einsum_terms(equation, shapes)
    _label_sizes(inputs, shapes)
    return Einsum.apply(",".join(inputs) + "->" + output, *operands)


_EINSUM_EQUATIONS = {
    1: ["ii->i", "ii", "ij->", "ij->ji", "i...->...", "...ii->...i", "iji->j", "ijk->kj"],
    2: ["bij,bjk->bik", "bhqd,bhkd->bhqk", "i,j->ij", "...ij,...jk->...ik", "ij,jk",
        "ij,ij->", "ii,i->i", "ij,j", "bi,bj->bij", "ab,cd->"],
    3: ["ij,jk,kl->il", "i,i,i->i", "bi,ij,bj->b"],
}


def _compatible(equation: str, shapes: tuple[tuple[int, ...], ...]) -> bool:
    try:
        _label_sizes(_einsum_terms(equation, list(shapes))[0], list(shapes))
    except RuntimeError:
        return False
    return True


def _einsum_shapes(arity: int) -> Any:
    def shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
        equation = str(rng.choice(_EINSUM_EQUATIONS[arity]))
        terms = equation.split("->")[0].split(",")
        sizes = {c: int(rng.integers(1, 4)) for c in _LETTERS}
        batch = [int(s) for s in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
        result = []
        for term in terms:
            named = term.replace("...", "")
            # Some labels of size 1 in one operand only: they broadcast, as in PyTorch.
            shape = [
                1 if arity > 1 and named.count(c) == 1 and rng.random() < 0.15 else sizes[c]
                for c in named
            ]
            if "..." in term:
                start = term.index("...")
                tail = batch[int(rng.integers(0, len(batch) + 1)):] if batch else []
                shape[start:start] = [1 if rng.random() < 0.2 else s for s in tail]
            result.append(tuple(shape))
        return tuple(result)

    return shapes


def _einsum_equation(rng: np.random.Generator, shapes: Any) -> dict:
    fitting = [e for e in _EINSUM_EQUATIONS[len(shapes)] if _compatible(e, shapes)]
    return {"equation": str(rng.choice(fitting))}


op(einsum, Einsum, tests=[
    check(lambda x, equation: np.einsum(equation, x), name="einsum_one",
          function=lambda x, equation: einsum(equation, x), shapes=_einsum_shapes(1),
          kwargs=_einsum_equation),
    check(lambda a, b, equation: np.einsum(equation, a, b), name="einsum",
          function=lambda a, b, equation: einsum(equation, a, b), arity=2,
          shapes=_einsum_shapes(2), kwargs=_einsum_equation),
    check(lambda a, b, c, equation: np.einsum(equation, a, b, c), name="einsum_three",
          function=lambda a, b, c, equation: einsum(equation, [a, b, c]), arity=3,
          shapes=_einsum_shapes(3), kwargs=_einsum_equation),
])
