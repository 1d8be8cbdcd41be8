"""ParameterList and ParameterDict: registration, list and dict behaviour, errors raised
before anything changes, and training through them; Module.get_submodule/get_parameter/
get_buffer and the registration checks."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import ParameterDict, ParameterList


def test_parameter_list_registers_and_converts_tensors():
    plain = minigrad.ones(3)
    params = ParameterList([plain, nn.Parameter(minigrad.zeros(2))])
    assert isinstance(params[0], nn.Parameter) and params[0].requires_grad
    params[0]._array[0] = 5.0  # the Parameter shares the tensor's memory
    assert plain._array[0] == 5.0
    params.append(minigrad.zeros(1)).append("note")
    params += [minigrad.ones(4)]
    assert len(params) == 5 and params[3] == "note" and params[-1].shape == (4,)
    assert [name for name, _ in params.named_parameters()] == ["0", "1", "2", "4"]
    assert [type(v).__name__ for v in params] == ["Parameter"] * 3 + ["str", "Parameter"]
    part = params[1:4]
    assert isinstance(part, ParameterList) and len(part) == 3 and part[0] is params[1]
    params[1] = minigrad.full((2,), 3.0)
    assert isinstance(params[1], nn.Parameter) and params[1]._array.tolist() == [3.0, 3.0]


def test_parameter_list_errors_change_nothing():
    params = ParameterList([minigrad.ones(2)])
    with pytest.raises(IndexError, match="index 1 is out of range for a ParameterList of length 1"):
        params[1]
    with pytest.raises(TypeError, match="indices must be ints or slices, got str"):
        params["0"]
    with pytest.raises(TypeError, match="should be called with an iterable, but got Tensor"):
        params.extend(minigrad.ones(3))
    with pytest.raises(TypeError, match="cannot assign a int to the parameter '0'"):
        params[0] = 3
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        params(minigrad.ones(2))
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients"):
        params.append(minigrad.tensor([1, 2]))
    assert len(params) == 1 and list(params._parameters) == ["0"]


def test_parameter_dict_orders_and_edits_like_a_dict():
    table = ParameterDict({"b": minigrad.ones(2), "a": minigrad.zeros(1)})
    assert list(table) == ["a", "b"]  # a plain dict is added in sorted order
    table.update(OrderedDict([("z", minigrad.ones(1)), ("c", 1.5)]))
    table.update([("y", minigrad.ones(3))])
    assert list(table.keys()) == ["a", "b", "z", "c", "y"]
    assert [name for name, _ in table.named_parameters()] == ["a", "b", "z", "y"]
    assert isinstance(table["z"], nn.Parameter) and table["c"] == 1.5
    assert "c" in table and "q" not in table and len(table) == 5
    assert table.get("q") is None and table.get("q", 4) == 4
    assert table.setdefault("c", 9) == 1.5 and table.setdefault("n", 9) == 9
    assert table.pop("n") == 9 and "n" not in table
    key, value = table.popitem()
    assert key == "y" and value.shape == (3,) and "y" not in dict(table.named_parameters())
    del table["a"]
    assert list(table) == ["b", "z", "c"] and "a" not in table._parameters
    copied = table.copy()
    assert list(copied) == list(table) and copied["b"] is table["b"]
    merged = table | ParameterDict({"w": minigrad.ones(1)})
    assert list(merged) == ["b", "z", "c", "w"] and list(table) == ["b", "z", "c"]
    table |= {"w": minigrad.ones(1)}
    assert list(table) == ["b", "z", "c", "w"]
    assert list(table.fromkeys(["p", "q"], 0.0).items()) == [("p", 0.0), ("q", 0.0)]
    assert list(reversed(table)) == ["w", "c", "z", "b"]
    table.clear()
    assert len(table) == 0 and not table._parameters and not hasattr(table, "c")


def test_parameter_dict_errors_change_nothing():
    table = ParameterDict({"a": minigrad.ones(2)})
    with pytest.raises(TypeError, match="keys must be strings, got 3 of type int"):
        table[3] = minigrad.ones(1)
    with pytest.raises(TypeError, match="keys must be strings"):
        table.update([("b", minigrad.ones(1)), (4, minigrad.ones(1))])
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        table.update([("b", 1, 2)])
    with pytest.raises(TypeError, match="element #0 should be a \\(key, value\\) pair, got int"):
        table.update([5])
    with pytest.raises(TypeError, match="should be called with an iterable"):
        table.update(5)
    with pytest.raises(KeyError):
        table["missing"]
    with pytest.raises(KeyError):
        del table["missing"]
    with pytest.raises(TypeError, match="cannot assign a str to the parameter 'a'"):
        table["a"] = "text"
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        table(1)
    assert list(table) == ["a"] and list(table._parameters) == ["a"]


def test_training_through_parameter_containers():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = ParameterList([minigrad.ones(3, dtype=minigrad.float64)])
            self.shift = ParameterDict({"x": minigrad.zeros(3, dtype=minigrad.float64)})

        def forward(self, x):
            return x * self.scales[0] + self.shift["x"]

    model = Scaled()
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1)
    x = minigrad.tensor(np.array([1.0, 2.0, 3.0]))
    target = minigrad.tensor(np.array([2.0, 4.0, 6.0]))
    loss = ((model(x) - target) ** 2).sum()
    loss.backward()
    residual = x._array - target._array
    np.testing.assert_allclose(model.scales[0].grad._array, 2 * residual * x._array)
    np.testing.assert_allclose(model.shift["x"].grad._array, 2 * residual)
    optimizer.step()
    assert ((model(x) - target) ** 2).sum().item() < loss.item()
    state = model.state_dict()
    assert list(state) == ["scales.0", "shift.x"]
    fresh = Scaled()
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.scales[0]._array, model.scales[0]._array)


def test_get_submodule_parameter_and_buffer():
    model = nn.Sequential(nn.Linear(2, 3, bias=False), nn.BatchNorm1d(3))
    assert model.get_submodule("") is model and model.get_submodule("1") is model[1]
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.num_batches_tracked") is model[1].num_batches_tracked
    with pytest.raises(AttributeError, match="Sequential has no attribute `2`"):
        model.get_submodule("2.weight")
    with pytest.raises(AttributeError, match="`bias` is not an nn.Parameter"):
        model.get_parameter("0.bias")  # absent (None)
    with pytest.raises(AttributeError, match="`training` is not a buffer"):
        model.get_buffer("1.training")
    with pytest.raises(AttributeError, match="`in_features` is not an nn.Module"):
        model.get_submodule("0.in_features.x")


def test_registration_checks():
    module = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        module.register_buffer("weight", minigrad.zeros(1))
    with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
        module.register_parameter("in_features", None)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter 'w'"):
        module.register_parameter("w", nn.Parameter(minigrad.ones(1)) * 2)
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        module.add_module("child", 3)
    module.register_parameter("bias", None)  # replacing a parameter is allowed
    assert module.bias is None and list(module.state_dict()) == ["weight"]
    module.register_module("child", nn.ReLU())
    assert module.get_submodule("child") is module.child

    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("b", None)

    with pytest.raises(AttributeError, match="before Module.__init__\\(\\) was called"):
        Early()


def test_shared_modules_in_names_and_state_dict():
    inner = nn.Linear(2, 2)
    model = nn.Sequential(inner, nn.ReLU(), inner)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    names = [n for n, _ in model.named_modules(remove_duplicate=False)]
    assert names == ["", "0", "1", "2"]
    memo = {inner}
    assert [n for n, _ in model.named_modules(memo=memo)] == ["", "1"]
    assert [n for n, _ in model.named_modules(prefix="net")] == ["net", "net.0", "net.1"]
    norm = nn.BatchNorm1d(2)
    pair = nn.ModuleList([norm, norm])
    assert [n for n, _ in pair.named_buffers()] == ["0.running_mean", "0.running_var",
                                                    "0.num_batches_tracked"]
    assert len(list(pair.named_buffers(remove_duplicate=False))) == 6
