"""Data sets, samplers and the ``DataLoader``, with the names and behaviour of
``torch.utils.data``.

A *data set* is anything that maps an index to a sample (``Dataset``: ``__getitem__``
and ``__len__``) or that yields samples one after another (``IterableDataset``:
``__iter__``). A *sampler* yields the indices to read, in order or shuffled. The
``DataLoader`` reads samples in that order, groups them into batches of ``batch_size``
and joins each batch with a *collate function* (``default_collate`` stacks tensors,
arrays and numbers into one tensor per field, keeping tuples, lists and dicts).

>>> import minigrad
>>> from minigrad.utils.data import DataLoader, TensorDataset
>>> inputs, targets = minigrad.randn(100, 3), minigrad.randint(0, 2, (100,))
>>> loader = DataLoader(TensorDataset(inputs, targets), batch_size=32, shuffle=True)
>>> for x, y in loader:  # x: (32, 3) float32, y: (32,) int64; the last batch has 4 rows
...     pass

Random choices (shuffling, ``random_split``, the random samplers) draw from minigrad's
generator, so ``minigrad.manual_seed(n)`` makes them reproducible; each also takes a
``generator`` of its own (a ``minigrad.Generator``, or a ``numpy.random.Generator``).

Everything runs in the main process: ``num_workers`` and the other multiprocessing
options are accepted so that PyTorch programs run unchanged, but they change nothing.
"""

from __future__ import annotations

import bisect
import collections.abc
import copy
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from minigrad import dtypes
from minigrad import ops as _ops
from minigrad.creation import numpy_generator
from minigrad.tensor import Tensor

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


# ---------------------------------------------------------------------- argument checks


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_generator(generator: Any, owner: str) -> None:
    numpy_generator(generator, owner)  # a TypeError naming the owner for anything else


def _random(generator: Any) -> np.random.Generator:
    # Looked up at every draw, not when the sampler is made: a seed set with
    # manual_seed after the loader was built must still count.
    return numpy_generator(generator, "generator")


# ---------------------------------------------------------------------- data sets


class Dataset(Generic[T_co]):
    """A map-style data set: ``dataset[i]`` is sample ``i``.

    Subclasses implement ``__getitem__`` and, for the default samplers, ``__len__``.
    They may also implement ``__getitems__(indices)`` returning the list of samples at
    ``indices``; the ``DataLoader`` then fetches a whole batch with one call.
    ``a + b`` is ``ConcatDataset([a, b])``.
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A data set read as a stream: iterating over it yields the samples.

    Subclasses implement ``__iter__`` (and ``__len__`` if ``len(DataLoader)`` is to
    work). A ``DataLoader`` over an iterable data set batches the samples in the order
    they come; it cannot shuffle them or use a sampler. ``a + b`` is
    ``ChainDataset([a, b])``.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset[T_co]:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Rows of tensors that share their first dimension: sample ``i`` is
    ``(tensors[0][i], tensors[1][i], ...)``.

    >>> dataset = TensorDataset(minigrad.randn(10, 3), minigrad.arange(10))
    >>> x, y = dataset[2]  # x: shape (3,), y: shape ()
    """

    tensors: tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {position} is a {type(tensor).__name__}, not a "
                    f"Tensor (convert it with minigrad.tensor or minigrad.from_numpy)"
                )
            if tensor.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {position} is a 0-d tensor; every tensor needs "
                    f"a first dimension to index the samples along"
                )
        sizes = [tensor.shape[0] for tensor in tensors]
        if any(size != sizes[0] for size in sizes):
            shapes = [tensor.shape for tensor in tensors]
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first dimensions {sizes} "
                f"(shapes {shapes}) must all be equal"
            )
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``: ``Subset(d, [4, 1])[0]`` is ``d[4]``.

    Attributes ``dataset`` and ``indices`` hold the arguments.
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        # Pass a whole batch on when the underlying data set can fetch one at once.
        inner = getattr(self.dataset, "__getitems__", None)
        if callable(inner):
            return inner([self.indices[i] for i in indices])  # type: ignore[no-any-return]
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several map-style data sets one after another: the samples of ``datasets[0]``,
    then those of ``datasets[1]``, and so on.

    ``cumulative_sizes[k]`` is the number of samples in ``datasets[0..k]``.
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        datasets = list(datasets)
        if not datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for position, dataset in enumerate(datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ConcatDataset does not support IterableDataset (dataset {position} is "
                    f"a {type(dataset).__name__}); use ChainDataset"
                )
        sizes = [len(dataset) for dataset in datasets]  # type: ignore[arg-type]
        self.datasets = datasets
        self.cumulative_sizes = list(itertools.accumulate(sizes))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        length = len(self)
        if index < 0:
            if -index > length:
                raise ValueError(
                    f"ConcatDataset: index {index} is out of range: its absolute value "
                    f"should not exceed the dataset length {length}"
                )
            index += length
        if index >= length:
            raise IndexError(
                f"ConcatDataset: index {index} is out of range for a dataset of length {length}"
            )
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset[T_co]):
    """Several iterable data sets streamed one after another."""

    datasets: Iterable[Dataset[T_co]]

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ChainDataset only supports IterableDataset, got {type(dataset).__name__}"
                )
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ChainDataset only supports IterableDataset, got {type(dataset).__name__}"
                )
            total += len(dataset)  # type: ignore[arg-type]
        return total


