"""1-D convolution and its transpose, each registered right after its classes (see
:mod:`minigrad.ops._registry`).

A convolution is a matrix product in disguise. Lay the input's windows side by side
("im2col": column ``j`` holds the ``C_in * K`` input values that output step ``j``
sees) and the convolution is ``weight (C_out, C_in * K) @ columns (C_in * K, L_out)``:
one large BLAS product over the whole batch. The windows are a strided view of the
padded input, so gathering them is one copy.

Three Function classes share that layout, and each one's backward is written with the
other two, so every derivative of every order is again one of them (as PyTorch does it):

- ``Conv1d``: ``y = conv(x, w)``, linear in each of ``x`` and ``w``.
- ``Conv1dInputGrad``: ``gx = conv^T(gy, w)``, the adjoint in ``x`` (the gradient of
  ``conv`` with respect to its input, and ``conv_transpose1d`` itself).
- ``Conv1dWeightGrad``: ``gw = wgrad(x, gy)``, the gradient with respect to the weight.

From ``<gy, conv(x, w)> = <conv^T(gy, w), x> = <wgrad(x, gy), w>`` the backward of each
follows: the derivative of ``conv^T(gy, w)`` is ``conv(g, w)`` for ``gy`` and
``wgrad(g, gy)`` for ``w``; that of ``wgrad(x, gy)`` is ``conv^T(gy, g)`` for ``x`` and
``conv(x, g)`` for ``gy``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad.autograd import Function
from minigrad.ops._registry import check, op
from minigrad.tensor import Tensor

# (stride, (left padding, right padding), dilation, groups). A negative right padding
# drops input steps on the right: conv_transpose1d's adjoint needs it when output_padding
# reaches a whole stride (only possible with a dilation above the stride).
Geometry = tuple[int, tuple[int, int], int, int]


# --------------------------------------------------------------------------- the arrays


def _output_length(length: int, kernel: int, geometry: Geometry) -> int:
    stride, (left, right), dilation, _ = geometry
    return (length + left + right - dilation * (kernel - 1) - 1) // stride + 1


def _columns(x: np.ndarray, kernel: int, geometry: Geometry) -> np.ndarray:
    """The windows of ``x (N, C, L)`` as ``(groups, C / groups * K, N * L_out)``: column
    ``n * L_out + j`` holds what output step ``j`` of example ``n`` sees."""
    stride, (left, right), dilation, groups = geometry
    n, channels, length = x.shape
    steps = _output_length(length, kernel, geometry)
    if right < 0:
        x, length, right = x[:, :, : length + right], length + right, 0
    if left or right:
        padded = np.zeros((n, channels, length + left + right), x.dtype)
        padded[:, :, left : left + length] = x
        x = padded
    s_n, s_c, s_l = x.strides
    windows = as_strided(
        x, (n, channels, kernel, steps), (s_n, s_c, dilation * s_l, stride * s_l),
        writeable=False,
    )  # (N, C, K, L_out), a view
    per_group = channels // groups
    grouped = windows.reshape(n, groups, per_group, kernel, steps)
    return np.ascontiguousarray(grouped.transpose(1, 2, 3, 0, 4)).reshape(
        groups, per_group * kernel, n * steps
    )


def _grouped_output(gy: np.ndarray, groups: int) -> np.ndarray:
    """``gy (N, C_out, L_out)`` as ``(groups, C_out / groups, N * L_out)``."""
    n, channels, steps = gy.shape
    grouped = gy.reshape(n, groups, channels // groups, steps).transpose(1, 2, 0, 3)
    return np.ascontiguousarray(grouped).reshape(groups, channels // groups, n * steps)


def conv1d_array(
    x: np.ndarray, w: np.ndarray, geometry: Geometry, b: np.ndarray | None = None
) -> np.ndarray:
    """``conv(x, w) + b`` on arrays: ``x (N, C_in, L)``, ``w (C_out, C_in / groups, K)``,
    ``b (C_out,)`` or None."""
    groups = geometry[3]
    n, (out_channels, per_group, kernel) = x.shape[0], w.shape
    steps = _output_length(x.shape[2], kernel, geometry)
    columns = _columns(x, kernel, geometry)
    product = np.matmul(w.reshape(groups, out_channels // groups, per_group * kernel), columns)
    result = product.reshape(out_channels, n, steps)
    if b is not None:  # added while the product is still in cache, before the transpose
        result += b.reshape(out_channels, 1, 1)
    result = result.transpose(1, 0, 2)
    return np.ascontiguousarray(result)


def conv1d_input_grad_array(
    gy: np.ndarray, w: np.ndarray, length: int, geometry: Geometry
) -> np.ndarray:
    """``conv^T(gy, w)``: the input-shaped ``(N, C_in, length)`` adjoint of conv1d."""
    stride, (left, right), dilation, groups = geometry
    n, steps = gy.shape[0], gy.shape[2]
    out_channels, per_group, kernel = w.shape
    wg = w.reshape(groups, out_channels // groups, per_group * kernel)
    columns = np.matmul(wg.transpose(0, 2, 1), _grouped_output(gy, groups))
    columns = columns.reshape(groups * per_group, kernel, n, steps)
    padded = np.zeros((n, groups * per_group, length + left + max(right, 0)), gy.dtype)
    span = stride * (steps - 1) + 1
    for k in range(kernel):  # col2im: each tap adds its columns back where they came from
        start = k * dilation
        padded[:, :, start : start + span : stride] += columns[:, k].transpose(1, 0, 2)
    return np.ascontiguousarray(padded[:, :, left : left + length])


def conv1d_weight_grad_array(
    x: np.ndarray, gy: np.ndarray, kernel: int, geometry: Geometry
) -> np.ndarray:
    """``wgrad(x, gy)``: the weight-shaped ``(C_out, C_in / groups, K)`` gradient."""
    groups = geometry[3]
    out_channels, per_group = gy.shape[1], x.shape[1] // groups
    columns = _columns(x, kernel, geometry)
    product = np.matmul(_grouped_output(gy, groups), columns.transpose(0, 2, 1))
    return product.reshape(out_channels, per_group, kernel)


# --------------------------------------------------------------------------- the Functions


class Conv1d(Function):
    """``conv(x, w) + b``: each output channel's weights slid along the input (cross-
    correlation, as in every deep-learning library), plus its bias (None inside the
    other two's backwards). Backward: ``conv^T(grad, w)`` for ``x``, ``wgrad(x, grad)``
    for ``w``, the sum of ``grad`` over batch and steps for ``b``."""

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, w: Tensor, b: Tensor | None, geometry: Geometry
    ) -> np.ndarray:
        ctx.save_for_backward(x, w)
        ctx.geometry = geometry
        return conv1d_array(x._array, w._array, geometry, None if b is None else b._array)

    @staticmethod
    def backward(
        ctx: Any, grad: Tensor
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None, None]:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x = Conv1dInputGrad.apply(grad, w, x.shape[2], ctx.geometry) if need_x else None
        grad_w = Conv1dWeightGrad.apply(x, grad, w.shape[2], ctx.geometry) if need_w else None
        grad_b = grad.sum(dim=(0, 2)) if need_b else None
        return grad_x, grad_w, grad_b, None


class Conv1dInputGrad(Function):
    """``conv^T(gy, w)``, the adjoint of ``conv`` in its input: conv1d's input gradient,
    and ``conv_transpose1d``. Backward: ``conv(grad, w)`` for ``gy``, ``wgrad(grad, gy)``
    for ``w``."""

    @staticmethod
    def forward(ctx: Any, gy: Tensor, w: Tensor, length: int, geometry: Geometry) -> np.ndarray:
        ctx.save_for_backward(gy, w)
        ctx.geometry = geometry
        return conv1d_input_grad_array(gy._array, w._array, length, geometry)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        gy, w = ctx.saved_tensors
        need_gy, need_w = ctx.needs_input_grad[:2]
        grad_gy = Conv1d.apply(grad, w, None, ctx.geometry) if need_gy else None
        grad_w = Conv1dWeightGrad.apply(grad, gy, w.shape[2], ctx.geometry) if need_w else None
        return grad_gy, grad_w, None, None


class Conv1dWeightGrad(Function):
    """``wgrad(x, gy)``, the gradient of ``conv(x, w)`` in ``w``. Backward:
    ``conv^T(gy, grad)`` for ``x``, ``conv(x, grad)`` for ``gy``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, gy: Tensor, kernel: int, geometry: Geometry) -> np.ndarray:
        ctx.save_for_backward(x, gy)
        ctx.geometry = geometry
        return conv1d_weight_grad_array(x._array, gy._array, kernel, geometry)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        x, gy = ctx.saved_tensors
        need_x, need_gy = ctx.needs_input_grad[:2]
        grad_x = Conv1dInputGrad.apply(gy, grad, x.shape[2], ctx.geometry) if need_x else None
        grad_gy = Conv1d.apply(x, grad, None, ctx.geometry) if need_gy else None
        return grad_x, grad_gy, None, None


