"""Tests of ``minigrad.data``: the generated teaching data sets.

Each generator is checked for its shapes, dtypes and value ranges, for reproducibility
(the same seed gives the same data, another seed other data, ``rng`` overrides ``seed``),
for the property that defines its task (checked by code written here, independently of
the library's), and for its argument errors, which must come before any random draw.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad import data

# ---------------------------------------------------------------------------------------
# Reproducibility, for every generator at once

GENERATORS: dict[str, Callable[..., Any]] = {
    "spirals": lambda **kw: data.spirals(64, classes=3, **kw),
    "moons": lambda **kw: data.moons(64, **kw),
    "xor": lambda **kw: data.xor(64, **kw),
    "adding_problem": lambda **kw: data.adding_problem(16, 20, **kw),
    "copy_task": lambda **kw: data.copy_task(16, 5, **kw),
    "temporal_order": lambda **kw: data.temporal_order(16, 30, **kw),
    "embedded_reber": lambda **kw: data.embedded_reber(16, **kw),
    "reber": lambda **kw: data.reber(16, **kw),
    "sine_mixture": lambda **kw: data.sine_mixture(100, noise=0.1, **kw),
    "mackey_glass": lambda **kw: data.mackey_glass(40, warmup=20.0, **kw),
}


def arrays(result: Any) -> list[np.ndarray]:
    """Every array in a generator's result (strings become an array of str)."""
    if isinstance(result, np.ndarray):
        return [result]
    return [np.asarray(part) for part in result]


def same(first: Any, second: Any) -> bool:
    a, b = arrays(first), arrays(second)
    return len(a) == len(b) and all(
        x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b)
    )


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_and_other_seed_other_data(name: str) -> None:
    make = GENERATORS[name]
    assert same(make(seed=3), make(seed=3))
    assert same(make(), make(seed=0))  # the default seed is 0
    assert not same(make(seed=3), make(seed=4))
    assert not same(make(seed=None), make(seed=None))  # fresh entropy each time


