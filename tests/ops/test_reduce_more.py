"""Sorting, scans, products and matrix products beyond the op table (minigrad/ops/sorting.py,
reduce.py, linalg.py): result types, index dtypes, gradients at the chosen positions and the
errors naming the values at fault. Parity with PyTorch is in
tests/parity/test_torch_parity_reduce_more.py."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.testing import gradcheck, gradgradcheck

# --------------------------------------------------------------------------- item 1: sorting


def test_sort_returns_values_and_int64_indices_as_a_named_pair():
    x = minigrad.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    result = x.sort()
    values, indices = result
    assert values is result.values and indices is result.indices
    assert indices.dtype == minigrad.int64
    np.testing.assert_array_equal(values.numpy(), [[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]])
    np.testing.assert_array_equal(indices.numpy(), [[1, 2, 0], [2, 0, 1]])
    np.testing.assert_array_equal(np.take_along_axis(x.numpy(), indices.numpy(), 1), values.numpy())


def test_sort_keeps_ties_in_order_and_puts_nan_last_ascending_first_descending():
    x = minigrad.tensor([1.0, float("nan"), 1.0, 0.0, 1.0])
    up = minigrad.sort(x, stable=True)
    assert up.indices.tolist() == [3, 0, 2, 4, 1]
    down = minigrad.sort(x, descending=True, stable=True)
    assert down.indices.tolist() == [1, 0, 2, 4, 3]
    assert np.isnan(down.values.numpy()[0])
    assert minigrad.argsort(x, descending=True).tolist() == [1, 0, 2, 4, 3]


def test_sort_gradient_goes_back_to_where_each_value_came_from():
    x = minigrad.tensor([2.0, -1.0, 4.0], requires_grad=True)
    values = x.sort(descending=True).values
    (values * minigrad.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [10.0, 100.0, 1.0]


def test_topk_and_kthvalue_gradients_reach_only_the_chosen_elements():
    data = np.random.default_rng(0).permutation(12).reshape(3, 4).astype(np.float64)
    x = minigrad.tensor(data, requires_grad=True)
    assert gradcheck(lambda t: t.topk(2, dim=0, largest=False).values, (x,))
    assert gradcheck(lambda t: t.kthvalue(3, dim=1, keepdim=True).values, (x,))
    x.topk(2).values.sum().backward()
    expected = (data >= np.sort(data, axis=1)[:, [2]]).astype(np.float64)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_msort_sorts_the_first_dimension():
    x = minigrad.tensor([[3.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(x.msort().numpy(), [[1.0, 0.0], [3.0, 2.0]])


def test_integer_and_bool_inputs_keep_their_dtype_and_have_no_gradient():
    values, indices = minigrad.tensor([3, 1, 2]).sort()
    assert values.dtype == minigrad.int64 and values.tolist() == [1, 2, 3]
    assert indices.tolist() == [1, 2, 0]
    flags = minigrad.tensor([True, False, True]).sort(descending=True)
    assert flags.values.dtype == minigrad.bool and flags.indices.tolist() == [0, 2, 1]
    assert not values.requires_grad


def test_zero_dim_inputs_are_one_element():
    x = minigrad.tensor(2.5)
    assert x.sort().values.item() == 2.5 and x.sort().indices.shape == ()
    assert x.topk(0).values.item() == 2.5  # as PyTorch
    assert x.kthvalue(1).indices.item() == 0
    assert x.argsort(0).item() == 0


def test_k_out_of_range_names_k_and_the_size():
    x = minigrad.zeros(2, 5)
    with pytest.raises(RuntimeError, match=r"k=6.*size 5"):
        x.topk(6)
    with pytest.raises(RuntimeError, match=r"k=-1.*size 5"):
        x.topk(-1)
    with pytest.raises(RuntimeError, match=r"k=0.*size 2.*\[1, 2\]"):
        x.kthvalue(0, dim=0)
    with pytest.raises(TypeError, match="k must be an int"):
        x.topk(2.0)
    with pytest.raises(IndexError, match=r"sort: dimension 2"):
        x.sort(dim=2)


def test_cummax_and_cummin_give_the_latest_tied_position_and_add_up_gradients():
    x = minigrad.tensor([1.0, 3.0, 2.0, 3.0, 0.0], requires_grad=True)
    values, indices = x.cummax(0)
    assert values.tolist() == [1.0, 3.0, 3.0, 3.0, 3.0]
    assert indices.tolist() == [0, 1, 1, 3, 3] and indices.dtype == minigrad.int64
    (values * minigrad.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 5.0, 0.0, 9.0, 0.0]  # repeated indices add up
    low = minigrad.cummin(minigrad.tensor([2.0, float("nan"), 0.0, float("nan")]), 0)
    assert low.indices.tolist() == [0, 1, 1, 3]  # NaN propagates, the latest NaN wins


# --------------------------------------------------------------------------- item 2: scans


def test_cumsum_and_cumprod_keep_the_shape_and_give_int64_for_integers():
    x = minigrad.tensor([[1, 2, 3], [4, 5, 6]], dtype=minigrad.int32)
    assert x.cumsum(1).tolist() == [[1, 3, 6], [4, 9, 15]]
    assert x.cumprod(0).tolist() == [[1, 2, 3], [4, 10, 18]]
    assert x.cumsum(0).dtype == minigrad.int64 and x.cumprod(1).dtype == minigrad.int64
    assert x.prod().dtype == minigrad.int64 and x.prod().item() == 720
    assert x.cumsum(1, dtype=minigrad.float64).dtype == minigrad.float64
    assert minigrad.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    scalar = minigrad.tensor(2.5)
    assert scalar.cumsum(0).item() == 2.5 and scalar.cumprod(-1).shape == ()


# Inputs with zeros: one, two, at the start, at the end, in every slice or only some.
ZEROS = [
    [1.5, 0.0, 2.0, -1.0, 0.0, 3.0],
    [0.0, 2.0, -3.0, 0.5],
    [2.0, -0.5, 3.0, 0.0],
    [[0.0, 2.0, 3.0], [1.0, 0.5, -2.0]],
    [[0.0, 0.0, 3.0], [1.0, 0.0, -2.0]],
]


@pytest.mark.parametrize("values", ZEROS, ids=str)
def test_cumprod_gradients_are_exact_with_zeros(values):
    x = minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
    for dim in range(x.ndim):
        assert gradcheck(lambda t, dim=dim: t.cumprod(dim), (x,))
        assert gradgradcheck(lambda t, dim=dim: t.cumprod(dim), (x,))


@pytest.mark.parametrize("values", ZEROS, ids=str)
def test_prod_gradients_are_exact_with_one_zero_and_with_two(values):
    x = minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(lambda t: t.prod(), (x,))
    assert gradgradcheck(lambda t: t.prod(), (x,))
    for dim in range(x.ndim):
        for keepdim in (False, True):
            assert gradcheck(lambda t, dim=dim, keepdim=keepdim: t.prod(dim, keepdim), (x,))
            assert gradgradcheck(lambda t, dim=dim, keepdim=keepdim: t.prod(dim, keepdim), (x,))


def test_prod_gradient_at_a_single_zero_is_the_product_of_the_others():
    x = minigrad.tensor([2.0, 0.0, 3.0, 5.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 30.0, 0.0, 0.0]
    y = minigrad.tensor([2.0, 0.0, 3.0, 0.0], requires_grad=True)
    y.prod().backward()
    assert y.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_prod_takes_one_dim_as_pytorch():
    x = minigrad.ones(2, 3)
    assert x.prod(1).shape == (2,) and x.prod(-1, keepdim=True).shape == (2, 1)
    with pytest.raises(TypeError, match=r"prod: dim must be one int.*\(0, 1\)"):
        x.prod((0, 1))
    with pytest.raises(IndexError, match="cumsum: dimension 2"):
        x.cumsum(2)


# --------------------------------------------------------------------------- item 3: products


@pytest.mark.parametrize("call, match", [
    (lambda: minigrad.mm(minigrad.zeros(2, 3), minigrad.zeros(4, 5)), r"\(2, 3\).*\(4, 5\)"),
    (lambda: minigrad.mm(minigrad.zeros(2, 3), minigrad.zeros(3)), r"mat2 must be a 2-D.*\(3,\)"),
    (lambda: minigrad.bmm(minigrad.zeros(2, 3), minigrad.zeros(3, 4)), r"input must be a 3-D"),
    (lambda: minigrad.bmm(minigrad.zeros(2, 2, 3), minigrad.zeros(3, 3, 4)),
     r"batch sizes \(2 != 3\)"),
    (lambda: minigrad.bmm(minigrad.zeros(2, 2, 3), minigrad.zeros(2, 4, 4)), r"\(3 != 4\)"),
    (lambda: minigrad.mv(minigrad.zeros(2, 3), minigrad.zeros(4)), r"\(2, 3\).*\(4,\)"),
    (lambda: minigrad.dot(minigrad.zeros(3), minigrad.zeros(4)), r"\(3,\).*\(4,\)"),
    (lambda: minigrad.dot(minigrad.zeros(3, 1), minigrad.zeros(3)), r"input must be a 1-D"),
    (lambda: minigrad.outer(minigrad.zeros(3, 1), minigrad.zeros(3)), r"input must be a 1-D"),
    (lambda: minigrad.addmm(minigrad.zeros(3, 4), minigrad.zeros(2, 3), minigrad.zeros(3, 4)),
     r"input of shape \(3, 4\) cannot be broadcast.*\(2, 4\)"),
    (lambda: minigrad.cross(minigrad.zeros(4, 2), minigrad.zeros(4, 2), dim=1),
     r"dimension 1 must have size 3.*\(4, 2\)"),
])
def test_products_refuse_bad_shapes_naming_them(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_products_refuse_mixed_dtypes_as_pytorch_but_outer_promotes():
    a32, a64 = minigrad.zeros(3), minigrad.zeros(3, dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="input float32, other float64"):
        minigrad.dot(a32, a64)
    with pytest.raises(RuntimeError, match="same dtype"):
        minigrad.mm(minigrad.zeros(2, 3), minigrad.zeros(3, 2, dtype=minigrad.float64))
    assert minigrad.outer(a32, a64).dtype == minigrad.float64


def test_addmm_with_beta_zero_ignores_nan_in_input_but_gives_it_a_zero_gradient():
    bias = minigrad.full((2, 2), float("nan"), requires_grad=True)
    a = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = minigrad.addmm(bias, a, a, beta=0, alpha=2)
    np.testing.assert_array_equal(out.detach().numpy(), 2 * (a._array @ a._array))
    out.sum().backward()
    np.testing.assert_array_equal(bias.grad.numpy(), np.zeros((2, 2)))


def test_cross_without_dim_takes_the_first_size_3_dimension_with_a_warning():
    a = minigrad.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = minigrad.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.warns(UserWarning, match="dim"):
        out = minigrad.cross(a, b)
    np.testing.assert_array_equal(out.numpy(), np.cross(a.numpy(), b.numpy(), axis=0))
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="no dimension of size 3"):
        minigrad.cross(minigrad.zeros(4, 2), minigrad.zeros(4, 2))


def test_cross_gradients_are_cross_products_in_every_order():
    rng = np.random.default_rng(3)
    a = minigrad.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal((1, 3)), requires_grad=True)
    assert gradcheck(lambda x, y: minigrad.cross(x, y, dim=-1), (a, b))
    assert gradgradcheck(lambda x, y: minigrad.cross(x, y, dim=1), (a, b))


# --------------------------------------------------------------------------- item 4: einsum


@pytest.mark.parametrize("equation, shapes, match", [
    ("ij,jk->ik", [(2, 3)], r"names 2 operand\(s\), but 1"),
    ("i1", [(2, 3)], r"invalid subscript '1'"),
    ("ij->ji", [(2,)], r"1 dimension\(s\) \(shape \(2,\)\).*'ij' name 2.*no '\.\.\.'"),
    ("ij,jk->ik", [(2, 3), (4, 5)], r"subscript j has size 4 for operand 1.*size 3"),
    ("ii->i", [(3, 4)], r"subscript i is repeated for operand 0.*3 != 4"),
    ("ij->ii", [(2, 3)], r"output subscript i appears more than once"),
    ("ij->ik", [(2, 3)], r"output subscript k does not appear"),
    ("i->->i", [(2,)], r"more than one '->'"),
])
def test_einsum_errors_name_the_subscripts_and_shapes(equation, shapes, match):
    with pytest.raises(RuntimeError, match=match):
        minigrad.einsum(equation, *[minigrad.zeros(*s) for s in shapes])


def test_einsum_takes_a_list_spaces_and_orders_the_implicit_output_alphabetically():
    a, b = minigrad.ones(2, 3), minigrad.ones(2, 4)
    assert minigrad.einsum("ba,bA", [a, b]).shape == (4, 3)  # capitals first
    assert minigrad.einsum(" b a , b c -> c a ", a, b).shape == (4, 3)
    assert minigrad.einsum("...i", minigrad.ones(3, 4, 5)).shape == (3, 4, 5)
    assert minigrad.einsum("ii", minigrad.eye(3)).item() == 3.0


def test_einsum_results_never_share_memory_with_an_operand():
    x = minigrad.arange(6.0).reshape(2, 3)
    for equation in ("ij->ji", "ij->ij", "ii->i"):
        operand = x if equation != "ii->i" else minigrad.eye(3)
        out = minigrad.einsum(equation, operand)
        assert not np.shares_memory(out.numpy(), operand.numpy()), equation


def test_einsum_gradient_of_a_diagonal_lands_on_the_diagonal():
    x = minigrad.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    (minigrad.einsum("ii->i", x) * minigrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.diag([1.0, 2.0, 3.0]))
    y = minigrad.tensor(np.ones((2, 3)), requires_grad=True)
    minigrad.einsum("ij->", y).backward()  # summed alone: the gradient spreads
    np.testing.assert_array_equal(y.grad.numpy(), np.ones((2, 3)))
