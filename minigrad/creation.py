"""Making tensors: from data, filled with a value, ranges, and random numbers.

All random numbers in minigrad come from one NumPy generator; ``manual_seed(n)`` resets it,
so a seeded program (initialisation, dropout, data) gives the same numbers every run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.tensor import Tensor

__all__ = [
    "arange",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "Generator",
    "default_generator",
    "generator",
    "initial_seed",
    "linspace",
    "manual_seed",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "seed",
    "tensor",
    "zeros",
    "zeros_like",
]

def _fresh_seed() -> int:
    return int(np.random.default_rng().integers(2**63))


class Generator:
    """A stream of random numbers of its own (``torch.Generator``), for the ``generator=``
    argument of the random functions, in-place initialisers and data loaders.

    ``Generator().manual_seed(0)`` makes a seeded one. The numbers come from a NumPy
    ``PCG64`` generator, so a seed gives the same numbers every run but not PyTorch's
    numbers. Only the CPU exists: ``device`` is ``"cpu"``.
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"Generator: minigrad runs on the CPU only, got device {device!r}")
        self._seed = _fresh_seed()
        self._numpy = np.random.default_rng(self._seed)

    @property
    def device(self) -> str:
        return "cpu"

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed`` (a non-negative int); returns this generator."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
        self._seed = int(seed)
        self._numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh random seed, and return it."""
        self.manual_seed(_fresh_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last started from."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's state (a dict; pass it to ``set_state`` to replay the numbers)."""
        return {"seed": self._seed, "bit_generator": self._numpy.bit_generator.state}

    def set_state(self, state: dict[str, Any]) -> Generator:
        """Go back to a state from ``get_state``; returns this generator."""
        if not isinstance(state, dict) or "bit_generator" not in state:
            raise TypeError("set_state: expected a state from Generator.get_state()")
        self._seed = int(state["seed"])
        self._numpy.bit_generator.state = state["bit_generator"]
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the generator behind every random number minigrad draws; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed minigrad's generator from fresh entropy, and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed minigrad's generator was last started from."""
    return default_generator.initial_seed()


def generator() -> np.random.Generator:
    """The NumPy generator minigrad draws its random numbers from."""
    return default_generator._numpy


def numpy_generator(generator: Any, owner: str) -> np.random.Generator:
    """The NumPy generator behind a ``generator=`` argument: minigrad's own for None, a
    :class:`Generator`'s, or a ``numpy.random.Generator`` as it is; a TypeError otherwise."""
    if generator is None:
        return default_generator._numpy
    if isinstance(generator, Generator):
        return generator._numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{owner}: generator must be a minigrad.Generator (or a numpy.random.Generator), "
        f"got {type(generator).__name__}"
    )


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _shape(sizes: tuple[Any, ...], name: str, size: Any = None) -> tuple[int, ...]:
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


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy arrays
    keep their dtype.

    >>> minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtypes.resolve(array.dtype)
    return Tensor._make(array)


