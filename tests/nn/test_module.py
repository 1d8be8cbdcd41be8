"""Containers (Sequential, ModuleList, ModuleDict) and the Module machinery seen through
real layers: names, train/eval, dtype conversion, state_dict and load_state_dict errors."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad.nn.containers import ModuleDict, ModuleList, Sequential
from minigrad.nn.layers import MLP, BatchNorm1d, Dropout, LayerNorm, Linear, ReLU, Tanh

# ----------------------------------------------------------------------------- Sequential


def test_sequential_from_positions_and_from_ordered_dict():
    model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    assert len(model) == 3 and [type(m) for m in model] == [Linear, ReLU, Linear]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    named = Sequential(OrderedDict([("hidden", Linear(2, 3)), ("act", Tanh())]))
    assert isinstance(named.hidden, Linear) and named[1] is named.act
    x = minigrad.randn(4, 2)
    np.testing.assert_array_equal(model(x)._array, model[2](model[1](model[0](x)))._array)


def test_sequential_indexing_slicing_and_editing():
    layers = [Linear(2, 2) for _ in range(4)]
    model = Sequential(*layers)
    assert model[-1] is layers[3]
    part = model[1:3]
    assert isinstance(part, Sequential) and list(part._modules) == ["1", "2"]
    assert part[0] is layers[1]
    model.append(ReLU())
    assert len(model) == 5 and isinstance(model[4], ReLU)
    model[0] = Tanh()
    assert isinstance(model[0], Tanh)
    del model[0]
    assert len(model) == 4 and model[0] is layers[1]
    model.insert(0, ReLU())
    assert list(model._modules) == ["0", "1", "2", "3", "4"] and isinstance(model[0], ReLU)
    with pytest.raises(IndexError, match="index 9 is out of range for a Sequential of length 5"):
        model[9]
    with pytest.raises(TypeError, match="expected a Module, got int"):
        Sequential(Linear(1, 1), 3)


# ----------------------------------------------------------------------------- ModuleList


def test_module_list():
    blocks = ModuleList([Linear(2, 2), Linear(2, 2)])
    blocks.append(Tanh())
    blocks.extend([ReLU()])
    blocks += [Linear(2, 1)]
    assert len(blocks) == 5
    assert [n for n, _ in blocks.named_parameters()][:2] == ["0.weight", "0.bias"]
    assert isinstance(blocks[1:3], ModuleList) and len(blocks[1:3]) == 2
    first = blocks[0]
    del blocks[0]
    assert blocks[0] is not first and list(blocks._modules) == ["0", "1", "2", "3"]
    blocks.insert(1, Dropout())
    assert isinstance(blocks[1], Dropout)
    blocks[-1] = ReLU()
    assert isinstance(blocks[4], ReLU)
    with pytest.raises(NotImplementedError, match="iterate"):
        blocks(minigrad.randn(1, 2))
    with pytest.raises(TypeError, match="iterable of modules"):
        ModuleList().extend(Linear(1, 1))


# ----------------------------------------------------------------------------- ModuleDict


def test_module_dict():
    heads = ModuleDict({"a": Linear(2, 1), "b": Linear(2, 3)})
    heads["c"] = Tanh()
    assert list(heads) == ["a", "b", "c"] and len(heads) == 3 and "b" in heads
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("c"), Tanh) and "c" not in heads
    heads.update([("d", ReLU())])
    assert list(heads.keys()) == ["a", "b", "d"]
    assert [type(m) for m in heads.values()] == [Linear, Linear, ReLU]
    del heads["a"]
    assert list(dict(heads.items())) == ["b", "d"]
    with pytest.raises(KeyError):
        heads["missing"]
    with pytest.raises(TypeError, match="expected a Module"):
        heads["x"] = 1.0
    heads.clear()
    assert len(heads) == 0


# ----------------------------------------------------------------------------- modes, dtypes


def test_train_and_eval_reach_every_layer():
    model = MLP(2, [3], 1, dropout=0.5)
    model.add_module("norm", BatchNorm1d(1))
    model.eval()
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_to_float64_converts_parameters_and_float_buffers_only():
    model = Sequential(Linear(2, 3), BatchNorm1d(3))
    model.to(minigrad.float64)
    assert all(p.dtype == minigrad.float64 for p in model.parameters())
    assert model[1].running_mean.dtype == minigrad.float64
    assert model[1].num_batches_tracked.dtype == minigrad.int64
    assert model(minigrad.randn(4, 2, dtype=minigrad.float64)).dtype == minigrad.float64


# ----------------------------------------------------------------------------- state dicts


def test_state_dict_names():
    model = Sequential(Linear(2, 3), BatchNorm1d(3), LayerNorm(3))
    assert list(model.state_dict()) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
        "2.weight",
        "2.bias",
    ]


def test_load_state_dict_round_trip():
    source, target = MLP(2, [3], 1), MLP(2, [3], 1)
    target.load_state_dict({k: v._array.copy() for k, v in source.state_dict().items()})
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=name)


def snapshot(module):
    return {k: v._array.copy() for k, v in module.state_dict().items()}


def assert_unchanged(module, before):
    for key, value in module.state_dict().items():
        np.testing.assert_array_equal(value._array, before[key], err_msg=key)


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    model = Sequential(Linear(2, 3), BatchNorm1d(3))
    before = snapshot(model)
    state = {k: np.full_like(v, 7.0) for k, v in before.items()}
    del state["0.bias"]
    del state["1.running_var"]
    state["2.weight"] = np.zeros(3)
    state["1.weight"] = np.zeros(4)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    for expected in (
        "missing key: 0.bias",
        "missing key: 1.running_var",
        "unexpected key: 2.weight",
        "1.weight: shape (4,) in the state dict, but the module's is (3,)",
        "nothing was changed",
    ):
        assert expected in message
    assert_unchanged(model, before)


def test_load_state_dict_non_strict_still_refuses_wrong_shapes():
    model = Linear(2, 3)
    before = snapshot(model)
    missing, unexpected = model.load_state_dict({"weight": np.ones((3, 2)), "x": 1.0}, strict=False)
    assert missing == ["bias"] and unexpected == ["x"]
    np.testing.assert_array_equal(model.weight._array, np.ones((3, 2)))
    before = snapshot(model)
    with pytest.raises(RuntimeError, match=r"weight: shape \(2, 3\)"):
        model.load_state_dict({"weight": np.ones((2, 3)), "bias": np.ones(3)}, strict=False)
    assert_unchanged(model, before)


def test_a_deep_copied_layer_has_copied_values_and_no_gradients():
    """As PyTorch's Parameter.__deepcopy__: a copy made after a backward pass starts
    without .grad, owns new memory, and keeps requires_grad."""
    import copy

    layer = minigrad.nn.Linear(3, 2)
    layer.bias.requires_grad_(False)
    layer(minigrad.ones(4, 3)).sum().backward()
    twin = copy.deepcopy(layer)
    assert layer.weight.grad is not None and twin.weight.grad is None
    assert type(twin.weight) is minigrad.nn.Parameter
    assert twin.weight.requires_grad and not twin.bias.requires_grad
    np.testing.assert_array_equal(twin.weight.detach().numpy(), layer.weight.detach().numpy())
    with minigrad.no_grad():
        twin.weight.add_(1.0)
    assert not np.array_equal(twin.weight.detach().numpy(), layer.weight.detach().numpy())
