"""Reverse-mode automatic differentiation: grad mode, ``Function`` and the backward engine.

A differentiable operation is a subclass of :class:`Function` with a static ``forward``
and a static ``backward`` side by side. ``Function.apply`` runs ``forward`` and, when an
input requires a gradient, records the call as a *node* of the graph: the node is the
``Function`` instance itself (it doubles as the ``ctx`` the two methods share), and each
output tensor points at it through ``grad_fn``.

``backward`` walks the nodes from the outputs back to the leaves, newest first (nodes are
numbered as they are recorded, and a node is always recorded after those that made its
inputs, so a priority queue gives a valid order with no separate sort and no recursion),
calls each node's ``backward`` once with the summed gradients of its outputs, and
accumulates the results into the leaves' ``.grad``. Gradients of inputs that
were broadcast by the forward pass are summed back to the input's shape here, once, so no
operation has to handle broadcasting in its backward.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from heapq import heappop, heappush
from typing import Any, TypeVar

import numpy as np

from minigrad.tensor import _CHANGES, Tensor, _wrap

__all__ = [
    "Function",
    "backward",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- grad mode


class _GradMode(threading.local):
    # threading.local runs __init__ once per thread, so every thread starts with
    # gradients enabled whatever another thread is doing.
    def __init__(self) -> None:
        self.enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations on this thread are recorded for differentiation."""
    return _mode.enabled


class set_grad_enabled:
    """Enable or disable gradient recording on this thread.

    Usable as a function call, a context manager (restoring the previous mode on exit) or
    a decorator.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self.previous

    def __call__(self, func: F) -> F:
        _mode.enabled = self.previous  # as a decorator, creating it changes nothing
        return _in_mode(func, self.mode)


def _run_in_mode(mode: bool, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    previous = _mode.enabled
    _mode.enabled = mode
    try:
        return action(*args, **kwargs)
    finally:
        _mode.enabled = previous


def _in_mode(func: F, mode: bool) -> F:
    """``func`` running with grad mode ``mode``; for a generator function, every step of
    the generator runs in that mode (and the caller's mode is back between steps)."""
    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            generator = func(*args, **kwargs)
            step, argument = generator.send, None
            while True:
                try:
                    value = _run_in_mode(mode, step, argument)
                except StopIteration as stop:
                    return stop.value
                try:
                    argument, step = (yield value), generator.send
                except GeneratorExit:
                    generator.close()
                    raise
                except BaseException as error:  # thrown in: hand it to the generator
                    argument, step = error, generator.throw

        return generator_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _run_in_mode(mode, func, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __new__(cls, func: Any = None) -> Any:
        # @no_grad without parentheses decorates func directly (as PyTorch 2 allows).
        instance = super().__new__(cls)
        if func is None:
            return instance
        if not callable(func):
            raise TypeError(f"{cls.__name__}() takes no arguments, got {func!r}")
        instance.previous = []
        return instance(func)

    def __init__(self, func: Any = None) -> None:
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self.previous.pop()

    def __call__(self, func: F) -> F:
        return _in_mode(func, self.mode)


class no_grad(_GradModeContext):
    """Context manager and decorator that stops recording operations (inference, updates).

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that re-enables recording inside a ``no_grad`` block."""

    mode = True


# --------------------------------------------------------------------------- Function

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to access saved tensors after "
    "they have been freed). The values a backward pass needs are freed when you call "
    ".backward() or minigrad.grad(); pass retain_graph=True to the first call if you need "
    "to go through the graph again. If you carry a recurrent state from one batch to the "
    "next (truncated backpropagation through time), detach it between batches: "
    "h = h.detach() (for an LSTM, h, c = h.detach(), c.detach())."
)


def _modified_error(node: Function) -> RuntimeError:
    """The error for a saved tensor changed in place after it was saved."""
    for index, tensor in enumerate(node._saved or ()):
        if tensor is not None and tensor._version[1] > node._saved_at:
            return RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: saved tensor {index} of {type(node).__name__}, of "
                f"shape {tensor.shape}, is at version {tensor._version[0]}, changed after "
                f"the node saved it. Use an out-of-place operation (e.g. x = x + y instead "
                f"of x += y) before backward."
            )
    raise AssertionError("no saved tensor was modified")


