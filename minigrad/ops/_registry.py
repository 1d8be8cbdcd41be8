"""The table of differentiable operations that the property tests walk.

Every op registers one or more :class:`OpInfo` records next to its definition: how to call
it, its NumPy reference, where its inputs may be drawn from (away from kinks and poles),
whether it is smooth enough for second derivatives. One parametrised Hypothesis test
(``tests/ops/test_op_table.py``) then checks every record: forward against the reference,
``gradcheck``, and ``gradgradcheck`` for smooth ops, with broadcasting and non-contiguous
inputs. A new op is one more record, and an op without a record fails a test.

``minigrad.testing.strategies.op_inputs`` turns a record into a Hypothesis strategy, so
users can describe their own ops with ``OpInfo`` and reuse the same test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OpInfo", "RECORDS", "register"]


@dataclass(frozen=True)
class OpInfo:
    """How to test one differentiable operation.

    Attributes:
        name: a unique name for test ids (``"exp"``, ``"sum_dim"``).
        function: calls the op: ``function(*tensors, **kwargs) -> Tensor``.
        reference: the NumPy forward oracle: ``reference(*arrays, **kwargs) -> ndarray``.
        arity: how many tensor inputs ``function`` takes.
        shapes: how input shapes are drawn: ``"broadcast"`` (mutually broadcastable),
            ``"same"`` (all equal), ``"matmul"`` (compatible for ``@``) or ``"linear"``
            (input, weight and bias of an affine map).
        domain: the interval input values are drawn from, one pair for all inputs or one
            pair per input.
        kinks: points where the op is not differentiable; inputs stay ``margin`` away.
            A function of the drawn keyword arguments when they move the kinks.
        margin: the distance kept from kinks.
        smooth: second derivatives exist on the domain: run ``gradgradcheck`` too.
        kwargs: draws keyword arguments for given input shapes:
            ``kwargs(rng, shapes) -> dict`` with ``rng`` a ``numpy.random.Generator``.
        min_rank / max_rank: the ranks of the drawn shapes.
        min_side: the smallest size of any dimension (reductions with indices need 1).
        distinct: inputs must have pairwise distinct values (max, sort-like ops, whose
            gradient jumps where two elements tie).
    """

    name: str
    function: Callable[..., Any]
    reference: Callable[..., Any]
    arity: int = 1
    shapes: str = "broadcast"
    domain: tuple[float, float] | tuple[tuple[float, float], ...] = (-2.0, 2.0)
    kinks: tuple[float, ...] | Callable[[dict], tuple[float, ...]] = ()
    margin: float = 0.05
    smooth: bool = True
    kwargs: Callable[[np.random.Generator, tuple[tuple[int, ...], ...]], dict] | None = None
    min_rank: int = 0
    max_rank: int = 3
    min_side: int = 0
    distinct: bool = False
    keeps_dtype: bool = True

    def kinks_for(self, kwargs: dict) -> tuple[float, ...]:
        """The kinks for the drawn keyword arguments."""
        return self.kinks(kwargs) if callable(self.kinks) else self.kinks

    def domain_of(self, index: int) -> tuple[float, float]:
        """The value interval of input ``index``."""
        if isinstance(self.domain[0], tuple):
            return self.domain[index]  # type: ignore[return-value]
        return self.domain  # type: ignore[return-value]


RECORDS: list[OpInfo] = []


def register(*records: OpInfo) -> None:
    """Add records to the table (names must be unique)."""
    known = {r.name for r in RECORDS}
    for record in records:
        if record.name in known:
            raise ValueError(f"an OpInfo named {record.name!r} is already registered")
        known.add(record.name)
        RECORDS.append(record)
