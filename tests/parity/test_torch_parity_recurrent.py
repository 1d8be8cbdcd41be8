"""minigrad.nn.recurrent against torch.nn (skipped when PyTorch is not installed).

Weights travel both ways through state dicts (torch -> minigrad and minigrad -> torch);
outputs, final states and the gradients of the input, the initial states and every
parameter (for a random upstream gradient) must agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

torch = pytest.importorskip("torch")

LAYERS = {"rnn": (RNN, "RNN"), "lstm": (LSTM, "LSTM"), "gru": (GRU, "GRU")}
CELLS = {"rnn": (RNNCell, "RNNCell"), "lstm": (LSTMCell, "LSTMCell"), "gru": (GRUCell, "GRUCell")}


def to_torch_state(module):
    return {k: torch.from_numpy(v._array.copy()) for k, v in module.state_dict().items()}


def to_minigrad_state(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def pair(kind, direction, torch_kwargs, minigrad_kwargs, dtype, cells=False, seed=0):
    """A minigrad module and a torch module with the same weights, copied ``direction``
    (``"to_torch"`` or ``"from_torch"``)."""
    ours_class, torch_name = (CELLS if cells else LAYERS)[kind]
    torch.manual_seed(seed)
    minigrad.manual_seed(seed)
    theirs = getattr(torch.nn, torch_name)(**torch_kwargs, dtype=dtype)
    ours = ours_class(**minigrad_kwargs, dtype=np.dtype(str(dtype).replace("torch.", "")))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, value in theirs.state_dict().items():
        assert ours.state_dict()[name].shape == tuple(value.shape), name
    if direction == "to_torch":
        theirs.load_state_dict(to_torch_state(ours))
    else:
        ours.load_state_dict(to_minigrad_state(theirs))
    return ours, theirs


def flatten(result):
    """A cell's or layer's result as a flat list: ``h``, ``(h, c)``, ``(output, h_n)``
    and ``(output, (h_n, c_n))`` alike."""
    if not isinstance(result, tuple):
        return [result]
    flat = []
    for item in result:
        flat.extend(item if isinstance(item, tuple) else [item])
    return flat


def compare_runs(ours, theirs, x, states, rng, rtol, atol):
    """Run both modules on ``x`` and ``states`` (arrays), backpropagate the same random
    upstream gradient, and compare values and all gradients."""
    ours_x = minigrad.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours_states = [minigrad.tensor(s, requires_grad=True) for s in states]
    theirs_states = [torch.tensor(s, requires_grad=True) for s in states]

    def hx(values):
        if not values:
            return None
        return tuple(values) if len(values) == 2 else values[0]

    ours_out = ours(ours_x, hx(ours_states))
    theirs_out = theirs(theirs_x, hx(theirs_states))
    ours_list, theirs_list = flatten(ours_out), flatten(theirs_out)
    assert len(ours_list) == len(theirs_list)
    for a, b in zip(ours_list, theirs_list):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a._array, b.detach().numpy(), rtol=rtol, atol=atol)

    upstream = [rng.standard_normal(a.shape).astype(x.dtype) for a in ours_list]
    minigrad.backward(ours_list, [minigrad.tensor(u) for u in upstream])
    torch.autograd.backward(theirs_list, [torch.from_numpy(u) for u in upstream])
    np.testing.assert_allclose(ours_x.grad._array, theirs_x.grad.numpy(), rtol=rtol, atol=atol)
    for a, b in zip(ours_states, theirs_states):
        np.testing.assert_allclose(a.grad._array, b.grad.numpy(), rtol=rtol, atol=atol)
    theirs_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad._array,
            theirs_params[name].grad.numpy(),
            rtol=rtol,
            atol=atol,
            err_msg=name,
        )


@st.composite
def layer_settings(draw):
    kind = draw(st.sampled_from(["rnn_tanh", "rnn_relu", "lstm", "gru"]))
    kwargs = {
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 4)),
        "num_layers": draw(st.integers(1, 2)),
        "bias": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bidirectional": draw(st.booleans()),
    }
    extra = {}
    if kind.startswith("rnn"):
        extra["nonlinearity"] = kind[4:]
    return {
        "kind": kind[:3] if kind.startswith("rnn") else kind,
        "kwargs": {**kwargs, **extra},
        "steps": draw(st.integers(1, 5)),
        "batch": draw(st.integers(1, 3)),
        "unbatched": draw(st.booleans()),
        "with_state": draw(st.booleans()),
        "direction": draw(st.sampled_from(["to_torch", "from_torch"])),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def layer_data(setting, dtype):
    rng = np.random.default_rng(setting["seed"])
    kwargs = setting["kwargs"]
    T, B, I, H = setting["steps"], setting["batch"], kwargs["input_size"], kwargs["hidden_size"]
    stacked = kwargs["num_layers"] * (2 if kwargs.get("bidirectional") else 1)
    if setting["unbatched"]:
        x_shape, state_shape = (T, I), (stacked, H)
    else:
        x_shape = (B, T, I) if kwargs.get("batch_first") else (T, B, I)
        state_shape = (stacked, B, H)
    x = rng.standard_normal(x_shape).astype(dtype)
    count = 2 if setting["kind"] == "lstm" else 1
    states = (
        [rng.standard_normal(state_shape).astype(dtype) for _ in range(count)]
        if setting["with_state"]
        else []
    )
    return x, states, rng


@settings(max_examples=30)
@given(layer_settings())
def test_layers_match_torch_float64(setting):
    ours, theirs = pair(
        setting["kind"],
        setting["direction"],
        setting["kwargs"],
        setting["kwargs"],
        torch.float64,
        seed=setting["seed"] % 1000,
    )
    x, states, rng = layer_data(setting, np.float64)
    compare_runs(ours, theirs, x, states, rng, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_layers_match_torch_float32(kind):
    kwargs = {"input_size": 6, "hidden_size": 5, "num_layers": 2, "bidirectional": True}
    ours, theirs = pair(kind, "from_torch", kwargs, kwargs, torch.float32, seed=1)
    setting = {
        "kind": kind,
        "kwargs": kwargs,
        "steps": 7,
        "batch": 3,
        "unbatched": False,
        "with_state": True,
        "seed": 1,
    }
    x, states, rng = layer_data(setting, np.float32)
    compare_runs(ours, theirs, x, states, rng, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_eval_mode_with_dropout_matches_torch(kind):
    kwargs = {"input_size": 3, "hidden_size": 4, "num_layers": 3, "dropout": 0.5}
    ours, theirs = pair(kind, "to_torch", kwargs, kwargs, torch.float64, seed=2)
    ours.eval()
    theirs.eval()
    setting = {
        "kind": kind,
        "kwargs": kwargs | {"bidirectional": False, "batch_first": False},
        "steps": 4,
        "batch": 2,
        "unbatched": False,
        "with_state": False,
        "seed": 2,
    }
    x, states, rng = layer_data(setting, np.float64)
    compare_runs(ours, theirs, x, states, rng, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_dropout_zero_in_training_mode_matches_torch(kind):
    kwargs = {
        "input_size": 3,
        "hidden_size": 4,
        "num_layers": 2,
        "dropout": 0.0,
        "bidirectional": True,
        "batch_first": True,
    }
    ours, theirs = pair(kind, "from_torch", kwargs, kwargs, torch.float64, seed=3)
    assert ours.training and theirs.training
    setting = {
        "kind": kind,
        "kwargs": kwargs,
        "steps": 3,
        "batch": 2,
        "unbatched": False,
        "with_state": True,
        "seed": 3,
    }
    x, states, rng = layer_data(setting, np.float64)
    compare_runs(ours, theirs, x, states, rng, rtol=1e-9, atol=1e-11)


@st.composite
def cell_settings(draw):
    kind = draw(st.sampled_from(["rnn_tanh", "rnn_relu", "lstm", "gru"]))
    kwargs = {
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 4)),
        "bias": draw(st.booleans()),
    }
    if kind.startswith("rnn"):
        kwargs["nonlinearity"] = kind[4:]
    return {
        "kind": kind[:3] if kind.startswith("rnn") else kind,
        "kwargs": kwargs,
        "batch": draw(st.integers(1, 3)),
        "unbatched": draw(st.booleans()),
        "with_state": draw(st.booleans()),
        "direction": draw(st.sampled_from(["to_torch", "from_torch"])),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


@settings(max_examples=30)
@given(cell_settings())
def test_cells_match_torch(setting):
    kwargs = setting["kwargs"]
    ours, theirs = pair(
        setting["kind"],
        setting["direction"],
        kwargs,
        kwargs,
        torch.float64,
        cells=True,
        seed=setting["seed"] % 1000,
    )
    rng = np.random.default_rng(setting["seed"])
    lead = () if setting["unbatched"] else (setting["batch"],)
    x = rng.standard_normal(lead + (kwargs["input_size"],))
    count = 2 if setting["kind"] == "lstm" else 1
    states = (
        [rng.standard_normal(lead + (kwargs["hidden_size"],)) for _ in range(count)]
        if setting["with_state"]
        else []
    )
    compare_runs(ours, theirs, x, states, rng, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_default_initialisation_has_torch_distribution(kind):
    """Same distribution as PyTorch: uniform in ±1/sqrt(H) (bound, mean and spread of
    all parameters pooled; thousands of values, so the tolerances are many sigmas)."""
    minigrad.manual_seed(0)
    torch.manual_seed(0)
    ours = LAYERS[kind][0](10, 25, num_layers=2)
    theirs = getattr(torch.nn, LAYERS[kind][1])(10, 25, num_layers=2)
    a = np.concatenate([p._array.ravel() for p in ours.parameters()])
    b = np.concatenate([p.detach().numpy().ravel() for p in theirs.parameters()])
    assert a.size == b.size
    assert abs(np.abs(a).max() - np.abs(b).max()) < 0.002
    assert abs(a.mean() - b.mean()) < 0.01
    assert abs(a.std() - b.std()) < 0.005


def test_extra_repr_matches_torch():
    for kwargs in [
        {},
        {
            "num_layers": 2,
            "bias": False,
            "batch_first": True,
            "dropout": 0.25,
            "bidirectional": True,
        },
    ]:
        for ours_class, name in LAYERS.values():
            theirs = getattr(torch.nn, name)(3, 4, **kwargs)
            assert repr(ours_class(3, 4, **kwargs)) == repr(theirs)
    for ours_class, name in CELLS.values():
        assert repr(ours_class(3, 4, bias=False)) == repr(getattr(torch.nn, name)(3, 4, bias=False))