class Function:
    """Base class of every differentiable operation, built-in or user-defined.

    Subclasses define two static methods and are called through ``apply``::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.data ** 3          # a NumPy array or a Tensor

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2    # written with Tensor ops: differentiable again

        y = Cube.apply(x)

    ``forward(ctx, *args)`` receives the arguments of ``apply`` unchanged (tensors and
    anything else) and runs with gradient recording off; it returns one output or a tuple
    of outputs, each a ``Tensor`` or a NumPy array. ``backward(ctx, *grad_outputs)``
    receives one gradient per output and returns one gradient per argument of
    ``forward`` (``None`` for arguments that are not tensors or need no gradient; extra
    ``None`` values, for optional arguments that were not passed, are allowed). It is
    written with Tensor operations, so with ``create_graph=True`` the backward pass is
    itself recorded and can be differentiated again.
    """

    # Set on recorded nodes: the inputs (None where no gradient is needed), the shapes and
    # dtypes of the outputs of multi-output nodes, the outputs that retain_grad().
    _inputs: tuple[Tensor | None, ...] = ()
    _output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] | None = None
    _retained: dict[int, Any] | None = None
    # Whether the engine must look at _output_meta or _retained before running the node.
    _unusual = False
    _saved: tuple[Tensor | None, ...] | None = ()
    # The clock's time when forward saved tensors (infinite: saved nothing, or not
    # recorded, so nothing to check).
    _saved_at: float = math.inf
    # Positions in _saved of this node's own outputs, kept as detached twins (see
    # _save_outputs_without_cycle).
    _saved_outputs: tuple[int, ...] = ()
    _non_differentiable: tuple[Tensor, ...] = ()
    _sequence: int
    _recorded = True  # False on a user's Function called when no input needs a gradient
    # Set on the node of an in-place operation: the (grad_fn, output_nr) that the tensor
    # it changed had before (see _producer).
    _replaced: tuple[Function | None, int] | None = None
    # Whether an output shares memory with an input (a view: reshape, slices, transpose).
    _makes_view = False

    # minigrad's own operations compute their forward on NumPy arrays, never through
    # recorded Tensor operations, so apply() need not switch grad mode off around them:
    # that saves two thread-local writes per op. (tests/test_op_table.py checks that none
    # of them records anything.) A user's Function keeps PyTorch's rule: its forward
    # runs with grad mode off.
    _forward_on_arrays = False

    # -- called by forward

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (inputs or outputs) for ``backward``.

        The save is stamped with the clock that also stamps every in-place change: if one
        of them is modified in place before ``backward`` runs, reading ``saved_tensors``
        raises instead of silently producing a wrong gradient.
        """
        if self._inputs and self._recorded:  # else no backward will run: nothing to keep
            self._saved = tensors
            self._saved_at = next(_CHANGES.clock)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs (such as indices) that never carry a gradient."""
        self._non_differentiable = outputs

    # -- called by backward

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        if _CHANGES.latest > self._saved_at:  # something changed in place since the save
            for tensor in saved:
                if tensor is not None and tensor._version[1] > self._saved_at:
                    raise _modified_error(self)
        if self._saved_outputs and _mode.enabled:
            # A backward that is itself recorded (create_graph) differentiates through the
            # saved outputs: attach them to this node again. Otherwise backward only
            # needs their values, and they stay detached.
            for index in self._saved_outputs:
                twin = saved[index]
                assert twin is not None
                twin.grad_fn = self
                twin.requires_grad = True
        return saved

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each argument of ``forward``: whether its gradient is wanted."""
        return tuple([tensor is not None for tensor in self._inputs])

    # -- the two methods a subclass provides

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define a static forward method")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define a static backward method")

    # -- running

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on ``args`` and record the call when a gradient is needed."""
        node = _new(cls)
        if _mode.enabled:
            for argument in args:
                if isinstance(argument, Tensor) and argument.requires_grad:
                    break
            else:
                argument = None
            if argument is not None:
                # Recorded: number the node (the engine runs the newest first), note
                # which arguments need a gradient, run forward with recording off.
                # Every op comes through here, so it is written for speed.
                node._sequence = next(_sequence_numbers)
                if len(args) == 1:
                    node._inputs = args
                else:
                    node._inputs = tuple(
                        [a if isinstance(a, Tensor) and a.requires_grad else None for a in args]
                    )
                if cls._forward_on_arrays:
                    raw = cls.forward(node, *args)
                else:
                    _mode.enabled = False
                    try:
                        raw = cls.forward(node, *args)
                    finally:
                        _mode.enabled = True
                if type(raw) is np.ndarray:
                    if raw.dtype.kind == "f" and not node._non_differentiable:
                        return _wrap(raw, node)  # the commonest case, in one step
                    out = _wrap(raw)
                elif type(raw) is Tensor and raw.grad_fn is None and len(args) == 1:
                    # A new tensor that forward saved (exp, tanh), or its argument
                    # returned unchanged, which needs a new tensor of its own.
                    out = raw if raw is not args[0] else _as_output(raw, args)
                elif type(raw) is tuple:
                    return _record_outputs(node, raw, args)
                else:
                    out = _as_output(raw, args)
                if out._is_view:
                    node._makes_view = True
                if out.data.dtype.kind == "f" and not (
                    node._non_differentiable and _marked(node, out)
                ):
                    out.grad_fn = node
                    out.requires_grad = True
                    if out is raw and node._saved:  # perhaps saved by forward (exp, tanh)
                        saved = node._saved
                        if len(saved) == 1 and saved[0] is out:  # the common case, inline
                            node._saved = (_detached_twin(out),)
                            node._saved_outputs = (0,)
                        else:
                            _save_outputs_without_cycle(node, (out,))
                return out
        if cls._forward_on_arrays:
            raw = cls.forward(node, *args)
        else:
            # A user's forward, unrecorded: still run with grad mode off, and with
            # needs_input_grad telling which arguments require a gradient (as PyTorch,
            # even under no_grad). save_for_backward keeps nothing: no backward will run.
            node._inputs = tuple(
                [a if isinstance(a, Tensor) and a.requires_grad else None for a in args]
            )
            node._recorded = False
            previous = _mode.enabled
            _mode.enabled = False
            try:
                raw = cls.forward(node, *args)
            finally:
                _mode.enabled = previous
        if type(raw) is np.ndarray:  # the common case, kept short
            return _wrap(raw)
        if type(raw) is tuple:
            return tuple([_as_output(r, args) for r in raw])
        return _as_output(raw, args)

    def name(self) -> str:
        """The name shown for this node in ``grad_fn`` reprs and graph pictures."""
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Function | None, int], ...]:
        """The nodes this node sends gradients to, one per recorded input."""
        return tuple(_producer(t, self) if t is not None else (None, 0) for t in self._inputs)


