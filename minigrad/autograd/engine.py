"""The backward engine: run the recorded nodes newest first, sum the gradients they send.

``backward`` walks the graph from the outputs back to the leaves. Nodes are numbered as
they are recorded, and a node is always recorded after the nodes that made its inputs,
so taking the newest waiting node first (a heap on the number) is a valid order: when a
node runs, every node that sends it a gradient has run, and its gradient is complete.
No separate sort, no recursion. Each node's ``backward`` is called once with the summed
gradients of its outputs; the gradients it returns go to the nodes that made its inputs,
or, at a leaf, into ``.grad``.

Gradients of inputs that the forward pass broadcast are summed back to the input's shape
here, once (:func:`fit_to_input`), so no operation handles broadcasting in its backward.

The heart is :meth:`_Backward.run`. Read it with :func:`minigrad.autograd.scalar.gradients`
beside it: the same loop, on arrays. The lines that mention ``history`` and ``capture``
are machinery: in-place changes and views (``history.py``) and ``grad()``'s collection of
the requested gradients (``capture.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from minigrad.autograd.capture import Capture
from minigrad.autograd.function import Function
from minigrad.autograd.grad_mode import _mode
from minigrad.autograd.history import NOW, earlier_shape, mark_changed, note_view_user, producer
from minigrad.autograd.hooks import LeafHooks, any_leaf_hooks, leaf_hooks, run_output_hooks
from minigrad.tensor import Tensor, _make

__all__ = ["backward", "grad"]


class _Caller:
    """Stands for the caller of ``backward`` where the engine expects the node that
    computed a gradient: newer than every node, and no view."""

    _sequence = NOW
    _makes_view = False


CALLER: Any = _Caller()  # typed as a node: it is read as one


class _Backward:
    """One backward pass: the gradients received so far and the nodes waiting to run."""

    __slots__ = ("retain_graph", "create_graph", "capture", "pending", "queue", "view_users",
                 "held")

    def __init__(self, retain_graph: bool, create_graph: bool, capture: Capture | None):
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.capture = capture
        self.pending: dict[Function, list[Any]] = {}  # node -> a gradient per output
        self.queue: list[tuple[int, Function]] = []  # a heap of (-sequence number, node)
        self.view_users: dict[Function, list[float]] = {}  # machinery: see history.py
        self.held = LeafHooks(self.accumulate) if any_leaf_hooks() else None  # hooks.py

    def run(self) -> None:
        """Run every node that received a gradient, newest first.

        The fast path, along a chain: when a node's gradients reach exactly one other node
        and nothing else waits, that node is the newest, so it runs next (``follow``)
        without going through the queue."""
        queue, pending, capture = self.queue, self.pending, self.capture
        free = not self.retain_graph
        while queue:
            node: Any = heappop(queue)[1]
            gradients: Any = pending.pop(node)
            while node is not None:
                if node._prepare_gradients or capture is not None:
                    if not self.prepare(node, gradients):
                        break
                results = type(node).backward(node, *gradients)  # one gradient per input
                if type(results) is not tuple:
                    results = (results,)
                if len(results) != len(node._inputs):
                    results = _fit_count(node, results)
                if free:
                    node._saved = None  # free what forward kept
                user, node, gradients = node, None, None
                for tensor, gradient in zip(user._inputs, results):
                    if tensor is None or gradient is None:
                        continue
                    if type(gradient) is not Tensor or (
                        gradient._array.shape != tensor._array.shape
                        or gradient._array.dtype is not tensor._array.dtype
                    ):
                        gradient = fit_to_input(gradient, tensor, user)
                    follow = tensor.grad_fn
                    if follow is None:
                        self.accumulate(tensor, gradient)
                    elif follow is node:  # x + x: both gradients reach x's node
                        gradients[0] = gradients[0] + gradient
                    elif node is None and not queue and follow._output_meta is None and (
                        follow._sequence < user._sequence and not follow._makes_view
                    ):  # nothing waits; one output, no view, unchanged since user read it
                        node, gradients = follow, [gradient]
                    else:
                        if node is not None:  # a second node receives a gradient: queue both
                            pending[node] = gradients
                            heappush(queue, (-node._sequence, node))
                            node = None
                        self.send(tensor, gradient, user)

    def send(self, tensor: Tensor, gradient: Tensor, user: Function) -> None:
        """Pass on the gradient that ``user`` (a node, or the CALLER of backward) computed
        for ``tensor``: add it to what the node that made ``tensor`` has received (queued
        to run at its first gradient), or, at a leaf, into ``.grad``."""
        node, number = tensor.grad_fn, tensor._output_nr
        if node is not None and node._sequence >= user._sequence:
            # Changed in place after user read it: the gradient goes to what it was then.
            node, number = producer(tensor, user, self.view_users.get(user, [NOW, NOW]))
        if node is None:
            self.accumulate(tensor, gradient)
            return
        if node._makes_view:
            note_view_user(self.view_users, node, user)
        gradients = self.pending.get(node)
        if gradients is None:
            heappush(self.queue, (-node._sequence, node))
            if node._output_meta is None:
                self.pending[node] = [gradient]
                return
            gradients = self.pending[node] = [None] * len(node._output_meta)
        previous = gradients[number]
        gradients[number] = gradient if previous is None else previous + gradient

    def accumulate(self, leaf: Tensor, gradient: Tensor, held: bool = False) -> None:
        """Add ``gradient`` to a leaf's ``.grad`` (or to the value ``grad()`` returns). A
        leaf with hooks waits for the end of the pass (hooks.py), so its hooks see the sum."""
        if self.held is not None and not held and leaf_hooks(leaf):
            return self.held.hold(leaf, gradient)
        if self.capture is not None:
            self.capture.leaf(leaf, gradient)
        elif self.create_graph:
            leaf.grad = gradient if leaf.grad is None else leaf.grad + gradient
        elif leaf.grad is None:
            # A copy: one array may reach several leaves (both inputs of an addition) or
            # be the caller's own gradient.
            leaf.grad = _make(gradient._array.copy())
        else:
            existing, data = leaf.grad, leaf.grad._array
            if data.flags.writeable and data.shape == gradient._array.shape and (
                data.dtype == gradient._array.dtype
            ):
                # Into the existing tensor, as PyTorch: a reference to .grad sees the sum.
                np.add(data, gradient._array, out=data)
                mark_changed(existing)
            else:
                leaf.grad = _make(data + gradient._array)

    def prepare(self, node: Function, gradients: list[Any]) -> bool:
        """Before a node with several outputs or retained gradients runs, or any node when
        ``grad()`` captures gradients: run the hooks of its outputs, capture the wanted
        gradients, fill in the missing ones, set the retained ones. Returns whether the
        node's backward needs to run."""
        if node._hooks:
            run_output_hooks(node._hooks, gradients)
        capture = self.capture
        if capture is not None:
            # Before the zeros are filled in: an output that received nothing was not
            # used, and grad() says so (as PyTorch) instead of returning zeros.
            capture.take(node, gradients)
        meta = node._output_meta
        if meta is not None:
            for number, gradient in enumerate(gradients):
                if gradient is None:
                    shape, dtype = meta[number]
                    gradients[number] = _make(np.zeros(shape, dtype))
        for number, tensor in (node._retained or {}).items():
            gradient = gradients[number] if self.create_graph else gradients[number].detach()
            # Summed over backward calls, as a leaf's gradient is.
            tensor.grad = gradient if tensor.grad is None else tensor.grad + gradient
        return capture is None or capture.needs(node)