def zeros(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _finish(np.zeros(_shape(sizes, "zeros", size), _float_dtype(dtype)), requires_grad)


def ones(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _finish(np.ones(_shape(sizes, "ones", size), _float_dtype(dtype)), requires_grad)


def empty(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of shape ``size`` whose values are whatever the memory held."""
    return _finish(np.empty(_shape(sizes, "empty", size), _float_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype follows the value
    when none is given: a float gives the default dtype, an int int64, a bool bool)."""
    if dtype is None:
        dtype = dtypes.as_array(fill_value).dtype
    shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,), "full")
    return _finish(np.full(shape, fill_value, dtypes.resolve(dtype)), requires_grad)


def _like(other: Tensor, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    return other._array.shape, other._array.dtype if dtype is None else dtypes.resolve(dtype)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape and dtype."""
    return _finish(np.zeros(*_like(input, dtype)), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    return _finish(np.ones(*_like(input, dtype)), requires_grad)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised values with ``input``'s shape and dtype."""
    return _finish(np.empty(*_like(input, dtype)), requires_grad)


def full_like(
    input: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape and dtype."""
    shape, resolved = _like(input, dtype)
    return _finish(np.full(shape, fill_value, resolved), requires_grad)


def _number(value: Any, name: str, what: str) -> int | float:
    """A Python int or float from a number or a one-element tensor."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, (int, np.integer)):  # bools included, as PyTorch
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise TypeError(f"{name}: {what} must be a number, got {type(value).__name__}")


def arange(
    start: Any = 0, end: Any = None, step: Any = 1, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end`` (``arange(n)``: 0..n-1).

    Integer arguments give int64, any float argument the default float dtype. As in
    PyTorch, the length is ``ceil((end - start) / step)`` and element ``i`` is
    ``start + i * step`` computed in float64 and rounded once to the dtype (NumPy's
    float32 arange adds the step up in float32, drifting by several ulps); with an
    integer dtype the arguments are truncated to integers first.
    """
    if end is None:
        start, end = 0, start
    start = _number(start, "arange", "start")
    end = _number(end, "arange", "end")
    step = _number(step, "arange", "step")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        resolved = dtypes.get_default_dtype() if is_float else dtypes.int64
    else:
        resolved = dtypes.resolve(dtype)
    if resolved.kind == "b":
        raise TypeError("arange: dtype bool is not supported")
    if not (math.isfinite(start) and math.isfinite(end) and math.isfinite(step)):
        raise ValueError(f"arange: unsupported range {start} to {end} with step {step}")
    if resolved.kind != "f":
        start, end, step = int(start), int(end), int(step)  # truncated, as PyTorch
    if step == 0:
        raise ValueError(f"arange: step must not be zero, got {step}")
    if (end - start) * step < 0:  # zero and negative lengths are not the same mistake
        raise ValueError(
            f"arange: end ({end}) is on the wrong side of start ({start}) for step {step}"
        )
    if resolved.kind == "f":
        count = math.ceil((end - start) / step)
        values = start + step * np.arange(count, dtype=np.float64)
    else:
        count = -((start - end) // step)  # an exact ceiling division of the integers
        values = start + step * np.arange(count, dtype=np.int64)
    return _finish(values.astype(resolved, copy=False), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (square when ``m`` is omitted)."""
    return _finish(np.eye(n, n if m is None else m, dtype=_float_dtype(dtype)), requires_grad)


def rand(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    resolved = _float_dtype(dtype)
    shape = _shape(sizes, "rand", size)
    values = numpy_generator(generator, "rand").random(shape, dtype=resolved.type)
    return _finish(values, requires_grad)


def randn(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers."""
    resolved = _float_dtype(dtype)
    shape = _shape(sizes, "randn", size)
    values = numpy_generator(generator, "randn").standard_normal(shape, dtype=resolved.type)
    return _finish(values, requires_grad)


def randint(
    low: Any = None,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in ``[low, high)``, int64 unless ``dtype`` says otherwise.

    PyTorch's two forms: ``randint(low, high, size)`` and ``randint(high, size)`` (from 0),
    by position or keyword; ``size`` is a tuple or list and is required.
    """
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = None, low, high  # randint(high, size)
    elif high is None:
        low, high = None, low  # randint(high, size=...)
    if low is None:
        low = 0
    if size is None:
        raise TypeError("randint: missing the size, a tuple such as (3,) or (2, 3)")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint: size must be a tuple or list of ints, got {size!r}")
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"randint: {name} must be an int, got {value!r}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    shape = _shape((), "randint", size)
    resolved = dtypes.int64 if dtype is None else dtypes.resolve(dtype)
    draws = numpy_generator(generator, "randint").integers(low, high, size=shape)
    return _finish(draws.astype(resolved), requires_grad)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1) with ``input``'s shape (and dtype)."""
    return rand(input._array.shape, dtype=dtype or input._array.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers with ``input``'s shape (and dtype)."""
    return randn(input._array.shape, dtype=dtype or input._array.dtype, requires_grad=requires_grad)
