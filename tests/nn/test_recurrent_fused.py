"""The fused recurrent layers and cells (minigrad.ops.recurrent) against the written-out
equations they replace.

* Hypothesis, float64: for every configuration (kind, ReLU RNN, layers, directions,
  bias, batch_first, unbatched input, initial states given or not, one step or several)
  the fused path and the written-out path agree in outputs, final states and the
  gradients of the input, the initial states and every parameter, under a random
  upstream gradient on every output. Both engines of the fused path run: the whole
  recurrence in one Numba call and the Python loop with BLAS products.
* ``gradcheck`` on the fused Function itself, both engines, forward and reverse runs.
  The LSTM's variants (peepholes, gate, candidate and cell-output activations) are
  drawn too: every one takes the fused path.
* Higher derivatives (``create_graph=True``) fall back to the written-out equations and
  agree with them; the switches (``fused=False``, ``set_fused_enabled``) choose the
  written-out path; an in-place change of a saved output is caught.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn import recurrent
from minigrad.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from minigrad.ops import recurrent as fused_ops
from minigrad.testing import gradcheck

LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


ENGINES = ["compiled", "blas"]


@contextlib.contextmanager
def engine_used(name):
    """Run the fused path on one engine: every recurrence in one Numba call
    ("compiled"), or every one through the Python loop with BLAS products ("blas")."""
    limit = 10**12 if name == "compiled" else -1
    saved = fused_ops._COMPILED_MAX_WORK, fused_ops._COMPILED_MAX_WORK_ROW
    fused_ops._COMPILED_MAX_WORK = fused_ops._COMPILED_MAX_WORK_ROW = limit
    try:
        yield
    finally:
        fused_ops._COMPILED_MAX_WORK, fused_ops._COMPILED_MAX_WORK_ROW = saved


def node_names(tensors):
    """The names of every node in the graphs of ``tensors``."""
    seen, names = set(), set()
    stack = [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.add(type(node).__name__)
        stack.extend(parent for parent, _ in node.next_functions if parent is not None)
    return names


@st.composite
def cell_options(draw, kind):
    """The options of a cell kind: the RNN's nonlinearity, the LSTM's variants."""
    if kind == "rnn":
        return {"nonlinearity": draw(st.sampled_from(sorted(recurrent.RNN_NONLINEARITIES)))}
    if kind == "lstm":
        squashing = st.sampled_from(sorted(recurrent.SQUASHING_ACTIVATIONS))
        return {
            "peephole": draw(st.booleans()),
            "gate_activation": draw(st.sampled_from(sorted(recurrent.GATE_ACTIVATIONS))),
            "cell_activation": draw(squashing),
            "hidden_activation": draw(squashing),
        }
    return {}


@st.composite
def layer_configs(draw):
    kind = draw(st.sampled_from(sorted(LAYERS)))
    return {
        "kind": kind,
        "options": draw(cell_options(kind)),
        "steps": draw(st.integers(1, 5)),
        "batch": draw(st.integers(1, 3)),
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 5)),
        "num_layers": draw(st.integers(1, 3)),
        "bidirectional": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "unbatched": draw(st.booleans()),
        "initial_state": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build_layer(config, fused, dtype=minigrad.float64):
    options = config["options"]
    minigrad.manual_seed(config["seed"])
    return LAYERS[config["kind"]](
        config["input_size"],
        config["hidden_size"],
        num_layers=config["num_layers"],
        bias=config["bias"],
        batch_first=config["batch_first"],
        bidirectional=config["bidirectional"],
        dtype=dtype,
        fused=fused,
        **options,
    )


def layer_inputs(config, dtype=np.float64):
    rng = np.random.default_rng(config["seed"])
    steps, batch = config["steps"], config["batch"]
    if config["unbatched"]:
        shape = (steps, config["input_size"])
    elif config["batch_first"]:
        shape = (batch, steps, config["input_size"])
    else:
        shape = (steps, batch, config["input_size"])
    x = rng.uniform(-2, 2, shape).astype(dtype)
    states = []
    if config["initial_state"]:
        stacked = config["num_layers"] * (2 if config["bidirectional"] else 1)
        state_shape = (stacked, config["hidden_size"])
        if not config["unbatched"]:
            state_shape = (stacked, batch, config["hidden_size"])
        count = 2 if config["kind"] == "lstm" else 1
        states = [rng.uniform(-1, 1, state_shape).astype(dtype) for _ in range(count)]
    return x, states


def run_layer(config, fused, dtype=minigrad.float64):
    """Outputs, final states and every gradient, under random upstream gradients."""
    layer = build_layer(config, fused, dtype)
    x_array, state_arrays = layer_inputs(config, np.dtype(dtype.name))
    x = minigrad.tensor(x_array, requires_grad=True)
    states = [minigrad.tensor(s, requires_grad=True) for s in state_arrays]
    hx = None
    if states:
        hx = tuple(states) if config["kind"] == "lstm" else states[0]
    output, final = layer(x, hx)
    finals = list(final) if isinstance(final, tuple) else [final]
    rng = np.random.default_rng(config["seed"] + 1)
    results = [output, *finals]
    loss = sum(
        (r * minigrad.tensor(rng.standard_normal(r.shape).astype(r._array.dtype))).sum()
        for r in results
    )
    loss.backward()
    grads = [x.grad] + [s.grad for s in states] + [p.grad for p in layer.parameters()]
    return [r._array for r in results] + [g._array for g in grads], node_names(results)


@pytest.mark.parametrize("engine", ENGINES)
@given(config=layer_configs())
def test_fused_layer_matches_written_out(engine, config):
    with engine_used(engine):
        fused, fused_nodes = run_layer(config, fused=True)
    written, written_nodes = run_layer(config, fused=False)
    assert "Recurrence" in fused_nodes and "Recurrence" not in written_nodes
    assert len(fused) == len(written)
    for got, expected in zip(fused, written):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=10)
@given(config=layer_configs())
def test_fused_layer_float32_matches_written_out(engine, config):
    with engine_used(engine):
        fused, _ = run_layer(config, fused=True, dtype=minigrad.float32)
    written, _ = run_layer(config, fused=False, dtype=minigrad.float32)
    for got, expected in zip(fused, written):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@st.composite
def cell_configs(draw):
    kind = draw(st.sampled_from(sorted(CELLS)))
    return {
        "kind": kind,
        "options": draw(cell_options(kind)),
        "batch": draw(st.integers(1, 4)),
        "input_size": draw(st.integers(1, 4)),
        "hidden_size": draw(st.integers(1, 6)),
        "bias": draw(st.booleans()),
        "unbatched": draw(st.booleans()),
        "initial_state": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def run_cell(config, fused):
    """A cell looped by hand over three steps: states, and every gradient."""
    options = config["options"]
    minigrad.manual_seed(config["seed"])
    cell = CELLS[config["kind"]](
        config["input_size"],
        config["hidden_size"],
        bias=config["bias"],
        dtype=minigrad.float64,
        fused=fused,
        **options,
    )
    rng = np.random.default_rng(config["seed"])
    lead = () if config["unbatched"] else (config["batch"],)
    xs = [
        minigrad.tensor(rng.uniform(-2, 2, (*lead, config["input_size"])), requires_grad=True)
        for _ in range(3)
    ]
    count = 2 if config["kind"] == "lstm" else 1
    starts = []
    state = None
    if config["initial_state"]:
        starts = [
            minigrad.tensor(rng.uniform(-1, 1, (*lead, config["hidden_size"])), requires_grad=True)
            for _ in range(count)
        ]
        state = tuple(starts) if count == 2 else starts[0]
    for x in xs:
        state = cell(x, state)
    finals = list(state) if isinstance(state, tuple) else [state]
    loss = sum((f * minigrad.tensor(rng.standard_normal(f.shape))).sum() for f in finals)
    loss.backward()
    leaves = xs + starts + list(cell.parameters())
    return [f._array for f in finals] + [t.grad._array for t in leaves], node_names(finals)


@given(cell_configs())
def test_fused_cell_matches_written_out(config):
    fused, fused_nodes = run_cell(config, fused=True)
    written, written_nodes = run_cell(config, fused=False)
    assert "Recurrence" in fused_nodes and "Recurrence" not in written_nodes
    for got, expected in zip(fused, written):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def _recurrence_inputs(kind, steps, batch, features, hidden, bias, peephole, seed):
    rng = np.random.default_rng(seed)
    width = fused_ops.GATES[kind] * hidden

    def leaf(*shape, scale=1.0):
        return minigrad.tensor(rng.uniform(-scale, scale, shape), requires_grad=True)

    x = leaf(steps, batch, features, scale=2.0)
    w_ih, w_hh = leaf(width, features), leaf(width, hidden)
    b_ih, b_hh = (leaf(width), leaf(width)) if bias else (None, None)
    h0 = leaf(batch, hidden)
    c0 = leaf(batch, hidden) if kind == "lstm" else None
    peepholes = (leaf(hidden), leaf(hidden), leaf(hidden)) if peephole else (None, None, None)
    return x, w_ih, w_hh, b_ih, b_hh, h0, c0, *peepholes


LSTM_VARIANTS = [
    {},
    {"peephole": True},
    {"peephole": True, "cell_activation": "elu", "hidden_activation": "scaled_sigmoid_2"},
    {"gate_activation": "hard_sigmoid", "cell_activation": "leaky_relu"},
    {"cell_activation": "scaled_sigmoid_4", "hidden_activation": "relu"},
]
FUNCTION_CASES = [
    ("rnn", {"nonlinearity": "tanh"}),
    ("rnn", {"nonlinearity": "relu"}),
    ("gru", {}),
] + [("lstm", variant) for variant in LSTM_VARIANTS]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind,options", FUNCTION_CASES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_on_the_fused_function(engine, kind, options, reverse, bias):
    peephole = options.get("peephole", False)
    inputs = _recurrence_inputs(kind, 3, 2, 3, 4, bias, peephole, seed=7)
    present = [t for t in inputs if t is not None]
    module = LAYERS[kind](3, 4, bias=bias, **options)

    def run(*tensors):
        it = iter(tensors)
        args = [next(it) if t is not None else None for t in inputs]
        written_out = recurrent._written_out(
            LAYERS[kind].cell_class, (3, 4, bias), module._cell_options(), reverse
        )
        peepholes = tuple(args[7:]) if peephole else None
        return fused_ops.fused_recurrence(
            kind, *args[:7], reverse, recurrent._activations(module), written_out, peepholes
        )

    # (ReLU, hard sigmoid: with these fixed draws no pre-activation is within eps of a
    # kink.)
    with engine_used(engine):
        assert gradcheck(run, tuple(present))


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_create_graph_uses_the_written_out_equations(kind):
    """Second derivatives through a fused layer equal those of the written-out layer."""
    config = {
        "kind": kind, "options": {}, "steps": 3, "batch": 2, "input_size": 2,
        "hidden_size": 3, "num_layers": 2, "bidirectional": True, "bias": True,
        "batch_first": False, "unbatched": False, "initial_state": True, "seed": 3,
    }  # fmt: skip
    results = []
    for fused in (True, False):
        layer = build_layer(config, fused)
        x_array, _ = layer_inputs(config)
        x = minigrad.tensor(x_array, requires_grad=True)
        output, _ = layer(x)
        (grad_x,) = minigrad.grad((output**2).sum(), x, create_graph=True)
        (grad_grad,) = minigrad.grad((grad_x**2).sum(), x)
        results.append((grad_x._array, grad_grad._array))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


def test_switches_select_the_written_out_path():
    x = minigrad.randn(4, 2, 3)
    assert "Recurrence" in node_names([LSTM(3, 5)(x)[0]])
    assert "Recurrence" not in node_names([LSTM(3, 5, fused=False)(x)[0]])
    recurrent.set_fused_enabled(False)
    try:
        assert not recurrent.is_fused_enabled()
        assert "Recurrence" not in node_names([GRU(3, 5)(x)[0]])
        assert "Recurrence" not in node_names([RNNCell(3, 5)(x[0])])
    finally:
        recurrent.set_fused_enabled(True)
    assert recurrent.is_fused_enabled()
    assert "Recurrence" in node_names([RNNCell(3, 5)(x[0])])


@pytest.mark.parametrize("variant", LSTM_VARIANTS[1:] + [{"forget_bias": 1.0}])
def test_lstm_variants_take_the_fused_path(variant):
    x = minigrad.randn(4, 2, 3)
    assert "Recurrence" in node_names([LSTM(3, 5, **variant)(x)[0]])
    assert "Recurrence" in node_names(list(LSTMCell(3, 5, **variant)(x[0])))


def test_in_place_change_of_the_output_is_caught():
    layer = GRU(3, 4)
    output, _ = layer(minigrad.randn(5, 2, 3))
    loss = output.sum()
    # The output's array is what the backward pass reads: changing it must be caught.
    with minigrad.no_grad():
        output.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_no_grad_records_nothing_and_matches():
    layer = LSTM(3, 4, num_layers=2)
    x = minigrad.randn(5, 2, 3)
    with minigrad.no_grad():
        output, (h_n, c_n) = layer(x)
    assert output.grad_fn is None and not output.requires_grad
    layer.fused = False
    with minigrad.no_grad():
        written, (h_written, c_written) = layer(x)
    np.testing.assert_allclose(h_n._array, h_written._array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(output._array, written._array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_n._array, c_written._array, rtol=1e-5, atol=1e-6)
