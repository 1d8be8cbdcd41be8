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

from minigrad import dtypes
from minigrad.devices import resolve_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module, Parameter
from minigrad.ops import cat, linear, masked_fill, matmul, softmax
from minigrad.tensor import Tensor

__all__ = [
    "AdditiveAttention",
    "DotProductAttention",
    "LuongAttention",
    "MultiheadAttention",
    "multi_head_attention_forward",
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


# --------------------------------------------------------------------------- multi-head


def _additive_mask(mask: Tensor | None, dtype: np.dtype, name: str, what: str) -> Tensor | None:
    """A ``MultiheadAttention`` mask as scores to add: a boolean mask (``True`` = ignore)
    becomes ``-inf`` there and 0 elsewhere; a float mask is used as it is."""
    if mask is None:
        return None
    _check_mask_dtype(mask, name, what)
    if mask.dtype == np.bool_:
        return _constant(np.where(mask._array, -np.inf, 0.0).astype(dtype))
    return mask.to(dtype)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention with explicit weights, as
    ``torch.nn.functional.multi_head_attention_forward`` (what :class:`MultiheadAttention`
    calls). Sequence-first shapes: ``query`` ``(L, N, E)``, ``key`` ``(S, N, kdim)``,
    ``value`` ``(S, N, vdim)``, or unbatched ``(L, E)``, ``(S, kdim)``, ``(S, vdim)``.

    Returns ``(output, weights)``: ``output`` ``(L, N, E)`` and the attention weights
    ``(N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` when not
    ``average_attn_weights``), or ``None`` when not ``need_weights``. Masks: see
    :class:`MultiheadAttention`.
    """
    name = "multi_head_attention_forward"
    for tensor, what in ((query, "query"), (key, "key"), (value, "value")):
        _check_tensor(tensor, name, what)
        if tensor.dtype.kind != "f":
            raise TypeError(f"{name}: {what} must be a floating tensor, got dtype {tensor.dtype}")
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{name}: static_k and static_v are not supported")
    batched = _check_batching(query, key, value, key_padding_mask, attn_mask)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target, batch, embed_dim = query.shape
    source = key.shape[0]
    dtype = query.dtype
    if embed_dim != embed_dim_to_check:
        raise ValueError(
            f"{name}: expected an embedding dimension of {embed_dim_to_check}, but query "
            f"{query.shape} has {embed_dim}"
        )
    if num_heads <= 0 or embed_dim % num_heads:
        raise ValueError(
            f"{name}: embed_dim {embed_dim} must be divisible by num_heads {num_heads}"
        )
    head_dim = embed_dim // num_heads
    if key.shape[:2] != value.shape[:2] or key.shape[1] != batch:
        raise ValueError(
            f"{name}: key and value must have the same sequence length and batch as each "
            f"other, and the query's batch: got query {query.shape}, key {key.shape}, value "
            f"{value.shape}"
        )
    if not use_separate_proj_weight and key.shape != value.shape:
        raise ValueError(
            f"{name}: key {key.shape} and value {value.shape} must have the same shape "
            f"when one in_proj_weight projects both (use kdim/vdim for different sizes)"
        )
    key_padding_mask = _additive_mask(key_padding_mask, dtype, name, "key_padding_mask")
    if key_padding_mask is not None and key_padding_mask.shape != (batch, source):
        raise ValueError(
            f"{name}: key_padding_mask must have shape (N, S) = {(batch, source)} for key "
            f"{key.shape}, got {key_padding_mask.shape}"
        )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            f"{name}: is_causal is a hint that attn_mask is causal, so it needs attn_mask; "
            f"Transformer.generate_square_subsequent_mask(L) makes one"
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # attention applies the causal mask itself
    else:
        attn_mask = _additive_mask(attn_mask, dtype, name, "attn_mask")
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is not causal any more

    q, k, v = _in_projection(
        query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
        q_proj_weight, k_proj_weight, v_proj_weight, name,
    )
    if attn_mask is not None:
        attn_mask = _check_attn_mask_shape(attn_mask, batch, num_heads, target, source, name)

    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, batch, embed_dim)])
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise ValueError(f"{name}: bias_k and bias_v must be given together")

    # Heads become batch entries: (length, N, E) -> (N * heads, length, head_dim).
    q = q.reshape(target, batch * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = _constant(np.zeros((batch * num_heads, 1, head_dim), dtype))
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    source = k.shape[1]

    if key_padding_mask is not None:
        padding = (
            key_padding_mask.reshape(batch, 1, 1, source)
            .expand(batch, num_heads, 1, source)
            .reshape(batch * num_heads, 1, source)
        )
        attn_mask = padding if attn_mask is None else attn_mask + padding

    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = matmul(q * (1.0 / math.sqrt(head_dim)), k.transpose(1, 2))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, dropout_p)
        output = matmul(weights, v)
        output = output.transpose(0, 1).reshape(target * batch, embed_dim)
        output = linear(output, out_proj_weight, out_proj_bias).reshape(target, batch, embed_dim)
        weights = weights.reshape(batch, num_heads, target, source)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            return output.squeeze(1), weights.squeeze(0)
        return output, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(batch, num_heads, -1, source)
    q = q.reshape(batch, num_heads, target, head_dim)
    k = k.reshape(batch, num_heads, source, head_dim)
    v = v.reshape(batch, num_heads, source, head_dim)
    output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    output = output.permute(2, 0, 1, 3).reshape(batch * target, embed_dim)
    output = linear(output, out_proj_weight, out_proj_bias).reshape(target, batch, embed_dim)
    return (output if batched else output.squeeze(1)), None


def _check_batching(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    key_padding_mask: Tensor | None,
    attn_mask: Tensor | None,
) -> bool:
    """Whether the inputs are batched (3-D) or unbatched (2-D), all agreeing."""
    name = "MultiheadAttention"
    if query.ndim not in (2, 3):
        raise ValueError(
            f"{name}: query must be unbatched (L, E) or batched 3-D, got shape {query.shape}"
        )
    batched = query.ndim == 3
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(
            f"{name}: key and value must have query's {query.ndim} dimensions, got query "
            f"{query.shape}, key {key.shape}, value {value.shape}"
        )
    if key_padding_mask is not None:
        _check_mask_dtype(key_padding_mask, name, "key_padding_mask")
        if key_padding_mask.ndim != query.ndim - 1:
            raise ValueError(
                f"{name}: key_padding_mask must be {'(N, S)' if batched else '(S,)'} for a "
                f"{query.ndim}-D query, got shape {key_padding_mask.shape}"
            )
    if attn_mask is not None:
        _check_mask_dtype(attn_mask, name, "attn_mask")
        if attn_mask.ndim not in (2, 3):
            raise ValueError(
                f"{name}: attn_mask must be 2-D (L, S) or 3-D (N * num_heads, L, S), got "
                f"shape {attn_mask.shape}"
            )
    return batched


def _in_projection(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    separate: bool,
    q_proj_weight: Tensor | None,
    k_proj_weight: Tensor | None,
    v_proj_weight: Tensor | None,
    name: str,
) -> tuple[Tensor, Tensor, Tensor]:
    """Project query, key and value with their slices of the input weights."""
    embed_dim = query.shape[-1]
    biases: tuple[Tensor | None, ...] = (
        (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    )
    if separate:
        given = (q_proj_weight, k_proj_weight, v_proj_weight)
        weights = tuple(w for w in given if w is not None)
        if len(weights) != 3:
            raise ValueError(
                f"{name}: use_separate_proj_weight needs q_proj_weight, k_proj_weight and "
                f"v_proj_weight"
            )
    else:
        if in_proj_weight is None:
            raise ValueError(f"{name}: in_proj_weight is needed without use_separate_proj_weight")
        weights = in_proj_weight.chunk(3)
    expected = ((embed_dim, embed_dim), (embed_dim, key.shape[-1]), (embed_dim, value.shape[-1]))
    inputs = (query, key, value)
    for weight, shape, what, input in zip(weights, expected, ("query", "key", "value"), inputs):
        if weight.shape != shape:
            raise ValueError(
                f"{name}: the {what} projection weight has shape {weight.shape}, but a "
                f"{what} of shape {input.shape} needs {shape}"
            )
    return (
        linear(query, weights[0], biases[0]),
        linear(key, weights[1], biases[1]),
        linear(value, weights[2], biases[2]),
    )


def _check_attn_mask_shape(
    attn_mask: Tensor, batch: int, num_heads: int, target: int, source: int, name: str
) -> Tensor:
    if attn_mask.ndim == 2:
        if attn_mask.shape != (target, source):
            raise ValueError(
                f"{name}: the 2-D attn_mask has shape {attn_mask.shape}, but should be "
                f"(L, S) = {(target, source)}"
            )
        return attn_mask.unsqueeze(0)
    expected = (batch * num_heads, target, source)
    if attn_mask.shape != expected:
        raise ValueError(
            f"{name}: the 3-D attn_mask has shape {attn_mask.shape}, but should be "
            f"(N * num_heads, L, S) = {expected}"
        )
    return attn_mask


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al., 2017), as ``torch.nn.MultiheadAttention``:

    ``MultiHead(Q, K, V) = concat(head_1, ..., head_h) W_O^T + b_O`` with
    ``head_i = softmax(Q W_Qi^T (K W_Ki^T)^T / sqrt(E / h) + mask) V W_Vi^T``.

    Shapes: ``query`` ``(L, N, E)``, ``key`` ``(S, N, kdim)``, ``value`` ``(S, N, vdim)``
    (``(N, L, E)`` and so on when ``batch_first``; ``(L, E)`` unbatched). The output has
    the query's shape.

    Parameters with PyTorch's names, so state dicts move both ways: ``in_proj_weight``
    ``(3E, E)`` (the query, key and value projections stacked) or, when ``kdim`` or
    ``vdim`` differ from ``embed_dim``, ``q_proj_weight`` ``(E, E)``, ``k_proj_weight``
    ``(E, kdim)`` and ``v_proj_weight`` ``(E, vdim)``; ``in_proj_bias`` ``(3E,)``;
    ``bias_k``/``bias_v`` ``(1, 1, E)`` with ``add_bias_kv``; ``out_proj`` a ``Linear``.

    Masks (``True`` or ``-inf`` removes a key): ``key_padding_mask`` ``(N, S)``,
    boolean or float; ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L, S)``, boolean or
    float (added to the scores). A query left with no key gives NaN when
    ``need_weights`` (as PyTorch's explicit path) and zeros otherwise.

    >>> attention = MultiheadAttention(16, 4, batch_first=True)
    >>> x = minigrad.randn(2, 5, 16)
    >>> output, weights = attention(x, x, x)
    >>> output.shape, weights.shape
    ((2, 5, 16), (2, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        for size, what in ((embed_dim, "embed_dim"), (num_heads, "num_heads")):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size <= 0:
                raise ValueError(
                    f"MultiheadAttention: {what} must be a positive int, got {size!r}"
                )
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads "
                f"{num_heads} (each head gets embed_dim // num_heads features)"
            )
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
        if dtype not in dtypes.FLOATING:
            raise TypeError(f"MultiheadAttention: dtype must be float32 or float64, got {dtype}")
        self.embed_dim = int(embed_dim)
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.batch_first = batch_first
        self.head_dim = self.embed_dim // self.num_heads
        self.add_zero_attn = add_zero_attn

        def empty(*shape: int) -> Parameter:
            return Parameter(np.empty(shape, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * self.embed_dim, self.embed_dim)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = empty(self.embed_dim, self.embed_dim)
            self.k_proj_weight = empty(self.embed_dim, self.kdim)
            self.v_proj_weight = empty(self.embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty(3 * self.embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(self.embed_dim, self.embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty(1, 1, self.embed_dim)
            self.bias_v = empty(1, 1, self.embed_dim)
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier-uniform projections, zero biases,
        Xavier-normal ``bias_k``/``bias_v``."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """``(output, weights)``: the attended values, and the attention weights
        ``(N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` when not
        ``average_attn_weights``; ``None`` when not ``need_weights``). ``is_causal`` is a
        hint that ``attn_mask`` is the causal mask; the mask is still required."""
        for tensor, what in ((query, "query"), (key, "key"), (value, "value")):
            _check_tensor(tensor, "MultiheadAttention", what)
        batched = query.ndim == 3
        if self.batch_first and batched:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        output, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads,
            self.in_proj_weight, self.in_proj_bias, self.bias_k, self.bias_v,
            self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and batched:
            output = output.transpose(0, 1)
        return output, weights

    def extra_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
            f"batch_first={self.batch_first}"
        )


# --------------------------------------------------------------------------- recurrent-era


def _attend(
    scores: Tensor, values: Tensor, key_padding_mask: Tensor | None, single: bool
) -> tuple[Tensor, Tensor]:
    """Softmax the scores ``(N, T, S)`` over the source steps not padded, and average the
    values ``(N, S, Ev)`` with those weights; drop the ``T`` axis for a single step."""
    if key_padding_mask is not None:
        scores = masked_fill(scores, _constant(key_padding_mask._array[:, None, :]), -math.inf)
    weights = _safe_softmax(scores)
    context = matmul(weights, values)
    if single:
        return context.squeeze(1), weights.squeeze(1)
    return context, weights


def _check_recurrent_inputs(
    query: Tensor,
    keys: Tensor,
    values: Tensor | None,
    key_padding_mask: Tensor | None,
    query_size: int | None,
    key_size: int | None,
    owner: str,
) -> tuple[Tensor, Tensor, bool]:
    """The query as ``(N, T, Eq)`` (and whether it was one step ``(N, Eq)``) and the
    values (the keys when not given), after checking every shape."""
    for tensor, what in ((query, "query"), (keys, "keys"), (values, "values")):
        if tensor is not None:
            _check_tensor(tensor, owner, what)
            if tensor.dtype.kind != "f":
                raise TypeError(f"{owner}: {what} must be floating, got dtype {tensor.dtype}")
    if keys.ndim != 3:
        raise ValueError(f"{owner}: keys must be (N, S, key_size), got shape {keys.shape}")
    values = keys if values is None else values
    if values.ndim != 3 or values.shape[:2] != keys.shape[:2]:
        raise ValueError(
            f"{owner}: values must be (N, S, value_size) with the keys' N and S, got keys "
            f"{keys.shape} and values {values.shape}"
        )
    if query.ndim not in (2, 3) or query.shape[0] != keys.shape[0]:
        raise ValueError(
            f"{owner}: query must be (N, query_size) or (N, T, query_size) with the keys' "
            f"batch N, got query {query.shape} and keys {keys.shape}"
        )
    if query_size is not None and query.shape[-1] != query_size:
        raise ValueError(
            f"{owner}: query has {query.shape[-1]} features (shape {query.shape}), expected "
            f"query_size={query_size}"
        )
    if key_size is not None and keys.shape[-1] != key_size:
        raise ValueError(
            f"{owner}: keys have {keys.shape[-1]} features (shape {keys.shape}), expected "
            f"key_size={key_size}"
        )
    if key_padding_mask is not None:
        _check_tensor(key_padding_mask, owner, "key_padding_mask")
        if key_padding_mask.dtype != np.bool_:
            raise TypeError(
                f"{owner}: key_padding_mask must be a bool tensor (True = padded step), got "
                f"dtype {key_padding_mask.dtype}"
            )
        if key_padding_mask.shape != keys.shape[:2]:
            raise ValueError(
                f"{owner}: key_padding_mask must be (N, S) = {keys.shape[:2]} for keys "
                f"{keys.shape}, got {key_padding_mask.shape}"
            )
    single = query.ndim == 2
    return (query.unsqueeze(1) if single else query), values, single


class AdditiveAttention(Module):
    """Additive attention (Bahdanau et al., 2015) for recurrent encoder-decoders:

    ``score(q, k_s) = v^T tanh(W_q q + W_k k_s)``, ``weights = softmax_s(score)``,
    ``context = sum_s weights_s * value_s``.

    Batch-first shapes: ``query`` ``(N, query_size)`` (one decoder step) or
    ``(N, T, query_size)``; ``keys`` ``(N, S, key_size)`` (the encoder's outputs);
    ``values`` ``(N, S, Ev)`` (the keys when omitted). Returns ``(context, weights)``:
    ``(N, Ev)`` and ``(N, S)`` for one step, ``(N, T, Ev)`` and ``(N, T, S)`` otherwise.
    ``key_padding_mask`` ``(N, S)``, bool, ``True`` at padded source steps, which get
    weight 0. Parameters: ``query_proj.weight`` ``(hidden_size, query_size)``,
    ``key_proj.weight`` ``(hidden_size, key_size)`` (with ``key_proj.bias`` when
    ``bias``), ``score_proj.weight`` ``(1, hidden_size)``.

    >>> attention = AdditiveAttention(query_size=8, key_size=6, hidden_size=5)
    >>> context, weights = attention(minigrad.randn(2, 8), minigrad.randn(2, 7, 6))
    >>> context.shape, weights.shape
    ((2, 6), (2, 7))
    """

    def __init__(
        self, query_size: int, key_size: int, hidden_size: int, bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.query_proj = Linear(query_size, hidden_size, bias=False, dtype=dtype)
        self.key_proj = Linear(key_size, hidden_size, bias=bias, dtype=dtype)
        self.score_proj = Linear(hidden_size, 1, bias=False, dtype=dtype)

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``(context, weights)``; see the class."""
        query, values, single = _check_recurrent_inputs(
            query, keys, values, key_padding_mask, self.query_proj.in_features,
            self.key_proj.in_features, "AdditiveAttention",
        )
        # (N, T, 1, H) + (N, 1, S, H): every query step against every source step.
        hidden = (self.query_proj(query).unsqueeze(2) + self.key_proj(keys).unsqueeze(1)).tanh()
        scores = self.score_proj(hidden).squeeze(-1)
        return _attend(scores, values, key_padding_mask, single)


LUONG_SCORES = ("dot", "general", "concat")


class LuongAttention(Module):
    """Multiplicative attention (Luong et al., 2015) for recurrent encoder-decoders, with
    its three scores of a query ``q`` (the decoder state) against each key ``k_s``:

    - ``"dot"``: ``q . k_s`` (``query_size == key_size``; no parameters);
    - ``"general"``: ``q . (W k_s)``, ``weight`` ``(query_size, key_size)``;
    - ``"concat"``: ``v^T tanh(W [q; k_s])``, ``weight`` ``(hidden_size, query_size +
      key_size)`` and ``v`` ``(1, hidden_size)``.

    Then ``weights = softmax_s(score)`` and ``context = sum_s weights_s * value_s``.
    Shapes, ``key_padding_mask`` and the result as :class:`AdditiveAttention`.
    """

    def __init__(
        self,
        query_size: int,
        key_size: int | None = None,
        score: str = "general",
        hidden_size: int | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if score not in LUONG_SCORES:
            raise ValueError(
                f"LuongAttention: score must be one of {', '.join(map(repr, LUONG_SCORES))}, "
                f"got {score!r}"
            )
        self.query_size = int(query_size)
        self.key_size = self.query_size if key_size is None else int(key_size)
        self.score = score
        if score == "dot" and self.key_size != self.query_size:
            raise ValueError(
                f"LuongAttention: the 'dot' score needs query_size == key_size, got "
                f"{self.query_size} and {self.key_size} (use 'general' to map between them)"
            )
        if score == "general":
            self.weight = Linear(self.key_size, self.query_size, bias=False, dtype=dtype)
        elif score == "concat":
            hidden = self.query_size if hidden_size is None else int(hidden_size)
            self.weight = Linear(self.query_size + self.key_size, hidden, bias=False,
                                 dtype=dtype)
            self.v = Linear(hidden, 1, bias=False, dtype=dtype)

    def scores(self, query: Tensor, keys: Tensor) -> Tensor:
        """The scores ``(N, T, S)`` of queries ``(N, T, query_size)`` against keys."""
        if self.score == "dot":
            return matmul(query, keys.transpose(1, 2))
        if self.score == "general":
            return matmul(query, self.weight(keys).transpose(1, 2))
        batch, steps, sources = query.shape[0], query.shape[1], keys.shape[1]
        pairs = cat([
            query.unsqueeze(2).expand(batch, steps, sources, self.query_size),
            keys.unsqueeze(1).expand(batch, steps, sources, self.key_size),
        ], dim=-1)
        return self.v(self.weight(pairs).tanh()).squeeze(-1)  # type: ignore[no-any-return]

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``(context, weights)``; see :class:`AdditiveAttention`."""
        query, values, single = _check_recurrent_inputs(
            query, keys, values, key_padding_mask, self.query_size, self.key_size,
            "LuongAttention",
        )
        return _attend(self.scores(query, keys), values, key_padding_mask, single)

    def extra_repr(self) -> str:
        return f"query_size={self.query_size}, key_size={self.key_size}, score={self.score!r}"


class DotProductAttention(Module):
    """Parameter-free dot-product attention for recurrent encoder-decoders:
    ``score(q, k_s) = scale * q . k_s`` (Luong's ``"dot"`` score; ``scale=None`` means 1,
    ``1 / sqrt(d)`` gives the Transformer's scaling). Shapes, ``key_padding_mask`` and
    the result as :class:`AdditiveAttention`."""

    def __init__(self, scale: float | None = None) -> None:
        super().__init__()
        self.scale = scale

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``(context, weights)``; see :class:`AdditiveAttention`."""
        if isinstance(query, Tensor) and isinstance(keys, Tensor) and keys.ndim == 3:
            size: int | None = keys.shape[-1]
        else:
            size = None
        query, values, single = _check_recurrent_inputs(
            query, keys, values, key_padding_mask, size, None, "DotProductAttention"
        )
        scores = matmul(query, keys.transpose(1, 2))
        if self.scale is not None:
            scores = scores * float(self.scale)
        return _attend(scores, values, key_padding_mask, single)

    def extra_repr(self) -> str:
        return "" if self.scale is None else f"scale={self.scale}"
