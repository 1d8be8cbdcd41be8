"""Stateless neural-network functions, as ``torch.nn.functional``.

Activations, ``linear``, ``dropout``, ``embedding``, the normalisations and the losses,
each composed from the differentiable ops of :mod:`minigrad.ops`, so their gradients (and
second derivatives) come from rules that are already tested. The one exception is
``binary_cross_entropy``, a small fused :class:`~minigrad.autograd.Function`: composing
``log`` and ``clamp`` would give ``0 * inf = nan`` gradients at probabilities of exactly
0 or 1, where PyTorch's formula stays finite.

Losses take ``reduction``: ``"mean"`` (the default), ``"sum"`` or ``"none"`` (one loss per
element), with PyTorch's meaning, including the weighted mean of ``cross_entropy`` and
``nll_loss`` (divided by the summed weights of the targets that were not ignored).

>>> import minigrad
>>> import minigrad.nn.functional as F
>>> logits = minigrad.randn(4, 3, requires_grad=True)
>>> loss = F.cross_entropy(logits, minigrad.tensor([0, 2, 1, 2]))
>>> loss.backward()
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import ops as _ops
from minigrad.autograd import Function, enable_grad, in_place, no_grad
from minigrad.autograd import grad as _autograd_grad
from minigrad.creation import generator
from minigrad.kernels.unary import erf as _erf_kernel
from minigrad.kernels.unary import erf_reference
from minigrad.nn.pooling import (
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    max_pool1d,
)
from minigrad.ops import (
    OpInfo,
    clamp,
    conv1d,
    conv_transpose1d,
    elu,
    leaky_relu,
    log,
    log_softmax,
    relu,
    rsqrt,
    sigmoid,
    softmax,
    softplus,
    tanh,
    where,
)
from minigrad.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "avg_pool1d",
    "conv1d",
    "conv_transpose1d",
    "max_pool1d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "gumbel_softmax",
    "hardsigmoid",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
    # attention (issue 15)
    "multi_head_attention_forward",
    "scaled_dot_product_attention",
]

REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- helpers


def _check_tensor(value: Any, name: str, what: str) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(value).__name__}")


def _check_float(value: Tensor, name: str, what: str) -> None:
    _check_tensor(value, name, what)
    if value.dtype.kind != "f":
        raise TypeError(f"{name}: {what} must be a floating tensor, got dtype {value.dtype}")


def _check_reduction(reduction: str, name: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{name}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
            f"got {reduction!r}"
        )


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _same_dtype(value: Tensor, like: Tensor) -> Tensor:
    """``value`` cast (differentiably) to ``like``'s dtype when they differ."""
    return value if value.dtype == like.dtype else value.to(like.dtype)


def _check_broadcastable(value: Tensor, shape: tuple[int, ...], name: str, what: str) -> None:
    try:
        result = np.broadcast_shapes(value.shape, shape)
    except ValueError:
        result = None
    if result != tuple(shape):
        raise ValueError(
            f"{name}: {what} of shape {value.shape} does not broadcast to the input's shape "
            f"{tuple(shape)}"
        )


# --------------------------------------------------------------------------- activations


def hardsigmoid(input: Tensor) -> Tensor:
    """PyTorch's piecewise-linear sigmoid: ``relu6(x + 3) / 6``.

    ``0`` for ``x <= -3``, ``1`` for ``x >= 3`` and ``x / 6 + 1/2`` between; the gradient
    is ``1/6`` strictly inside ``(-3, 3)`` and 0 elsewhere (as PyTorch's). Any shape.
    """
    _check_float(input, "hardsigmoid", "input")
    inside = (input > -3.0) & (input < 3.0)
    saturated = (input >= 3.0).to(input.dtype)
    return where(inside, input * (1.0 / 6.0) + 0.5, saturated)


# --------------------------------------------------------------------------- linear


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The affine map ``y = x W^T + b``, one graph node (see :func:`minigrad.linear`).

    Shapes: ``input`` ``(*, in_features)``, ``weight`` ``(out_features, in_features)``,
    ``bias`` ``(out_features,)``; the result is ``(*, out_features)``.
    """
    return _ops.linear(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the survivors
    by ``1 / (1 - p)``, so the expected value is unchanged and evaluation needs no
    rescaling. Returns ``input`` itself when ``training`` is false or ``p == 0``.

    The mask comes from minigrad's generator (:func:`minigrad.manual_seed`). Any shape.
    """
    _check_float(input, "dropout", "input")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator().random(input.shape) >= p
    scale = input.dtype.type(1.0 / (1.0 - p))
    mask = keep.astype(input.dtype) * scale
    return input * Tensor._make(mask)


