"""The history machinery: what keeps gradients exact when tensors change in place.

Read this after ``function.py`` and ``engine.py``. The plain engine assumes that a tensor,
once computed, never changes. PyTorch programs change tensors in place (``x += 1``,
``x[0] = 2``, an optimizer's update, writes through a view), and minigrad gives the
answers PyTorch gives. Four pieces do it, each small:

1. **Version counters and the change clock.** Every in-place change is counted on the
   tensor (``tensor._version``, as in PyTorch) and stamped with the time of one global
   clock; ``save_for_backward`` stamps its save with the same clock. A saved tensor whose
   last change is newer than the save was modified after it was saved, and reading
   ``saved_tensors`` raises instead of giving a wrong gradient. Tensors that view the
   same memory share one counter.
2. **Replaced history.** An in-place operation is computed out of place and copied into
   the tensor's memory (:func:`change_in_place`); the tensor then gets the new node as its
   ``grad_fn``, and the node remembers the old one (``_replaced``). Operations that used
   the tensor before the change still send their gradients to what it was then
   (:func:`producer`).
3. **Views.** A view (``v = y[0]``) shows ``y``'s values as they are when it is read, so
   the history a view's gradient goes to depends on when its readers ran
   (:func:`note_view_user`, :func:`producer`).
4. **Saved-output twins.** A node that saves its own output (``exp``, ``tanh``) keeps a
   detached twin of it instead, so that no reference cycle output -> node -> output
   keeps a graph alive (:func:`save_outputs_as_twins`).

Finally :func:`in_place` is the one way minigrad's own code (optimizers, ``nn.init``,
``load_state_dict``, gradient clipping, running statistics) writes into a tensor's memory
outside an operation: the write is always counted, so the check of (1) holds for it too.
"""

from __future__ import annotations

import itertools
import math
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd.grad_mode import _mode, is_grad_enabled
from minigrad.tensor import Tensor, _make

if TYPE_CHECKING:
    from minigrad.autograd.function import Function

__all__ = ["in_place"]


# --------------------------------------------------------------- 1. versions and the clock


class VersionCounter:
    """How often the memory of a tensor (and of every view sharing it) changed in place,
    and the clock's stamp of the last change."""

    # Class-level starting values: making a counter costs no __init__ call.
    count = 0
    stamp = 0
    # Weak references to the views made of this memory while recording, so that a
    # recorded change of their base can give them a new history (:func:`commit`).
    views: list[weakref.ref[Tensor]] | None = None
    prune_at = 64


def make_view(array: np.ndarray, source: Tensor) -> Tensor:
    """A tensor showing ``array``, part of ``source``'s memory: it shares the version
    counter and has ``source``'s root as its base."""
    counter = source._shared_version()
    view = _make(array, counter, True, base=source._root())
    if _mode.enabled:
        views = counter.views
        if views is None:
            views = counter.views = []
        elif len(views) >= counter.prune_at:  # drop the dead: amortised O(1) per view
            views[:] = [ref for ref in views if ref() is not None]
            counter.prune_at = 2 * len(views) + 64
        views.append(weakref.ref(view))
    return view


class _ChangeClock:
    """Stamps for in-place changes and for saves.

    ``latest`` is the stamp of the newest in-place change anywhere: when it is older than
    a save, nothing the save kept can have changed, and the check is one comparison."""

    def __init__(self) -> None:
        self.clock = itertools.count(1)
        self.latest = 0
        self.lock = threading.Lock()  # in-place changes are rare; saves take no lock


CHANGES = _ChangeClock()


def mark_changed(tensor: Tensor) -> None:
    """Count and stamp an in-place change of ``tensor``'s memory."""
    counter = tensor._shared_version()
    with CHANGES.lock:
        stamp = next(CHANGES.clock)
        counter.count += 1
        counter.stamp = stamp
        CHANGES.latest = stamp


