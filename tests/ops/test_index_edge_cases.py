"""Indexing edge cases: the index tensors an indexing node keeps for backward, and the
0-d views that integer indexing gives.

PyTorch saves the integer and bool tensors of an index (and a ``where`` condition) like
any tensor a backward pass needs: changing one in place before backward raises, and they
are freed after backward. A list or NumPy array index is converted to a tensor of its
own, so changing the caller's array later changes nothing. Each behaviour checked here
is PyTorch's too, where PyTorch accepts the program (its ``where`` takes no NumPy array).
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import minigrad

INPLACE_ERROR = "modified by an in-place operation"
FREED_ERROR = "backward through the graph a second time"


def leaf(values):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


def weights(*values):
    """A non-uniform upstream gradient, so a mis-routed gradient cannot go unseen."""
    return minigrad.tensor(values, dtype=minigrad.float64)


# --------------------------------------------------------------------------- index arrays


@pytest.mark.parametrize("kind", ["numpy", "list"])
def test_a_numpy_or_list_index_is_copied_so_changing_it_later_changes_nothing(kind):
    x = leaf([1.0, 2.0, 3.0])
    rows = np.array([0, 0]) if kind == "numpy" else [0, 0]
    z = x[rows]
    rows[1] = 2
    (z * weights(1.0, 2.0)).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [3.0, 0.0, 0.0])


def test_a_numpy_where_condition_is_copied_so_changing_it_later_changes_nothing():
    x = leaf([1.0, 2.0, 3.0])
    condition = np.array([True, False, True])
    z = minigrad.where(condition, x, 0.0)
    condition[1] = True
    (z * weights(1.0, 2.0, 3.0)).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [1.0, 0.0, 3.0])


def test_index_arrays_are_freed_after_backward():
    x = leaf([1.0, 2.0, 3.0])
    rows = minigrad.tensor([0, 2])
    kept = weakref.ref(rows._array)
    z = x[rows]
    del rows
    z.sum().backward()
    gc.collect()
    assert kept() is None, "the graph still holds the index array after backward"
    assert z.grad_fn is not None  # the graph itself is still there


@pytest.mark.parametrize("needs", ["destination", "values"])
def test_setitem_with_an_index_tensor_changed_in_place_before_backward_raises(needs):
    x, v = leaf([1.0, 2.0, 3.0]), leaf([5.0, 6.0])
    y = x * 1.0
    rows = minigrad.tensor([0, 2])
    y[rows] = v if needs == "values" else v.detach()
    rows[0] = 1
    with pytest.raises(RuntimeError, match=INPLACE_ERROR):
        (y * weights(1.0, 2.0, 3.0)).sum().backward()


def test_second_backward_through_setitem_with_an_index_tensor_raises():
    x = leaf([1.0, 2.0, 3.0])
    y = x + 1.0  # its backward needs nothing: only the index's can be freed
    y[minigrad.tensor([0])] = 0.0
    total = y.sum()
    total.backward()
    with pytest.raises(RuntimeError, match=FREED_ERROR):
        total.backward()


def test_second_backward_through_basic_indexing_needs_nothing_freed():
    x = leaf([1.0, 2.0, 3.0])
    total = x[1].sum() + x[::2].sum() + x[None, 1:].sum()
    total.backward()
    total.backward()
    np.testing.assert_array_equal(x.grad._array, [2.0, 4.0, 4.0])


def test_double_backward_through_an_index_and_the_index_changed_in_between():
    x = leaf([1.0, 2.0, 3.0])
    rows = minigrad.tensor([0, 0, 2])
    z = (x[rows] ** 2).sum()
    (g,) = minigrad.grad(z, x, create_graph=True)  # 2 x at each use: [4, 0, 6]
    np.testing.assert_array_equal(g._array, [4.0, 0.0, 6.0])
    (g * weights(1.0, 2.0, 3.0)).sum().backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad._array, [4.0, 0.0, 6.0])  # d/dx (4 x0 + 6 x2)
    rows[0] = 1  # the backward of g (IndexAdd) kept rows too
    with pytest.raises(RuntimeError, match=INPLACE_ERROR):
        g.sum().backward()


def test_double_backward_through_where_and_a_mask():
    x = leaf([1.0, -2.0, 3.0])
    mask = minigrad.tensor([True, False, True])
    z = (minigrad.where(mask, x, 0.0) ** 2).sum() + (x[mask] ** 3).sum()
    (g,) = minigrad.grad(z, x, create_graph=True)  # 2 x + 3 x^2 where the mask is true
    np.testing.assert_array_equal(g._array, [5.0, 0.0, 33.0])
    (g * weights(1.0, 2.0, 3.0)).sum().backward()  # (2 + 6 x) times the upstream
    np.testing.assert_array_equal(x.grad._array, [8.0, 0.0, 60.0])


def test_a_float_index_tensor_is_refused():
    with pytest.raises(IndexError, match="integer or bool"):
        leaf([1.0, 2.0])[minigrad.tensor([0.0])]
    with pytest.raises(IndexError, match="integer or bool"):
        leaf([[1.0, 2.0]])[0, np.array([1.0])]


# --------------------------------------------------------------------------- 0-d views


def test_an_element_of_a_leaf_is_changed_in_place_under_no_grad():
    w = leaf([1.0, 2.0])
    with minigrad.no_grad():
        w[1].add_(1.0)
        w[-2].mul_(4.0)
    np.testing.assert_array_equal(w._array, [4.0, 3.0])
    assert w._version == 2 and w.is_leaf and w.requires_grad


def test_an_element_shares_memory_and_version_with_its_base():
    m = minigrad.zeros(2, 3, dtype=minigrad.float64)
    e = m[1, 2]
    assert e.shape == () and np.shares_memory(e._array, m._array)
    m[1, 2] = 7.0
    assert e.item() == 7.0 and e._version == m._version == 1


def test_the_gradient_of_an_element_taken_by_integers():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    (x[1, 0] * 3.0 + x[0][1] * 5.0).backward()
    np.testing.assert_array_equal(x.grad._array, [[0.0, 5.0], [3.0, 0.0]])