_new = object.__new__
# Numbers the recorded nodes in creation order (the engine runs them newest first).
_sequence_numbers = itertools.count()


def _record_outputs(node: Function, raw: tuple[Any, ...], args: tuple[Any, ...]) -> Any:
    """``apply`` for a recorded ``forward`` that returned several outputs."""
    outputs = tuple([_as_output(r, args) for r in raw])
    for number, out in enumerate(outputs):
        if out.data.dtype.kind == "f" and not _marked(node, out):
            out.grad_fn = node
            out._output_nr = number
            out.requires_grad = True
    node._output_meta = tuple([(o.data.shape, o.data.dtype) for o in outputs])
    node._unusual = True
    if any(o._is_view for o in outputs):
        node._makes_view = True
    if node._saved:
        _save_outputs_without_cycle(node, outputs)
    return outputs


def _save_outputs_without_cycle(node: Function, outputs: tuple[Tensor, ...]) -> None:
    """Keep the node's own outputs among its saved tensors as detached twins.

    A saved output itself would make a reference cycle, output -> grad_fn -> saved
    output, that only Python's cycle collector frees: a graph never taken backward would
    outlive its last reference. The twin shares the output's array and version counter
    (so in-place changes are still caught) but not its grad_fn; ``saved_tensors``
    attaches it to the node when a recorded (create_graph) backward needs that.
    """
    saved = list(node._saved or ())
    positions = []
    for index, tensor in enumerate(saved):
        if tensor is not None and tensor.grad_fn is node and any(tensor is o for o in outputs):
            saved[index] = _detached_twin(tensor)
            positions.append(index)
    if positions:
        node._saved = tuple(saved)
        node._saved_outputs = tuple(positions)


