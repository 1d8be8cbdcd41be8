"""The Transformer (Vaswani et al., 2017) with PyTorch's modules, names and layouts:
``TransformerEncoderLayer``, ``TransformerEncoder``, ``TransformerDecoderLayer``,
``TransformerDecoder`` and ``Transformer``, so state dicts move between the two; and
``PositionalEncoding``, the sinusoidal position signal added to the embeddings.

Each layer is its equations written with :class:`~minigrad.nn.attention.MultiheadAttention`,
``Linear``, ``LayerNorm`` and ``Dropout``. ``norm_first=False`` (the original "post-norm"
layer) computes ``x = norm1(x + self_attention(x)); x = norm2(x + feed_forward(x))``;
``norm_first=True`` (pre-norm) ``x = x + self_attention(norm1(x)); x = x + feed_forward(norm2(x))``.

Masks follow ``MultiheadAttention``: a boolean ``True`` or a float ``-inf`` removes a
position. PyTorch's fast paths (nested tensors in evaluation) are not reproduced: the
results are those of its ordinary path, the one used in training.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.devices import resolve_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.attention import MultiheadAttention
from minigrad.nn.containers import ModuleList
from minigrad.nn.layers import Dropout, LayerNorm, Linear
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

__all__ = [
    "PositionalEncoding",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]


def _activation(activation: str | Callable[[Tensor], Tensor], owner: str) -> Callable[..., Any]:
    """``"relu"`` or ``"gelu"`` as the functional form (looked up when the layer is made),
    or any callable (a function or a Module) as it is."""
    if isinstance(activation, str):
        if activation not in ("relu", "gelu"):
            raise ValueError(f"{owner}: activation should be 'relu' or 'gelu', not {activation!r}")
        return getattr(F, activation)  # type: ignore[no-any-return]
    if not callable(activation):
        raise TypeError(
            f"{owner}: activation must be 'relu', 'gelu' or a callable, got "
            f"{type(activation).__name__}"
        )
    return activation


def _check_positive(value: Any, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _check_dropout(p: float, owner: str) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: dropout must be in [0, 1], got {p}")
    return float(p)


def _clones(module: Module, count: int, owner: str) -> ModuleList:
    """``count`` independent deep copies of ``module`` (PyTorch's ``_get_clones``)."""
    if not isinstance(module, Module):
        raise TypeError(f"{owner}: the layer must be a Module, got {type(module).__name__}")
    if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 0:
        raise ValueError(f"{owner}: num_layers must be an int >= 0, got {count!r}")
    return ModuleList([copy.deepcopy(module) for _ in range(int(count))])


def _square_subsequent_mask(size: int, dtype: Any = None) -> np.ndarray:
    resolved = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
    if resolved == np.bool_:
        return np.triu(np.ones((size, size), dtype=bool), 1)
    return np.triu(np.full((size, size), -np.inf, dtype=resolved), 1)


def _sequence_length(input: Tensor, batch_first: bool) -> int:
    if input.ndim == 2:  # unbatched (S, E)
        return input.shape[0]
    return input.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask: Tensor | None, is_causal: bool | None, size: int) -> bool:
    """``is_causal`` when given; when ``None``, whether ``mask`` is exactly the causal
    mask of ``size`` positions (as PyTorch checks)."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    causal = _square_subsequent_mask(size, mask.dtype)
    return mask.shape == causal.shape and bool(np.array_equal(mask._array, causal))


# --------------------------------------------------------------------------- encoder


class TransformerEncoderLayer(Module):
    """One encoder layer: self-attention then a feed-forward network, each with a
    residual connection, dropout and layer normalisation, as
    ``torch.nn.TransformerEncoderLayer``.

    ``feed_forward(x) = linear2(dropout(activation(linear1(x))))``. Shapes: ``src``
    ``(S, N, d_model)`` (``(N, S, d_model)`` when ``batch_first``; ``(S, d_model)``
    unbatched); the output has its shape. Submodules ``self_attn``, ``linear1``,
    ``dropout``, ``linear2``, ``norm1``, ``norm2``, ``dropout1``, ``dropout2``.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        owner = "TransformerEncoderLayer"
        d_model = _check_positive(d_model, f"{owner}: d_model")
        dim_feedforward = _check_positive(dim_feedforward, f"{owner}: dim_feedforward")
        dropout = _check_dropout(dropout, owner)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation, owner)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """The encoded sequence. ``src_mask`` ``(S, S)`` or ``(N * nhead, S, S)``;
        ``src_key_padding_mask`` ``(N, S)``; ``is_causal``: a hint that ``src_mask`` is
        the causal mask (which must still be given)."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
        is_causal: bool,
    ) -> Tensor:
        output, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )
        return self.dropout1(output)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer``, then ``norm`` if
    given, as ``torch.nn.TransformerEncoder`` (submodules ``layers.0``, ``layers.1``, ...
    and ``norm``). ``enable_nested_tensor`` and ``mask_check`` concern PyTorch's fast
    path and are accepted for compatibility; they change nothing here."""

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = int(num_layers)
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """``src`` through every layer (with the same masks), then ``norm``.
        ``is_causal=None`` detects whether ``mask`` is the causal mask."""
        batch_first = bool(getattr(getattr(self.layers[0], "self_attn", None), "batch_first",
                                   False)) if len(self.layers) else False
        is_causal = _detect_is_causal_mask(mask, is_causal, _sequence_length(src, batch_first))
        output = src
        for layer in self.layers:
            output = layer(
                output, src_mask=mask, is_causal=is_causal,
                src_key_padding_mask=src_key_padding_mask,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


# --------------------------------------------------------------------------- decoder


class TransformerDecoderLayer(Module):
    """One decoder layer: masked self-attention, attention over the encoder's output
    (``memory``), then a feed-forward network, each with a residual connection, dropout
    and layer normalisation, as ``torch.nn.TransformerDecoderLayer``.

    Shapes: ``tgt`` ``(T, N, d_model)``, ``memory`` ``(S, N, d_model)`` (batch first when
    ``batch_first``; unbatched without ``N``); the output has ``tgt``'s shape. Submodules
    ``self_attn``, ``multihead_attn``, ``linear1``, ``dropout``, ``linear2``, ``norm1`` to
    ``norm3``, ``dropout1`` to ``dropout3``.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        owner = "TransformerDecoderLayer"
        d_model = _check_positive(d_model, f"{owner}: d_model")
        dim_feedforward = _check_positive(dim_feedforward, f"{owner}: dim_feedforward")
        dropout = _check_dropout(dropout, owner)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.multihead_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation, owner)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """The decoded sequence. ``tgt_mask`` ``(T, T)``, ``memory_mask`` ``(T, S)``
        (or their ``(N * nhead, ...)`` forms), ``tgt_key_padding_mask`` ``(N, T)``,
        ``memory_key_padding_mask`` ``(N, S)``; the ``*_is_causal`` flags are hints that
        the matching mask is causal."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(
                x, memory, memory_mask, memory_key_padding_mask, memory_is_causal
            ))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
        is_causal: bool,
    ) -> Tensor:
        output, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            is_causal=is_causal, need_weights=False,
        )
        return self.dropout1(output)

    def _mha_block(
        self, x: Tensor, memory: Tensor, attn_mask: Tensor | None,
        key_padding_mask: Tensor | None, is_causal: bool,
    ) -> Tensor:
        output, _ = self.multihead_attn(
            x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            is_causal=is_causal, need_weights=False,
        )
        return self.dropout2(output)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm`` if
    given, as ``torch.nn.TransformerDecoder`` (submodules ``layers.*`` and ``norm``)."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """``tgt`` through every layer, each attending to ``memory``, then ``norm``.
        ``tgt_is_causal=None`` detects whether ``tgt_mask`` is the causal mask."""
        batch_first = bool(getattr(getattr(self.layers[0], "self_attn", None), "batch_first",
                                   False)) if len(self.layers) else False
        tgt_is_causal = _detect_is_causal_mask(
            tgt_mask, tgt_is_causal, _sequence_length(tgt, batch_first)
        )
        output = tgt
        for layer in self.layers:
            output = layer(
                output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


# --------------------------------------------------------------------------- transformer


class Transformer(Module):
    """The encoder-decoder Transformer, as ``torch.nn.Transformer``: ``encoder`` (a
    ``TransformerEncoder`` of ``num_encoder_layers`` layers and a final ``LayerNorm``) and
    ``decoder`` (likewise), unless ``custom_encoder``/``custom_decoder`` are given.
    Every parameter with more than one dimension is Xavier-uniform initialised.

    Shapes: ``src`` ``(S, N, d_model)``, ``tgt`` ``(T, N, d_model)`` (batch first when
    ``batch_first``; unbatched without ``N``); the output is ``(T, N, d_model)``.

    >>> model = Transformer(d_model=16, nhead=4, num_encoder_layers=1,
    ...                     num_decoder_layers=1, dim_feedforward=32, dropout=0.0)
    >>> src, tgt = minigrad.randn(7, 2, 16), minigrad.randn(5, 2, 16)
    >>> model(src, tgt, tgt_mask=Transformer.generate_square_subsequent_mask(5)).shape
    (5, 2, 16)
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__()
        layer_options: dict[str, Any] = {
            "dim_feedforward": dim_feedforward, "dropout": dropout, "activation": activation,
            "layer_norm_eps": layer_norm_eps, "batch_first": batch_first,
            "norm_first": norm_first, "bias": bias, "dtype": dtype,
        }
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(d_model, nhead, **layer_options),
                num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(d_model, nhead, **layer_options),
                num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """``decoder(tgt, encoder(src))`` with the masks of each part: ``src_mask``
        ``(S, S)``, ``tgt_mask`` ``(T, T)``, ``memory_mask`` ``(T, S)``, and the padding
        masks ``(N, S)``, ``(N, T)``, ``(N, S)``."""
        for tensor, what in ((src, "src"), (tgt, "tgt")):
            if not isinstance(tensor, Tensor):
                raise TypeError(
                    f"Transformer: {what} must be a Tensor, got {type(tensor).__name__}"
                )
        batched = src.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if batched and (tgt.ndim != 3 or src.shape[batch_dim] != tgt.shape[batch_dim]):
            raise ValueError(
                f"Transformer: the batch sizes of src {src.shape} and tgt {tgt.shape} must be "
                f"equal (dimension {batch_dim} with batch_first={self.batch_first})"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(
                f"Transformer: the feature sizes of src {src.shape} and tgt {tgt.shape} must "
                f"equal d_model={self.d_model}"
            )
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
            is_causal=src_is_causal,
        )
        return self.decoder(  # type: ignore[no-any-return]
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask for ``sz`` positions: ``-inf`` above the diagonal (a position
        may not attend to later ones) and ``0`` elsewhere, shape ``(sz, sz)``."""
        if not isinstance(sz, (int, np.integer)) or isinstance(sz, bool) or sz < 0:
            raise ValueError(f"generate_square_subsequent_mask: sz must be an int >= 0, got {sz!r}")
        return Tensor._make(_square_subsequent_mask(int(sz), dtype))



# --------------------------------------------------------------------------- positions


class PositionalEncoding(Module):
    """Sinusoidal positional encoding (Vaswani et al., 2017), added to a sequence of
    embeddings, then dropout:

    ``pe[pos, 2i] = sin(pos / 10000^(2i / d_model))``,
    ``pe[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))``, ``y = dropout(x + pe[:L])``.

    Shapes: ``(L, N, d_model)``, or ``(N, L, d_model)`` when ``batch_first``, or
    ``(L, d_model)`` unbatched; the output has the input's shape. ``pe`` ``(max_len,
    d_model)`` is a buffer (in the ``state_dict``, not learned).

    >>> encode = PositionalEncoding(16, max_len=100, batch_first=True)
    >>> encode(minigrad.zeros(2, 10, 16)).shape
    (2, 10, 16)
    """

    def __init__(
        self, d_model: int, max_len: int = 5000, dropout: float = 0.0,
        batch_first: bool = False, dtype: Any = None,
    ) -> None:
        super().__init__()
        self.d_model = _check_positive(d_model, "PositionalEncoding: d_model")
        self.max_len = _check_positive(max_len, "PositionalEncoding: max_len")
        self.batch_first = batch_first
        self.dropout = Dropout(_check_dropout(dropout, "PositionalEncoding"))
        resolved = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
        if resolved not in dtypes.FLOATING:
            raise TypeError(f"PositionalEncoding: dtype must be float32 or float64, got {resolved}")
        position = np.arange(self.max_len, dtype=np.float64)[:, None]
        frequency = np.exp(np.arange(0, self.d_model, 2) * (-np.log(10000.0) / self.d_model))
        table = np.zeros((self.max_len, self.d_model))
        table[:, 0::2] = np.sin(position * frequency)
        table[:, 1::2] = np.cos(position * frequency[: self.d_model // 2])
        self.register_buffer("pe", Tensor._make(table.astype(resolved)))

    def forward(self, x: Tensor) -> Tensor:
        """``dropout(x + pe)`` over the first ``L`` positions."""
        if not isinstance(x, Tensor):
            raise TypeError(f"PositionalEncoding: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3) or x.shape[-1] != self.d_model:
            raise ValueError(
                f"PositionalEncoding: input must be (L, N, d_model), (N, L, d_model) with "
                f"batch_first, or (L, d_model), with d_model={self.d_model}; got {x.shape}"
            )
        length = _sequence_length(x, self.batch_first)
        if length > self.max_len:
            raise ValueError(
                f"PositionalEncoding: the sequence has {length} positions (input {x.shape}), "
                f"more than max_len={self.max_len}; build the module with a larger max_len"
            )
        table = self.pe[:length]
        if x.ndim == 3 and not self.batch_first:
            table = table.unsqueeze(1)
        return self.dropout(x + table.to(x.dtype))  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"