def _fit_count(node: Function, results: tuple[Any, ...]) -> tuple[Any, ...]:
    """The gradients of a backward that returned more than forward's arguments: allowed
    (as in PyTorch) when the extra ones are all None, e.g. for optional arguments that
    were not passed."""
    count = len(node._inputs)
    if len(results) < count or any(extra is not None for extra in results[count:]):
        raise RuntimeError(
            f"{node.name()}: backward returned {len(results)} gradients, but forward took "
            f"{count} arguments"
        )
    return results[:count]


def fit_to_input(gradient: Any, tensor: Tensor, node: Function) -> Tensor:
    """A gradient returned by ``node``'s backward for its input ``tensor``, as a Tensor of
    the input's dtype and shape: summed over the dimensions the forward broadcast."""
    if type(gradient) is not Tensor:
        gradient = gradient if isinstance(gradient, Tensor) else Tensor._make(np.asarray(gradient))
    data, wanted = gradient._array, tensor._array
    if data.dtype != wanted.dtype:
        gradient = gradient.to(wanted.dtype)
    if data.shape != wanted.shape:
        try:
            gradient = gradient.sum_to_size(wanted.shape)
        except ValueError:  # right only if the input's shape changed in place since
            return earlier_shape(gradient, tensor, node)
    return gradient