def _detached_twin(output: Tensor) -> Tensor:
    """A tensor with the array and version counter of ``output``, without its grad_fn."""
    twin = _new(Tensor)
    twin.data = output.data
    twin.grad = None
    twin.requires_grad = False
    twin.grad_fn = None
    twin._output_nr = output._output_nr
    twin._version = output._shared_version()
    twin._is_view = output._is_view
    return twin


def _marked(node: Function, output: Tensor) -> bool:
    """Whether forward declared ``output`` non-differentiable."""
    return any(output is t for t in node._non_differentiable)


def _as_output(raw: Any, args: tuple[Any, ...]) -> Tensor:
    if type(raw) is np.ndarray:
        return _wrap(raw)
    if isinstance(raw, Tensor):
        for argument in args:
            if raw is argument:
                # An input returned unchanged: the output is a new tensor sharing its
                # data (a view of it, as in PyTorch), so the input's own history is left
                # alone.
                return Tensor._make(raw.data, version=raw._shared_version(), is_view=True)
        return raw
    if isinstance(raw, (np.generic, float, int, bool)):
        return Tensor._make(np.asarray(raw))
    raise TypeError(
        f"Function.forward must return Tensors or NumPy arrays, got {type(raw).__name__}"
    )


# --------------------------------------------------------------------------- engine


_ALWAYS = math.inf  # the sequence number standing for "now": the caller of backward


def _producer(
    tensor: Tensor, consumer: Function, users: list[float] | None = None
) -> tuple[Function | None, int]:
    """The node (and output number) that made ``tensor`` as ``consumer`` saw it.

    An in-place operation gives the tensor it changes a new ``grad_fn`` (recorded after
    every earlier use of the tensor), and its node keeps the old one in ``_replaced``.
    A node is always created after the nodes that made its inputs, so a ``grad_fn`` not
    older than ``consumer`` was put there by an in-place change since: step back until
    the tensor's history is older. Without this, ``z = y.exp(); y.mul_(2)`` would send
    z's gradient through the multiplication, and ``y += y`` would make a cycle.

    A view (``v = y[0]``) is different: it shows ``y``'s values as they are now, so what
    counts is when the view's own users read it. ``users`` is the (lowest, highest)
    sequence number of the nodes that sent the view a gradient in this backward pass:
    users older than the change read the old values, newer ones the new values. Users
    on both sides of one change would need two histories for one view (PyTorch makes a
    new view node); minigrad refuses that case. Without ``users`` (walks over the graph
    that only need every node that may be reached) the newest history is given, from
    which the older ones are reached too.
    """
    node, nr = tensor.grad_fn, tensor._output_nr
    while node is not None and node._sequence >= consumer._sequence:
        if consumer._makes_view:
            if users is None:
                return node, nr
            lowest, highest = users
            if lowest > node._sequence:  # every user read the view after this change
                return node, nr
            if highest > node._sequence:
                raise RuntimeError(
                    f"a view ({consumer.name()}) of a tensor that {node.name()} changed in "
                    f"place was used both before and after the change: minigrad keeps one "
                    f"history per view. Take a new view after the change, or clone() the "
                    f"tensor before changing it."
                )
        if node._replaced is None:
            raise RuntimeError(
                f"internal error: {node.name()} is newer than {consumer.name()}, which uses "
                f"its output, but replaced nothing in place"
            )
        node, nr = node._replaced
    return node, nr


