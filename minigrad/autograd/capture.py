"""What ``minigrad.grad()`` needs beyond ``backward``: collect the requested gradients.

``grad(outputs, inputs)`` returns the gradients of ``inputs`` instead of accumulating
into ``.grad``. The inputs may be leaves (their gradient is collected where ``backward``
would add it to ``.grad``) or intermediate tensors (their gradient is taken from the
pending gradients of the node that made them, just before it runs). Only the nodes on a
path towards a requested input run at all: :meth:`Capture.plan` finds them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from minigrad.autograd.history import producer
from minigrad.tensor import Tensor

if TYPE_CHECKING:
    from minigrad.autograd.function import Function

__all__ = ["Capture"]


class Capture:
    """Where the gradients of the requested inputs are collected, and which nodes need to
    run for them. An input listed twice gets its gradient twice."""

    def __init__(self, inputs: Sequence[Tensor]) -> None:
        self.leaves: set[int] = set()
        self.outputs: set[tuple[int, int]] = set()
        self.keys: list[Any] = []
        self.values: dict[Any, Tensor] = {}
        self.to_run: set[int] = set()
        for index, tensor in enumerate(inputs):
            if not isinstance(tensor, Tensor) or not tensor.requires_grad:
                raise RuntimeError(f"inputs[{index}] is not a Tensor that requires grad")
            if tensor.grad_fn is None:
                self.leaves.add(id(tensor))
                self.keys.append(id(tensor))
            else:
                key = (id(tensor.grad_fn), tensor._output_nr)
                self.outputs.add(key)
                self.keys.append(key)

    def leaf(self, tensor: Tensor, gradient: Tensor) -> None:
        """A gradient that ``backward`` would add to a leaf's ``.grad``."""
        key = id(tensor)
        if key in self.leaves:
            previous = self.values.get(key)
            self.values[key] = gradient if previous is None else previous + gradient

    def take(self, node: Function, gradients: list[Any]) -> None:
        """The gradients of ``node``'s outputs, before it runs."""
        for number, gradient in enumerate(gradients):
            if (id(node), number) in self.outputs:
                self.values[(id(node), number)] = gradient

    def plan(self, roots: Sequence[Function]) -> None:
        """Find the nodes whose backward sends a gradient towards a requested input."""
        reached: set[int] = {node_id for node_id, _ in self.outputs}
        for node in reversed(topological_order(roots)):  # each node after those it feeds
            for tensor in node._inputs:
                if tensor is None:
                    continue
                parent = producer(tensor, node)[0]
                if (parent is None and id(tensor) in self.leaves) or (
                    parent is not None and id(parent) in reached
                ):
                    self.to_run.add(id(node))
                    reached.add(id(node))
                    break

    def needs(self, node: Function) -> bool:
        """Whether ``node``'s backward has to run."""
        return id(node) in self.to_run

    def result(self) -> list[Tensor | None]:
        """One gradient per requested input (None: it received none)."""
        return [self.values.get(key) for key in self.keys]


def topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from ``roots``, each after every node that feeds it a gradient."""
    visited: set[Function] = set()
    post_order: list[Function] = []
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack: list[tuple[Function, Iterator[Tensor | None]]] = [(root, iter(root._inputs))]
        while stack:
            node, edges = stack[-1]
            for edge in edges:
                if edge is not None:
                    parent = producer(edge, node)[0]
                    if parent is not None and parent not in visited:
                        visited.add(parent)
                        stack.append((parent, iter(parent._inputs)))
                        break
            else:
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order
