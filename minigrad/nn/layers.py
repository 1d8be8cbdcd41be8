"""Layers: ``Linear``, ``MLP``, normalisation, dropout, embedding and activations.

Each layer is a :class:`~minigrad.nn.module.Module` whose ``forward`` calls the matching
function of :mod:`minigrad.nn.functional`. Parameter names, shapes, default
initialisation and ``repr`` follow PyTorch, so a ``state_dict`` moves between the two.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import no_grad
from minigrad.devices import resolve_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.containers import Sequential
from minigrad.nn.module import Module, Parameter, UninitializedParameter
from minigrad.ops import flatten
from minigrad.tensor import Tensor

__all__ = [
    "ELU",
    "GELU",
    "MLP",
    "BatchNorm1d",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardsigmoid",
    "Identity",
    "LayerNorm",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "ReLU",
    "Residual",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


def _float_dtype(dtype: Any) -> np.dtype:
    """The dtype of new parameters: the default float dtype unless one is given."""
    if dtype is None:
        return dtypes.get_default_dtype()
    resolved = dtypes.resolve(dtype)
    if resolved not in dtypes.FLOATING:
        raise TypeError(f"layer parameters must be float32 or float64, got {resolved}")
    return resolved


def _empty_parameter(shape: tuple[int, ...], dtype: Any) -> Parameter:
    return Parameter(np.empty(shape, dtype=_float_dtype(dtype)))


def _check_size(value: Any, name: str, minimum: int = 0) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- basic layers


class Identity(Module):
    """Returns its input unchanged: ``y = x`` (any shape). Accepts and ignores any
    constructor arguments, as PyTorch's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """``input`` itself."""
        return input


class Linear(Module):
    """The affine layer ``y = x W^T + b``.

    Shapes: input ``(*, in_features)``, output ``(*, out_features)``; ``weight`` is
    ``(out_features, in_features)`` and ``bias`` ``(out_features,)``.

    Initialisation as PyTorch: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. uniform in
    ``±1/sqrt(in_features)``, and ``bias`` uniform in the same interval.

    >>> layer = Linear(3, 2)
    >>> layer(minigrad.randn(5, 3)).shape
    (5, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        self.in_features = _check_size(in_features, "Linear: in_features")
        self.out_features = _check_size(out_features, "Linear: out_features")
        self.weight = _empty_parameter((self.out_features, self.in_features), dtype)
        if bias:
            self.bias = _empty_parameter((self.out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights (and bias) with PyTorch's default initialisation."""
        if self.in_features == 0:
            init.zeros_(self.weight)
        else:
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """``input @ weight.T + bias``."""
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class LazyLinear(Linear):
    """A :class:`Linear` whose ``in_features`` is inferred from the first input, as
    PyTorch's: ``weight`` and ``bias`` are :class:`UninitializedParameter` until the first
    call, which sets ``in_features = input.shape[-1]``, gives them their shapes, draws
    them as ``Linear`` does, and turns the module into a plain ``Linear`` (its class
    changes; the parameter objects stay, so an optimizer made before or after that dry
    run updates them). ``state_dict`` is refused before the first call;
    ``load_state_dict`` gives the parameters the saved shapes.

    >>> layer = LazyLinear(2)
    >>> layer(minigrad.randn(5, 3)).shape
    (5, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    """

    cls_to_become: type[Module] | None = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        Module.__init__(self)
        resolve_device(device, "LazyLinear")
        self.in_features = 0
        self.out_features = _check_size(out_features, "LazyLinear: out_features")
        self.weight = UninitializedParameter(dtype=_float_dtype(dtype))
        if bias:
            self.bias = UninitializedParameter(dtype=_float_dtype(dtype))
        else:
            self.register_parameter("bias", None)
        # Registered first, so it runs before any forward pre-hook of the user's.
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for its shape."""
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(isinstance(tensor, UninitializedParameter) for tensor in tensors)

    def reset_parameters(self) -> None:
        """Draw new weights as :class:`Linear` does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        """Infer ``in_features`` from ``input`` (``(*, in_features)``, floating) and give
        ``weight`` and ``bias`` their shapes and initial values."""
        if not isinstance(input, Tensor) or input.ndim == 0:
            what = "a 0-d tensor" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(
                f"LazyLinear: expected an input of shape (*, in_features) to infer "
                f"in_features from, got {what}"
            )
        if input.dtype.kind != "f":
            raise TypeError(f"LazyLinear: input must be a floating tensor, got {input.dtype}")
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = int(input.shape[-1])
                for parameter, shape in (
                    (self.weight, (self.out_features, self.in_features)),
                    (self.bias, (self.out_features,)),
                ):
                    if isinstance(parameter, UninitializedParameter):
                        parameter.materialize(shape)
                self.reset_parameters()
        if self.in_features == 0:  # the shapes came from load_state_dict
            if input.shape[-1] != self.weight.shape[-1]:
                raise ValueError(
                    f"LazyLinear: input of shape {input.shape} has {input.shape[-1]} features, "
                    f"but the loaded weight of shape {self.weight.shape} takes "
                    f"{self.weight.shape[-1]}"
                )
            self.in_features = int(input.shape[-1])

    def forward(self, input: Tensor) -> Tensor:
        """``input @ weight.T + bias``, inferring the shapes first if needed (only when
        ``forward`` is called directly: a call of the module does it in its pre-hook)."""
        if self.has_uninitialized_params() or self.in_features == 0:
            _infer_parameters(self, (input,))
        return F.linear(input, self.weight, self.bias)