def _note_view_user(users: dict[Function, list[float]], view: Function, user: Function) -> None:
    """Widen the range of sequence numbers of the nodes that read ``view``: ``user``'s
    own, or, when ``user`` is a view of the view, the range of its readers in turn."""
    if user._makes_view:
        low, high = users.get(user, (_ALWAYS, _ALWAYS))
    else:
        low = high = user._sequence
    seen = users.get(view)
    if seen is None:
        users[view] = [low, high]
    else:
        seen[0] = min(seen[0], low)
        seen[1] = max(seen[1], high)


def _topological_order(roots: Sequence[Function]) -> list[Function]:
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
                    parent = _producer(edge, node)[0]
                    if parent is not None and parent not in visited:
                        visited.add(parent)
                        stack.append((parent, iter(parent._inputs)))
                        break
            else:
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order


def _sum_to_shape(gradient: Tensor, shape: tuple[int, ...], where: str) -> Tensor:
    """Sum a gradient over the dimensions that broadcasting added or stretched."""
    if gradient.data.shape == shape:
        return gradient
    try:
        return gradient.sum_to_size(shape)
    except ValueError:
        raise RuntimeError(
            f"{where} returned a gradient of shape {gradient.shape}, which cannot be summed "
            f"to the input's shape {shape}"
        ) from None


def _check_root(tensor: Tensor, gradient: Any, index: int) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"outputs[{index}] must be a Tensor, got {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError(
            f"element {index} of tensors does not require grad and does not have a grad_fn"
        )
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; output {index} has "
                f"shape {tensor.shape}: pass a gradient of that shape"
            )
        one = np.array(1, dtype=tensor.data.dtype)  # cheaper than np.ones
        return _wrap(one if tensor.data.ndim == 0 else one.reshape(tensor.data.shape))
    if not isinstance(gradient, Tensor):
        gradient = Tensor._make(np.asarray(gradient, dtype=tensor.data.dtype))
    if gradient.shape != tensor.shape:
        raise RuntimeError(
            f"mismatch in shape: gradient {index} has shape {gradient.shape} but output "
            f"{index} has shape {tensor.shape}"
        )
    if gradient.data.dtype != tensor.data.dtype:
        # As PyTorch: the upstream gradient takes the output's dtype (a recorded cast, so
        # a create_graph pass still reaches a gradient that requires grad).
        gradient = gradient.to(tensor.data.dtype)
    return gradient


class _Capture:
    """For ``grad()``: where the gradients of the requested inputs are collected, and
    which nodes need to run for them. An input listed twice gets its gradient twice."""

    def __init__(self, inputs: Sequence[Tensor]) -> None:
        self.leaves: set[int] = set()
        self.outputs: set[tuple[int, int]] = set()
        self.keys: list[Any] = []
        self.values: dict[Any, Tensor] = {}
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
        key = id(tensor)
        if key in self.leaves:
            previous = self.values.get(key)
            self.values[key] = gradient if previous is None else previous + gradient

    def take(self, node: Function, slots: list[Any]) -> None:
        for nr, slot in enumerate(slots):
            if (id(node), nr) in self.outputs:
                self.values[(id(node), nr)] = slot

    def nodes_to_run(self, order: list[Function]) -> set[int]:
        """The nodes whose backward sends a gradient towards a requested input."""
        run: set[int] = set()
        reached: set[int] = {node_id for node_id, _ in self.outputs}
        for node in reversed(order):  # each node after the nodes it feeds
            for edge in node._inputs:
                if edge is None:
                    continue
                parent = _producer(edge, node)[0]
                if (parent is None and id(edge) in self.leaves) or (
                    parent is not None and id(parent) in reached
                ):
                    run.add(id(node))
                    reached.add(id(node))
                    break
        return run

    def result(self) -> list[Tensor | None]:
        return [self.values.get(key) for key in self.keys]


def _deliver(
    tensor: Tensor,
    gradient: Tensor,
    pending: dict[Function, list[Any]],
    ready: list[tuple[int, Function]],
    capture: _Capture | None,
    create_graph: bool,
) -> None:
    """Add ``gradient`` to what ``tensor`` has received: the pending gradients of the node
    that produced it (queued to run when it gets its first one), or a leaf's ``.grad``
    (or the captured value)."""
    node = tensor.grad_fn
    if node is None:
        _accumulate(tensor, gradient, capture, create_graph)
        return
    _deliver_to_node(node, tensor._output_nr, gradient, pending, ready)


