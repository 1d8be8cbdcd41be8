"""minigrad.nn.recurrent: the RNN, LSTM and GRU cells and sequence layers.

* Forward values against an independent plain-NumPy implementation of the equations,
  written below gate by gate (slicing the stacked weights, no ``chunk``), for every
  cell, layer and LSTM variant.
* Gradients w.r.t. inputs, initial states and every parameter against finite
  differences (``gradcheck`` in float64, the parameters passed as checked inputs), with
  Hypothesis drawing sizes and configurations.
* Parameter names, shapes and initialisation; dropout between layers; errors.

PyTorch parity is in tests/parity/test_torch_parity_recurrent.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from minigrad.testing import gradcheck, gradgradcheck

# ----------------------------------------------------------------------------- NumPy oracle


def np_sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


NP_GATES = {
    "sigmoid": np_sigmoid,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
}
NP_SQUASH = {
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "scaled_sigmoid_2": lambda x: 2.0 * np_sigmoid(x) - 1.0,
    "scaled_sigmoid_4": lambda x: 4.0 * np_sigmoid(x) - 2.0,
}


def np_gate_parts(p, x, h, gate, H):
    """``W_i<gate> x + b_i<gate>`` and ``W_h<gate> h + b_h<gate>`` for gate number
    ``gate``, from the stacked weights in ``p`` (a dict of arrays)."""
    rows = slice(gate * H, (gate + 1) * H)
    from_x = x @ p["weight_ih"][rows].T
    from_h = h @ p["weight_hh"][rows].T
    if p.get("bias_ih") is not None:
        from_x = from_x + p["bias_ih"][rows]
        from_h = from_h + p["bias_hh"][rows]
    return from_x, from_h


def np_rnn_step(p, x, h, options):
    H = h.shape[-1]
    from_x, from_h = np_gate_parts(p, x, h, 0, H)
    act = np.tanh if options.get("nonlinearity", "tanh") == "tanh" else NP_SQUASH["relu"]
    return act(from_x + from_h)


def np_gru_step(p, x, h, options):
    H = h.shape[-1]
    xr, hr = np_gate_parts(p, x, h, 0, H)
    xz, hz = np_gate_parts(p, x, h, 1, H)
    xn, hn = np_gate_parts(p, x, h, 2, H)
    r = np_sigmoid(xr + hr)
    z = np_sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h


def np_lstm_step(p, x, state, options):
    h, c = state
    H = h.shape[-1]
    gate = NP_GATES[options.get("gate_activation", "sigmoid")]
    squash_in = NP_SQUASH[options.get("cell_activation", "tanh")]
    squash_out = NP_SQUASH[options.get("hidden_activation", "tanh")]
    peephole = options.get("peephole", False)
    pre = [sum(np_gate_parts(p, x, h, k, H)) for k in range(4)]  # i, f, g, o
    if peephole:
        pre[0] = pre[0] + p["weight_ci"] * c
        pre[1] = pre[1] + p["weight_cf"] * c
    i, f, g = gate(pre[0]), gate(pre[1]), squash_in(pre[2])
    c_new = f * c + i * g
    if peephole:
        pre[3] = pre[3] + p["weight_co"] * c_new
    o = gate(pre[3])
    return o * squash_out(c_new), c_new


NP_STEPS = {"rnn": np_rnn_step, "lstm": np_lstm_step, "gru": np_gru_step}
NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_ci", "weight_cf", "weight_co")


def np_layer(kind, params, x, states, num_layers, bidirectional, options, dropout_masks=None):
    """The sequence layer in NumPy: ``x`` (T, B, I), ``states`` a tuple of (D*L, B, H)
    arrays (zeros when None), ``params`` the layer's state dict as arrays. Returns
    ``output`` (T, B, D*H) and the tuple of final states, each (D*L, B, H)."""
    step = NP_STEPS[kind]
    D = 2 if bidirectional else 1
    T, B = x.shape[:2]
    H = params["weight_hh_l0"].shape[1]
    count = 2 if kind == "lstm" else 1
    if states is None:
        states = tuple(np.zeros((D * num_layers, B, H)) for _ in range(count))
    finals = [[] for _ in range(count)]
    layer_input = x
    for layer in range(num_layers):
        outputs = []
        for direction in range(D):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            p = {n: params.get(n + suffix) for n in NAMES}
            index = layer * D + direction
            state = tuple(s[index] for s in states)
            out = np.zeros((T, B, H))
            for t in range(T - 1, -1, -1) if direction else range(T):
                if count == 2:
                    state = step(p, layer_input[t], state, options)
                else:
                    state = (step(p, layer_input[t], state[0], options),)
                out[t] = state[0]
            outputs.append(out)
            for store, value in zip(finals, state):
                store.append(value)
        layer_input = np.concatenate(outputs, axis=2)
        if dropout_masks is not None and layer < num_layers - 1:
            layer_input = layer_input * dropout_masks[layer]
    return layer_input, tuple(np.stack(f) for f in finals)


def arrays_of(module):
    return {k: v._array.copy() for k, v in module.state_dict().items()}


# ----------------------------------------------------------------------------- configurations

KINDS = {"rnn": (RNN, RNNCell), "lstm": (LSTM, LSTMCell), "gru": (GRU, GRUCell)}
SQUASH_NAMES = list(NP_SQUASH)


@st.composite
def lstm_variants(draw):
    return {
        "peephole": draw(st.booleans()),
        "gate_activation": draw(st.sampled_from(["sigmoid", "hard_sigmoid"])),
        "cell_activation": draw(st.sampled_from(SQUASH_NAMES)),
        "hidden_activation": draw(st.sampled_from(SQUASH_NAMES)),
    }


@st.composite
def options_for(draw, kind, variants=True):
    """The kind-specific constructor options: RNN nonlinearity, LSTM variants."""
    if kind == "rnn":
        return {"nonlinearity": draw(st.sampled_from(["tanh", "relu"]))}
    if kind == "lstm" and variants and draw(st.booleans()):
        return draw(lstm_variants())
    return {}


@st.composite
def layer_configs(draw, kind=None, variants=True):
    kind = kind or draw(st.sampled_from(sorted(KINDS)))
    return {
        "kind": kind,
        "batch": draw(st.integers(1, 3)),
        "steps": draw(st.integers(1, 5)),
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 4)),
        "num_layers": draw(st.integers(1, 2)),
        "bidirectional": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "with_state": draw(st.booleans()),
        "unbatched": draw(st.booleans()),
        "options": draw(options_for(kind, variants)),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build_layer(config, dtype=minigrad.float64):
    """The layer, its input tensor and initial state (None or Tensor(s)) for ``config``,
    plus the same input and state as NumPy arrays in (T, B, ...) layout."""
    minigrad.manual_seed(config["seed"])
    layer_class = KINDS[config["kind"]][0]
    layer = layer_class(
        config["input_size"],
        config["hidden_size"],
        num_layers=config["num_layers"],
        bias=config["bias"],
        batch_first=config["batch_first"],
        bidirectional=config["bidirectional"],
        dtype=dtype,
        **config["options"],
    )
    rng = np.random.default_rng(config["seed"])
    T, B, I, H = config["steps"], config["batch"], config["input_size"], config["hidden_size"]
    D = 2 if config["bidirectional"] else 1
    x = rng.standard_normal((T, B, I)) * 1.5
    count = 2 if config["kind"] == "lstm" else 1
    states = (
        tuple(rng.standard_normal((D * config["num_layers"], B, H)) for _ in range(count))
        if config["with_state"]
        else None
    )
    if config["unbatched"]:
        x_in = x[:, 0]
        states_in = None if states is None else tuple(s[:, 0] for s in states)
        x = x[:, :1]
        states = None if states is None else tuple(s[:, :1] for s in states)
    else:
        x_in = x.transpose(1, 0, 2) if config["batch_first"] else x
        states_in = states
    x_tensor = minigrad.tensor(x_in, dtype=dtype, requires_grad=True)
    if states_in is None:
        hx = None
    else:
        tensors = tuple(minigrad.tensor(s, dtype=dtype, requires_grad=True) for s in states_in)
        hx = tensors if count == 2 else tensors[0]
    return layer, x_tensor, hx, x, states


def flat_outputs(result):
    output, state = result
    return (output, *state) if isinstance(state, tuple) else (output, state)


def layer_outputs_as_numpy(config, result):
    """The layer's outputs in (T, B, D*H) / (D*L, B, H) layout, as arrays."""
    output, *states = [t._array for t in flat_outputs(result)]
    if config["unbatched"]:
        output = output[:, None]
        states = [s[:, None] for s in states]
    elif config["batch_first"]:
        output = output.transpose(1, 0, 2)
    return output, states