class in_place:  # noqa: N801  (used like a function: with in_place(param): ...)
    """Write into the memory of ``tensors`` inside the block; each change is recorded.

    The one way minigrad's own code updates a tensor outside an operation (a fused
    optimizer kernel, ``load_state_dict``)::

        with in_place(param):
            param._array -= lr * gradient

    Graph nodes that saved ``param`` then refuse to backward with the new values, exactly
    as after ``param.sub_(...)``. An optimizer written the PyTorch way
    (``with no_grad(): p.add_(p.grad, alpha=-lr)``) gets the same check from the in-place
    tensor operations themselves. The change is counted even if the block raises: some
    of the write may have happened.
    """

    __slots__ = ("tensors",)

    def __init__(self, *tensors: Tensor) -> None:
        self.tensors = tensors

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        for tensor in self.tensors:
            mark_changed(tensor)


def check_saved_unchanged(node: Function) -> None:
    """Raise if a tensor ``node`` saved was changed in place after the save."""
    for index, tensor in enumerate(node._saved or ()):
        counter = None if tensor is None else tensor._version_counter
        if tensor is not None and counter is not None and counter.stamp > node._saved_at:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: saved tensor {index} of {type(node).__name__}, of "
                f"shape {tensor.shape}, is at version {counter.count}, changed after "
                f"the node saved it. Use an out-of-place operation (e.g. x = x + y instead "
                f"of x += y) before backward."
            )


# --------------------------------------------------------------- 2. and 3. replaced history


NOW = math.inf  # the sequence number of the caller of backward: newer than every node


