"""Variable-length sequences for the recurrent layers: ``torch.nn.utils.rnn``.

A batch of sequences of different lengths is either *padded*, one tensor ``(T, B, *)``
(``(B, T, *)`` with ``batch_first``) whose steps past a sequence's length hold
``padding_value``, or *packed*: a :class:`PackedSequence` whose ``data`` holds, step after
step, only the sequences still running at that step, longest first::

    lengths 3, 1, 2 (a, b, c)        sorted: a (3), c (2), b (1)
    data = [a0 c0 b0 | a1 c1 | a2]   batch_sizes = [3, 2, 1]

``RNN``, ``LSTM`` and ``GRU`` take a PackedSequence and then never read padding: each
sequence's final state is the state after its own last step.

Every conversion here is one integer-index (gather) of the tensors it receives, so
gradients flow through packing and padding both ways.

>>> from minigrad.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([minigrad.ones(3, 2), minigrad.ones(1, 2)])
>>> packed.batch_sizes
tensor([2, 1, 1])
>>> padded, lengths = pad_packed_sequence(packed)   # (3, 2, 2), tensor([3, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from minigrad.ops import cat, unbind
from minigrad.tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


def _int64(array: Any) -> Tensor:
    return Tensor._make(np.ascontiguousarray(array, dtype=np.int64))


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: ``result[permutation[i]] = i`` (None stays None)."""
    if permutation is None:
        return None
    order = permutation._array
    inverse = np.empty_like(order, dtype=np.int64)
    inverse[order] = np.arange(order.size, dtype=np.int64)
    return _int64(inverse)


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _check_permutation(indices: Any, size: int, name: str) -> Tensor | None:
    if indices is None:
        return None
    if not isinstance(indices, Tensor):
        raise TypeError(
            f"PackedSequence: {name} must be a Tensor or None, got {type(indices).__name__}"
        )
    order = indices._array
    if (
        order.ndim != 1
        or order.dtype.kind not in "iu"
        or order.size != size
        or (size and not np.array_equal(np.sort(order), np.arange(size)))
    ):
        raise ValueError(
            f"PackedSequence: {name} must be a permutation of range({size}) (one entry per "
            f"sequence, batch_sizes[0] = {size}), got {order.tolist()}"
        )
    return indices if order.dtype == np.int64 else _int64(order)


