"""1-D convolution and pooling layers over sequences, with PyTorch's classes, arguments
and weight layouts (``Conv1d.weight`` is ``(out_channels, in_channels / groups,
kernel_size)``, ``ConvTranspose1d.weight`` ``(in_channels, out_channels / groups,
kernel_size)``), so state dicts move both ways.

The convolutions are the ops ``minigrad.conv1d`` and ``minigrad.conv_transpose1d``
(``minigrad/ops/conv.py``: im2col and one matrix product); the pools are the functions
of ``minigrad/nn/pooling.py``.
"""

from __future__ import annotations

import math
from typing import Any

from minigrad.devices import resolve_device
from minigrad.nn import init
from minigrad.nn.layers import _empty_parameter
from minigrad.nn.module import Module
from minigrad.nn.pooling import (
    _pool_arguments,
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    max_pool1d,
)
from minigrad.ops import conv1d, conv_transpose1d
from minigrad.ops.conv import _single
from minigrad.tensor import Tensor

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "AvgPool1d",
    "Conv1d",
    "ConvTranspose1d",
    "MaxPool1d",
]




class _ConvNd(Module):
    """What Conv1d and ConvTranspose1d share: the parameters and their initialisation."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, groups: int, bias: bool, padding_mode: str,
                 weight_shape: tuple[int, ...], device: Any, dtype: Any, owner: str) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{owner}: groups must be a positive int, got {groups!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{owner}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must both be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise ValueError(f"{owner}: padding_mode must be 'zeros', got {padding_mode!r} "
                             "(pad the input with minigrad.nn.functional.pad instead)")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = (_single(kernel_size, "kernel_size", owner, 1),)
        self.stride = (_single(stride, "stride", owner, 1),)
        self.dilation = (_single(dilation, "dilation", owner, 1),)
        self.padding: Any = padding if isinstance(padding, str) else (
            _single(padding, "padding", owner, 0),)
        self.padding_mode = padding_mode
        resolve_device(device, owner)  # the CPU, or a clear error
        self.weight = _empty_parameter(weight_shape, dtype)
        if bias:
            self.bias = _empty_parameter((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: ``kaiming_uniform_(weight, a=sqrt(5))``, uniform in
        ``±1/sqrt(fan_in)``, and the bias uniform in the same interval."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.weight.shape[2]
            bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,):
            text += f", padding={self.padding}" if isinstance(self.padding, str) else (
                f", padding={self.padding}")
        if self.dilation != (1,):
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,)) != (0,):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """A 1-D convolution layer, as ``torch.nn.Conv1d``: input ``(N, C_in, L)`` or
    ``(C_in, L)``, ``weight (C_out, C_in / groups, K)``, ``bias (C_out,)``; ``padding`` a
    number, ``"same"`` or ``"valid"``; only ``padding_mode="zeros"``.

    >>> layer = Conv1d(4, 8, kernel_size=3, padding="same")
    >>> layer(minigrad.randn(2, 4, 50)).shape
    (2, 8, 50)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Conv1d: padding must be a number, 'same' or 'valid', got "
                             f"{padding!r}")
        if padding == "same" and _single(stride, "stride", "Conv1d", 1) != 1:
            raise ValueError("Conv1d: padding='same' is not supported for strided "
                             "convolutions")
        kernel = _single(kernel_size, "kernel_size", "Conv1d", 1)
        per_group = in_channels // groups if isinstance(in_channels, int) and groups else 0
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation,
                         groups, bias, padding_mode, (out_channels, per_group, kernel),
                         device, dtype, "Conv1d")

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return conv1d(input, self.weight, self.bias, self.stride[0], padding,
                      self.dilation[0], self.groups)


class ConvTranspose1d(_ConvNd):
    """The transposed 1-D convolution layer, as ``torch.nn.ConvTranspose1d``: ``weight
    (C_in, C_out / groups, K)``; the output length is ``(L - 1) * stride - 2 * padding +
    dilation * (K - 1) + output_padding + 1``, or that of ``output_size`` passed to
    ``forward`` (which picks the output padding)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose1d: padding must be a number, got {padding!r}")
        kernel = _single(kernel_size, "kernel_size", "ConvTranspose1d", 1)
        extra = (_single(output_padding, "output_padding", "ConvTranspose1d", 0),)
        per_group = out_channels // groups if isinstance(out_channels, int) and groups else 0
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation,
                         groups, bias, padding_mode, (in_channels, per_group, kernel),
                         device, dtype, "ConvTranspose1d")
        self.output_padding = extra

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        output_padding = self.output_padding[0]
        if output_size is not None:
            wanted = int(list(output_size)[-1]) if not isinstance(output_size, int) else (
                output_size)
            smallest = ((input.shape[-1] - 1) * self.stride[0] - 2 * self.padding[0]
                        + self.dilation[0] * (self.kernel_size[0] - 1) + 1)
            output_padding = wanted - smallest
            if not 0 <= output_padding < max(self.stride[0], self.dilation[0]):
                top = smallest + max(self.stride[0], self.dilation[0]) - 1
                raise ValueError(f"ConvTranspose1d: output_size {wanted} is not between "
                                 f"{smallest} and {top} for input {tuple(input.shape)}")
        return conv_transpose1d(input, self.weight, self.bias, self.stride[0],
                                self.padding[0], output_padding, self.groups,
                                self.dilation[0])


class MaxPool1d(Module):
    """:func:`max_pool1d` as a layer, as ``torch.nn.MaxPool1d``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = kernel_size if stride is None else stride
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        _pool_arguments(kernel_size, stride, padding, dilation, "MaxPool1d")

    def forward(self, input: Tensor) -> Any:
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding="
                f"{self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool1d(Module):
    """:func:`avg_pool1d` as a layer, as ``torch.nn.AvgPool1d``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = (_single(kernel_size, "kernel_size", "AvgPool1d", 1),)
        self.stride = self.kernel_size if stride is None else (
            _single(stride, "stride", "AvgPool1d", 1),)
        self.padding = (_single(padding, "padding", "AvgPool1d", 0),)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        _pool_arguments(kernel_size, stride, padding, 1, "AvgPool1d")

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool1d(input, self.kernel_size[0], self.stride[0], self.padding[0],
                          self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """:func:`adaptive_avg_pool1d` as a layer, as ``torch.nn.AdaptiveAvgPool1d``."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size
        _single(output_size, "output_size", "AdaptiveAvgPool1d", 1)

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """:func:`adaptive_max_pool1d` as a layer, as ``torch.nn.AdaptiveMaxPool1d``."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices
        _single(output_size, "output_size", "AdaptiveMaxPool1d", 1)

    def forward(self, input: Tensor) -> Any:
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