def _deliver_to_node(
    node: Function,
    nr: int,
    gradient: Tensor,
    pending: dict[Function, list[Any]],
    ready: list[tuple[int, Function]],
) -> None:
    """Add ``gradient`` to the pending gradient of output ``nr`` of ``node``."""
    slots = pending.get(node)
    if slots is None:
        heappush(ready, (-node._sequence, node))
        meta = node._output_meta
        if meta is None:
            pending[node] = [gradient]
            return
        slots = pending[node] = [None] * len(meta)
    slots[nr] = gradient if slots[nr] is None else slots[nr] + gradient


def _accumulate(
    leaf: Tensor, gradient: Tensor, capture: _Capture | None, create_graph: bool
) -> None:
    """Add ``gradient`` to a leaf's ``.grad``, or to the value ``grad()`` returns."""
    if capture is not None:
        capture.leaf(leaf, gradient)
    elif create_graph:
        leaf.grad = gradient if leaf.grad is None else leaf.grad + gradient
    elif leaf.grad is None:
        # A copy: one array may reach several leaves (both inputs of an addition) or be
        # the caller's own gradient.
        leaf.grad = _wrap(gradient.data.copy())
    else:
        existing = leaf.grad
        data = existing.data
        if data.flags.writeable and data.shape == gradient.data.shape and (
            data.dtype == gradient.data.dtype
        ):
            # Into the existing tensor, as PyTorch: a reference to .grad sees the sum.
            np.add(data, gradient.data, out=data)
            existing._bump_version()
        else:
            leaf.grad = _wrap(data + gradient.data)


