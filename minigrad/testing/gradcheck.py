"""Checking gradients against finite differences.

``gradcheck`` compares what backward computes with central differences
``(f(x + eps) - f(x - eps)) / (2 eps)``:

* the whole Jacobian, one element at a time (one backward pass per output element, two
  forward passes per input element), for inputs small enough;
* a random upstream gradient ``v`` (never all ones, which hides transposed or
  mis-broadcast gradients): ``v^T J`` from one backward pass against the numeric one;
* in ``fast_mode``, one random direction ``u`` per input: ``v^T J u`` both ways, for inputs
  too large for the full Jacobian;
* that a zero upstream gradient gives zero input gradients;
* that neither the forward nor the backward pass changed the inputs.

``gradgradcheck`` runs the same checks on the function that maps ``(inputs, v)`` to the
gradients ``v^T J``, built with ``create_graph=True``: it tests second derivatives.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.autograd import grad, no_grad
from minigrad.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _differentiable_outputs(outputs: tuple[Any, ...]) -> list[int]:
    return [
        i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o._array.dtype.kind == "f"
    ]


def _evaluate(fn: Callable[..., Any], inputs: tuple[Any, ...], picked: list[int]) -> list[Any]:
    # Gradient mode stays on: the function may itself differentiate (gradgradcheck).
    outputs = _as_tuple(fn(*inputs))
    return [outputs[i]._array.astype(np.float64) for i in picked]


def _analytic_vjp(
    outputs: tuple[Any, ...],
    picked: list[int],
    targets: list[Tensor],
    upstream: list[np.ndarray],
) -> list[np.ndarray]:
    """``v^T J`` for every target input, by one backward pass (zeros where unused)."""
    roots = [outputs[i] for i in picked if outputs[i].requires_grad]
    grads_out = [
        Tensor._make(v.astype(outputs[i]._array.dtype))
        for i, v in zip(picked, upstream)
        if outputs[i].requires_grad
    ]
    if not roots:
        return [np.zeros(t._array.shape) for t in targets]
    result = grad(roots, targets, grads_out, retain_graph=True, allow_unused=True)
    return [
        np.zeros(t._array.shape) if g is None else g._array.astype(np.float64)
        for t, g in zip(targets, result)
    ]


def _numeric_directional(
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    target: Tensor,
    direction: np.ndarray,
    picked: list[int],
    upstream: list[np.ndarray],
    eps: float,
) -> float:
    """``v^T J u`` by central differences along ``u = direction`` for one input."""
    original = target._array.copy()
    try:
        target._array[...] = original + eps * direction
        plus = _evaluate(fn, inputs, picked)
        target._array[...] = original - eps * direction
        minus = _evaluate(fn, inputs, picked)
    finally:
        target._array[...] = original
    return float(
        sum(np.sum((p - m) * v) for p, m, v in zip(plus, minus, upstream)) / (2 * eps)
    )


def _numeric_jacobian(
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    target: Tensor,
    picked: list[int],
    eps: float,
) -> np.ndarray:
    """The numeric Jacobian of the picked outputs (flattened and concatenated) with
    respect to ``target``: shape ``(output elements, target elements)``."""
    original = target._array.copy()
    columns = []
    try:
        for position in np.ndindex(*target._array.shape):
            value = original[position]
            target._array[position] = value + eps
            plus = _evaluate(fn, inputs, picked)
            target._array[position] = value - eps
            minus = _evaluate(fn, inputs, picked)
            target._array[position] = value
            columns.append(
                np.concatenate([(p - m).reshape(-1) for p, m in zip(plus, minus)]) / (2 * eps)
            )
    finally:
        target._array[...] = original
    rows = sum(v.size for v in _evaluate(fn, inputs, picked))
    return np.stack(columns, axis=1) if columns else np.zeros((rows, 0))


def _analytic_jacobian(
    outputs: tuple[Any, ...], picked: list[int], targets: list[Tensor]
) -> list[np.ndarray]:
    """The analytic Jacobians, one backward pass per output element."""
    sizes = [outputs[i]._array.size for i in picked]
    total = sum(sizes)
    jacobians = [np.zeros((total, t._array.size)) for t in targets]
    row = 0
    for k in range(len(picked)):
        for flat in range(sizes[k]):
            upstream = [np.zeros(outputs[j]._array.shape) for j in picked]
            upstream[k].reshape(-1)[flat] = 1.0
            vjps = _analytic_vjp(outputs, picked, targets, upstream)
            for jacobian, vjp in zip(jacobians, vjps):
                jacobian[row] = vjp.reshape(-1)
            row += 1
    return jacobians


def _compare(
    analytic: np.ndarray,
    numeric: np.ndarray,
    atol: float,
    rtol: float,
    what: str,
    input_shape: tuple[int, ...] | None = None,
) -> str | None:
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        return f"{what}: analytic shape {analytic.shape} != numeric shape {numeric.shape}"
    if analytic.size == 0:
        return None
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    bad = ~(error <= allowed)  # NaN counts as a failure
    if not bad.any():
        return None
    excess = np.where(np.isnan(error), np.inf, error - allowed)
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    index = tuple(int(i) for i in worst)
    if input_shape is not None:  # the last index is a flat one into the input
        index = index[:-1] + tuple(int(i) for i in np.unravel_index(index[-1], input_shape))
    return (
        f"{what} {index}: analytic {float(analytic[worst])!r}, numeric "
        f"{float(numeric[worst])!r} (|difference| {float(error[worst]):.3g} > atol {atol} + "
        f"rtol {rtol} * |numeric|); {int(bad.sum())} of {bad.size} entries disagree"
    )


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    max_jacobian_size: int = 4096,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Args:
        fn: called as ``fn(*inputs)``; returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of arguments; the Tensors with ``requires_grad=True``
            are checked (they should be float64: float32 differences are too coarse).
        eps: the finite-difference step.
        atol, rtol: an entry passes when ``|analytic - numeric| <= atol + rtol*|numeric|``.
        raise_exception: raise :class:`GradcheckError` on failure (else return False).
        fast_mode: check random projections ``v^T J u`` instead of whole Jacobians.
        max_jacobian_size: above this many Jacobian entries the whole-Jacobian check is
            skipped and only the projections run.
        seed: seeds the random upstream gradients and directions.

    Returns:
        True when every check passes.

    >>> x = minigrad.randn(3, 4, dtype=minigrad.float64, requires_grad=True)
    >>> gradcheck(lambda t: (t.tanh() * t).sum(1), x)
    True
    """
    inputs = _as_tuple(inputs)
    targets = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not targets:
        raise ValueError("gradcheck: no input is a Tensor with requires_grad=True")
    for index, tensor in enumerate(targets):
        if tensor._array.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {index} is {tensor.dtype}, not float64; finite differences "
                f"in low precision fail on correct gradients",
                UserWarning,
                stacklevel=2,
            )
    rng = np.random.default_rng(seed)
    before = [(t._array.copy(), t._version) for t in targets]

    def fail(message: str) -> bool:
        if raise_exception:
            raise GradcheckError(message)
        return False

    outputs = _as_tuple(fn(*inputs))
    picked = _differentiable_outputs(outputs)
    if not picked:
        return fail("gradcheck: fn returned no floating-point Tensor")
    upstream = [rng.standard_normal(outputs[i]._array.shape) for i in picked]

    analytic = _analytic_vjp(outputs, picked, targets, upstream)
    for index, (tensor, vjp) in enumerate(zip(targets, analytic)):
        if vjp.shape != tensor._array.shape:
            return fail(
                f"gradcheck: the gradient of input {index} has shape {vjp.shape}, but the input "
                f"has shape {tensor.shape}"
            )

    total_outputs = sum(outputs[i]._array.size for i in picked)
    whole = not fast_mode and total_outputs * sum(t._array.size for t in targets) <= (
        max_jacobian_size
    )
    jacobians = _analytic_jacobian(outputs, picked, targets) if whole else []
    flat_upstream = np.concatenate([v.reshape(-1) for v in upstream])
    for index, (tensor, vjp) in enumerate(zip(targets, analytic)):
        where = f"input {index} (shape {tensor.shape})"
        if whole:
            numeric = _numeric_jacobian(fn, inputs, tensor, picked, eps)
            problem = _compare(
                vjp.reshape(-1), flat_upstream @ numeric, atol, rtol,
                f"{where}, v^T J with a random upstream gradient v, at input index",
                tensor._array.shape,
            ) or _compare(
                jacobians[index], numeric, atol, rtol,
                f"{where}, Jacobian entry at (flat output index, *input index)",
                tensor._array.shape,
            )
        else:
            direction = rng.standard_normal(tensor._array.shape)
            numeric_projection = _numeric_directional(
                fn, inputs, tensor, direction, picked, upstream, eps
            )
            problem = _compare(
                np.array(np.sum(vjp * direction)), np.array(numeric_projection), atol, rtol,
                f"{where}, v^T J u with random v and u",
            )
        if problem:
            if tensor._array.dtype != np.float64:
                problem += (
                    f"; input {index} is {tensor.dtype}: finite differences in low precision "
                    f"are a likely cause: check in float64 first"
                )
            return fail("gradcheck: " + problem)

    zeros = [np.zeros(outputs[i]._array.shape) for i in picked]
    for index, vjp in enumerate(_analytic_vjp(outputs, picked, targets, zeros)):
        if np.any(vjp != 0):
            return fail(
                f"gradcheck: a zero upstream gradient gave a non-zero gradient for input "
                f"{index}: {vjp!r}"
            )

    for index, (tensor, (data, version)) in enumerate(zip(targets, before)):
        if tensor._version != version or not np.array_equal(
            tensor._array, data, equal_nan=True
        ):
            return fail(f"gradcheck: input {index} was modified by the forward or backward pass")
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Sequence[Tensor] | Tensor | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    max_jacobian_size: int = 4096,
    seed: int = 0,
) -> bool:
    """Check second derivatives: :func:`gradcheck` of ``(inputs, v) -> v^T J``.

    The gradients are computed with ``create_graph=True``, so this checks that every
    backward rule is itself correctly differentiable. ``grad_outputs`` are the ``v``
    (random float64 tensors when omitted); they take part as inputs, since the gradient
    depends on them too.
    """
    inputs = _as_tuple(inputs)
    with no_grad():
        outputs = _as_tuple(fn(*inputs))
    picked = _differentiable_outputs(outputs)
    rng = np.random.default_rng(seed + 1)
    if grad_outputs is None:
        upstream = [
            Tensor._make(rng.standard_normal(outputs[i]._array.shape)).requires_grad_()
            for i in picked
        ]
    else:
        upstream = list(_as_tuple(grad_outputs))
    count = len(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        values = _as_tuple(fn(*args[:count]))
        roots = [values[i] for i in picked]
        used = [(r, v) for r, v in zip(roots, args[count:]) if r.requires_grad]
        if not used:
            return tuple(Tensor._make(np.zeros(args[i]._array.shape)) for i in checked)
        results = grad(
            [r for r, _ in used],
            [args[i] for i in checked],
            [v for _, v in used],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(
            Tensor._make(np.zeros(args[i]._array.shape)) if g is None else g
            for i, g in zip(checked, results)
        )

    try:
        return gradcheck(
            first_derivative,
            inputs + tuple(upstream),
            eps=eps,
            atol=atol,
            rtol=rtol,
            raise_exception=raise_exception,
            fast_mode=fast_mode,
            max_jacobian_size=max_jacobian_size,
            seed=seed,
        )
    except GradcheckError as error:
        # The checked function here is fn's first derivative: say so, or the message reads
        # as if fn's own gradient were wrong.
        message = str(error).replace("gradcheck: ", "", 1)
        raise GradcheckError(
            "gradgradcheck (second-order: the gradient of fn's gradient is wrong; fn's "
            f"first derivative is the function checked here): {message}"
        ) from None
