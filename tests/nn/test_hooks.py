"""Module hooks: forward pre-hooks, forward hooks and full backward hooks."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.testing import gradcheck


def double_linear(n_in=3, n_out=2):
    minigrad.manual_seed(0)
    return nn.Linear(n_in, n_out).double()


def x64(*shape, requires_grad=True):
    return minigrad.randn(*shape, dtype=minigrad.float64, requires_grad=requires_grad)


def test_hooks_run_in_order_prepend_first_and_handles_remove_them():
    layer, calls = double_linear(), []
    layer.register_forward_pre_hook(lambda m, a: calls.append("pre 1"))
    second = layer.register_forward_pre_hook(lambda m, a: calls.append("pre 2"))
    layer.register_forward_pre_hook(lambda m, a: calls.append("pre 0"), prepend=True)
    layer.register_forward_hook(lambda m, a, out: calls.append("after"))
    layer(x64(1, 3))
    assert calls == ["pre 0", "pre 1", "pre 2", "after"]
    calls.clear()
    second.remove()
    layer(x64(1, 3))
    assert calls == ["pre 0", "pre 1", "after"]


def test_a_module_without_hooks_shares_no_table_with_another():
    a, b = double_linear(), double_linear()
    a.register_forward_hook(lambda m, args, out: out * 0.0)
    assert float(b(x64(1, 3)).abs().sum()) > 0
    assert float(a(x64(1, 3)).abs().sum()) == 0.0


def test_pre_hook_and_forward_hook_results_replace_arguments_and_output():
    layer = double_linear()
    x = x64(2, 3)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 0.0)  # a single value
    layer.register_forward_hook(lambda m, args, out: out + 1.0)
    expected = np.broadcast_to(layer.bias.detach().numpy() + 1.0, (2, 2))
    np.testing.assert_allclose(layer(x).detach().numpy(), expected)


def test_with_kwargs_hooks_see_and_replace_keyword_arguments():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    module, seen = Scale(), []
    module.register_forward_pre_hook(
        lambda m, args, kwargs: (args, {"factor": kwargs["factor"] * 10}), with_kwargs=True
    )
    module.register_forward_hook(
        lambda m, args, kwargs, out: seen.append(dict(kwargs)), with_kwargs=True
    )
    out = module(minigrad.tensor([1.0]), factor=2.0)
    assert float(out) == 20.0
    assert seen == [{"factor": 20.0}]
    module.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple \(args, kwargs\)"):
        module(minigrad.tensor([1.0]), factor=2.0)


def test_full_backward_hook_sees_grad_input_and_grad_output_and_may_replace_grad_input():
    layer, seen = double_linear(), {}

    def hook(module, grad_input, grad_output):
        seen["in"], seen["out"] = grad_input, grad_output
        return (grad_input[0] * 2.0,)

    layer.register_full_backward_hook(hook)
    x = x64(4, 3)
    layer(x).pow(2).sum().backward()
    y = (x @ layer.weight.T + layer.bias).detach()
    np.testing.assert_allclose(seen["out"][0].numpy(), 2 * y.numpy())
    np.testing.assert_allclose(seen["in"][0].numpy(), 2 * y.numpy() @ layer.weight.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * seen["in"][0].numpy())
    # The weights' gradients are not the hook's business: unchanged.
    np.testing.assert_allclose(layer.weight.grad.numpy(), 2 * y.numpy().T @ x.detach().numpy())


def test_gradients_through_a_module_with_a_backward_hook_that_returns_none_are_unchanged():
    layer = double_linear()
    layer.register_full_backward_hook(lambda m, gi, go: None)
    layer.register_forward_pre_hook(lambda m, a: None)
    assert gradcheck(lambda x: layer(x).tanh(), (x64(3, 3),))


def test_full_backward_hook_without_input_gradients_warns_and_passes_none():
    layer, seen = double_linear(), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="grad_input all None"):
        layer(x64(2, 3, requires_grad=False)).sum().backward()
    assert seen == [(None,)]


def test_backward_hook_errors():
    layer = double_linear()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="returned 2 gradients, but the module has 1 inputs"):
        layer(x64(2, 3)).sum().backward()
    with pytest.raises(TypeError, match="callable"):
        layer.register_forward_hook("not a function")


def test_hooks_on_a_recurrent_layer_see_its_output_tuple():
    minigrad.manual_seed(0)
    lstm, seen = nn.LSTM(3, 4, batch_first=True).double(), []
    lstm.register_forward_hook(lambda m, args, out: seen.append(type(out[1]).__name__))
    lstm(x64(2, 5, 3))
    assert seen == ["tuple"]
