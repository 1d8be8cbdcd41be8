"""Reverse-mode automatic differentiation: grad mode, ``Function`` and the backward engine.

A differentiable operation is a subclass of :class:`Function` with a static ``forward``
and a static ``backward`` side by side. ``Function.apply`` runs ``forward`` and, when an
input requires a gradient, records the call as a *node* of the graph: the node is the
``Function`` instance itself (it doubles as the ``ctx`` the two methods share), and each
output tensor points at it through ``grad_fn``.

``backward`` walks the nodes from the outputs back to the leaves in reverse topological
order (an iterative sort, so deep graphs such as long recurrences never hit Python's
recursion limit), calls each node's ``backward`` once with the summed gradients of its
outputs, and accumulates the results into the leaves' ``.grad``. Gradients of inputs that
were broadcast by the forward pass are summed back to the input's shape here, once, so no
operation has to handle broadcasting in its backward.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

from minigrad.tensor import Tensor

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
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __init__(self) -> None:
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self.previous.pop()

    def __call__(self, func: F) -> F:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _mode.enabled
            _mode.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _mode.enabled = previous

        return wrapper  # type: ignore[return-value]


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
    "to go through the graph again."
)


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
    ``forward`` (``None`` for arguments that are not tensors or need no gradient). It is
    written with Tensor operations, so with ``create_graph=True`` the backward pass is
    itself recorded and can be differentiated again.
    """

    # Set by apply on recorded nodes.
    _inputs: tuple[Tensor | None, ...]
    _output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] | None
    _retained: dict[int, Any] | None
    _saved: tuple[Tensor | None, ...] | None
    _saved_versions: tuple[int, ...]
    _released: bool
    needs_input_grad: tuple[bool, ...]
    _non_differentiable: tuple[Tensor, ...]

    # -- called by forward

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (inputs or outputs) for ``backward``.

        Their version counters are recorded: if one of them is modified in place before
        ``backward`` runs, reading ``saved_tensors`` raises instead of silently producing a
        wrong gradient.
        """
        self._saved = tensors
        self._saved_versions = tuple(-1 if t is None else t._version[0] for t in tensors)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs (such as indices) that never carry a gradient."""
        self._non_differentiable = outputs

    # -- called by backward

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        saved = getattr(self, "_saved", ())
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        for index, (tensor, version) in enumerate(zip(saved, self._saved_versions)):
            if tensor is not None and tensor._version[0] != version:
                raise RuntimeError(
                    f"one of the tensors needed for gradient computation has been modified "
                    f"by an in-place operation: saved tensor {index} of "
                    f"{type(self).__name__}, of shape {tensor.shape}, is at version "
                    f"{tensor._version[0]}; expected version {version}. Use an out-of-place "
                    f"operation (e.g. x = x + y instead of x += y) before backward."
                )
        return saved

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
        node = cls.__new__(cls)
        if _mode.enabled:
            needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            record = True in needs
        else:
            record = False
        if record:
            _mode.enabled = False
            try:
                raw = cls.forward(node, *args)
            finally:
                _mode.enabled = True
        else:
            raw = cls.forward(node, *args)

        if type(raw) is tuple:
            outputs = tuple([_as_output(r, args) for r in raw])
        else:
            outputs = (_as_output(raw, args),)
        if record:
            node._inputs = tuple([a if need else None for a, need in zip(args, needs)])
            node.needs_input_grad = needs
            node._released = False
            node._retained = None
            skip = getattr(node, "_non_differentiable", ())
            for number, out in enumerate(outputs):
                if out.data.dtype.kind == "f" and not any(out is s for s in skip):
                    out.grad_fn = node
                    out._output_nr = number
                    out.requires_grad = True
            node._output_meta = (
                tuple([(o.data.shape, o.data.dtype) for o in outputs])
                if len(outputs) > 1
                else None
            )
        return outputs if type(raw) is tuple else outputs[0]

    def name(self) -> str:
        """The name shown for this node in ``grad_fn`` reprs and graph pictures."""
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Function | None, int], ...]:
        """The nodes this node sends gradients to, one per recorded input."""
        return tuple(
            (t.grad_fn, t._output_nr) if t is not None else (None, 0)
            for t in getattr(self, "_inputs", ())
        )


def _as_output(raw: Any, args: tuple[Any, ...]) -> Tensor:
    if type(raw) is np.ndarray:
        return Tensor._make(raw)
    if isinstance(raw, Tensor):
        if any(raw is a for a in args):
            # An input returned unchanged: the output is a new tensor sharing its data,
            # so the input's own history is left alone.
            return Tensor._make(raw.data, version=raw._version)
        return raw
    if isinstance(raw, (np.generic, float, int, bool)):
        return Tensor._make(np.asarray(raw))
    raise TypeError(
        f"Function.forward must return Tensors or NumPy arrays, got {type(raw).__name__}"
    )


# --------------------------------------------------------------------------- engine