@pytest.mark.parametrize("name", GENERATORS)
def test_rng_overrides_seed_and_is_advanced(name: str) -> None:
    make = GENERATORS[name]
    first = make(seed=1, rng=np.random.default_rng(5))
    assert same(first, make(seed=2, rng=np.random.default_rng(5)))
    shared = np.random.default_rng(5)
    assert same(make(rng=shared), first)
    assert not same(make(rng=shared), first)  # the generator moved on


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize(
    ("keywords", "error", "message"),
    [
        ({"seed": -1}, ValueError, "seed must be non-negative, got -1"),
        ({"seed": 1.5}, TypeError, "seed must be an int or None, got 1.5"),
        ({"seed": True}, TypeError, "seed must be an int or None"),
        ({"rng": 7}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_seed_or_rng(name: str, keywords: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        GENERATORS[name](**keywords)


# Calls with one bad argument each: (call, exception, words the message must contain).
BAD_CALLS: list[tuple[Callable[..., Any], type, str]] = [
    (lambda **kw: data.spirals(0, **kw), ValueError, "n must be at least 1, got 0"),
    (
        lambda **kw: data.spirals(2.5, **kw),  # type: ignore[arg-type]
        TypeError,
        "n must be an int, got 2.5",
    ),
    (lambda **kw: data.spirals(10, classes=1, **kw), ValueError, "classes must be at least 2"),
    (lambda **kw: data.spirals(10, noise=-0.1, **kw), ValueError, "noise must be non-negative"),
    (lambda **kw: data.spirals(10, turns=0, **kw), ValueError, "turns must be positive, got 0"),
    (lambda **kw: data.moons(-3, **kw), ValueError, "n must be at least 1, got -3"),
    (lambda **kw: data.moons(10, noise=-1, **kw), ValueError, "noise must be non-negative, got -1"),
    (lambda **kw: data.moons(10, noise=np.nan, **kw), ValueError, "noise must be finite"),
    (lambda **kw: data.xor(10, noise=-0.5, **kw), ValueError, "noise must be non-negative"),
    (lambda **kw: data.xor(True, **kw), TypeError, "n must be an int, got True"),
    (lambda **kw: data.adding_problem(0, 10, **kw), ValueError, "n must be at least 1, got 0"),
    (lambda **kw: data.adding_problem(4, 1, **kw), ValueError, "length must be at least 2, got 1"),
    (lambda **kw: data.copy_task(4, 0, **kw), ValueError, "length must be at least 1, got 0"),
    (lambda **kw: data.copy_task(4, 3, delay=0, **kw), ValueError, "delay must be at least 1"),
    (lambda **kw: data.copy_task(4, 3, symbols=0, **kw), ValueError, "symbols must be at least 1"),
    (lambda **kw: data.temporal_order(4, 9, **kw), ValueError, "length must be at least 10, got 9"),
    (
        lambda **kw: data.temporal_order(4, 50, 4, **kw),
        ValueError,
        "relevant must be 2 or 3, got 4",
    ),
    (lambda **kw: data.embedded_reber(0, **kw), ValueError, "n must be at least 1, got 0"),
    (
        lambda **kw: data.embedded_reber(4, max_length=8, **kw),
        ValueError,
        "max_length must be at least 9 (the shortest embedded Reber string), got 8",
    ),
    (
        lambda **kw: data.embedded_reber(4, min_length=20, max_length=12, **kw),
        ValueError,
        "min_length (20) must not exceed max_length (12)",
    ),
    (lambda **kw: data.reber(4, max_length=4, **kw), ValueError, "max_length must be at least 5"),
    (lambda **kw: data.sine_mixture(0, **kw), ValueError, "n_steps must be at least 1, got 0"),
    (
        lambda **kw: data.sine_mixture(10, frequencies=(0.1, 0.7), **kw),
        ValueError,
        "frequencies must be at most 0.5 cycles per step, got 0.7",
    ),
    (
        lambda **kw: data.sine_mixture(10, frequencies=(0.0,), **kw),
        ValueError,
        "frequencies must be positive, got 0.0",
    ),
    (lambda **kw: data.sine_mixture(10, frequencies=(), **kw), ValueError, "must not be empty"),
    (
        lambda **kw: data.sine_mixture(10, frequencies=(0.1, 0.2), amplitudes=(1.0,), **kw),
        ValueError,
        "amplitudes has 1 values but frequencies has 2",
    ),
    (lambda **kw: data.sine_mixture(10, noise=-2, **kw), ValueError, "noise must be non-negative"),
    (lambda **kw: data.mackey_glass(0, **kw), ValueError, "n_steps must be at least 1, got 0"),
    (lambda **kw: data.mackey_glass(5, dt=0.0, **kw), ValueError, "dt must be positive, got 0.0"),
    (
        lambda **kw: data.mackey_glass(5, tau=17.05, **kw),
        ValueError,
        "tau (17.05) must be a whole multiple of dt (0.1)",
    ),
    (
        lambda **kw: data.mackey_glass(5, sample_every=0.25, **kw),
        ValueError,
        "sample_every (0.25) must be a whole multiple of dt (0.1)",
    ),
    (lambda **kw: data.mackey_glass(5, tau=1.0, dt=2.0, **kw), ValueError, "must not exceed tau"),
    (lambda **kw: data.mackey_glass(5, x0=-1.0, **kw), ValueError, "x0 must be positive, got -1.0"),
    (lambda **kw: data.mackey_glass(5, warmup=-1.0, **kw), ValueError, "warmup must be non-neg"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_arguments_raise_before_any_random_draw(
    call: Callable[..., Any], error: type, message: str
) -> None:
    rng = np.random.default_rng(11)
    state = rng.bit_generator.state
    with pytest.raises(error, match=re.escape(message)):
        call(rng=rng)
    assert rng.bit_generator.state == state


# ---------------------------------------------------------------------------------------
# one_hot


def test_one_hot_values_shapes_and_dtype() -> None:
    labels = np.array([[2, 0], [1, 2]])
    out = data.one_hot(labels)
    assert out.shape == (2, 2, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.float32)[labels])
    wide = data.one_hot([1], classes=5, dtype=np.float64)
    assert wide.dtype == np.float64 and wide.tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0]]
    assert data.one_hot([], classes=4).shape == (0, 4)
    assert data.one_hot(np.uint8(3), classes=4).tolist() == [0.0, 0.0, 0.0, 1.0]


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30), st.integers(0, 5))
def test_one_hot_property(labels: list[int], extra: int) -> None:
    classes = max(labels) + 1 + extra
    out = data.one_hot(labels, classes=classes, dtype=np.int64)
    assert out.shape == (len(labels), classes)
    assert (out.sum(axis=1) == 1).all()
    assert out.argmax(axis=1).tolist() == labels


@pytest.mark.parametrize(
    ("labels", "classes", "error", "message"),
    [
        ([0, -1], None, ValueError, "labels must be non-negative, got -1"),
        ([0, 3], 3, ValueError, "label 3 is out of range for classes=3"),
        ([0.0, 1.0], None, TypeError, "labels must be integers, got dtype float64"),
        ([True], None, TypeError, "labels must be integers, got dtype bool"),
        ([], None, ValueError, "cannot infer classes from empty labels"),
        ([1], 0, ValueError, "classes must be at least 1, got 0"),
    ],
)
def test_one_hot_errors(labels: Any, classes: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        data.one_hot(labels, classes=classes)


# ---------------------------------------------------------------------------------------
# 2-D classification


@pytest.mark.parametrize(
    ("make", "classes"),
    [
        (lambda n: data.spirals(n, classes=3), 3),
        (data.spirals, 2),
        (data.moons, 2),
        (data.xor, 2),
    ],
)
@pytest.mark.parametrize("n", [1, 7, 301])
def test_classification_shapes_dtypes_and_balance(
    make: Callable[[int], Any], classes: int, n: int
) -> None:
    x, labels = make(n)
    assert x.shape == (n, 2) and x.dtype == np.float32
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert np.isfinite(x).all()
    assert ((labels >= 0) & (labels < classes)).all()
    counts = np.bincount(labels, minlength=classes)
    assert counts.max() - counts.min() <= 1  # as balanced as n allows


def test_spirals_lie_on_their_arms() -> None:
    classes, turns = 4, 1.5
    x, labels = data.spirals(1000, classes=classes, noise=0.0, turns=turns, seed=2)
    assert set(labels.tolist()) == set(range(classes))
    radius = np.hypot(x[:, 0], x[:, 1]).astype(np.float64)
    assert (radius < 1.0 + 1e-6).all()
    expected = 2 * np.pi * (turns * radius + labels / classes)
    difference = np.angle(np.exp(1j * (np.arctan2(x[:, 1], x[:, 0]) - expected)))
    assert np.abs(difference * radius).max() < 1e-5  # distance along the circle
    # With noise the radius is unchanged (the noise turns the point about the origin).
    noisy, noisy_labels = data.spirals(1000, classes=classes, noise=0.3, turns=turns, seed=2)
    np.testing.assert_array_equal(noisy_labels, labels)
    np.testing.assert_allclose(np.hypot(noisy[:, 0], noisy[:, 1]), radius, atol=1e-6)
    assert not np.allclose(noisy, x)


def test_moons_lie_on_two_half_circles() -> None:
    x, labels = data.moons(500, noise=0.0, seed=1)
    upper, lower = x[labels == 0].astype(np.float64), x[labels == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()
    noisy, _ = data.moons(500, noise=0.1, seed=1)
    assert 0.07 < float(np.std(noisy - x)) < 0.13  # the noise has the standard deviation asked


def test_xor_labels_are_the_xor_of_the_corner_signs() -> None:
    x, labels = data.xor(400, noise=0.0, seed=5)
    assert set(map(tuple, x.tolist())) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    np.testing.assert_array_equal(labels, (x[:, 0] * x[:, 1] < 0).astype(np.int64))
    noisy, noisy_labels = data.xor(400, noise=0.2, seed=5)
    np.testing.assert_array_equal(noisy_labels, labels)
    np.testing.assert_array_equal(np.sign(noisy), x)  # 0.2 noise never crosses an axis here
    # No straight line separates the classes: the best least-squares line is near chance.
    design = np.column_stack([noisy, np.ones(len(noisy))])
    weights = np.linalg.lstsq(design, 2.0 * noisy_labels - 1.0, rcond=None)[0]
    assert ((design @ weights > 0) == (noisy_labels == 1)).mean() < 0.7


# ---------------------------------------------------------------------------------------
# Long-memory tasks


@pytest.mark.parametrize("length", [2, 3, 51, 100])
def test_adding_problem(length: int) -> None:
    n = 300
    x, y = data.adding_problem(n, length, seed=length)
    assert x.shape == (n, length, 2) and x.dtype == np.float32
    assert y.shape == (n, 1) and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers).tolist()) <= {0.0, 1.0}
    assert (markers.sum(axis=1) == 2).all()
    half = length // 2
    assert (markers[:, :half].sum(axis=1) == 1).all()
    assert (markers[:, half:].sum(axis=1) == 1).all()
    marked = np.where(markers == 1, values, 0.0).sum(axis=1)
    np.testing.assert_array_equal(y[:, 0], marked)
    assert ((y >= 0) & (y < 2)).all()


def test_adding_problem_baseline() -> None:
    # The documented baseline: predicting 1 gives a mean squared error of about 1/6.
    _, y = data.adding_problem(4000, 20, seed=1)
    assert abs(float(y.mean()) - 1.0) < 0.03
    assert abs(float(((y - 1.0) ** 2).mean()) - 1 / 6) < 0.02


@pytest.mark.parametrize(("length", "symbols", "delay"), [(1, 1, 1), (5, 8, 10), (10, 3, 2)])
def test_copy_task(length: int, symbols: int, delay: int) -> None:
    n = 200
    inputs, targets = data.copy_task(n, length, symbols=symbols, delay=delay, seed=1)
    total = 2 * length + delay
    assert inputs.shape == (n, total, symbols + 2) and inputs.dtype == np.float32
    assert targets.shape == (n, total) and targets.dtype == np.int64
    assert set(np.unique(inputs).tolist()) <= {0.0, 1.0}
    assert (inputs.sum(axis=-1) == 1).all()  # one symbol per step
    codes = inputs.argmax(axis=-1)
    shown = codes[:, :length]
    assert ((shown >= 1) & (shown <= symbols)).all()
    assert (codes[:, length : length + delay - 1] == 0).all()  # blanks while waiting
    assert (codes[:, length + delay - 1] == symbols + 1).all()  # the delimiter, once
    assert (codes[:, length + delay :] == 0).all()  # blanks while recalling
    assert (targets[:, : length + delay] == 0).all()
    np.testing.assert_array_equal(targets[:, length + delay :], shown)
    # Every target is the input shown exactly length + delay steps earlier.
    lag = length + delay
    np.testing.assert_array_equal(targets[:, lag:], codes[:, : total - lag])
    assert ((targets >= 0) & (targets <= symbols)).all()
    assert set(np.unique(shown).tolist()) == set(range(1, symbols + 1))


def decode_temporal_order(inputs: np.ndarray) -> list[str]:
    assert (inputs.sum(axis=-1) == 1).all()
    return ["".join(data.TEMPORAL_ORDER_SYMBOLS[i] for i in row) for row in inputs.argmax(-1)]


@pytest.mark.parametrize(("length", "relevant"), [(100, 2), (100, 3), (10, 2), (10, 3), (37, 3)])
def test_temporal_order(length: int, relevant: int) -> None:
    n = 400
    inputs, labels = data.temporal_order(n, length, relevant, seed=2)
    assert inputs.shape == (n, length, 8) and inputs.dtype == np.float32
    assert labels.shape == (n,) and labels.dtype == np.int64
    windows = data.temporal_order_positions(length, relevant)
    for text, label in zip(decode_temporal_order(inputs), labels.tolist()):
        assert text[0] == "E" and text[-1] == "B"
        assert set(text[1:-1]) <= set("abcdXY")
        positions = [i for i, symbol in enumerate(text) if symbol in "XY"]
        assert len(positions) == relevant
        assert all(low <= p <= high for p, (low, high) in zip(positions, windows))
        order = "".join(text[p] for p in positions)
        assert label == int(order.replace("X", "0").replace("Y", "1"), 2)
    assert set(labels.tolist()) == set(range(2**relevant))


def test_temporal_order_classes_follow_the_1997_paper() -> None:
    assert data.temporal_order_positions(100, 2) == ((10, 20), (50, 60))
    assert data.temporal_order_positions(100, 3) == ((10, 20), (33, 43), (66, 76))
    inputs, labels = data.temporal_order(200, 100, seed=9)
    names = {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}
    for text, label in zip(decode_temporal_order(inputs), labels.tolist()):
        order = "".join(symbol for symbol in text if symbol in "XY")
        assert "QRSU"[label] == names[order]


@pytest.mark.parametrize("relevant", [2, 3])
def test_temporal_order_windows_are_valid_for_every_length(relevant: int) -> None:
    for length in range(10, 400):
        windows = data.temporal_order_positions(length, relevant)
        assert windows[0][0] >= 1 and windows[-1][1] <= length - 2
        assert all(low <= high for low, high in windows)
        assert all(a[1] < b[0] for a, b in zip(windows, windows[1:]))


# ---------------------------------------------------------------------------------------
# Reber grammars, checked against recognisers written here

# A regular expression for Reber's grammar, read off its diagram: from the node reached
# by "X" after the S-loop, either finish with "SE", or go round the T-loop and the "VP"
# return any number of times before finishing.
_AFTER_X = "(?:XT*VP)*(?:SE|XT*VVE)"
_REBER_RE = f"B(?:TS*X{_AFTER_X}|PT*V(?:VE|P{_AFTER_X}))"
REBER_RE = re.compile(_REBER_RE)
EMBEDDED_RE = re.compile(f"B(?:T{_REBER_RE}TE|P{_REBER_RE}PE)")

# The same grammar as a diagram of named nodes, walked with an outer "phase" for the
# embedding: this gives the legal next symbols after any prefix.
DIAGRAM = {
    "in": {"B": "a"},
    "a": {"T": "s-loop", "P": "t-loop"},
    "s-loop": {"S": "s-loop", "X": "x-node"},
    "t-loop": {"T": "t-loop", "V": "v-node"},
    "x-node": {"X": "t-loop", "S": "last"},
    "v-node": {"P": "x-node", "V": "last"},
    "last": {"E": "out"},
    "out": {},
}


def legal_after(prefix: str, embedded: bool) -> set[str]:
    """The symbols that may follow ``prefix``; raises AssertionError if it is illegal."""
    if not embedded:
        node = "in"
        for symbol in prefix:
            assert symbol in DIAGRAM[node], (prefix, symbol)
            node = DIAGRAM[node][symbol]
        return set(DIAGRAM[node])
    if prefix == "":
        return {"B"}
    assert prefix[0] == "B"
    if len(prefix) == 1:
        return {"T", "P"}
    branch, rest = prefix[1], prefix[2:]
    assert branch in "TP"
    inner_end = rest.find("E")
    if inner_end < 0:
        return legal_after(rest, embedded=False)
    inner, tail = rest[: inner_end + 1], rest[inner_end + 1 :]
    assert legal_after(inner, embedded=False) == set()
    assert (branch + "E").startswith(tail), prefix
    return [{branch}, {"E"}, set()][len(tail)]


def naive_walk(rng: np.random.Generator, embedded: bool) -> str:
    """One string by walking the diagram, each way out with probability 1/2."""

    def inner() -> str:
        node, out = "in", ""
        while DIAGRAM[node]:
            ways = sorted(DIAGRAM[node])
            symbol = ways[int(rng.integers(len(ways)))]
            out, node = out + symbol, DIAGRAM[node][symbol]
        return out

    if not embedded:
        return inner()
    branch = "TP"[int(rng.integers(2))]
    return "B" + branch + inner() + branch + "E"


def test_the_recognisers_agree_on_known_strings() -> None:
    for string in ["BTXSE", "BPVVE", "BTSSXXTVVE", "BPTVPXVVE", "BTXXVPSE"]:
        assert REBER_RE.fullmatch(string) and legal_after(string, False) == set()
        assert data.reber_accepts(string, embedded=False)
        assert not data.reber_accepts(string)
    for string in ["BTXE", "BTSXSEE", "BPVPE", "TXSE", ""]:
        assert not REBER_RE.fullmatch(string)
        assert not data.reber_accepts(string, embedded=False)
    assert EMBEDDED_RE.fullmatch("BPBTXSEPE") and data.reber_accepts("BPBTXSEPE")
    assert not EMBEDDED_RE.fullmatch("BPBTXSETE") and not data.reber_accepts("BPBTXSETE")


@pytest.mark.parametrize("embedded", [True, False])
def test_reber_strings_arrays_and_masks(embedded: bool) -> None:
    n, pattern = 300, EMBEDDED_RE if embedded else REBER_RE
    make = data.embedded_reber if embedded else data.reber
    batch = make(n, min_length=6, max_length=25, seed=3)
    strings, inputs, next_symbols, lengths = batch
    assert isinstance(batch, data.ReberSequences) and len(strings) == n
    width = max(map(len, strings))
    assert inputs.shape == next_symbols.shape == (n, width, 7)
    assert inputs.dtype == next_symbols.dtype == np.float32
    assert lengths.dtype == np.int64 and lengths.tolist() == [len(s) for s in strings]
    assert ((lengths >= (9 if embedded else 6)) & (lengths <= 25)).all()
    symbols = data.REBER_SYMBOLS
    for row, string in enumerate(strings):
        assert pattern.fullmatch(string), string
        m = len(string)
        assert (inputs[row, :m].sum(axis=-1) == 1).all() and not inputs[row, m:].any()
        assert "".join(symbols[i] for i in inputs[row, :m].argmax(-1)) == string
        for step in range(width):
            legal = {symbols[i] for i in np.flatnonzero(next_symbols[row, step])}
            if step >= m - 1:
                assert legal == set()  # after the final E, and in the padding
                continue
            assert legal == legal_after(string[: step + 1], embedded)
            assert string[step + 1] in legal and len(legal) in (1, 2)
        if embedded:  # the long-range dependency: only the branch symbol may come back
            legal_penultimate = np.flatnonzero(next_symbols[row, m - 3])
            assert [symbols[i] for i in legal_penultimate] == [string[1]]


def test_embedded_reber_shortest_strings_are_equally_likely() -> None:
    strings = data.embedded_reber(4000, min_length=9, max_length=9, seed=8).strings
    values, counts = np.unique(strings, return_counts=True)
    assert set(values.tolist()) == {
        "BTBTXSETE", "BTBPVVETE", "BPBTXSEPE", "BPBPVVEPE",
    }  # fmt: skip
    assert counts.min() > 880 and counts.max() < 1120  # 1000 each, +-4 standard deviations


@pytest.mark.parametrize(
    ("embedded", "low", "high"), [(True, 9, 30), (True, 14, 18), (False, 8, 12)]
)
def test_reber_lengths_match_rejection_sampling(embedded: bool, low: int, high: int) -> None:
    walker = np.random.default_rng(0)
    accepted: list[int] = []
    while len(accepted) < 3000:
        length = len(naive_walk(walker, embedded))
        if low <= length <= high:
            accepted.append(length)
    make = data.embedded_reber if embedded else data.reber
    lengths = make(3000, min_length=low, max_length=high, seed=1).lengths
    bins = np.arange(low, high + 2)
    naive = np.histogram(accepted, bins)[0] / len(accepted)
    exact = np.histogram(lengths, bins)[0] / len(lengths)
    assert 0.5 * np.abs(naive - exact).sum() < 0.05  # total variation distance


def test_long_reber_strings_are_cheap_and_valid() -> None:
    batch = data.embedded_reber(20, min_length=300, max_length=310, seed=0)
    assert all(300 <= len(s) <= 310 and EMBEDDED_RE.fullmatch(s) for s in batch.strings)


def test_encode_reber_round_trip_and_errors() -> None:
    strings = ["BTBTXSETE", "BPBPTVPXVVEPE"]
    batch = data.encode_reber(strings)
    assert batch.strings == strings and batch.lengths.tolist() == [9, 13]
    assert batch.inputs.shape == (2, 13, 7)
    same_batch = data.encode_reber(data.embedded_reber(5, seed=1).strings)
    assert same(same_batch, data.embedded_reber(5, seed=1))
    assert data.encode_reber([]).inputs.shape == (0, 0, 7)
    with pytest.raises(ValueError, match=r"'P' at position 7 cannot follow 'BTBTXSE' \(legal: T\)"):
        data.encode_reber(["BTBTXSEPE"])
    with pytest.raises(ValueError, match="ends early"):
        data.encode_reber(["BTBTXSE"])
    with pytest.raises(ValueError, match="comes after the final 'E'"):
        data.encode_reber(["BTXSEE"], embedded=False)
    with pytest.raises(TypeError, match="not one str"):
        data.encode_reber("BTXSE")


def test_next_symbol_correct() -> None:
    batch = data.embedded_reber(50, seed=2)
    perfect = batch.next_symbols + 0.01 * np.random.default_rng(0).random(batch.inputs.shape)
    assert data.next_symbol_correct(perfect, batch.next_symbols, batch.lengths).all()
    # One wrong step spoils that string only: an illegal symbol outscores a legal one.
    wrong = perfect.copy()
    step = int(batch.lengths[3]) - 3  # the step that needs the long memory
    illegal = int(np.flatnonzero(batch.next_symbols[3, step] == 0)[0])
    wrong[3, step, illegal] = 2.0
    result = data.next_symbol_correct(wrong, batch.next_symbols, batch.lengths)
    assert result.dtype == bool and result.tolist() == [i != 3 for i in range(50)]
    # Outputs after the last scored step do not count.
    ignored = perfect.copy()
    ignored[:, -1] = 5.0
    shortest = int(np.argmin(batch.lengths))
    assert data.next_symbol_correct(ignored, batch.next_symbols, batch.lengths)[shortest]
    with pytest.raises(ValueError, match="same shape"):
        data.next_symbol_correct(perfect[:, :-1], batch.next_symbols, batch.lengths)
    with pytest.raises(ValueError, match="lengths must have shape"):
        data.next_symbol_correct(perfect, batch.next_symbols, batch.lengths[:-1])


# ---------------------------------------------------------------------------------------
# Series


def test_sine_mixture() -> None:
    series = data.sine_mixture(1000, seed=4)
    assert series.shape == (1000,) and series.dtype == np.float32
    assert np.abs(series).max() <= 1.0 and series.std() > 0.2
    single = data.sine_mixture(400, frequencies=(0.1,), amplitudes=(2.0,), seed=4, dtype=np.float64)
    assert single.dtype == np.float64
    np.testing.assert_allclose(single[10:], single[:-10], atol=1e-9)  # period of 10 steps
    assert abs(np.abs(single).max() - 2.0) < 0.05
    # The phases are drawn first, so the same seed with noise adds exactly the noise.
    clean = data.sine_mixture(5000, seed=6, dtype=np.float64)
    noisy = data.sine_mixture(5000, noise=0.5, seed=6, dtype=np.float64)
    assert abs(float((noisy - clean).std()) - 0.5) < 0.03


def peak_heights(series: np.ndarray) -> int:
    """How many different heights (to 0.01) the local maxima of a series have."""
    middle = series[1:-1]
    peaks = middle[(middle > series[:-2]) & (middle > series[2:])]
    return len(np.unique(np.round(peaks, 2)))


def test_mackey_glass_range_and_chaos() -> None:
    series = data.mackey_glass(1500, x0=1.2)
    assert series.shape == (1500,) and series.dtype == np.float32
    assert 0.2 < series.min() and series.max() < 1.4  # the attractor's known range
    assert series.std() > 0.15
    # Not a cycle: the heights of its peaks keep changing (with tau=10 it is a cycle).
    assert peak_heights(series) > 12
    assert peak_heights(data.mackey_glass(1500, tau=10.0, x0=1.2)) <= 2
    # Sensitive dependence on the initial history: 1e-5 apart, later far apart (the
    # largest Lyapunov exponent is small, under 0.01 per time unit, so this takes a while).
    a = data.mackey_glass(2500, x0=1.2, warmup=0.0, dtype=np.float64)
    b = data.mackey_glass(2500, x0=1.2 + 1e-5, warmup=0.0, dtype=np.float64)
    gap = np.abs(a - b)
    assert gap[:50].max() < 1e-4 and gap[1500:].max() > 0.1


def test_mackey_glass_short_delay_settles_at_the_fixed_point() -> None:
    series = data.mackey_glass(100, tau=2.0, x0=0.5, warmup=300.0, dtype=np.float64)
    np.testing.assert_allclose(series, (0.2 / 0.1 - 1.0) ** (1 / 10), atol=1e-6)


def test_mackey_glass_integration_is_fourth_order() -> None:
    options: dict[str, Any] = {"x0": 1.2, "warmup": 0.0, "dtype": np.float64}
    reference = data.mackey_glass(80, dt=0.05, **options)
    coarse = np.abs(data.mackey_glass(80, dt=0.5, **options) - reference).max()
    finer = np.abs(data.mackey_glass(80, dt=0.25, **options) - reference).max()
    assert coarse < 1e-5 and 12 < coarse / finer < 20  # halving dt divides the error by 16


def test_mackey_glass_sampling_and_warmup_line_up() -> None:
    options: dict[str, Any] = {"x0": 0.9, "dtype": np.float64}
    every = data.mackey_glass(99, sample_every=1.0, warmup=10.0, **options)
    np.testing.assert_array_equal(
        data.mackey_glass(50, sample_every=2.0, warmup=10.0, **options), every[::2]
    )
    np.testing.assert_array_equal(
        data.mackey_glass(59, sample_every=1.0, warmup=50.0, **options), every[40:]
    )
    assert data.mackey_glass(5, warmup=0.0, **options)[0] == 0.9  # starts from the history


@pytest.mark.parametrize(
    ("window", "horizon", "step"), [(1, 1, 1), (5, 1, 1), (4, 3, 2), (9, 1, 3)]
)
def test_sliding_windows_line_up_with_the_series(window: int, horizon: int, step: int) -> None:
    series = np.arange(40, dtype=np.float32) ** 2
    inputs, targets = data.sliding_windows(series, window, horizon, step)
    count = (40 - window - horizon) // step + 1
    assert inputs.shape == (count, window, 1) and targets.shape == (count, horizon, 1)
    assert inputs.dtype == targets.dtype == np.float32
    for i in range(count):
        start = i * step
        np.testing.assert_array_equal(inputs[i, :, 0], series[start : start + window])
        np.testing.assert_array_equal(
            targets[i, :, 0], series[start + window : start + window + horizon]
        )
    assert (count - 1) * step + window + horizon <= 40 < count * step + window + horizon


@given(
    st.integers(2, 30), st.integers(1, 3), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3)
)
def test_sliding_windows_property(
    steps: int, features: int, window: int, horizon: int, step: int
) -> None:
    series = np.arange(steps * features, dtype=np.int64).reshape(steps, features)
    if steps < window + horizon:
        with pytest.raises(ValueError, match="too short"):
            data.sliding_windows(series, window, horizon, step)
        return
    inputs, targets = data.sliding_windows(series, window, horizon, step)
    assert inputs.dtype == np.int64 and inputs.shape[1:] == (window, features)
    assert targets.shape[1:] == (horizon, features) and len(inputs) == len(targets)
    joined = np.concatenate([inputs, targets], axis=1)  # each pair is one stretch of series
    for i, stretch in enumerate(joined):
        np.testing.assert_array_equal(stretch, series[i * step : i * step + window + horizon])


