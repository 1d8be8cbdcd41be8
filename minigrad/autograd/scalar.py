"""Reverse-mode automatic differentiation on single numbers: the whole idea, read first.

A :class:`Scalar` is a number that remembers how it was made: the operands of the
operation that produced it and, for each one, the *local derivative* of the result with
respect to that operand (for ``z = x * y``: ``dz/dx = y`` and ``dz/dy = x``), computed
right beside the value. :func:`gradients` then applies the chain rule backwards: it
visits the graph from the output to the inputs, newest node first, so that when a node
is reached every path through it has already delivered its share, multiplies the node's
gradient by each local derivative and adds the product to the operand's gradient (``+=``
sums the paths where the graph branches and joins again).

>>> x, y = Scalar(3.0), Scalar(-2.0)
>>> f = x * y + x ** 2
>>> f.backward()
>>> x.grad, y.grad                 # df/dx = y + 2x, df/dy = x
(4.0, 3.0)

minigrad does exactly this on arrays. Where to read it next (``minigrad/autograd``):

- ``minigrad/tensor.py``: the ``Tensor`` holds an array instead of a float, and its
  ``grad_fn`` is the recorded operation (``parents`` here);
- ``minigrad/ops/elementwise.py``, the classes ``Add``, ``Mul`` and ``Exp``: an operation
  keeps its forward and its backward side by side; the backward receives the gradient of
  the output and returns one per input (the product with the local derivative, done for
  every element at once);
- ``function.py``: ``Function.apply``, which runs a forward and records the node;
- ``engine.py``: the backward loop, newest node first, as in :func:`gradients` below.

This module is also the reference the engine is tested against: the stateful property
test (``tests/engine/test_stateful_graph.py``) grows random graphs with minigrad and,
beside them, the same graphs of Scalars, and compares every gradient.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["Scalar", "gradients", "topological_order"]


class Scalar:
    """A float that remembers the operation that made it, so that gradients can flow back.

    Attributes:
        value: the number.
        grad: the gradient accumulated by :meth:`backward` (0.0 until then).
        parents: ``(operand, local derivative)`` for each operand of the operation that
            made this Scalar; empty for an input.
    """

    __slots__ = ("value", "grad", "parents")

    def __init__(self, value: float, parents: tuple[tuple[Scalar, float], ...] = ()) -> None:
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents

    # Every operation computes its value and, beside it, the local derivatives.

    def __add__(self, other: Any) -> Scalar:
        other = lift(other)
        return Scalar(self.value + other.value, ((self, 1.0), (other, 1.0)))

    def __sub__(self, other: Any) -> Scalar:
        other = lift(other)
        return Scalar(self.value - other.value, ((self, 1.0), (other, -1.0)))

    def __mul__(self, other: Any) -> Scalar:
        other = lift(other)
        return Scalar(self.value * other.value, ((self, other.value), (other, self.value)))

    def __truediv__(self, other: Any) -> Scalar:
        other = lift(other)
        quotient = self.value / other.value
        # d(a/b)/da = 1/b and d(a/b)/db = -a/b**2, written as -(a/b)/b.
        return Scalar(quotient, ((self, 1.0 / other.value), (other, -quotient / other.value)))

    def __neg__(self) -> Scalar:
        return Scalar(-self.value, ((self, -1.0),))

    def __pow__(self, exponent: float) -> Scalar:
        local = exponent * self.value ** (exponent - 1)
        return Scalar(self.value**exponent, ((self, local),))

    def __radd__(self, other: Any) -> Scalar:
        return lift(other) + self

    def __rsub__(self, other: Any) -> Scalar:
        return lift(other) - self

    def __rmul__(self, other: Any) -> Scalar:
        return lift(other) * self

    def __rtruediv__(self, other: Any) -> Scalar:
        return lift(other) / self

    def exp(self) -> Scalar:
        e = math.exp(self.value)
        return Scalar(e, ((self, e),))  # the derivative of exp is exp itself

    def log(self) -> Scalar:
        return Scalar(math.log(self.value), ((self, 1.0 / self.value),))

    def tanh(self) -> Scalar:
        t = math.tanh(self.value)
        return Scalar(t, ((self, 1.0 - t * t),))

    def sigmoid(self) -> Scalar:
        x = self.value
        # Two forms, so that exp never overflows.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Scalar(s, ((self, s * (1.0 - s)),))

    def relu(self) -> Scalar:
        slope = 1.0 if self.value > 0 else 0.0  # 0 at 0 itself, as PyTorch
        return Scalar(self.value * slope, ((self, slope),))

    def backward(self, gradient: float = 1.0) -> None:
        """Add ``gradient * d self / d x`` to ``x.grad`` for every ``x`` this depends on."""
        for node, value in gradients([(self, gradient)]).items():
            node.grad += value

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}, grad={self.grad!r})"


def lift(value: Any) -> Scalar:
    """A number as a Scalar (an input: no parents); a Scalar unchanged."""
    return value if isinstance(value, Scalar) else Scalar(value)


def gradients(seeds: Iterable[tuple[Scalar, float]]) -> dict[Scalar, float]:
    """The chain rule, backwards: ``{node: d L / d node}`` for every node the seeds reach,
    where ``L`` is the sum of ``gradient * output`` over the ``(output, gradient)`` seeds.

    Nodes are visited newest first (the reverse of :func:`topological_order`): by the
    time a node is visited, every node made from it has sent its share, so the node's
    gradient is complete and can be passed on to its own parents.
    """
    seeds = list(seeds)
    totals: dict[Scalar, float] = {}
    for output, gradient in seeds:
        totals[output] = totals.get(output, 0.0) + gradient
    for node in reversed(topological_order([output for output, _ in seeds])):
        gradient = totals[node]
        for parent, local in node.parents:
            # The chain rule; the sum gathers the paths that meet at the parent.
            totals[parent] = totals.get(parent, 0.0) + gradient * local
    return totals


def topological_order(roots: Iterable[Scalar]) -> list[Scalar]:
    """Every node reachable from ``roots``, each one after all the nodes it was made from.

    A depth-first walk with an explicit stack (a recursive one would stop at Python's
    recursion limit on long chains): a node is appended once all its parents are.
    """
    order: list[Scalar] = []
    seen: set[int] = set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent, _ in node.parents)
    return order