def _infer_parameters(module: Any, args: tuple[Any, ...]) -> None:
    """The forward pre-hook of a lazy module: infer the shapes from the call's arguments,
    then become ``cls_to_become`` (as PyTorch's LazyModuleMixin)."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim`` into one: an input of shape
    ``(N, C, L)`` becomes ``(N, C * L)`` with the defaults (``start_dim=1``,
    ``end_dim=-1``)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """The flattened view of ``input``."""
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by ``1 / (1 - p)``; in evaluation (``model.eval()``), the identity.
    Any shape; the output has the input's shape."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability p must be in [0, 1], got {p}")
        self.p = float(p)

    def forward(self, input: Tensor) -> Tensor:
        """``input`` with random elements zeroed (training) or unchanged (evaluation)."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Embedding(Module):
    """A lookup table: ``y[..., :] = weight[x[...], :]``.

    Shapes: input integer ``(*)`` with values in ``[0, num_embeddings)``; output
    ``(*, embedding_dim)``; ``weight`` ``(num_embeddings, embedding_dim)``, drawn from
    ``N(0, 1)``. The row ``padding_idx``, if given, starts at zero and never receives a
    gradient (as PyTorch). With ``max_norm``, each looked-up row longer than
    ``max_norm`` (in the ``norm_type``-norm) is rescaled to that length in place before
    the lookup; ``scale_grad_by_freq`` divides a row's gradient by how often the batch
    names it (see :func:`minigrad.nn.functional.embedding`). ``sparse=True`` is refused
    (minigrad has no sparse gradients). :meth:`from_pretrained` wraps given weights.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        resolve_device(device, "Embedding")
        self.num_embeddings = _check_size(num_embeddings, "Embedding: num_embeddings")
        self.embedding_dim = _check_size(embedding_dim, "Embedding: embedding_dim")
        if padding_idx is not None:
            padding_idx = F._normalize_padding_idx(padding_idx, self.num_embeddings)
        if sparse:
            raise ValueError(
                "Embedding: sparse=True asks for sparse gradients, and minigrad has no sparse "
                "tensors; use sparse=False (a dense gradient with the same values)"
            )
        expected = (self.num_embeddings, self.embedding_dim)
        if _weight is not None and tuple(_weight.shape) != expected:
            raise ValueError(
                f"Embedding: _weight of shape {tuple(_weight.shape)} does not match "
                f"(num_embeddings, embedding_dim) = {expected}"
            )
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = _empty_parameter(expected, dtype)
            self.reset_parameters()
        else:  # shares the given tensor's memory, as PyTorch
            self.weight = Parameter(_weight, requires_grad=False)
        if _freeze or _weight is not None:
            self.weight.requires_grad_(not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose ``weight`` is the 2-D floating tensor ``embeddings``
        (shared, not copied, as PyTorch), frozen (``requires_grad=False``) unless
        ``freeze=False``. The ``padding_idx`` row is kept as given, not zeroed.

        >>> table = Embedding.from_pretrained(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> table(minigrad.tensor([1])).tolist()
        [[3.0, 4.0]]
        """
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            shape = embeddings.shape if isinstance(embeddings, Tensor) else None
            raise ValueError(
                "Embedding.from_pretrained: embeddings must be a 2-D tensor "
                f"(num_embeddings, embedding_dim), got "
                f"{f'shape {shape}' if shape is not None else type(embeddings).__name__}"
            )
        if embeddings.dtype.kind != "f":
            raise TypeError(
                "Embedding.from_pretrained: embeddings must be a floating tensor, got "
                f"dtype {embeddings.dtype}"
            )
        rows, columns = embeddings.shape
        return cls(
            rows,
            columns,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def reset_parameters(self) -> None:
        """Draw new embeddings from ``N(0, 1)``, with the padding row zeroed."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight._array[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        """The rows of ``weight`` that ``input`` names (renormalised first with
        ``max_norm``)."""
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return text


# --------------------------------------------------------------------------- normalisation


class LayerNorm(Module):
    """Layer normalisation (Ba et al., 2016) over the trailing ``normalized_shape``:

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``

    per sample, with the biased variance. Shapes: input ``(*, *normalized_shape)``,
    output the same; ``weight`` (ones) and ``bias`` (zeros) are ``normalized_shape``
    when ``elementwise_affine`` (``bias=False`` drops the bias).
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        self.normalized_shape = F._shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = _empty_parameter(self.normalized_shape, dtype)
            if bias:
                self.bias = _empty_parameter(self.normalized_shape, dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set ``weight`` to ones and ``bias`` to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """The normalised input."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class BatchNorm1d(Module):
    """Batch normalisation (Ioffe & Szegedy, 2015) of each of ``C`` channels:

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``

    Shapes: input ``(N, C)`` or ``(N, C, L)``, output the same; ``weight`` (ones),
    ``bias`` (zeros), ``running_mean`` (zeros) and ``running_var`` (ones) are ``(C,)``.

    In training, ``mean`` and ``var`` are the batch's statistics over ``N`` (and ``L``),
    with the biased variance, and the running statistics are updated:
    ``running = (1 - momentum) * running + momentum * batch_stat`` with the *unbiased*
    batch variance (``momentum=None``: a cumulative average over the batches seen, counted
    by ``num_batches_tracked``). In evaluation, the running statistics are used.
    With ``track_running_stats=False``, batch statistics are used in both modes;
    ``bias=False`` (keyword-only, as PyTorch) keeps ``weight`` but drops ``bias``.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        self.num_features = _check_size(num_features, "BatchNorm1d: num_features", 1)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        resolved = _float_dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=resolved))
            if bias:
                self.bias = Parameter(np.zeros(self.num_features, dtype=resolved))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            size = self.num_features
            self.register_buffer("running_mean", Tensor._make(np.zeros(size, resolved)))
            self.register_buffer("running_var", Tensor._make(np.ones(size, resolved)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean to zeros, running variance to ones, the batch count to zero."""
        if self.track_running_stats:
            for buffer, value in (
                (self.running_mean, 0),
                (self.running_var, 1),
                (self.num_batches_tracked, 0),
            ):
                buffer.fill_(value)

    def forward(self, input: Tensor) -> Tensor:
        """The normalised input (and, in training, updated running statistics)."""
        if not isinstance(input, Tensor) or input.ndim not in (2, 3):
            shape = input.shape if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(
                f"BatchNorm1d: expected input of shape (N, C) or (N, C, L), got {shape}"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: input of shape {input.shape} has {input.shape[1]} channels in "
                f"dimension 1, expected num_features={self.num_features}"
            )
        if input.dtype.kind != "f":
            raise TypeError(f"BatchNorm1d: input must be a floating tensor, got {input.dtype}")
        use_batch_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        update = self.training and self.track_running_stats
        if update:
            if input.numel() // self.num_features <= 1:
                # Checked here too so that num_batches_tracked is not advanced by a batch
                # that F.batch_norm rejects.
                raise ValueError(
                    f"BatchNorm1d: expected more than 1 value per channel when training, got "
                    f"input of shape {input.shape}"
                )
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked._array)
        return F.batch_norm(
            input,
            self.running_mean if update or not use_batch_stats else None,
            self.running_var if update or not use_batch_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


# --------------------------------------------------------------------------- composition


class Residual(Module):
    """A skip connection around ``module``: ``y = x + module(x)``.

    ``module`` must map its input to an output of the same shape.
    """

    def __init__(self, module: Module) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a Module, got {type(module).__name__}")
        self.module = module

    def forward(self, input: Tensor) -> Tensor:
        """``input + module(input)``."""
        output = self.module(input)
        if output.shape != input.shape:
            raise ValueError(
                f"Residual: the wrapped {type(self.module).__name__} maps shape {input.shape} "
                f"to {output.shape}; a residual connection needs the same shape"
            )
        return input + output


# --------------------------------------------------------------------------- activations


class ReLU(Module):
    """``y = max(x, 0)``, elementwise (any shape)."""

    def forward(self, input: Tensor) -> Tensor:
        """The rectified input."""
        return F.relu(input)


class LeakyReLU(Module):
    """``y = x`` where ``x > 0``, else ``negative_slope * x``, elementwise (any shape)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        """The leaky-rectified input."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``y = x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``, elementwise (any shape)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        """The ELU of the input."""
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Module):
    """``y = x * sigmoid(x)`` (swish), elementwise (any shape)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The SiLU of the input."""
        return F.silu(input)


class GELU(Module):
    """``y = x * Phi(x)`` with ``Phi`` the standard normal CDF, or its tanh approximation
    for ``approximate="tanh"`` (see :func:`minigrad.nn.functional.gelu`). Any shape."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """The GELU of the input."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """``y = 1 / (1 + exp(-x))``, elementwise (any shape)."""

    def forward(self, input: Tensor) -> Tensor:
        """The logistic function of the input."""
        return F.sigmoid(input)


class Tanh(Module):
    """``y = tanh(x)``, elementwise (any shape)."""

    def forward(self, input: Tensor) -> Tensor:
        """The hyperbolic tangent of the input."""
        return F.tanh(input)


class Softplus(Module):
    """``y = log(1 + exp(beta * x)) / beta``, and ``y = x`` where ``beta * x >
    threshold`` (for speed; the two agree there to ~exp(-threshold)). Any shape."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        """The softplus of the input."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """``y_i = exp(x_i) / sum_j exp(x_j)`` along ``dim`` (computed stably); any shape."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Probabilities along ``dim``."""
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``y_i = x_i - log(sum_j exp(x_j))`` along ``dim`` (computed stably); any shape."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Log-probabilities along ``dim``."""
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardsigmoid(Module):
    """``y = relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between (any shape)."""

    def forward(self, input: Tensor) -> Tensor:
        """The hard sigmoid of the input."""
        return F.hardsigmoid(input)


#: Activation names accepted by :class:`MLP`.
ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "softplus": Softplus,
    "hardsigmoid": Hardsigmoid,
}


def _make_activation(activation: Any) -> Module:
    """A fresh activation module from a name, a Module class or a Module instance."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: unknown activation {activation!r}; choose one of "
                f"{', '.join(sorted(ACTIVATIONS))}, or pass a Module class or instance"
            )
        return ACTIVATIONS[activation]()
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    if isinstance(activation, Module):
        # Each position gets its own copy, so a stateful activation is not shared.
        return copy.deepcopy(activation)
    raise TypeError(
        f"MLP: activation must be a name, a Module class or a Module instance, got "
        f"{type(activation).__name__}"
    )


class MLP(Module):
    """A multi-layer perceptron: for each hidden size, ``Linear -> activation ->
    Dropout`` (dropout only when ``dropout > 0``), then a final ``Linear``.

    The stack is the ``Sequential`` ``self.layers``, so parameters are named
    ``layers.0.weight``, ``layers.0.bias``, ``layers.2.weight``, ... Shapes: input
    ``(*, in_features)``, output ``(*, out_features)``.

    ``activation`` is a name (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"leaky_relu"``,
    ``"elu"``, ``"softplus"``, ``"hardsigmoid"``), a Module class (instantiated without
    arguments) or a Module instance (copied for every hidden layer).

    >>> model = MLP(2, [16, 16], 1, activation="tanh")
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes: Sequence[int],
        out_features: int,
        activation: Any = "relu",
        dropout: float = 0.0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        if isinstance(hidden_sizes, (int, np.integer)):
            hidden_sizes = [int(hidden_sizes)]
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1], got {dropout}")
        _make_activation(activation)  # fail early on a bad activation
        layers: list[Module] = []
        width = in_features
        for hidden in hidden_sizes:
            layers.append(Linear(width, hidden, dtype=dtype))
            layers.append(_make_activation(activation))
            if dropout > 0.0:
                layers.append(Dropout(dropout))
            width = hidden
        layers.append(Linear(width, out_features, dtype=dtype))
        self.in_features = in_features
        self.hidden_sizes = tuple(int(h) for h in hidden_sizes)
        self.out_features = out_features
        self.layers = Sequential(*layers)

    def forward(self, input: Tensor) -> Tensor:
        """The input fed through every layer."""
        return self.layers(input)
