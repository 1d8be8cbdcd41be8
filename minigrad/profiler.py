"""Where does a training step spend its time? Count it, op by op.

::

    with minigrad.profiler.profile() as prof:
        loss = loss_fn(model(x), y)
        loss.backward()
    print(prof.table())

prints one row per op type (``Recurrence``, ``Matmul``, ``Add``, ...): how often it ran
forward and backward, the time spent in each, and the memory its results took. The
backward columns count all the work of the backward pass: an op's own backward, and the
ops that backwards compute with (``Pow``'s backward multiplies and squares, so ``Mul``
and ``Pow`` each get a backward call from it). Run one step before the block: the first
call of a compiled kernel includes its compilation or the loading of its cache, which
would dominate the table. The spelling of PyTorch's profiler works too:
``print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))``.

How it counts: for the duration of the ``with`` block, the ``forward`` and ``backward``
of every :class:`~minigrad.autograd.Function` class that exists when the block starts
are wrapped by a timer (and the engine's gradient accumulation into leaves, shown as
``AccumulateGrad``), then put back. Times are *self* times: when a backward calls other
ops (``Mul``'s backward multiplies), their time is theirs, not counted twice. The bytes
are those of the new arrays an op returns (a view returns none). The timer costs about
a microsecond per call, which the table includes: tiny ops look slower than they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.autograd.engine import _Backward
from minigrad.tensor import Tensor

__all__ = ["OpStats", "OpTable", "profile"]


@dataclass
class OpStats:
    """What one op type did inside a :func:`profile` block (times in seconds)."""

    name: str
    forward_calls: int = 0
    forward_time: float = 0.0
    backward_calls: int = 0
    backward_time: float = 0.0
    bytes: int = 0

    @property
    def calls(self) -> int:
        return self.forward_calls + self.backward_calls

    @property
    def time(self) -> float:
        return self.forward_time + self.backward_time


_SORT_KEYS: dict[str, Callable[[OpStats], float]] = {
    "time": lambda s: s.time,
    "forward": lambda s: s.forward_time,
    "backward": lambda s: s.backward_time,
    "calls": lambda s: s.calls,
    "bytes": lambda s: s.bytes,
    "name": lambda s: 0.0,
    # PyTorch's names for the same columns
    "cpu_time_total": lambda s: s.time,
    "self_cpu_time_total": lambda s: s.time,
    "cpu_time": lambda s: s.time,
    "self_cpu_time": lambda s: s.time,
    "count": lambda s: s.calls,
    "cpu_memory_usage": lambda s: s.bytes,
    "self_cpu_memory_usage": lambda s: s.bytes,
}


class OpTable(list[OpStats]):
    """The rows of a profile, one :class:`OpStats` per op type."""

    def table(self, sort_by: str = "time", row_limit: int = 100) -> str:
        """The rows as a text table, largest ``sort_by`` first (``"time"``, ``"forward"``,
        ``"backward"``, ``"calls"``, ``"bytes"``, ``"name"``, or PyTorch's
        ``"cpu_time_total"`` and the like), at most ``row_limit`` rows (-1: all)."""
        if sort_by not in _SORT_KEYS:
            raise ValueError(
                f"profile table: sort_by must be one of {sorted(_SORT_KEYS)}, got {sort_by!r}"
            )
        rows = sorted(self, key=lambda s: s.name)
        if sort_by != "name":
            rows.sort(key=_SORT_KEYS[sort_by], reverse=True)
        total = sum(s.time for s in self) or 1.0
        width = max([len("op"), *(len(s.name) for s in self)])
        header = (
            f"{'op':<{width}}  {'fwd calls':>9}  {'fwd ms':>9}  {'bwd calls':>9}  "
            f"{'bwd ms':>9}  {'% time':>6}  {'KB out':>9}"
        )
        lines = [header, "-" * len(header)]
        for s in rows if row_limit < 0 else rows[:row_limit]:
            lines.append(
                f"{s.name:<{width}}  {s.forward_calls:>9}  {s.forward_time * 1e3:>9.3f}  "
                f"{s.backward_calls:>9}  {s.backward_time * 1e3:>9.3f}  "
                f"{100 * s.time / total:>6.1f}  {s.bytes / 1e3:>9.1f}"
            )
        lines.append("-" * len(header))
        forward = sum(s.forward_time for s in self)
        backward = sum(s.backward_time for s in self)
        lines.append(
            f"{len(self)} op types, {sum(s.calls for s in self)} calls: forward "
            f"{forward * 1e3:.3f} ms, backward {backward * 1e3:.3f} ms"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _new_bytes(result: Any) -> int:
    """The bytes of the arrays in an op's result that are not views of another array."""
    if isinstance(result, Tensor):
        result = result._array
    if isinstance(result, np.ndarray):
        return 0 if isinstance(result.base, np.ndarray) else int(result.nbytes)
    if isinstance(result, (tuple, list)):
        return sum(_new_bytes(item) for item in result)
    return 0


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


