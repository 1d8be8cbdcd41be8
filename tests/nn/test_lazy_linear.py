"""LazyLinear and UninitializedParameter: shape inference at the first call, the class
change, hooks, dtype, state_dict refusal and loading, and errors raised before anything
changes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad
from minigrad import nn


def test_first_call_infers_the_shapes_and_becomes_linear():
    layer = nn.LazyLinear(4, dtype=minigrad.float64)
    assert layer.has_uninitialized_params() and layer.in_features == 0
    assert repr(layer) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    weight, bias = layer.weight, layer.bias
    assert isinstance(weight, nn.UninitializedParameter) and weight.requires_grad
    x = minigrad.randn(2, 7, 3, dtype=minigrad.float64)
    out = layer(x)
    assert type(layer) is nn.Linear and layer.in_features == 3 and out.shape == (2, 7, 4)
    assert layer.weight is weight and type(weight) is nn.Parameter and weight.shape == (4, 3)
    assert bias.shape == (4,) and weight.dtype == minigrad.float64
    bound = 1 / np.sqrt(3)  # drawn as Linear draws
    assert np.all(np.abs(weight._array) <= bound) and np.all(np.abs(bias._array) <= bound)
    assert np.unique(weight._array).size == 12
    np.testing.assert_allclose(out._array, x._array @ weight._array.T + bias._array)
    assert not layer._forward_pre_hooks and not hasattr(layer, "_initialize_hook")
    assert list(layer.state_dict()) == ["weight", "bias"]


def test_uninitialized_parameter_has_no_shape():
    parameter = nn.UninitializedParameter()
    assert repr(parameter) == "<UninitializedParameter>"
    assert parameter.dtype == minigrad.float32 and parameter.requires_grad
    for read in (lambda p: p.shape, lambda p: p.size(), lambda p: p.numel(),
                 lambda p: p.ndim, lambda p: p.dim()):
        with pytest.raises(RuntimeError, match="can't access the shape of an uninitialized"):
            read(parameter)
    with pytest.raises(ValueError, match="shape must be non-negative ints, got \\(2, -1\\)"):
        parameter.materialize((2, -1))
    with pytest.raises(TypeError, match="dtype must be floating, got int64"):
        parameter.materialize(3, dtype=minigrad.int64)
    assert isinstance(parameter, nn.UninitializedParameter)
    parameter.materialize(3, dtype=minigrad.float64)
    assert type(parameter) is nn.Parameter and parameter.shape == (3,)
    assert parameter.dtype == minigrad.float64
    frozen = nn.UninitializedParameter(requires_grad=False)
    assert not frozen.requires_grad
    with pytest.raises(TypeError, match="dtype must be floating"):
        nn.UninitializedParameter(dtype=minigrad.int32)


def test_errors_before_the_first_call_change_nothing():
    layer = nn.LazyLinear(2)
    with pytest.raises(ValueError, match="got a 0-d tensor"):
        layer(minigrad.tensor(1.0))
    with pytest.raises(TypeError, match="input must be a floating tensor, got int64"):
        layer(minigrad.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="expected an input of shape \\(\\*, in_features\\)"):
        layer([[1.0, 2.0]])
    assert type(layer) is nn.LazyLinear and layer.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="state_dict: weight, bias are not initialized yet"):
        layer.state_dict()
    model = nn.Sequential(nn.Linear(2, 2), nn.LazyLinear(1, bias=False))
    with pytest.raises(RuntimeError, match="state_dict: 1.weight is not initialized yet"):
        model.state_dict()
    assert layer(minigrad.randn(3, 5)).shape == (3, 2)


def test_user_hooks_see_initialized_parameters():
    layer = nn.LazyLinear(2)
    seen = []
    layer.register_forward_pre_hook(lambda module, args: seen.append(type(module.weight)))
    layer(minigrad.randn(1, 3))
    layer(minigrad.randn(1, 3))
    assert seen == [nn.Parameter, nn.Parameter]


def test_forward_called_directly_and_dtype_conversion_before_the_first_call():
    layer = nn.LazyLinear(3).double()
    out = layer.forward(minigrad.randn(4, 2, dtype=minigrad.float64))
    assert out.shape == (4, 3) and out.dtype == minigrad.float64 and type(layer) is nn.Linear
    assert layer.weight.dtype == minigrad.float64


def test_deep_copy_before_the_first_call_is_independent():
    layer = nn.LazyLinear(2)
    twin = copy.deepcopy(layer)
    layer(minigrad.randn(1, 3))
    assert type(twin) is nn.LazyLinear and twin.has_uninitialized_params()
    twin(minigrad.randn(1, 6))
    assert twin.weight.shape == (2, 6) and layer.weight.shape == (2, 3)


def test_load_state_dict_gives_the_shapes():
    source = nn.Linear(3, 2)
    layer = nn.LazyLinear(2)
    layer.load_state_dict(source.state_dict())
    assert not layer.has_uninitialized_params() and layer.weight.shape == (2, 3)
    np.testing.assert_array_equal(layer.weight._array, source.weight._array)
    with pytest.raises(ValueError, match="4 features, but the loaded weight of shape \\(2, 3\\)"):
        layer(minigrad.randn(1, 4))
    assert type(layer) is nn.LazyLinear and layer.in_features == 0
    x = minigrad.randn(5, 3)
    np.testing.assert_array_equal(layer(x)._array, source(x)._array)
    assert type(layer) is nn.Linear and layer.in_features == 3
    # A refused state dict materializes nothing.
    fresh = nn.LazyLinear(2)
    with pytest.raises(RuntimeError, match="missing key: bias"):
        fresh.load_state_dict({"weight": source.weight})
    assert fresh.has_uninitialized_params()


def test_training_with_an_optimizer_made_before_the_dry_run():
    minigrad.manual_seed(3)
    model = nn.Sequential(nn.LazyLinear(8), nn.Tanh(), nn.LazyLinear(1))
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = minigrad.randn(16, 2)
    target = (x[:, :1] * 2 - x[:, 1:]).detach()
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
