"""minigrad.nn.utils.rnn and packed input to the recurrent layers, against torch
(skipped when PyTorch is not installed): values, lengths, indices and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn.utils import rnn as ours_rnn

torch = pytest.importorskip("torch")
theirs_rnn = torch.nn.utils.rnn


@st.composite
def batches(draw, distinct=False):
    """Distinct lengths when the sort order must match torch's (its sort is not stable)."""
    batch = draw(st.integers(1, 4))
    if distinct:
        lengths = draw(st.lists(st.integers(1, 6), min_size=batch, max_size=batch, unique=True))
    else:
        lengths = draw(st.lists(st.integers(1, 6), min_size=batch, max_size=batch))
    return lengths, draw(st.booleans()), draw(st.integers(0, 2**16))


@settings(max_examples=25, deadline=None)
@given(batches(distinct=True))
def test_pack_and_pad_match_torch(setting):
    lengths, batch_first, seed = setting
    rng = np.random.default_rng(seed)
    steps = max(lengths) + int(rng.integers(0, 2))
    shape = (len(lengths), steps, 3) if batch_first else (steps, len(lengths), 3)
    x = rng.standard_normal(shape)
    ours_x = minigrad.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours = ours_rnn.pack_padded_sequence(ours_x, lengths, batch_first, enforce_sorted=False)
    theirs = theirs_rnn.pack_padded_sequence(theirs_x, lengths, batch_first, enforce_sorted=False)
    np.testing.assert_array_equal(ours.data._array, theirs.data.detach().numpy())
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        assert getattr(ours, field).tolist() == getattr(theirs, field).tolist(), field
    total = steps + 1
    ours_padded, ours_lengths = ours_rnn.pad_packed_sequence(ours, batch_first, -1.0, total)
    theirs_padded, theirs_lengths = theirs_rnn.pad_packed_sequence(theirs, batch_first, -1.0, total)
    np.testing.assert_array_equal(ours_padded._array, theirs_padded.detach().numpy())
    assert ours_lengths.tolist() == theirs_lengths.tolist()
    upstream = rng.standard_normal(ours_padded.shape)
    ours_padded.backward(minigrad.tensor(upstream))
    theirs_padded.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours_x.grad._array, theirs_x.grad.numpy())


