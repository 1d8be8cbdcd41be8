"""Making tensors: from data, filled with a value, ranges, and random numbers.

All random numbers in minigrad come from one NumPy generator; ``manual_seed(n)`` resets it,
so a seeded program (initialisation, dropout, data) gives the same numbers every run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.devices import resolve_device
from minigrad.tensor import Tensor

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "DoubleTensor",
    "FloatTensor",
    "IntTensor",
    "LongTensor",
    "bernoulli",
    "finfo",
    "iinfo",
    "is_tensor",
    "multinomial",
    "normal",
    "numel",
    "randperm",
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


def _finish(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    resolve_device(device, "new tensor")
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


_shape = dtypes.shape_argument


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy arrays
    keep their dtype.

    >>> minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    """
    resolve_device(device, "tensor")
    values = data._array if isinstance(data, Tensor) else data
    result = Tensor._make(dtypes.as_array(values, dtype, copy=True))
    if requires_grad:
        result.requires_grad_(True)
    return result


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtypes.resolve(array.dtype)
    return Tensor._make(array)


def zeros(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _finish(
        np.zeros(_shape(sizes, "zeros", size), _float_dtype(dtype)), requires_grad, device
    )


def ones(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _finish(np.ones(_shape(sizes, "ones", size), _float_dtype(dtype)), requires_grad, device)


def empty(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A tensor of shape ``size`` whose values are whatever the memory held."""
    return _finish(
        np.empty(_shape(sizes, "empty", size), _float_dtype(dtype)), requires_grad, device
    )


def full(
    size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype follows the value
    when none is given: a float gives the default dtype, an int int64, a bool bool)."""
    if dtype is None:
        dtype = dtypes.as_array(fill_value).dtype
    shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,), "full")
    return _finish(np.full(shape, fill_value, dtypes.resolve(dtype)), requires_grad, device)


def _like(other: Tensor, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    return other._array.shape, other._array.dtype if dtype is None else dtypes.resolve(dtype)


def zeros_like(
    input: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Zeros with ``input``'s shape and dtype."""
    return _finish(np.zeros(*_like(input, dtype)), requires_grad, device)


def ones_like(
    input: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    return _finish(np.ones(*_like(input, dtype)), requires_grad, device)


def empty_like(
    input: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Uninitialised values with ``input``'s shape and dtype."""
    return _finish(np.empty(*_like(input, dtype)), requires_grad, device)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape and dtype."""
    shape, resolved = _like(input, dtype)
    return _finish(np.full(shape, fill_value, resolved), requires_grad, device)


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
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
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
    return _finish(values.astype(resolved, copy=False), requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device)


def eye(
    n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """The ``n`` x ``m`` identity matrix (square when ``m`` is omitted)."""
    return _finish(
        np.eye(n, n if m is None else m, dtype=_float_dtype(dtype)), requires_grad, device
    )


def rand(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    resolved = _float_dtype(dtype)
    shape = _shape(sizes, "rand", size)
    values = numpy_generator(generator, "rand").random(shape, dtype=resolved.type)
    return _finish(values, requires_grad, device)


def randn(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal random numbers."""
    resolved = _float_dtype(dtype)
    shape = _shape(sizes, "randn", size)
    values = numpy_generator(generator, "randn").standard_normal(shape, dtype=resolved.type)
    return _finish(values, requires_grad, device)


def randint(
    low: Any = None,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
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
    return _finish(draws.astype(resolved), requires_grad, device)


def rand_like(
    input: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Uniform random numbers in [0, 1) with ``input``'s shape (and dtype)."""
    return rand(
        input._array.shape,
        dtype=dtype or input._array.dtype,
        requires_grad=requires_grad,
        device=device,
    )


def randn_like(
    input: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Standard normal random numbers with ``input``'s shape (and dtype)."""
    return randn(
        input._array.shape,
        dtype=dtype or input._array.dtype,
        requires_grad=requires_grad,
        device=device,
    )


def randperm(
    n: int,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    order = numpy_generator(generator, "randperm").permutation(int(n))
    resolved = dtypes.int64 if dtype is None else dtypes.resolve(dtype)
    return _finish(order.astype(resolved), requires_grad, device)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Normal random numbers: ``normal(mean, std)`` with a tensor mean and/or std (one
    draw per element, broadcast together), or ``normal(mean, std, size)`` with numbers.
    The result carries no gradient (draw ``mean + std * randn(...)`` for one)."""
    rng = numpy_generator(generator, "normal")
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal: size is for number mean and std; tensors give the shape")
        for t in tensors:
            if t._array.dtype.kind != "f":
                raise TypeError(f"normal: mean and std must be floating, got {t._array.dtype}")
        m = mean._array if isinstance(mean, Tensor) else mean
        s = std._array if isinstance(std, Tensor) else std
        resolved = tensors[0]._array.dtype if dtype is None else dtypes.resolve(dtype)
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    else:
        if size is None:
            raise TypeError("normal: with number mean and std, pass the size, e.g. (2, 3)")
        m, s = _number(mean, "normal", "mean"), _number(std, "normal", "std")
        resolved = _float_dtype(dtype)
        shape = _shape((size,) if not isinstance(size, (tuple, list)) else tuple(size), "normal")
    if np.any(np.asarray(s) < 0):
        raise ValueError("normal: std must be non-negative")
    values = m + np.asarray(s) * rng.standard_normal(shape)
    return _finish(np.asarray(values, dtype=resolved), requires_grad, device)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """0 or 1 at each element, 1 with probability ``input`` there (or ``p``), in
    ``input``'s floating dtype."""
    if not isinstance(input, Tensor) or input._array.dtype.kind != "f":
        raise TypeError("bernoulli: input must be a floating tensor of probabilities")
    probabilities = input._array if p is None else np.full(input._array.shape, p)
    if np.any((probabilities < 0) | (probabilities > 1)) or np.isnan(probabilities).any():
        raise ValueError("bernoulli: probabilities must lie in [0, 1]")
    draws = numpy_generator(generator, "bernoulli").random(input._array.shape)
    return Tensor._make((draws < probabilities).astype(input._array.dtype))


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """Indices drawn from the categories of each row of ``input`` (non-negative weights,
    not necessarily summing to 1): ``num_samples`` per row, int64, shape ``(num_samples,)``
    for a vector and ``(rows, num_samples)`` for a matrix.

    Without ``replacement`` a category is drawn at most once per row, each draw among
    the rest in proportion to their weights (as PyTorch), so a row needs at least
    ``num_samples`` non-zero weights.
    """
    if not isinstance(input, Tensor) or input._array.dtype.kind != "f":
        raise TypeError("multinomial: input must be a floating tensor of weights")
    if input._array.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-D or 2-D, got shape {input.shape}")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    weights = np.atleast_2d(input._array).astype(np.float64)
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("multinomial: weights must be finite and non-negative")
    totals = weights.sum(axis=1)
    if (totals <= 0).any():
        raise ValueError("multinomial: each row needs a positive total weight")
    categories = weights.shape[1]
    if not replacement and num_samples > (weights > 0).sum(axis=1).min():
        raise ValueError(
            f"multinomial: cannot draw {num_samples} samples without replacement from a row "
            f"with fewer non-zero weights (of {categories} categories); pass replacement=True"
        )
    rng = numpy_generator(generator, "multinomial")
    if replacement:
        cumulative = np.cumsum(weights / totals[:, None], axis=1)
        u = rng.random((weights.shape[0], int(num_samples)))
        rows = [np.searchsorted(c, r, side="right") for c, r in zip(cumulative, u)]
        chosen = np.minimum(np.stack(rows), categories - 1)
    else:
        # Sequential draws without replacement are the top-k of log(u) / weight keys.
        with np.errstate(divide="ignore"):
            keys = np.log(rng.random(weights.shape)) / weights
        chosen = np.argsort(-keys, axis=1, kind="stable")[:, : int(num_samples)]
    chosen = chosen.astype(np.int64)
    return Tensor._make(chosen[0] if input._array.ndim == 1 else chosen)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


class finfo:  # noqa: N801 (PyTorch's name)
    """Facts about a floating dtype (default: the default dtype): ``bits``, ``eps``,
    ``max``, ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``, ``dtype``."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        resolved = _float_dtype(type)
        if resolved.kind != "f":
            raise TypeError(f"finfo: expected a floating dtype, got {resolved}")
        info = np.finfo(resolved)
        self.bits, self.dtype = int(info.bits), resolved.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
            f"eps={self.eps}, smallest_normal={self.tiny}, bits={self.bits}, "
            f"dtype={self.dtype})"
        )


class iinfo:  # noqa: N801 (PyTorch's name)
    """Facts about an integer dtype: ``bits``, ``max``, ``min``, ``dtype``."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        resolved = dtypes.resolve(type)
        if resolved.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {resolved}")
        info = np.iinfo(np.uint8 if resolved.kind == "b" else resolved)
        self.bits, self.dtype = int(info.bits), resolved.name
        self.max, self.min = int(info.max), int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, bits={self.bits}, dtype={self.dtype})"


class _TypedTensor(type):
    """The metaclass of ``LongTensor`` and its kin: calling one makes a tensor of its
    dtype, ``isinstance(x, LongTensor)`` asks for a Tensor of that dtype."""

    tensor_dtype: np.dtype

    def __call__(cls, *args: Any) -> Tensor:  # type: ignore[override]
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = args[0]._array if isinstance(args[0], Tensor) else args[0]
            return Tensor(data, dtype=cls.tensor_dtype)
        shape = _shape(args, cls.__name__)  # LongTensor(2, 3): that shape, zeros here
        return Tensor._make(np.zeros(shape, cls.tensor_dtype))

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._array.dtype == cls.tensor_dtype


def _typed(name: str, dtype: np.dtype) -> Any:
    return _TypedTensor(
        name,
        (),
        {
            "tensor_dtype": dtype,
            "__doc__": (
                f"``{name}(data)`` is a {dtype} tensor of ``data``; ``{name}(2, 3)`` one of that "
                f"shape (zeros); ``isinstance(x, {name})`` asks for a {dtype} Tensor."
            ),
            "__module__": "minigrad",
        },
    )


FloatTensor = _typed("FloatTensor", dtypes.float32)
DoubleTensor = _typed("DoubleTensor", dtypes.float64)
LongTensor = _typed("LongTensor", dtypes.int64)
IntTensor = _typed("IntTensor", dtypes.int32)
ByteTensor = _typed("ByteTensor", dtypes.uint8)
BoolTensor = _typed("BoolTensor", dtypes.bool_)