def _run_backward(
    outputs: Sequence[Tensor],
    gradients: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list[Tensor | None] | None:
    """The engine behind ``Tensor.backward`` and ``grad``.

    Without ``inputs`` gradients accumulate into the leaves' ``.grad``; with ``inputs``
    they are returned, one per input, and no ``.grad`` is touched.

    Nodes run newest first. Every node is created after the nodes that made its inputs,
    so when a node comes off the queue every node it receives gradients from has run:
    a valid reverse topological order without a separate pass over the graph.
    """
    if len(outputs) == 1:  # the usual loss.backward(): no comprehension to run
        roots = [_check_root(outputs[0], gradients[0], 0)]
    else:
        roots = [_check_root(t, g, i) for i, (t, g) in enumerate(zip(outputs, gradients))]
    capture = _Capture(inputs) if inputs is not None else None
    pending: dict[Function, list[Any]] = {}
    ready: list[tuple[int, Function]] = []  # a heap of (-sequence number, node)
    # For the views among the nodes: the range of sequence numbers of their users.
    view_users: dict[Function, list[float]] = {}
    for tensor, gradient in zip(outputs, roots):
        if tensor.grad_fn is not None and tensor.grad_fn._makes_view:
            view_users[tensor.grad_fn] = [_ALWAYS, _ALWAYS]
        _deliver(tensor, gradient, pending, ready, capture, create_graph)
    to_run = None
    if capture is not None:
        to_run = capture.nodes_to_run(_topological_order(list(pending)))

    previous_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        while ready:
            first = heappop(ready)[1]
            node: Function | None = first
            slots = pending.pop(first)
            while node is not None:
                # Run one node's backward and send the gradients it returns on. When it
                # feeds exactly one new node and nothing else is waiting (all along a
                # chain), that node runs next without going through the queue.
                if node._unusual or capture is not None:
                    if not _prepare_unusual(node, slots, capture, to_run, create_graph):
                        break
                results = type(node).backward(node, *slots)
                if type(results) is not tuple:
                    results = (results,)
                edges = node._inputs
                if len(results) != len(edges):
                    results = _fit_count(node, results, len(edges))
                follow = follow_slots = None
                for edge, gradient in zip(edges, results):
                    if edge is None or gradient is None:
                        continue
                    if type(gradient) is not Tensor:
                        gradient = _as_gradient(gradient)
                    data, wanted = gradient.data, edge.data
                    if data.dtype is not wanted.dtype and data.dtype != wanted.dtype:
                        gradient = gradient.to(wanted.dtype)
                    if data.shape != wanted.shape:
                        gradient = _sum_to_shape(gradient, wanted.shape, node.name())
                    parent = edge.grad_fn
                    if parent is None:
                        _accumulate(edge, gradient, capture, create_graph)
                        continue
                    if parent._sequence >= node._sequence:
                        # Changed in place after this node used it: the gradient goes to
                        # what the tensor was then (see _producer).
                        users = view_users.get(node, [_ALWAYS, _ALWAYS])
                        parent, nr = _producer(edge, node, users)
                        if parent is None:
                            _accumulate(edge, gradient, capture, create_graph)
                            continue
                        if parent._makes_view:
                            _note_view_user(view_users, parent, node)
                        if parent is follow:  # e.g. y += y: both inputs reach y's past
                            follow_slots[0] = follow_slots[0] + gradient  # type: ignore[index]
                        else:
                            _deliver_to_node(parent, nr, gradient, pending, ready)
                        continue
                    if parent._makes_view:
                        _note_view_user(view_users, parent, node)
                    if parent is follow:
                        follow_slots[0] = follow_slots[0] + gradient  # type: ignore[index]
                    elif follow is None and not parent._unusual and parent not in pending:
                        follow, follow_slots = parent, [gradient]
                    else:
                        _deliver(edge, gradient, pending, ready, capture, create_graph)
                if not retain_graph:
                    node._saved = None
                if follow is not None and ready:
                    # Others are waiting: the queue orders them with the new node.
                    pending[follow] = follow_slots  # type: ignore[assignment]
                    heappush(ready, (-follow._sequence, follow))
                    break
                node, slots = follow, follow_slots  # type: ignore[assignment]
    finally:
        _mode.enabled = previous_mode
    return None if capture is None else capture.result()


def _fit_count(node: Function, results: tuple[Any, ...], count: int) -> tuple[Any, ...]:
    """The gradients of a backward that returned more than forward's arguments: allowed
    (as in PyTorch) when the extra ones are all None, e.g. for optional arguments that
    were not passed."""
    if len(results) < count or any(extra is not None for extra in results[count:]):
        raise RuntimeError(
            f"{node.name()}: backward returned {len(results)} gradients, but forward took "
            f"{count} arguments"
        )
    return results[:count]


def _prepare_unusual(
    node: Function,
    slots: list[Any],
    capture: _Capture | None,
    to_run: set[int] | None,
    create_graph: bool,
) -> bool:
    """Before a node with several outputs or retained gradients runs, or any node when
    ``grad()`` captures gradients: fill in the missing gradients, set the retained ones,
    capture the wanted ones. Returns whether the node's backward needs to run."""
    if capture is not None:
        # Before the zeros are filled in: an output that received nothing was not used,
        # and grad() says so (as PyTorch) instead of returning zeros.
        capture.take(node, slots)
    if node._output_meta is not None:
        _fill_missing(node, slots)
    if node._retained:
        for nr, tensor in node._retained.items():
            gradient = slots[nr] if create_graph else slots[nr].detach()
            # Summed over backward calls, as a leaf's gradient is.
            tensor.grad = gradient if tensor.grad is None else tensor.grad + gradient
    if capture is not None:
        return to_run is not None and id(node) in to_run
    return True


def _fill_missing(node: Function, slots: list[Any]) -> None:
    """Zeros for the outputs of a multi-output node that received no gradient."""
    meta = node._output_meta
    assert meta is not None
    for nr, slot in enumerate(slots):
        if slot is None:
            slots[nr] = Tensor._make(np.zeros(meta[nr][0], dtype=meta[nr][1]))


def _as_gradient(gradient: Any) -> Tensor:
    """A gradient returned by a backward method as a Tensor (a subclass or an array)."""
    if isinstance(gradient, Tensor):
        return gradient
    return Tensor._make(np.asarray(gradient))


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
    _run_backward(
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
    result = _run_backward(
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