def test_sliding_windows_copies_and_errors() -> None:
    series = np.zeros((10, 2))
    inputs, targets = data.sliding_windows(series, 3)
    inputs[...] = 1.0
    targets[...] = 1.0
    assert not series.any()  # fresh arrays, not views into the series
    with pytest.raises(ValueError, match=re.escape("series has 4 steps, too short for window=3")):
        data.sliding_windows(np.zeros(4), 3, horizon=2)
    with pytest.raises(ValueError, match="window must be at least 1, got 0"):
        data.sliding_windows(series, 0)
    with pytest.raises(ValueError, match=re.escape("got shape (2, 2, 2)")):
        data.sliding_windows(np.zeros((2, 2, 2)), 1)


# ---------------------------------------------------------------------------------------
# Text


def test_text_corpora() -> None:
    text = data.text_corpus()
    assert isinstance(text, str) and len(text) >= 50_000
    assert text == data.text_corpus("docstrings")  # deterministic (and cached)
    assert text.startswith("Text wrapping and filling.")
    zen = data.text_corpus("zen")
    assert zen.startswith("The Zen of Python, by Tim Peters\n\nBeautiful is better than ugly.")
    assert len(zen.splitlines()) == 21
    source = data.text_corpus("source")
    assert len(source) > len(text) and "def dedent(" in source
    with pytest.raises(ValueError, match="unknown corpus 'shakespeare'; choose one of"):
        data.text_corpus("shakespeare")


def test_vocabulary_encode_decode() -> None:
    text = data.text_corpus()
    chars, index = data.char_vocabulary(text)
    assert chars == sorted(set(text)) and all(chars[index[c]] == c for c in chars)
    codes = data.encode(text, index)
    assert codes.dtype == np.int64 and codes.shape == (len(text),)
    assert codes.min() == 0 and codes.max() == len(chars) - 1
    assert data.decode(codes, chars) == text
    assert data.decode(codes[:20].reshape(4, 5), chars) == text[:20]
    assert data.decode([], chars) == ""
    small_chars, small_index = data.char_vocabulary("abc")
    with pytest.raises(ValueError, match="character 'z' at position 2 is not in the vocabulary"):
        data.encode("abz", small_index)
    with pytest.raises(ValueError, match="code 3 is out of range for a vocabulary of 3"):
        data.decode([0, 3], small_chars)
    with pytest.raises(TypeError, match="codes must be integers"):
        data.decode([0.5], small_chars)
    with pytest.raises(TypeError, match="text must be a str"):
        data.char_vocabulary(["a", "b"])  # type: ignore[arg-type]