# --------------------------------------------------------------------------- checks


def _single(value: Any, name: str, owner: str, minimum: int) -> int:
    """An int or a one-element tuple/list of one (PyTorch's ``_single``)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{owner}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _batched(input: Any, weight: Any, owner: str) -> tuple[Tensor, bool]:
    """The input as ``(N, C, L)`` (an unbatched ``(C, L)`` gains N = 1), checked."""
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{owner}: {name} must be a Tensor, got {type(value).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"{owner}: weight must be 3-D, got shape {tuple(weight.shape)}")
    if input.ndim not in (2, 3):
        raise ValueError(
            f"{owner}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
            f"{tuple(input.shape)}"
        )
    if input.dtype != weight.dtype or input.dtype.kind != "f":
        raise TypeError(
            f"{owner}: input and weight must have the same float dtype, got {input.dtype} "
            f"and {weight.dtype}"
        )
    unbatched = input.ndim == 2
    return (input.unsqueeze(0) if unbatched else input), unbatched


def _checked_bias(bias: Any, channels: int, dtype: np.dtype, owner: str) -> Tensor | None:
    if bias is None:
        return None
    if not isinstance(bias, Tensor) or bias.shape != (channels,):
        shape = tuple(bias.shape) if isinstance(bias, Tensor) else type(bias).__name__
        raise ValueError(f"{owner}: bias must have shape ({channels},), got {shape}")
    if bias.dtype != dtype:
        raise TypeError(f"{owner}: bias must have the input's dtype {dtype}, got {bias.dtype}")
    return bias


def _with_bias(out: Tensor, bias: Any, channels: int, owner: str) -> Tensor:
    checked = _checked_bias(bias, channels, out.dtype, owner)
    return out if checked is None else out + checked.reshape(1, channels, 1)


# --------------------------------------------------------------------------- the ops


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """A 1-D convolution over ``input (N, C_in, L)`` (or ``(C_in, L)``) with ``weight
    (C_out, C_in / groups, K)`` and an optional ``bias (C_out,)``, as ``torch.conv1d``.

    ``padding`` is a number of zeros on each side, ``"valid"`` (none) or ``"same"`` (the
    output as long as the input; stride 1 only, the odd zero on the right as PyTorch).
    The output has length ``(L + 2 * padding - dilation * (K - 1) - 1) // stride + 1``.
    """
    x, unbatched = _batched(input, weight, "conv1d")
    stride = _single(stride, "stride", "conv1d", 1)
    dilation = _single(dilation, "dilation", "conv1d", 1)
    groups = _single(groups, "groups", "conv1d", 1)
    out_channels, per_group, kernel = weight.shape
    reach = dilation * (kernel - 1)
    if isinstance(padding, str):
        if padding == "valid":
            left = right = 0
        elif padding == "same":
            if stride != 1:
                raise ValueError("conv1d: padding='same' is not supported for strided "
                                 f"convolutions (stride {stride}); pad by hand instead")
            left, right = reach // 2, reach - reach // 2
        else:
            raise ValueError(f"conv1d: padding must be a number, 'same' or 'valid', got "
                             f"{padding!r}")
    else:
        left = right = _single(padding, "padding", "conv1d", 0)
    if out_channels % groups:
        raise ValueError(f"conv1d: out_channels ({out_channels}, weight {tuple(weight.shape)}) "
                         f"must be divisible by groups ({groups})")
    if x.shape[1] != per_group * groups:
        raise ValueError(
            f"conv1d: given groups={groups} and weight of shape {tuple(weight.shape)}, the "
            f"input {tuple(input.shape)} should have {per_group * groups} channels, but has "
            f"{x.shape[1]}"
        )
    if x.shape[2] + left + right < reach + 1:
        raise ValueError(
            f"conv1d: the padded input is {x.shape[2] + left + right} steps long (input "
            f"{tuple(input.shape)}, padding {padding!r}) but the kernel spans {reach + 1} "
            f"(size {kernel}, dilation {dilation}): the kernel can't be larger than the input"
        )
    bias = _checked_bias(bias, out_channels, x.dtype, "conv1d")
    out = Conv1d.apply(x, weight, bias, (stride, (left, right), dilation, groups))
    return out.squeeze(0) if unbatched else out


def _reference_conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray, **kw: Any) -> np.ndarray:
    """conv1d written as loops over taps, on arrays (the op table's oracle)."""
    stride, padding, dilation, groups = kw["stride"], kw["padding"], kw["dilation"], kw["groups"]
    n, channels, length = x.shape
    out_channels, per_group, kernel = w.shape
    reach = dilation * (kernel - 1)
    left = right = padding
    if padding == "same":
        left, right = reach // 2, reach - reach // 2
    elif padding == "valid":
        left = right = 0
    x = np.pad(x, ((0, 0), (0, 0), (left, right)))
    steps = (x.shape[2] - reach - 1) // stride + 1
    out = np.zeros((n, out_channels, steps))
    per_out = out_channels // groups
    for o in range(out_channels):
        g = o // per_out
        for j in range(steps):
            for k in range(kernel):
                taps = x[:, g * per_group : (g + 1) * per_group, j * stride + k * dilation]
                out[:, o, j] += taps @ w[o, :, k]
    return out + b.reshape(1, -1, 1)


def _conv_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    """Input, weight and bias shapes of a grouped convolution; the group count is the
    bias length over the weight's first dimension per group (see _conv_kwargs)."""
    groups, per_in, per_out = (int(v) for v in rng.integers(1, 3, size=3))
    kernel, n = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    length = int(rng.integers(kernel, kernel + 4))
    return (n, groups * per_in, length), (groups * per_out, per_in, kernel), (groups * per_out,)


def _conv_kwargs(rng: np.random.Generator, shapes: tuple[tuple[int, ...], ...]) -> dict:
    (_, channels, length), (_, per_in, kernel), _ = shapes
    stride = int(rng.integers(1, 3))
    choices: list[Any] = [0, 1, "valid"] + (["same"] if stride == 1 else [])
    padding = choices[int(rng.integers(len(choices)))]
    padded = length + (2 if padding == 1 else 0)
    dilation = 2 if kernel > 1 and 2 * (kernel - 1) + 1 <= padded and rng.random() < 0.5 else 1
    return dict(stride=stride, padding=padding, dilation=dilation, groups=channels // per_in)


op(conv1d, Conv1d, Conv1dInputGrad, Conv1dWeightGrad, tests=[
    check(_reference_conv1d, arity=3, shapes=_conv_shapes, kwargs=_conv_kwargs),
])


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transposed 1-D convolution (the adjoint of ``conv1d`` in its input, sometimes
    called a deconvolution) of ``input (N, C_in, L)`` with ``weight (C_in, C_out / groups,
    K)``, as ``torch.conv_transpose1d``. The output has length ``(L - 1) * stride - 2 *
    padding + dilation * (K - 1) + output_padding + 1``; ``output_padding`` (below
    ``stride`` or ``dilation``) picks among the lengths a strided conv1d maps to ``L``."""
    x, unbatched = _batched(input, weight, "conv_transpose1d")
    stride = _single(stride, "stride", "conv_transpose1d", 1)
    dilation = _single(dilation, "dilation", "conv_transpose1d", 1)
    groups = _single(groups, "groups", "conv_transpose1d", 1)
    padding = _single(padding, "padding", "conv_transpose1d", 0)
    output_padding = _single(output_padding, "output_padding", "conv_transpose1d", 0)
    in_channels, per_group, kernel = weight.shape
    if output_padding >= max(stride, dilation):
        raise ValueError(f"conv_transpose1d: output_padding ({output_padding}) must be "
                         f"smaller than stride ({stride}) or dilation ({dilation})")
    if in_channels % groups or x.shape[1] != in_channels:
        raise ValueError(
            f"conv_transpose1d: given groups={groups} and weight of shape "
            f"{tuple(weight.shape)}, the input {tuple(input.shape)} should have "
            f"{in_channels} channels (divisible by groups), but has {x.shape[1]}"
        )
    length = (x.shape[2] - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if length < 1:
        raise ValueError(f"conv_transpose1d: the output would have length {length} (input "
                         f"{tuple(input.shape)}, kernel {kernel}, padding {padding})")
    # The conv1d this is the adjoint of maps the output back to the input's length.
    right = padding - stride * (output_padding // stride)
    out = Conv1dInputGrad.apply(x, weight, length, (stride, (padding, right), dilation, groups))
    out = _with_bias(out, bias, per_group * groups, "conv_transpose1d")
    return out.squeeze(0) if unbatched else out


def _reference_conv_transpose1d(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                                **kw: Any) -> np.ndarray:
    """Every input step scatters its weighted kernel into the output, on arrays."""
    stride, padding, out_pad, dilation, groups = (
        kw["stride"], kw["padding"], kw["output_padding"], kw["dilation"], kw["groups"])
    n, in_channels, length = x.shape
    _, per_out, kernel = w.shape
    full = (length - 1) * stride + dilation * (kernel - 1) + 1 + out_pad
    out = np.zeros((n, per_out * groups, full))
    per_in = in_channels // groups
    for c in range(in_channels):
        g = c // per_in
        for i in range(length):
            for k in range(kernel):
                out[:, g * per_out : (g + 1) * per_out, i * stride + k * dilation] += (
                    x[:, c, i : i + 1] * w[c, :, k]
                )
    return out[:, :, padding : full - padding] + b.reshape(1, -1, 1)


def _transpose_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    groups, per_in, per_out = (int(v) for v in rng.integers(1, 3, size=3))
    kernel, n, length = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 4))
    return (n, groups * per_in, length), (groups * per_in, per_out, kernel), (groups * per_out,)


def _transpose_kwargs(rng: np.random.Generator, shapes: tuple[tuple[int, ...], ...]) -> dict:
    (_, _, length), (_, per_out, kernel), (out_channels,) = shapes
    stride, dilation = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    output_padding = int(rng.integers(0, max(stride, dilation)))
    full = (length - 1) * stride + dilation * (kernel - 1) + 1 + output_padding
    padding = int(rng.integers(0, (full - 1) // 2 + 1))
    return dict(stride=stride, padding=padding, output_padding=output_padding,
                dilation=dilation, groups=out_channels // per_out)


op(conv_transpose1d, Conv1dInputGrad, tests=[
    check(_reference_conv_transpose1d, arity=3, shapes=_transpose_shapes,
          kwargs=_transpose_kwargs),
])