def producer(
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


def earlier_shape(gradient: Tensor, tensor: Tensor, consumer: Function) -> Tensor:
    """A gradient that ``consumer`` computed for ``tensor`` and that does not fit its
    shape: right when the tensor's shape was changed in place after ``consumer`` read it
    (``y.unsqueeze_(0)``): the gradient has the shape it had then and goes to what it was
    then (:func:`producer`). Otherwise the backward is wrong: an error."""
    node = tensor.grad_fn
    if node is not None and node._sequence >= consumer._sequence:
        return gradient
    raise RuntimeError(
        f"{consumer.name()} returned a gradient of shape {gradient.shape}, which cannot be "
        f"summed to the input's shape {tensor.shape}"
    )


def note_view_user(users: dict[Function, list[float]], view: Function, user: Function) -> None:
    """Widen the range of sequence numbers of the nodes that read ``view``: ``user``'s
    own, or, when ``user`` is a view of the view, the range of its readers in turn."""
    if user._makes_view:
        low, high = users.get(user, (NOW, NOW))
    else:
        low = high = user._sequence
    seen = users.get(view)
    if seen is None:
        users[view] = [low, high]
    else:
        seen[0] = min(seen[0], low)
        seen[1] = max(seen[1], high)


# --------------------------------------------------------------- 4. saved-output twins


def save_outputs_as_twins(node: Function, outputs: tuple[Tensor, ...]) -> None:
    """Keep the node's own outputs among its saved tensors as detached twins.

    A saved output itself would make a reference cycle, output -> grad_fn -> saved
    output, that only Python's cycle collector frees: a graph never taken backward would
    outlive its last reference. The twin shares the output's array and version counter
    (so in-place changes are still caught) but not its grad_fn; :func:`reattach_twins`
    links it to the node when a recorded (create_graph) backward needs that.
    """
    saved = list(node._saved or ())
    if len(saved) == 1 and len(outputs) == 1:  # the common case (exp, tanh), in short
        if saved[0] is outputs[0] and outputs[0].grad_fn is node:
            node._saved, node._saved_outputs = (detached_twin(outputs[0]),), (0,)
        return
    positions = []
    for index, tensor in enumerate(saved):
        if tensor is not None and tensor.grad_fn is node and any(tensor is o for o in outputs):
            saved[index] = detached_twin(tensor)
            positions.append(index)
    if positions:
        node._saved = tuple(saved)
        node._saved_outputs = tuple(positions)


def detached_twin(output: Tensor) -> Tensor:
    """A tensor with the array and version counter of ``output``, without its grad_fn."""
    return _make(
        output._array, output._shared_version(), output._is_view, output_nr=output._output_nr
    )


def reattach_twins(node: Function) -> None:
    """For a backward that is itself recorded (create_graph): make the saved twins of the
    node's outputs its outputs again, so the second-order graph runs through them."""
    saved = node._saved
    assert saved is not None
    for index in node._saved_outputs:
        twin = saved[index]
        assert twin is not None
        twin.grad_fn = node
        twin.requires_grad = True


# --------------------------------------------------------------- in-place tensor operations


def change_in_place(tensor: Tensor, operation: Callable[..., Tensor], *args: Any) -> Tensor:
    """``tensor.add_(other)`` and friends: ``operation(tensor, *args)`` computed out of
    place and made the new content of ``tensor``."""
    check_in_place_allowed(tensor)
    return commit(tensor, operation(snapshot(tensor), *args))


def check_in_place_allowed(tensor: Tensor) -> None:
    """Refuse (while recording) to change a leaf that requires grad, or a view of one:
    its gradient would no longer be that of the values it had."""
    if not _mode.enabled:
        return
    if tensor.grad_fn is None and tensor.requires_grad:
        raise RuntimeError(
            "a leaf tensor that requires grad is being used in an in-place operation; "
            "wrap the update in `with minigrad.no_grad():`"
        )
    if tensor._is_view and tensor.requires_grad and _views_a_leaf(tensor):
        raise RuntimeError(
            "a view of a leaf tensor that requires grad is being used in an in-place "
            "operation; wrap the update in `with minigrad.no_grad():`"
        )


def snapshot(tensor: Tensor) -> Tensor:
    """The tensor an in-place operation reads its old values from.

    While recording, a copy with the tensor's history: the update overwrites the memory
    that the recorded graph would read later."""
    if tensor.requires_grad and _mode.enabled:
        source = Tensor._make(tensor._array.copy())
        source.grad_fn, source._output_nr = tensor.grad_fn, tensor._output_nr
        source.requires_grad = True
        return source
    return tensor


def commit(tensor: Tensor, result: Tensor) -> Tensor:
    """Make ``result`` (computed out of place) the new content of ``tensor``."""
    if result.requires_grad and tensor._is_view:
        if tensor._base is not None:
            return _commit_through_view(tensor, result)
        if tensor.grad_fn is not None and tensor.grad_fn._makes_view:
            raise RuntimeError(
                f"output {tensor._output_nr} of {tensor.grad_fn.name()} is an input that a "
                f"custom Function returned as it is, a view of it: changing it in place "
                f"would override the Function's backward, so (as in PyTorch) it is "
                f"forbidden; clone() the output first"
            )
        # A detached alias (detach()): the change is recorded on it alone, as PyTorch.
    np.copyto(tensor._array, result._array, casting="same_kind")
    mark_changed(tensor)
    if result.requires_grad:
        node, previous = result.grad_fn, tensor.grad_fn
        assert node is not None
        # The operations that used this tensor before keep sending their gradients to
        # what it was then: producer() finds that through _replaced.
        node._replaced = (previous, tensor._output_nr)
        retained = previous is not None and previous._retained
        if retained and retained.get(tensor._output_nr) is tensor:
            del retained[tensor._output_nr]  # retain_grad() follows the tensor
        else:
            retained = None
        tensor.grad_fn = node
        tensor._output_nr = result._output_nr
        tensor.requires_grad = True
        if retained is not None:
            tensor.retain_grad()
        if tensor._version_counter is not None and tensor._version_counter.views:
            _reread_views(tensor)
    return tensor


def _commit_through_view(view: Tensor, result: Tensor) -> Tensor:
    """A recorded in-place change of a view (``y[0].mul_(2)``, ``buf[:, t].copy_(h)``)
    is a change of the tensor it views: the base gets the history "the old base with
    ``result`` written where the view lies" (an ``index_put`` at the view's flat
    positions, PyTorch's CopySlices); then this view, like every live view of the base,
    reads its elements back from the changed base (:func:`_reread_views`)."""
    base = view._base
    assert base is not None
    positions = _positions_in_base(view._array, base._array)
    if positions is None:
        raise RuntimeError(
            f"an in-place operation on a view (shape {view.shape}, strides "
            f"{view._array.strides}) of a tensor whose memory is not laid out densely "
            f"(shape {base.shape}, strides {base._array.strides}) cannot be recorded for "
            f"backward; compute the result out of place, or clone() the base first"
        )
    if any(step == 0 and size > 1 for step, size in zip(view._array.strides, view.shape)):
        raise RuntimeError(
            f"unsupported operation: more than one element of the written-to view (shape "
            f"{view.shape}, strides {view._array.strides}) refers to a single memory "
            f"location; clone() the tensor before changing it in place"
        )
    counter = view._shared_version()
    if counter.views is None or not any(ref() is view for ref in counter.views):
        counter.views = (counter.views or []) + [weakref.ref(view)]  # made under no_grad
    where = Tensor._make(positions)
    # (Tensor methods: the operations are built on this module, which cannot import them.)
    changed = snapshot(base).reshape(-1).index_put((where,), result)
    commit(base, changed.reshape(base.shape))
    return view


def _reread_views(base: Tensor) -> None:
    """After a recorded change of ``base``: each live view of it gets a new node that
    reads its elements from the changed base (flagged as a view's, so its readers are
    timed against later changes), and that node keeps the view's old history for the
    readers before the change (``_replaced``). This is PyTorch's regeneration of a
    view's grad_fn, done at the change instead of at the next use."""
    counter = base._version_counter
    assert counter is not None and counter.views is not None
    flat = None
    for ref in list(counter.views):  # the reshape below is a view too
        view = ref()
        if view is None or view._base is not base:
            continue
        positions = _positions_in_base(view._array, base._array)
        if positions is None:
            continue  # another dtype's reinterpretation: not followed
        if flat is None:
            flat = base.reshape(-1)
        reread = flat[Tensor._make(positions)]
        node = reread.grad_fn
        assert node is not None
        node._makes_view = True
        node._replaced = (view.grad_fn, view._output_nr)
        view.grad_fn, view._output_nr, view.requires_grad = node, 0, True


def _positions_in_base(view: np.ndarray, base: np.ndarray) -> np.ndarray | None:
    """The flat (C-order) positions in ``base`` of the elements of ``view``, an array
    sharing its memory; None when the memory does not say (another dtype, or a base not
    laid out densely)."""
    if view.dtype != base.dtype:
        return None
    item = base.itemsize
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    offsets = start + _byte_offsets(view)
    if base.flags.c_contiguous:
        return offsets // item
    laid = _byte_offsets(base).ravel()
    low = int(laid.min()) if laid.size else 0
    if laid.size and (int(laid.max()) - low != (laid.size - 1) * item
                      or np.unique(laid).size != laid.size):
        return None
    lookup = np.empty(laid.size, dtype=np.int64)
    lookup[(laid - low) // item] = np.arange(laid.size)
    return lookup[(offsets - low) // item]


def _byte_offsets(array: np.ndarray) -> np.ndarray:
    """Each element's byte offset from the array's first element."""
    offsets = np.zeros(array.shape, dtype=np.int64)
    for axis, (size, step) in enumerate(zip(array.shape, array.strides)):
        along = [1] * array.ndim
        along[axis] = size
        offsets = offsets + (np.arange(size, dtype=np.int64) * step).reshape(along)
    return offsets


def fill(tensor: Tensor, value: Any, masked_fill: Callable[..., Tensor]) -> Tensor:
    """``tensor.fill_(value)``; ``value`` a number or a 0-d tensor."""
    check_in_place_allowed(tensor)
    recorded = is_grad_enabled() and (
        tensor.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    )
    if recorded:
        # Recorded like any in-place op, as PyTorch: the tensor stays in the graph, its
        # old history gets a zero gradient and a tensor value the sum of the gradient.
        everywhere = Tensor._make(np.ones(tensor._array.shape, dtype=np.bool_))
        return commit(tensor, masked_fill(snapshot(tensor), everywhere, value))
    with in_place(tensor):
        tensor._array[...] = value._array if isinstance(value, Tensor) else value
    return tensor


def _views_a_leaf(tensor: Tensor) -> bool:
    """Whether ``tensor`` is a view (through any chain of views) of a leaf that requires
    grad."""
    node = tensor.grad_fn
    while node is not None and node._makes_view:
        base = node._inputs[0]
        if base is None:
            return False
        if base.grad_fn is None:
            return base.requires_grad
        node = base.grad_fn
    return False
