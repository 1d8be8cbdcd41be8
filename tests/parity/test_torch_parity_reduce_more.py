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


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_match_torch_with_ties_and_nan(name):
    values = [[3.0, 1.0, 3.0, float("nan"), 2.0, float("nan")], [1.0, 1.0, 0.0, 0.0, 4.0, 4.0]]
    a, b = _pair(values)
    for dim in (0, 1):
        ours, theirs = getattr(minigrad, name)(a, dim), getattr(torch, name)(b, dim)
        _same(ours.values, theirs.values)
        _same(ours.indices, theirs.indices)
    _backward_same(ours.values, theirs.values, [(a, b)])
    ints = np.array([1, 3, 3, 2])
    ours, theirs = getattr(minigrad, name)(minigrad.tensor(ints), 0), getattr(torch, name)(
        torch.tensor(ints), 0)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


# --------------------------------------------------------------------------- item 2: scans

SCAN_INPUTS = [
    [[1.5, -0.5, 2.0], [0.3, 1.2, -1.1]],  # no zeros
    [[1.5, 0.0, 2.0], [0.0, 1.2, 0.0]],  # one zero per slice, and two
    [[0.0, 0.0, 3.0], [-1.0, 2.0, 0.5]],
]


def _second_order_same(function, values):
    """First and second derivatives (create_graph, one random direction each) agree."""
    a, b = _pair(values)
    ours, theirs = function(minigrad, a), function(torch, b)
    _same(ours, theirs)
    upstream = RNG.standard_normal(tuple(theirs.shape))
    u_ours = minigrad.tensor(upstream, requires_grad=True)
    u_theirs = torch.tensor(upstream, requires_grad=True)
    (g_ours,) = minigrad.grad(ours, a, u_ours, create_graph=True)
    (g_theirs,) = torch.autograd.grad(theirs, b, u_theirs, create_graph=True)
    _same(g_ours, g_theirs)
    direction = RNG.standard_normal(tuple(b.shape))
    second_ours = minigrad.grad(g_ours, [a, u_ours], minigrad.tensor(direction),
                                allow_unused=True)
    second_theirs = torch.autograd.grad(g_theirs, [b, u_theirs], torch.from_numpy(direction),
                                        allow_unused=True)
    for x, y in zip(second_ours, second_theirs):
        assert (x is None) == (y is None)
        if y is not None:
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("values", SCAN_INPUTS, ids=["no zeros", "zeros", "two zeros"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_first_and_second_derivatives_match_torch(values, dim):
    _second_order_same(lambda lib, x: lib.cumprod(x, dim), values)


@pytest.mark.parametrize("values", SCAN_INPUTS, ids=["no zeros", "zeros", "two zeros"])
@pytest.mark.parametrize("call", [
    lambda lib, x: lib.prod(x),
    lambda lib, x: lib.prod(x, 0),
    lambda lib, x: lib.prod(x, 1, keepdim=True),
    lambda lib, x: x.reshape(-1).prod(0),
], ids=["all", "dim 0", "dim 1 keepdim", "flat"])
def test_prod_first_and_second_derivatives_match_torch(values, call):
    _second_order_same(call, values)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_matches_torch(dim):
    a, b = _pair(RNG.standard_normal((3, 4)))
    _same(a.cumsum(dim), b.cumsum(dim))
    _backward_same(a.cumsum(dim), b.cumsum(dim), [(a, b)])


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "float32"])
def test_scan_and_product_dtypes_match_torch(dtype):
    values = np.array([[1, 2, 0], [3, 1, 2]]).astype(dtype)
    ours, theirs = minigrad.tensor(values), torch.from_numpy(values)
    pairs = [
        (ours.cumsum(1), theirs.cumsum(1)), (ours.cumprod(0), theirs.cumprod(0)),
        (ours.prod(), theirs.prod()), (ours.prod(1, True), theirs.prod(1, True)),
        (ours.cumsum(0, dtype=minigrad.float64), theirs.cumsum(0, dtype=torch.float64)),
        (ours.prod(dtype=minigrad.float64), theirs.prod(dtype=torch.float64)),
    ]
    for mine, torchs in pairs:
        _same(mine, torchs)


def test_zero_dim_and_empty_scans_match_torch():
    for values in (np.array(2.5), np.zeros((0, 3))):
        ours, theirs = minigrad.tensor(values), torch.from_numpy(values)
        for call in (lambda x: x.cumsum(0), lambda x: x.cumprod(-1), lambda x: x.prod(),
                     lambda x: x.prod(0), lambda x: x.cummax(0).values):
            _same(call(ours), call(theirs))


