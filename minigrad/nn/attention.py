"""Attention, as PyTorch has it: ``scaled_dot_product_attention``, ``MultiheadAttention``
(with ``multi_head_attention_forward``, its functional form), and small attention modules
for recurrent encoder-decoders.

Everything is composed from differentiable ops (``matmul``, ``softmax``, ``masked_fill``,
``linear``), so gradients of every order come from rules that are already tested.

Two mask conventions meet here, both PyTorch's:

- ``scaled_dot_product_attention``: a boolean ``attn_mask`` says which positions *take
  part* (``True`` = attend); a float mask is added to the scores.
- ``MultiheadAttention`` (and the Transformer layers): a boolean ``attn_mask`` or
  ``key_padding_mask`` says which positions are *masked out* (``True`` = ignore); a float
  mask is added to the scores.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.nn import functional as F
from minigrad.ops import masked_fill, matmul, softmax
from minigrad.tensor import Tensor

__all__ = [
    "scaled_dot_product_attention",
]


# --------------------------------------------------------------------------- helpers


def _check_tensor(value: Any, name: str, what: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(value).__name__}")
    return value


def _check_mask_dtype(mask: Tensor, name: str, what: str) -> None:
    _check_tensor(mask, name, what)
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise TypeError(
            f"{name}: {what} must be a bool or floating tensor, got dtype {mask.dtype}"
        )


def _constant(array: np.ndarray) -> Tensor:
    return Tensor._make(np.ascontiguousarray(array))


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dimension in which a row of only ``-inf`` gives zeros (and a
    zero gradient) instead of NaN, as PyTorch's attention does for fully masked rows."""
    empty = np.all(np.isneginf(scores._array), axis=-1, keepdims=True)
    if not empty.any():
        return softmax(scores, -1)
    empty_rows = _constant(empty)
    return masked_fill(softmax(masked_fill(scores, empty_rows, 0.0), -1), empty_rows, 0.0)


# --------------------------------------------------------------------------- functional


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Attention ``softmax(Q K^T * scale + mask) V``, as
    ``torch.nn.functional.scaled_dot_product_attention``.

    Shapes: ``query`` ``(*, L, E)``, ``key`` ``(*, S, E)``, ``value`` ``(*, S, Ev)``; the
    leading dimensions broadcast and the result is ``(*, L, Ev)``.

    Args:
        attn_mask: broadcastable to ``(*, L, S)``. Boolean: ``True`` where a query may
            attend to a key; float: added to the scores (``-inf`` removes a key). A row
            with no key left gives zeros, not NaN.
        dropout_p: dropout on the attention weights (always applied when positive, as
            PyTorch's function does; pass ``0.0`` in evaluation).
        is_causal: mask out the keys after each query (the upper triangle of the
            ``(L, S)`` scores, aligned at the top left); no ``attn_mask`` may be given.
        scale: the factor on the scores; ``1 / sqrt(E)`` when ``None``.
        enable_gqa: grouped-query attention: ``key`` and ``value`` may have fewer heads
            (dimension ``-3``) than ``query``, each shared by a group of query heads.
    """
    name = "scaled_dot_product_attention"
    for tensor, what in ((query, "query"), (key, "key"), (value, "value")):
        _check_tensor(tensor, name, what)
        if tensor.dtype.kind != "f":
            raise TypeError(f"{name}: {what} must be a floating tensor, got dtype {tensor.dtype}")
        if tensor.ndim < 2:
            raise ValueError(
                f"{name}: {what} must have at least 2 dimensions (sequence, features), got "
                f"shape {tensor.shape}"
            )
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(
            f"{name}: query, key and value must have the same dtype, got {query.dtype}, "
            f"{key.dtype} and {value.dtype}"
        )
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(
            f"{name}: key's last dimension must equal query's (the embedding size E), got "
            f"query {query.shape} and key {key.shape}"
        )
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(
            f"{name}: value must have as many positions (dimension -2) as key, got key "
            f"{key.shape} and value {value.shape}"
        )
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{name}: dropout_p must be in [0, 1], got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            f"{name}: pass either attn_mask or is_causal=True, not both (an explicit mask "
            f"can include the causal one)"
        )
    if enable_gqa:
        key, value = _share_heads(query, key, value)
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{name}: the leading (batch) dimensions of query {query.shape}, key {key.shape} "
            f"and value {value.shape} do not broadcast"
        ) from None
    length, source = query.shape[-2], key.shape[-2]
    score_shape = (*batch, length, source)
    if attn_mask is not None:
        _check_mask_dtype(attn_mask, name, "attn_mask")
        try:
            fits = np.broadcast_shapes(attn_mask.shape, score_shape) == score_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"{name}: attn_mask of shape {attn_mask.shape} does not broadcast to the "
                f"attention scores' shape {score_shape} (batch, L, S)"
            )
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = matmul(query, key.transpose(-2, -1)) * factor
    if is_causal:
        scores = masked_fill(scores, _constant(~np.tri(length, source, dtype=bool)), -math.inf)
    elif attn_mask is not None and attn_mask.dtype == np.bool_:
        scores = masked_fill(scores, _constant(~attn_mask._array), -math.inf)
    elif attn_mask is not None:
        scores = scores + attn_mask.to(query.dtype)
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p)
    return matmul(weights, value)


def _share_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """``key`` and ``value`` with each head repeated for its group of query heads
    (PyTorch's ``repeat_interleave`` over dimension -3)."""
    name = "scaled_dot_product_attention"
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise ValueError(
            f"{name}: enable_gqa needs a heads dimension (-3) in query {query.shape}, key "
            f"{key.shape} and value {value.shape}"
        )
    heads = query.shape[-3]
    shared = []
    for tensor, what in ((key, "key"), (value, "value")):
        groups = tensor.shape[-3]
        if groups == 0 or heads % groups:
            raise ValueError(
                f"{name}: with enable_gqa, query's {heads} heads must be a multiple of "
                f"{what}'s {groups} heads (shapes {query.shape} and {tensor.shape})"
            )
        repeat = heads // groups
        *lead, positions, features = tensor.shape
        expanded = tensor.unsqueeze(-3).expand(*lead, repeat, positions, features)
        shared.append(expanded.reshape(*lead[:-1], heads, positions, features))
    return shared[0], shared[1]
