"""Classic teaching data sets, generated in code: seeded, small, and returned as NumPy arrays.

Every generator is reproducible: it takes a keyword-only ``seed`` (an int, default 0, or
None for fresh entropy) and ``rng`` (a ``numpy.random.Generator``, default None) which,
when given, overrides ``seed`` and is advanced by the call. Inputs are float32, class
labels and symbol codes int64, sequences batch first ``(n, steps, features)``. All
arguments are checked before any random number is drawn.

=========================  ===========================================================
2-D classification         :func:`spirals`, :func:`moons`, :func:`xor`
long memory (LSTM, 1997)   :func:`adding_problem`, :func:`copy_task`,
                           :func:`temporal_order`, :func:`embedded_reber`,
                           :func:`reber`, :func:`encode_reber`,
                           :func:`next_symbol_correct`
time series                :func:`sine_mixture`, :func:`mackey_glass`,
                           :func:`sliding_windows`
text                       :func:`text_corpus`, :func:`char_vocabulary`,
                           :func:`encode`, :func:`decode`
encoding                   :func:`one_hot`
=========================  ===========================================================

>>> from minigrad import data
>>> x, labels = data.spirals(200, seed=1)
>>> import numpy as np
>>> inputs, targets = data.adding_problem(32, 100, rng=np.random.default_rng(5))

The arrays go straight into ``minigrad.tensor`` or a ``TensorDataset``.
"""

from minigrad.data.classification import moons, spirals, xor
from minigrad.data.encoding import one_hot
from minigrad.data.memory import (
    TEMPORAL_ORDER_SYMBOLS,
    adding_problem,
    copy_task,
    temporal_order,
    temporal_order_positions,
)
from minigrad.data.reber import (
    REBER_SYMBOLS,
    ReberSequences,
    embedded_reber,
    encode_reber,
    next_symbol_correct,
    reber,
    reber_accepts,
)
from minigrad.data.series import mackey_glass, sine_mixture, sliding_windows
from minigrad.data.text import CORPORA, char_vocabulary, decode, encode, text_corpus

__all__ = [
    "CORPORA",
    "REBER_SYMBOLS",
    "TEMPORAL_ORDER_SYMBOLS",
    "ReberSequences",
    "adding_problem",
    "char_vocabulary",
    "copy_task",
    "decode",
    "embedded_reber",
    "encode",
    "encode_reber",
    "mackey_glass",
    "moons",
    "next_symbol_correct",
    "one_hot",
    "reber",
    "reber_accepts",
    "sine_mixture",
    "sliding_windows",
    "spirals",
    "temporal_order",
    "temporal_order_positions",
    "text_corpus",
    "xor",
]