# --------------------------------------------------------------------------- item 3: products


def _random_pairs(*shapes):
    return [_pair(RNG.standard_normal(shape)) for shape in shapes]


PRODUCTS = {
    "mm": ([(2, 3), (3, 4)], lambda lib, a, b: lib.mm(a, b)),
    "mm method": ([(2, 3), (3, 4)], lambda lib, a, b: a.mm(b)),
    "bmm": ([(2, 2, 3), (2, 3, 4)], lambda lib, a, b: lib.bmm(a, b)),
    "mv": ([(2, 3), (3,)], lambda lib, a, b: lib.mv(a, b)),
    "dot": ([(4,), (4,)], lambda lib, a, b: lib.dot(a, b)),
    "vdot": ([(4,), (4,)], lambda lib, a, b: a.vdot(b)),
    "outer": ([(3,), (2,)], lambda lib, a, b: lib.outer(a, b)),
    "ger": ([(3,), (2,)], lambda lib, a, b: a.ger(b)),
    "addmm": ([(4,), (2, 3), (3, 4)], lambda lib, c, a, b: lib.addmm(c, a, b)),
    "addmm scaled": ([(2, 1), (2, 3), (3, 4)],
                     lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=-2)),
    "addmm beta 0": ([(2, 4), (2, 3), (3, 4)],
                     lambda lib, c, a, b: c.addmm(a, b, beta=0, alpha=3)),
    "addmv": ([(2,), (2, 3), (3,)], lambda lib, c, a, b: lib.addmv(c, a, b, beta=2.0)),
    "baddbmm": ([(1, 2, 4), (3, 2, 3), (3, 3, 4)],
                lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=-1, alpha=0.5)),
    "cross": ([(4, 3), (1, 3)], lambda lib, a, b: lib.cross(a, b, dim=-1)),
    "cross dim 0": ([(3, 2, 1), (3, 2, 5)], lambda lib, a, b: a.cross(b, dim=0)),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
def test_products_match_torch_in_values_and_gradients(name):
    shapes, call = PRODUCTS[name]
    pairs = _random_pairs(*shapes)
    ours = call(minigrad, *[a for a, _ in pairs])
    theirs = call(torch, *[b for _, b in pairs])
    _same(ours, theirs, rtol=1e-10)
    _backward_same(ours, theirs, pairs, rtol=1e-10)


def test_addmm_with_beta_zero_ignores_nan_as_torch():
    c, d = _pair(np.full((2, 2), np.nan))
    (a, b), = _random_pairs((2, 2))
    ours, theirs = minigrad.addmm(c, a, a, beta=0), torch.addmm(d, b, b, beta=0)
    _same(ours, theirs, rtol=1e-10)
    _backward_same(ours, theirs, [(c, d), (a, b)], rtol=1e-10)


def test_cross_without_dim_matches_torch_and_warns_as_torch():
    (a, b), (c, d) = _random_pairs((3, 2), (3, 2))
    with pytest.warns(UserWarning):
        theirs = torch.cross(b, d)
    with pytest.warns(UserWarning):
        ours = minigrad.cross(a, c)
    _same(ours, theirs, rtol=1e-10)


def test_integer_products_match_torch():
    x = np.arange(6).reshape(2, 3)
    ours = minigrad.tensor(x).mm(minigrad.tensor(x.T.copy()))
    _same(ours, torch.tensor(x).mm(torch.tensor(x.T.copy())))
    _same(minigrad.tensor(x[0]).dot(minigrad.tensor(x[1])),
          torch.tensor(x[0]).dot(torch.tensor(x[1])))


@pytest.mark.parametrize("ours, theirs", [
    (lambda: minigrad.mm(minigrad.zeros(2, 3), minigrad.zeros(4, 5)),
     lambda: torch.mm(torch.zeros(2, 3), torch.zeros(4, 5))),
    (lambda: minigrad.bmm(minigrad.zeros(2, 3), minigrad.zeros(3, 4)),
     lambda: torch.bmm(torch.zeros(2, 3), torch.zeros(3, 4))),
    (lambda: minigrad.mv(minigrad.zeros(2, 3), minigrad.zeros(3, 1)),
     lambda: torch.mv(torch.zeros(2, 3), torch.zeros(3, 1))),
    (lambda: minigrad.dot(minigrad.zeros(3), minigrad.zeros(4)),
     lambda: torch.dot(torch.zeros(3), torch.zeros(4))),
    (lambda: minigrad.dot(minigrad.zeros(3), minigrad.zeros(3, dtype=minigrad.float64)),
     lambda: torch.dot(torch.zeros(3), torch.zeros(3, dtype=torch.float64))),
    (lambda: minigrad.addmm(minigrad.zeros(3, 4), minigrad.zeros(2, 3), minigrad.zeros(3, 4)),
     lambda: torch.addmm(torch.zeros(3, 4), torch.zeros(2, 3), torch.zeros(3, 4))),
    (lambda: minigrad.cross(minigrad.zeros(3, 2), minigrad.zeros(3, 2), dim=-1),
     lambda: torch.cross(torch.zeros(3, 2), torch.zeros(3, 2), dim=-1)),
])
def test_product_errors_are_raised_where_torch_raises(ours, theirs):
    with pytest.raises(RuntimeError):
        theirs()
    with pytest.raises(RuntimeError):
        ours()