# ----------------------------------------------------------------------------- forward values


@given(layer_configs())
def test_layer_forward_matches_numpy(config):
    layer, x_tensor, hx, x, states = build_layer(config)
    output, finals = layer_outputs_as_numpy(config, layer(x_tensor, hx))
    expected_output, expected_finals = np_layer(
        config["kind"],
        arrays_of(layer),
        x,
        states,
        config["num_layers"],
        config["bidirectional"],
        config["options"],
    )
    D = 2 if config["bidirectional"] else 1
    assert output.shape == (config["steps"], x.shape[1], D * config["hidden_size"])
    np.testing.assert_allclose(output, expected_output, rtol=1e-10, atol=1e-12)
    assert len(finals) == len(expected_finals)
    for got, want in zip(finals, expected_finals):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@given(layer_configs(kind="lstm", variants=False), lstm_variants())
def test_lstm_variants_forward_matches_numpy(config, variants):
    config = {**config, "options": variants}
    layer, x_tensor, hx, x, states = build_layer(config)
    output, finals = layer_outputs_as_numpy(config, layer(x_tensor, hx))
    expected_output, expected_finals = np_layer(
        "lstm",
        arrays_of(layer),
        x,
        states,
        config["num_layers"],
        config["bidirectional"],
        variants,
    )
    np.testing.assert_allclose(output, expected_output, rtol=1e-10, atol=1e-12)
    for got, want in zip(finals, expected_finals):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@st.composite
