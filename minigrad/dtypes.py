"""Element types, the default floating type, and argument checks shared by every floor.

minigrad's dtypes are NumPy's: ``minigrad.float32 is numpy.dtype("float32")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "bool_",
    "float32",
    "float64",
    "get_default_dtype",
    "int32",
    "int64",
    "set_default_dtype",
]

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

FLOATING = (float32, float64)
SUPPORTED = (float32, float64, int32, int64, uint8, bool_)

_default = [float32]


def get_default_dtype() -> np.dtype:
    """The floating type of tensors made from Python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(dtype: Any) -> None:
    """Set the floating type used when none is given: ``minigrad.float32`` or ``float64``."""
    resolved = np.dtype(dtype)
    if resolved not in FLOATING:
        raise TypeError(f"the default dtype must be float32 or float64, got {resolved}")
    _default[0] = resolved


def resolve(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy dtype that minigrad supports, or a TypeError naming it."""
    if dtype is float:
        return _default[0]
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype") from None
    if resolved not in SUPPORTED:
        raise TypeError(
            f"unsupported dtype {resolved}: minigrad supports float32, float64, int32, "
            f"int64, uint8 and bool"
        )
    return resolved


# PyTorch's typed tensor names (x.type() is 'torch.FloatTensor' there, 'minigrad....' here).
TYPE_NAMES: dict[np.dtype, str] = {
    float32: "FloatTensor",
    float64: "DoubleTensor",
    int32: "IntTensor",
    int64: "LongTensor",
    uint8: "ByteTensor",
    bool_: "BoolTensor",
}
_BY_TYPE_NAME: dict[str, np.dtype] = {name: dtype for dtype, name in TYPE_NAMES.items()}


def tensor_type_name(dtype: np.dtype) -> str:
    """PyTorch's typed tensor name of ``dtype``: ``FloatTensor`` for float32."""
    return TYPE_NAMES[dtype]


def resolve_type(value: Any) -> np.dtype:
    """The dtype of ``Tensor.type``'s argument: a dtype, a type name (``'torch.LongTensor'``,
    ``'minigrad.LongTensor'``, ``'LongTensor'``) or a typed class (``minigrad.LongTensor``)."""
    typed: Any = getattr(value, "tensor_dtype", None)
    if isinstance(typed, np.dtype):
        return typed
    if isinstance(value, str) and value.rpartition(".")[2] in _BY_TYPE_NAME:
        return _BY_TYPE_NAME[value.rpartition(".")[2]]
    return resolve(value)


def shape_argument(sizes: tuple[Any, ...], name: str, size: Any = None) -> tuple[int, ...]:
    """The shape of ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``, as PyTorch accepts."""
    if size is not None:
        if sizes:
            raise TypeError(f"{name}: got sizes {sizes!r} and size={size!r}; pass one of them")
        sizes = (size,)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for s in sizes:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool) or s < 0:
            raise ValueError(f"{name}: sizes must be non-negative ints, got {sizes!r}")
    return tuple(int(s) for s in sizes)


def as_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """Convert ``data`` to an array of a supported dtype.

    Without ``dtype``: Python floats become the default dtype, Python ints int64, bools
    bool; NumPy arrays keep their dtype when it is supported (float16 and other types
    raise a TypeError rather than being converted silently).
    """
    if hasattr(data, "grad_fn"):  # a Tensor (this floor cannot import the class)
        data = data._array
    elif isinstance(data, (list, tuple)):
        data = [d._array if hasattr(d, "grad_fn") else d for d in data]
    if dtype is not None:
        target = resolve(dtype)
        return np.array(data, dtype=target, copy=copy or None)
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        array = np.array(data, copy=copy or None)
        if array.dtype not in SUPPORTED:
            if array.dtype.kind == "f" and array.dtype.itemsize < 4:
                raise TypeError(f"unsupported dtype {array.dtype}: pass dtype= to convert")
            array = array.astype(_promote_unsupported(array.dtype))
        return array
    array = np.array(data)
    if array.dtype.kind == "f":
        return array.astype(_default[0], copy=False)
    if array.dtype.kind in "iu":
        return array.astype(int64, copy=False)
    if array.dtype.kind == "b":
        return array
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(f"cannot make a tensor from {type(data).__name__} of {array.dtype}")
    raise TypeError(f"unsupported data type {array.dtype}")


def _promote_unsupported(dtype: np.dtype) -> np.dtype:
    if dtype.kind in "iu":
        return int64
    if dtype.kind == "f":
        return float64
    raise TypeError(f"unsupported dtype {dtype}")


def normalize_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``range(ndim)``; negative values count from the end."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dimension must be an int, got {type(dim).__name__}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"dimension {dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected to be in [{-size}, {size - 1}])"
        )
    return int(dim) % size


def normalize_dims(dims: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Dimension indices, sorted and checked for repeats; ``None`` means all of them."""
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, (int, np.integer)):
        return (normalize_dim(dims, ndim),)
    result = tuple(sorted(normalize_dim(d, ndim) for d in dims))
    if len(set(result)) != len(result):
        raise ValueError(f"dimension {list(dims)} appears more than once")
    return result
