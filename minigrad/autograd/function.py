"""``Function``: one differentiable operation, its forward and backward side by side.

Every operation of minigrad (``minigrad/ops``) and every operation a user writes is a
subclass with a static ``forward`` and a static ``backward``, called through
:meth:`Function.apply`. When an input requires a gradient, ``apply`` records the call as
a *node* of the graph: the node is the ``Function`` instance itself (it doubles as the
``ctx`` that forward and backward share), it numbers itself in creation order, and each
output tensor points at it through ``grad_fn``. The engine (``engine.py``) later runs the
nodes' backward methods, newest first.

The fields below that are marked *machinery* serve ``history.py`` (in-place changes,
views, saved outputs) and the less common paths of the engine; on a first reading,
``_inputs``, ``_sequence`` and ``_saved`` are the whole node.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from minigrad.autograd import history
from minigrad.autograd.grad_mode import _mode, _run_in_mode
from minigrad.autograd.history import detached_twin
from minigrad.tensor import Tensor, _make, _new

__all__ = ["AccumulateGrad", "Function"]

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to access saved tensors after "
    "they have been freed). The values a backward pass needs are freed when you call "
    ".backward() or minigrad.grad(); pass retain_graph=True to the first call if you need "
    "to go through the graph again. If you carry a recurrent state from one batch to the "
    "next (truncated backpropagation through time), detach it between batches: "
    "h = h.detach() (for an LSTM, h, c = h.detach(), c.detach())."
)

# Numbers the recorded nodes in creation order (the engine runs them newest first).
_sequence_numbers = itertools.count()


class Function:
    """Base class of every differentiable operation, built-in or user-defined.

    Subclasses define two static methods and are called through ``apply``::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x._array ** 3          # a NumPy array or a Tensor

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

    # -- the node: set by apply on a recorded call
    # The arguments of forward, None where no gradient is needed: the graph's edges.
    _inputs: tuple[Tensor | None, ...] = ()
    # The creation number: a node is always newer than the nodes that made its inputs.
    _sequence: int
    # What forward kept for backward; None once a backward pass has freed it.
    _saved: tuple[Tensor | None, ...] | None = ()

    # -- machinery (history.py and the engine); the defaults mean "nothing unusual"
    # The clock's time of the save (infinite: nothing saved, nothing to check).
    _saved_at: float = math.inf
    # Positions in _saved of the node's own outputs, kept as detached twins.
    _saved_outputs: tuple[int, ...] = ()
    # (shape, dtype) of each output of a node with several outputs.
    _output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] | None = None
    # The outputs whose gradient retain_grad() keeps, by output number.
    _retained: dict[int, Any] | None = None
    # The hooks of its outputs (Tensor.register_hook), by output number (see hooks.py).
    _hooks: dict[int, dict[int, Any]] | None = None
    # Whether the engine must prepare the gradients a node receives before its backward
    # runs: run hooks, fill in zeros for unused outputs (_output_meta), keep retained
    # gradients.
    _prepare_gradients = False
    # Set on the node of an in-place change: the (grad_fn, output_nr) the tensor had.
    _replaced: tuple[Function | None, int] | None = None
    # Whether an output shares memory with an input (a view: reshape, slices, transpose).
    _makes_view = False
    _non_differentiable: tuple[Tensor, ...] = ()
    _recorded = True  # False on a user's Function called when no input needs a gradient

    # A speed-up that minigrad's own operations declare, through their registration
    # op(...) in minigrad.ops (tests/ops/test_op_table.py checks that they may): their
    # forward computes on NumPy arrays and never records a Tensor operation, so apply
    # need not switch grad mode off around it. A user's Function keeps PyTorch's rule:
    # its forward runs with grad mode off.
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
            self._saved_at = next(history.CHANGES.clock)

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
        if history.CHANGES.latest > self._saved_at:  # something changed since the save
            history.check_saved_unchanged(self)
        if self._saved_outputs and _mode.enabled:
            history.reattach_twins(self)
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
        recorded = False
        if _mode.enabled:
            for argument in args:  # written out, not a helper: every op comes through here
                if isinstance(argument, Tensor) and argument.requires_grad:
                    recorded = True
                    break
        if not recorded:
            if not cls._forward_on_arrays:
                return _run_unrecorded(node, args)
            raw = cls.forward(node, *args)  # nothing to record, nothing to switch off
            return _make(raw) if type(raw) is np.ndarray else (
                _unrecorded_outputs(raw, args)
            )
        node._sequence = next(_sequence_numbers)
        if len(args) == 1:  # it requires a gradient, or we would not be here
            node._inputs = args
        else:
            node._inputs = tuple(
                [a if isinstance(a, Tensor) and a.requires_grad else None for a in args]
            )
        if cls._forward_on_arrays:
            raw = cls.forward(node, *args)
        else:
            raw = _run_without_recording(node, args)
        if type(raw) is np.ndarray and raw.dtype.kind == "f" and not node._non_differentiable:
            # Fast path, most operations: one new float array. (_link_outputs does the
            # same, longer.)
            return _make(raw, None, False, node)
        saved = node._saved
        if (
            type(raw) is Tensor and saved and saved[0] is raw and len(saved) == 1
            and len(args) == 1 and raw is not args[0] and raw._array.dtype.kind == "f"
            and not raw._is_view and not node._non_differentiable
        ):
            # Fast path, the next most common case (exp, tanh, sigmoid: ops.saved_output):
            # one new tensor, which forward saved for backward. It is kept as a twin, as
            # _link_outputs does (history.save_outputs_as_twins).
            raw.grad_fn, raw.requires_grad = node, True
            node._saved, node._saved_outputs = (detached_twin(raw),), (0,)
            return raw
        return _link_outputs(node, raw, args)

    def name(self) -> str:
        """The name shown for this node in ``grad_fn`` reprs and graph pictures."""
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Function | AccumulateGrad | None, int], ...]:
        """Where this node sends gradients, one ``(node, output number)`` per argument of
        forward, as PyTorch: the node that made the input, an :class:`AccumulateGrad` for
        a leaf that requires a gradient, ``None`` for an argument that needs none."""
        edges: list[tuple[Function | AccumulateGrad | None, int]] = []
        for tensor in self._inputs:
            if tensor is None:
                edges.append((None, 0))
                continue
            node, number = history.producer(tensor, self)
            edges.append((AccumulateGrad(tensor), 0) if node is None else (node, number))
        return tuple(edges)


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that receives a gradient (PyTorch's name):
    the end of a path, where the engine adds the gradient to ``variable.grad``."""

    __slots__ = ("variable",)
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)


def _run_without_recording(node: Function, args: tuple[Any, ...]) -> Any:
    """A user's forward, run with grad mode off (as PyTorch)."""
    return _run_in_mode(False, type(node).forward, node, *args)


def _run_unrecorded(node: Function, args: tuple[Any, ...]) -> Any:
    """``apply`` for a user's Function when no gradient is needed: its forward with grad
    mode off, nothing recorded."""
    # needs_input_grad still tells which arguments require a gradient (as PyTorch, even
    # under no_grad); save_for_backward keeps nothing: no backward will run.
    node._inputs = tuple([a if isinstance(a, Tensor) and a.requires_grad else None for a in args])
    node._recorded = False
    return _unrecorded_outputs(_run_in_mode(False, type(node).forward, node, *args), args)


def _unrecorded_outputs(raw: Any, args: tuple[Any, ...]) -> Any:
    """What an unrecorded forward returned, as tensors without a ``grad_fn``."""
    if type(raw) is np.ndarray:
        return _make(raw)
    if type(raw) is tuple:
        return tuple([_as_output(r, args) for r in raw])
    return _as_output(raw, args)


def _link_outputs(node: Function, raw: Any, args: tuple[Any, ...]) -> Any:
    """Wrap what a recorded forward returned as tensors and make ``node`` the ``grad_fn``
    of the floating ones that were not declared non-differentiable."""
    several = type(raw) is tuple
    outputs = tuple([_as_output(r, args) for r in raw]) if several else (_as_output(raw, args),)
    for number, out in enumerate(outputs):
        if out._is_view:
            node._makes_view = True
        if out._array.dtype.kind == "f" and not (
            node._non_differentiable and any(out is t for t in node._non_differentiable)
        ):
            out.grad_fn = node
            out._output_nr = number
            out.requires_grad = True
    if several:
        node._output_meta = tuple([(o._array.shape, o._array.dtype) for o in outputs])
        node._prepare_gradients = True
    if node._saved:  # forward may have saved an output (exp, tanh)
        history.save_outputs_as_twins(node, outputs)
    return outputs if several else outputs[0]


def _as_output(raw: Any, args: tuple[Any, ...]) -> Tensor:
    """One value returned by forward as a Tensor."""
    if type(raw) is np.ndarray:
        return _make(raw)
    if isinstance(raw, Tensor):
        for argument in args:
            if raw is argument:
                # An input returned unchanged: the output is a new tensor sharing its
                # data (a view of it, as in PyTorch), so the input's own history is left
                # alone.
                # (No base: PyTorch forbids changing such a view in place.)
                return Tensor._make(raw._array, version=raw._shared_version(), is_view=True)
        return raw
    if isinstance(raw, (np.generic, float, int, bool)):
        return Tensor._make(np.asarray(raw))
    raise TypeError(
        f"Function.forward must return Tensors or NumPy arrays, got {type(raw).__name__}"
    )