def cell_configs(draw, kind=None, variants=True):
    kind = kind or draw(st.sampled_from(sorted(KINDS)))
    return {
        "kind": kind,
        "batch": draw(st.integers(1, 3)),
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 4)),
        "bias": draw(st.booleans()),
        "with_state": draw(st.booleans()),
        "unbatched": draw(st.booleans()),
        "options": draw(options_for(kind, variants)),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build_cell(config, dtype=minigrad.float64):
    minigrad.manual_seed(config["seed"])
    cell_class = KINDS[config["kind"]][1]
    cell = cell_class(
        config["input_size"],
        config["hidden_size"],
        bias=config["bias"],
        dtype=dtype,
        **config["options"],
    )
    rng = np.random.default_rng(config["seed"])
    B, I, H = config["batch"], config["input_size"], config["hidden_size"]
    lead = () if config["unbatched"] else (B,)
    x = rng.standard_normal(lead + (I,)) * 1.5
    count = 2 if config["kind"] == "lstm" else 1
    states = tuple(rng.standard_normal(lead + (H,)) for _ in range(count))
    x_tensor = minigrad.tensor(x, dtype=dtype, requires_grad=True)
    if config["with_state"]:
        tensors = tuple(minigrad.tensor(s, dtype=dtype, requires_grad=True) for s in states)
        hx = tensors if count == 2 else tensors[0]
    else:
        hx = None
        states = tuple(np.zeros(lead + (H,)) for _ in range(count))
    return cell, x_tensor, hx, x, states


