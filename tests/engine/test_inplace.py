"""In-place operations and the version counter that guards saved tensors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad


def leaf(values):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


def test_modifying_a_saved_output_makes_backward_raise():
    x = leaf([1.0, 2.0])
    y = x.exp()  # exp saves its output
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*version 1"):
        y.sum().backward()


def test_modifying_a_saved_input_through_a_view_makes_backward_raise():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    a = x * 1.0
    b = a * a  # saves a
    view = a[0]  # a view sharing a's memory and version counter
    with minigrad.no_grad():
        view.mul_(2.0)
    with pytest.raises(RuntimeError, match="in-place"):
        b.sum().backward()


def test_every_inplace_op_bumps_the_version():
    t = minigrad.zeros(3, dtype=minigrad.float64)
    operations = [
        lambda: t.add_(1.0),
        lambda: t.sub_(1.0),
        lambda: t.mul_(2.0),
        lambda: t.div_(2.0),
        lambda: t.clamp_(min=0.0),
        lambda: t.fill_(3.0),
        lambda: t.zero_(),
        lambda: t.copy_(minigrad.ones(3, dtype=minigrad.float64)),
        lambda: t.__setitem__(0, 5.0),
        lambda: t.__iadd__(1.0),
    ]
    for number, operation in enumerate(operations, start=1):
        operation()
        assert t._version == number


def test_inplace_values():
    t = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)
    t.add_(minigrad.tensor([1.0, 1.0, 1.0], dtype=minigrad.float64), alpha=2.0)
    t.mul_(0.5)
    t[1] = -1.0
    t -= 1.0
    np.testing.assert_array_equal(t._array, [0.5, -2.0, 1.5])
    t.copy_(minigrad.tensor([7.0]))  # broadcast, and cast from float32
    np.testing.assert_array_equal(t._array, [7.0, 7.0, 7.0])


def test_inplace_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf.*no_grad"):
        w.mul_(2.0)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0] = 3.0
    with minigrad.no_grad():
        w -= 0.5 * minigrad.ones(2, dtype=minigrad.float64)
    np.testing.assert_array_equal(w._array, [0.5, 1.5])
    assert w.requires_grad and w.is_leaf


def test_inplace_on_a_non_leaf_is_differentiable():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    y.mul_(3.0)
    y.add_(x)  # y = 6x + x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [7.0, 7.0])


def test_a_product_keeps_only_the_operand_the_other_gradient_needs():
    """``w * x`` with only ``w`` requiring a gradient keeps ``x`` (dy/dw) and not ``w``:
    changing ``w`` in place afterwards leaves backward alone, changing ``x`` does not."""
    w, x = leaf([2.0, 3.0]), minigrad.tensor([5.0, 7.0], dtype=minigrad.float64)
    y = w * x
    with minigrad.no_grad():
        w.add_(1.0)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad._array, [5.0, 7.0])
    y = w * x
    x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
    with minigrad.no_grad():  # not recorded: nothing kept, nothing to check
        assert (w * x).grad_fn is None


def test_inplace_multiplication_uses_the_old_value_for_the_other_gradient():
    x, w = leaf([2.0]), leaf([5.0])
    y = x * 1.0
    y.mul_(w)  # y = x * w ; dy/dw = old y = x
    y.backward(minigrad.ones(1, dtype=minigrad.float64))
    assert w.grad.item() == 2.0 and x.grad.item() == 5.0


def test_setitem_is_differentiable_for_both_sides():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf([10.0])
    y = x * 1.0
    y[1] = v * 2.0
    (y * minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(v.grad._array, [4.0])
    np.testing.assert_array_equal(y._array, [1.0, 20.0, 3.0])


def test_copy_passes_the_gradient_to_the_source():
    source = leaf([1.0, 2.0])
    destination = minigrad.zeros(3, 2, dtype=minigrad.float64)
    destination.copy_(source)
    assert destination.requires_grad
    destination.sum().backward()
    np.testing.assert_array_equal(source.grad._array, [3.0, 3.0])


def test_inplace_on_a_view_of_a_graph_tensor_changes_the_base_and_its_gradient():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    y[0].mul_(2.0)  # writes through the view: y's history now has the change
    np.testing.assert_array_equal(y._array, [[2.0, 4.0], [3.0, 4.0]])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [[8.0, 16.0], [6.0, 8.0]])


def test_inplace_on_an_expanded_view_is_refused():
    y = leaf([1.0, 2.0]) * 1.0
    with pytest.raises(RuntimeError, match="more than one element"):
        y.expand(3, 2).mul_(leaf([1.0, 1.0]))
    np.testing.assert_array_equal(y._array, [1.0, 2.0])


def test_an_error_leaves_the_tensor_unchanged():
    t = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        t.copy_(minigrad.ones(3, dtype=minigrad.float64))
    with pytest.raises(ValueError, match="broadcast"):
        t.add_(minigrad.ones(3, dtype=minigrad.float64))
    np.testing.assert_array_equal(t._array, [1.0, 2.0])
    assert t._version == 0


# --------------------------------------------------------------------------- history


def test_ops_recorded_before_an_inplace_change_keep_the_old_history():
    """z used y before y.mul_(5): z's gradient goes to y as it was (x * 2), not through the
    multiplication by 5."""
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x * 2.0
    z = y.exp()
    y.mul_(5.0)
    (z.sum() + y.sum()).backward()
    np.testing.assert_allclose(x.grad._array, 2.0 * np.exp([2.0, 4.0]) + 10.0)


def test_an_inplace_update_computed_from_the_tensor_itself_terminates():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x * 3.0
    y += y  # the addition reads y before it is changed: no cycle in the graph
    y[0] = y[1]  # a view of y read before the change
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 12.0])


def test_a_view_read_both_before_and_after_a_change_of_its_base():
    """Readers before the change see the old values, readers after the new ones."""
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x * 1.0
    view = y[:1]
    before = view * 2.0
    y.mul_(3.0)
    after = view * 2.0
    (before * after).sum().backward()  # 2 x0 * 6 x0 = 12 x0**2
    np.testing.assert_array_equal(x.grad._array, [24.0, 0.0])


# Uses of a tensor that keep nothing of it for backward (exp and tanh keep their output),
# so changing it in place afterwards is allowed, as in PyTorch.
_USES = {
    "exp": lambda t: t.exp(),
    "tanh": lambda t: t.tanh(),
    "sum": lambda t: t.sum(),
    "shift": lambda t: t + 1.5,
    "neg": lambda t: -t,
    "slice": lambda t: t[1:] * 1.0,
}
_CHANGES_IN_PLACE = {
    "add_": (lambda t: t.add_(0.5), lambda t: t + 0.5),
    "mul_": (lambda t: t.mul_(-2.0), lambda t: t * -2.0),
    "+= itself": (lambda t: t.__iadd__(t), lambda t: t + t),
    "setitem": (lambda t: t.__setitem__(0, t[1] * 3.0), None),
    "mul_ of a view": (
        lambda t: t[1:].mul_(t[:2] * 1.0),
        lambda t: minigrad.cat([t[:1], t[1:] * t[:2]]),
    ),
    "+= on a slice": (
        lambda t: t[::2].__iadd__(t[1]),
        lambda t: minigrad.stack([t[0] + t[1], t[1], t[2] + t[1]]),
    ),
}


def _setitem_out_of_place(t):
    return minigrad.cat([(t[1] * 3.0).reshape(1), t[1:]])


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(_USES)), st.sampled_from(sorted(_CHANGES_IN_PLACE))),
        min_size=1,
        max_size=4,
    ),
    final=st.sampled_from(sorted(_USES)),
)
def test_inplace_changes_give_the_gradients_of_the_same_program_out_of_place(steps, final):
    """A program that uses y, changes it in place, uses it again, ... gets the gradient of
    the same program with every change written as a new tensor."""
    values = np.array([0.3, -0.7, 1.1])

    def run(in_place):
        x = minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
        y = x * 1.0
        total = minigrad.tensor(0.0, dtype=minigrad.float64)
        for use, change in steps:
            total = total + _USES[use](y).sum()
            change_in_place, out_of_place = _CHANGES_IN_PLACE[change]
            if in_place:
                change_in_place(y)
            else:
                y = (out_of_place or _setitem_out_of_place)(y)
        total = total + _USES[final](y).sum()
        total.backward()
        return total.item(), x.grad._array

    value, gradient = run(in_place=True)
    expected_value, expected_gradient = run(in_place=False)
    np.testing.assert_allclose(value, expected_value, rtol=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-12)