class PackedSequence(_PackedFields):
    """A batch of variable-length sequences packed step by step (see the module docstring).

    Fields, as PyTorch's:

    * ``data``: ``(N, *)``, the steps of all sequences, time-major: first every
      sequence's step 0 (longest sequence first), then every step 1 of the sequences that
      have one, and so on; ``N`` is the sum of the lengths.
    * ``batch_sizes``: int64 ``(T,)``, how many sequences run at each step (non-increasing).
    * ``sorted_indices``: int64 ``(B,)`` or None, ``sorted_indices[i]`` is the original
      batch position of the ``i``-th longest sequence (None: the batch was already sorted).
    * ``unsorted_indices``: its inverse, computed when omitted.

    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence` rather than by
    hand. It is a named tuple: ``data, batch_sizes, *_ = packed`` works.
    """

    def __new__(
        cls,
        data: Tensor,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if batch_sizes is None and isinstance(data, (tuple, list)) and len(data) == 2:
            data, batch_sizes = data  # the old form PackedSequence((data, batch_sizes))
        if not isinstance(data, Tensor):
            raise TypeError(f"PackedSequence: data must be a Tensor, got {type(data).__name__}")
        if not isinstance(batch_sizes, Tensor):
            raise TypeError(
                f"PackedSequence: batch_sizes must be a 1-D int64 Tensor, got "
                f"{type(batch_sizes).__name__}"
            )
        sizes = batch_sizes._array
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
            raise ValueError(
                f"PackedSequence: batch_sizes must be a 1-D integer Tensor, got shape "
                f"{batch_sizes.shape} and dtype {sizes.dtype}"
            )
        if (
            data.ndim == 0
            or int(sizes.sum()) != data.shape[0]
            or (sizes.size and (sizes[-1] < 1 or np.any(np.diff(sizes) > 0)))
        ):
            raise ValueError(
                f"PackedSequence: batch_sizes {sizes.tolist()} must be positive, "
                f"non-increasing and sum to data's first dimension (data has shape "
                f"{data.shape})"
            )
        batch = int(sizes[0]) if sizes.size else 0
        sorted_indices = _check_permutation(sorted_indices, batch, "sorted_indices")
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        else:
            unsorted_indices = _check_permutation(unsorted_indices, batch, "unsorted_indices")
        if sizes.dtype != np.int64:
            batch_sizes = _int64(sizes)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` converted as ``Tensor.to`` converts it (dtype; the CPU as a device);
        ``self`` when nothing changes. ``batch_sizes`` and the indices are kept."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        """``self``: minigrad lives on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Refused, as ``Tensor.cuda``: minigrad runs on the CPU only."""
        return self.to(self.data.cuda(*args, **kwargs))

    def float(self) -> PackedSequence:
        """``data`` as float32."""
        return self.to(dtype="float32")

    def double(self) -> PackedSequence:
        """``data`` as float64."""
        return self.to(dtype="float64")

    def long(self) -> PackedSequence:
        """``data`` as int64."""
        return self.to(dtype="int64")

    def int(self) -> PackedSequence:
        """``data`` as int32."""
        return self.to(dtype="int32")

    def pin_memory(self) -> PackedSequence:
        """``self`` (pinned memory is a CUDA notion)."""
        return self

    def is_pinned(self) -> bool:
        """False: minigrad has no pinned memory."""
        return False

    @property
    def is_cuda(self) -> bool:
        """False: minigrad runs on the CPU only."""
        return False


def _lengths(lengths: Any, owner: str) -> np.ndarray:
    """``lengths`` (a list, a NumPy array or a CPU Tensor) as a 1-D int64 array."""
    if isinstance(lengths, Tensor):
        array = lengths._array
        if array.ndim != 1:
            raise RuntimeError(
                f"{owner}: 'lengths' argument should be a 1D CPU int64 tensor, but got a "
                f"{array.ndim}D tensor of shape {lengths.shape}"
            )
        return array.astype(np.int64)
    try:
        array = np.asarray(lengths)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iub"):
        raise TypeError(
            f"{owner}: lengths must be a 1-D list or int64 Tensor of sequence lengths, got "
            f"{lengths!r}"
        )
    return array.astype(np.int64)


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences
    of the given ``lengths`` into a :class:`PackedSequence`.

    ``lengths`` is a list or a CPU int64 tensor of ``B`` lengths, each in ``1 .. T``. With
    ``enforce_sorted`` (the default) they must be non-increasing; otherwise the batch is
    sorted here (stably) and ``sorted_indices`` records the order, so
    :func:`pad_packed_sequence` restores it. Gradients flow back to ``input``.
    """
    owner = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(
            f"{owner}: input must have at least 2 dimensions (seq_len, batch, *), got shape "
            f"{input.shape}"
        )
    sizes = _lengths(lengths, owner)
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    if sizes.size != batch:
        raise RuntimeError(
            f"{owner}: Expected `len(lengths)` to be equal to batch_size, but got "
            f"{sizes.size} (batch_size={batch})"
        )
    if batch == 0 or np.any(sizes <= 0):
        raise RuntimeError(
            f"{owner}: Length of all samples has to be greater than 0, but found an element "
            f"in 'lengths' that is <= 0 (lengths {sizes.tolist()})"
        )
    if np.any(sizes > steps):
        raise ValueError(
            f"{owner}: lengths {sizes.tolist()} exceed the {steps} time steps of input of "
            f"shape {input.shape} (batch_first={batch_first})"
        )
    if enforce_sorted:
        if np.any(np.diff(sizes) > 0):
            raise RuntimeError(
                f"{owner}: `lengths` array must be sorted in decreasing order when "
                f"`enforce_sorted` is True (got {sizes.tolist()}). You can pass "
                f"`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                f"sidestep this requirement if you do not need ONNX exportability."
            )
        order = np.arange(batch)
        sorted_indices = None
    else:
        order = np.argsort(-sizes, kind="stable")
        sorted_indices = _int64(order)
    sorted_sizes = sizes[order]
    batch_sizes = (sorted_sizes[None, :] > np.arange(sorted_sizes[0])[:, None]).sum(1)
    # Step t holds the batch_sizes[t] longest sequences: original columns order[:size].
    time = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    column = np.concatenate([order[:size] for size in batch_sizes])
    key = (column, time) if batch_first else (time, column)
    return PackedSequence(input[key], _int64(batch_sizes), sorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)``.

    ``padded`` is ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``), in the original
    batch order, steps past a sequence's length filled with ``padding_value``; ``T`` is the
    longest length, or ``total_length`` when given (it must not be shorter). ``lengths``
    is an int64 tensor of the ``B`` lengths. Gradients flow back to ``sequence.data``.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}"
        )
    sizes = sequence.batch_sizes._array
    longest = sizes.size
    if total_length is not None:
        if total_length < longest:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence "
                f"in input, but got total_length={total_length} and max sequence length "
                f"being {longest}"
            )
        longest = int(total_length)
    data = sequence.data
    batch = int(sizes[0])
    rows = data.shape[0]
    # Row of data holding (step t, sorted sequence b), or `rows`: the padding row.
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    key = np.full((longest, batch), rows, dtype=np.int64)
    for t, (start, size) in enumerate(zip(starts, sizes)):
        key[t, :size] = start + np.arange(size)
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices._array
        key, lengths = key[:, order], lengths[order]
    if batch_first:
        key = key.T
    padding = Tensor._make(np.full((1, *data.shape[1:]), padding_value, dtype=data._array.dtype))
    return cat([data, padding])[key], _int64(lengths)


