"""Operations that move, select or join elements without computing new values.

Results that view their input's memory (reshape of a contiguous tensor, transpose,
permute, basic indexing, expand, split) share the input's version counter, as PyTorch's
views do: an in-place change through either one is seen by every graph node that saved
the other. Each public function is registered right after its classes (see
:mod:`minigrad.ops._registry`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function, is_grad_enabled
from minigrad.autograd import history as _history
from minigrad.devices import device, resolve_device
from minigrad.ops._common import promote_types
from minigrad.ops._registry import alias, check, op
from minigrad.tensor import Tensor


def _view_of(array: np.ndarray, source: Tensor) -> Tensor:
    """Wrap ``array``; when it shares ``source``'s memory it shares its version counter."""
    if np.may_share_memory(array, source._array):
        return _history.make_view(array, source)
    return Tensor._make(array)


def _shape_arg(
    shape: Sequence[Any], name: str, keyword: Any = None, keyword_name: str = "size",
    what: str = "sizes",
) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and PyTorch's keyword, ``f(size=(2, 3))``, alike."""
    if keyword is not None:
        if shape:
            raise TypeError(
                f"{name}: got sizes {tuple(shape)!r} and {keyword_name}={keyword!r}; pass one"
            )
        shape = (keyword,)
    elif not shape:
        raise TypeError(f"{name}: missing the {keyword_name} argument")
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for size in shape:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise TypeError(f"{name}: {what} must be ints, got {shape!r}")
    return tuple(int(s) for s in shape)


# The dimensions the records work on, drawn for the input's shape.


def _dim(rng: np.random.Generator, shapes: Any) -> dict:
    return {"dim": int(rng.integers(len(shapes[0])))}


def _dim_plus_one(rng: np.random.Generator, shapes: Any) -> dict:
    return {"dim": int(rng.integers(len(shapes[0]) + 1))}


# --------------------------------------------------------------------------- reshaping