@given(cell_configs())
def test_cell_forward_matches_numpy(config):
    cell, x_tensor, hx, x, states = build_cell(config)
    result = cell(x_tensor, hx)
    p = arrays_of(cell)
    if config["kind"] == "lstm":
        h, c = result
        want_h, want_c = np_lstm_step(p, x, states, config["options"])
        np.testing.assert_allclose(c._array, want_c, rtol=1e-10, atol=1e-12)
    else:
        h = result
        want_h = NP_STEPS[config["kind"]](p, x, states[0], config["options"])
    assert h.shape == want_h.shape
    np.testing.assert_allclose(h._array, want_h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unbatched_equals_a_batch_of_one(kind):
    config = {
        "kind": kind,
        "batch": 1,
        "steps": 4,
        "input_size": 3,
        "hidden_size": 2,
        "num_layers": 2,
        "bidirectional": True,
        "batch_first": False,
        "bias": True,
        "with_state": True,
        "unbatched": True,
        "options": {},
        "seed": 7,
    }
    layer, x_tensor, hx, _, _ = build_layer(config)
    unbatched = flat_outputs(layer(x_tensor, hx))
    hx_batched = (
        None
        if hx is None
        else (tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(1))
    )
    batched = flat_outputs(layer(x_tensor.unsqueeze(1), hx_batched))
    for a, b in zip(unbatched, batched):
        assert a.shape == b.squeeze(1).shape
        np.testing.assert_array_equal(a._array, b.squeeze(1)._array)


def test_sequence_layer_of_one_step_is_the_cell():
    minigrad.manual_seed(3)
    for layer_class, cell_class in KINDS.values():
        layer = layer_class(3, 4, dtype=minigrad.float64)
        cell = cell_class(3, 4, dtype=minigrad.float64)
        cell.load_state_dict({k[: -len("_l0")]: v for k, v in layer.state_dict().items()})
        x = minigrad.randn(2, 3, dtype=minigrad.float64)
        output, state = layer(x.unsqueeze(0))
        step = cell(x)
        h = step[0] if isinstance(step, tuple) else step
        np.testing.assert_array_equal(output._array[0], h._array)


def test_float32_by_default_and_after_double():
    for layer_class, cell_class in KINDS.values():
        layer = layer_class(3, 2)
        assert all(p.dtype == np.float32 for p in layer.parameters())
        output, _ = layer(minigrad.randn(2, 1, 3))
        assert output.dtype == np.float32
        layer.double()
        output, _ = layer(minigrad.randn(2, 1, 3, dtype=minigrad.float64))
        assert output.dtype == np.float64
        cell = cell_class(3, 2)
        h = cell(minigrad.randn(3))
        assert (h[0] if isinstance(h, tuple) else h).dtype == np.float32


# ----------------------------------------------------------------------------- gradients


def checked_inputs(module, x_tensor, hx):
    states = () if hx is None else (tuple(hx) if isinstance(hx, tuple) else (hx,))
    return (x_tensor, *states, *module.parameters())


def test_gradcheck_catches_a_wrong_gradient():
    """The gradient tests below can fail: a cell whose backward is wrong is caught."""

    class Scaled(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x._array * 2.0

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.1  # wrong on purpose

    cell = RNNCell(2, 2, dtype=minigrad.float64)
    x = minigrad.randn(1, 2, dtype=minigrad.float64, requires_grad=True)
    with pytest.raises(AssertionError):
        gradcheck(lambda *args: cell(Scaled.apply(x)), checked_inputs(cell, x, None))


@settings(max_examples=25)
@given(cell_configs())
def test_cell_gradcheck(config):
    cell, x_tensor, hx, _, _ = build_cell(config)
    inputs = checked_inputs(cell, x_tensor, hx)

    def run(*_):
        result = cell(x_tensor, hx)
        return result if isinstance(result, tuple) else (result,)

    assert gradcheck(run, inputs)


@settings(max_examples=12)
@given(layer_configs(variants=False))
def test_layer_gradcheck(config):
    layer, x_tensor, hx, _, _ = build_layer(config)
    inputs = checked_inputs(layer, x_tensor, hx)
    assert gradcheck(lambda *_: flat_outputs(layer(x_tensor, hx)), inputs)


@settings(max_examples=12)
@given(layer_configs(kind="lstm", variants=False), lstm_variants())
def test_lstm_variants_gradcheck(config, variants):
    config = {**config, "options": variants}
    layer, x_tensor, hx, _, _ = build_layer(config)
    inputs = checked_inputs(layer, x_tensor, hx)
    assert gradcheck(lambda *_: flat_outputs(layer(x_tensor, hx)), inputs)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_layer_full_jacobian_small(kind):
    """One small configuration with the whole Jacobian (not only projections)."""
    config = {
        "kind": kind,
        "batch": 2,
        "steps": 3,
        "input_size": 2,
        "hidden_size": 2,
        "num_layers": 2,
        "bidirectional": True,
        "batch_first": True,
        "bias": True,
        "with_state": True,
        "unbatched": False,
        "options": {},
        "seed": 11,
    }
    layer, x_tensor, hx, _, _ = build_layer(config)
    inputs = checked_inputs(layer, x_tensor, hx)
    assert gradcheck(lambda *_: flat_outputs(layer(x_tensor, hx)), inputs, max_jacobian_size=10**6)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cell_second_derivatives(kind):
    """The cells are compositions of ops whose backward is differentiable."""
    minigrad.manual_seed(5)
    cell = KINDS[kind][1](2, 2, dtype=minigrad.float64)
    x = minigrad.randn(2, 2, dtype=minigrad.float64, requires_grad=True)
    h = minigrad.randn(2, 2, dtype=minigrad.float64, requires_grad=True)
    c = minigrad.randn(2, 2, dtype=minigrad.float64, requires_grad=True)
    hx = (h, c) if kind == "lstm" else h
    inputs = (x, h, c) if kind == "lstm" else (x, h)

    def run(*_):
        result = cell(x, hx)
        return result if isinstance(result, tuple) else (result,)

    assert gradgradcheck(run, inputs)


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("kind,gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_parameter_names_shapes_and_init(kind, gates):
    minigrad.manual_seed(0)
    layer = KINDS[kind][0](5, 16, num_layers=2, bidirectional=True)
    shapes = {name: p.shape for name, p in layer.named_parameters()}
    expected = {}
    for k in range(2):
        for suffix in ("", "_reverse"):
            expected[f"weight_ih_l{k}{suffix}"] = (gates * 16, 5 if k == 0 else 32)
            expected[f"weight_hh_l{k}{suffix}"] = (gates * 16, 16)
            expected[f"bias_ih_l{k}{suffix}"] = (gates * 16,)
            expected[f"bias_hh_l{k}{suffix}"] = (gates * 16,)
    assert shapes == expected
    assert list(shapes) == list(expected)  # PyTorch's order
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p._array.ravel() for p in layer.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.8 * bound and values.max() > 0.8 * bound  # really uniform
    cell = KINDS[kind][1](5, 16, bias=False)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert cell.weight_ih.shape == (gates * 16, 5) and cell.bias_ih is None


def test_lstm_peephole_parameters():
    layer = LSTM(3, 4, num_layers=2, bidirectional=True, peephole=True)
    names = [n for n, _ in layer.named_parameters()]
    for k in range(2):
        for suffix in ("", "_reverse"):
            for w in ("weight_ci", "weight_cf", "weight_co"):
                assert getattr(layer, f"{w}_l{k}{suffix}").shape == (4,)
                assert f"{w}_l{k}{suffix}" in names
    cell = LSTMCell(3, 4, peephole=True)
    assert cell.weight_co.shape == (4,)
    assert not hasattr(LSTMCell(3, 4), "weight_co")


def test_forget_bias_goes_to_bias_ih_forget_slice():
    minigrad.manual_seed(1)
    plain = LSTM(3, 4, num_layers=2)
    minigrad.manual_seed(1)
    biased = LSTM(3, 4, num_layers=2, forget_bias=1.0)
    for name, p in plain.named_parameters():
        q = getattr(biased, name)
        difference = q._array - p._array
        expected = np.zeros_like(difference)
        if name.startswith("bias_ih"):
            expected[4:8] = 1.0
        np.testing.assert_allclose(difference, expected, atol=1e-6)
    minigrad.manual_seed(1)
    cell = LSTMCell(3, 4, forget_bias=2.0)
    assert np.all(cell.bias_ih._array[4:8] > 2.0 - 0.5 - 1e-6)
    assert np.all(np.abs(cell.bias_ih._array[:4]) <= 0.5)


def test_state_dict_round_trip_and_parameters_are_used():
    minigrad.manual_seed(2)
    a = GRU(3, 4, num_layers=2, bidirectional=True, dtype=minigrad.float64)
    b = GRU(3, 4, num_layers=2, bidirectional=True, dtype=minigrad.float64)
    x = minigrad.randn(5, 2, 3, dtype=minigrad.float64)
    assert not np.allclose(a(x)[0]._array, b(x)[0]._array)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x)[0]._array, b(x)[0]._array)
    # Every parameter receives a gradient (the layer really runs on its own parameters).
    out, h_n = b(x)
    (out.sum() + h_n.sum()).backward()
    assert all(p.grad is not None and np.any(p.grad._array != 0) for p in b.parameters())


def test_extra_repr():
    assert repr(RNNCell(3, 4)) == "RNNCell(3, 4)"
    assert repr(RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    )
    assert repr(GRU(3, 4, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)) == (
        "GRU(3, 4, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)"
    )
    assert repr(LSTM(3, 4)) == "LSTM(3, 4)"
    assert repr(LSTM(3, 4, peephole=True, gate_activation="hard_sigmoid", forget_bias=1)) == (
        "LSTM(3, 4, peephole=True, gate_activation=hard_sigmoid, forget_bias=1.0)"
    )
    assert repr(LSTMCell(3, 4, cell_activation="scaled_sigmoid_4")) == (
        "LSTMCell(3, 4, cell_activation=scaled_sigmoid_4)"
    )


# ----------------------------------------------------------------------------- dropout


def test_dropout_between_layers_in_training_only():
    config = {
        "kind": "lstm",
        "batch": 2,
        "steps": 4,
        "input_size": 3,
        "hidden_size": 5,
        "num_layers": 3,
        "bidirectional": True,
        "batch_first": False,
        "bias": True,
        "with_state": False,
        "unbatched": False,
        "options": {},
        "seed": 4,
    }
    layer, x_tensor, hx, x, states = build_layer(config)
    layer.dropout = 0.5
    params = arrays_of(layer)
    reference, reference_finals = np_layer("lstm", params, x, None, 3, True, {})

    layer.eval()
    output, (h_n, c_n) = layer(x_tensor)
    np.testing.assert_allclose(output._array, reference, rtol=1e-10)

    layer.train()
    minigrad.manual_seed(9)
    first, (h_first, _) = layer(x_tensor)
    minigrad.manual_seed(9)
    again, _ = layer(x_tensor)
    np.testing.assert_array_equal(first._array, again._array)  # the generator drives the mask
    assert not np.allclose(first._array, reference)
    # The first layer's own final states are computed before any dropout.
    np.testing.assert_allclose(h_first._array[:2], reference_finals[0][:2], rtol=1e-10)

    # dropout=1 zeroes everything fed upward: the last layer sees only zeros.
    layer.dropout = 1.0
    output, _ = layer(x_tensor)
    zeros_in = np.zeros((4, 2, 10))
    top = {k.replace("_l2", "_l0"): v for k, v in params.items() if "_l2" in k}
    expected, _ = np_layer("lstm", top, zeros_in, None, 1, True, {})
    np.testing.assert_allclose(output._array, expected, rtol=1e-10)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers=1"):
        RNN(2, 3, dropout=0.2)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda: RNN(3, 4, nonlinearity="sigmoid"), "nonlinearity"),
        (lambda: RNNCell(3, 4, nonlinearity="gelu"), "nonlinearity"),
        (lambda: LSTM(3, 4, gate_activation="tanh"), "gate_activation"),
        (lambda: LSTMCell(3, 4, cell_activation="swish"), "cell_activation"),
        (lambda: LSTM(3, 4, hidden_activation="softsign"), "hidden_activation"),
        (lambda: LSTM(3, 4, proj_size=4), "proj_size"),
        (lambda: LSTM(3, 4, bias=False, forget_bias=1.0), "forget_bias"),
        (lambda: GRU(3, 4, dropout=1.5), "dropout"),
        (lambda: GRU(3, 0), "hidden_size"),
        (lambda: GRU(3, 4, num_layers=0), "num_layers"),
        (lambda: GRUCell(0, 4), "input_size"),
    ],
)
def test_constructor_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_constructor_type_errors():
    with pytest.raises(TypeError, match="hidden_size"):
        LSTM(3, 4.0)
    with pytest.raises(TypeError, match="dtype"):
        GRU(3, 4, dtype=minigrad.int64)


