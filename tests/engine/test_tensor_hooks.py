"""Tensor.register_hook: when hooks run, what their results replace, and their errors."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import minigrad
from minigrad.autograd import hooks as hooks_module


def leaf(values):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


def test_a_leaf_hook_sees_the_summed_gradient_once_and_replaces_it():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10.0)
    (x * x + x).sum().backward()  # three paths reach x
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [3.0, 5.0])
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 50.0])


def test_hooks_of_a_non_leaf_change_what_flows_upstream_and_what_retain_grad_keeps():
    x = leaf([1.0, -2.0])
    y = x * 3.0
    y.register_hook(lambda g: g * 2.0)
    y.retain_grad()
    y.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_a_hook_on_the_root_and_on_one_output_of_several():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    first, second = x.split(2)
    second.register_hook(lambda g: g * 0.0)
    loss = (first.sum() + second.sum()) * 1.0
    loss.register_hook(lambda g: g * 2.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 0.0, 0.0])


def test_remove_and_the_handle_as_context_manager():
    x = leaf([1.0])
    handle = x.register_hook(lambda g: g * 5.0)
    handle.remove()
    handle.remove()  # twice: nothing
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0])
    x.grad = None
    with x.register_hook(lambda g: g * 5.0):
        (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0])
    x.grad = None
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0])


def test_the_handle_is_importable_under_torchs_name():
    from minigrad.utils.hooks import RemovableHandle

    assert isinstance(leaf([1.0]).register_hook(lambda g: None), RemovableHandle)
    assert minigrad.utils.hooks.RemovableHandle is RemovableHandle


def test_grad_returns_the_hooked_gradient_and_leaves_grad_alone():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g + 1.0)
    (g,) = minigrad.autograd.grad((x * 2.0).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])
    assert x.grad is None


def test_a_hook_inside_create_graph_is_differentiated_too():
    x = leaf([0.3, -0.7])
    y = x.tanh()
    y.register_hook(lambda g: g * y)  # the hook's own computation is recorded
    (gx,) = minigrad.autograd.grad(y.sum(), x, create_graph=True)
    t = np.tanh(x.detach().numpy())
    np.testing.assert_allclose(gx.detach().numpy(), t * (1 - t**2))



def test_bad_hooks_get_clear_errors():
    x = minigrad.tensor([1.0])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        x.register_hook(lambda g: g)
    y = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="callable"):
        y.register_hook(3)
    y.register_hook(lambda g: g.sum())
    expected = r"returned a value of shape \(\) for a gradient of shape \(2,\)"
    with pytest.raises(RuntimeError, match=expected):
        (y * 1.0).sum().backward()


def test_the_table_of_leaf_hooks_forgets_a_collected_tensor():
    x = leaf([1.0])
    x.register_hook(lambda g: g)
    key = id(x)
    assert key in hooks_module._LEAF_HOOKS
    del x
    gc.collect()
    assert key not in hooks_module._LEAF_HOOKS
