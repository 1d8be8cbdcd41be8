"""Hooks on gradients: ``Tensor.register_hook`` and the handles that remove a hook.

A tensor hook is a function ``hook(grad)`` that the backward pass calls with the gradient
of that tensor once it is complete. It returns ``None`` to leave the gradient alone, or a
tensor of the same shape to use instead: for the tensor's ``.grad`` (at a leaf), for what
``retain_grad()`` keeps, and for everything upstream. Hooks run in the order they were
registered. On a tensor an operation made, the hooks sit on that operation's node, by
output number (the engine runs them in ``_Backward.prepare``); on a leaf they sit in a
table here, read when the gradient reaches the leaf (``_Backward.accumulate``).

Module hooks (``Module.register_forward_hook`` and friends, in ``minigrad.nn``) return the
same :class:`RemovableHandle`.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, MutableMapping
from typing import Any

__all__ = ["RemovableHandle", "register_hook", "any_leaf_hooks", "leaf_hooks", "run_hooks"]
__all__ += ["run_output_hooks", "LeafHooks"]

Hook = Callable[[Any], Any]


class RemovableHandle:
    """What every ``register_*_hook`` returns. ``remove()`` takes the hook out again
    (removing twice does nothing); ``with handle:`` removes it at the end of the block."""

    _ids = itertools.count()

    def __init__(self, *tables: MutableMapping[int, Any]) -> None:
        self.id = next(RemovableHandle._ids)
        self._tables = tables  # each table holding the hook under self.id

    def remove(self) -> None:
        for table in self._tables:
            table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<RemovableHandle id={self.id}>"


# The hooks of leaf tensors, by id(tensor); an entry goes when its tensor is collected.
_LEAF_HOOKS: dict[int, dict[int, Hook]] = {}


def _forget_leaf(key: int) -> None:
    _LEAF_HOOKS.pop(key, None)


def register_hook(tensor: Any, hook: Hook) -> RemovableHandle:
    """``tensor.register_hook(hook)``: see the module's docstring."""
    if not callable(hook):
        raise TypeError(f"register_hook expects a callable hook(grad), got {type(hook).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = tensor.grad_fn
    if node is None:
        key = id(tensor)
        table = _LEAF_HOOKS.get(key)
        if table is None:
            table = _LEAF_HOOKS[key] = {}
            weakref.finalize(tensor, _forget_leaf, key)
    else:
        if node._hooks is None:
            node._hooks = {}
            node._prepare_gradients = True  # the engine calls prepare() for this node
        table = node._hooks.setdefault(tensor._output_nr, {})
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def any_leaf_hooks() -> bool:
    """Whether some leaf has hooks (if not, a backward pass need not look for them)."""
    return bool(_LEAF_HOOKS)


def leaf_hooks(tensor: Any) -> dict[int, Hook] | None:
    """The hooks registered on a leaf, if any (one dict lookup when there are none)."""
    return _LEAF_HOOKS.get(id(tensor)) if _LEAF_HOOKS else None


def run_hooks(hooks: dict[int, Hook], gradient: Any) -> Any:
    """Call each hook on the gradient in turn; a hook's result replaces it."""
    for hook in list(hooks.values()):
        result = hook(gradient)
        if result is None:
            continue
        if getattr(result, "shape", None) != gradient.shape:
            raise RuntimeError(
                f"hook {getattr(hook, '__name__', hook)!r} returned "
                f"{_describe(result)} for a gradient of shape {tuple(gradient.shape)}: a "
                "hook returns None or a tensor of the gradient's shape"
            )
        gradient = result
    return gradient


def run_output_hooks(hooks: dict[int, dict[int, Hook]], gradients: list[Any]) -> None:
    """The hooks of a node's outputs, by output number, on the gradients they received."""
    for number, table in hooks.items():
        if gradients[number] is not None and table:
            gradients[number] = run_hooks(table, gradients[number])


class LeafHooks:
    """The leaves with hooks that one backward pass reached: their gradients are summed
    here, and at the end of the pass the hooks see each sum (as PyTorch's) before it goes
    on to ``accumulate`` (``.grad``, or the result of ``grad()``)."""

    def __init__(self, accumulate: Callable[[Any, Any, bool], None]) -> None:
        self.accumulate = accumulate
        self.sums: dict[int, list[Any]] = {}  # id(leaf) -> [leaf, gradient so far]

    def hold(self, leaf: Any, gradient: Any) -> None:
        entry = self.sums.get(id(leaf))
        if entry is None:
            self.sums[id(leaf)] = [leaf, gradient]
        else:
            entry[1] = entry[1] + gradient

    def release(self) -> None:
        for leaf, gradient in self.sums.values():
            hooks = leaf_hooks(leaf)  # a hook may have removed itself or another
            self.accumulate(leaf, run_hooks(hooks, gradient) if hooks else gradient, True)


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    return f"a value of shape {tuple(shape)}" if shape is not None else type(value).__name__