class Reshape(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, shape: tuple[int, ...], must_view: bool) -> Tensor:
        ctx.shape = x._array.shape
        try:
            if must_view:
                result = x._array.view()
                result.shape = shape  # raises instead of copying
            else:
                result = x._array.reshape(shape)
        except (ValueError, AttributeError) as error:
            if "size" in str(error) or must_view is False:
                raise ValueError(
                    f"shape {list(shape)} is invalid for a tensor of shape {x.shape} "
                    f"({x._array.size} elements)"
                ) from None
            raise RuntimeError(
                f"view of shape {list(shape)} is not possible for a tensor of shape {x.shape} "
                f"with strides {x._array.strides} without copying; use .reshape(...) instead"
            ) from None
        return _view_of(result, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return grad.reshape(ctx.shape), None, None


def _resolve_shape(x: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise ValueError(f"only one dimension can be inferred (-1), got shape {list(shape)}")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or x._array.size % known:
            raise ValueError(
                f"shape {list(shape)} is invalid for a tensor of shape {x.shape} "
                f"({x._array.size} elements)"
            )
        shape = tuple(x._array.size // known if s == -1 else s for s in shape)
    elif known != x._array.size or any(s < 0 for s in shape):
        raise ValueError(
            f"shape {list(shape)} is invalid for a tensor of shape {x.shape} "
            f"({x._array.size} elements)"
        )
    return shape


def _reshape_args(rng: np.random.Generator, shapes: Any) -> dict:
    shape = list(shapes[0])
    rng.shuffle(shape)
    return {"shape": tuple(shape) + (1,)}


def reshape(input: Tensor, *sizes: Any, shape: Any = None) -> Tensor:
    """The same elements in a new shape (a view when possible, else a copy):
    ``reshape(x, 2, 3)``, ``reshape(x, (2, 3))`` or ``reshape(x, shape=(2, 3))``.

    One size may be -1: it is inferred from the number of elements.
    """
    target = _shape_arg(sizes, "reshape", shape, "shape")
    return Reshape.apply(input, _resolve_shape(input, target), False)


op(reshape, Reshape, method=True, tests=[
    check(lambda x, shape: x.reshape(shape), function=lambda x, shape: reshape(x, shape),
          kwargs=_reshape_args),
])


def view(input: Tensor, *sizes: Any, size: Any = None) -> Tensor:
    """Like :func:`reshape` (``view(x, 2, 3)``, ``view(x, size=(2, 3))``), but raises
    instead of copying when the memory layout does not allow a view."""
    target = _shape_arg(sizes, "view", size, "size")
    return Reshape.apply(input, _resolve_shape(input, target), True)


op(view, Reshape, method=True)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` (inclusive) into one."""
    # A 0-d tensor counts as having one dimension here (0 and -1 are valid), as in PyTorch.
    start = dtypes.normalize_dim(start_dim, input._array.ndim)
    end = dtypes.normalize_dim(end_dim, input._array.ndim)
    if input._array.ndim == 0:
        return reshape(input, 1)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = input._array.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


op(flatten, Reshape, method=True,
   tests=[check(lambda x: x.reshape(-1) if x.ndim else x.reshape(1))])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (only ``dim``, an int or a tuple, when given)."""
    shape = input._array.shape
    dims = dtypes.normalize_dims(dim, input._array.ndim) if dim is not None else range(len(shape))
    target = tuple(s for d, s in enumerate(shape) if not (d in dims and s == 1))
    return Reshape.apply(input, target, False)


op(squeeze, Reshape, method=True, tests=[check(np.squeeze)])


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at position ``dim`` (negative counts from the end)."""
    position = dtypes.normalize_dim(dim, input._array.ndim + 1)
    shape = input._array.shape
    return Reshape.apply(input, shape[:position] + (1,) + shape[position:], False)


op(unsqueeze, Reshape, method=True,
   tests=[check(lambda x, dim: np.expand_dims(x, dim), kwargs=_dim_plus_one)])


class Permute(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, order: tuple[int, ...]) -> Tensor:
        ctx.order = order
        return _view_of(x._array.transpose(order), x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return Permute.apply(grad, tuple(np.argsort(ctx.order))), None


def _permutation(rng: np.random.Generator, shapes: Any) -> dict:
    return {"dims": tuple(int(d) for d in rng.permutation(len(shapes[0])))}


def permute(input: Tensor, *order: Any, dims: Any = None) -> Tensor:
    """The dimensions reordered: ``dims[i]`` is the input dimension that becomes ``i``
    (``permute(x, 2, 0, 1)``, ``permute(x, (2, 0, 1))`` or ``permute(x, dims=(2, 0, 1))``)."""
    order = _shape_arg(order, "permute", dims, "dims")
    normalized = tuple(dtypes.normalize_dim(d, input._array.ndim) for d in order)
    if sorted(normalized) != list(range(input._array.ndim)):
        raise ValueError(
            f"permute: {list(order)} is not a permutation of the {input._array.ndim} "
            f"dimensions of a tensor of shape {input.shape}"
        )
    return Permute.apply(input, normalized)


op(permute, Permute, method=True, tests=[
    check(lambda x, dims: x.transpose(dims), function=lambda x, dims: permute(x, dims),
          kwargs=_permutation),
])


def _two_dims(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    return {"dim0": int(rng.integers(ndim)), "dim1": int(rng.integers(ndim))}


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1``."""
    order = list(range(input._array.ndim))
    a = dtypes.normalize_dim(dim0, input._array.ndim)
    b = dtypes.normalize_dim(dim1, input._array.ndim)
    if order:  # a 0-d tensor accepts dims 0 and -1 (as PyTorch) and has nothing to swap
        order[a], order[b] = order[b], order[a]
    return Permute.apply(input, tuple(order))


op(transpose, Permute, method=True, tests=[
    check(lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1), kwargs=_two_dims,
          min_rank=1),
])


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-d or 1-d tensor is returned as is (a view), as in
    PyTorch, which refuses more than 2 dimensions (use ``transpose`` or ``mT`` there)."""
    if input._array.ndim > 2:
        raise ValueError(
            f"t() expects a tensor with at most 2 dimensions, got shape {input.shape}; "
            "use transpose(dim0, dim1) or .mT for a batch of matrices"
        )
    return Permute.apply(input, tuple(range(input._array.ndim - 1, -1, -1)))


op(t, Permute, method=True, tests=[check(np.transpose, max_rank=2)])


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """Swap dimensions ``axis0`` and ``axis1`` (NumPy's name for :func:`transpose`)."""
    return transpose(input, axis0, axis1)


op(swapaxes, Permute, method=True, tests=[
    check(lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
          function=lambda x, dim0, dim1: swapaxes(x, dim0, dim1),
          kwargs=_two_dims, min_rank=1),
])


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1`` (an alias of :func:`transpose`)."""
    return transpose(input, dim0, dim1)


op(swapdims, Permute, method=True)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` viewed with ``other``'s shape (``view(input, other.shape)``)."""
    return view(input, tuple(other.shape))


op(view_as, Reshape, method=True, method_only=True)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` reshaped to ``other``'s shape (``reshape(input, other.shape)``)."""
    return reshape(input, tuple(other.shape))


op(reshape_as, Reshape, method=True, method_only=True)


class BroadcastTo(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, shape: tuple[int, ...]) -> Tensor:
        ctx.shape = x._array.shape
        try:
            return _view_of(np.broadcast_to(x._array, shape), x)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {x.shape} to {shape}") from None

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad.sum_to_size(ctx.shape), None


def _expansion(rng: np.random.Generator, shapes: Any) -> dict:
    lead = tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 3)))
    stretched = tuple(int(rng.integers(1, 4)) if s == 1 else s for s in shapes[0])
    return {"shape": lead + stretched}


def broadcast_to(input: Tensor, *sizes: Any, size: Any = None) -> Tensor:
    """A read-only view of ``input`` broadcast to ``size`` (NumPy's rules)."""
    target = _shape_arg(sizes, "broadcast_to", size, "size")
    if target == input._array.shape:
        return input
    return BroadcastTo.apply(input, target)


op(broadcast_to, BroadcastTo, method=True, tests=[
    check(lambda x, shape: np.broadcast_to(x, shape),
          function=lambda x, shape: broadcast_to(x, shape), kwargs=_expansion),
])


def expand(input: Tensor, *sizes: Any, size: Any = None) -> Tensor:
    """Broadcast to ``sizes`` (or ``size=``); -1 keeps that dimension's size (as
    ``torch.Tensor.expand``)."""
    target = list(_shape_arg(sizes, "expand", size, "size"))
    offset = len(target) - input._array.ndim
    if offset < 0:
        raise ValueError(f"expand: sizes {target} have fewer dimensions than shape {input.shape}")
    for i, size in enumerate(input._array.shape):
        if target[offset + i] == -1:
            target[offset + i] = size
    return broadcast_to(input, tuple(target))


op(expand, BroadcastTo, method=True)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """:func:`expand` to ``other``'s shape."""
    return broadcast_to(input, other._array.shape)


op(expand_as, BroadcastTo, method=True)


# --------------------------------------------------------------------------- joining


class Cat(Function):
    @staticmethod
    def forward(ctx: Any, dim: int, *tensors: Tensor) -> np.ndarray:
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [t._array.shape[dim] for t in tensors])
        dtype = functools.reduce(promote_types, [t._array.dtype for t in tensors])
        return np.concatenate([t._array for t in tensors], axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        lead = (slice(None),) * ctx.dim
        pieces = [
            grad[lead + (slice(int(a), int(b)),)] if need else None
            for a, b, need in zip(ctx.bounds[:-1], ctx.bounds[1:], ctx.needs_input_grad[1:])
        ]
        return (None, *pieces)


def _check_joinable(tensors: Sequence[Any], dim: int, name: str, same_shape: bool) -> int:
    """Check the tensors to join and return ``dim`` normalized."""
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: element {i} is a {type(t).__name__}, not a Tensor")
    first = tensors[0]._array.shape
    if not same_shape:
        for i, t in enumerate(tensors):
            if t._array.ndim == 0:  # no dimension to join along (PyTorch refuses them too)
                shapes = [other.shape for other in tensors]
                raise ValueError(
                    f"{name}: tensor {i} is zero-dimensional and cannot be concatenated "
                    f"(shapes {shapes}); use stack to join scalars"
                )
    axis = dtypes.normalize_dim(dim, len(first) + (1 if same_shape else 0))
    for i, t in enumerate(tensors[1:], start=1):
        shape = t._array.shape
        mismatch = (
            shape != first
            if same_shape
            else len(shape) != len(first)
            or any(a != b for d, (a, b) in enumerate(zip(shape, first)) if d != axis)
        )
        if mismatch:
            raise ValueError(
                f"{name}: tensor {i} has shape {shape}, incompatible with tensor 0's shape "
                f"{first} (dim={dim})"
            )
    return axis


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    tensors = list(tensors)
    axis = _check_joinable(tensors, dim, "cat", same_shape=False)
    return Cat.apply(axis, *tensors)


op(cat, Cat, tests=[
    check(lambda a, b, dim: np.concatenate([a, b], axis=dim),
          function=lambda a, b, dim: cat([a, b], dim), arity=2, shapes="same",
          kwargs=_dim, min_rank=1),
])


concatenate = alias("concatenate", cat)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension ``dim``."""
    tensors = list(tensors)
    axis = _check_joinable(tensors, dim, "stack", same_shape=True)
    return Cat.apply(axis, *[unsqueeze(t, axis) for t in tensors])


op(stack, Cat, tests=[
    check(lambda a, b, dim: np.stack([a, b], axis=dim),
          function=lambda a, b, dim: stack([a, b], dim), arity=2, shapes="same",
          kwargs=_dim_plus_one),
])


class Split(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, sizes: tuple[int, ...], dim: int) -> tuple[Tensor, ...]:
        ctx.dim = dim
        lead = (slice(None),) * dim
        pieces, start = [], 0
        for size in sizes:
            # Basic slices are always views: they share the input's version counter.
            piece = x._array[lead + (slice(start, start + size),)]
            pieces.append(_history.make_view(piece, x))
            start += size
        return tuple(pieces)

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Tensor, None, None]:
        return cat(grads, ctx.dim), None, None


def _cut_axis(input: Tensor, dim: int, name: str) -> int:
    """``dim`` normalized for split, chunk and unbind, which need a dimension to cut."""
    if input._array.ndim == 0:
        raise ValueError(f"{name}: expected a tensor with at least one dimension, got shape ()")
    return dtypes.normalize_dim(dim, input._array.ndim)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _split_sizes(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    dim = int(rng.integers(ndim))
    return {"dim": dim, "size": int(rng.integers(1, shapes[0][dim] + 1))}


def _split_sum(x: Tensor, dim: int, size: int) -> Tensor:
    pieces = split(x, size, dim)
    return cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim)


def _numpy_split_sum(x: np.ndarray, dim: int, size: int) -> np.ndarray:
    bounds = list(range(size, x.shape[dim], size))
    pieces = np.split(x, bounds, axis=dim)
    return np.concatenate([p * (i + 1.0) for i, p in enumerate(pieces)], axis=dim)


def split(
    input: Tensor, split_size_or_sections: Any = None, dim: int = 0, *, split_size: Any = None
) -> tuple[Tensor, ...]:
    """Cut ``input`` along ``dim`` into pieces of ``split_size_or_sections`` elements (the
    last may be smaller), or into pieces of the listed sizes. ``split_size`` is the name
    ``Tensor.split`` gives the same argument in PyTorch."""
    sections = split_size_or_sections
    if (sections is None) == (split_size is None):
        raise TypeError("split: pass exactly one of split_size_or_sections and split_size")
    if sections is None:
        sections = split_size
    axis = _cut_axis(input, dim, "split")
    length = input._array.shape[axis]
    if _is_int(sections):
        step = int(sections)
        # A size of 0 only makes sense for an empty dimension (one empty piece).
        if step < 0 or (step == 0 and length > 0):
            raise ValueError(
                f"split: split_size must be positive, got {step} for dimension {dim} of "
                f"size {length}"
            )
        sizes = tuple(min(step, length - start) for start in range(0, length, step or 1))
        sizes = sizes or (0,)
    elif isinstance(sections, (tuple, list)) and all(_is_int(s) for s in sections):
        sizes = tuple(int(s) for s in sections)
        if any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes must be non-negative, got {list(sizes)}")
        if sum(sizes) != length:
            raise ValueError(
                f"split: sizes {list(sizes)} do not add up to {length}, the size of "
                f"dimension {dim} of a tensor of shape {input.shape}"
            )
    else:
        raise TypeError(
            f"split: split_size_or_sections must be an int or a list of ints, got "
            f"{sections!r}"
        )
    return Split.apply(input, sizes, axis)


op(split, Split, method=True, tests=[
    check(_numpy_split_sum, function=_split_sum, kwargs=_split_sizes, min_rank=1,
          min_side=1),
])


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut ``input`` along ``dim`` into ``chunks`` pieces of equal size (the last may be
    smaller, and there may be fewer pieces), as ``torch.chunk``."""
    if not _is_int(chunks):
        raise TypeError(f"chunk: chunks must be an int, got {chunks!r}")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    length = input._array.shape[_cut_axis(input, dim, "chunk")]
    if length == 0:  # PyTorch gives ``chunks`` empty pieces, not one
        return split(input, [0] * chunks, dim)
    return split(input, -(-length // chunks), dim)


op(chunk, Split, method=True)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, with that dimension removed."""
    axis = _cut_axis(input, dim, "unbind")
    return tuple(squeeze(piece, axis) for piece in split(input, 1, axis))


op(unbind, Split, method=True)


# --------------------------------------------------------------------------- indexing
#
# An index is split in two before it reaches an indexing Function: a *key* holding ints,
# slices, None and ``...`` as given, with the placeholder ``_ARRAY`` where an integer or
# bool index array goes, and the Tensors holding those arrays, in order. The Function
# keeps the key as an attribute and the Tensors through ``save_for_backward``, as PyTorch
# does: an index changed in place before backward then raises the version-counter error
# instead of giving a wrong gradient, and the index arrays are freed after backward.

# Where the key has an index array: the array of the next saved tensor (see _fill).
_ARRAY = object()


def _index_key(key: Any) -> tuple[Any, tuple[Tensor, ...]]:
    """A user's index as (key, index tensors), the two halves described above.

    A list or NumPy array becomes a new Tensor owning a copy (PyTorch converts them too):
    the caller may change the original later, and it has no version counter to check.
    Floats are refused.
    """
    # The commonest keys first, without the loop below: x[t] in a recurrent layer's loop
    # over time steps, x[1:], and one index tensor or mask.
    if type(key) is int or type(key) is slice:
        return key, ()
    if isinstance(key, (Tensor, list, np.ndarray)):
        return _ARRAY, (_index_tensor(key),)
    parts = key if isinstance(key, tuple) else (key,)
    placed: list[Any] = []
    tensors: list[Tensor] = []
    for part in parts:
        if isinstance(part, (Tensor, list, np.ndarray)):
            tensors.append(_index_tensor(part))
            part = _ARRAY
        elif isinstance(part, float):
            raise IndexError(f"indices must be integers, slices or tensors, got the float {part}")
        placed.append(part)
    return (tuple(placed) if isinstance(key, tuple) else placed[0]), tuple(tensors)


def _index_tensor(part: Any) -> Tensor:
    """An integer or bool index (a Tensor, list or NumPy array) as a Tensor."""
    tensor = part if isinstance(part, Tensor) else Tensor._make(np.array(part))
    if tensor._array.dtype.kind not in "iub":
        raise IndexError(
            f"tensors used as indices must be integer or bool, got {tensor._array.dtype}"
        )
    return tensor


def _fill(key: Any, tensors: tuple[Tensor, ...]) -> Any:
    """The NumPy index: ``key`` with the arrays of ``tensors``, in order, at its ``_ARRAY``s."""
    if not tensors:
        return key
    if key is _ARRAY:
        return tensors[0]._array
    arrays = iter(tensors)
    return tuple(next(arrays)._array if part is _ARRAY else part for part in key)


def _save_index(ctx: Any, key: Any, tensors: tuple[Tensor, ...]) -> Any:
    """Keep ``key`` and ``tensors`` for backward (see above); return the NumPy index."""
    ctx.key = key
    ctx.has_index_tensors = bool(tensors)
    if tensors:
        ctx.save_for_backward(*tensors)
    return _fill(key, tensors)


def _saved_index(ctx: Any) -> tuple[Any, tuple[Tensor, ...]]:
    """The key and index tensors ``_save_index`` kept, checked against in-place changes.

    A key of ints and slices saved no tensor: reading ``saved_tensors`` would then refuse
    a second backward that needs nothing freed (PyTorch allows one through ``x[1:]``)."""
    return ctx.key, (ctx.saved_tensors if ctx.has_index_tensors else ())


def _take(x: Tensor, key: Any) -> np.ndarray:
    try:
        return x._array[key]
    except IndexError as error:
        raise IndexError(f"{error} (indexing a tensor of shape {x.shape})") from None


class Index(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, key: Any, tensors: tuple[Tensor, ...]) -> Tensor:
        ctx.shape = x._array.shape
        numpy_key = _save_index(ctx, key, tensors)
        result = _take(x, numpy_key)
        if tensors:  # advanced indexing copies
            return Tensor._make(np.asarray(result))
        if type(result) is not np.ndarray:
            # Integers only: NumPy gives a scalar (a copy), PyTorch a 0-d view, through
            # which t[1].add_(1) changes t. A trailing ... makes NumPy give the view.
            parts = numpy_key if isinstance(numpy_key, tuple) else (numpy_key,)
            result = x._array[parts + (Ellipsis,)]
        return _view_of(result, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        key, tensors = _saved_index(ctx)
        return IndexAdd.apply(grad, ctx.shape, key, tensors), None, None


class IndexAdd(Function):
    """Zeros of ``shape`` with ``values`` added at the index (repeated indices add up)."""

    @staticmethod
    def forward(
        ctx: Any, values: Tensor, shape: tuple[int, ...], key: Any, tensors: tuple[Tensor, ...]
    ) -> np.ndarray:
        numpy_key = _save_index(ctx, key, tensors)
        result = np.zeros(shape, dtype=values._array.dtype)
        if any(t._array.dtype != np.bool_ for t in tensors):
            # Integer indices may repeat: np.add.at adds every occurrence, where
            # result[key] += values would keep only the last.
            np.add.at(result, numpy_key, values._array)
        else:
            result[numpy_key] = values._array
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None, None]:
        key, tensors = _saved_index(ctx)
        return Index.apply(grad, key, tensors), None, None, None


def _basic_key(rng: np.random.Generator, shapes: Any) -> dict:
    key: list[int | slice] = []
    for size in shapes[0]:
        start = int(rng.integers(0, size))
        choice = rng.integers(3)
        if choice == 0:
            key.append(start)
        elif choice == 1:
            key.append(slice(start, size, int(rng.integers(1, 3))))
        else:
            key.append(slice(None, None, -1))
    return {"key": tuple(key)}


def _integer_key(rng: np.random.Generator, shapes: Any) -> dict:
    size = shapes[0][0]
    return {"key": Tensor._make(rng.integers(-size, size, size=int(rng.integers(1, 6))))}


def _mask_key(rng: np.random.Generator, shapes: Any) -> dict:
    return {"key": Tensor._make(rng.random(shapes[0]) < 0.5)}


def index(input: Tensor, key: Any) -> Tensor:
    """``input[key]`` with NumPy's rules: ints, slices, ``None``, ``...``, integer tensors
    and bool masks. Basic indexing gives a view (0-d for integers only, as in PyTorch);
    the gradient of repeated integer indices adds up."""
    return Index.apply(input, *_index_key(key))


op(index, Index, IndexAdd, tests=[
    check(lambda x, key: x[key], name="index_basic", function=lambda x, key: x[key],
          kwargs=_basic_key, min_rank=1, min_side=1),
    check(lambda x, key: x[key._array], name="index_integer",
          function=lambda x, key: x[key], kwargs=_integer_key, min_rank=1, min_side=1),
    check(lambda x, key: x[key._array], name="index_mask", function=lambda x, key: x[key],
          kwargs=_mask_key, min_rank=1),
])


def _narrow_args(rng: np.random.Generator, shapes: Any) -> dict:
    dim = int(rng.integers(len(shapes[0])))
    size = shapes[0][dim]
    start = int(rng.integers(-size, size + 1))
    length = int(rng.integers(0, size - (start % size if start < 0 else start) + 1))
    return {"dim": dim, "start": start, "length": length}


def _numpy_narrow(x: np.ndarray, dim: int, start: int, length: int) -> np.ndarray:
    start = start + x.shape[dim] if start < 0 else start
    return np.take(x, np.arange(start, start + length), axis=dim)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view of ``length`` elements of dimension ``dim`` from ``start`` on (a negative
    ``start`` counts from the end; it may be a 0-d integer tensor): in-place changes to
    it reach ``input``, as ``input[..., start:start + length]``."""
    if input._array.ndim == 0:
        raise IndexError("narrow() cannot be applied to a 0-d tensor")
    axis = dtypes.normalize_dim(dim, input._array.ndim)
    if isinstance(start, Tensor):
        if start._array.ndim != 0 or start._array.dtype.kind not in "iu":
            raise TypeError(
                f"narrow: start must be an int or a 0-d integer tensor, got a tensor of "
                f"shape {start.shape} and dtype {start._array.dtype}"
            )
        start = start._array.item()
    for name, value in (("start", start), ("length", length)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"narrow: {name} must be an int, got {value!r}")
    size = input._array.shape[axis]
    if not -size <= start <= size:
        raise IndexError(
            f"narrow: start {start} is out of range for dimension {dim} of size {size} "
            f"(expected {-size} <= start <= {size})"
        )
    begin = int(start) + size if start < 0 else int(start)
    if length < 0 or begin + length > size:
        raise ValueError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension {dim} of size "
            f"{size}" if length >= 0 else f"narrow: length must be non-negative, got {length}"
        )
    key = (slice(None),) * axis + (slice(begin, begin + int(length)),)
    return Index.apply(input, key, ())


op(narrow, Index, IndexAdd, method=True, tests=[
    check(_numpy_narrow, kwargs=_narrow_args, min_rank=1, min_side=1),
])


class IndexPut(Function):
    @staticmethod
    def forward(
        ctx: Any, x: Tensor, key: Any, values: Tensor, tensors: tuple[Tensor, ...]
    ) -> np.ndarray:
        ctx.values_ndim = values._array.ndim
        numpy_key = _save_index(ctx, key, tensors)
        selection = np.shape(_take(x, numpy_key))
        source = values._array
        extra = source.ndim - len(selection)
        if extra > 0 and all(s == 1 for s in source.shape[:extra]):
            source = source.reshape(source.shape[extra:])  # PyTorch drops leading 1s
        result = x._array.copy()
        try:
            result[numpy_key] = source
        except ValueError:
            raise ValueError(
                f"cannot assign values of shape {values.shape} to the selection of shape "
                f"{selection} of a tensor of shape {x.shape}"
            ) from None
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, None, Tensor | None, None]:
        need_x, _, need_values, _ = ctx.needs_input_grad
        key, tensors = _saved_index(ctx)
        grad_x = grad_values = None
        if need_x:
            zero = Tensor._make(np.zeros((), dtype=grad._array.dtype))
            grad_x = IndexPut.apply(grad, key, zero, tensors)
        if need_values:
            grad_values = Index.apply(grad, key, tensors)
            missing = ctx.values_ndim - grad_values.ndim
            if missing > 0:
                grad_values = grad_values.reshape((1,) * missing + grad_values.shape)
        return grad_x, None, grad_values, None


def _put_key(rng: np.random.Generator, shapes: Any) -> dict:
    size = shapes[0][0]
    rows = rng.permutation(size)[: int(rng.integers(1, size + 1))]
    return {"key": Tensor._make(rows)}


def _index_put(x: Tensor, values: Tensor, key: Any) -> Tensor:
    return index_put(x, key, values[: len(key._array)])


def _numpy_index_put(x: np.ndarray, values: np.ndarray, key: Any) -> np.ndarray:
    result = x.copy()
    result[key._array] = values[: len(key._array)]
    return result


def index_put(input: Tensor, key: Any, values: Tensor) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``key`` (``x[key] = values`` out of
    place; ``values`` broadcasts to the selection). As a method, ``x.index_put(indices,
    values)`` with a tuple of index tensors, as PyTorch's."""
    key, tensors = _index_key(key)
    return IndexPut.apply(input, key, values, tensors)


op(index_put, IndexPut, Index, method=True, tests=[
    check(_numpy_index_put, function=_index_put, arity=2, shapes="same",
          kwargs=_put_key, min_rank=1, min_side=1),
])


class CopyInto(Function):
    @staticmethod
    def forward(ctx: Any, destination: Tensor, source: Tensor) -> np.ndarray:
        try:
            spread = np.broadcast_to(source._array, destination._array.shape)
        except ValueError:
            raise ValueError(
                f"copy_: the source of shape {source.shape} cannot be broadcast to the "
                f"destination's shape {destination.shape}"
            ) from None
        return spread.astype(destination._array.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor]:
        # The overwritten values' history gets a zero gradient (as PyTorch), not none.
        overwritten = Tensor._make(np.zeros_like(grad._array)) if ctx.needs_input_grad[0] else None
        return overwritten, grad


def copy_into(destination: Tensor, source: Tensor) -> Tensor:
    """``source`` broadcast to ``destination``'s shape and dtype (the value of ``copy_``);
    the gradient flows to ``source`` only."""
    return CopyInto.apply(destination, source)


op(copy_into, CopyInto)


class Pad(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, widths: tuple[tuple[int, int], ...], value: float) -> Any:
        ctx.inner = tuple(slice(before, before + size) for (before, _), size in zip(
            widths, x._array.shape))
        return np.pad(x._array, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return grad[ctx.inner], None, None


def _pad_widths(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    pairs = int(rng.integers(1, ndim + 1))
    widths: list[int] = []
    for i in range(pairs):
        size = shapes[0][ndim - 1 - i]
        low = -(size // 2)
        widths += [int(rng.integers(low, 3)), int(rng.integers(0, 3))]
    return {"widths": tuple(widths), "value": float(rng.uniform(-1, 1))}


def _numpy_pad(x: np.ndarray, widths: tuple[int, ...], value: float) -> np.ndarray:
    ndim = x.ndim
    full = [(0, 0)] * ndim
    for i in range(len(widths) // 2):
        full[ndim - 1 - i] = (widths[2 * i], widths[2 * i + 1])
    crop = tuple(slice(max(0, -a), s - max(0, -b)) for (a, b), s in zip(
        full, x.shape))
    positive = [(max(0, a), max(0, b)) for a, b in full]
    return np.pad(x[crop], positive, constant_values=value)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with ``value``, as ``torch.nn.functional.pad``: ``pad`` lists (before, after)
    widths starting from the *last* dimension; negative widths crop."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input._array.ndim:
        raise ValueError(
            f"pad: {list(pad)} must hold a (before, after) pair for at most each of the "
            f"{input._array.ndim} dimensions of a tensor of shape {input.shape}"
        )
    widths = [(0, 0)] * input._array.ndim
    for i in range(len(pad) // 2):
        widths[input._array.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    crop = tuple(
        slice(max(0, -a), size - max(0, -b))
        for (a, b), size in zip(widths, input._array.shape)
    )
    if any(a < 0 or b < 0 for a, b in widths):
        input = index(input, crop)
    positive = tuple((max(0, a), max(0, b)) for a, b in widths)
    return Pad.apply(input, positive, float(value))


op(pad, Pad, tests=[
    check(_numpy_pad, function=lambda x, widths, value: pad(x, widths, value=value),
          kwargs=_pad_widths, min_rank=1, min_side=1),
])


# --------------------------------------------------------------------------- copies, casts


class Clone(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> np.ndarray:
        return x._array.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory; gradients flow through it."""
    return Clone.apply(input)


op(clone, Clone, method=True, tests=[check(np.copy)])


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself if its memory is C-contiguous, else a contiguous copy."""
    return input if input._array.flags.c_contiguous else Clone.apply(input)


op(contiguous, Clone, method=True, method_only=True)


class Cast(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x._array.dtype
        return x._array.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return Cast.apply(grad, ctx.dtype), None


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``input`` converted to a dtype (``x.to(minigrad.float64)``, ``x.to(other)``);
    the CPU as a device (``"cpu"``, ``minigrad.device("cpu")``) is accepted; any other
    device raises. Returns ``input`` itself when
    nothing changes; float-to-float casts pass gradients back."""
    dtype = kwargs.pop("dtype", None)
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg._array.dtype
        elif isinstance(arg, (str, device)):
            resolve_device(arg, "to")  # the CPU passes; any other device is refused
        elif arg is not None:
            dtype = arg
    resolve_device(kwargs.pop("device", None), "to")
    kwargs.pop("copy", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
    if dtype is None:
        return input
    target = dtypes.resolve(dtype)
    if target == input._array.dtype:
        return input
    return Cast.apply(input, target)


op(to, Cast, method=True, method_only=True)


def as_float32(input: Tensor) -> Tensor:
    """``input`` as float32."""
    return to(input, dtypes.float32)


op(as_float32, Cast, method="float", method_only=True)


def as_float64(input: Tensor) -> Tensor:
    """``input`` as float64."""
    return to(input, dtypes.float64)


op(as_float64, Cast, method="double", method_only=True,
   tests=[check(lambda x: x, name="to_float64", keeps_dtype=False)])


def as_int64(input: Tensor) -> Tensor:
    """``input`` as int64 (no gradient)."""
    return to(input, dtypes.int64)


op(as_int64, Cast, method="long", method_only=True)


def as_int32(input: Tensor) -> Tensor:
    """``input`` as int32 (no gradient)."""
    return to(input, dtypes.int32)


op(as_int32, Cast, method="int", method_only=True)


def as_bool(input: Tensor) -> Tensor:
    """``input`` as bool (no gradient)."""
    return to(input, dtypes.bool_)


op(as_bool, Cast, method="bool", method_only=True)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` converted to ``other``'s dtype."""
    return to(input, other._array.dtype)


op(type_as, Cast, method=True, method_only=True)


# --------------------------------------------------------------------------- rearranging
#
# flip, roll, tril/triu, repeat, repeat_interleave and meshgrid (issue 13). As in PyTorch,
# flip, roll, tril/triu, repeat and repeat_interleave return copies; meshgrid's results
# are expanded views of its inputs.


def _dims_arg(dims: tuple[int, ...], ndim: int, name: str) -> tuple[int, ...]:
    """``dims`` normalized, each at most once."""
    normalized = tuple(dtypes.normalize_dim(d, ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name}: dims {list(dims)} name a dimension more than once")
    return normalized


class Flip(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return np.flip(x._array, dims).copy() if dims else x._array.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return Flip.apply(grad, ctx.dims), None


def _some_dims(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    count = int(rng.integers(0, ndim + 1))
    return {"dims": tuple(int(d) - ndim * int(rng.integers(2))
                          for d in rng.permutation(ndim)[:count])}


def flip(input: Tensor, *dimensions: Any, dims: Any = None) -> Tensor:
    """A copy of ``input`` with the order of the elements along each of ``dims``
    reversed: ``flip(x, (0, 1))``, ``flip(x, dims=(0, 1))`` or ``x.flip(0, 1)``."""
    listed = _shape_arg(dimensions, "flip", dims, "dims", what="dims")
    return Flip.apply(input, _dims_arg(listed, input._array.ndim, "flip"))


op(flip, Flip, method=True, tests=[
    check(lambda x, dims: np.flip(x, dims) if dims else x.copy(), kwargs=_some_dims),
])


class Roll(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, shifts: tuple[int, ...], dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x._array, shifts, axis=dims)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return Roll.apply(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def _shifts_dims(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    if ndim == 0 or rng.integers(3) == 0:
        return {"shifts": int(rng.integers(-5, 6)), "dims": None}
    count = int(rng.integers(1, ndim + 1))
    dims = tuple(int(d) for d in rng.integers(-ndim, ndim, size=count))  # may repeat
    return {"shifts": tuple(int(s) for s in rng.integers(-5, 6, size=count)), "dims": dims}


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """A copy of ``input`` with its elements shifted ``shifts`` places along ``dims``
    (circularly: those past the end come back at the start). Without ``dims`` the
    tensor is rolled as if flattened, then given its shape back; ``shifts`` and ``dims``
    may be tuples of the same length (one shift per dimension)."""
    shift_list = (shifts,) if not isinstance(shifts, (tuple, list)) else tuple(shifts)
    if not all(_is_int(s) for s in shift_list):
        raise TypeError(f"roll: shifts must be ints, got {shifts!r}")
    if dims is None:
        if len(shift_list) != 1:
            raise ValueError(
                f"roll: {len(shift_list)} shifts {list(shift_list)} need as many dims; "
                "without dims only one shift (of the flattened tensor) is allowed"
            )
        return Roll.apply(input, (int(shift_list[0]),), None)
    dim_list = (dims,) if not isinstance(dims, (tuple, list)) else tuple(dims)
    if len(dim_list) != len(shift_list) or not dim_list:
        raise ValueError(
            f"roll: shifts {list(shift_list)} and dims {list(dim_list)} must have the same, "
            "non-zero length"
        )
    if not all(_is_int(d) for d in dim_list):
        raise TypeError(f"roll: dims must be ints, got {dims!r}")
    # A 0-d tensor accepts dim 0 and -1, as PyTorch, and has nothing to roll.
    axes = tuple(dtypes.normalize_dim(int(d), input._array.ndim) for d in dim_list)
    if input._array.ndim == 0:
        return Roll.apply(input, (0,), None)
    return Roll.apply(input, tuple(int(s) for s in shift_list), axes)


op(roll, Roll, method=True, tests=[
    check(lambda x, shifts, dims: np.roll(x, shifts, axis=dims), kwargs=_shifts_dims),
])


class Triangle(Function):
    """The lower (``tril``) or upper (``triu``) triangle of the last two dimensions."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, upper: bool, diagonal: int) -> np.ndarray:
        ctx.upper, ctx.diagonal = upper, diagonal
        return (np.triu if upper else np.tril)(x._array, diagonal)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        return Triangle.apply(grad, ctx.upper, ctx.diagonal), None, None


def _diagonal(rng: np.random.Generator, shapes: Any) -> dict:
    return {"diagonal": int(rng.integers(-4, 5))}


def _triangle(input: Tensor, diagonal: int, upper: bool) -> Tensor:
    name = "triu" if upper else "tril"
    if input._array.ndim < 2:
        raise ValueError(
            f"{name}: expected a matrix or a batch of matrices (at least 2 dimensions), got "
            f"shape {input.shape}"
        )
    if not _is_int(diagonal):
        raise TypeError(f"{name}: diagonal must be an int, got {diagonal!r}")
    return Triangle.apply(input, upper, int(diagonal))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of each matrix (the last two dimensions): the elements
    ``input[..., i, j]`` with ``j - i <= diagonal`` kept, the others zero."""
    return _triangle(input, diagonal, upper=False)


op(tril, Triangle, method=True, tests=[
    check(lambda x, diagonal: np.tril(x, diagonal), kwargs=_diagonal, min_rank=2),
])


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of each matrix (the last two dimensions): the elements
    ``input[..., i, j]`` with ``j - i >= diagonal`` kept, the others zero."""
    return _triangle(input, diagonal, upper=True)


op(triu, Triangle, method=True, tests=[
    check(lambda x, diagonal: np.triu(x, diagonal), kwargs=_diagonal, min_rank=2),
])


def _repeats(rng: np.random.Generator, shapes: Any) -> dict:
    extra = int(rng.integers(0, 2))
    return {"sizes": tuple(int(s) for s in rng.integers(0, 3, size=len(shapes[0]) + extra))}


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """A copy of ``input`` tiled ``sizes[i]`` times along dimension ``i``
    (``x.repeat(2, 1)``, ``x.repeat((2, 1))``); more sizes than dimensions tile new
    leading dimensions (NumPy's ``tile``)."""
    counts = _shape_arg(sizes, "repeat")
    shape = input._array.shape
    if len(counts) < len(shape):
        raise ValueError(
            f"repeat: {len(counts)} sizes {list(counts)} for a tensor of shape {shape}; give "
            f"at least one per dimension ({len(shape)})"
        )
    if any(c < 0 for c in counts):
        raise ValueError(f"repeat: sizes must be non-negative, got {list(counts)}")
    shape = (1,) * (len(counts) - len(shape)) + shape
    # Each size of the input gets a new dimension of the repeat count before it; the
    # broadcast then repeats the whole of each trailing block, as tile does.
    spread = reshape(input, tuple(s for size in shape for s in (1, size)))
    tiled = broadcast_to(spread, tuple(s for c, size in zip(counts, shape) for s in (c, size)))
    result = reshape(tiled, tuple(c * size for c, size in zip(counts, shape)))
    # A copy always, as PyTorch: the reshape may view the input (all sizes 1) or the
    # broadcast (stride 0, read-only) instead of copying.
    return Clone.apply(result) if np.may_share_memory(result._array, input._array) else result


op(repeat, Reshape, BroadcastTo, Clone, method=True, method_only=True, tests=[
    check(lambda x, sizes: np.tile(x, sizes), function=lambda x, sizes: repeat(x, sizes),
          kwargs=_repeats),
])


def _interleave_args(rng: np.random.Generator, shapes: Any) -> dict:
    ndim = len(shapes[0])
    if ndim == 0 or rng.integers(3) == 0:
        return {"repeats": int(rng.integers(0, 3)), "dim": None}
    dim = int(rng.integers(-ndim, ndim))
    if rng.integers(2):
        return {"repeats": int(rng.integers(0, 3)), "dim": dim}
    counts = rng.integers(0, 3, size=shapes[0][dim])
    return {"repeats": Tensor._make(counts), "dim": dim}


def _numpy_repeat_interleave(x: np.ndarray, repeats: Any, dim: Any) -> np.ndarray:
    counts = repeats._array if isinstance(repeats, Tensor) else repeats
    return np.repeat(x, counts, axis=dim)


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim`` (``repeats`` an int, or a
    tensor of one count per element of that dimension); without ``dim`` the flattened
    input's elements are repeated. ``repeat_interleave(counts)`` alone gives the indices
    ``0, 1, ...`` each repeated as often as ``counts`` says."""
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, repeated
        counts = _repeat_counts(input, None, "repeat_interleave")
        return Tensor._make(np.repeat(np.arange(counts.size), counts))
    if dim is None:
        input = reshape(input, -1)
        axis = 0
    else:
        axis = dtypes.normalize_dim(dim, input._array.ndim)
        if input._array.ndim == 0:
            input = reshape(input, 1)
    size = input._array.shape[axis]
    counts = _repeat_counts(repeats, size, "repeat_interleave")
    positions = np.repeat(np.arange(size), counts)
    if output_size is not None and output_size != positions.size:
        raise ValueError(
            f"repeat_interleave: output_size={output_size}, but the repeats {counts.tolist()} "
            f"give {positions.size} elements"
        )
    key = (slice(None),) * axis + (_ARRAY,)
    return Index.apply(input, key, (Tensor._make(positions),))


def _repeat_counts(repeats: Any, size: int | None, name: str) -> np.ndarray:
    """The repeat count of each element: an int for all ``size``, or a tensor of them."""
    if isinstance(repeats, Tensor):
        counts = repeats._array
        if counts.dtype.kind not in "iu":
            raise TypeError(f"{name}: repeats must be an integer tensor, got {counts.dtype}")
        if counts.ndim > 1:
            raise ValueError(f"{name}: repeats must be 0-d or 1-d, got shape {repeats.shape}")
        if size is not None and counts.ndim == 1 and counts.size not in (1, size):
            raise ValueError(
                f"{name}: {counts.size} repeats for a dimension of size {size}; give one "
                "count per element (or a single count)"
            )
        if size is None and counts.ndim == 0:
            counts = counts.reshape(1)
    elif _is_int(repeats):
        counts = np.asarray(int(repeats))
    else:
        raise TypeError(f"{name}: repeats must be an int or an integer tensor, got {repeats!r}")
    if (counts < 0).any():
        raise ValueError(f"{name}: repeats must be non-negative, got {counts.tolist()}")
    if size is not None and counts.size <= 1:
        counts = np.full(size, int(counts.reshape(-1)[0]) if counts.size else 0)
    return counts.astype(np.int64)


op(repeat_interleave, Index, IndexAdd, Reshape, method=True, tests=[
    check(_numpy_repeat_interleave, kwargs=_interleave_args),
])


def _meshgrid_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], ...]:
    return tuple((int(n),) for n in rng.integers(0, 4, size=2))


def _meshgrid_sum(a: Tensor, b: Tensor, indexing: str) -> Tensor:
    grid_a, grid_b = meshgrid(a, b, indexing=indexing)
    return grid_a * 2.0 + grid_b


def _numpy_meshgrid_sum(a: np.ndarray, b: np.ndarray, indexing: Any) -> np.ndarray:
    grid_a, grid_b = np.meshgrid(a, b, indexing=indexing)
    return grid_a * 2.0 + grid_b


def _indexing(rng: np.random.Generator, shapes: Any) -> dict:
    return {"indexing": "ij" if rng.integers(2) else "xy"}


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids: for 1-d (or 0-d) tensors of sizes ``n0, n1, ...``, one tensor
    each, of shape ``(n0, n1, ...)``, holding tensor ``i``'s values along dimension ``i``
    (``indexing="ij"``). ``indexing="xy"`` swaps the first two dimensions (Cartesian,
    as NumPy's default). The tensors may be given as one list. The grids are expanded
    views of the inputs. (PyTorch warns when ``indexing`` is not given; we default to
    ``"ij"``, its current behaviour, silently.)"""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for i, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"meshgrid: argument {i} is a {type(tensor).__name__}, not a Tensor")
        if tensor._array.ndim > 1:
            raise ValueError(
                f"meshgrid: expects 0-d or 1-d tensors, got shape {tensor.shape} for "
                f"tensor {i}"
            )
    if not tensors:
        raise ValueError("meshgrid: expects at least one tensor")
    sizes = [t._array.size for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    grids = []
    for i, tensor in enumerate(tensors):
        position = order.index(i)
        lined = (1,) * position + (sizes[i],) + (1,) * (len(tensors) - position - 1)
        grids.append(broadcast_to(reshape(tensor, lined), shape))
    return tuple(grids)


op(meshgrid, Reshape, BroadcastTo, tests=[
    check(_numpy_meshgrid_sum, function=_meshgrid_sum, arity=2, shapes=_meshgrid_shapes,
          kwargs=_indexing),
])


# --------------------------------------------------------------------------- in place
#
# unsqueeze_, squeeze_ and t_ change a tensor's shape, not its values: the tensor takes
# the result of the out-of-place view op as its own (same memory, new shape), and,
# when recorded, that op's node as its grad_fn. The change is counted, as in PyTorch, so
# a node that saved the tensor before refuses to backward through the new shape.


def _view_in_place(tensor: Tensor, operation: Any, *args: Any) -> Tensor:
    """Make ``operation(tensor, *args)``, a view op, the new shape of ``tensor``."""
    _history.check_in_place_allowed(tensor)
    recorded = tensor.requires_grad and is_grad_enabled()
    if not recorded:
        tensor._array = operation(tensor, *args)._array
        _history.mark_changed(tensor)
        return tensor
    # The node's input is a twin holding the tensor's history as it is now (the tensor
    # itself is about to get the new node as its grad_fn).
    before = Tensor._make(tensor._array, version=tensor._shared_version(), is_view=tensor._is_view)
    before.grad_fn, before._output_nr = tensor.grad_fn, tensor._output_nr
    before.requires_grad = True
    result = operation(before, *args)
    node = result.grad_fn
    assert node is not None
    node._replaced = (tensor.grad_fn, tensor._output_nr)  # earlier users keep the old history
    tensor._array = result._array
    tensor.grad_fn, tensor._output_nr = node, result._output_nr
    _history.mark_changed(tensor)
    return tensor


def unsqueeze_(input: Tensor, dim: int) -> Tensor:
    """In place: :func:`unsqueeze` (a dimension of size 1 inserted at ``dim``)."""
    return _view_in_place(input, unsqueeze, dim)


op(unsqueeze_, Reshape, method=True, method_only=True)


def squeeze_(input: Tensor, dim: Any = None) -> Tensor:
    """In place: :func:`squeeze` (dimensions of size 1 removed, only ``dim`` if given)."""
    return _view_in_place(input, squeeze, dim)


op(squeeze_, Reshape, method=True, method_only=True)


def t_(input: Tensor) -> Tensor:
    """In place: :func:`t` (the transpose of a tensor of at most 2 dimensions)."""
    if input._array.ndim > 2:
        raise ValueError(
            f"t_() expects a tensor with at most 2 dimensions, got shape {input.shape}; use "
            "transpose(dim0, dim1) for more"
        )
    return _view_in_place(input, t)


op(t_, Permute, method=True, method_only=True)
