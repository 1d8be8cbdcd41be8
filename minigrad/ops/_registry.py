"""The table of ops: each public operation, where it is defined, and how it is tested.

An op is defined in one place: its :class:`~minigrad.autograd.Function` class(es), then
its public function, registered right after it with :func:`op`::

    class Exp(Function):
        ...

    def exp(input: Tensor) -> Tensor:
        return Exp.apply(input)

    op(exp, Exp, method=True, tests=[check(np.exp)])

The registration puts the function in ``OPS`` (name -> :class:`Op`), from which
``minigrad.ops`` derives ``TENSOR_METHODS`` and its ``__all__``; it names the Function
classes that compute the op; and it adds the op's :class:`OpInfo` records to ``RECORDS``.
(A call after the function rather than a decorator: the type checker must know each
function's type without evaluating a decorator first, for the Tensor method stubs in
``tensor.py`` and for the records that call the function itself.)

A record says how to test the op: its NumPy reference, where its inputs may be drawn from
(away from kinks and poles), whether it is smooth enough for second derivatives. One
parametrised Hypothesis test (``tests/ops/test_op_table.py``) then checks every record:
forward against the reference, ``gradcheck``, and ``gradgradcheck`` for smooth ops, with
broadcasting and non-contiguous inputs. That test also checks that every Function class
of minigrad is named by a registration (or listed there as tested elsewhere), so no op
escapes the table.

``minigrad.testing.strategies.op_inputs`` turns a record into a Hypothesis strategy, so
users can describe their own ops with ``OpInfo`` (and :func:`register`) and reuse the
same test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from minigrad.autograd import Function

__all__ = ["OPS", "Op", "OpInfo", "RECORDS", "alias", "check", "op", "register"]


@dataclass(frozen=True)
class OpInfo:
    """How to test one differentiable operation.

    Attributes:
        name: a unique name for test ids (``"exp"``, ``"sum_dim"``).
        function: calls the op: ``function(*tensors, **kwargs) -> Tensor``.
        reference: the NumPy forward oracle: ``reference(*arrays, **kwargs) -> ndarray``.
        arity: how many tensor inputs ``function`` takes.
        shapes: how input shapes are drawn: ``"broadcast"`` (mutually broadcastable),
            ``"same"`` (all equal), ``"matmul"`` (compatible for ``@``), ``"linear"``
            (input, weight and bias of an affine map), or a function ``shapes(rng) ->
            tuple of shapes`` for ops whose inputs' shapes are tied another way (the
            input, weight and bias of a convolution); ``rng`` is a seeded
            ``numpy.random.Generator``.
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
    shapes: str | Callable[[np.random.Generator], tuple[tuple[int, ...], ...]] = "broadcast"
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


# --------------------------------------------------------------------------- the ops


@dataclass(frozen=True)
class Op:
    """One public operation of :mod:`minigrad.ops`.

    Attributes:
        name: its name in ``minigrad.ops``, and in ``minigrad`` unless ``method_only``.
            A function that is a Tensor method under another name is exported under
            that name (``as_float32`` is ``x.float()`` and ``minigrad.ops.float``).
        function: the function itself.
        method: the name of the Tensor method that is this function, or ``None``.
        method_only: a Tensor method only, not also ``minigrad.<name>``, as in PyTorch
            (where ``torch.float`` names a dtype and there is no ``torch.contiguous``).
        classes: the Function classes that compute it, those of its backward included
            (``Tanh`` and ``TanhBackward`` for ``tanh``), but not those of the arithmetic
            it is written with.
    """

    name: str
    function: Callable[..., Any]
    method: str | None
    method_only: bool
    classes: tuple[type[Function], ...]


#: Every public op, in the order of definition (the ops package's modules in the order
#: ``minigrad/ops/__init__.py`` imports them).
OPS: dict[str, Op] = {}

_F = TypeVar("_F", bound=Callable[..., Any])

#: Builds an op's OpInfo record once the op's name and function are known (see check).
Check = Callable[[str, Callable[..., Any]], OpInfo]


def check(
    reference: Callable[..., Any],
    *,
    name: str | None = None,
    function: Callable[..., Any] | None = None,
    **fields: Any,
) -> Check:
    """An :class:`OpInfo` record for the op it is given to (``op(..., tests=[...])``).

    ``name`` and ``function`` default to the op's; a variant passes its own, as
    ``check(lambda x, scalar: x + scalar, name="add_scalar", function=lambda x, scalar:
    x + scalar, kwargs=_scalar)``. The other fields are those of :class:`OpInfo`.
    """

    def record(op_name: str, op_function: Callable[..., Any]) -> OpInfo:
        return OpInfo(name or op_name, function or op_function, reference, **fields)

    return record


def op(
    function: Callable[..., Any],
    *classes: type[Function],
    method: bool | str = False,
    method_only: bool = False,
    tests: Iterable[Check] = (),
) -> None:
    """Register ``function`` as a public op (see the module's docstring).

    Args:
        function: the public function.
        classes: the Function classes that compute it (see :class:`Op`). Naming a class
            declares that its ``forward`` computes on arrays and never records a node of
            its own, so ``Function.apply`` need not turn grad mode off around it (two
            thread-local writes saved per op; ``tests/ops/test_op_table.py`` checks the
            claim for every class).
        method: ``True`` to make the function the Tensor method of the same name, or
            the method's name (``"float"`` for ``as_float32``).
        method_only: not also ``minigrad.<name>`` (see :class:`Op`).
        tests: its records, made by :func:`check`. Comparisons and other functions
            without a gradient have none.
    """
    if isinstance(method, str):
        name: str = method
        method_name: str | None = method
    else:
        name = function.__name__
        method_name = name if method else None
    _add(Op(name, function, method_name, method_only, classes))
    for cls in classes:
        cls._forward_on_arrays = True
    register(*(make(name, function) for make in tests))


def alias(name: str, function: _F) -> _F:
    """Register ``function``, already an op, under another public name as well (NumPy's
    ``concatenate`` for ``cat``); the alias is no Tensor method."""
    original = next(entry for entry in OPS.values() if entry.function is function)
    _add(Op(name, function, None, original.method_only, original.classes))
    return function


def _add(entry: Op) -> None:
    if entry.name in OPS:
        raise ValueError(f"an op named {entry.name!r} is already registered")
    OPS[entry.name] = entry
