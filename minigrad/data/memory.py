"""Sequence tasks that need a long memory: the problems LSTM was invented to solve.

Hochreiter & Schmidhuber (1997), "Long short-term memory", Neural Computation 9(8),
chose tasks in which the information needed at the end of a sequence appears only near
its beginning, separated by many steps of distraction. A network trained by
back-propagation through time must carry an error signal across that gap; the gradients
of a plain RNN vanish long before. The three tasks here are generated from those
definitions (and their common modern forms); all return batch-first arrays.
"""

from __future__ import annotations

import numpy as np

from minigrad.data import _checks
from minigrad.data.encoding import one_hot

TEMPORAL_ORDER_SYMBOLS = "abcdXYEB"
"""The alphabet of :func:`temporal_order`, in one-hot order: distractors ``a b c d``,
the relevant symbols ``X Y``, the start symbol ``E`` and the end (trigger) symbol ``B``."""


def adding_problem(
    n: int,
    length: int,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of random numbers, two of them marked; the target is their sum.

    *What it tests:* remembering two values seen at unpredictable times, ignoring all
    the others, and combining them at the end: a long-memory task whose answer is a real
    number. A network that has learned nothing predicts the mean, 1, and scores a mean
    squared error of 1/6 (the variance of a sum of two uniform numbers); doing clearly
    better than that means the memory works.

    *Source:* Hochreiter & Schmidhuber (1997), experiment 4 ("adding problem"). This is
    the **modern version** used by Le, Jaitly & Hinton (2015) and Arjovsky, Shah &
    Bengio (2016): values uniform in [0, 1), exactly one marker uniformly placed in the
    first half (steps ``0 .. length // 2 - 1``) and one in the second half (the remaining
    steps), fixed length, and the plain sum as target. (The 1997 original drew values
    from [-1, 1], put the first marker among the first ten steps and the second among the
    first ``length / 2 - 1``, marked the first and last steps with -1, varied the length
    between T and T + T/10 and scaled the target to ``0.5 + sum / 4``.)

    Shapes: ``x`` (n, length, 2) float32 — channel 0 the values, channel 1 the markers
    (0 or 1, exactly two ones per sequence); ``y`` (n, 1) float32, the sum of the two
    marked values, in [0, 2).

    >>> x, y = adding_problem(4, 50, seed=7)
    >>> x.shape, y.shape
    ((4, 50, 2), (4, 1))
    >>> bool(np.allclose((x[..., 0] * x[..., 1]).sum(axis=1), y[:, 0]))
    True
    """
    n = _checks.integer("n", n)
    length = _checks.integer("length", length, minimum=2)
    random = _checks.generator(seed, rng)
    values = random.random((n, length), dtype=np.float32)  # [0, 1) exactly, in float32
    half = length // 2
    rows = np.arange(n)
    first = random.integers(0, half, n)
    second = random.integers(half, length, n)
    markers = np.zeros((n, length), dtype=np.float32)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values[rows, first] + values[rows, second])[:, None]
    return x, y


def copy_task(
    n: int,
    length: int,
    symbols: int = 8,
    delay: int = 10,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Show a random sequence of symbols, wait, then ask for it back.

    *What it tests:* storing a whole sequence, in order, for ``delay`` steps of blank
    input and replaying it when told to: memory capacity and precise timing. A network
    that outputs blanks and then guesses at random scores a cross-entropy of
    ``length * log(symbols) / (2 * length + delay)`` per step; beating that needs memory.

    *Source:* the "copying memory" problem in the form of Arjovsky, Shah & Bengio (2016)
    (after Hochreiter & Schmidhuber 1997 and Martens & Sutskever 2011); their
    ``T`` is ``delay`` here and their sequence of 10 symbols is ``length``.

    Categories: 0 is the blank, ``1 .. symbols`` the data symbols, ``symbols + 1`` the
    delimiter ("now recall"). With ``L = length`` and ``D = delay`` each sequence has
    ``2 L + D`` steps:

    ========================  =======================  ============================
    steps                     input                    target
    ========================  =======================  ============================
    ``0 .. L-1``              the data symbols         blank
    ``L .. L+D-2``            blank                    blank
    ``L+D-1``                 delimiter                blank
    ``L+D .. 2L+D-1``         blank                    the data symbols, in order
    ========================  =======================  ============================

    so every symbol is asked for exactly ``L + D`` steps after it was shown:
    ``targets[:, t] == inputs_as_integers[:, t - L - D]`` for ``t >= L + D``.

    Shapes: ``inputs`` (n, 2 L + D, symbols + 2) float32, one-hot; ``targets``
    (n, 2 L + D) int64 in ``[0, symbols]`` (``symbols + 1`` classes: the delimiter is
    never a target).

    >>> inputs, targets = copy_task(2, 3, symbols=4, delay=2, seed=0)
    >>> inputs.shape, targets.shape
    ((2, 8, 6), (2, 8))
    >>> bool((targets[:, 5:] == inputs[:, :3].argmax(-1)).all())
    True
    """
    n = _checks.integer("n", n)
    length = _checks.integer("length", length)
    symbols = _checks.integer("symbols", symbols)
    delay = _checks.integer("delay", delay)
    random = _checks.generator(seed, rng)
    total = 2 * length + delay
    data = random.integers(1, symbols + 1, (n, length))
    codes = np.zeros((n, total), dtype=np.int64)
    codes[:, :length] = data
    codes[:, length + delay - 1] = symbols + 1
    targets = np.zeros((n, total), dtype=np.int64)
    targets[:, length + delay :] = data
    return one_hot(codes, classes=symbols + 2), targets


# The 1997 positions of the relevant symbols, in per cent of a 100-step sequence.
_TEMPORAL_ORDER_WINDOWS = {
    2: ((10, 20), (50, 60)),
    3: ((10, 20), (33, 43), (66, 76)),
}


def temporal_order_positions(length: int, relevant: int = 2) -> tuple[tuple[int, int], ...]:
    """The inclusive ranges of steps where :func:`temporal_order` puts its X/Y symbols.

    For ``length=100`` these are the 1997 paper's ranges (two symbols: steps 10-20 and
    50-60; three: 10-20, 33-43, 66-76); other lengths scale them, rounding half up.

    >>> temporal_order_positions(100)
    ((10, 20), (50, 60))
    >>> temporal_order_positions(30, relevant=3)
    ((3, 6), (10, 13), (20, 23))
    """
    length = _checks.integer("length", length, minimum=10)
    if relevant not in _TEMPORAL_ORDER_WINDOWS:
        raise ValueError(f"relevant must be 2 or 3, got {relevant!r}")
    return tuple(
        ((length * low + 50) // 100, (length * high + 50) // 100)
        for low, high in _TEMPORAL_ORDER_WINDOWS[relevant]
    )


def temporal_order(
    n: int,
    length: int,
    relevant: int = 2,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Classify a long sequence by the order in which two (or three) symbols appear.

    *What it tests:* extracting information conveyed by the temporal order of widely
    separated events, and keeping it across long stretches of distractors: the class is
    known only once the last relevant symbol has been seen, and must be held until the
    end, when the trigger symbol asks for it.

    *Source:* Hochreiter & Schmidhuber (1997), experiments 6a (two relevant symbols,
    four classes) and 6b (three, eight classes).

    Each sequence starts with ``E`` and ends with ``B`` (the trigger); every other step
    is a distractor drawn uniformly from ``a b c d``, except ``relevant`` steps, one
    drawn uniformly from each range of :func:`temporal_order_positions`, that hold ``X``
    or ``Y`` with equal probability. The label reads the X/Y symbols in order as a
    binary number, X = 0 and Y = 1, first symbol most significant: with two symbols
    ``XX -> 0, XY -> 1, YX -> 2, YY -> 3`` (the paper's classes Q, R, S, U); with three,
    ``XXX -> 0 .. YYY -> 7``. (The paper let the length vary between 100 and 110; here
    all sequences have ``length`` steps, so they stack into one array.)

    Shapes: ``inputs`` (n, length, 8) float32, one-hot over
    :data:`TEMPORAL_ORDER_SYMBOLS` (``"abcdXYEB"``); ``labels`` (n,) int64 in
    ``[0, 2 ** relevant)``. ``length`` must be at least 10.

    >>> inputs, labels = temporal_order(3, 100, seed=0)
    >>> inputs.shape, labels.shape
    ((3, 100, 8), (3,))
    >>> text = "".join(TEMPORAL_ORDER_SYMBOLS[i] for i in inputs[0].argmax(-1))
    >>> text[0], text[-1], sum(symbol in "XY" for symbol in text)
    ('E', 'B', 2)
    """
    n = _checks.integer("n", n)
    windows = temporal_order_positions(length, relevant)
    random = _checks.generator(seed, rng)
    codes = random.integers(0, 4, (n, length))  # distractors a, b, c, d
    codes[:, 0] = TEMPORAL_ORDER_SYMBOLS.index("E")
    codes[:, -1] = TEMPORAL_ORDER_SYMBOLS.index("B")
    rows = np.arange(n)
    labels = np.zeros(n, dtype=np.int64)
    x_code = TEMPORAL_ORDER_SYMBOLS.index("X")
    for low, high in windows:
        position = random.integers(low, high + 1, n)
        is_y = random.integers(0, 2, n)
        codes[rows, position] = x_code + is_y
        labels = 2 * labels + is_y
    return one_hot(codes, classes=len(TEMPORAL_ORDER_SYMBOLS)), labels
