"""minigrad.utils.data: data sets, samplers, collation and the DataLoader.

The parity tests at the end compare with torch.utils.data where the result does not
depend on random numbers (lengths, batch shapes, collated dtypes, split sizes); they are
skipped when PyTorch is not installed.
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def rows(n: int = 10) -> TensorDataset:
    """Sample i is (float row [i, 10 + i], int label i)."""
    features = minigrad.tensor([[float(i), 10.0 + i] for i in range(n)])
    return TensorDataset(features, minigrad.arange(n))


class Stream(IterableDataset):
    def __init__(self, n: int, with_length: bool = True) -> None:
        self.n = n
        self.with_length = with_length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        if not self.with_length:
            raise TypeError("no length")
        return self.n


def labels_seen(loader: DataLoader) -> list[int]:
    return [int(label) for _, labels in loader for label in labels.tolist()]


# ---------------------------------------------------------------------- imports


def test_submodule_imports_and_attribute_access() -> None:
    import minigrad.utils.data as module

    assert minigrad.utils.data is module
    assert module.DataLoader is DataLoader
    code = "import minigrad; print(minigrad.utils.data.TensorDataset.__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "TensorDataset"


def test_every_public_name_has_a_docstring() -> None:
    import minigrad.utils.data as module

    assert module.__doc__
    for name in module.__all__:
        assert getattr(module, name).__doc__, name


# ---------------------------------------------------------------------- data sets


def test_tensor_dataset_items_are_tuples_of_rows() -> None:
    dataset = rows(5)
    assert len(dataset) == 5
    x, y = dataset[3]
    assert isinstance(dataset[3], tuple)
    assert x.shape == (2,) and x.tolist() == [3.0, 13.0]
    assert y.shape == () and y.item() == 3
    assert dataset[-1][1].item() == 4
    xs, ys = dataset[[0, 2]]
    assert xs.shape == (2, 2) and ys.tolist() == [0, 2]


def test_tensor_dataset_errors_name_the_sizes() -> None:
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="ndarray"):
        TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(minigrad.tensor(1.0))


def test_plain_dataset_needs_getitem_and_addition_concatenates() -> None:
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    joined = rows(3) + rows(2)
    assert isinstance(joined, ConcatDataset)
    assert len(joined) == 5
    assert joined.cumulative_sizes == [3, 5]
    assert [int(joined[i][1]) for i in range(5)] == [0, 1, 2, 0, 1]
    assert int(joined[-1][1]) == 1 and int(joined[-5][1]) == 0
    with pytest.raises(ValueError, match="-6"):
        joined[-6]
    with pytest.raises(IndexError, match="5"):
        joined[5]


def test_concat_dataset_refuses_empty_and_iterable() -> None:
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([rows(2), Stream(3)])


def test_subset_and_chain() -> None:
    subset = Subset(rows(10), [7, 2, 5])
    assert len(subset) == 3
    assert int(subset[0][1]) == 7
    assert [int(sample[1]) for sample in subset.__getitems__([2, 0])] == [5, 7]
    assert subset[[0, 1]][1].tolist() == [7, 2]
    chained = Stream(2) + Stream(3)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2]
    assert len(chained) == 5


def test_subset_forwards_batched_fetch() -> None:
    class Batched(Dataset):
        def __init__(self) -> None:
            self.calls: list[list[int]] = []

        def __getitem__(self, index):
            return index * 10

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [i * 10 for i in indices]

        def __len__(self) -> int:
            return 6

    inner = Batched()
    loader = DataLoader(Subset(inner, [5, 4, 3, 2]), batch_size=3)
    assert [b.tolist() for b in loader] == [[50, 40, 30], [20]]
    assert inner.calls == [[5, 4, 3], [2]]


# ---------------------------------------------------------------------- random_split


def test_random_split_integer_lengths_partition_the_data() -> None:
    minigrad.manual_seed(0)
    parts = random_split(range(10), [3, 7])
    assert [len(p) for p in parts] == [3, 7]
    seen = [p[i] for p in parts for i in range(len(p))]
    assert sorted(seen) == list(range(10))
    assert all(isinstance(p, Subset) for p in parts)


@given(
    size=st.integers(0, 60),
    fractions=st.lists(st.integers(1, 20), min_size=1, max_size=6),
)
def test_random_split_fractions_sizes_and_disjointness(size: int, fractions: list[int]) -> None:
    total = sum(fractions)
    lengths = [f / total for f in fractions]
    lengths[-1] = 1 - sum(lengths[:-1])  # sums to 1 up to rounding, as users write them
    if sum(lengths) > 1:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(size), lengths, generator=np.random.default_rng(size))
    sizes = [len(p) for p in parts]
    assert sum(sizes) == size
    floors = [int(np.floor(size * f)) for f in lengths]
    assert all(0 <= s - f <= 1 for s, f in zip(sizes, floors))
    everything = [index for p in parts for index in p.indices]
    assert sorted(everything) == list(range(size))
    # One warning for each empty split, as PyTorch warns.
    assert len(caught) == sizes.count(0)
    assert all("length of split" in str(w.message) for w in caught)


def test_random_split_fraction_remainders_go_round_robin() -> None:
    assert [len(p) for p in random_split(range(11), [0.5, 0.5])] == [6, 5]
    assert [len(p) for p in random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    assert [len(p) for p in random_split(range(11), [0.1] * 10)] == [2] + [1] * 9


def test_random_split_is_reproducible() -> None:
    minigrad.manual_seed(3)
    first = [p.indices for p in random_split(range(20), [0.5, 0.5])]
    minigrad.manual_seed(3)
    second = [p.indices for p in random_split(range(20), [0.5, 0.5])]
    assert first == second
    own = [
        random_split(range(20), [10, 10], generator=np.random.default_rng(1))[0].indices
        for _ in range(2)
    ]
    assert own[0] == own[1]


def test_random_split_errors() -> None:
    with pytest.raises(ValueError, match=r"sum to 6.*10 samples"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match=r"\[0\.5, 0\.6\]"):
        random_split(range(10), [0.5, 0.6])
    with pytest.raises(ValueError, match="fraction at index 0 is 1.5"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(TypeError, match="length 1"):
        random_split(range(10), [5, "5"])
    with pytest.raises(TypeError, match="generator"):
        random_split(range(10), [5, 5], generator=42)


# ---------------------------------------------------------------------- samplers


def test_sequential_and_batch_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert len(SequentialSampler(range(4))) == 4
    batches = BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)
    assert list(batches) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(batches) == 3
    dropped = BatchSampler(range(7), 3, drop_last=True)
    assert list(dropped) == [[0, 1, 2], [3, 4, 5]]
    assert len(dropped) == 2


def test_batch_sampler_errors() -> None:
    with pytest.raises(ValueError, match="batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size=2.0"):
        BatchSampler(range(3), 2.0, False)
    with pytest.raises(ValueError, match="drop_last=None"):
        BatchSampler(range(3), 2, None)


def test_random_sampler_permutes_and_follows_the_seed() -> None:
    sampler = RandomSampler(range(10))
    minigrad.manual_seed(5)
    first = list(sampler)
    second = list(sampler)
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert first != second  # a new order at every iteration
    minigrad.manual_seed(5)
    assert list(sampler) == first  # the seed set after the sampler was made counts
    assert all(type(i) is int for i in first)


def test_random_sampler_num_samples_and_replacement() -> None:
    more = list(RandomSampler(range(4), num_samples=10, generator=np.random.default_rng(0)))
    assert len(more) == 10
    assert sorted(more[:4]) == sorted(more[4:8]) == [0, 1, 2, 3]
    assert set(more[8:]) <= {0, 1, 2, 3} and len(set(more[8:])) == 2
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    assert len(RandomSampler(range(3), num_samples=7)) == 7


def test_random_sampler_errors() -> None:
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="empty"):
        RandomSampler([])
    with pytest.raises(TypeError, match="replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(TypeError, match="Generator"):
        RandomSampler(range(3), generator=np.random.RandomState(0))


def test_subset_random_and_weighted_samplers() -> None:
    picked = list(SubsetRandomSampler([10, 20, 30], generator=np.random.default_rng(0)))
    assert sorted(picked) == [10, 20, 30]
    assert len(SubsetRandomSampler([1, 2])) == 2
    weighted = WeightedRandomSampler([0.0, 1.0, 3.0], 200, generator=np.random.default_rng(0))
    drawn = list(weighted)
    assert len(drawn) == 200 == len(weighted)
    assert 0 not in drawn and drawn.count(2) > drawn.count(1)
    unique = list(WeightedRandomSampler(minigrad.tensor([1.0, 1.0, 1.0]), 3, replacement=False))
    assert sorted(unique) == [0, 1, 2]
    with pytest.raises(ValueError, match="num_samples=3 .* 2 non-zero"):
        WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)
    with pytest.raises(ValueError, match="num_samples=0"):
        WeightedRandomSampler([1.0], 0)


def test_custom_sampler_subclass_and_plain_list_sampler() -> None:
    class Backwards(Sampler[int]):
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self):
            return iter(range(self.n - 1, -1, -1))

        def __len__(self) -> int:
            return self.n

    loader = DataLoader(rows(5), batch_size=2, sampler=Backwards(5))
    assert labels_seen(loader) == [4, 3, 2, 1, 0]
    assert len(loader) == 3
    assert labels_seen(DataLoader(rows(5), batch_size=2, sampler=[1, 3])) == [1, 3]
    with pytest.raises(NotImplementedError):
        iter(Sampler())


# ---------------------------------------------------------------------- collate


def test_collate_tensors_stack_along_a_new_first_dimension() -> None:
    batch = default_collate([minigrad.zeros(2, 3), minigrad.ones(2, 3)])
    assert isinstance(batch, minigrad.Tensor)
    assert batch.shape == (2, 2, 3) and batch.dtype == minigrad.float32
    assert batch[1].tolist() == [[1.0] * 3] * 2
    scalars = default_collate([minigrad.tensor(1), minigrad.tensor(2)])
    assert scalars.shape == (2,) and scalars.dtype == minigrad.int64
    mixed = default_collate([minigrad.tensor(1), minigrad.tensor(2.0)])
    assert mixed.dtype == minigrad.float32  # promoted as minigrad.stack promotes
    with pytest.raises(ValueError, match=r"\(3,\)"):
        default_collate([minigrad.zeros(2), minigrad.zeros(3)])


def test_collate_keeps_gradients_flowing() -> None:
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    batch = default_collate([a, b])
    assert batch.requires_grad
    (batch * minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 2.0] and b.grad.tolist() == [3.0, 4.0]


def test_collate_numbers_follow_pytorch_dtypes() -> None:
    assert default_collate([1.0, 2.5]).dtype == minigrad.float64
    assert default_collate([1, 2]).dtype == minigrad.int64
    assert default_collate([True, False]).dtype == minigrad.bool
    assert default_collate([1, 2.5]).dtype == minigrad.float32  # as torch.tensor([1, 2.5])
    assert default_collate([np.float32(1), np.float32(2)]).dtype == minigrad.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == minigrad.int32
    assert default_collate([np.bool_(True)]).dtype == minigrad.bool
    arrays = default_collate([np.array([1, 2], np.int32), np.array([3, 4], np.int32)])
    assert arrays.shape == (2, 2) and arrays.dtype == minigrad.int32
    assert default_collate([np.array(1.5), np.array(2.5)]).dtype == minigrad.float64


def test_collate_nested_structures() -> None:
    batch = [(minigrad.zeros(2), "a", 1), (minigrad.ones(2), "b", 2)]
    inputs, names, labels = default_collate(batch)
    assert isinstance(default_collate(batch), list)  # a tuple gives a list, as PyTorch
    assert inputs.shape == (2, 2)
    assert names == ("a", "b")
    assert labels.tolist() == [1, 2]
    assert default_collate(["x", "y"]) == ["x", "y"]

    samples = [{"x": 1.0, "y": ["s", 2]}, {"x": 2.0, "y": ["t", 3]}]
    collated = default_collate(samples)
    assert set(collated) == {"x", "y"}
    assert collated["x"].dtype == minigrad.float64 and collated["x"].tolist() == [1.0, 2.0]
    assert collated["y"][0] == ("s", "t") and collated["y"][1].tolist() == [2, 3]

    ordered = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert isinstance(ordered, collections.OrderedDict) and list(ordered) == ["b", "a"]

    Point = collections.namedtuple("Point", "x y")
    point = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point)
    assert point.x.tolist() == [1, 3] and point.y.dtype == minigrad.float64


def test_collate_errors_name_the_fault() -> None:
    with pytest.raises(RuntimeError, match=r"equal size.*\[2, 1\]"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="object"):
        default_collate([object()])
    with pytest.raises(TypeError, match="<U1"):
        default_collate([np.array(["a"])])
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])


def test_default_convert() -> None:
    converted = default_convert((np.zeros(2), 1.0, [np.int64(3)], "s"))
    assert isinstance(converted, list)
    assert isinstance(converted[0], minigrad.Tensor) and converted[0].dtype == minigrad.float64
    assert converted[1] == 1.0 and isinstance(converted[1], float)
    assert isinstance(converted[2][0], minigrad.Tensor) and converted[2][0].shape == ()
    assert converted[3] == "s"
    same = minigrad.zeros(2)
    assert default_convert(same) is same
    assert default_convert({"a": np.ones(1)})["a"].tolist() == [1.0]


# ---------------------------------------------------------------------- DataLoader


def test_loader_batches_shapes_and_dtypes() -> None:
    loader = DataLoader(rows(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [x.shape for x, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(x.dtype == minigrad.float32 and y.dtype == minigrad.int64 for x, y in batches)
    assert labels_seen(loader) == list(range(10))
    assert batches[2][0].tolist() == [[8.0, 18.0], [9.0, 19.0]]


def test_loader_defaults_match_pytorch() -> None:
    loader = DataLoader(rows(3))
    assert loader.batch_size == 1 and loader.drop_last is False
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler)
    assert loader.collate_fn is default_collate
    assert loader.num_workers == 0 and loader.generator is None
    assert [x.shape for x, _ in loader] == [(1, 2)] * 3


def test_loader_drop_last() -> None:
    loader = DataLoader(rows(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [x.shape[0] for x, _ in loader] == [4, 4]


def test_loader_reshuffles_every_epoch_and_follows_manual_seed() -> None:
    loader = DataLoader(rows(20), batch_size=6, shuffle=True)
    assert isinstance(loader.sampler, RandomSampler)
    minigrad.manual_seed(11)
    first, second = labels_seen(loader), labels_seen(loader)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second and first != list(range(20))
    minigrad.manual_seed(11)
    assert labels_seen(loader) == first
    assert labels_seen(loader) == second


def test_loader_with_its_own_generator() -> None:
    def epoch(seed: int) -> list[int]:
        loader = DataLoader(
            rows(12), batch_size=5, shuffle=True, generator=np.random.default_rng(seed)
        )
        return labels_seen(loader)

    minigrad.manual_seed(0)
    a = epoch(4)
    minigrad.manual_seed(1)  # minigrad's generator does not matter here
    assert epoch(4) == a
    assert epoch(5) != a


def test_loader_without_batching() -> None:
    loader = DataLoader(rows(3), batch_size=None)
    items = list(loader)
    assert len(loader) == 3
    assert isinstance(items[0], list)  # default_convert turns the tuple into a list
    assert items[1][0].shape == (2,) and items[1][1].item() == 1
    plain = list(DataLoader([np.float32(1.5), 2.0], batch_size=None))
    assert isinstance(plain[0], minigrad.Tensor) and plain[1] == 2.0
    shuffled = DataLoader(list(range(6)), batch_size=None, shuffle=True)
    assert sorted(shuffled) == list(range(6))


def test_loader_over_a_list_with_custom_collate_and_batch_sampler() -> None:
    loader = DataLoader(list(range(7)), batch_size=3, collate_fn=lambda batch: sum(batch))
    assert list(loader) == [3, 12, 6]
    by_batches = DataLoader(list(range(7)), batch_sampler=[[6, 0], [3]])
    assert [b.tolist() for b in by_batches] == [[6, 0], [3]]
    assert len(by_batches) == 2
    assert by_batches.batch_size is None and by_batches.drop_last is False


def test_loader_over_iterable_dataset() -> None:
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    dropped = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dropped] == [[0, 1, 2], [3, 4, 5]]
    assert len(dropped) == 2
    unbatched = DataLoader(Stream(4), batch_size=None)
    assert list(unbatched) == [0, 1, 2, 3] and len(unbatched) == 4
    with pytest.raises(TypeError):
        len(DataLoader(Stream(4, with_length=False), batch_size=2))


def test_loader_iterator_has_a_length_and_workers_run_in_process() -> None:
    loader = DataLoader(rows(10), batch_size=3, num_workers=2, worker_init_fn=print)
    iterator = iter(loader)
    assert len(iterator) == 4
    assert iter(iterator) is iterator
    assert labels_seen(loader) == list(range(10))
    assert loader.prefetch_factor == 2
    assert get_worker_info() is None


def test_loader_attributes_fixed_after_init() -> None:
    loader = DataLoader(rows(4), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=name):
            setattr(loader, name, None)
    loader.collate_fn = default_convert  # other attributes may change, as in PyTorch
    assert loader.batch_size == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size=0"),
        ({"batch_size": -2}, ValueError, "batch_size=-2"),
        ({"batch_size": 2.0}, ValueError, "batch_size=2.0"),
        ({"batch_size": True}, ValueError, "batch_size=True"),
        ({"sampler": [0, 1], "shuffle": True}, ValueError, "sampler option is mutually"),
        ({"batch_sampler": [[0]], "batch_size": 2}, ValueError, "batch_size=2"),
        ({"batch_sampler": [[0]], "drop_last": True}, ValueError, "drop_last=True"),
        ({"batch_size": None, "drop_last": True}, ValueError, "batch_size=None"),
        ({"drop_last": 1}, ValueError, "drop_last=1"),
        ({"num_workers": -1}, ValueError, "num_workers=-1"),
        ({"timeout": -1}, ValueError, "timeout=-1"),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor=2"),
        ({"persistent_workers": True}, ValueError, "persistent_workers"),
        ({"multiprocessing_context": "spawn"}, ValueError, "num_workers=0"),
        ({"collate_fn": 3}, TypeError, "collate_fn"),
        ({"generator": 0}, TypeError, "int"),
    ],
)
def test_loader_rejects_bad_arguments(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        DataLoader(rows(4), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shuffle": True}, "shuffle=True"),
        ({"sampler": [0]}, r"sampler=\[0\]"),
        ({"batch_sampler": [[0]]}, "batch_sampler"),
    ],
)
def test_loader_rejects_options_an_iterable_dataset_cannot_use(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        DataLoader(Stream(3), **kwargs)


def test_refused_loader_draws_no_random_numbers() -> None:
    minigrad.manual_seed(2)
    expected = minigrad.rand(3).tolist()
    minigrad.manual_seed(2)
    with pytest.raises(ValueError):
        DataLoader(rows(4), shuffle=True, batch_size=0)
    assert minigrad.rand(3).tolist() == expected


# ---------------------------------------------------------------------- parity with torch


def test_parity_lengths_and_batch_shapes(torch) -> None:
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchTensorDataset

    for n, batch_size, drop_last in [(10, 3, False), (10, 3, True), (9, 3, False), (1, 4, False)]:
        ours = DataLoader(
            TensorDataset(minigrad.zeros(n, 2, 3), minigrad.zeros(n)),
            batch_size=batch_size,
            drop_last=drop_last,
        )
        theirs = TorchLoader(
            TorchTensorDataset(torch.zeros(n, 2, 3), torch.zeros(n)),
            batch_size=batch_size,
            drop_last=drop_last,
        )
        assert len(ours) == len(theirs)
        assert [tuple(x.shape) for x, _ in ours] == [tuple(x.shape) for x, _ in theirs]
        assert [tuple(y.shape) for _, y in ours] == [tuple(y.shape) for _, y in theirs]


def _structure(value):
    """A comparable picture of a collated batch: containers, dtypes, shapes, values."""
    if hasattr(value, "dtype") and hasattr(value, "shape") and hasattr(value, "tolist"):
        dtype = str(value.dtype).replace("torch.", "")
        return ("tensor", dtype, tuple(value.shape), value.tolist())
    if isinstance(value, dict):
        return ("dict", {key: _structure(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_structure(item) for item in value])
    return ("value", value)


COLLATE_CASES = [
    [1.0, 2.5],
    [1, 2],
    [True, False],
    [1, 2.5],
    [2.5, 1],
    ["a", "b"],
    [(1.0, "x", 3), (2.0, "y", 4)],
    [[1, 2.0], [3, 4.0]],
    [{"a": 1, "b": [1.5, True]}, {"a": 2, "b": [2.5, False]}],
]


@pytest.mark.parametrize("batch", COLLATE_CASES)
def test_parity_collate_python_values(torch, batch) -> None:
    from torch.utils.data import default_collate as torch_collate

    assert _structure(default_collate(batch)) == _structure(torch_collate(batch))


@pytest.mark.parametrize(
    "arrays",
    [
        [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
        [np.zeros((2, 3)), np.ones((2, 3))],
        [np.float32(1.5), np.float32(2)],
        [np.int64(3), np.int64(4)],
        [np.array(1.5), np.array(2.5)],
    ],
)
def test_parity_collate_numpy(torch, arrays) -> None:
    from torch.utils.data import default_collate as torch_collate

    assert _structure(default_collate(arrays)) == _structure(torch_collate(arrays))


def test_parity_collate_tensors(torch) -> None:
    from torch.utils.data import default_collate as torch_collate

    values = [[[1.0, 2.0]], [[3.0, 4.0]]]
    ours = default_collate([(minigrad.tensor(v), minigrad.tensor(i)) for i, v in enumerate(values)])
    theirs = torch_collate([(torch.tensor(v), torch.tensor(i)) for i, v in enumerate(values)])
    assert _structure(ours) == _structure(theirs)


def test_parity_default_convert(torch) -> None:
    from torch.utils.data import default_convert as torch_convert

    sample = (np.zeros(2), 1.0, [np.int64(3)], "s", {"k": np.ones(1, np.float32)})
    assert _structure(default_convert(sample)) == _structure(torch_convert(sample))


@pytest.mark.parametrize(
    ("size", "lengths"),
    [
        (10, [0.5, 0.5]),
        (11, [0.5, 0.5]),
        (10, [0.33, 0.33, 0.34]),
        (11, [0.1] * 10),
        (7, [0.2, 0.3, 0.5]),
        (100, [0.7, 0.2, 0.1]),
        (3, [0.25, 0.25, 0.25, 0.25]),
        (10, [4, 6]),
    ],
)
def test_parity_random_split_lengths(torch, size, lengths) -> None:
    from torch.utils.data import random_split as torch_split

    with pytest.warns(UserWarning) if size < len(lengths) else contextlib.nullcontext():
        ours = [len(part) for part in random_split(range(size), lengths)]
    with pytest.warns(UserWarning) if size < len(lengths) else contextlib.nullcontext():
        theirs = [len(part) for part in torch_split(range(size), lengths)]
    assert ours == theirs


def test_parity_samplers_lengths(torch) -> None:
    import torch.utils.data as tud

    data = range(9)
    pairs = [
        (SequentialSampler(data), tud.SequentialSampler(data)),
        (RandomSampler(data, num_samples=13), tud.RandomSampler(data, num_samples=13)),
        (BatchSampler(data, 4, False), tud.BatchSampler(data, 4, False)),
        (BatchSampler(data, 4, True), tud.BatchSampler(data, 4, True)),
        (SubsetRandomSampler([1, 5]), tud.SubsetRandomSampler([1, 5])),
    ]
    for ours, theirs in pairs:
        assert len(ours) == len(theirs)
        assert len(list(ours)) == len(list(theirs))
    assert list(BatchSampler(data, 4, False)) == list(tud.BatchSampler(data, 4, False))


def test_parity_iterable_loader(torch) -> None:
    import torch.utils.data as tud

    class TorchStream(tud.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self) -> int:
            return 7

    for batch_size, drop_last in [(3, False), (3, True), (None, False)]:
        ours = DataLoader(Stream(7), batch_size=batch_size, drop_last=drop_last)
        theirs = tud.DataLoader(TorchStream(), batch_size=batch_size, drop_last=drop_last)
        assert len(ours) == len(theirs)
        assert [_structure(b) for b in ours] == [_structure(b) for b in theirs]


def test_loader_takes_a_minigrad_generator() -> None:
    data = TensorDataset(minigrad.arange(20))
    orders = []
    for _ in range(2):
        g = minigrad.Generator().manual_seed(7)
        loader = DataLoader(data, batch_size=20, shuffle=True, generator=g)
        orders.append(next(iter(loader))[0].tolist())
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(20))
    with pytest.raises(TypeError, match="DataLoader: generator must be a minigrad.Generator"):
        DataLoader(data, generator=7)
