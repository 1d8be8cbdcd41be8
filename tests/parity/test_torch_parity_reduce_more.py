"""Parity of sorting, scans, products and matrix products (minigrad/ops/sorting.py,
reduce.py, linalg.py) with PyTorch: values, indices, dtypes, float64 gradients and the
errors for bad arguments. The op-table records are compared in test_torch_parity_ops.py."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402

RNG = np.random.default_rng(13)


def _pair(values):
    """The same float64 values as a minigrad and a torch leaf requiring grad."""
    values = np.asarray(values, dtype=np.float64)
    return (minigrad.tensor(values, requires_grad=True),
            torch.tensor(values, requires_grad=True))


def _same(ours, theirs, rtol=1e-12):
    assert ours.shape == tuple(theirs.shape)
    assert ours._array.dtype == theirs.detach().numpy().dtype
    np.testing.assert_allclose(np.asarray(ours.detach()), theirs.detach().numpy(),
                               rtol=rtol, atol=0)


def _backward_same(ours, theirs, inputs, rtol=1e-12):
    """One random upstream gradient through both; every input's gradient agrees."""
    upstream = RNG.standard_normal(tuple(theirs.shape))
    ours.backward(minigrad.tensor(upstream))
    theirs.backward(torch.from_numpy(upstream))
    for a, b in inputs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=1e-14)


def _raises_both(ours, theirs, error, match):
    with pytest.raises(error, match=match):
        ours()
    with pytest.raises(Exception):  # noqa: B017 - torch's own wording differs
        theirs()


# --------------------------------------------------------------------------- item 1: sorting

# Ties and NaN: only stable=True fixes torch's order of equal elements.
TIED = [[2.0, float("nan"), 1.0, 2.0, -3.0, 1.0], [0.0, 0.0, 5.0, -1.0, 5.0, 0.0]]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_stable_sort_and_argsort_match_torch_with_ties_and_nan(dim, descending):
    a, b = _pair(TIED)
    ours = minigrad.sort(a, dim=dim, descending=descending, stable=True)
    theirs = torch.sort(b, dim=dim, descending=descending, stable=True)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)
    _same(a.argsort(dim, descending, stable=True),
          torch.argsort(b, dim=dim, descending=descending, stable=True))
    _backward_same(ours.values, theirs.values, [(a, b)])


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [0, 1, 3, 4])
def test_topk_matches_torch(k, largest):
    a, b = _pair(RNG.permutation(16).reshape(4, 4))
    for dim in (0, 1):
        ours, theirs = a.topk(k, dim, largest), b.topk(k, dim, largest)
        _same(ours.values, theirs.values)
        _same(ours.indices, theirs.indices)
    a.grad = None
    b.grad = None
    _backward_same(ours.values, theirs.values, [(a, b)])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_kthvalue_matches_torch(k, keepdim):
    a, b = _pair(RNG.permutation(15).reshape(3, 5) - 7.0)
    ours, theirs = a.kthvalue(k, 1, keepdim), b.kthvalue(k, 1, keepdim)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)
    _backward_same(ours.values, theirs.values, [(a, b)])


def test_msort_and_zero_dim_inputs_match_torch():
    a, b = _pair(RNG.standard_normal((4, 3)))
    _same(a.msort(), b.msort())
    _backward_same(a.msort(), b.msort(), [(a, b)])
    a, b = _pair(1.5)
    for ours, theirs in [(a.sort(), b.sort()), (a.topk(0), b.topk(0)), (a.topk(1), b.topk(1)),
                         (a.kthvalue(1), b.kthvalue(1))]:
        _same(ours.values, theirs.values)
        _same(ours.indices, theirs.indices)
    _same(a.argsort(), b.argsort())


def test_integer_sort_matches_torch():
    x = np.array([[4, -2, 9], [0, 0, -5]])
    ours = minigrad.tensor(x).sort(0, descending=True)
    theirs = torch.tensor(x).sort(0, descending=True)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


@pytest.mark.parametrize("name, args", [("topk", (6,)), ("topk", (-1,)), ("kthvalue", (0,)),
                                        ("kthvalue", (6,))])
def test_k_out_of_range_is_refused_as_torch(name, args):
    a, b = _pair(np.zeros((2, 5)))
    _raises_both(lambda: getattr(a, name)(*args), lambda: getattr(b, name)(*args),
                 RuntimeError, rf"k={args[0]}.*size 5")