def random_split(
    dataset: Dataset[T], lengths: Sequence[int | float], generator: Any = None
) -> list[Subset[T]]:
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are either integers summing to ``len(dataset)`` or fractions summing to 1.
    Fractions give ``floor(len(dataset) * fraction)`` samples each, and the samples left
    over go one at a time to the splits in order, round robin (as PyTorch does), so
    ``random_split(range(10), [0.5, 0.3, 0.2])`` has lengths 5, 3, 2 and
    ``random_split(range(11), [0.5, 0.5])`` lengths 6, 5.

    The order is a random permutation drawn from ``generator`` (a
    ``minigrad.Generator``) or, by default, from minigrad's generator.
    """
    _check_generator(generator, "random_split")
    total_length = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    for position, length in enumerate(lengths):
        number = isinstance(length, (int, float, np.integer, np.floating))
        if isinstance(length, bool) or not number:
            raise TypeError(
                f"random_split: lengths must be numbers, but length {position} is "
                f"{length!r} ({type(length).__name__})"
            )
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(
                    f"random_split: fraction at index {position} is {fraction}, not between "
                    f"0 and 1 (lengths {lengths})"
                )
        sizes = [math.floor(total_length * fraction) for fraction in lengths]
        for extra in range(total_length - sum(sizes)):
            sizes[extra % len(sizes)] += 1
        for position, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"random_split: length of split at index {position} is 0 "
                    f"(fractions {lengths} of {total_length} samples)",
                    stacklevel=2,
                )
    else:
        for position, length in enumerate(lengths):
            if not _is_int(length) or length < 0:
                raise ValueError(
                    f"random_split: lengths {lengths} are neither fractions summing to 1 nor "
                    f"non-negative integers (length {position} is {length!r})"
                )
        sizes = [int(length) for length in lengths]
        if sum(sizes) != total_length:
            raise ValueError(
                f"random_split: the lengths {lengths} sum to {sum(sizes)}, but the dataset "
                f"has {total_length} samples"
            )
    order = _random(generator).permutation(total_length).tolist()
    ends = itertools.accumulate(sizes)
    return [Subset(dataset, order[end - size : end]) for end, size in zip(ends, sizes)]


# ---------------------------------------------------------------------- samplers


class Sampler(Generic[T_co]):
    """The base of every sampler: iterating yields the indices (or, for a batch
    sampler, the lists of indices) to read. Subclasses implement ``__iter__`` and, when
    the count is known, ``__len__``.

    Any iterable of indices, a plain list included, can serve as a ``DataLoader``'s
    ``sampler``; this class only names the idea.
    """

    def __init__(self, data_source: Any = None) -> None:
        # PyTorch once took the data set here; the argument is accepted and unused.
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler[int]):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order."""

    data_source: Any

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Indices of ``data_source`` in random order, drawn anew at every iteration.

    Without ``replacement`` each pass is a random permutation; asking for more
    ``num_samples`` than there are samples chains whole permutations, then part of one.
    With ``replacement`` every index is drawn independently and uniformly.
    ``num_samples`` defaults to ``len(data_source)``. Draws come from ``generator`` (a
    ``minigrad.Generator``) or, by default, from minigrad's generator.
    """

    data_source: Any
    replacement: bool
    generator: Any

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        _check_generator(generator, "RandomSampler")
        count = len(data_source) if num_samples is None else num_samples
        if not _is_int(count) or count <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={count!r}"
                + (" (the data set is empty)" if num_samples is None else "")
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self) -> int:
        """How many indices one iteration yields."""
        # Follows the data set's length when not given (the data set may grow).
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        size, wanted = len(self.data_source), self.num_samples
        random = _random(self.generator)
        if self.replacement:
            yield from random.integers(0, size, size=wanted).tolist()
            return
        for _ in range(wanted // size):
            yield from random.permutation(size).tolist()
        if wanted % size:
            yield from random.permutation(size)[: wanted % size].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (a new one at every iteration), without
    replacement."""

    indices: Sequence[int]
    generator: Any

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for position in _random(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[position]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices in ``[0, len(weights))``, index ``i`` drawn with
    probability ``weights[i] / sum(weights)``, with or without ``replacement``.

    ``weights`` need not sum to one but must be non-negative, finite and not all zero.
    """

    weights: np.ndarray
    num_samples: int
    replacement: bool
    generator: Any

    def __init__(
        self,
        weights: Sequence[float] | Tensor | np.ndarray,
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={num_samples!r}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        _check_generator(generator, "WeightedRandomSampler")
        values = np.asarray(weights._array if isinstance(weights, Tensor) else weights, np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                f"weights should be a non-empty 1-d sequence, but got shape {values.shape}"
            )
        if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
            raise ValueError(
                f"weights must be finite, non-negative and not all zero, got {values.tolist()}"
            )
        nonzero = int(np.count_nonzero(values))
        if not replacement and num_samples > nonzero:
            raise ValueError(
                f"cannot draw num_samples={num_samples} indices without replacement from "
                f"{nonzero} non-zero weights"
            )
        self.weights = values
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        probabilities = self.weights / self.weights.sum()
        chosen = _random(self.generator).choice(
            len(probabilities), size=self.num_samples, replace=self.replacement, p=probabilities
        )
        yield from chosen.tolist()

    def __len__(self) -> int:
        return self.num_samples


def _check_batch_size(batch_size: Any) -> None:
    if not _is_int(batch_size) or batch_size <= 0:
        raise ValueError(
            f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
        )


def _check_drop_last(drop_last: Any) -> None:
    if not isinstance(drop_last, bool):
        raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")


class BatchSampler(Sampler[list[int]]):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last list is
    shorter, or dropped when ``drop_last=True``.

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    sampler: Iterable[int]
    batch_size: int
    drop_last: bool

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_batch_size(batch_size)
        _check_drop_last(drop_last)
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while True:
            batch = list(itertools.islice(indices, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        count = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return count // self.batch_size
        return -(-count // self.batch_size)


# ---------------------------------------------------------------------- collate

_COLLATE_TYPES = "tensors, numpy arrays, numbers, dicts or lists"


def _is_numpy_text(array: np.ndarray) -> bool:
    return array.dtype.kind in "SUOV"


def _stack(tensors: Sequence[Tensor]) -> Tensor:
    """``minigrad.stack(tensors)``, without recording anything when no gradient is
    needed (the usual case for data, and one NumPy call instead of one op per sample)."""
    first = tensors[0]._array
    plain = all(
        isinstance(t, Tensor)
        and not t.requires_grad
        and t._array.shape == first.shape
        and t._array.dtype == first.dtype
        for t in tensors
    )
    if plain:
        return Tensor._make(np.stack([t._array for t in tensors]))
    # Mixed dtypes (promoted as minigrad promotes), shapes that differ (its error names
    # them) and tensors that require gradients (recorded) go through the op.
    return _ops.stack(list(tensors))


def _numpy_to_tensor(array: np.ndarray) -> Tensor:
    dtypes.resolve(array.dtype)  # a TypeError naming an unsupported dtype
    return Tensor._make(np.asarray(array))


def default_collate(batch: Sequence[Any]) -> Any:
    """Join a list of samples into a batch, field by field, as PyTorch's
    ``default_collate``. By the type of the first sample:

    - ``Tensor``: stacked along a new first dimension (``minigrad.stack``);
    - NumPy array: made a tensor and stacked (text and object arrays are refused);
      NumPy scalars: one 1-d tensor of their dtype;
    - ``float``: a float64 tensor; ``int``: int64 (or float32 if the batch also holds
      floats); ``bool``: bool, as ``minigrad.tensor`` infers;
    - ``str`` and ``bytes``: left as they are (the sequence of them);
    - mapping: the same kind of mapping, each key collated over the samples;
    - named tuple: the same named tuple, each field collated;
    - tuple or list: transposed, then each position collated: a batch of
      ``(input, target)`` pairs becomes ``[inputs, targets]``. A tuple gives a list (as
      in PyTorch), a list stays a list; all samples must have the same length.

    Anything else raises a TypeError naming its type.

    >>> inputs, targets = default_collate([(minigrad.zeros(3), 1), (minigrad.ones(3), 0)])
    >>> inputs.shape, targets
    ((2, 3), tensor([1, 0]))
    """
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty batch")
    element = batch[0]
    if isinstance(element, Tensor):
        return _stack(batch)
    if isinstance(element, np.ndarray):
        if _is_numpy_text(element):
            raise TypeError(
                f"default_collate: batch must contain {_COLLATE_TYPES}; found {element.dtype}"
            )
        return _stack([_numpy_to_tensor(array) for array in batch])
    if isinstance(element, np.generic) and not isinstance(element, (np.str_, np.bytes_)):
        return _numpy_to_tensor(np.array(batch))
    if isinstance(element, (str, bytes)):
        return batch
    if isinstance(element, float):
        return Tensor._make(dtypes.as_array(list(batch), dtypes.float64, copy=True))
    if isinstance(element, int):  # bools included: a batch of them stays bool
        return Tensor._make(dtypes.as_array(list(batch), copy=True))
    if isinstance(element, collections.abc.Mapping):
        return _same_mapping(
            element, {key: default_collate([s[key] for s in batch]) for key in element}
        )
    if isinstance(element, tuple) and hasattr(element, "_fields"):  # a named tuple
        return type(element)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(element, collections.abc.Sequence):
        sizes = [len(sample) for sample in batch]
        if any(size != sizes[0] for size in sizes):
            raise RuntimeError(
                f"default_collate: each element in list of batch should be of equal size, "
                f"got sizes {sizes}"
            )
        collated = [default_collate(field) for field in zip(*batch)]
        if isinstance(element, tuple):
            return collated
        return _same_sequence(element, collated)
    raise TypeError(f"default_collate: batch must contain {_COLLATE_TYPES}; found {type(element)}")


def _same_mapping(model: Any, values: dict[Any, Any]) -> Any:
    """``values`` in the kind of mapping ``model`` is (a plain dict when that fails)."""
    try:
        if isinstance(model, collections.abc.MutableMapping):
            clone = copy.copy(model)  # keeps an OrderedDict's or defaultdict's type
            clone.update(values)
            return clone
        return type(model)(values)
    except TypeError:
        return values


def _same_sequence(model: Any, values: list[Any]) -> Any:
    """``values`` in the kind of sequence ``model`` is (a list when that fails)."""
    if isinstance(model, list):
        return values
    try:
        return type(model)(values)
    except TypeError:
        return values


def default_convert(data: Any) -> Any:
    """Turn one sample's NumPy arrays and NumPy scalars into tensors, keeping everything
    else; the collate function of a ``DataLoader`` with ``batch_size=None``.

    Mappings, named tuples and lists are converted element by element and keep their
    type; a tuple becomes a list (as in PyTorch); Python numbers and strings are left
    alone.
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_numpy_text(data) else _numpy_to_tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return _numpy_to_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _same_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_sequence(data, [default_convert(item) for item in data])
    return data


def get_worker_info() -> None:
    """Information about the loading worker process this is called from: always
    ``None``, since minigrad loads data in the main process (as PyTorch returns ``None``
    there)."""
    return None


# ---------------------------------------------------------------------- DataLoader

# Attributes PyTorch forbids changing once a DataLoader exists (the samplers were built
# from them).
_FIXED_AFTER_INIT = frozenset(
    {"batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"}
)


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches, with PyTorch's arguments and defaults.

    Args:
        dataset: a map-style data set (``__getitem__`` and ``__len__``; a list will do)
            or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` turns batching off, so each item is
            one sample passed through ``collate_fn`` (``default_convert`` by default).
        shuffle: read the samples in a new random order every epoch (every ``iter``).
        sampler: the indices to read (any iterable of them); excludes ``shuffle``.
        batch_sampler: lists of indices, one per batch; excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers: accepted for compatibility; minigrad always loads in the main
            process, so any value gives the same batches as 0 (and ``worker_init_fn``
            is never called, as PyTorch does not call it with no workers).
        collate_fn: joins a list of samples into a batch (``default_collate``).
        pin_memory: accepted and ignored (minigrad runs on the CPU).
        drop_last: drop the last batch when it has fewer than ``batch_size`` samples.
        timeout: must be non-negative; there are no workers to wait for.
        worker_init_fn, multiprocessing_context, prefetch_factor, persistent_workers,
        pin_memory_device, in_order: accepted and checked as PyTorch checks them, and
            otherwise unused.
        generator: a ``minigrad.Generator`` for the shuffle; by default the order is
            drawn from minigrad's generator, so ``minigrad.manual_seed`` fixes it.

    ``len(loader)`` is the number of batches: ``ceil(len(dataset) / batch_size)``, or the
    floor with ``drop_last`` (an iterable data set needs a ``__len__`` for it).

    >>> loader = DataLoader(TensorDataset(minigrad.randn(10, 3)), batch_size=4)
    >>> len(loader), [batch[0].shape for batch in loader]
    (3, [(4, 3), (4, 3), (2, 3)])
    """

    dataset: Any
    batch_size: int | None
    drop_last: bool
    sampler: Any
    batch_sampler: Any
    num_workers: int
    collate_fn: Callable[[Any], Any]
    pin_memory: bool
    timeout: float
    worker_init_fn: Callable[[int], None] | None
    multiprocessing_context: Any
    generator: Any
    prefetch_factor: int | None
    persistent_workers: bool
    pin_memory_device: str
    in_order: bool

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        # Every check comes first: a refused loader leaves nothing half set up.
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError(
                f"num_workers option should be non-negative; use num_workers=0 to disable "
                f"multiprocessing (got num_workers={num_workers!r})"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                f"prefetch_factor option could only be specified with num_workers > 0, got "
                f"prefetch_factor={prefetch_factor!r} with num_workers=0"
            )
        if prefetch_factor is not None and (not _is_int(prefetch_factor) or prefetch_factor < 0):
            raise ValueError(
                f"prefetch_factor option should be a non-negative integer, got "
                f"prefetch_factor={prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                "(num_workers > 0), but got num_workers=0"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"worker_init_fn must be callable, got {type(worker_init_fn).__name__}")
        _check_generator(generator, "DataLoader")
        _check_drop_last(drop_last)
        if batch_size is not None:
            _check_batch_size(batch_size)
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle!r} (an iterable data set cannot be shuffled "
                    f"by the loader)"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler!r}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler!r}"
                )
        elif sampler is not None and shuffle:
            raise ValueError(
                f"sampler option is mutually exclusive with shuffle (got sampler={sampler!r} "
                f"and shuffle={shuffle!r})"
            )
        if batch_sampler is not None:
            conflicts = []
            if batch_size != 1:
                conflicts.append(f"batch_size={batch_size!r}")
            if shuffle:
                conflicts.append(f"shuffle={shuffle!r}")
            if sampler is not None:
                conflicts.append(f"sampler={sampler!r}")
            if drop_last:
                conflicts.append("drop_last=True")
            if conflicts:
                given = ", ".join(conflicts)
                raise ValueError(
                    f"batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    f"sampler, and drop_last (got {given})"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last=True"
            )

        if not iterable:
            if sampler is None:
                if shuffle:
                    sampler = RandomSampler(dataset, generator=generator)
                else:
                    sampler = SequentialSampler(dataset)
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            batched = batch_size is not None or batch_sampler is not None
            collate_fn = default_collate if batched else default_convert

        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = int(num_workers)
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FIXED_AFTER_INIT and self.__dict__.get("_initialized", False):
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is "
                f"initialized (make a new loader instead)"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        """Whether samples are grouped into batches (``batch_size`` or ``batch_sampler``)."""
        return self.batch_size is not None or self.batch_sampler is not None

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            count = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return count
            if self.drop_last:
                return count // self.batch_size
            return -(-count // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self) -> _DataLoaderIterator:
        if isinstance(self.dataset, IterableDataset):
            batches = self._iterable_batches()
        else:
            batches = self._map_batches()
        return _DataLoaderIterator(self, batches)

    def _map_batches(self) -> Iterator[Any]:
        dataset, collate = self.dataset, self.collate_fn
        if self.batch_sampler is None:
            for index in self.sampler:
                yield collate(dataset[index])
            return
        fetch_many = getattr(dataset, "__getitems__", None)
        for indices in self.batch_sampler:
            if callable(fetch_many):
                samples = fetch_many(indices)
            else:
                samples = [dataset[index] for index in indices]
            yield collate(samples)

    def _iterable_batches(self) -> Iterator[Any]:
        samples, collate = iter(self.dataset), self.collate_fn
        if self.batch_size is None:
            for sample in samples:
                yield collate(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield collate(batch)


class _DataLoaderIterator:
    """One epoch of a ``DataLoader``: ``next`` gives the next batch, ``len`` the number
    of batches in the epoch."""

    def __init__(self, loader: DataLoader[Any], batches: Iterator[Any]) -> None:
        self._loader = loader
        self._batches = batches

    def __iter__(self) -> _DataLoaderIterator:
        return self

    def __next__(self) -> Any:
        return next(self._batches)

    def __len__(self) -> int:
        return len(self._loader)
