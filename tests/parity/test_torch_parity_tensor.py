"""Tensor-level parity with PyTorch where smooth random inputs do not reach.

Three parts, each against real PyTorch (skipped when it is not installed):

1. values and input gradients exactly at kinks, ties, zeros and infinities, where the
   derivative is a convention (float64, the same upstream gradient on both sides; an inf
   or a NaN must sit at the same position with the same sign);
2. the API surface: argument names, order and defaults, result shapes and dtypes of
   reductions, shape functions, indexing, matmul and constructors;
3. shapes that PyTorch rejects are rejected by minigrad too (the exception type may
   differ: minigrad raises ValueError where PyTorch raises RuntimeError).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402

# torch warns when a variance has no degrees of freedom left; those cases are asked for.
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")

INF = math.inf
NAN = math.nan
REJECTED = (RuntimeError, ValueError, IndexError, TypeError)
# A fixed, non-uniform upstream gradient with both signs and no zero: an all-ones upstream
# hides transposed or mis-broadcast gradients, a zero would turn an inf into a NaN.
UPSTREAM = np.array([1.5, -0.5, 2.0, 0.75, -1.25, 1.0, 0.25, -2.0])

TORCH_DTYPES = {
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.int64: np.dtype(np.int64),
    torch.int32: np.dtype(np.int32),
    torch.uint8: np.dtype(np.uint8),
    torch.bool: np.dtype(np.bool_),
}


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, minigrad.Tensor):
        return value._array
    return np.asarray(value)


def assert_same(ours, theirs, rtol=1e-12, atol=1e-300, what="result"):
    """Same shape, same dtype, same values; NaN and +-inf at the same positions."""
    a, b = as_numpy(ours), as_numpy(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch's {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != torch's {b.dtype}"
    message = f"{what}: minigrad {a.tolist()}, torch {b.tolist()}"
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=message)
    else:
        np.testing.assert_array_equal(a, b, err_msg=message)


def upstream_for(shape):
    size = math.prod(shape)
    return np.resize(UPSTREAM, size).reshape(shape)


def compare_with_torch(ours_fn, torch_fn, *values):
    """Run both functions on float64 copies of ``values``; compare output and every
    input gradient for the same upstream gradient."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    xs = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = ours_fn(*xs)
    ty = torch_fn(*ts)
    assert_same(y, ty, what=f"forward value at {[a.tolist() for a in arrays]}")
    upstream = upstream_for(tuple(ty.shape))
    y.backward(minigrad.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    failures = []
    for i, (x, t) in enumerate(zip(xs, ts)):
        ours_grad = np.zeros_like(arrays[i]) if x.grad is None else x.grad._array
        their_grad = np.zeros_like(arrays[i]) if t.grad is None else t.grad.numpy()
        try:
            assert_same(ours_grad, their_grad)
        except AssertionError:
            failures.append(
                f"gradient of input {i} at {arrays[i].tolist()} (upstream "
                f"{upstream.tolist()}):\n  minigrad {ours_grad.tolist()}\n"
                f"  torch    {their_grad.tolist()}"
            )
    if failures:
        pytest.fail("\n".join(failures))


# =========================================================================== part 1
# Values and gradients where the derivative is a convention.

KINK_X = [-1.0, -0.0, 0.0, 1.0]
TIED = [[1.0, 3.0, 3.0], [3.0, 0.0, 2.0]]
TIED_ROWS = [[2.0, 2.0, 1.0], [0.0, -0.0, -1.0], [5.0, 5.0, 5.0]]


def _p(ours, theirs, *values, id):
    return pytest.param(ours, theirs, values, id=id)


KINKS = [
    # ---- piecewise-linear activations and friends
    _p(lambda x: x.relu(), torch.relu, KINK_X, id="relu"),
    _p(minigrad.abs, torch.abs, KINK_X, id="abs"),
    _p(minigrad.sign, torch.sign, KINK_X, id="sign"),
    _p(lambda x: minigrad.leaky_relu(x), TF.leaky_relu, KINK_X, id="leaky_relu_default"),
    _p(lambda x: minigrad.leaky_relu(x, 0.2), lambda t: TF.leaky_relu(t, 0.2), KINK_X,
       id="leaky_relu_0.2"),
    _p(lambda x: minigrad.elu(x), TF.elu, KINK_X, id="elu_default"),
    _p(lambda x: minigrad.elu(x, 0.5), lambda t: TF.elu(t, 0.5), KINK_X, id="elu_alpha_0.5"),
    _p(lambda x: minigrad.softplus(x), TF.softplus,
       [0.0, 20.0, 20.000001, 19.999, -1000.0, 1000.0], id="softplus_threshold_20"),
    _p(lambda x: minigrad.softplus(x, beta=2.0), lambda t: TF.softplus(t, beta=2.0),
       [0.0, 10.0, 10.000001, -1000.0], id="softplus_beta_2"),
    _p(lambda x: minigrad.softplus(x, 1.0, 5.0), lambda t: TF.softplus(t, 1.0, 5.0),
       [5.0, 4.999, 5.001], id="softplus_threshold_5_positional"),
    # ---- clamp: on the bounds, only one bound, min > max, min == max
    _p(lambda x: x.clamp(0.0, 1.0), lambda t: t.clamp(0.0, 1.0),
       [-1.0, 0.0, 0.5, 1.0, 2.0], id="clamp_on_bounds"),
    _p(lambda x: x.clamp(min=0.0), lambda t: t.clamp(min=0.0), [-1.0, 0.0, 2.0],
       id="clamp_min_only"),
    _p(lambda x: x.clamp(max=1.0), lambda t: t.clamp(max=1.0), [0.0, 1.0, 2.0],
       id="clamp_max_only"),
    _p(lambda x: x.clamp(1.0, 0.0), lambda t: t.clamp(1.0, 0.0),
       [-1.0, 0.0, 0.5, 1.0, 2.0], id="clamp_min_above_max"),
    _p(lambda x: x.clamp(0.5, 0.5), lambda t: t.clamp(0.5, 0.5), [0.0, 0.5, 1.0],
       id="clamp_min_equals_max"),
    _p(lambda x: minigrad.clip(x, 0.0, 1.0), lambda t: torch.clip(t, 0.0, 1.0),
       [0.0, 1.0, 3.0], id="clip_on_bounds"),
    _p(lambda x, lo, hi: x.clamp(lo, hi), lambda t, lo, hi: t.clamp(lo, hi),
       [0.0, 1.0, 0.5, -1.0, 2.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 2.0],
       [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], id="clamp_tensor_bounds_ties"),
    _p(lambda x, lo: x.clamp(min=lo), lambda t, lo: t.clamp(min=lo),
       [0.0, 1.0, -1.0], [0.0, 0.0, 0.0], id="clamp_tensor_min_tie"),
    _p(lambda x, hi: x.clamp(max=hi), lambda t, hi: t.clamp(max=hi),
       [0.0, 1.0, -1.0], [0.0, 0.0, 0.0], id="clamp_tensor_max_tie"),
    # ---- elementwise maximum/minimum with equal inputs
    _p(minigrad.maximum, torch.maximum, [1.0, 2.0, 3.0, 0.0], [1.0, 1.0, 3.0, -0.0],
       id="maximum_ties"),
    _p(minigrad.minimum, torch.minimum, [1.0, 2.0, 3.0, 0.0], [1.0, 1.0, 3.0, -0.0],
       id="minimum_ties"),
    _p(minigrad.maximum, torch.maximum, TIED, [3.0, 3.0, 2.0], id="maximum_ties_broadcast"),
    _p(lambda a, b: a.max(b), lambda a, b: a.max(b), [1.0, 2.0], [1.0, 0.0],
       id="max_of_two_tensors"),
    _p(lambda a, b: a.min(b), lambda a, b: a.min(b), [1.0, 2.0], [1.0, 0.0],
       id="min_of_two_tensors"),
    # ---- reductions with tied extremes: full, with one dim, with several dims
    _p(lambda x: x.max(), lambda t: t.max(), TIED, id="max_all_ties"),
    _p(lambda x: x.min(), lambda t: t.min(), TIED, id="min_all_ties"),
    _p(lambda x: x.amax(), lambda t: t.amax(), TIED, id="amax_all_ties"),
    _p(lambda x: x.amin(), lambda t: t.amin(), TIED, id="amin_all_ties"),
    _p(lambda x: x.amax(1), lambda t: t.amax(1), TIED_ROWS, id="amax_dim_ties"),
    _p(lambda x: x.amin(0, True), lambda t: t.amin(0, True), TIED_ROWS,
       id="amin_dim_keepdim_ties"),
    _p(lambda x: x.amax((0, 1)), lambda t: t.amax((0, 1)), TIED, id="amax_tuple_dims_ties"),
    _p(lambda x: x.max(1).values, lambda t: t.max(1).values, TIED_ROWS,
       id="max_dim_ties"),
    _p(lambda x: x.max(0, keepdim=True)[0], lambda t: t.max(0, keepdim=True)[0], TIED_ROWS,
       id="max_dim0_keepdim_ties"),
    _p(lambda x: x.min(-1).values, lambda t: t.min(-1).values, TIED_ROWS,
       id="min_dim_ties"),
    _p(lambda x: minigrad.max(x, dim=1).values, lambda t: torch.max(t, dim=1).values,
       [[1.0, NAN, 3.0], [2.0, 2.0, 1.0]], id="max_dim_nan"),
    _p(lambda x: x.max(), lambda t: t.max(), [1.0, NAN, 3.0], id="max_all_nan"),
    _p(lambda x: x.amax(1), lambda t: t.amax(1), [[1.0, NAN, 3.0], [2.0, 2.0, 1.0]],
       id="amax_dim_nan"),
    # ---- square roots, reciprocals, logarithms and division at zero
    _p(minigrad.sqrt, torch.sqrt, [0.0, 1.0, 4.0, -1.0], id="sqrt_at_0"),
    _p(minigrad.rsqrt, torch.rsqrt, [0.0, 1.0, 4.0], id="rsqrt_at_0"),
    _p(minigrad.reciprocal, torch.reciprocal, [0.0, -0.0, 2.0], id="reciprocal_at_0"),
    _p(minigrad.log, torch.log, [0.0, -0.0, 1.0, -1.0], id="log_at_0"),
    _p(lambda a, b: a / b, lambda a, b: a / b, [1.0, -1.0, 0.0, 2.0, -3.0],
       [0.0, 0.0, 0.0, -0.0, -0.0], id="div_by_zero_tensor"),
    _p(lambda a: a / 0.0, lambda a: a / 0.0, [1.0, -1.0, 0.0], id="div_by_zero_scalar"),
    _p(lambda a: 2.0 / a, lambda a: 2.0 / a, [0.0, -0.0, 4.0], id="scalar_div_by_zero"),
    _p(minigrad.exp, torch.exp, [-INF, 0.0, INF], id="exp_at_inf"),
    _p(minigrad.tanh, torch.tanh, [-INF, 0.0, INF], id="tanh_at_inf"),
    _p(minigrad.sigmoid, torch.sigmoid, [-INF, 0.0, INF], id="sigmoid_at_inf"),
    # ---- pow with base 0 (scalar and tensor exponents) and a scalar base 0
    *[
        _p(lambda x, e=e: x**e, lambda t, e=e: t**e, [0.0, 1.5, -2.0], id=f"pow_base0_exp{e}")
        for e in (0, 1, 2, 3, 0.5, -1, -2, 0.0, 2.0)
    ],
    _p(lambda b, e: b**e, lambda b, e: b**e, [0.0, 0.0, 0.0, 0.0, 0.0, 2.0],
       [0.0, 1.0, 2.0, 0.5, -1.0, 0.0], id="pow_tensor_tensor_base0"),
    _p(lambda e: 0.0**e, lambda e: 0.0**e, [0.0, 1.0, 2.0, 0.5, -1.0],
       id="pow_scalar_base0"),
    _p(lambda e: 2.0**e, lambda e: 2.0**e, [0.0, -1.0, 0.5], id="pow_scalar_base2"),
    # ---- where, broadcasting all three operands, and with a scalar
    _p(lambda a, b: minigrad.where(minigrad.tensor([[True], [False]]), a, b),
       lambda a, b: torch.where(torch.tensor([[True], [False]]), a, b),
       [[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], id="where_broadcast"),
    _p(lambda a: minigrad.where(minigrad.tensor([True, False, True]), a, 0.0),
       lambda a: torch.where(torch.tensor([True, False, True]), a, 0.0),
       [[1.0], [2.0]], id="where_scalar_other"),
    _p(lambda a: minigrad.where(a > 0, a, 0.0 * a), lambda a: torch.where(a > 0, a, 0.0 * a),
       KINK_X, id="where_self_condition"),
    # ---- norms of zero vectors and of vectors with zero entries
    *[
        _p(lambda x, p=p: x.norm(p), lambda t, p=p: t.norm(p), [0.0, 0.0, 0.0],
           id=f"norm_zero_vector_p{p}")
        for p in (2, 1, INF, 3, 1.5, 0.5)
    ],
    *[
        _p(lambda x, p=p: x.norm(p), lambda t, p=p: t.norm(p), [0.0, 3.0, -4.0, 0.0],
           id=f"norm_zero_entries_p{p}")
        for p in (2, 1, INF, 3, 1.5, 0.5)
    ],
    _p(lambda x: x.norm(), lambda t: t.norm(), [[0.0, 0.0], [3.0, 4.0]],
       id="norm_default_fro"),
    _p(lambda x: x.norm(2, 1), lambda t: t.norm(2, 1), [[0.0, 0.0], [3.0, -4.0]],
       id="norm_dim_zero_row"),
    _p(lambda x: x.norm(INF), lambda t: t.norm(INF), [3.0, -3.0, 1.0], id="norm_inf_ties"),
    _p(lambda x: x.norm(-INF), lambda t: t.norm(-INF), [1.0, -1.0, 3.0],
       id="norm_neg_inf_ties"),
    # ---- var/std of one element (correction and unbiased) and of zero spread
    _p(lambda x: x.var(), lambda t: t.var(), [2.0], id="var_one_element"),
    _p(lambda x: x.std(), lambda t: t.std(), [2.0], id="std_one_element"),
    _p(lambda x: x.var(correction=0), lambda t: t.var(correction=0), [2.0],
       id="var_one_element_correction0"),
    _p(lambda x: x.std(correction=0), lambda t: t.std(correction=0), [2.0],
       id="std_one_element_correction0"),
    _p(lambda x: x.var(unbiased=False), lambda t: t.var(unbiased=False), [2.0],
       id="var_one_element_unbiased_false"),
    _p(lambda x: x.std(unbiased=False), lambda t: t.std(unbiased=False), [2.0],
       id="std_one_element_unbiased_false"),
    _p(lambda x: x.var(1), lambda t: t.var(1), [[1.0], [2.0], [3.0]], id="var_dim_of_size_1"),
    _p(lambda x: x.std(0), lambda t: t.std(0), [[1.0, 2.0], [1.0, 3.0]],
       id="std_constant_column"),
    _p(lambda x: x.std(correction=2), lambda t: t.std(correction=2), [1.0, 2.0],
       id="std_correction_equals_n"),
    _p(lambda x: x.var(correction=3), lambda t: t.var(correction=3), [1.0, 2.0],
       id="var_correction_above_n"),
    # ---- softmax, log_softmax and logsumexp with infinite entries
    _p(lambda x: x.softmax(1), lambda t: t.softmax(1),
       [[-INF, 0.0, 1.0], [-INF, -INF, 2.0], [-INF, -INF, -INF]], id="softmax_neg_inf"),
    _p(lambda x: x.log_softmax(1), lambda t: t.log_softmax(1),
       [[-INF, 0.0, 1.0], [-INF, -INF, 2.0]], id="log_softmax_neg_inf"),
    _p(lambda x: x.log_softmax(-1), lambda t: t.log_softmax(-1), [[-INF, -INF, -INF]],
       id="log_softmax_all_neg_inf"),
    _p(lambda x: x.softmax(0), lambda t: t.softmax(0), [INF, 0.0, 1.0], id="softmax_pos_inf"),
    _p(lambda x: x.logsumexp(0), lambda t: t.logsumexp(0), [-INF, -INF],
       id="logsumexp_all_neg_inf"),
    _p(lambda x: x.logsumexp(1), lambda t: t.logsumexp(1), [[-INF, -INF], [-INF, 1.0]],
       id="logsumexp_rows_neg_inf"),
    _p(lambda x: x.logsumexp(0), lambda t: t.logsumexp(0), [INF, 1.0], id="logsumexp_pos_inf"),
]


@pytest.mark.parametrize("ours, theirs, values", KINKS)
def test_value_and_gradient_at_kinks_match_torch(ours, theirs, values):
    compare_with_torch(ours, theirs, *values)


# =========================================================================== part 2
# The API surface: one call, written once, made on both libraries (``m`` is the module).

PAD = {minigrad: minigrad.pad, torch: TF.pad}
X3 = np.array(  # distinct values: no ties in this one
    [[[0.3, -1.2, 2.5, 0.7], [1.1, -0.4, 0.9, -2.2], [0.05, 1.7, -0.8, 0.6]],
     [[-1.5, 0.2, 1.3, -0.6], [2.1, -0.9, 0.4, 1.6], [-0.3, 0.8, -1.9, 1.2]]]
)


def wrap(m, values, dtype=None):
    """``values`` as a tensor of library ``m`` (dtype given as a NumPy dtype)."""
    array = np.asarray(values) if dtype is None else np.asarray(values, dtype=dtype)
    return m.tensor(array) if m is minigrad else torch.from_numpy(array.copy())


def assert_same_result(ours, theirs):
    """Tensors, tuples of tensors, named (values, indices) pairs and plain Python values
    alike: same structure, types, shapes, dtypes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minigrad.Tensor), f"{type(ours).__name__} is not a Tensor"
        assert_same(ours, theirs)
    elif isinstance(theirs, tuple):
        assert isinstance(ours, tuple), f"{type(ours).__name__} is not a tuple"
        assert len(ours) == len(theirs), f"{len(ours)} pieces, torch has {len(theirs)}"
        for a, b in zip(ours, theirs):
            assert_same_result(a, b)
        if hasattr(theirs, "values") and hasattr(theirs, "indices"):
            assert_same_result(ours.values, theirs.values)
            assert_same_result(ours.indices, theirs.indices)
    elif isinstance(theirs, list):
        assert ours == theirs and type(ours) is list
        assert [type(v) for v in _flat(ours)] == [type(v) for v in _flat(theirs)]
    else:
        assert type(ours) is type(theirs), f"{type(ours).__name__} != {type(theirs).__name__}"
        assert ours == theirs


def _flat(values):
    for v in values:
        if isinstance(v, list):
            yield from _flat(v)
        else:
            yield v


def same_call(fn, values=X3, dtype=np.float64):
    """``fn(m, x)`` on both libraries gives the same result."""
    ours = fn(minigrad, wrap(minigrad, values, dtype))
    theirs = fn(torch, wrap(torch, values, dtype))
    assert_same_result(ours, theirs)


def _c(fn, values=X3, dtype=np.float64, id=None):
    return pytest.param(fn, values, dtype, id=id)


TIES = [[[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, -1.0, 0.0, -1.0]]]
INTS = [[3, -1, 4], [1, 5, -9], [2, 6, 5]]
BOOLS = [[True, False, True], [False, False, True]]

REDUCTIONS = [
    _c(lambda m, x: x.sum(), id="sum"),
    _c(lambda m, x: x.sum(0), id="sum_0"),
    _c(lambda m, x: x.sum(-1), id="sum_neg"),
    _c(lambda m, x: x.sum((0, 2)), id="sum_tuple"),
    _c(lambda m, x: x.sum((-1, 0)), id="sum_tuple_neg_unsorted"),
    _c(lambda m, x: x.sum([0, 1]), id="sum_list"),
    _c(lambda m, x: x.sum(1, True), id="sum_keepdim_positional"),
    _c(lambda m, x: m.sum(x, dim=(0, 1), keepdim=True), id="sum_function_keywords"),
    _c(lambda m, x: x.sum(dim=()), id="sum_empty_dims"),
    _c(lambda m, x: x.mean(), id="mean"),
    _c(lambda m, x: x.mean(1), id="mean_1"),
    _c(lambda m, x: x.mean((0, 2), keepdim=True), id="mean_tuple_keepdim"),
    _c(lambda m, x: m.mean(x, -1, True), id="mean_function_positional"),
    _c(lambda m, x: x.var(), id="var"),
    _c(lambda m, x: x.var(1), id="var_1"),
    _c(lambda m, x: x.var(-1, keepdim=True), id="var_keepdim"),
    _c(lambda m, x: x.var((0, 2)), id="var_tuple"),
    _c(lambda m, x: x.var(correction=0), id="var_correction_0"),
    _c(lambda m, x: x.var(1, correction=2), id="var_correction_2"),
    _c(lambda m, x: x.var(dim=1, correction=0.5), id="var_correction_float"),
    _c(lambda m, x: x.var(unbiased=False), id="var_unbiased_false"),
    _c(lambda m, x: x.var(0, unbiased=True, keepdim=True), id="var_unbiased_true_keepdim"),
    _c(lambda m, x: m.var(x, 2), id="var_function"),
    _c(lambda m, x: x.std(), id="std"),
    _c(lambda m, x: x.std(0), id="std_0"),
    _c(lambda m, x: x.std((1, 2), keepdim=True), id="std_tuple_keepdim"),
    _c(lambda m, x: x.std(correction=0), id="std_correction_0"),
    _c(lambda m, x: x.std(-1, unbiased=False), id="std_unbiased_false"),
    _c(lambda m, x: m.std(x, dim=1, correction=2), id="std_function"),
    _c(lambda m, x: x.amax(), id="amax"),
    _c(lambda m, x: x.amax(-1), id="amax_neg"),
    _c(lambda m, x: x.amax((0, 1)), id="amax_tuple"),
    _c(lambda m, x: x.amin(1, keepdim=True), id="amin_keepdim"),
    _c(lambda m, x: m.amin(x, dim=(-1, -2)), id="amin_function_tuple"),
    _c(lambda m, x: x.max(), id="max"),
    _c(lambda m, x: x.min(), id="min"),
    _c(lambda m, x: x.max(1), id="max_dim"),
    _c(lambda m, x: x.max(dim=-1, keepdim=True), id="max_dim_keepdim"),
    _c(lambda m, x: x.min(0), id="min_dim"),
    _c(lambda m, x: m.min(x, 2, True), id="min_function_keepdim"),
    _c(lambda m, x: m.max(x, dim=1), TIES, id="max_dim_ties_indices"),
    _c(lambda m, x: m.min(x, dim=2), TIES, id="min_dim_ties_indices"),
    _c(lambda m, x: x.argmax(), id="argmax"),
    _c(lambda m, x: x.argmin(), id="argmin"),
    _c(lambda m, x: x.argmax(1), id="argmax_dim"),
    _c(lambda m, x: x.argmin(dim=-1, keepdim=True), id="argmin_dim_keepdim"),
    _c(lambda m, x: m.argmax(x, 0, True), id="argmax_function_keepdim"),
    _c(lambda m, x: x.argmax(keepdim=True), id="argmax_no_dim_keepdim"),
    _c(lambda m, x: x.argmax(2), TIES, id="argmax_ties"),
    _c(lambda m, x: x.argmin(), TIES, id="argmin_ties"),
    _c(lambda m, x: x.argmax(), [1.0, NAN, 3.0], id="argmax_nan"),
    _c(lambda m, x: x.argmin(), [1.0, NAN, -3.0], id="argmin_nan"),
    _c(lambda m, x: x.logsumexp(1), id="logsumexp"),
    _c(lambda m, x: x.logsumexp((0, 2)), id="logsumexp_tuple"),
    _c(lambda m, x: m.logsumexp(x, -1, keepdim=True), id="logsumexp_keepdim"),
    _c(lambda m, x: x.softmax(-1), id="softmax"),
    _c(lambda m, x: m.softmax(x, dim=1), id="softmax_function"),
    _c(lambda m, x: x.log_softmax(0), id="log_softmax"),
    _c(lambda m, x: m.log_softmax(x, dim=-2), id="log_softmax_function"),
    _c(lambda m, x: x.norm(), id="norm"),
    _c(lambda m, x: x.norm(1), id="norm_1"),
    _c(lambda m, x: x.norm(p="fro"), id="norm_fro"),
    _c(lambda m, x: x.norm(3, dim=1), id="norm_3_dim"),
    _c(lambda m, x: x.norm(2, (0, 1)), id="norm_tuple"),
    _c(lambda m, x: m.norm(x, p=2, dim=-1, keepdim=True), id="norm_function_keepdim"),
    _c(lambda m, x: x.norm(float("inf"), 1), id="norm_inf_dim"),
    _c(lambda m, x: x.mean(None, True), id="mean_all_keepdim"),
    _c(lambda m, x: x.amax(keepdim=True), id="amax_all_keepdim"),
    _c(lambda m, x: x.var(keepdim=True), id="var_all_keepdim"),
    _c(lambda m, x: x.std(None, keepdim=True), id="std_all_keepdim"),
    _c(lambda m, x: x.norm(keepdim=True), id="norm_all_keepdim"),
    # 0-d tensors take dim 0 and -1, as PyTorch
    _c(lambda m, x: x.sum(0), 1.5, id="sum_0d_dim0"),
    _c(lambda m, x: x.mean(-1), 1.5, id="mean_0d_dim_neg"),
    _c(lambda m, x: x.max(0), 1.5, id="max_0d_dim0"),
    _c(lambda m, x: x.argmax(0), 1.5, id="argmax_0d_dim0"),
    _c(lambda m, x: x.softmax(0), 1.5, id="softmax_0d"),
    # integer and bool tensors: result dtypes
    _c(lambda m, x: x.sum(), INTS, np.int64, id="sum_int64"),
    _c(lambda m, x: x.sum(1), INTS, np.int32, id="sum_int32"),
    _c(lambda m, x: x.sum(), [[200, 100], [50, 7]], np.uint8, id="sum_uint8"),
    _c(lambda m, x: x.sum(), BOOLS, np.bool_, id="sum_bool"),
    _c(lambda m, x: x.sum(0, keepdim=True), BOOLS, np.bool_, id="sum_bool_dim"),
    _c(lambda m, x: x.max(), INTS, np.int64, id="max_int"),
    _c(lambda m, x: x.max(1), INTS, np.int64, id="max_dim_int"),
    _c(lambda m, x: x.amin(0), INTS, np.int32, id="amin_int32"),
    _c(lambda m, x: x.argmax(1), INTS, np.int64, id="argmax_int"),
    _c(lambda m, x: x.argmin(), INTS, np.int32, id="argmin_int32"),
    _c(lambda m, x: x.all(), BOOLS, np.bool_, id="all"),
    _c(lambda m, x: x.any(1), BOOLS, np.bool_, id="any_dim"),
    _c(lambda m, x: x.all(0, keepdim=True), BOOLS, np.bool_, id="all_keepdim"),
    _c(lambda m, x: x.any(), X3, np.float64, id="any_float"),
    _c(lambda m, x: (x > 0).all(dim=(0, 1)), id="all_tuple_dims"),
    _c(lambda m, x: x.max(), BOOLS, np.bool_, id="max_bool"),
]


@pytest.mark.parametrize("fn, values, dtype", REDUCTIONS)
def test_reduction_api_matches_torch(fn, values, dtype):
    same_call(fn, values, dtype)


@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_mean_of_integer_or_bool_tensor_is_rejected_as_torch(dtype):
    for m in (torch, minigrad):
        with pytest.raises(REJECTED):
            wrap(m, [1, 0, 1], dtype).mean()


def test_max_with_dim_returns_named_values_and_indices():
    x = minigrad.tensor(X3)
    result = x.max(1)
    values, indices = result  # unpacks like a tuple
    assert isinstance(result, tuple)
    assert result.values is values and result.indices is indices
    assert result[0] is values and result[1] is indices
    assert indices.dtype == minigrad.int64
    t = torch.tensor(X3).max(1)
    assert_same(values, t.values)
    assert_same(indices, t.indices)


COMPARISONS = [
    _c(lambda m, x: x == x[0], id="eq_broadcast"),
    _c(lambda m, x: x != 0.3, id="ne_scalar"),
    _c(lambda m, x: x < 0.5, id="lt"),
    _c(lambda m, x: x <= x.mean(), id="le_0d"),
    _c(lambda m, x: x > x[:, :1], id="gt_broadcast"),
    _c(lambda m, x: x >= 0, id="ge_int_scalar"),
    _c(lambda m, x: x.eq(x[1]), id="eq_method"),
    _c(lambda m, x: m.lt(x, 0.0), id="lt_function"),
    _c(lambda m, x: x < 1.5, INTS, np.int64, id="int_lt_float_scalar"),
    _c(lambda m, x: x == 4.0, INTS, np.int64, id="int_eq_float_scalar"),
    _c(lambda m, x: x == x.float(), INTS, np.int64, id="int_eq_float_tensor"),
    _c(lambda m, x: x.isnan(), [1.0, NAN, INF], id="isnan"),
    _c(lambda m, x: m.isinf(x), [1.0, NAN, -INF], id="isinf"),
    _c(lambda m, x: x.isfinite(), [1.0, NAN, -INF], id="isfinite"),
    _c(lambda m, x: m.logical_and(x, x[0]), BOOLS, np.bool_, id="logical_and"),
    _c(lambda m, x: x.logical_or(x[1]), BOOLS, np.bool_, id="logical_or"),
    _c(lambda m, x: m.logical_not(x), BOOLS, np.bool_, id="logical_not"),
    _c(lambda m, x: ~x, BOOLS, np.bool_, id="invert_bool"),
    _c(lambda m, x: x & x[0], BOOLS, np.bool_, id="and_bool"),
    _c(lambda m, x: x | x[0], BOOLS, np.bool_, id="or_bool"),
    _c(lambda m, x: ~x, INTS, np.int64, id="invert_int"),
    _c(lambda m, x: x & x[0], INTS, np.int64, id="and_int"),
    _c(lambda m, x: x | x[0], INTS, np.int64, id="or_int"),
    _c(lambda m, x: m.logical_and(x, x[0]), INTS, np.int64, id="logical_and_int"),
]


@pytest.mark.parametrize("fn, values, dtype", COMPARISONS)
def test_comparison_and_logical_results_match_torch(fn, values, dtype):
    same_call(fn, values, dtype)


PROMOTION_DTYPES = [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_]


@pytest.mark.parametrize("right_shape", [(3,), ()], ids=["1d", "0d"])
@pytest.mark.parametrize("right", PROMOTION_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("left", PROMOTION_DTYPES, ids=lambda d: np.dtype(d).name)
def test_binary_result_dtype_matches_torch(left, right, right_shape):
    """Tensor-tensor promotion (a 1-D tensor on the left, 1-D or 0-d on the right),
    including PyTorch's rule that a 0-d tensor does not widen a dimensioned tensor of the
    same kind. The README documents one deliberate difference: two tensors of one kind
    (both float, or both integer) give the wider type, whatever their ranks."""
    a = np.array([1, 0, 1]).astype(left)
    b = np.resize(np.array([1, 1, 0]), right_shape).astype(right)
    kinds = {np.dtype(left).kind, np.dtype(right).kind}
    same_category = kinds == {"f"} or kinds <= {"i", "u"}
    for name, op in [("add", lambda x, y: x + y), ("mul", lambda x, y: x * y),
                     ("div", lambda x, y: x / y), ("eq", lambda x, y: x == y)]:
        if name == "add" and left == right == np.bool_:
            continue  # bool + bool: torch gives logical or, not an arithmetic sum
        ours = op(minigrad.tensor(a), minigrad.tensor(b))
        theirs = op(torch.from_numpy(a), torch.from_numpy(b))
        expected = TORCH_DTYPES[theirs.dtype]
        integer_division = name == "div" and kinds != {"f"}  # true division: a float
        if same_category and name != "eq" and not integer_division:
            expected = np.promote_types(left, right)  # the README's rule
        assert ours.dtype == expected, (
            f"{np.dtype(left).name}[3] {name} {np.dtype(right).name}{list(right_shape)}: "
            f"minigrad {ours.dtype}, torch {theirs.dtype}"
        )


@pytest.mark.parametrize("scalar", [2, 2.5, True], ids=["int", "float", "bool"])
@pytest.mark.parametrize("dtype", PROMOTION_DTYPES, ids=lambda d: np.dtype(d).name)
def test_tensor_with_python_scalar_result_dtype_matches_torch(dtype, scalar):
    a = np.array([1, 0, 1]).astype(dtype)
    ops = [lambda x: x * scalar, lambda x: x + scalar, lambda x: x / scalar]
    if not isinstance(scalar, bool) and dtype is not np.bool_:
        ops.append(lambda x: scalar - x)  # torch refuses subtraction with a bool
    for op in ops:
        ours, theirs = op(minigrad.tensor(a)), op(torch.from_numpy(a))
        assert_same(ours, theirs)


SHAPES = [
    _c(lambda m, x: x.transpose(0, 2), id="transpose"),
    _c(lambda m, x: m.transpose(x, -1, -2), id="transpose_negative"),
    _c(lambda m, x: x.permute(2, 0, 1), id="permute_varargs"),
    _c(lambda m, x: x.permute((2, 0, 1)), id="permute_tuple"),
    _c(lambda m, x: x.permute(-1, 0, 1), id="permute_negative"),
    _c(lambda m, x: x[0].T, id="T_2d"),
    _c(lambda m, x: x.mT, id="mT"),
    _c(lambda m, x: x.reshape(-1), id="reshape_minus_one"),
    _c(lambda m, x: x.reshape(4, -1), id="reshape_varargs_infer"),
    _c(lambda m, x: x.reshape((3, -1)), id="reshape_tuple_infer"),
    _c(lambda m, x: m.reshape(x, (2, 12)), id="reshape_function"),
    _c(lambda m, x: x.view(6, 4), id="view"),
    _c(lambda m, x: x.view(-1, 2), id="view_infer"),
    _c(lambda m, x: x.flatten(), id="flatten"),
    _c(lambda m, x: x.flatten(1), id="flatten_start"),
    _c(lambda m, x: x.flatten(0, 1), id="flatten_start_end"),
    _c(lambda m, x: x.flatten(-2, -1), id="flatten_negative"),
    _c(lambda m, x: m.flatten(x, start_dim=1, end_dim=-1), id="flatten_keywords"),
    _c(lambda m, x: x.sum().flatten(), id="flatten_0d"),
    _c(lambda m, x: x[:1, :, None].squeeze(), id="squeeze_all"),
    _c(lambda m, x: x[:1].squeeze(0), id="squeeze_dim"),
    _c(lambda m, x: x.squeeze(1), id="squeeze_dim_not_one"),
    _c(lambda m, x: x[:, :, :1].squeeze(-1), id="squeeze_negative"),
    _c(lambda m, x: x[:1, :, :1].squeeze((0, 2)), id="squeeze_tuple"),
    _c(lambda m, x: x.unsqueeze(0), id="unsqueeze"),
    _c(lambda m, x: x.unsqueeze(-1), id="unsqueeze_minus_one"),
    _c(lambda m, x: x.unsqueeze(-3), id="unsqueeze_negative"),
    _c(lambda m, x: m.unsqueeze(x, 3), id="unsqueeze_at_end"),
    _c(lambda m, x: x[:, :1].expand(-1, 3, -1), id="expand_minus_one"),
    _c(lambda m, x: x[0, :, :1].expand(5, 3, 4), id="expand_new_dims"),
    _c(lambda m, x: x[0, :, :1].expand((2, 3, 4)), id="expand_tuple"),
    _c(lambda m, x: x[0, :1].expand_as(x), id="expand_as"),
    _c(lambda m, x: x[0, 0].broadcast_to((2, 4)), id="broadcast_to"),
    _c(lambda m, x: x.split(1), id="split_int"),
    _c(lambda m, x: x.split(2, dim=2), id="split_int_uneven_dim"),
    _c(lambda m, x: x.split(3, -1), id="split_negative_dim"),
    _c(lambda m, x: x.split([1, 3], 2), id="split_list"),
    _c(lambda m, x: m.split(x, (2, 1), dim=1), id="split_function_tuple"),
    _c(lambda m, x: x.flatten().split(5), id="split_uneven"),
    _c(lambda m, x: x.chunk(2, 1), id="chunk_uneven"),
    _c(lambda m, x: x.chunk(3, -1), id="chunk_3_of_4"),
    _c(lambda m, x: x.flatten().chunk(5), id="chunk_5_of_24"),
    _c(lambda m, x: x.chunk(4, dim=0), id="chunk_more_than_size"),
    _c(lambda m, x: m.chunk(x.flatten()[:6], 4), id="chunk_4_of_6"),
    _c(lambda m, x: x.unbind(1), id="unbind"),
    _c(lambda m, x: m.unbind(x, dim=-1), id="unbind_negative"),
    _c(lambda m, x: m.cat([x, x[:, :1]], 1), id="cat"),
    _c(lambda m, x: m.cat((x, x[..., :2]), dim=-1), id="cat_negative_tuple"),
    _c(lambda m, x: m.cat([x[0], x[1]]), id="cat_default_dim"),
    _c(lambda m, x: m.stack([x[0], x[1]]), id="stack_default_dim"),
    _c(lambda m, x: m.stack([x[0], x[1]], -1), id="stack_minus_one"),
    _c(lambda m, x: m.stack((x[0], x[1]), dim=-3), id="stack_negative_first"),
    _c(lambda m, x: m.stack([x[0], x[1]], 1), id="stack_middle"),
    _c(lambda m, x: PAD[m](x, (1, 2)), id="pad_last_dim"),
    _c(lambda m, x: PAD[m](x, (1, 2, 0, 3)), id="pad_two_dims"),
    _c(lambda m, x: PAD[m](x, (0, 0, 1, 1, 2, 0)), id="pad_three_dims"),
    _c(lambda m, x: PAD[m](x, (-1, 1)), id="pad_negative_crops"),
    _c(lambda m, x: PAD[m](x, [1, 1], "constant", 2.5), id="pad_value_positional"),
    _c(lambda m, x: PAD[m](x, (2, 0), mode="constant", value=-1.0), id="pad_keywords"),
]


@pytest.mark.parametrize("fn, values, dtype", SHAPES)
def test_shape_functions_match_torch(fn, values, dtype):
    same_call(fn, values, dtype)


@pytest.mark.parametrize("fn, values, dtype", SHAPES)
def test_shape_function_gradients_match_torch(fn, values, dtype):
    def ours(x):
        return _joined(fn(minigrad, x), minigrad)

    def theirs(t):
        return _joined(fn(torch, t), torch)

    compare_with_torch(ours, theirs, values)


def _joined(result, m):
    """A tuple of pieces as one tensor (each piece weighted), so one backward covers all."""
    if isinstance(result, tuple):
        return m.cat([piece.flatten() * (i + 1.0) for i, piece in enumerate(result)])
    return result


def test_pad_rejects_modes_it_does_not_implement():
    # minigrad implements only mode="constant"; the others must fail loudly rather
    # than pad with a constant (PyTorch implements them).
    x = minigrad.tensor(X3)
    for mode in ("reflect", "replicate", "circular"):
        with pytest.raises(ValueError, match="constant"):
            minigrad.pad(x, (1, 1), mode=mode)


def _key(*parts):
    """An index made of parts; a callable part builds an index tensor on library ``m``."""
    return lambda m, x: tuple(p(m, x) if callable(p) else p for p in parts)


def _ints(values):
    return lambda m, x: m.tensor(values)


INDEXES = [
    pytest.param(_key(1), id="int"),
    pytest.param(_key(-1), id="negative_int"),
    pytest.param(_key(slice(1, 3)), id="slice"),
    pytest.param(_key(slice(None), slice(None, None, 2)), id="slice_step"),
    pytest.param(_key(slice(None), 1), id="slice_int"),
    pytest.param(_key(Ellipsis, 0), id="ellipsis_int"),
    pytest.param(_key(None), id="none"),
    pytest.param(_key(slice(None), None, Ellipsis, None), id="none_ellipsis_none"),
    pytest.param(_key(0, slice(-2, None), -1), id="int_slice_int"),
    pytest.param(_key([0, 1, 0]), id="int_list"),
    pytest.param(_key(slice(None), _ints([2, 0, 2])), id="int_tensor_repeated"),
    pytest.param(_key(slice(None), _ints([-1, 0])), id="int_tensor_negative"),
    pytest.param(_key(_ints([[0, 1], [1, 1]])), id="int_tensor_2d"),
    pytest.param(_key(_ints(1)), id="int_tensor_0d"),
    pytest.param(_key(_ints([0, 1]), _ints([1, 2])), id="two_int_tensors"),
    pytest.param(_key(slice(1, None), [0, 2]), id="slice_then_list"),
    pytest.param(_key([0, 1], slice(None), [3, 0]), id="separated_advanced"),
    pytest.param(_key(Ellipsis, _ints([3, 1])), id="ellipsis_int_tensor"),
    pytest.param(_key(0, [2, 1]), id="int_then_list"),
    pytest.param(_key(_ints([True, False])), id="bool_mask_first_dim"),
    pytest.param(_key([False, True]), id="bool_list"),
    pytest.param(lambda m, x: x > 0.5, id="bool_mask_full"),
    pytest.param(lambda m, x: (x[:, :, 0] > 0,), id="bool_mask_two_dims"),
    pytest.param(lambda m, x: (slice(None), x[0, :, 0] > 0.5), id="slice_then_bool_mask"),
    pytest.param(lambda m, x: (x[:, 0, 0] > 0, 1), id="bool_mask_then_int"),
]


@pytest.mark.parametrize("key", INDEXES)
def test_indexing_values_and_gradients_match_torch(key):
    same_call(lambda m, x: x[key(m, x)])
    compare_with_torch(lambda x: x[key(minigrad, x)], lambda t: t[key(torch, t)], X3)


def test_negative_step_slices_are_minigrads_extension_and_match_flip():
    # PyTorch refuses negative steps (ValueError); minigrad takes NumPy's meaning. Check
    # that it is the flip, value and gradient.
    with pytest.raises(ValueError):
        torch.tensor(X3)[:, ::-1]
    compare_with_torch(lambda x: x[:, ::-1, ::-2], lambda t: t.flip(1, 2)[:, :, ::2], X3)


SETITEMS = [
    pytest.param(lambda m, x: (1,), lambda m: 5.0, id="int_scalar"),
    pytest.param(lambda m, x: (slice(None), 0), lambda m: m.tensor([1.0, 2.0, 3.0]),
                 id="column_tensor"),
    pytest.param(lambda m, x: (slice(1, None), slice(1, None)), lambda m: m.tensor([[9.0]]),
                 id="slice_broadcast"),
    pytest.param(lambda m, x: (Ellipsis, -1), lambda m: -1.0, id="ellipsis_scalar"),
    pytest.param(lambda m, x: (x > 0.5,), lambda m: 0.0, id="mask_scalar"),
    pytest.param(lambda m, x: (x[:, 0] > 0,), lambda m: m.tensor([7.0, 8.0, 9.0, 1.0]),
                 id="mask_rows_broadcast"),
    pytest.param(lambda m, x: (m.tensor([0, 2]), 1), lambda m: m.tensor([7.0, 8.0]),
                 id="int_tensor_and_int"),
    pytest.param(lambda m, x: ([1],), lambda m: m.tensor([[[1.0, 2.0, 3.0, 4.0]]]),
                 id="int_list_leading_ones"),
]


@pytest.mark.parametrize("key, value", SETITEMS)
def test_setitem_values_and_gradients_match_torch(key, value):
    values = X3[0]
    results = {}
    for m in (minigrad, torch):
        x = wrap(m, values).requires_grad_(True)
        v = value(m)
        if isinstance(v, (minigrad.Tensor, torch.Tensor)):
            v = v.double().requires_grad_(True)
        y = x * 1.0
        y[key(m, x.detach())] = v
        upstream = wrap(m, upstream_for(values.shape))
        (y * upstream).sum().backward()
        results[m] = (y, x.grad, v.grad if hasattr(v, "grad") else None)
    (y, x_grad, v_grad), (ty, tx_grad, tv_grad) = results[minigrad], results[torch]
    assert_same(y.detach(), ty.detach())
    assert_same(x_grad, tx_grad)
    if tv_grad is not None:
        assert_same(v_grad, tv_grad)


def test_setitem_on_integer_tensor_casts_the_value_as_torch():
    for value in (2.7, -2.7, True):
        ours, theirs = minigrad.tensor(INTS), torch.tensor(INTS)
        ours[0] = value
        theirs[0] = value
        assert_same(ours, theirs)


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((1, 3), (3, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes_values_and_gradients_match_torch(shapes):
    rng = np.random.default_rng(7)
    a, b = (rng.standard_normal(s) for s in shapes)
    compare_with_torch(lambda x, y: x @ y, lambda x, y: x @ y, a, b)
    compare_with_torch(lambda x, y: minigrad.matmul(x, y), torch.matmul, a, b)
    compare_with_torch(lambda x, y: x.matmul(y), lambda x, y: x.matmul(y), a, b)


def _made(fn):
    """Run a constructor ``fn(m)`` on both libraries; same shape, dtype and values."""
    ours, theirs = fn(minigrad), fn(torch)
    assert_same_result(ours, theirs)


CONSTRUCTORS = [
    pytest.param(lambda m: m.tensor([1, 2]), id="tensor_ints"),
    pytest.param(lambda m: m.tensor([1.0, 2]), id="tensor_mixed"),
    pytest.param(lambda m: m.tensor([True, False]), id="tensor_bools"),
    pytest.param(lambda m: m.tensor([True, 2]), id="tensor_bool_and_int"),
    pytest.param(lambda m: m.tensor(3), id="tensor_int_scalar"),
    pytest.param(lambda m: m.tensor(3.5), id="tensor_float_scalar"),
    pytest.param(lambda m: m.tensor(False), id="tensor_bool_scalar"),
    pytest.param(lambda m: m.tensor([[1, 2], [3, 4]]), id="tensor_nested"),
    pytest.param(lambda m: m.tensor([]), id="tensor_empty"),
    pytest.param(lambda m: m.tensor([[]]), id="tensor_empty_nested"),
    pytest.param(lambda m: m.tensor([1, 2], dtype=m.float64), id="tensor_dtype"),
    pytest.param(lambda m: m.tensor([1.9, -1.9], dtype=m.int64), id="tensor_float_to_int"),
    pytest.param(lambda m: m.tensor(np.array([1, 2], np.int32)), id="tensor_numpy_int32"),
    pytest.param(lambda m: m.tensor(np.array([1.5], np.float64)), id="tensor_numpy_float64"),
    pytest.param(lambda m: m.arange(5), id="arange_int"),
    pytest.param(lambda m: m.arange(1, 5), id="arange_start_end"),
    pytest.param(lambda m: m.arange(0, 10, 3), id="arange_step"),
    pytest.param(lambda m: m.arange(10, 0, -3), id="arange_negative_step"),
    pytest.param(lambda m: m.arange(5.0), id="arange_float_end"),
    pytest.param(lambda m: m.arange(1.0, 5), id="arange_float_start"),
    pytest.param(lambda m: m.arange(0, 2, 0.25), id="arange_float_step"),
    pytest.param(lambda m: m.arange(0, 5, dtype=m.float64), id="arange_dtype"),
    pytest.param(lambda m: m.arange(start=1, end=4, step=2), id="arange_keywords"),
    pytest.param(lambda m: m.linspace(0, 1, 5), id="linspace"),
    pytest.param(lambda m: m.linspace(-1.0, 1.0, steps=3), id="linspace_steps_keyword"),
    pytest.param(lambda m: m.linspace(2, 3, 1), id="linspace_one_step"),
    pytest.param(lambda m: m.linspace(2, 3, 0), id="linspace_zero_steps"),
    pytest.param(lambda m: m.linspace(0, 10, 5, dtype=m.float64), id="linspace_dtype"),
    pytest.param(lambda m: m.eye(3), id="eye"),
    pytest.param(lambda m: m.eye(2, 3), id="eye_rectangular"),
    pytest.param(lambda m: m.eye(3, 2, dtype=m.int64), id="eye_int"),
    pytest.param(lambda m: m.eye(n=2, m=4), id="eye_keywords"),
    pytest.param(lambda m: m.full((2, 3), 7), id="full_int"),
    pytest.param(lambda m: m.full((2,), 1.5), id="full_float"),
    pytest.param(lambda m: m.full([2, 2], True), id="full_bool"),
    pytest.param(lambda m: m.full((2,), 7, dtype=m.float64), id="full_dtype"),
    pytest.param(lambda m: m.zeros(2, 3), id="zeros_varargs"),
    pytest.param(lambda m: m.zeros((2, 3)), id="zeros_tuple"),
    pytest.param(lambda m: m.zeros([2]), id="zeros_list"),
    pytest.param(lambda m: m.zeros(()), id="zeros_0d"),
    pytest.param(lambda m: m.ones(2, dtype=m.int64), id="ones_int"),
    pytest.param(lambda m: m.ones(2, 1, dtype=m.bool), id="ones_bool"),
    pytest.param(lambda m: m.zeros_like(m.tensor(INTS)), id="zeros_like_int"),
    pytest.param(lambda m: m.ones_like(m.tensor(BOOLS)), id="ones_like_bool"),
    pytest.param(lambda m: m.ones_like(m.tensor(X3)), id="ones_like_float64"),
    pytest.param(lambda m: m.zeros_like(m.tensor(INTS), dtype=m.float64), id="zeros_like_dtype"),
    pytest.param(lambda m: m.full_like(m.tensor(INTS), 2.7), id="full_like_int_float_value"),
    pytest.param(lambda m: m.full_like(m.tensor([1.0]), 7), id="full_like_float_int_value"),
]


@pytest.mark.parametrize("fn", CONSTRUCTORS)
def test_constructors_match_torch(fn):
    _made(fn)


def test_arange_with_float_steps_matches_torch_to_the_last_bit_but_one():
    for args in [(0, 1, 0.1), (-1.0, 2.0, 0.3), (0.5, 7)]:
        ours, theirs = minigrad.arange(*args), torch.arange(*args)
        assert ours.dtype == TORCH_DTYPES[theirs.dtype]
        assert ours.shape == tuple(theirs.shape), args
        np.testing.assert_array_max_ulp(ours._array, theirs.numpy(), maxulp=1)


RANDOM_CONSTRUCTORS = [
    pytest.param(lambda m: m.randint(0, 10, (3,)), (0, 10), id="randint_low_high_size"),
    pytest.param(lambda m: m.randint(10, (3,)), (0, 10), id="randint_high_size"),
    pytest.param(lambda m: m.randint(3, 10, size=(2, 2)), (3, 10), id="randint_size_keyword"),
    pytest.param(lambda m: m.randint(5, size=(4,)), (0, 5), id="randint_high_size_keyword"),
    pytest.param(lambda m: m.randint(low=2, high=4, size=(3,)), (2, 4), id="randint_keywords"),
    pytest.param(lambda m: m.randint(0, 3, (5,), dtype=m.int32), (0, 3), id="randint_dtype"),
    pytest.param(lambda m: m.rand(2, 3), (0, 1), id="rand"),
    pytest.param(lambda m: m.rand((2, 3), dtype=m.float64), (0, 1), id="rand_tuple_dtype"),
    pytest.param(lambda m: m.randn(4), None, id="randn"),
    pytest.param(lambda m: m.randn_like(m.zeros(2, dtype=m.float64)), None, id="randn_like"),
    pytest.param(lambda m: m.rand_like(m.zeros(3)), (0, 1), id="rand_like"),
    pytest.param(lambda m: m.empty(2, 3), None, id="empty"),
    pytest.param(lambda m: m.empty_like(m.tensor(INTS)), None, id="empty_like_int"),
]


@pytest.mark.parametrize("fn, bounds", RANDOM_CONSTRUCTORS)
def test_random_constructors_shape_dtype_and_range_match_torch(fn, bounds):
    ours, theirs = fn(minigrad), fn(torch)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == TORCH_DTYPES[theirs.dtype]
    if bounds is not None:
        low, high = bounds
        assert (ours._array >= low).all() and (ours._array < high).all()


SCALARS = [
    pytest.param(lambda m: m.tensor(2.5).item(), id="item_float"),
    pytest.param(lambda m: m.tensor([[0.1]]).item(), id="item_float32_nested"),
    pytest.param(lambda m: m.tensor(3).item(), id="item_int"),
    pytest.param(lambda m: m.tensor([True]).item(), id="item_bool"),
    pytest.param(lambda m: m.tensor([[1, 2], [3, 4]]).tolist(), id="tolist_int"),
    pytest.param(lambda m: m.tensor([[0.5], [0.1]]).tolist(), id="tolist_float32"),
    pytest.param(lambda m: m.tensor([True, False]).tolist(), id="tolist_bool"),
    pytest.param(lambda m: m.tensor(1.5).tolist(), id="tolist_0d"),
    pytest.param(lambda m: tuple(m.zeros(2, 3, 4).size()), id="size"),
    pytest.param(lambda m: m.zeros(2, 3, 4).size(1), id="size_dim"),
    pytest.param(lambda m: m.zeros(2, 3, 4).size(-1), id="size_negative"),
    pytest.param(lambda m: m.zeros(2, 3, 4).size(dim=0), id="size_keyword"),
    pytest.param(lambda m: tuple(m.tensor(1.0).size()), id="size_0d"),
    pytest.param(lambda m: tuple(m.zeros(2, 3).shape), id="shape"),
    pytest.param(lambda m: len(m.zeros(2, 3)), id="len"),
    pytest.param(lambda m: m.zeros(2, 3).dim(), id="dim"),
    pytest.param(lambda m: m.zeros(2, 3).ndim, id="ndim"),
    pytest.param(lambda m: m.zeros(2, 3).numel(), id="numel"),
    pytest.param(lambda m: int(m.tensor([2.7])), id="int"),
    pytest.param(lambda m: float(m.tensor([[3]])), id="float"),
    pytest.param(lambda m: bool(m.tensor([0.0])), id="bool"),
    pytest.param(lambda m: m.zeros(2, 3).size() == (2, 3), id="size_equals_tuple"),
]


@pytest.mark.parametrize("fn", SCALARS)
def test_python_values_match_torch(fn):
    _made(fn)


CASTS = [
    _c(lambda m, x: x.float(), [-1.7, 2.5], id="float"),
    _c(lambda m, x: x.double(), [-1.7, 2.5], np.float32, id="double"),
    _c(lambda m, x: x.long(), [-1.7, 2.5, -0.5], id="long_truncates"),
    _c(lambda m, x: x.int(), [-1.7, 2.5], id="int"),
    _c(lambda m, x: x.bool(), [-1.7, 0.0, NAN], id="bool"),
    _c(lambda m, x: x.to(m.float64), [1, 2], np.int64, id="to_dtype"),
    _c(lambda m, x: x.to(dtype=m.int32), [1.5, 2.5], id="to_dtype_keyword"),
    _c(lambda m, x: x.type_as(m.tensor([1])), [1.5], id="type_as"),
    _c(lambda m, x: x.float() / 2, [1, 3], np.int64, id="long_float_div"),
    _c(lambda m, x: x / 2, [1, 3], np.int64, id="int_true_division"),
    _c(lambda m, x: x / x, [1, 3], np.int32, id="int_tensor_division"),
    _c(lambda m, x: x**2, [1, 3], np.int64, id="int_pow_int"),
    _c(lambda m, x: x**0.5, [1, 4], np.int64, id="int_pow_float"),
    _c(lambda m, x: 2**x, [1, 3], np.int64, id="int_rpow_int"),
    _c(lambda m, x: -x, [1, 3], np.int64, id="int_neg"),
    _c(lambda m, x: abs(x), [-1, 3], np.int32, id="int_abs"),
    _c(lambda m, x: x.exp(), [0, 1], np.int64, id="int_exp_is_float"),
    _c(lambda m, x: x.sqrt(), [0, 4], np.int64, id="int_sqrt_is_float"),
    _c(lambda m, x: x.clamp(0, 2), [-1, 3], np.int64, id="int_clamp"),
    _c(lambda m, x: x.clamp(0.5, 2.5), [-1, 3], np.int64, id="int_clamp_float_bounds"),
    _c(lambda m, x: x.relu(), [-1, 3], np.int64, id="int_relu"),
    _c(lambda m, x: m.maximum(x, m.tensor([0, 5])), [-1, 3], np.int64, id="int_maximum"),
    _c(lambda m, x: m.where(x > 0, x, 0), [-1, 3], np.int64, id="int_where_scalar"),
    _c(lambda m, x: m.where(x > 0, x, 0.5), [-1, 3], np.int64, id="int_where_float_scalar"),
    _c(lambda m, x: x.masked_fill(x > 0, 9), [-1, 3], np.int64, id="int_masked_fill"),
    _c(lambda m, x: x.masked_fill(x > 0, 0.5), [-1.0, 3.0], id="masked_fill"),
    _c(lambda m, x: x.masked_fill(x > 0, 0.5), [-1, 3], np.int64,
       id="int_masked_fill_float_value"),
    _c(lambda m, x: x.masked_fill(x > 0, 2.5), [-1.0, 3.0], np.float32,
       id="float32_masked_fill"),
]


@pytest.mark.parametrize("fn, values, dtype", CASTS)
def test_casts_and_integer_arithmetic_match_torch(fn, values, dtype):
    same_call(fn, values, dtype)


def _nn(m):
    """Where each library keeps its activations."""
    return TF if m is torch else minigrad


KEYWORDS = [
    _c(lambda m, x: m.transpose(x, dim0=0, dim1=2), id="transpose"),
    _c(lambda m, x: m.cat(tensors=[x, x], dim=0), id="cat"),
    _c(lambda m, x: m.stack(tensors=[x, x], dim=1), id="stack"),
    _c(lambda m, x: m.split(x, split_size_or_sections=2, dim=1), id="split"),
    _c(lambda m, x: x.split(split_size=2, dim=1), id="split_method"),
    _c(lambda m, x: m.chunk(x, chunks=2, dim=1), id="chunk"),
    _c(lambda m, x: m.squeeze(x[:1], dim=0), id="squeeze"),
    _c(lambda m, x: m.unsqueeze(x, dim=1), id="unsqueeze"),
    _c(lambda m, x: m.flatten(input=x, start_dim=1), id="flatten"),
    _c(lambda m, x: m.unbind(input=x, dim=1), id="unbind"),
    _c(lambda m, x: m.reshape(x, shape=(4, -1)), id="reshape"),
    _c(lambda m, x: x.reshape(shape=(4, 6)), id="reshape_method"),
    _c(lambda m, x: x.view(size=(4, 6)), id="view_method"),
    _c(lambda m, x: m.permute(x, dims=(2, 0, 1)), id="permute"),
    _c(lambda m, x: x.permute(dims=(2, 0, 1)), id="permute_method"),
    _c(lambda m, x: x[:, :1].expand(size=(2, 3, 4)), id="expand_method"),
    _c(lambda m, x: m.broadcast_to(input=x[0, 0], size=(2, 4)), id="broadcast_to"),
    _c(lambda m, x: x[0].expand_as(other=x), id="expand_as"),
    _c(lambda m, x: PAD[m](input=x, pad=(1, 1), mode="constant", value=0.5), id="pad"),
    _c(lambda m, x: m.clamp(input=x, min=0.5, max=1.0), id="clamp"),
    _c(lambda m, x: m.clip(input=x, min=0.1, max=0.2), id="clip"),
    _c(lambda m, x: m.where(condition=x > 1, input=x, other=0.0), id="where"),
    _c(lambda m, x: x.masked_fill(mask=x > 1, value=0.0), id="masked_fill"),
    _c(lambda m, x: m.add(x, x, alpha=2), id="add_alpha"),
    _c(lambda m, x: m.sub(input=x, other=x, alpha=0.5), id="sub_alpha"),
    _c(lambda m, x: m.mul(input=x, other=2.0), id="mul"),
    _c(lambda m, x: m.div(input=x, other=2.0), id="div"),
    _c(lambda m, x: m.pow(input=x, exponent=2), id="pow"),
    _c(lambda m, x: m.maximum(input=x, other=x * 0.5), id="maximum"),
    _c(lambda m, x: m.matmul(input=x, other=x.mT), id="matmul"),
    _c(lambda m, x: m.eq(input=x, other=x), id="eq"),
    _c(lambda m, x: m.logical_and(input=x > 0, other=x < 1), id="logical_and"),
    _c(lambda m, x: m.sum(input=x, dim=1, keepdim=True), id="sum"),
    _c(lambda m, x: m.mean(input=x, dim=(0, 2)), id="mean"),
    _c(lambda m, x: m.var(input=x, dim=1, correction=0, keepdim=True), id="var"),
    _c(lambda m, x: m.std(input=x, dim=1, unbiased=False), id="std"),
    _c(lambda m, x: m.max(input=x, dim=1, keepdim=True), id="max"),
    _c(lambda m, x: m.min(input=x, dim=0), id="min"),
    _c(lambda m, x: m.amax(input=x, dim=(0, 1), keepdim=True), id="amax"),
    _c(lambda m, x: m.amin(input=x, dim=0), id="amin"),
    _c(lambda m, x: m.argmax(input=x, dim=1, keepdim=True), id="argmax"),
    _c(lambda m, x: m.argmin(input=x, dim=0), id="argmin"),
    _c(lambda m, x: m.logsumexp(input=x, dim=1, keepdim=True), id="logsumexp"),
    _c(lambda m, x: m.softmax(input=x, dim=1), id="softmax"),
    _c(lambda m, x: m.log_softmax(input=x, dim=0), id="log_softmax"),
    _c(lambda m, x: m.norm(input=x, p=1, dim=1, keepdim=True), id="norm"),
    _c(lambda m, x: m.all(input=x > 0, dim=1), id="all"),
    _c(lambda m, x: _nn(m).leaky_relu(input=x, negative_slope=0.2), id="leaky_relu"),
    _c(lambda m, x: _nn(m).elu(input=x, alpha=0.2), id="elu"),
    _c(lambda m, x: _nn(m).softplus(input=x, beta=2, threshold=10), id="softplus"),
    _c(lambda m, x: m.relu(input=x), id="relu"),
    _c(lambda m, x: m.sigmoid(input=x), id="sigmoid"),
    _c(lambda m, x: m.exp(input=x), id="exp"),
    _c(lambda m, x: m.rsqrt(input=x), id="rsqrt"),
    _c(lambda m, x: x.to(dtype=m.float32), id="to"),
    _c(lambda m, x: x.type_as(other=x), id="type_as"),
    _c(lambda m, x: m.tensor(data=[1.0], dtype=m.float64), id="tensor"),
    _c(lambda m, x: m.full(size=(2,), fill_value=3.0), id="full"),
    _c(lambda m, x: m.full_like(input=x, fill_value=2.0), id="full_like"),
    _c(lambda m, x: m.zeros_like(input=x), id="zeros_like"),
    _c(lambda m, x: m.zeros(size=(2, 3)), id="zeros"),
    _c(lambda m, x: m.ones(size=(2, 3), dtype=m.int64), id="ones"),
    _c(lambda m, x: m.arange(start=0, end=3, step=1), id="arange"),
    _c(lambda m, x: m.linspace(start=0, end=1, steps=3), id="linspace"),
    _c(lambda m, x: m.eye(n=2, m=3), id="eye"),
    _c(lambda m, x: m.randint(low=0, high=3, size=(2,)).shape, id="randint"),
    _c(lambda m, x: tuple(m.randn(size=(2,)).shape), id="randn"),
]


@pytest.mark.parametrize("fn, values, dtype", KEYWORDS)
def test_keyword_argument_names_match_torch(fn, values, dtype):
    same_call(fn, values, dtype)


# =========================================================================== part 3
# What PyTorch rejects, minigrad rejects (never a silent broadcast or a wrong shape).


def _ones(m, *shape):
    return m.ones(*shape, dtype=m.float64)


REJECTIONS = [
    pytest.param(lambda m: m.cat([_ones(m, 2, 3), _ones(m, 2, 4)]), id="cat_shapes"),
    pytest.param(lambda m: m.cat([_ones(m, 2, 3), _ones(m, 3)]), id="cat_ranks"),
    pytest.param(lambda m: m.cat([_ones(m, 2, 3), _ones(m, 2, 3)], 2), id="cat_dim_range"),
    pytest.param(lambda m: m.cat([]), id="cat_nothing"),
    pytest.param(lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]), id="cat_0d"),
    pytest.param(lambda m: m.stack([_ones(m, 2, 3), _ones(m, 3, 2)]), id="stack_shapes"),
    pytest.param(lambda m: m.stack([_ones(m, 2), _ones(m, 2)], 2), id="stack_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3) @ _ones(m, 4, 5), id="matmul_inner"),
    pytest.param(lambda m: _ones(m, 3) @ _ones(m, 4), id="matmul_vectors"),
    pytest.param(lambda m: _ones(m, 2, 3) @ _ones(m, 4), id="matmul_matrix_vector"),
    pytest.param(lambda m: _ones(m, 2, 3, 4) @ _ones(m, 3, 4, 5), id="matmul_batch"),
    pytest.param(lambda m: m.tensor(2.0) @ _ones(m, 2), id="matmul_0d"),
    pytest.param(lambda m: _ones(m, 2, 3).transpose(0, 1).view(-1), id="view_non_contiguous"),
    pytest.param(lambda m: _ones(m, 2, 3, 4).permute(2, 0, 1).view(8, 3),
                 id="view_non_contiguous_permuted"),
    pytest.param(lambda m: _ones(m, 2, 3).view(4), id="view_size"),
    pytest.param(lambda m: _ones(m, 2, 3).reshape(4, -1), id="reshape_size"),
    pytest.param(lambda m: _ones(m, 2, 3).reshape(-1, -1), id="reshape_two_minus_one"),
    pytest.param(lambda m: _ones(m, 2, 3).reshape(-2, 3), id="reshape_negative_size"),
    pytest.param(lambda m: _ones(m, 2, 3).expand(4, 3), id="expand_non_one"),
    pytest.param(lambda m: _ones(m, 2, 3).expand(3), id="expand_fewer_dims"),
    pytest.param(lambda m: _ones(m, 3).expand(-1, 3), id="expand_new_dim_minus_one"),
    pytest.param(lambda m: _ones(m, 2, 1).expand_as(_ones(m, 3, 4)), id="expand_as"),
    pytest.param(lambda m: _ones(m, 2, 3).broadcast_to((3, 3)), id="broadcast_to"),
    pytest.param(lambda m: _ones(m, 2, 3) + _ones(m, 4), id="add_shapes"),
    pytest.param(lambda m: _ones(m, 2, 3) * _ones(m, 3, 2), id="mul_shapes"),
    pytest.param(lambda m: _ones(m, 2, 3) / _ones(m, 2), id="div_shapes"),
    pytest.param(lambda m: _ones(m, 3) ** _ones(m, 2), id="pow_shapes"),
    pytest.param(lambda m: _ones(m, 3) == _ones(m, 2), id="eq_shapes"),
    pytest.param(lambda m: m.maximum(_ones(m, 2, 3), _ones(m, 2)), id="maximum_shapes"),
    pytest.param(lambda m: m.where(_ones(m, 3) > 0, _ones(m, 2), 0.0), id="where_shapes"),
    pytest.param(lambda m: _ones(m, 5).split([2, 2]), id="split_sizes"),
    pytest.param(lambda m: _ones(m, 5).chunk(0), id="chunk_zero"),
    pytest.param(lambda m: _ones(m, 2).squeeze(1), id="squeeze_dim_range"),
    pytest.param(lambda m: _ones(m, 2).unsqueeze(2), id="unsqueeze_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3).transpose(0, 2), id="transpose_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3).permute(0, 0), id="permute_repeated"),
    pytest.param(lambda m: _ones(m, 2, 3).permute(0), id="permute_too_few"),
    pytest.param(lambda m: _ones(m, 2, 3).flatten(1, 0), id="flatten_start_after_end"),
    pytest.param(lambda m: _ones(m, 2, 3).sum(2), id="sum_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3).sum((0, 0)), id="sum_dim_repeated"),
    pytest.param(lambda m: _ones(m, 2, 3).max(2), id="max_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3).softmax(2), id="softmax_dim_range"),
    pytest.param(lambda m: _ones(m, 2, 3).argmax(-3), id="argmax_dim_range"),
    pytest.param(lambda m: _ones(m, 0).max(), id="max_of_empty"),
    pytest.param(lambda m: _ones(m, 0, 2).amax(0), id="amax_over_empty_dim"),
    pytest.param(lambda m: _ones(m, 0).argmax(), id="argmax_of_empty"),
    pytest.param(lambda m: _ones(m, 3)[3], id="index_out_of_range"),
    pytest.param(lambda m: _ones(m, 3)[-4], id="index_negative_out_of_range"),
    pytest.param(lambda m: _ones(m, 3)[m.tensor([0, 3])], id="index_tensor_out_of_range"),
    pytest.param(lambda m: _ones(m, 3)[0, 0], id="index_too_many"),
    pytest.param(lambda m: _ones(m, 3)[m.tensor([True, False])], id="index_mask_shape"),
    pytest.param(lambda m: _ones(m, 3)[1.0], id="index_float"),
    pytest.param(lambda m: _ones(m, 3)[m.tensor([1.0])], id="index_float_tensor"),
    pytest.param(lambda m: _ones(m, 3).__setitem__(slice(0, 2), _ones(m, 3)),
                 id="setitem_shape"),
    pytest.param(lambda m: PAD[m](_ones(m, 2), (1, 1, 1, 1)), id="pad_too_many_dims"),
    pytest.param(lambda m: PAD[m](_ones(m, 2), (1,)), id="pad_odd_length"),
    pytest.param(lambda m: _ones(m, 2).item(), id="item_of_two"),
    pytest.param(lambda m: bool(_ones(m, 2)), id="bool_of_two"),
    pytest.param(lambda m: len(m.tensor(1.0)), id="len_of_0d"),
    pytest.param(lambda m: iter(m.tensor(1.0)), id="iter_of_0d"),
    pytest.param(lambda m: m.tensor([1, 2], requires_grad=True), id="int_requires_grad"),
    pytest.param(lambda m: m.tensor([[1, 2], [3]]), id="ragged_list"),
    pytest.param(lambda m: (_ones(m, 2).requires_grad_() * 2).backward(),
                 id="backward_non_scalar_without_gradient"),
    pytest.param(lambda m: _ones(m, 2).requires_grad_().add_(1.0), id="inplace_on_grad_leaf"),
    pytest.param(lambda m: m.tensor([1, 2]).add_(0.5), id="inplace_int_plus_float"),
    pytest.param(lambda m: _ones(m, 3).add_(_ones(m, 2, 3)), id="inplace_would_broadcast"),
    pytest.param(lambda m: _ones(m, 3).copy_(_ones(m, 2)), id="copy_shapes"),
    pytest.param(lambda m: m.arange(0, 5, 0), id="arange_zero_step"),
    pytest.param(lambda m: m.linspace(0, 1, -1), id="linspace_negative_steps"),
    pytest.param(lambda m: m.randint(5, 5, (2,)), id="randint_empty_range"),
    pytest.param(lambda m: m.zeros(-1), id="zeros_negative_size"),
    pytest.param(lambda m: m.tensor([1.0, 2.0]).mean(5), id="mean_dim_range"),
    pytest.param(lambda m: m.tensor([1, 2]) ** -1, id="int_to_negative_int_power"),
]


@pytest.mark.parametrize("fn", REJECTIONS)
def test_minigrad_rejects_what_torch_rejects(fn):
    with pytest.raises(REJECTED):
        fn(torch)
    with pytest.raises(REJECTED):
        fn(minigrad)


def test_gradient_dtype_follows_each_input_as_torch():
    results = {}
    for m in (minigrad, torch):
        x = wrap(m, [1.0, 2.0], np.float32).requires_grad_(True)
        y = wrap(m, [3.0, 4.0], np.float64).requires_grad_(True)
        z = x * y
        z.sum().backward()
        results[m] = (z, x.grad, y.grad)
    for ours, theirs in zip(results[minigrad], results[torch]):
        assert_same(ours.detach(), theirs.detach())


@pytest.mark.parametrize("library", ["minigrad", "torch"])
def test_data_updates_behave_as_in_torch(library):
    # p.data is a detached tensor on p's memory; changing it is not counted on p, so a
    # graph that saved p backpropagates through the new values without complaint
    lib = minigrad if library == "minigrad" else torch
    p = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    loss = (p * p).sum()
    p.data.mul_(3.0)
    loss.backward()
    data = p.data
    result = (p._version, data.requires_grad, data.grad_fn is None, p.grad.tolist())
    assert result == (0, False, True, [6.0, 12.0])