# --------------------------------------------------------------------------- embedding


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

    Shapes: ``input`` integer ``(*)``, ``weight`` ``(num_embeddings, embedding_dim)``;
    the result is ``(*, embedding_dim)``. Rows used several times add up their gradients.
    Lookups of ``padding_idx`` send no gradient to that row (its value is returned as is).

    With ``max_norm``, every row that ``input`` names and whose ``norm_type``-norm
    exceeds ``max_norm`` is first rescaled *in place* (not recorded) to norm
    ``max_norm`` (``row *= max_norm / (norm + 1e-7)``), as PyTorch: ``weight`` is
    changed, so a graph that saved it before can no longer run backward.
    ``scale_grad_by_freq`` divides each row's gradient by how often ``input`` names it.
    ``sparse=True`` (sparse gradients) is refused: minigrad has no sparse tensors.
    """
    _check_tensor(input, "embedding", "input")
    _check_float(weight, "embedding", "weight")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must be an integer tensor, got dtype {input.dtype}")
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}"
        )
    if sparse:
        raise ValueError(
            "embedding: sparse=True asks for a sparse gradient, and minigrad has no sparse "
            "tensors; use sparse=False (a dense gradient with the same values)"
        )
    count = weight.shape[0]
    indices = input._array
    if indices.size and (indices.min() < 0 or indices.max() >= count):
        bad = indices[(indices < 0) | (indices >= count)]
        raise IndexError(
            f"embedding: index {int(bad[0])} is out of range for {count} embeddings "
            f"(valid indices are 0 to {count - 1})"
        )
    if padding_idx is not None:
        padding_idx = _normalize_padding_idx(padding_idx, count)
    if max_norm is not None:
        _renormalize_rows(weight, indices, float(max_norm), float(norm_type))
    if scale_grad_by_freq and weight.requires_grad:
        frequency = np.bincount(indices.reshape(-1), minlength=count)
        scale = (1.0 / frequency[indices]).astype(weight.dtype)
        looked_up = _FrequencyScaledLookup.apply(
            weight, indices.copy(), scale, weight.shape, True
        )
    else:  # the index tensor is saved, so changing it in place is caught
        looked_up = weight[input]
    if padding_idx is None:
        return looked_up
    # The detached copy has the same values and sends nothing back.
    is_padding = Tensor._make((indices == padding_idx)[..., None])
    return where(is_padding, looked_up.detach(), looked_up)


def _renormalize_rows(weight: Tensor, indices: np.ndarray, max_norm: float, p: float) -> None:
    """Rescale in place the rows of ``weight`` named in ``indices`` whose ``p``-norm
    exceeds ``max_norm`` (PyTorch's ``embedding_renorm_``: the change counts as an
    in-place write of ``weight`` even when no row is too long)."""
    rows = np.unique(indices)
    with no_grad(), in_place(weight):
        if rows.size == 0:
            return
        norms = np.linalg.norm(weight._array[rows], ord=p, axis=1)
        too_long = norms > max_norm
        if too_long.any():
            scale = max_norm / (norms[too_long] + 1e-7)
            weight._array[rows[too_long]] *= scale[:, None].astype(weight._array.dtype)


class _FrequencyScaledLookup(Function):
    """The lookup of ``embedding(..., scale_grad_by_freq=True)`` (``gather=True``: the
    rows ``indices`` of the table) and its backward (``gather=False``: the gradient
    rows, each times ``scale``, added into a zero table). Each mode's backward is the
    other mode, as PyTorch's embedding backward and double backward are: the scaled
    gradient is then differentiated exactly along the lookup's output (the record
    ``embedding_scaled_gradient`` checks it); like PyTorch's, the gathering backward
    does not scale again (the gradient is not the forward's derivative, by design).

    ``table_shape`` is the table's shape: ``(rows, dim)``, or any other shape read as
    ``(size, 1)`` (so that the op table can draw any shape).
    """

    _forward_on_arrays = True

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        indices: np.ndarray,
        scale: np.ndarray,
        table_shape: tuple[int, ...],
        gather: bool,
    ) -> np.ndarray:
        ctx.indices, ctx.scale, ctx.table_shape, ctx.gather = indices, scale, table_shape, gather
        rows, dim = table_shape if len(table_shape) == 2 else (math.prod(table_shape), 1)
        if gather:
            return x._array.reshape(rows, dim)[indices]
        table = np.zeros((rows, x.shape[-1]), dtype=x._array.dtype)
        np.add.at(table, indices, x._array * scale[..., None])
        return table.reshape(table_shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        other = _FrequencyScaledLookup.apply(
            grad, ctx.indices, ctx.scale, ctx.table_shape, not ctx.gather
        )
        return other, None, None, None, None


def _normalize_padding_idx(padding_idx: int, count: int) -> int:
    if not -count <= padding_idx < count:
        raise ValueError(
            f"padding_idx must be within [{-count}, {count - 1}] for {count} embeddings, got "
            f"{padding_idx}"
        )
    return padding_idx % count


# --------------------------------------------------------------------------- normalisation


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions:

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``

    with the mean and the *biased* variance of each sample over those dimensions.
    Shapes: ``input`` ``(*, *normalized_shape)``; ``weight`` and ``bias``
    ``normalized_shape``; the result has the input's shape.
    """
    _check_float(input, "layer_norm", "input")
    normalized = _shape_tuple(normalized_shape)
    count = len(normalized)
    if count == 0 or input.shape[input.ndim - count :] != normalized or input.ndim < count:
        raise ValueError(
            f"layer_norm: input of shape {input.shape} does not end in normalized_shape "
            f"{normalized}"
        )
    for value, what in ((weight, "weight"), (bias, "bias")):
        if value is not None:
            _check_float(value, "layer_norm", what)
            if value.shape != normalized:
                raise ValueError(
                    f"layer_norm: {what} must have shape {normalized}, got {value.shape}"
                )
    dims = tuple(range(input.ndim - count, input.ndim))
    centred = input - input.mean(dims, keepdim=True)
    variance = (centred * centred).mean(dims, keepdim=True)
    output = centred * rsqrt(variance + eps)
    if weight is not None:
        output = output * weight
    if bias is not None:
        output = output + bias
    return output


def _shape_tuple(shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dimension 1) over the batch and any further dimensions:

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``

    In training, ``mean`` and ``var`` are the batch's (the *biased* variance), and the
    running statistics, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, using the *unbiased*
    variance for ``running_var`` (as PyTorch). Otherwise the running statistics are used.

    Shapes: ``input`` ``(N, C)`` or ``(N, C, L, ...)``; the statistics, ``weight`` and
    ``bias`` ``(C,)``; the result has the input's shape.
    """
    _check_float(input, "batch_norm", "input")
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: input must have shape (N, C) or (N, C, L, ...), got {input.shape}"
        )
    channels = input.shape[1]
    for value, what in (
        (running_mean, "running_mean"),
        (running_var, "running_var"),
        (weight, "weight"),
        (bias, "bias"),
    ):
        if value is not None:
            _check_float(value, "batch_norm", what)
            if value.shape != (channels,):
                raise ValueError(
                    f"batch_norm: {what} must have shape ({channels},) for input of shape "
                    f"{input.shape}, got {value.shape}"
                )
    dims = (0,) + tuple(range(2, input.ndim))
    per_channel = (1, channels) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // channels if channels else 0
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got "
                f"input of shape {input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        variance = (centred * centred).mean(dims, keepdim=True)
        output = centred * rsqrt(variance + eps)
        with no_grad():
            if running_mean is not None:
                _blend(running_mean, mean._array.reshape(channels), momentum)
            if running_var is not None:
                unbiased = variance._array.reshape(channels) * (count / (count - 1))
                _blend(running_var, unbiased, momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: running_mean and running_var are needed when training=False"
            )
        mean = _same_dtype(running_mean, input).reshape(per_channel)
        variance = _same_dtype(running_var, input).reshape(per_channel)
        output = (input - mean) * rsqrt(variance + eps)
    if weight is not None:
        output = output * weight.reshape(per_channel)
    if bias is not None:
        output = output + bias.reshape(per_channel)
    return output


def _blend(running: Tensor, batch_value: np.ndarray, momentum: float) -> None:
    """``running <- (1 - momentum) * running + momentum * batch_value``, in place."""
    with in_place(running):
        running._array[...] = (1.0 - momentum) * running._array + momentum * batch_value


# --------------------------------------------------------------------------- regression losses


def _check_same_shape(input: Tensor, target: Tensor, name: str) -> None:
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: target of shape {target.shape} differs from input of shape "
            f"{input.shape}; they must be equal (reshape one of them)"
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target)**2``, reduced. ``input`` and ``target`` have the
    same shape (any); the result is a scalar, or that shape for ``reduction="none"``."""
    _check_reduction(reduction, "mse_loss")
    _check_float(input, "mse_loss", "input")
    _check_float(target, "mse_loss", "target")
    _check_same_shape(input, target, "mse_loss")
    difference = input - _same_dtype(target, input)
    return _reduce(difference * difference, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced (the gradient at 0 is 0). Shapes as
    :func:`mse_loss`."""
    _check_reduction(reduction, "l1_loss")
    _check_float(input, "l1_loss", "input")
    _check_float(target, "l1_loss", "target")
    _check_same_shape(input, target, "l1_loss")
    return _reduce(abs(input - _same_dtype(target, input)), reduction)


# --------------------------------------------------------------------------- classification


def _class_dim(input: Tensor) -> int:
    return 0 if input.ndim == 1 else 1


def _check_class_weight(weight: Tensor | None, classes: int, name: str) -> None:
    if weight is not None:
        _check_float(weight, name, "weight")
        if weight.shape != (classes,):
            raise ValueError(
                f"{name}: weight must have one entry per class, shape ({classes},), got "
                f"{weight.shape}"
            )


def _check_class_targets(input: Tensor, target: Tensor, ignore_index: int, name: str) -> np.ndarray:
    """Check class-index targets; returns the mask of those that are not ignored."""
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class-index targets must be an integer tensor, got dtype {target.dtype}"
        )
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got shape {input.shape}")
    expected = () if input.ndim == 1 else (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise ValueError(
            f"{name}: for input of shape {input.shape}, class-index targets must have shape "
            f"{expected}, got {target.shape}"
        )
    classes = input.shape[_class_dim(input)]
    labels = target._array
    valid = labels != ignore_index
    out_of_range = valid & ((labels < 0) | (labels >= classes))
    if out_of_range.any():
        raise ValueError(
            f"{name}: target {int(labels[out_of_range].flat[0])} is out of range for "
            f"{classes} classes (valid are 0 to {classes - 1}, or ignore_index={ignore_index})"
        )
    return valid


def _index_class_loss(
    log_probabilities: Tensor,
    target: Tensor,
    valid: np.ndarray,
    weight: Tensor | None,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    """The negative log-likelihood of class-index targets, weighted, smoothed, reduced.

    For sample ``i`` with target ``t`` (and ``C`` classes, smoothing ``s``):
    ``loss_i = w_t * (1 - s) * (-logp_it) + (s / C) * sum_c w_c * (-logp_ic)``,
    zero for ignored targets; the mean divides the sum by ``sum_i w_{t_i}`` over the
    targets that are not ignored.
    """
    class_dim = _class_dim(log_probabilities)
    classes = log_probabilities.shape[class_dim]
    safe = np.where(valid, target._array, 0)
    # Pick logp[n, t[n, d...], d...]: an open grid over every dimension but the class one.
    grid = list(np.ogrid[tuple(slice(0, s) for s in safe.shape)])
    grid.insert(class_dim, safe)
    picked = log_probabilities[tuple(grid)]
    mask = Tensor._make(valid.astype(log_probabilities.dtype))
    if weight is None:
        target_weight = mask
    else:
        weight = _same_dtype(weight, log_probabilities)
        target_weight = weight[safe] * mask
    loss = -(picked * target_weight)
    if label_smoothing > 0.0:
        weighted = log_probabilities
        if weight is not None:
            shape = [1] * log_probabilities.ndim
            shape[class_dim] = classes
            weighted = log_probabilities * weight.reshape(shape)
        smooth = -weighted.sum(class_dim) * mask
        loss = loss * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)
    if reduction == "mean":
        return loss.sum() / target_weight.sum()
    if reduction == "sum":
        return loss.sum()
    return loss


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood loss ``-w_t * input[n, t]`` for log-probabilities.

    Shapes: ``input`` ``(N, C)`` or ``(N, C, d1, ...)`` (or ``(C,)``), ``target``
    integer ``(N,)`` or ``(N, d1, ...)`` (or ``()``) with values in ``[0, C)`` or equal
    to ``ignore_index``; ``weight`` ``(C,)``. ``"mean"`` divides by the summed weights
    of the targets that are not ignored (NaN when every target is ignored, as PyTorch).
    """
    _check_reduction(reduction, "nll_loss")
    _check_float(input, "nll_loss", "input")
    _check_tensor(target, "nll_loss", "target")
    valid = _check_class_targets(input, target, ignore_index, "nll_loss")
    _check_class_weight(weight, input.shape[_class_dim(input)], "nll_loss")
    return _index_class_loss(input, target, valid, weight, reduction, 0.0)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits and targets, through a stable ``log_softmax``.

    ``input`` holds unnormalised logits ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``.
    ``target`` is either

    * class indices (an integer tensor ``(N,)``, ``(N, d1, ...)`` or ``()``):
      ``loss = -w_t * log_softmax(input)[t]``, with ``ignore_index`` and the weighted
      mean of :func:`nll_loss`; or
    * class probabilities (a floating tensor of the input's shape):
      ``loss = -sum_c w_c * target_c * log_softmax(input)_c``, the mean taken over the
      ``N * d1 * ...`` samples (weights do not enter the divisor, as PyTorch).

    ``label_smoothing`` ``s`` in ``[0, 1]`` mixes the target with the uniform
    distribution: ``(1 - s) * target + s / C``.
    """
    _check_reduction(reduction, "cross_entropy")
    _check_float(input, "cross_entropy", "input")
    _check_tensor(target, "cross_entropy", "target")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dimension, got a scalar")
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    _check_class_weight(weight, classes, "cross_entropy")
    if target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(
                f"cross_entropy: probability targets must have the input's shape "
                f"{input.shape}, got {target.shape} (class-index targets must be integers)"
            )
        log_probabilities = log_softmax(input, class_dim)
        probabilities = _same_dtype(target, input)
        if label_smoothing > 0.0:
            probabilities = probabilities * (1.0 - label_smoothing) + label_smoothing / classes
        terms = log_probabilities * probabilities
        if weight is not None:
            shape = [1] * input.ndim
            shape[class_dim] = classes
            terms = terms * _same_dtype(weight, input).reshape(shape)
        return _reduce(-terms.sum(class_dim), reduction)
    valid = _check_class_targets(input, target, ignore_index, "cross_entropy")
    log_probabilities = log_softmax(input, class_dim)
    return _index_class_loss(log_probabilities, target, valid, weight, reduction, label_smoothing)


# --------------------------------------------------------------------------- binary losses

# PyTorch clamps the logarithms of binary_cross_entropy at -100, and the denominator of
# its gradient at 1e-12, so probabilities of exactly 0 or 1 give finite values.
_LOG_FLOOR = -100.0
_GRADIENT_FLOOR = 1e-12


class BinaryCrossEntropy(Function):
    """Elementwise ``-(t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))``.

    The gradient with respect to ``x`` is ``(x - t) / max(x (1 - x), 1e-12)`` (finite at
    ``x`` = 0 or 1); with respect to ``t`` it is ``max(log(1 - x), -100) - max(log x,
    -100)``. Both are written with Tensor ops, so they can be differentiated again.
    """

    # Its forward computes on arrays and records nothing, so apply() may leave grad mode on
    # around it (what op(...) declares for the classes it names; no registration names this).
    _forward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Tensor, t: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, t)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x._array), _LOG_FLOOR)
            log_rest = np.maximum(np.log1p(-x._array), _LOG_FLOOR)
        return np.asarray((t._array - 1.0) * log_rest - t._array * log_x, dtype=x._array.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        grad_x = grad_t = None
        if need_x:
            grad_x = grad * (x - t) / clamp(x * (1.0 - x), min=_GRADIENT_FLOOR)
        if need_t:
            log_x = clamp(log(x), min=_LOG_FLOOR)
            log_rest = clamp(log(1.0 - x), min=_LOG_FLOOR)
            grad_t = grad * (log_rest - log_x)
        return grad_x, grad_t


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities:
    ``loss = -w * (t * log(x) + (1 - t) * log(1 - x))``, each log clamped at -100.

    ``input`` holds probabilities in ``[0, 1]`` (apply ``sigmoid`` first, or better use
    :func:`binary_cross_entropy_with_logits`); ``target`` has the same shape, values in
    ``[0, 1]``; ``weight`` broadcasts to that shape.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    _check_float(input, "binary_cross_entropy", "input")
    _check_float(target, "binary_cross_entropy", "target")
    _check_same_shape(input, target, "binary_cross_entropy")
    for value, what in ((input, "input"), (target, "target")):
        data = value._array
        if data.size and not ((data >= 0) & (data <= 1)).all():
            raise ValueError(
                f"binary_cross_entropy: every element of {what} must be in [0, 1]; found "
                f"values from {data.min()} to {data.max()}"
            )
    if weight is not None:
        _check_float(weight, "binary_cross_entropy", "weight")
        _check_broadcastable(weight, input.shape, "binary_cross_entropy", "weight")
    loss = BinaryCrossEntropy.apply(input, _same_dtype(target, input))
    if weight is not None:
        loss = loss * _same_dtype(weight, input)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of logits ``x``, i.e. of ``sigmoid(x)``, computed stably:

    ``loss = w * ((1 - t) * x + (1 + (p - 1) * t) * softplus(-x))``

    which equals ``-w * (p * t * log sigmoid(x) + (1 - t) * log(1 - sigmoid(x)))``
    without ever forming ``sigmoid(x)``: ``softplus(-x) = max(-x, 0) + log1p(exp(-|x|))``
    stays finite for any logit. ``pos_weight`` ``p`` weighs the positive term of each
    class and broadcasts along the last dimension (shape ``(C,)``); ``weight`` broadcasts
    to the input's shape; ``target`` has the input's shape.
    """
    name = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, name)
    _check_float(input, name, "input")
    _check_float(target, name, "target")
    _check_same_shape(input, target, name)
    for value, what in ((weight, "weight"), (pos_weight, "pos_weight")):
        if value is not None:
            _check_float(value, name, what)
            _check_broadcastable(value, input.shape, name, what)
    target = _same_dtype(target, input)
    # threshold=inf: always the exact stable form, never the linear shortcut.
    negative_part = softplus(-input, threshold=math.inf)
    if pos_weight is not None:
        negative_part = (1.0 + (_same_dtype(pos_weight, input) - 1.0) * target) * negative_part
    loss = (1.0 - target) * input + negative_part
    if weight is not None:
        loss = loss * _same_dtype(weight, input)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- more activations


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """The sigmoid-weighted linear unit (swish): ``x * sigmoid(x)``. Any shape.

    ``inplace=True`` is accepted for PyTorch's signature; a new tensor is returned."""
    _check_float(input, "silu", "input")
    return input * sigmoid(input)


class Gelu(Function):
    """The exact GELU ``x * Phi(x)``, ``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` the standard
    normal CDF. Its gradient ``Phi(x) + x * phi(x)`` (``phi`` the normal density) is
    written with Tensor ops and ``minigrad.erf``, so it differentiates again."""

    _forward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x._array
        cdf = 0.5 * (1.0 + _erf_kernel(data * (1.0 / math.sqrt(2.0))))
        return np.asarray(data * cdf, dtype=data.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        cdf = (_ops.erf(x * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        density = _ops.exp(x * x * -0.5) * (1.0 / math.sqrt(2.0 * math.pi))
        return grad * (cdf + x * density)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian error linear unit ``x * Phi(x)``, ``Phi`` the standard normal CDF.

    ``approximate="tanh"`` gives PyTorch's approximation
    ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))``. Any shape."""
    _check_float(input, "gelu", "input")
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (tanh(inner) + 1.0) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# --------------------------------------------------------------------------- encodings


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape ``(*)`` to an int64 tensor of shape ``(*, num_classes)``
    with a 1 at each index and 0 elsewhere. ``num_classes=-1`` takes the largest index
    plus one. ``tensor`` must be int64 (PyTorch's LongTensor), its values in
    ``[0, num_classes)``."""
    _check_tensor(tensor, "one_hot", "tensor")
    if tensor.dtype != np.int64:
        raise TypeError(
            f"one_hot: tensor must be an int64 (long) tensor of class indices, got dtype "
            f"{tensor.dtype} (convert it with .long())"
        )
    labels = tensor._array
    num_classes = int(num_classes)
    if num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(labels.min())}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError(
                "one_hot: cannot infer the number of classes from an empty tensor; pass "
                "num_classes"
            )
        num_classes = int(labels.max()) + 1
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, got "
            f"{int(labels.max())}"
        )
    result = (labels[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(result)


# --------------------------------------------------------------------------- distances


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: unit p-norm vectors (a vector of
    norm below ``eps`` is divided by ``eps``). Any shape; the result has the input's."""
    _check_float(input, "normalize", "input")
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    norms = _ops.norm(input, p, dim, keepdim=True)
    return input / clamp(norms, min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``:
    ``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` (each norm clamped, as
    PyTorch now does; the clamp passes the norm's gradient through, as PyTorch's).
    ``x1`` and ``x2`` broadcast together; ``dim`` is removed."""
    _check_float(x1, "cosine_similarity", "x1")
    _check_float(x2, "cosine_similarity", "x2")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(
            f"cosine_similarity: x1 of shape {x1.shape} and x2 of shape {x2.shape} do not "
            "broadcast together"
        ) from None
    if not -len(shape) <= dim < max(len(shape), 1):
        raise IndexError(
            f"cosine_similarity: dim {dim} is out of range for the broadcast shape {shape}"
        )
    x2 = _same_dtype(x2, x1)
    if x1.shape != shape:
        x1 = x1.expand(*shape)
    if x2.shape != shape:
        x2 = x2.expand(*shape)
    x1 = x1 / _clamped_norm(x1, dim, eps)
    x2 = x2 / _clamped_norm(x2, dim, eps)
    return (x1 * x2).sum(dim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """The 2-norm along ``dim`` (kept), raised to ``eps`` where smaller; as PyTorch clamps
    it in place under no_grad, the gradient is the unclamped norm's."""
    norms = _ops.norm(x, 2, dim, keepdim=True)
    return norms + (clamp(norms, min=eps) - norms).detach()


# --------------------------------------------------------------------------- more losses


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``, with
    ``d = input - target``; ``beta=0`` is the L1 loss. Shapes as :func:`mse_loss`.
    (The deprecated ``size_average`` and ``reduce`` must stay ``None``.)"""
    name = "smooth_l1_loss"
    _check_deprecated(size_average, reduce, name)
    _check_reduction(reduction, name)
    if beta < 0:
        raise ValueError(f"{name}: beta must be non-negative, got {beta}")
    _check_float(input, name, "input")
    _check_float(target, name, "target")
    _check_same_shape(input, target, name)
    difference = abs(input - _same_dtype(target, input))
    if beta == 0:
        return _reduce(difference, reduction)
    loss = where(difference < beta, difference * difference * (0.5 / beta), difference - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, with
    ``d = input - target`` (``delta`` times :func:`smooth_l1_loss` with
    ``beta=delta``). Shapes as :func:`mse_loss`."""
    name = "huber_loss"
    _check_reduction(reduction, name)
    if not delta > 0:
        raise ValueError(f"{name}: delta must be positive, got {delta}")
    _check_float(input, name, "input")
    _check_float(target, name, "target")
    _check_same_shape(input, target, name)
    difference = abs(input - _same_dtype(target, input))
    loss = where(
        difference < delta, difference * difference * 0.5, (difference - 0.5 * delta) * delta
    )
    return _reduce(loss, reduction)


def _check_deprecated(size_average: Any, reduce: Any, name: str) -> None:
    if size_average is not None or reduce is not None:
        raise TypeError(
            f"{name}: the deprecated size_average and reduce arguments are not supported; "
            "use reduction='mean', 'sum' or 'none'"
        )


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """The Kullback-Leibler divergence of log-probabilities ``input`` from ``target``:
    ``target * (log(target) - input)`` (0 where ``target`` is 0), or
    ``exp(target) * (target - input)`` when ``log_target`` (the target given as
    log-probabilities). ``reduction="batchmean"`` divides the sum by the batch size
    ``input.shape[0]``, the true KL divergence; ``"mean"`` averages over all elements.
    ``target`` broadcasts to ``input``'s shape."""
    name = "kl_div"
    _check_deprecated(size_average, reduce, name)
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"{name}: reduction must be one of 'mean', 'sum', 'none', 'batchmean', got "
            f"{reduction!r}"
        )
    _check_float(input, name, "input")
    _check_float(target, name, "target")
    _check_broadcastable(target, input.shape, name, "target")
    target = _same_dtype(target, input)
    if log_target:
        loss = _ops.exp(target) * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, Tensor._make(np.ones((), dtype=input.dtype)))
        entropy = where(positive, target * log(safe), Tensor._make(np.zeros((), input.dtype)))
        loss = entropy - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` for ``target == 1`` and ``max(0, cos(x1, x2) - margin)`` for
    ``target == -1``, the cosine taken along the last dimension. Shapes: ``input1`` and
    ``input2`` ``(N, D)`` or ``(D,)``; ``target`` ``(N,)`` or ``()`` of 1 and -1."""
    name = "cosine_embedding_loss"
    _check_deprecated(size_average, reduce, name)
    _check_reduction(reduction, name)
    _check_float(input1, name, "input1")
    _check_float(input2, name, "input2")
    _check_tensor(target, name, "target")
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(
            f"{name}: input1 and input2 must have the same shape (N, D) or (D,), got "
            f"{input1.shape} and {input2.shape}"
        )
    if target.shape != input1.shape[:-1]:
        raise ValueError(
            f"{name}: for inputs of shape {input1.shape}, target must have shape "
            f"{input1.shape[:-1]}, got {target.shape}"
        )
    input2 = _same_dtype(input2, input1)
    dim = input1.ndim - 1
    # PyTorch's formula: each squared magnitude offset by 1e-12, no clamping.
    product = (input1 * input2).sum(dim)
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cosine = product / _ops.sqrt(squares)
    labels = target._array
    zero = Tensor._make(np.zeros((), dtype=input1.dtype))
    positive = where(Tensor._make(labels == 1), 1.0 - cosine, zero)
    negative = where(Tensor._make(labels == -1), clamp(cosine - margin, min=0.0), zero)
    return _reduce(positive + negative, reduction)


# --------------------------------------------------------------------------- sampling


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution:
    ``softmax((logits + g) / tau, dim)`` with ``g = -log(E)``, ``E ~ Exponential(1)``
    (from minigrad's generator). ``hard=True`` returns the one-hot of the sample's argmax
    in the forward pass, with the soft sample's gradient (straight-through). ``eps`` is
    unused, as in PyTorch. Any shape."""
    _check_float(logits, "gumbel_softmax", "logits")
    if not tau > 0:
        raise ValueError(f"gumbel_softmax: tau must be positive, got {tau}")
    exponential = generator().exponential(size=logits.shape)
    gumbels = Tensor._make(np.asarray(-np.log(exponential), dtype=logits.dtype))
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    axis = dim % max(logits.ndim, 1)
    data = soft._array
    chosen = np.expand_dims(np.argmax(data, axis=axis), axis) if data.ndim else np.zeros(())
    picked = np.zeros_like(data)
    if data.ndim:
        np.put_along_axis(picked, chosen.astype(np.int64), 1.0, axis=axis)
    else:
        picked = np.ones_like(data)
    return Tensor._make(picked) - soft.detach() + soft


# --------------------------------------------------------------------------- padding

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions, as ``torch.nn.functional.pad``: ``pad``
    lists (before, after) widths starting from the *last* dimension.

    ``mode``: ``"constant"`` (fill with ``value``, 0 by default; negative widths crop),
    ``"reflect"`` (mirror without repeating the edge; widths below the size),
    ``"replicate"`` (repeat the edge) or ``"circular"`` (wrap around; widths at most the
    size). The non-constant modes pad 1 to 3 trailing dimensions of a batched or
    unbatched input (``(C, W)`` or ``(N, C, W)`` for 1, and so on); their gradients add
    up over the repeated elements."""
    _check_tensor(input, "pad", "input")
    if mode not in PAD_MODES:
        modes = ", ".join(map(repr, PAD_MODES))
        raise ValueError(f"pad: mode must be one of {modes}, got {mode!r}")
    widths = [int(w) for w in pad]
    if mode == "constant":
        return _ops.pad(input, widths, value=0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: value= is only for mode='constant', not mode={mode!r}")
    count = len(widths) // 2
    if len(widths) % 2 or count not in (1, 2, 3) or input.ndim not in (count + 1, count + 2):
        raise ValueError(
            f"pad: mode={mode!r} pads 1, 2 or 3 trailing dimensions of a {count + 1}-d or "
            f"{count + 2}-d input, given as {2 * count} widths; got pad={widths} for input of "
            f"shape {input.shape}"
        )
    key: list[Any] = []
    for i in range(count):
        axis = input.ndim - 1 - i
        size = input.shape[axis]
        before, after = widths[2 * i], widths[2 * i + 1]
        if before < 0 or after < 0:
            raise ValueError(f"pad: mode={mode!r} needs non-negative widths, got pad={widths}")
        if mode == "reflect" and (before >= size or after >= size):
            raise ValueError(
                f"pad: reflect widths must be smaller than the padded dimension; got "
                f"({before}, {after}) for dimension {axis} of size {size} (input {input.shape})"
            )
        if mode == "circular" and (before > size or after > size):
            raise ValueError(
                f"pad: circular widths must be at most the padded dimension; got "
                f"({before}, {after}) for dimension {axis} of size {size} (input {input.shape})"
            )
        if mode == "replicate" and size == 0 and before + after:
            raise ValueError(
                f"pad: cannot replicate dimension {axis} of size 0 (input {input.shape})"
            )
        positions = np.arange(-before, size + after)
        if mode == "reflect":
            positions = np.abs(positions)
            positions = np.where(positions >= size, 2 * (size - 1) - positions, positions)
        elif mode == "replicate":
            positions = np.clip(positions, 0, size - 1)
        else:
            positions = positions % size if size else positions
        key.insert(0, positions)
    lead = input.ndim - count
    # An open grid over the padded dimensions, the leading ones kept whole.
    grid = np.ix_(*key)
    return _ops.index(input, (slice(None),) * lead + tuple(grid))


# --------------------------------------------------------------------------- op table


def _numpy_binary_cross_entropy(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return -(t * np.maximum(np.log(x), -100.0) + (1 - t) * np.maximum(np.log(1 - x), -100.0))


def _numpy_gelu(x: np.ndarray) -> np.ndarray:
    return x * 0.5 * (1.0 + erf_reference(x / math.sqrt(2.0)))


def _frequency_pattern(shape: tuple[int, ...]) -> tuple[int, np.ndarray, np.ndarray]:
    """For a table of ``shape`` (read as ``_FrequencyScaledLookup`` reads it): its row
    count, indices naming row ``r`` ``r % 3 + 1`` times, and a weight per lookup."""
    rows = shape[0] if len(shape) == 2 else math.prod(shape)
    indices = np.repeat(np.arange(rows), np.arange(rows) % 3 + 1)
    return rows, indices, 1.0 + (np.arange(indices.size) % 2)


def _embedding_scaled_gradient(weight: Tensor) -> Tensor:
    """The gradient that ``scale_grad_by_freq`` gives the table ``weight`` for the loss
    ``sum(p * out**3)``, as a function of ``weight`` (made with ``create_graph=True``):
    its derivatives check the lookup's double backward."""
    rows, indices, weights = _frequency_pattern(weight.shape)
    counts = np.bincount(indices, minlength=rows)
    scale = (1.0 / counts[indices]).astype(weight.dtype)
    with enable_grad():  # a gradient even when called under no_grad (gradgradcheck is)
        out = _FrequencyScaledLookup.apply(weight, indices, scale, weight.shape, True)
        loss = (out**3 * Tensor._make(weights[:, None].astype(weight.dtype))).sum()
        (gradient,) = _autograd_grad(loss, weight, create_graph=True)
    assert gradient is not None  # the loss depends on weight
    return gradient


def _numpy_embedding_scaled_gradient(weight: np.ndarray) -> np.ndarray:
    rows, indices, weights = _frequency_pattern(weight.shape)
    table = weight.reshape(rows, -1) if rows else weight.reshape(0, 1)
    counts = np.bincount(indices, minlength=rows)
    per_lookup = 3 * table[indices] ** 2 * (weights / counts[indices])[:, None]
    gradient = np.zeros_like(table)
    np.add.at(gradient, indices, per_lookup)
    return gradient.reshape(weight.shape)


#: The OpInfo records of the fused Functions defined here. They are not added to
#: ``minigrad.ops.RECORDS``: that table would then change with whether ``minigrad.nn`` had
#: been imported. ``tests/nn/test_functional.py`` runs the table's checks on them.
FUSED_OP_RECORDS = (
    OpInfo(
        "binary_cross_entropy",
        lambda x, t: binary_cross_entropy(x, t, reduction="none"),
        _numpy_binary_cross_entropy,
        arity=2,
        shapes="same",
        domain=((0.05, 0.95), (0.05, 0.95)),
    ),
    OpInfo("gelu", gelu, _numpy_gelu),
    OpInfo(
        "embedding_scaled_gradient",
        _embedding_scaled_gradient,
        _numpy_embedding_scaled_gradient,
        domain=(-1.5, 1.5),
    ),
)

# Attention lives with its modules in minigrad.nn.attention (which uses dropout above).
from minigrad.nn.attention import (  # noqa: E402
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
