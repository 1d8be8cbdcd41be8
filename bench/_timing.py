"""Timing helpers shared by the benchmarks in ``bench/``.

``measure(func, *args)`` times repeated calls ``func(*args)`` and returns the time per
call, in seconds, as a :class:`Timing` (best and median over the repeats)::

    from _timing import measure
    timing = measure(np.exp, x, repeats=9)
    print(timing.best * 1e6, "us per call")

How a timed block runs, and why:

1. an idle gap (``IDLE_GAP`` seconds of sleep, after a garbage collection): on these
   2-core machines the worker threads of the runtime used just before (OpenBLAS, the
   OpenMP pools of PyTorch and Numba) keep spinning for a while and slow whatever runs
   next (DESIGN.md, "Measured on these machines");
2. one warm-up call (compiles a lazily compiled kernel, wakes this runtime's threads);
3. calibration: the number of calls per repeat is doubled until one repeat lasts at least
   ``min_repeat_time``, so that calls of a microsecond are not lost in the clock's noise;
4. ``repeats`` repeats of that many calls; each gives one time per call.

The best of the repeats is the figure least disturbed by other work on a shared machine;
the median says how typical it is. The garbage collector stays enabled: the cost of
collecting what a call leaves behind is part of the cost of the call.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["IDLE_GAP", "Timing", "idle", "measure"]

IDLE_GAP = 0.075
"""Seconds of sleep before each timed block (50-100 ms lets spinning threads park)."""


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one timed block."""

    best: float
    median: float
    calls_per_repeat: int
    repeats: int

    def statistic(self, name: str) -> float:
        """The figure called ``name``: ``"best"`` or ``"median"``."""
        if name not in ("best", "median"):
            raise ValueError(f"unknown statistic {name!r}: expected 'best' or 'median'")
        return self.best if name == "best" else self.median


def idle(gap: float = IDLE_GAP) -> None:
    """Collect garbage, then sleep ``gap`` seconds so that other runtimes' threads park."""
    gc.collect()
    time.sleep(gap)


def _time_calls(func: Callable[..., Any], args: tuple[Any, ...], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        func(*args)
    return time.perf_counter() - start


def measure(
    func: Callable[..., Any],
    *args: Any,
    repeats: int = 7,
    min_repeat_time: float = 0.02,
    gap: float = IDLE_GAP,
) -> Timing:
    """Time ``func(*args)``: idle gap, warm-up, calibration, then ``repeats`` repeats.

    Passing the arguments (rather than a lambda closing over them) keeps loops that
    build one benchmark per iteration free of late-binding surprises."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    idle(gap)
    func(*args)
    calls = 1
    while _time_calls(func, args, calls) < min_repeat_time:
        calls *= 2
    per_call = [_time_calls(func, args, calls) / calls for _ in range(repeats)]
    return Timing(min(per_call), statistics.median(per_call), calls, repeats)