def run_backward(
    outputs: Sequence[Tensor],
    gradients: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list[Tensor | None] | None:
    """The engine behind ``Tensor.backward``, :func:`backward` and :func:`grad`.

    Without ``inputs`` gradients accumulate into the leaves' ``.grad``; with ``inputs``
    they are returned, one per input, and no ``.grad`` is touched.
    """
    if len(outputs) == 1:  # the usual loss.backward()
        roots = [check_root(outputs[0], gradients[0], 0)]
    else:
        roots = [check_root(t, g, i) for i, (t, g) in enumerate(zip(outputs, gradients))]
    capture = Capture(inputs) if inputs is not None else None
    walk = _Backward(retain_graph, create_graph, capture)
    for tensor, gradient in zip(outputs, roots):
        walk.send(tensor, gradient, CALLER)
    if capture is not None:
        capture.plan(list(walk.pending))
    previous_mode = _mode.enabled
    _mode.enabled = create_graph  # a recorded backward pass can be differentiated again
    try:
        walk.run()
        if walk.held is not None:
            walk.held.release()
    finally:
        _mode.enabled = previous_mode
    return None if capture is None else capture.result()


def check_root(tensor: Tensor, gradient: Any, index: int) -> Tensor:
    """The upstream gradient for output ``index``: the one given, checked, or ones."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"outputs[{index}] must be a Tensor, got {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError(
            f"element {index} of tensors does not require grad and does not have a grad_fn"
        )
    if gradient is None:
        if tensor._array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; output {index} has "
                f"shape {tensor.shape}: pass a gradient of that shape"
            )
        # Cheaper than np.ones, and NumPy parses a dtype passed by position faster.
        data = tensor._array
        one = np.array(1, data.dtype)
        return _make(one if data.ndim == 0 else one.reshape(data.shape))
    if not isinstance(gradient, Tensor):
        gradient = Tensor._make(np.asarray(gradient, dtype=tensor._array.dtype))
    if gradient.shape != tensor.shape:
        raise RuntimeError(
            f"mismatch in shape: gradient {index} has shape {gradient.shape} but output "
            f"{index} has shape {tensor.shape}"
        )
    if gradient._array.dtype != tensor._array.dtype:
        # As PyTorch: the upstream gradient takes the output's dtype (a recorded cast, so
        # a create_graph pass still reaches a gradient that requires grad).
        gradient = gradient.to(tensor._array.dtype)
    return gradient


def _as_sequence(value: Any) -> list[Any]:
    if isinstance(value, Tensor) or value is None:
        return [value]
    return list(value)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors``.

    The functional form of :meth:`Tensor.backward` for several outputs at once.
    """
    outputs = _as_sequence(tensors)
    gradients = _as_sequence(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if len(gradients) != len(outputs):
        raise ValueError(f"got {len(outputs)} tensors but {len(gradients)} gradients")
    run_backward(
        outputs,
        gradients,
        retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph,
    )


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated.

    ``grad_outputs`` gives the upstream gradient of each output (``None``: ones, only for
    single-element outputs). With ``create_graph=True`` the returned gradients are part of
    a graph and can be differentiated again (higher-order derivatives). ``.grad`` of the
    leaves is left untouched.

    >>> x = minigrad.tensor(3.0, requires_grad=True)
    >>> (dy,) = minigrad.grad(x ** 3, x, create_graph=True)   # 3 x^2 = 27
    >>> (d2y,) = minigrad.grad(dy, x)                          # 6 x = 18
    """
    output_list = _as_sequence(outputs)
    input_list = _as_sequence(inputs)
    gradients = (
        _as_sequence(grad_outputs) if grad_outputs is not None else [None] * len(output_list)
    )
    if len(gradients) != len(output_list):
        raise ValueError(f"got {len(output_list)} outputs but {len(gradients)} grad_outputs")
    result = run_backward(
        output_list,
        gradients,
        retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph,
        inputs=input_list,
    )
    assert result is not None
    for index, value in enumerate(result):
        if value is None and not allow_unused:
            raise RuntimeError(
                f"inputs[{index}] (shape {input_list[index].shape}) was not used to compute "
                f"the outputs; pass allow_unused=True to get None for it"
            )
    if not create_graph:
        result = [None if r is None else r.detach() for r in result]
    return tuple(result)
