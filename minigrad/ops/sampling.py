"""The in-place random initialisers of PyTorch's Tensor (issue 13): ``uniform_``,
``normal_``, ``bernoulli_`` and ``exponential_``.

Each overwrites every element with a draw from its distribution, taken from the
``generator=`` given (a :class:`minigrad.Generator` or a NumPy one) or from minigrad's
default generator, which :func:`minigrad.manual_seed` seeds. As ``fill_``: a leaf that
requires grad is refused outside ``no_grad`` (``p.data.uniform_()`` and ``with
no_grad(): p.uniform_()`` are the ways to initialise a parameter), and on a tensor with
history the fill is recorded, its old history getting a zero gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import history as _history
from minigrad.autograd import is_grad_enabled
from minigrad.creation import numpy_generator
from minigrad.ops._registry import op
from minigrad.ops.elementwise import where
from minigrad.tensor import Tensor


def _fill_with(
    tensor: Tensor, name: str, draw: Callable[[np.random.Generator, tuple[int, ...]], Any],
    generator: Any, floats_only: bool = True,
) -> Tensor:
    """Overwrite ``tensor`` with ``draw(rng, shape)``, cast to its dtype."""
    if floats_only and tensor._array.dtype.kind != "f":
        raise TypeError(
            f"{name}: expects a floating point tensor, got dtype {tensor.dtype}; convert it "
            "with .float() first"
        )
    rng = numpy_generator(generator, name)
    _history.check_in_place_allowed(tensor)
    values = np.asarray(draw(rng, tensor._array.shape)).astype(tensor._array.dtype)
    if tensor.requires_grad and is_grad_enabled():
        everywhere = Tensor._make(np.ones(tensor._array.shape, dtype=np.bool_))
        return _history.commit(
            tensor, where(everywhere, Tensor._make(values), _history.snapshot(tensor))
        )
    with _history.in_place(tensor):
        tensor._array[...] = values
    return tensor


def _number(value: Any, name: str, what: str) -> float:
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        raise TypeError(f"{name}: {what} must be a number, got {type(value).__name__}")
    return float(value)


def uniform_(input: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None
             ) -> Tensor:
    """In place: every element drawn uniformly from ``[from, to)`` (``x.uniform_(-0.1,
    0.1)``; PyTorch's ``from`` is ``from_`` as a keyword, ``from`` being Python's)."""
    low, high = _number(from_, "uniform_", "from"), _number(to, "uniform_", "to")
    if low > high:
        raise ValueError(f"uniform_: expects from <= to, got from={low} > to={high}")
    return _fill_with(input, "uniform_", lambda rng, shape: rng.uniform(low, high, shape),
                      generator)


op(uniform_, method=True, method_only=True)


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None
            ) -> Tensor:
    """In place: every element drawn from the normal distribution of ``mean`` and
    standard deviation ``std``."""
    centre, spread = _number(mean, "normal_", "mean"), _number(std, "normal_", "std")
    if spread < 0:
        raise ValueError(f"normal_: expects std >= 0, got std={spread}")
    return _fill_with(input, "normal_", lambda rng, shape: rng.normal(centre, spread, shape),
                      generator)


op(normal_, method=True, method_only=True)


def bernoulli_(input: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """In place: every element 1 with probability ``p`` and 0 otherwise; ``p`` a number
    or a tensor of probabilities broadcast to this tensor's shape. Any dtype."""
    if isinstance(p, Tensor):
        probability = p._array.astype(np.float64)
        try:
            np.broadcast_to(probability, input._array.shape)
        except ValueError:
            raise ValueError(
                f"bernoulli_: p of shape {p.shape} does not broadcast to the tensor's shape "
                f"{input.shape}"
            ) from None
    else:
        probability = np.asarray(_number(p, "bernoulli_", "p"))
    if probability.size and not ((probability >= 0) & (probability <= 1)).all():
        bad = probability[~((probability >= 0) & (probability <= 1))].reshape(-1)[0]
        raise ValueError(f"bernoulli_: expects p in [0, 1], got p={float(bad)}")
    return _fill_with(input, "bernoulli_", lambda rng, shape: rng.random(shape) < probability,
                      generator, floats_only=False)


op(bernoulli_, method=True, method_only=True)


def exponential_(input: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """In place: every element drawn from the exponential distribution of rate
    ``lambd`` (density ``lambd * exp(-lambd * x)``, mean ``1 / lambd``)."""
    rate = _number(lambd, "exponential_", "lambd")
    if rate <= 0:
        raise ValueError(f"exponential_: expects lambd > 0, got lambd={rate}")
    return _fill_with(input, "exponential_",
                      lambda rng, shape: rng.exponential(1.0 / rate, shape), generator)


op(exponential_, method=True, method_only=True)
