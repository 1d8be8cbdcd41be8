"""Gradient clipping, flattening parameters to one vector, and (in :mod:`.rnn`) packed
variable-length sequences: ``torch.nn.utils``."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from minigrad import dtypes, ops
from minigrad.autograd import in_place, no_grad
from minigrad.nn.utils import rnn
from minigrad.tensor import Tensor

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "rnn",
    "vector_to_parameters",
]


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _vector_norm(array: np.ndarray, order: float) -> np.ndarray:
    """The ``order``-norm of ``array`` seen as one vector, as a float64 0-d array.

    The orders of ``torch.linalg.vector_norm``: ``inf`` (largest magnitude), ``-inf``
    (smallest), ``0`` (number of non-zeros) and any other real ``p``:
    ``sum(|x| ** p) ** (1 / p)``, computed as ``m * sum((|x| / m) ** p) ** (1 / p)`` with
    ``m`` the largest magnitude, in float64: no power overflows, so a float32 gradient of
    1e30 has its true norm (PyTorch's float32 sum of squares overflows to inf).
    """
    magnitudes = np.abs(array.reshape(-1)).astype(np.float64)
    if magnitudes.size == 0:
        return np.zeros((), np.float64)
    if order == math.inf:
        return np.asarray(np.max(magnitudes))
    if order == -math.inf:
        return np.asarray(np.min(magnitudes))
    if order == 0:
        return np.asarray(float(np.count_nonzero(magnitudes)))
    largest = np.max(magnitudes)
    if not np.isfinite(largest) or largest == 0:
        return np.asarray(largest if order > 0 else np.sum(magnitudes**order) ** (1 / order))
    scaled = magnitudes / largest
    if order == 2:
        return np.asarray(largest * np.sqrt(np.dot(scaled, scaled)))
    if order == 1:
        return np.asarray(np.sum(magnitudes))
    with np.errstate(divide="ignore"):  # a zero to a negative power is inf, as PyTorch
        return np.asarray(largest * np.sum(scaled**order) ** (1.0 / order))


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients in place so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of all gradients concatenated into one
    vector (computed as the norm of the per-parameter norms, as PyTorch does);
    ``norm_type`` may be ``inf`` for the largest magnitude. Every gradient is then
    multiplied by ``min(1, max_norm / (total_norm + 1e-6))``. Parameters without a
    gradient are skipped; a single Tensor may be passed instead of an iterable.

    The norms are computed in float64, scaled by the largest magnitude, so they do not
    overflow: a float32 gradient whose sum of squares exceeds float32's range is still
    clipped to ``max_norm`` (PyTorch's norm overflows to inf there and zeroes the
    gradients). The returned norm has the gradients' dtype, so it is inf when the true
    norm is beyond that dtype's range.

    A non-finite total norm (a NaN or infinite gradient) raises a RuntimeError when
    ``error_if_nonfinite`` is true, before anything changes; otherwise the gradients are
    scaled by the resulting NaN or zero coefficient, as in PyTorch. ``foreach`` is
    accepted for compatibility and ignored.

    Returns:
        The total norm of the gradients before clipping, a 0-d Tensor (0.0 when no
        parameter has a gradient).

    >>> loss.backward()
    >>> clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> optimizer.step()
    """
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    gradients = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not gradients:
        return Tensor._make(np.zeros((), dtypes.get_default_dtype()))
    norms = np.stack([_vector_norm(g._array, norm_type) for g in gradients])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {float(total)}, so "
            f"they cannot be clipped (no gradient was changed); pass "
            f"error_if_nonfinite=False to scale them by the non-finite norm anyway"
        )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        coefficient = np.minimum(max_norm / (total + 1e-6), 1.0)
        with no_grad():
            for gradient in gradients:
                with in_place(gradient):
                    gradient._array *= coefficient.astype(gradient._array.dtype)
        dtype = np.result_type(*(g._array.dtype for g in gradients))
        return Tensor._make(np.asarray(total, dtype))


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element in place into ``[-clip_value, clip_value]``.

    Parameters without a gradient are skipped; a single Tensor may be passed. NaNs stay
    NaN. ``foreach`` is accepted for compatibility and ignored.
    """
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    with no_grad():
        for parameter in _as_list(parameters):
            gradient = parameter.grad
            if gradient is not None:
                with in_place(gradient):
                    np.clip(gradient._array, -clip_value, clip_value, out=gradient._array)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor (a new tensor,
    differentiable with respect to the parameters).
    """
    flat = [p.reshape(-1) for p in _as_list(parameters)]
    if not flat:
        raise ValueError("parameters_to_vector: got no parameters")
    return ops.cat(flat)


def vector_to_parameters(vector: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vector`` into the parameters, in place.

    The inverse of :func:`parameters_to_vector`. The vector's length must equal the total
    number of elements; this is checked before any parameter changes. (PyTorch makes the
    parameters views of ``vector``; here the values are copied and the parameters keep
    their own memory.)
    """
    if not isinstance(vector, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vector).__name__}")
    if vector.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {vector.shape}")
    params = _as_list(parameters)
    total = sum(p._array.size for p in params)
    if vector._array.size != total:
        raise ValueError(
            f"vector_to_parameters: the vector has {vector._array.size} elements but the "
            f"parameters have {total}"
        )
    offset = 0
    with no_grad():
        for parameter in params:
            size = parameter._array.size
            parameter.copy_(vector[offset : offset + size].reshape(parameter._array.shape))
            offset += size