def pad_sequence(
    sequences: Tensor | Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into one ``(T, B, *)`` tensor (``(B, T, *)``
    with ``batch_first``), ``T`` the longest ``L_i``, padding with ``padding_value``
    after each sequence (``padding_side="right"``) or before it (``"left"``).

    The result has the first sequence's dtype. A tensor is taken as the sequences along
    its first dimension. Gradients flow back to every sequence.
    """
    owner = "pad_sequence"
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    items = list(unbind(sequences, 0)) if isinstance(sequences, Tensor) else list(sequences)
    if not items:
        raise RuntimeError(f"{owner}: received an empty list of sequences")
    for position, item in enumerate(items):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"{owner}: sequence {position} is a {type(item).__name__}, not a Tensor"
            )
        if item.ndim == 0 or item.shape[1:] != items[0].shape[1:]:
            raise RuntimeError(
                f"{owner}: every sequence must be (length, *) with the same trailing "
                f"dimensions; sequence 0 has shape {items[0].shape}, sequence {position} "
                f"{item.shape}"
            )
    dtype = items[0]._array.dtype
    items = [item.to(dtype) for item in items]
    lengths = np.array([item.shape[0] for item in items], dtype=np.int64)
    longest = int(lengths.max())
    rows = int(lengths.sum())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    step = np.arange(longest)[:, None]
    # Where step t of sequence b sits in the sequences' concatenation, or the padding row.
    offset = step if padding_side == "right" else step - (longest - lengths)[None, :]
    key = np.where((offset >= 0) & (offset < lengths[None, :]), starts[None, :] + offset, rows)
    if batch_first:
        key = key.T
    padding = Tensor._make(np.full((1, *items[0].shape[1:]), padding_value, dtype=dtype))
    return cat([*items, padding])[key]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)`` (longest first, unless ``enforce_sorted`` is
    False): :func:`pad_sequence` then :func:`pack_padded_sequence`."""
    lengths = [item.shape[0] for item in sequences] if not isinstance(sequences, Tensor) else None
    padded = pad_sequence(sequences)
    if lengths is None:
        lengths = [padded.shape[0]] * padded.shape[1]
    return pack_padded_sequence(padded, lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    """Undo :func:`pad_sequence`: the list of the ``B`` sequences, each cut to its
    length, ``(L_i, *)``."""
    sizes = _lengths(lengths, "unpad_sequence")
    batch_dim = 0 if batch_first else 1
    if padded_sequences.ndim < 2 or sizes.size != padded_sequences.shape[batch_dim]:
        raise ValueError(
            f"unpad_sequence: got {sizes.size} lengths for padded sequences of shape "
            f"{padded_sequences.shape} (batch_first={batch_first})"
        )
    if np.any(sizes < 0) or np.any(sizes > padded_sequences.shape[1 - batch_dim]):
        raise ValueError(
            f"unpad_sequence: lengths {sizes.tolist()} must lie in 0 .. "
            f"{padded_sequences.shape[1 - batch_dim]} for padded sequences of shape "
            f"{padded_sequences.shape}"
        )
    if batch_first:
        return [padded_sequences[b, : int(size)] for b, size in enumerate(sizes)]
    return [padded_sequences[: int(size), b] for b, size in enumerate(sizes)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo :func:`pack_sequence`: the list of sequences ``(L_i, *)`` in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
