"""Strings of the Reber grammar and the embedded Reber grammar, for next-symbol prediction.

The Reber grammar is a small finite-state machine. Every string starts with ``B``,
walks the states below from state 1 (each of a state's two ways out taken with
probability 1/2) and ends with ``E`` once it leaves the machine::

    state    ways out
      1      T -> 2     P -> 3
      2      S -> 2     X -> 4
      3      T -> 3     V -> 5
      4      X -> 3     S -> end
      5      P -> 4     V -> end

for example ``BTXSE``, ``BPVVE``, ``BTSSXXTVVE``, ``BPTVPXVVE``.

The *embedded* grammar wraps a Reber string as ``B T <reber> T E`` or
``B P <reber> P E``. Inside, both the T- and P-branch strings look alike, so predicting
the second-to-last symbol needs the second symbol remembered across the whole inner
string — a memory task with the grammar's own structure as distraction.

Scoring is the standard one: after each symbol the grammar allows one or two next
symbols (:attr:`ReberSequences.next_symbols`), and a prediction counts as right when the
outputs for all legal next symbols are higher than all the others
(:func:`next_symbol_correct`); a string is right when every step is.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from minigrad.data import _checks
from minigrad.data.encoding import one_hot

REBER_SYMBOLS = "BTPSXVE"
"""The alphabet of both grammars, in one-hot order."""

_FINISHED = -1
# State -> its ways out, (symbol, next state). State 0 emits the B; 6 the final E.
_REBER: tuple[tuple[tuple[str, int], ...], ...] = (
    (("B", 1),),
    (("T", 2), ("P", 3)),
    (("S", 2), ("X", 4)),
    (("T", 3), ("V", 5)),
    (("X", 3), ("S", 6)),
    (("P", 4), ("V", 6)),
    (("E", _FINISHED),),
)


def _renumbered(offset: int, exit_state: int) -> list[tuple[tuple[str, int], ...]]:
    """A copy of the Reber machine at states ``offset ..``, leading to ``exit_state``."""
    return [
        tuple((symbol, exit_state if to == _FINISHED else to + offset) for symbol, to in ways)
        for ways in _REBER
    ]


def _embedded_reber() -> tuple[tuple[tuple[str, int], ...], ...]:
    # 0: B; 1: T or P; then one copy of the inner machine per branch, each leading to
    # its own tail that repeats the branch symbol; the last state emits the final E.
    size = len(_REBER)
    after_t, after_p = 2, 2 + size
    tail_t, tail_p, last = 2 + 2 * size, 3 + 2 * size, 4 + 2 * size
    states = [(("B", 1),), (("T", after_t), ("P", after_p))]
    states += _renumbered(after_t, tail_t)
    states += _renumbered(after_p, tail_p)
    states += [(("T", last),), (("P", last),), (("E", _FINISHED),)]
    return tuple(states)


_MACHINES = {False: _REBER, True: _embedded_reber()}
_SHORTEST = {False: 5, True: 9}  # BTXSE; BTBTXSETE


class ReberSequences(NamedTuple):
    """A batch of grammar strings, encoded for next-symbol prediction.

    ``strings``: the strings themselves. ``inputs``: (n, T, 7) float32, the one-hot
    symbols over :data:`REBER_SYMBOLS`, padded with zero rows after each string (``T`` is
    the longest string's length). ``next_symbols``: (n, T, 7) float32, row ``t`` is 1 for
    every symbol the grammar allows after ``strings[i][: t + 1]`` — the multi-label
    target at step ``t``; zero after the final ``E`` and in the padding. ``lengths``:
    (n,) int64, the length of each string (steps ``0 .. lengths[i] - 2`` are scored).
    """

    strings: list[str]
    inputs: np.ndarray
    next_symbols: np.ndarray
    lengths: np.ndarray


@functools.lru_cache(maxsize=16)
def _completion_weights(embedded: bool, max_length: int) -> tuple[int, tuple[tuple[int, ...], ...]]:
    """``(base, weights)``: the probability that the machine, in state ``s``, emits
    exactly ``k`` more symbols is ``weights[s][k] / base ** k``.

    Every probability of a way out is ``1 / ways`` with ``ways`` dividing ``base``, so
    the scaled weights are exact integers (Python's ints do not overflow): there is no
    underflow however long the strings.
    """
    machine = _MACHINES[embedded]
    base = math.lcm(*(len(ways) for ways in machine))
    columns: list[list[int]] = [[0] * len(machine)]  # k = 0: no state is already done

    def weight(state: int, k: int) -> int:
        if state == _FINISHED:
            return 1 if k == 0 else 0
        return columns[k][state]

    for k in range(1, max_length + 1):
        columns.append(
            [base // len(ways) * sum(weight(to, k - 1) for _, to in ways) for ways in machine]
        )
    by_state = tuple(tuple(column[state] for column in columns) for state in range(len(machine)))
    return base, by_state


def _sample(
    n: int, min_length: int, max_length: int, embedded: bool, rng: np.random.Generator
) -> list[str]:
    """``n`` strings drawn from the grammar's own random walk, conditioned on the length
    lying in ``[min_length, max_length]``: the distribution rejection sampling would
    give, computed exactly, so a long ``min_length`` costs no more than a short one."""
    machine = _MACHINES[embedded]
    base, weights = _completion_weights(embedded, max_length)
    candidates = np.arange(min_length, max_length + 1)
    log_mass = np.array(
        [
            math.log(weights[0][m]) - m * math.log(base) if weights[0][m] else -math.inf
            for m in candidates
        ]
    )
    mass = np.exp(log_mass - log_mass.max())
    lengths = rng.choice(candidates, size=n, p=mass / mass.sum())
    strings = []
    for length in lengths:
        draws = rng.random(int(length))
        state, remaining, symbols = 0, int(length), []
        for draw in draws:
            ways = machine[state]
            remaining -= 1
            # Each way out, weighted by how many completions of the right length it has.
            options = [
                (1 if remaining == 0 else 0) if to == _FINISHED else weights[to][remaining]
                for _, to in ways
            ]
            total, running, choice = sum(options), 0, len(ways) - 1
            for index, option in enumerate(options):
                running += option
                if option and draw < running / total:
                    choice = index
                    break
            symbol, state = ways[choice]
            symbols.append(symbol)
        strings.append("".join(symbols))
    return strings


def _check_lengths(min_length: int, max_length: int, embedded: bool) -> tuple[int, int]:
    min_length = _checks.integer("min_length", min_length)
    max_length = _checks.integer("max_length", max_length)
    shortest = _SHORTEST[embedded]
    name = "embedded Reber" if embedded else "Reber"
    if max_length < shortest:
        raise ValueError(
            f"max_length must be at least {shortest} (the shortest {name} string), got {max_length}"
        )
    if min_length > max_length:
        raise ValueError(f"min_length ({min_length}) must not exceed max_length ({max_length})")
    return max(min_length, shortest), max_length


def embedded_reber(
    n: int,
    min_length: int = 9,
    max_length: int = 30,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> ReberSequences:
    """Strings of the embedded Reber grammar, encoded for next-symbol prediction.

    *What it tests:* learning a finite-state grammar from examples (predicting which
    symbols may come next), and beyond that a long memory: the second symbol (``T`` or
    ``P``) decides the second-to-last one, with a whole Reber string in between. Simple
    recurrent networks learn the inner grammar but fail at this dependency as it gets
    longer; LSTM solved it.

    *Source:* the Reber grammar is from Reber (1967), "Implicit learning of artificial
    grammars"; the embedded form from Cleeremans, Servan-Schreiber & McClelland (1989),
    used as benchmark by Fahlman (1991) and Hochreiter & Schmidhuber (1997, experiment 1).

    Strings follow the grammar's random walk (each way out of a state with probability
    1/2), conditioned on a length in ``[min_length, max_length]``, computed exactly —
    the same strings rejection sampling would give, but any ``min_length`` is cheap.
    The shortest string has 9 symbols (the default ``min_length``); under the walk
    about one string in 800 would be longer than the default ``max_length`` of 30
    (the mean length is 12).
    See :class:`ReberSequences` for the arrays returned, and
    :func:`next_symbol_correct` for the standard score.

    >>> batch = embedded_reber(2, seed=4)
    >>> batch.strings[0][:2] in ("BT", "BP"), batch.inputs.shape[-1]
    (True, 7)
    >>> batch.strings[0][1] == batch.strings[0][-2]
    True
    """
    n = _checks.integer("n", n)
    min_length, max_length = _check_lengths(min_length, max_length, embedded=True)
    random = _checks.generator(seed, rng)
    return encode_reber(_sample(n, min_length, max_length, True, random), embedded=True)


def reber(
    n: int,
    min_length: int = 5,
    max_length: int = 30,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> ReberSequences:
    """Strings of the (plain) Reber grammar, encoded for next-symbol prediction.

    *What it tests:* learning a finite-state grammar from its strings — the next symbol
    depends on the machine's hidden state, which the network must infer from the
    symbols so far. A short memory suffices; :func:`embedded_reber` adds a long one.

    *Source:* Reber (1967); used to train simple recurrent networks by Cleeremans,
    Servan-Schreiber & McClelland (1989).

    Sampling and arrays as :func:`embedded_reber`; the shortest string has 5 symbols.

    >>> reber(3, seed=2).strings[0][0]
    'B'
    """
    n = _checks.integer("n", n)
    min_length, max_length = _check_lengths(min_length, max_length, embedded=False)
    random = _checks.generator(seed, rng)
    return encode_reber(_sample(n, min_length, max_length, False, random), embedded=False)


def _follow(string: str, machine: Sequence[tuple[tuple[str, int], ...]], name: str) -> list[int]:
    """The state after each symbol of ``string``; raises if the grammar rejects it."""
    state, states = 0, []
    for position, symbol in enumerate(string):
        if state == _FINISHED:
            raise ValueError(
                f"{string!r} is not in the {name} grammar: {symbol!r} at position "
                f"{position} comes after the final 'E'"
            )
        ways = dict(machine[state])
        if symbol not in ways:
            legal = ", ".join(sorted(ways))
            raise ValueError(
                f"{string!r} is not in the {name} grammar: {symbol!r} at position "
                f"{position} cannot follow {string[:position]!r} (legal: {legal})"
            )
        state = ways[symbol]
        states.append(state)
    if state != _FINISHED:
        legal = ", ".join(sorted(dict(machine[state])))
        raise ValueError(
            f"{string!r} is not in the {name} grammar: it ends early (next could be {legal})"
        )
    return states


def reber_accepts(string: str, *, embedded: bool = True) -> bool:
    """Whether ``string`` belongs to the (embedded, by default) Reber grammar.

    >>> reber_accepts("BTBTXSETE"), reber_accepts("BTBTXSEPE")
    (True, False)
    """
    try:
        _follow(string, _MACHINES[embedded], "")
    except ValueError:
        return False
    return True


def encode_reber(strings: Sequence[str], *, embedded: bool = True) -> ReberSequences:
    """Encode grammar strings as padded one-hot inputs, next-symbol targets and lengths.

    Raises a ``ValueError`` naming the first string the grammar rejects, and where.
    See :class:`ReberSequences` for the layout.

    >>> batch = encode_reber(["BTBTXSETE"])
    >>> batch.inputs.shape, batch.lengths.tolist()
    ((1, 9, 7), [9])
    >>> "".join(REBER_SYMBOLS[i] for i in np.flatnonzero(batch.next_symbols[0, 0]))
    'TP'
    """
    if isinstance(strings, str):
        raise TypeError("strings must be a sequence of strings, not one str")
    machine = _MACHINES[embedded]
    name = "embedded Reber" if embedded else "Reber"
    strings = list(strings)
    for string in strings:
        if not isinstance(string, str):
            raise TypeError(f"strings must contain str, got {string!r}")
    paths = [_follow(string, machine, name) for string in strings]
    lengths = np.array([len(string) for string in strings], dtype=np.int64)
    width = int(lengths.max()) if len(strings) else 0
    inputs = np.zeros((len(strings), width, len(REBER_SYMBOLS)), dtype=np.float32)
    next_symbols = np.zeros_like(inputs)
    for row, (string, path) in enumerate(zip(strings, paths)):
        codes = np.array([REBER_SYMBOLS.index(symbol) for symbol in string], dtype=np.int64)
        inputs[row, : len(string)] = one_hot(codes, classes=len(REBER_SYMBOLS))
        for step, state in enumerate(path[:-1]):
            for symbol, _ in machine[state]:
                next_symbols[row, step, REBER_SYMBOLS.index(symbol)] = 1.0
    return ReberSequences(strings, inputs, next_symbols, lengths)


def next_symbol_correct(
    outputs: ArrayLike, next_symbols: ArrayLike, lengths: ArrayLike
) -> np.ndarray:
    """Which strings a network predicted correctly, by the standard Reber-task score.

    At each scored step ``t < lengths[i] - 1`` the prediction is right when every legal
    next symbol gets a higher output than every illegal one (with one legal symbol: it
    is the arg-max; with two: they are the two most active outputs) — Hochreiter &
    Schmidhuber's (1997) criterion. A string counts only if every step is right.

    ``outputs`` and ``next_symbols`` are (n, T, 7) (scores, probabilities or logits —
    only their order matters); ``lengths`` (n,). Returns a bool array (n,).

    >>> batch = encode_reber(["BTBTXSETE"])
    >>> next_symbol_correct(batch.next_symbols, batch.next_symbols, batch.lengths)
    array([ True])
    """
    scores = np.asarray(outputs, dtype=np.float64)
    legal = np.asarray(next_symbols) > 0
    steps = np.asarray(lengths)
    if scores.shape != legal.shape or scores.ndim != 3:
        raise ValueError(
            f"outputs and next_symbols must have the same shape (n, T, symbols), got "
            f"{scores.shape} and {legal.shape}"
        )
    if steps.shape != scores.shape[:1]:
        raise ValueError(f"lengths must have shape ({scores.shape[0]},), got {steps.shape}")
    lowest_legal = np.where(legal, scores, np.inf).min(axis=-1)
    highest_illegal = np.where(legal, -np.inf, scores).max(axis=-1)
    scored = np.arange(scores.shape[1])[None, :] < (steps[:, None] - 1)
    return np.all((lowest_legal > highest_illegal) | ~scored, axis=1)