@settings(max_examples=25, deadline=None)
@given(batches(), st.sampled_from(["left", "right"]), st.floats(-2, 2))
def test_pad_sequence_and_pack_sequence_match_torch(setting, side, value):
    lengths, batch_first, seed = setting
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, 2)) for n in lengths]
    ours_items = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs_items = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = ours_rnn.pad_sequence(ours_items, batch_first, value, side)
    theirs = theirs_rnn.pad_sequence(theirs_items, batch_first, value, side)
    np.testing.assert_array_equal(ours._array, theirs.detach().numpy())
    upstream = rng.standard_normal(ours.shape)
    ours.backward(minigrad.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    for a, b in zip(ours_items, theirs_items):
        np.testing.assert_array_equal(a.grad._array, b.grad.numpy())
    ours_packed = ours_rnn.pack_sequence(ours_items, enforce_sorted=False)
    theirs_packed = theirs_rnn.pack_sequence(theirs_items, enforce_sorted=False)
    assert ours_packed.batch_sizes.tolist() == theirs_packed.batch_sizes.tolist()
    for a, b in zip(
        ours_rnn.unpack_sequence(ours_packed), theirs_rnn.unpack_sequence(theirs_packed)
    ):
        np.testing.assert_array_equal(a._array, b.detach().numpy())


# --------------------------------------------------------------------------- packed layers

LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def flat(result):
    output, state = result
    return [output, *(state if isinstance(state, tuple) else (state,))]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["rnn", "lstm", "gru"]),
    batches(),
    st.integers(1, 2),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_layers_on_packed_input_match_torch(
    kind, setting, layers, bidirectional, with_state, fused
):
    """Unsorted lengths (enforce_sorted=False) through both libraries from the same
    weights: padded-back outputs, h_n (c_n) and the gradients of the input, the initial
    states and every parameter, float64."""
    from minigrad.nn import recurrent

    lengths, batch_first, seed = setting
    rng = np.random.default_rng(seed)
    kwargs = {
        "input_size": 3,
        "hidden_size": int(rng.integers(1, 4)),
        "num_layers": layers,
        "bidirectional": bidirectional,
        "batch_first": batch_first,  # ignored for packed input, by both
    }
    theirs = getattr(torch.nn, LAYERS[kind])(**kwargs, dtype=torch.float64)
    ours = getattr(minigrad.nn, LAYERS[kind])(**kwargs, dtype="float64", fused=fused)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    batch, steps = len(lengths), max(lengths)
    x = rng.standard_normal((batch, steps, 3) if batch_first else (steps, batch, 3))
    stacked = layers * (2 if bidirectional else 1)
    count = 2 if kind == "lstm" else 1
    states = [rng.standard_normal((stacked, batch, kwargs["hidden_size"])) for _ in range(count)]
    states = states if with_state else []
    ours_x, theirs_x = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_h = [minigrad.tensor(s, requires_grad=True) for s in states]
    theirs_h = [torch.tensor(s, requires_grad=True) for s in states]

    def hx(values):
        return None if not values else tuple(values) if count == 2 else values[0]

    ours_out = flat(
        ours(
            ours_rnn.pack_padded_sequence(ours_x, lengths, batch_first, enforce_sorted=False),
            hx(ours_h),
        )
    )
    theirs_out = flat(
        theirs(
            theirs_rnn.pack_padded_sequence(theirs_x, lengths, batch_first, enforce_sorted=False),
            hx(theirs_h),
        )
    )
    assert isinstance(ours_out[0], ours_rnn.PackedSequence)
    assert ours_out[0].batch_sizes.tolist() == theirs_out[0].batch_sizes.tolist()
    ours_out[0] = ours_rnn.pad_packed_sequence(ours_out[0], batch_first)[0]
    theirs_out[0] = theirs_rnn.pad_packed_sequence(theirs_out[0], batch_first)[0]
    for a, b in zip(ours_out, theirs_out):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a._array, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = [rng.standard_normal(a.shape) for a in ours_out]
    minigrad.backward(ours_out, [minigrad.tensor(u) for u in upstream])
    torch.autograd.backward(theirs_out, [torch.tensor(u) for u in upstream])
    pairs = [(ours_x, theirs_x), *zip(ours_h, theirs_h)]
    theirs_parameters = dict(theirs.named_parameters())
    pairs += [(p, theirs_parameters[name]) for name, p in ours.named_parameters()]
    for a, b in pairs:
        np.testing.assert_allclose(a.grad._array, b.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert recurrent.is_fused_enabled()


# --------------------------------------------------------------------------- LSTM projections


@settings(max_examples=30, deadline=None)
@given(
    batches(),
    st.integers(1, 2),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["padded", "packed", "unbatched"]),
)
def test_lstm_with_projections_matches_torch(
    setting, layers, bidirectional, bias, with_state, form
):
    """proj_size: the same state_dict keys and shapes, and equal outputs, (h_n, c_n) and
    gradients of input, states and all parameters, padded, packed or unbatched."""
    lengths, batch_first, seed = setting
    rng = np.random.default_rng(seed)
    hidden = int(rng.integers(2, 5))
    kwargs = {
        "input_size": 3,
        "hidden_size": hidden,
        "num_layers": layers,
        "bias": bias,
        "batch_first": batch_first,
        "bidirectional": bidirectional,
        "proj_size": int(rng.integers(1, hidden)),
    }
    theirs = torch.nn.LSTM(**kwargs, dtype=torch.float64)
    ours = minigrad.nn.LSTM(**kwargs, dtype="float64")
    assert repr(ours) == repr(theirs)
    theirs_state = theirs.state_dict()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs_state.items()
    ]
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs_state.items()})
    batch, steps = len(lengths), max(lengths)
    if form == "unbatched":
        shape = (steps, 3)
    else:
        shape = (batch, steps, 3) if batch_first else (steps, batch, 3)
    x = rng.standard_normal(shape)
    stacked = layers * (2 if bidirectional else 1)
    lead = (stacked,) if form == "unbatched" else (stacked, batch)
    states = [
        rng.standard_normal((*lead, kwargs["proj_size"])),
        rng.standard_normal((*lead, hidden)),
    ]
    states = states if with_state else []
    ours_x, theirs_x = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_h = [minigrad.tensor(s, requires_grad=True) for s in states]
    theirs_h = [torch.tensor(s, requires_grad=True) for s in states]
    ours_in, theirs_in = ours_x, theirs_x
    if form == "packed":
        ours_in = ours_rnn.pack_padded_sequence(ours_x, lengths, batch_first, enforce_sorted=False)
        theirs_in = theirs_rnn.pack_padded_sequence(
            theirs_x, lengths, batch_first, enforce_sorted=False
        )
    ours_out = flat(ours(ours_in, tuple(ours_h) if ours_h else None))
    theirs_out = flat(theirs(theirs_in, tuple(theirs_h) if theirs_h else None))
    if form == "packed":
        ours_out[0] = ours_rnn.pad_packed_sequence(ours_out[0], batch_first)[0]
        theirs_out[0] = theirs_rnn.pad_packed_sequence(theirs_out[0], batch_first)[0]
    for a, b in zip(ours_out, theirs_out):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a._array, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = [rng.standard_normal(a.shape) for a in ours_out]
    minigrad.backward(ours_out, [minigrad.tensor(u) for u in upstream])
    torch.autograd.backward(theirs_out, [torch.tensor(u) for u in upstream])
    pairs = [(ours_x, theirs_x), *zip(ours_h, theirs_h)]
    theirs_parameters = dict(theirs.named_parameters())
    pairs += [(p, theirs_parameters[name]) for name, p in ours.named_parameters()]
    for a, b in pairs:
        np.testing.assert_allclose(a.grad._array, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_projected_state_dict_loads_into_torch():
    ours = minigrad.nn.LSTM(2, 5, num_layers=2, proj_size=3, bidirectional=True, dtype="float64")
    theirs = torch.nn.LSTM(2, 5, num_layers=2, proj_size=3, bidirectional=True, dtype=torch.float64)
    theirs.load_state_dict(
        {k: torch.from_numpy(v._array.copy()) for k, v in ours.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((4, 2, 2))
    np.testing.assert_allclose(
        ours(minigrad.tensor(x))[0]._array, theirs(torch.tensor(x))[0].detach().numpy(), rtol=1e-12
    )
