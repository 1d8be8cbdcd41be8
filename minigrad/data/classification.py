"""Points in the plane with class labels: the first problems a hidden layer is needed for.

Every function returns ``(x, labels)``: ``x`` of shape ``(n, 2)``, float32, and
``labels`` of shape ``(n,)``, int64. The classes are as balanced as ``n`` allows (their
sizes differ by at most one) and the rows come in random order, so any slice of the
data is a fair batch.
"""

from __future__ import annotations

import numpy as np

from minigrad.data import _checks


def _balanced_labels(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n, dtype=np.int64) % classes)


def spirals(
    n: int,
    classes: int = 2,
    noise: float = 0.2,
    turns: float = 1.0,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    *What it tests:* whether a network can learn a decision boundary that winds around
    the origin. No straight cut or small bump separates the arms; a network needs enough
    hidden units (and usually two hidden layers) to follow them, and plain gradient
    descent on it is slow — the reason it became a benchmark.

    *Source:* the two-spirals problem of Lang & Witbrock (1988), "Learning to tell two
    spirals apart" (Connectionist Models Summer School); the version with ``classes``
    arms and noise on the angle is the one popularised by Karpathy's CS231n notes (2015).

    A point at position ``t`` in [0, 1) along the arm of class ``k`` sits at radius ``t``
    and angle ``2 pi (turns t + k / classes)`` plus Gaussian noise of standard deviation
    ``noise`` (radians), so the jitter grows with the radius and all arms meet at the
    origin. Points lie in the unit disc.

    Shapes: ``x`` (n, 2) float32, ``labels`` (n,) int64 in ``[0, classes)``.

    >>> x, labels = spirals(300, classes=3, seed=1)
    >>> x.shape, labels.shape, sorted(set(labels.tolist()))
    ((300, 2), (300,), [0, 1, 2])
    """
    n = _checks.integer("n", n)
    classes = _checks.integer("classes", classes, minimum=2)
    noise = _checks.real("noise", noise)
    turns = _checks.real("turns", turns, positive=True)
    random = _checks.generator(seed, rng)
    labels = _balanced_labels(n, classes, random)
    position = random.random(n)
    angle = 2.0 * np.pi * (turns * position + labels / classes)
    angle = angle + noise * random.standard_normal(n)
    x = np.stack([position * np.cos(angle), position * np.sin(angle)], axis=1)
    return x.astype(np.float32), labels


def moons(
    n: int,
    noise: float = 0.1,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half circles ("moons").

    *What it tests:* the smallest curved boundary worth learning: a linear classifier
    gets about 87% right, a network with one small hidden layer nearly all of it.

    *Source:* scikit-learn's ``make_moons`` (Pedregosa et al. 2011), the usual toy set
    for non-linear classifiers since.

    Class 0 lies on the upper half of the unit circle, ``(cos a, sin a)``; class 1 on
    the lower half circle shifted right and up, ``(1 - cos a, 0.5 - sin a)``, with ``a``
    uniform in [0, pi]. Gaussian noise of standard deviation ``noise`` is added to both
    coordinates. Without noise the points lie in ``[-1, 2] x [-0.5, 1]``.

    Shapes: ``x`` (n, 2) float32, ``labels`` (n,) int64 in {0, 1}.

    >>> x, labels = moons(200, noise=0.05, seed=3)
    >>> x.dtype, labels.dtype, int(labels.sum())
    (dtype('float32'), dtype('int64'), 100)
    """
    n = _checks.integer("n", n)
    noise = _checks.real("noise", noise)
    random = _checks.generator(seed, rng)
    labels = _balanced_labels(n, 2, random)
    angle = np.pi * random.random(n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(labels[:, None] == 0, upper, lower)
    x = x + noise * random.standard_normal((n, 2))
    return x.astype(np.float32), labels


def xor(
    n: int,
    noise: float = 0.2,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy copies of the four XOR patterns.

    *What it tests:* the need for a hidden layer at all. The two classes sit on opposite
    corners of a square, so no single line separates them: a perceptron cannot learn it,
    a network with two hidden units can.

    *Source:* Minsky & Papert (1969), *Perceptrons*, proved the limitation; Rumelhart,
    Hinton & Williams (1986) trained a hidden layer to solve it with back-propagation.

    Each point is one of the corners ``(+-1, +-1)`` (all four equally often) plus
    Gaussian noise of standard deviation ``noise``; its label is 1 when the signs of the
    corner's coordinates differ (XOR of the two bits ``coordinate > 0``), else 0. The
    corners are centred on 0 rather than at {0, 1} so that tanh units start in their
    useful range; ``noise=0`` gives exactly the four patterns.

    Shapes: ``x`` (n, 2) float32, ``labels`` (n,) int64 in {0, 1}.

    >>> x, labels = xor(8, noise=0.0)
    >>> bool(((x[:, 0] * x[:, 1] < 0) == (labels == 1)).all())
    True
    """
    n = _checks.integer("n", n)
    noise = _checks.real("noise", noise)
    random = _checks.generator(seed, rng)
    corner = _balanced_labels(n, 4, random)
    bits = np.stack([corner >> 1, corner & 1], axis=1)
    labels = (bits[:, 0] ^ bits[:, 1]).astype(np.int64)
    x = 2.0 * bits - 1.0 + noise * random.standard_normal((n, 2))
    return x.astype(np.float32), labels
