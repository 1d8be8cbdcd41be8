"""Argument checks and the random generator shared by every data set.

Each generator checks all of its arguments before it draws a single random number, so a
bad call raises without advancing a generator the caller passed in.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def check_seed(seed: int | None, rng: np.random.Generator | None) -> None:
    """Raise now if ``seed`` or ``rng`` is unusable (called before any work is done)."""
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator or None, got {rng!r}")
    elif seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")


def generator(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator:
    """The generator a data set draws from: ``rng`` when given (it overrides ``seed``),
    else a new one made from ``seed`` (``None`` for fresh entropy)."""
    check_seed(seed, rng)
    return rng if rng is not None else np.random.default_rng(seed)


def integer(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int, refusing bools, floats and anything below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def real(name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a finite float that is >= 0 (or > 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if number < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return number