def expect_error(error, match, function, *args):
    with pytest.raises(error, match=match):
        function(*args)


def test_layer_input_errors():
    layer = LSTM(3, 4, num_layers=2, dtype=minigrad.float64)
    before = {k: v._array.copy() for k, v in layer.state_dict().items()}
    x = minigrad.randn(5, 2, 3, dtype=minigrad.float64)
    h = minigrad.zeros(2, 2, 4, dtype=minigrad.float64)
    expect_error(ValueError, r"\(seq_len, batch, 3\).*\(5, 2, 3, 1\)", layer, x.unsqueeze(-1))
    expect_error(ValueError, r"got \(5\,\)", layer, minigrad.randn(5, dtype=minigrad.float64))
    expect_error(ValueError, r"got \(5, 2, 2\)", layer, minigrad.randn(5, 2, 2, dtype="float64"))
    expect_error(TypeError, "float32.*float64", layer, minigrad.randn(5, 2, 3))
    expect_error(TypeError, "must be a Tensor", layer, np.zeros((5, 2, 3)))
    expect_error(ValueError, r"h_0 of shape \(2, 2, 4\).*got \(1, 2, 4\)", layer, x, (h[:1], h))
    expect_error(ValueError, r"c_0 of shape \(2, 2, 4\).*got \(2, 4\)", layer, x, (h, h[0]))
    expect_error(TypeError, "tuple", layer, x, h)
    expect_error(TypeError, "both", layer, x, (h, None))
    expect_error(ValueError, "non-empty", layer, minigrad.zeros(0, 2, 3, dtype="float64"))
    # Unbatched input needs unbatched states.
    expect_error(ValueError, r"\(2, 4\)", layer, x[:, 0], (h, h))
    gru = GRU(3, 4, batch_first=True)
    expect_error(ValueError, r"\(batch, seq_len, 3\)", gru, minigrad.randn(2, 5, 4))
    expect_error(TypeError, "Tensor or None", gru, minigrad.randn(2, 5, 3), (None,))
    expect_error(
        ValueError,
        r"hx of shape \(1, 2, 4\)",
        gru,
        minigrad.randn(2, 5, 3),
        minigrad.zeros(1, 5, 4),
    )
    assert all(np.array_equal(before[k], v._array) for k, v in layer.state_dict().items())


