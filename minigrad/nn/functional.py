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
from minigrad.autograd import Function, in_place, no_grad
from minigrad.creation import generator
from minigrad.ops import (
    OpInfo,
    clamp,
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
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "hardsigmoid",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
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


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

    Shapes: ``input`` integer ``(*)``, ``weight`` ``(num_embeddings, embedding_dim)``;
    the result is ``(*, embedding_dim)``. Rows used several times add up their gradients.
    Lookups of ``padding_idx`` send no gradient to that row (its value is returned as is).
    """
    _check_tensor(input, "embedding", "input")
    _check_float(weight, "embedding", "weight")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must be an integer tensor, got dtype {input.dtype}")
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}"
        )
    count = weight.shape[0]
    indices = input._array
    if indices.size and (indices.min() < 0 or indices.max() >= count):
        bad = indices[(indices < 0) | (indices >= count)]
        raise IndexError(
            f"embedding: index {int(bad[0])} is out of range for {count} embeddings "
            f"(valid indices are 0 to {count - 1})"
        )
    looked_up = weight[input]  # the index tensor is saved, so changing it in place is caught
    if padding_idx is None:
        return looked_up
    padding_idx = _normalize_padding_idx(padding_idx, count)
    # The detached copy has the same values and sends nothing back.
    is_padding = Tensor._make((indices == padding_idx)[..., None])
    return where(is_padding, looked_up.detach(), looked_up)


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


# --------------------------------------------------------------------------- op table


def _numpy_binary_cross_entropy(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return -(t * np.maximum(np.log(x), -100.0) + (1 - t) * np.maximum(np.log(1 - x), -100.0))


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
)