# --------------------------------------------------------------------------- item 4: einsum

EINSUM = [
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ii->i", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ii", [(3, 3)]),
    ("iji->j", [(2, 3, 2)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba,bA", [(2, 3), (2, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,i->i", [(1,), (3,)]),
    ("...,...->...", [(2, 3), (3,)]),
    ("i...->...", [(3, 4, 5)]),
    ("bhqk,bhkd->bqhd", [(2, 3, 4, 5), (2, 3, 5, 6)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_torch_in_values_and_first_and_second_derivatives(equation, shapes):
    pairs = _random_pairs(*shapes)
    ours = minigrad.einsum(equation, *[a for a, _ in pairs])
    theirs = torch.einsum(equation, *[b for _, b in pairs])
    _same(ours, theirs, rtol=1e-10)
    upstream = RNG.standard_normal(tuple(theirs.shape))
    u_ours = minigrad.tensor(upstream, requires_grad=True)
    u_theirs = torch.tensor(upstream, requires_grad=True)
    g_ours = minigrad.grad(ours, [a for a, _ in pairs], u_ours, create_graph=True)
    g_theirs = torch.autograd.grad(theirs, [b for _, b in pairs], u_theirs, create_graph=True)
    for x, y in zip(g_ours, g_theirs):
        _same(x, y, rtol=1e-10)
    # Second order: the gradients' sum, weighted, differentiated again.
    weights = [RNG.standard_normal(tuple(g.shape)) for g in g_theirs]
    total_ours = sum((g * minigrad.tensor(w)).sum() for g, w in zip(g_ours, weights))
    total_theirs = sum((g * torch.from_numpy(w)).sum() for g, w in zip(g_theirs, weights))
    wrt_ours = [a for a, _ in pairs] + [u_ours]
    wrt_theirs = [b for _, b in pairs] + [u_theirs]
    second_ours = minigrad.grad(total_ours, wrt_ours, allow_unused=True)
    second_theirs = torch.autograd.grad(total_theirs, wrt_theirs, allow_unused=True)
    for x, y in zip(second_ours, second_theirs):
        assert (x is None) == (y is None)
        if y is not None:
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)


def test_einsum_list_form_and_dtypes_match_torch():
    a = np.arange(6.0).reshape(2, 3)
    v = np.array([1.0, 2.0, 3.0])
    ours = minigrad.einsum("ij,j->i", [minigrad.tensor(a), minigrad.tensor(v)])
    theirs = torch.einsum("ij,j->i", [torch.tensor(a), torch.tensor(v)])
    _same(ours, theirs)
    with pytest.raises(RuntimeError):  # torch does not promote here
        torch.einsum("ij,j->i", torch.tensor(a), torch.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError, match="operand 0 float64, operand 1 int64"):
        minigrad.einsum("ij,j->i", minigrad.tensor(a), minigrad.tensor([1, 2, 3]))
    ints = minigrad.einsum("i,i->", minigrad.tensor([1, 2]), minigrad.tensor([3, 4]))
    _same(ints, torch.einsum("i,i->", torch.tensor([1, 2]), torch.tensor([3, 4])))


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3)]), ("i1", [(2, 3)]), ("ij->ji", [(2,)]),
    ("ij,jk->ik", [(2, 3), (4, 5)]), ("ii->i", [(3, 4)]), ("ij->ii", [(2, 3)]),
    ("ij->ik", [(2, 3)]),
])
def test_einsum_errors_where_torch_errors(equation, shapes):
    with pytest.raises(RuntimeError):
        torch.einsum(equation, *[torch.zeros(s) for s in shapes])
    with pytest.raises(RuntimeError):
        minigrad.einsum(equation, *[minigrad.zeros(*s) for s in shapes])
