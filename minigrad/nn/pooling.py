"""Pooling over sequences, as ``torch.nn.functional``'s ``max_pool1d``, ``avg_pool1d``,
``adaptive_avg_pool1d`` and ``adaptive_max_pool1d``.

Written with existing ops, so their gradients are those of indexing and reduction: the
windows of the input are gathered by one index (``x[..., windows]``, shape ``(N, C,
L_out, K)``), then reduced with ``max`` or ``sum``. The adaptive average is one matrix
product with an averaging matrix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.ops import matmul, pad
from minigrad.ops.conv import _single
from minigrad.tensor import Tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "avg_pool1d", "max_pool1d"]




def _pool_input(input: Any, owner: str) -> tuple[Tensor, bool]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ValueError(f"{owner}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise TypeError(f"{owner}: input must be a float tensor, got {input.dtype}")
    return (input.unsqueeze(0) if input.ndim == 2 else input), input.ndim == 2


def _pool_length(length: int, kernel: int, stride: int, padding: int, dilation: int,
                 ceil_mode: bool, owner: str, shape: tuple[int, ...]) -> int:
    """The number of windows, as PyTorch counts them (a ceil-mode window must start
    inside the input or its left padding)."""
    reach = dilation * (kernel - 1) + 1
    room = length + 2 * padding - reach
    if room < 0:
        raise ValueError(f"{owner}: the padded input ({length + 2 * padding} steps, input "
                         f"{shape}) is shorter than the window ({reach} steps)")
    steps = (room + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (steps - 1) * stride >= length + padding:
        steps -= 1
    return steps


def _pool_arguments(kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                    owner: str) -> tuple[int, int, int, int]:
    kernel = _single(kernel_size, "kernel_size", owner, 1)
    stride = kernel if stride is None or stride == () or stride == [] else _single(
        stride, "stride", owner, 1)
    padding = _single(padding, "padding", owner, 0)
    dilation = _single(dilation, "dilation", owner, 1)
    if padding > (dilation * (kernel - 1) + 1) // 2:
        raise ValueError(f"{owner}: padding ({padding}) should be at most half of the "
                         f"window ({dilation * (kernel - 1) + 1} steps)")
    return kernel, stride, padding, dilation


def _windows(x: Tensor, kernel: int, stride: int, padding: int, dilation: int, steps: int,
             value: float) -> tuple[Tensor, np.ndarray]:
    """``x (N, C, L)`` padded with ``value`` and cut into ``(N, C, steps, kernel)``
    windows; also the windows' positions in the unpadded input."""
    length = x.shape[2]
    right = max(0, (steps - 1) * stride + dilation * (kernel - 1) + 1 - (length + padding))
    padded = pad(x, (padding, right), value=value) if padding or right else x
    positions = np.arange(steps)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    return padded[:, :, positions], positions - padding


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The largest value of each window of ``kernel_size`` steps (every ``stride``, by
    default ``kernel_size``), as ``torch.nn.functional.max_pool1d``; padding counts as
    ``-inf``. With ``return_indices``, also each maximum's position in the input (int64).
    The gradient goes to the first maximum of each window."""
    x, unbatched = _pool_input(input, "max_pool1d")
    kernel, stride, padding, dilation = _pool_arguments(
        kernel_size, stride, padding, dilation, "max_pool1d")
    steps = _pool_length(x.shape[2], kernel, stride, padding, dilation, ceil_mode,
                         "max_pool1d", tuple(input.shape))
    windows, positions = _windows(x, kernel, stride, padding, dilation, steps, -math.inf)
    values, chosen = windows.max(dim=-1)
    if unbatched:
        values, chosen = values.squeeze(0), chosen.squeeze(0)
    if not return_indices:
        return values
    rows = np.arange(steps).reshape((1,) * (chosen.ndim - 1) + (steps,))
    indices = Tensor._make(positions[np.broadcast_to(rows, chosen.shape), chosen._array])
    return values, indices


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window, as ``torch.nn.functional.avg_pool1d``: padding counts as
    zeros, and in the divisor too unless ``count_include_pad=False``; the part of a
    ceil-mode window beyond the padding never counts."""
    x, unbatched = _pool_input(input, "avg_pool1d")
    kernel, stride, padding, _ = _pool_arguments(kernel_size, stride, padding, 1, "avg_pool1d")
    length = x.shape[2]
    steps = _pool_length(length, kernel, stride, padding, 1, ceil_mode, "avg_pool1d",
                         tuple(input.shape))
    windows, _ = _windows(x, kernel, stride, padding, 1, steps, 0.0)
    start = np.arange(steps) * stride - padding
    end = np.minimum(start + kernel, length + padding)
    if count_include_pad:
        count = end - start
    else:
        count = np.minimum(end, length) - np.maximum(start, 0)
    out = windows.sum(dim=-1) / Tensor._make(count.astype(x.dtype))
    return out.squeeze(0) if unbatched else out


def _adaptive_bounds(length: int, size: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    steps = _single(size, "output_size", owner, 1)
    j = np.arange(steps)
    return (j * length) // steps, -((-(j + 1) * length) // steps)  # floor, ceil


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over ``output_size`` windows that cover the input, as PyTorch: window
    ``j`` runs from ``floor(j * L / out)`` to ``ceil((j + 1) * L / out)``."""
    x, unbatched = _pool_input(input, "adaptive_avg_pool1d")
    length = x.shape[2]
    start, end = _adaptive_bounds(length, output_size, "adaptive_avg_pool1d")
    steps = np.arange(length)[:, None]
    inside = (steps >= start) & (steps < end)
    averaging = Tensor._make((inside / (end - start)).astype(x.dtype))  # (L, out)
    out = matmul(x, averaging)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The largest value of each of ``output_size`` covering windows (as
    :func:`adaptive_avg_pool1d` places them); with ``return_indices``, their positions."""
    x, unbatched = _pool_input(input, "adaptive_max_pool1d")
    start, end = _adaptive_bounds(x.shape[2], output_size, "adaptive_max_pool1d")
    widest = int((end - start).max())
    # Short windows repeat their last position: a repeated element changes no maximum.
    positions = np.minimum(start[:, None] + np.arange(widest), end[:, None] - 1)
    values, chosen = x[:, :, positions].max(dim=-1)
    if unbatched:
        values, chosen = values.squeeze(0), chosen.squeeze(0)
    if not return_indices:
        return values
    rows = np.arange(len(start)).reshape((1,) * (chosen.ndim - 1) + (len(start),))
    return values, Tensor._make(positions[np.broadcast_to(rows, chosen.shape), chosen._array])