def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from ``roots``, each after every node that feeds it a gradient."""
    visited: set[int] = set()
    post_order: list[Function] = []
    for root in roots:
        if id(root) in visited:
            continue
        visited.add(id(root))
        stack: list[tuple[Function, Iterator[Tensor | None]]] = [(root, iter(root._inputs))]
        while stack:
            node, edges = stack[-1]
            for edge in edges:
                if edge is not None:
                    parent = edge.grad_fn
                    if parent is not None and id(parent) not in visited:
                        visited.add(id(parent))
                        stack.append((parent, iter(parent._inputs)))
                        break
            else:
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order


def _sum_to_shape(gradient: Tensor, shape: tuple[int, ...], where: str) -> Tensor:
    """Sum a gradient over the dimensions that broadcasting added or stretched."""
    if gradient.shape == shape:
        return gradient
    extra = gradient.ndim - len(shape)
    if extra < 0 or any(
        s != 1 and s != g for s, g in zip(shape, gradient.shape[extra:])
    ):
        raise RuntimeError(
            f"{where} returned a gradient of shape {gradient.shape}, which cannot be summed "
            f"to the input's shape {shape}"
        )
    dims = tuple(range(extra)) + tuple(
        extra + i for i, s in enumerate(shape) if s == 1 and gradient.shape[extra + i] != 1
    )
    return gradient.sum(dim=dims, keepdim=True).reshape(shape) if dims else gradient.reshape(
        shape
    )


def _accumulate(previous: Tensor | None, gradient: Tensor) -> Tensor:
    return gradient if previous is None else previous + gradient


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
        return Tensor._make(np.ones(tensor.data.shape, dtype=tensor.data.dtype))
    if not isinstance(gradient, Tensor):
        gradient = Tensor._make(np.asarray(gradient, dtype=tensor.data.dtype))
    if gradient.shape != tensor.shape:
        raise RuntimeError(
            f"mismatch in shape: gradient {index} has shape {gradient.shape} but output "
            f"{index} has shape {tensor.shape}"
        )
    return gradient


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
    """
    roots = [_check_root(t, g, i) for i, (t, g) in enumerate(zip(outputs, gradients))]

    captured: dict[int, Tensor | None] = {}
    capture_leaf: dict[int, int] = {}
    capture_node: dict[tuple[int, int], int] = {}
    if inputs is not None:
        for index, tensor in enumerate(inputs):
            if not isinstance(tensor, Tensor) or not tensor.requires_grad:
                raise RuntimeError(f"inputs[{index}] is not a Tensor that requires grad")
            if tensor.grad_fn is None:
                capture_leaf[id(tensor)] = index
            else:
                capture_node[(id(tensor.grad_fn), tensor._output_nr)] = index

    def deliver_to_leaf(leaf: Tensor, gradient: Tensor) -> None:
        if inputs is not None:
            index = capture_leaf.get(id(leaf))
            if index is not None:
                captured[index] = _accumulate(captured.get(index), gradient)
        elif create_graph:
            leaf.grad = _accumulate(leaf.grad, gradient)
        elif leaf.grad is None:
            # A copy: the same array may be handed to several leaves (the two inputs of
            # an addition) or be the caller's own gradient.
            leaf.grad = Tensor._make(gradient.data.copy())
        else:
            leaf.grad = Tensor._make(leaf.grad.data + gradient.data)

    pending: dict[int, list[Tensor | None]] = {}
    root_nodes = []
    for tensor, gradient in zip(outputs, roots):
        node = tensor.grad_fn
        if node is None:
            deliver_to_leaf(tensor, gradient)
            continue
        slots = pending.get(id(node))
        if slots is None:
            meta = node._output_meta
            slots = pending[id(node)] = [None] * (1 if meta is None else len(meta))
            root_nodes.append(node)
        slots[tensor._output_nr] = _accumulate(slots[tensor._output_nr], gradient)

    order = _topological_order(root_nodes)
    useful: set[int] | None = None
    if inputs is not None:
        # Run only the nodes through which a gradient can reach one of the inputs.
        useful = set()
        for node in reversed(order):
            for nr in range(len(node._output_meta or (None,))):
                if (id(node), nr) in capture_node:
                    useful.add(id(node))
            for edge in node._inputs:
                if edge is not None and (
                    id(edge) in capture_leaf
                    or (edge.grad_fn is not None and id(edge.grad_fn) in useful)
                ):
                    useful.add(id(node))
                    break

    previous_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        for node in order:
            slots = pending.pop(id(node), None)
            if slots is None or (useful is not None and id(node) not in useful):
                continue
            if node._output_meta is not None:
                for nr, slot in enumerate(slots):
                    if slot is None:
                        shape, dtype = node._output_meta[nr]
                        slots[nr] = Tensor._make(np.zeros(shape, dtype=dtype))
            if node._retained:
                for nr, tensor in node._retained.items():
                    tensor.grad = slots[nr] if create_graph else slots[nr].detach()
            if capture_node:
                for nr, slot in enumerate(slots):
                    index = capture_node.get((id(node), nr))
                    if index is not None:
                        captured[index] = slot
                if useful is not None and not any(
                    e is not None
                    and (id(e) in capture_leaf or (e.grad_fn is not None and id(e.grad_fn) in useful))
                    for e in node._inputs
                ):
                    continue

            results = type(node).backward(node, *slots)
            if type(results) is not tuple:
                results = (results,)
            if len(results) != len(node._inputs):
                raise RuntimeError(
                    f"{node.name()}: backward returned {len(results)} gradients, but forward "
                    f"took {len(node._inputs)} arguments"
                )
            for edge, gradient in zip(node._inputs, results):
                if edge is None or gradient is None:
                    continue
                if not isinstance(gradient, Tensor):
                    gradient = Tensor._make(np.asarray(gradient))
                if gradient.data.dtype != edge.data.dtype:
                    gradient = gradient.to(edge.data.dtype)
                gradient = _sum_to_shape(gradient, edge.data.shape, node.name())
                parent = edge.grad_fn
                if parent is None:
                    deliver_to_leaf(edge, gradient)
                    continue
                slots = pending.get(id(parent))
                if slots is None:
                    meta = parent._output_meta
                    slots = pending[id(parent)] = [None] * (1 if meta is None else len(meta))
                slots[edge._output_nr] = _accumulate(slots[edge._output_nr], gradient)
            if not retain_graph:
                node._saved = None
    finally:
        _mode.enabled = previous_mode

    if inputs is None:
        return None
    return [captured.get(i) for i in range(len(inputs))]


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