def test_cell_input_errors():
    cell = LSTMCell(3, 4)
    x = minigrad.randn(2, 3)
    expect_error(ValueError, r"\(batch, 3\) or \(3,\), got \(2, 2\)", cell, minigrad.randn(2, 2))
    expect_error(ValueError, r"got \(1, 2, 3\)", cell, minigrad.randn(1, 2, 3))
    expect_error(ValueError, r"h_0 of shape \(2, 4\)", cell, x, (minigrad.zeros(3, 4),) * 2)
    expect_error(
        ValueError, r"c_0 of shape \(4,\)", cell, x[0], (minigrad.zeros(4), minigrad.zeros(2, 4))
    )
    expect_error(TypeError, "float64", cell, x.double())
    expect_error(
        TypeError,
        "h_0 has dtype float64",
        cell,
        x,
        (minigrad.zeros(2, 4, dtype="float64"), minigrad.zeros(2, 4)),
    )
    rnn = RNNCell(3, 4)
    expect_error(ValueError, r"hx of shape \(2, 4\)", rnn, x, minigrad.zeros(4))
    expect_error(TypeError, "Tensor or None", rnn, x, (minigrad.zeros(2, 4),))
    expect_error(TypeError, "int64", GRUCell(3, 4), minigrad.zeros(2, 3, dtype="int64"))