class profile:
    """A context manager that counts calls, time and result bytes per op type, in forward
    and backward (see the module's docstring). After the block: :meth:`table`,
    :meth:`key_averages`, and ``stats`` (name -> :class:`OpStats`).

    Only one profile runs at a time. Function classes defined inside the block are not
    counted (their ops run, unprofiled)."""

    _active: profile | None = None

    def __init__(self) -> None:
        self.stats: dict[str, OpStats] = {}
        self.wall_time = 0.0
        self._restore: list[tuple[type, str, Any]] = []
        self._children: list[float] = []  # the time of nested ops, per open call
        self._backward_depth = [0]  # how many backward calls are open

    # -- the wrapping

    def _timed(self, original: Callable[..., Any], phase: str, name_of: Callable[[Any], str]):
        stats, children, clock = self.stats, self._children, time.perf_counter
        backward_depth = self._backward_depth

        def timed(first: Any, *args: Any) -> Any:
            # An op that runs inside a backward (the Mul of Pow's backward) counts as
            # backward work: that is when it ran.
            in_backward = phase == "backward" or backward_depth[0] > 0
            if phase == "backward":
                backward_depth[0] += 1
            children.append(0.0)
            start = clock()
            try:
                result = original(first, *args)
            finally:
                elapsed = clock() - start
                nested = children.pop()
                if children:
                    children[-1] += elapsed
                if phase == "backward":
                    backward_depth[0] -= 1
            name = name_of(first)
            entry = stats.get(name)
            if entry is None:
                entry = stats[name] = OpStats(name)
            if not in_backward:
                entry.forward_calls += 1
                entry.forward_time += elapsed - nested
            else:
                entry.backward_calls += 1
                entry.backward_time += elapsed - nested
            entry.bytes += _new_bytes(result)
            return result

        return timed

    def _wrap(self, cls: type, attribute: str, phase: str, name_of: Callable[[Any], str],
              as_static: bool) -> None:
        original = cls.__dict__[attribute]
        function = original.__func__ if isinstance(original, staticmethod) else original
        timed = self._timed(function, phase, name_of)
        setattr(cls, attribute, staticmethod(timed) if as_static else timed)
        self._restore.append((cls, attribute, original))

    def __enter__(self) -> profile:
        if profile._active is not None:
            raise RuntimeError("minigrad.profiler.profile: a profile is already running; "
                               "profiles do not nest")
        profile._active = self
        node_name: Callable[[Any], str] = lambda ctx: type(ctx).__name__  # noqa: E731
        for cls in {*_subclasses(Function)}:
            for phase in ("forward", "backward"):
                if phase in cls.__dict__:
                    self._wrap(cls, phase, phase, node_name, as_static=True)
        self._wrap(_Backward, "accumulate", "backward", lambda _: "AccumulateGrad",
                   as_static=False)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_time = time.perf_counter() - self._start
        for cls, attribute, original in reversed(self._restore):
            setattr(cls, attribute, original)
        self._restore.clear()
        profile._active = None

    # -- the results

    def key_averages(self) -> OpTable:
        """The rows, one per op type (PyTorch's name for this call)."""
        return OpTable(self.stats.values())

    def table(self, sort_by: str = "time", row_limit: int = 100) -> str:
        """The text table (see :meth:`OpTable.table`), with the block's wall time."""
        return (
            self.key_averages().table(sort_by, row_limit)
            + f"; the block took {self.wall_time * 1e3:.3f} ms"
        )

    def __str__(self) -> str:
        return self.table()
