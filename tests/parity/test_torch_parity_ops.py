"""Parity of the op table with PyTorch: every OpInfo record (``minigrad.ops.RECORDS``) is
run on the same float64 inputs in minigrad and in torch, and the outputs (values read
through ``np.asarray``, shape, dtype, whether they require a gradient) and the gradient of
every input for one random upstream gradient must agree. tests/ops/test_op_table.py checks
the same records against NumPy and finite differences; this file checks that "PyTorch's
semantics" holds for them.

A record with no torch counterpart must be listed in ``EXCLUDED`` with the reason; a record
in neither table fails ``test_every_record_has_a_torch_counterpart``. Skipped when torch is
not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402
from minigrad.ops import RECORDS  # noqa: E402
from minigrad.testing.strategies import op_inputs  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12

# A third of the profile's examples: 10 under the derandomised "ci" profile.
EXAMPLES = max(8, settings().max_examples // 3)

BY_NAME = {record.name: record for record in RECORDS}


# --------------------------------------------------------------------------- torch calls
#
# Each entry takes the torch copies of the record's input tensors and the record's drawn
# keyword arguments (minigrad Tensors among them converted to torch tensors) and makes the
# torch call that minigrad's record stands for.


def _all_dims(x: Any, dim: Any) -> Any:
    """minigrad reads ``dim=None`` as every dimension; amax/amin/logsumexp in torch take
    the explicit tuple instead (``()`` for a 0-d tensor)."""
    return tuple(range(x.ndim)) if dim is None else dim


def _torch_basic_index(x: Any, key: tuple) -> Any:
    """``x[key]`` for a key of ints and slices. torch refuses negative slice steps; the
    records only use the full reversed slice ``::-1``, which is ``torch.flip`` of that
    dimension followed by a full slice."""
    flipped = []
    for d, k in enumerate(key):
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            assert k == slice(None, None, -1), f"untranslated slice {k}"
            flipped.append(d)
    if flipped:
        x = torch.flip(x, flipped)
    return x[tuple(slice(None) if d in flipped else k for d, k in enumerate(key))]


def _torch_split_sum(x: Any, dim: int, size: int) -> Any:
    """The record's test-only composition (``_split_sum`` in minigrad/ops/shape.py), in
    torch: split, weight piece i by i + 1, concatenate."""
    pieces = torch.split(x, size, dim)
    return torch.cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim)


TORCH: dict[str, Callable[..., Any]] = {
    # arithmetic
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "div_negative_denominator": torch.div,
    "pow": torch.pow,
    "add_scalar": lambda x, scalar: x + scalar,
    "rsub_scalar": lambda x, scalar: scalar - x,
    "mul_scalar": lambda x, scalar: x * scalar,
    "rdiv_scalar": lambda x, scalar: scalar / x,
    "pow_scalar": lambda x, exponent: x**exponent,
    "rpow_scalar": lambda x, scalar: float(np.abs(scalar)) ** x,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    # unary math
    "neg": torch.neg,
    "abs": torch.abs,
    "sign": torch.sign,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "sin": torch.sin,
    "cos": torch.cos,
    "square": torch.square,
    "reciprocal": torch.reciprocal,
    "rsqrt": torch.rsqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    # activations and selection
    "relu": torch.relu,
    "leaky_relu": lambda x, negative_slope: TF.leaky_relu(x, negative_slope),
    "elu": lambda x, alpha: TF.elu(x, alpha),
    "softplus": lambda x, beta: TF.softplus(x, beta),
    "clamp": lambda x, min, max: torch.clamp(x, min=min, max=max),
    "where": lambda a, b, condition: torch.where(condition, a, b),
    # linear algebra
    "matmul": torch.matmul,
    "linear": TF.linear,
    "linear_no_bias": TF.linear,
    "conv1d": torch.conv1d,
    "conv_transpose1d": torch.conv_transpose1d,
    # reductions
    "sum_all": torch.sum,
    "sum_to_size": lambda x, size: x.sum_to_size(size),
    "sum_dims": lambda x, dim, keepdim: torch.sum(x, dim=dim, keepdim=keepdim),
    "mean_dims": lambda x, dim, keepdim: torch.mean(x, dim=dim, keepdim=keepdim),
    "var_dims": lambda x, dim, keepdim: torch.var(x, dim=dim, keepdim=keepdim),
    "std_dims": lambda x, dim, keepdim: torch.std(x, dim=dim, keepdim=keepdim),
    "max_all": torch.max,
    "max_dim": lambda x, dim, keepdim: torch.max(x, dim, keepdim),
    "min_dim": lambda x, dim, keepdim: torch.min(x, dim, keepdim),
    "amax_dims": lambda x, dim, keepdim: torch.amax(x, _all_dims(x, dim), keepdim),
    "amin_dims": lambda x, dim, keepdim: torch.amin(x, _all_dims(x, dim), keepdim),
    "logsumexp": lambda x, dim, keepdim: torch.logsumexp(x, _all_dims(x, dim), keepdim),
    "softmax": lambda x, dim, keepdim: torch.softmax(x, dim),
    "log_softmax": lambda x, dim, keepdim: torch.log_softmax(x, dim),
    "norm": lambda x, dim, keepdim, p: torch.norm(x, p, dim, keepdim),
    "norm_inf": lambda x, dim, keepdim, p: torch.norm(x, p, dim, keepdim),
    # shape
    "reshape": lambda x, shape: torch.reshape(x, shape),
    "flatten": torch.flatten,
    "permute": lambda x, dims: torch.permute(x, dims),
    "transpose": lambda x, dim0, dim1: torch.transpose(x, dim0, dim1),
    "squeeze": torch.squeeze,
    "unsqueeze": lambda x, dim: torch.unsqueeze(x, dim),
    "broadcast_to": lambda x, shape: torch.broadcast_to(x, shape),
    "cat": lambda a, b, dim: torch.cat([a, b], dim),
    "stack": lambda a, b, dim: torch.stack([a, b], dim),
    "split": lambda x, dim, size: (_torch_split_sum(x, dim, size), *torch.split(x, size, dim)),
    "pad": lambda x, widths, value: TF.pad(x, widths, mode="constant", value=value),
    "index_basic": lambda x, key: _torch_basic_index(x, key),
    "index_integer": lambda x, key: x[key],
    "index_mask": lambda x, key: x[key],
    "index_put": lambda x, values, key: x.index_put((key,), values[: len(key)]),
    "clone": torch.clone,
    "to_float64": lambda x: x.to(torch.float64),
    # the views and shape ops of issue 13 (minigrad/ops/shape.py)
    "t": torch.t,
    "swapaxes": lambda x, dim0, dim1: torch.swapaxes(x, dim0, dim1),
    "narrow": torch.narrow,
    # rounded division and remainders of issue 13 (minigrad/ops/elementwise.py)
    "div_floor": lambda x, y: torch.div(x, y, rounding_mode="floor"),
    "div_trunc": lambda x, y: torch.div(x, y, rounding_mode="trunc"),
    "fmod": torch.fmod,
    "remainder": torch.remainder,
    # rounding and unary math of issue 13 (minigrad/ops/elementwise.py)
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "round_decimals": lambda x, decimals: torch.round(x, decimals=decimals),
    "trunc": torch.trunc,
    "frac": torch.frac,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "atan2": torch.atan2,
    "atan2_upper_half": torch.atan2,
    "hypot": torch.hypot,
    "log1p": torch.log1p,
    "expm1": torch.expm1,
    "log2": torch.log2,
    "log10": torch.log10,
    "erf": torch.erf,
    "erfc": torch.erfc,
    "lerp": torch.lerp,
    "lerp_scalar": lambda start, end, weight: torch.lerp(start, end, weight),
    # sorting, scans, products and linear algebra of issue 13 (minigrad/ops/sorting.py,
    # reduce.py, linalg.py)
    "sort": lambda x, dim, descending: torch.sort(x, dim, descending),
    "msort": torch.msort,
    "topk": lambda x, k, dim, largest: torch.topk(x, k, dim, largest),
    "kthvalue": lambda x, k, dim, keepdim: torch.kthvalue(x, k, dim, keepdim),
    "cummax": lambda x, dim: torch.cummax(x, dim),
    "cummin": lambda x, dim: torch.cummin(x, dim),
    "cumsum": lambda x, dim: torch.cumsum(x, dim),
    "cumprod": lambda x, dim: torch.cumprod(x, dim),
    "prod_all": torch.prod,
    "prod_dim": lambda x, dim, keepdim: torch.prod(x, dim, keepdim),
    "mm": torch.mm,
    "bmm": torch.bmm,
    "mv": torch.mv,
    "dot": torch.dot,
    "vdot": torch.vdot,
    "outer": torch.outer,
    "ger": torch.ger,
    "addmm": lambda x, a, b, beta, alpha: torch.addmm(x, a, b, beta=beta, alpha=alpha),
    "addmv": lambda x, a, b, beta, alpha: torch.addmv(x, a, b, beta=beta, alpha=alpha),
    "baddbmm": lambda x, a, b, beta, alpha: torch.baddbmm(x, a, b, beta=beta, alpha=alpha),
    "cross": lambda a, b, dim: torch.cross(a, b, dim=dim),
    "einsum_one": lambda x, equation: torch.einsum(equation, x),
    "einsum": lambda a, b, equation: torch.einsum(equation, a, b),
    "einsum_three": lambda a, b, c, equation: torch.einsum(equation, [a, b, c]),
    # shape and indexing ops of issue 13: rearranging, gather/scatter (minigrad/ops/shape.py)
    "flip": lambda x, dims: torch.flip(x, dims),
    "roll": lambda x, shifts, dims: torch.roll(x, shifts, dims),
    "tril": lambda x, diagonal: torch.tril(x, diagonal),
    "triu": lambda x, diagonal: torch.triu(x, diagonal),
    "repeat": lambda x, sizes: x.repeat(sizes),
    "repeat_interleave": lambda x, repeats, dim: torch.repeat_interleave(x, repeats, dim),
    "meshgrid": lambda a, b, indexing: (lambda g: g[0] * 2.0 + g[1])(
        torch.meshgrid(a, b, indexing=indexing)),
    "gather": lambda x, dim, index: torch.gather(x, dim, index),
    "take_along_dim": lambda x, indices, dim: torch.take_along_dim(x, indices, dim),
    "index_select": lambda x, dim, index: torch.index_select(x, dim, index),
    "masked_select": lambda x, mask: torch.masked_select(x, mask),
    # torch's scatter/scatter_add backward fails for a src larger than index ("...Backward0
    # returned an invalid gradient"): the corner index covers, the same values and gradient
    "scatter": lambda x, src, dim, index: torch.scatter(
        x, dim, index, src[tuple(slice(0, s) for s in index.shape)]),
    "scatter_value": lambda x, dim, index, value: torch.scatter(x, dim, index, value=value),
    "scatter_add": lambda x, src, dim, index: torch.scatter_add(
        x, dim, index, src[tuple(slice(0, s) for s in index.shape)]),
    "index_fill": lambda x, dim, index, value: torch.index_fill(x, dim, index, value),
}

# Records whose registered function keeps only part of a multi-output op: here minigrad is
# called for every output, so that each part (indices included) meets torch's.
OURS: dict[str, Callable[..., Any]] = {
    "max_dim": lambda x, dim, keepdim: minigrad.max(x, dim, keepdim),
    "min_dim": lambda x, dim, keepdim: minigrad.min(x, dim, keepdim),
    "split": lambda x, dim, size: (
        BY_NAME["split"].function(x, dim=dim, size=size),
        *minigrad.split(x, size, dim),
    ),
    # sorting, scans, products and linear algebra of issue 13
    "sort": lambda x, dim, descending: minigrad.sort(x, dim, descending),
    "topk": lambda x, k, dim, largest: minigrad.topk(x, k, dim, largest),
    "kthvalue": lambda x, k, dim, keepdim: minigrad.kthvalue(x, k, dim, keepdim),
    "cummax": lambda x, dim: minigrad.cummax(x, dim),
    "cummin": lambda x, dim: minigrad.cummin(x, dim),
}

# Records with no exact torch counterpart, each with the reason. Keep it short and honest.
EXCLUDED: dict[str, str] = {}

MAPPED = [record for record in RECORDS if record.name in TORCH]


# --------------------------------------------------------------------------- helpers


def _to_torch(value: Any) -> Any:
    """A drawn keyword argument for torch: minigrad Tensors become torch tensors."""
    if isinstance(value, minigrad.Tensor):
        return torch.from_numpy(np.array(value._array))
    if isinstance(value, tuple):
        return tuple(_to_torch(v) for v in value)
    return value


def _parts(result: Any) -> tuple:
    """The outputs of a call as a tuple (named tuples and torch's return types too)."""
    return tuple(result) if isinstance(result, tuple) else (result,)


def _numpy_of(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _array_of(t: minigrad.Tensor, what: str) -> np.ndarray:
    """A minigrad result read as users read it, ``np.asarray(t)`` (the README promises it
    works, as it does for a torch tensor)."""
    try:
        return np.asarray(t)
    except ValueError as error:
        raise AssertionError(
            f"{what}: np.asarray fails ({error}); ._array is a {type(t._array).__name__}"
        ) from error


# --------------------------------------------------------------------------- the tests


def test_every_record_has_a_torch_counterpart():
    names = {record.name for record in RECORDS}
    missing = sorted(names - set(TORCH) - set(EXCLUDED))
    assert not missing, f"records with neither a torch call nor a stated exclusion: {missing}"
    both = sorted(set(TORCH) & set(EXCLUDED))
    assert not both, f"records both mapped and excluded: {both}"
    stale = sorted((set(TORCH) | set(EXCLUDED) | set(OURS)) - names)
    assert not stale, f"entries for records that no longer exist: {stale}"
    assert set(OURS) <= set(TORCH)
    assert all(reason.strip() for reason in EXCLUDED.values())


@pytest.mark.parametrize("record", MAPPED, ids=[record.name for record in MAPPED])
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_record_matches_torch(record, data):
    tensors, kwargs = data.draw(op_inputs(record), label="inputs and kwargs")
    their_inputs = [torch.tensor(np.array(t._array), requires_grad=True) for t in tensors]

    ours = _parts(OURS.get(record.name, record.function)(*tensors, **kwargs))
    their_kwargs = {name: _to_torch(value) for name, value in kwargs.items()}
    theirs = _parts(TORCH[record.name](*their_inputs, **their_kwargs))

    # Forward: the same outputs, part by part.
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert isinstance(a, minigrad.Tensor), f"output {k} is a {type(a).__name__}"
        assert a.shape == tuple(b.shape), f"output {k}: shape {a.shape}, torch {tuple(b.shape)}"
        assert a._array.dtype == _numpy_of(b).dtype, (
            f"output {k}: dtype {a._array.dtype}, torch {b.dtype}"
        )
        assert a.requires_grad == b.requires_grad, (
            f"output {k}: requires_grad {a.requires_grad}, torch {b.requires_grad}"
        )
        np.testing.assert_allclose(
            _array_of(a, f"output {k}"), _numpy_of(b), rtol=RTOL, atol=ATOL,
            err_msg=f"output {k} forward",
        )

    # Backward: one random upstream gradient per differentiable output, the same on both
    # sides; every input's gradient (or its absence) must agree.
    differentiable = [k for k, b in enumerate(theirs) if b.requires_grad]
    assert differentiable, "torch gives no differentiable output"
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="upstream seed"))
    upstream = [rng.standard_normal(tuple(theirs[k].shape)) for k in differentiable]
    our_grads = minigrad.grad(
        [ours[k] for k in differentiable],
        tensors,
        [minigrad.tensor(u, dtype=minigrad.float64) for u in upstream],
        allow_unused=True,
    )
    their_grads = torch.autograd.grad(
        [theirs[k] for k in differentiable],
        their_inputs,
        [torch.from_numpy(u) for u in upstream],
        allow_unused=True,
    )
    for i, (g, tg) in enumerate(zip(our_grads, their_grads)):
        assert (g is None) == (tg is None), (
            f"input {i}: gradient {'None' if g is None else 'given'}, "
            f"torch's {'None' if tg is None else 'given'}"
        )
        if tg is None:
            continue
        assert g.shape == tuple(tg.shape), f"input {i}: grad shape {g.shape}, torch {tg.shape}"
        assert g._array.dtype == _numpy_of(tg).dtype, (
            f"input {i}: grad dtype {g._array.dtype}, torch {tg.dtype}"
        )
        np.testing.assert_allclose(
            _array_of(g, f"input {i} gradient"), _numpy_of(tg), rtol=RTOL, atol=ATOL,
            err_msg=f"input {i} gradient",
        )
