"""Packed and padded variable-length sequences (minigrad.nn.utils.rnn): layout, errors,
round trips and gradients (float64 finite differences)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn.utils.rnn import (
    PackedSequence,
    invert_permutation,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)
from minigrad.testing import gradcheck, gradgradcheck


def sequences(lengths, features=2, seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    return [
        minigrad.tensor(rng.standard_normal((n, features)), requires_grad=requires_grad)
        for n in lengths
    ]


def test_imports_as_torch_does():
    import minigrad.nn.utils.rnn as module

    assert minigrad.nn.utils.rnn is module
    assert minigrad.nn.utils.rnn.pad_sequence is pad_sequence
    assert minigrad.nn.utils.clip_grad_norm_ is not None


def test_pack_layout_by_hand():
    a, b, c = (
        minigrad.tensor([[float(10 * i + t)] for t in range(n)])
        for i, n in ((1, 3), (2, 1), (3, 2))
    )
    packed = pack_sequence([a, b, c], enforce_sorted=False)
    assert packed.data._array.ravel().tolist() == [10, 30, 20, 11, 31, 12]
    assert packed.batch_sizes.tolist() == [3, 2, 1]
    assert packed.batch_sizes.dtype == minigrad.int64
    assert packed.sorted_indices.tolist() == [0, 2, 1]
    assert packed.unsorted_indices.tolist() == [0, 2, 1]
    data, batch_sizes, sorted_indices, unsorted_indices = packed  # a named tuple
    assert data is packed.data and packed._fields[0] == "data"


def test_enforce_sorted_keeps_no_indices():
    packed = pack_sequence(sequences([3, 2, 2]))
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    padded, lengths = pad_packed_sequence(packed)
    assert lengths.tolist() == [3, 2, 2]
    assert padded.shape == (3, 3, 2)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_pack_round_trip(batch_first):
    items = sequences([2, 5, 1, 3])
    padded = pad_sequence(items, batch_first=batch_first, padding_value=-3.0)
    assert padded.shape == ((4, 5, 2) if batch_first else (5, 4, 2))
    packed = pack_padded_sequence(padded, [2, 5, 1, 3], batch_first, enforce_sorted=False)
    again, lengths = pad_packed_sequence(packed, batch_first, -3.0)
    np.testing.assert_array_equal(again._array, padded._array)
    assert lengths.tolist() == [2, 5, 1, 3] and lengths.dtype == minigrad.int64
    longer, _ = pad_packed_sequence(packed, batch_first, 9.0, total_length=7)
    assert longer.shape == ((4, 7, 2) if batch_first else (7, 4, 2))
    tail = longer._array[:, 5:] if batch_first else longer._array[5:]
    assert np.all(tail == 9.0)
    for item, back in zip(items, unpack_sequence(packed)):
        np.testing.assert_array_equal(back._array, item._array)
    for item, back in zip(items, unpad_sequence(padded, [2, 5, 1, 3], batch_first)):
        np.testing.assert_array_equal(back._array, item._array)


def test_pad_sequence_left_and_tensor_input():
    padded = pad_sequence(
        [minigrad.tensor([1.0, 2.0]), minigrad.tensor([3.0])],
        batch_first=True,
        padding_value=0.5,
        padding_side="left",
    )
    assert padded.tolist() == [[1.0, 2.0], [0.5, 3.0]]
    stacked = pad_sequence(minigrad.ones(2, 3))  # a tensor is its rows
    assert stacked.shape == (3, 2)
    empty = pad_sequence([minigrad.ones(0, 2), minigrad.ones(2, 2)])
    assert empty.shape == (2, 2, 2) and empty._array[:, 0].sum() == 0


def test_lengths_as_tensor():
    padded = pad_sequence(sequences([3, 1]))
    packed = pack_padded_sequence(padded, minigrad.tensor([3, 1]))
    assert packed.batch_sizes.tolist() == [2, 1, 1]


@pytest.mark.parametrize(
    ("lengths", "enforce_sorted", "error", "match"),
    [
        ([1, 3], True, RuntimeError, "sorted in decreasing order"),
        ([3, 0], False, RuntimeError, "greater than 0"),
        ([3, 2, 1], True, RuntimeError, r"len\(lengths\)"),
        ([4, 1], True, ValueError, "exceed the 3 time steps"),
        ([[3, 1]], True, TypeError, "1-D"),
    ],
)
def test_pack_padded_errors(lengths, enforce_sorted, error, match):
    padded = pad_sequence(sequences([3, 1]))
    with pytest.raises(error, match=match):
        pack_padded_sequence(padded, lengths, enforce_sorted=enforce_sorted)


def test_other_errors():
    with pytest.raises(RuntimeError, match="empty list"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="padding_side"):
        pad_sequence(sequences([1]), padding_side="up")
    with pytest.raises(RuntimeError, match=r"sequence 1 \(2, 3\)"):
        pad_sequence([minigrad.ones(2, 2), minigrad.ones(2, 3)])
    packed = pack_sequence(sequences([3, 2]))
    with pytest.raises(ValueError, match="total_length=2"):
        pad_packed_sequence(packed, total_length=2)
    with pytest.raises(ValueError, match="non-increasing"):
        PackedSequence(minigrad.ones(3, 2), minigrad.tensor([1, 2]))
    with pytest.raises(ValueError, match="permutation"):
        PackedSequence(minigrad.ones(3, 2), minigrad.tensor([2, 1]), minigrad.tensor([0, 0]))


def test_conversions():
    packed = pack_sequence(sequences([2, 1]), enforce_sorted=False)
    assert packed.double() is packed  # already float64
    single = packed.float()
    assert single.data.dtype == minigrad.float32
    assert single.sorted_indices is packed.sorted_indices
    assert packed.to("cpu") is packed and packed.cpu() is packed
    assert packed.is_cuda is False and packed.is_pinned() is False
    rebuilt = PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices)
    assert rebuilt.unsorted_indices.tolist() == packed.unsorted_indices.tolist()
    assert invert_permutation(minigrad.tensor([2, 0, 1])).tolist() == [1, 2, 0]


@pytest.mark.parametrize("batch_first", [False, True])
def test_gradients_through_pack_and_pad(batch_first):
    rng = np.random.default_rng(1)
    shape = (3, 4, 2) if batch_first else (4, 3, 2)
    padded = minigrad.tensor(rng.standard_normal(shape), requires_grad=True)
    weight = minigrad.tensor(rng.standard_normal((6, 3, 2)))

    def round_trip(x):
        packed = pack_padded_sequence(x, [2, 4, 1], batch_first, enforce_sorted=False)
        out, _ = pad_packed_sequence(packed, batch_first, padding_value=1.5, total_length=6)
        return out * (weight.transpose(0, 1) if batch_first else weight)

    assert gradcheck(round_trip, (padded,))
    items = sequences([3, 1, 2], requires_grad=True)
    assert gradcheck(
        lambda *xs: pad_sequence(list(xs), batch_first, 2.0, "left") ** 2, tuple(items)
    )
    assert gradcheck(lambda *xs: pack_sequence(list(xs), False).data ** 2, tuple(items))


# --------------------------------------------------------------------------- packed layers

LAYERS = [minigrad.nn.RNN, minigrad.nn.LSTM, minigrad.nn.GRU]


def final_states(result):
    state = result[1]
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("layer_class", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("fused", [True, False])
def test_packed_equals_each_sequence_alone(layer_class, bidirectional, fused):
    """Packing must not change what a sequence computes: each sequence run alone
    (unbatched, its own length) gives the packed run's outputs and final states."""
    minigrad.manual_seed(0)
    layer = layer_class(
        2, 3, num_layers=2, bidirectional=bidirectional, dtype="float64", fused=fused
    )
    items = sequences([2, 4, 1, 4], features=2)
    packed = pack_sequence(items, enforce_sorted=False)
    output, *_ = layer(packed)
    assert isinstance(output, PackedSequence)
    assert output.sorted_indices is packed.sorted_indices
    padded, lengths = pad_packed_sequence(output)
    states = final_states(layer(packed))
    for b, item in enumerate(items):
        alone = layer(item)
        np.testing.assert_allclose(
            padded._array[: item.shape[0], b], alone[0]._array, rtol=1e-12, atol=1e-12
        )
        assert np.all(padded._array[item.shape[0] :, b] == 0)
        for state, own in zip(states, final_states(alone)):
            np.testing.assert_allclose(state._array[:, b], own._array, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer_class", LAYERS)
def test_packed_layer_gradients(layer_class):
    minigrad.manual_seed(1)
    layer = layer_class(2, 2, bidirectional=True, dtype="float64")
    items = sequences([1, 3, 2], features=2, requires_grad=True)
    count = 2 if layer_class is minigrad.nn.LSTM else 1
    rng = np.random.default_rng(2)
    h0 = [minigrad.tensor(rng.standard_normal((2, 3, 2)), requires_grad=True) for _ in range(count)]

    def run(*tensors):
        xs, hs = tensors[:3], tensors[3:]
        output, state = layer(
            pack_sequence(list(xs), enforce_sorted=False), tuple(hs) if count == 2 else hs[0]
        )
        state = state if isinstance(state, tuple) else (state,)
        return (pad_packed_sequence(output)[0], *state)

    assert gradcheck(run, (*items, *h0))
    assert gradcheck(lambda *ps: run(*items, *h0), tuple(layer.parameters()))


def test_packed_layer_errors():
    layer = minigrad.nn.LSTM(2, 3, dtype="float64")
    packed = pack_sequence(sequences([2, 1], features=2))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(1, 2, 3\)"):
        layer(packed, (minigrad.zeros(1, 3, 3, dtype="float64"),) * 2)
    with pytest.raises(ValueError, match=r"packed data of shape \(sum of lengths, 2\)"):
        layer(pack_sequence(sequences([2, 1], features=3)))
    with pytest.raises(TypeError, match="float32"):
        layer(packed.float())


# --------------------------------------------------------------------------- LSTM projections


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_projected_lstm_follows_its_equations():
    """One layer, one direction, against the equations in NumPy:
    gates from x and the projected h, c as usual, h_t = W_hr (o * tanh(c_t))."""
    minigrad.manual_seed(3)
    lstm = minigrad.nn.LSTM(2, 4, proj_size=3, dtype="float64")
    assert lstm.weight_hh_l0.shape == (16, 3) and lstm.weight_hr_l0.shape == (3, 4)
    x = np.random.default_rng(4).standard_normal((5, 2, 2))
    p = {k: v._array for k, v in lstm.state_dict().items()}
    h, c = np.zeros((2, 3)), np.zeros((2, 4))
    expected = []
    for t in range(5):
        gates = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T
        i, f, g, o = np.split(gates + p["bias_hh_l0"], 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = (sigmoid(o) * np.tanh(c)) @ p["weight_hr_l0"].T
        expected.append(h)
    output, (h_n, c_n) = lstm(minigrad.tensor(x))
    np.testing.assert_allclose(output._array, np.stack(expected), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_n._array[0], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_n._array[0], c, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("packed", [False, True])
def test_projected_lstm_gradients(packed):
    minigrad.manual_seed(5)
    lstm = minigrad.nn.LSTM(2, 3, num_layers=2, proj_size=2, bidirectional=True, dtype="float64")
    rng = np.random.default_rng(6)
    x = minigrad.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    h0 = minigrad.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
    c0 = minigrad.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)

    def run(x, h0, c0):
        given = pack_padded_sequence(x, [2, 3], enforce_sorted=False) if packed else x
        output, (h_n, c_n) = lstm(given, (h0, c0))
        output = pad_packed_sequence(output)[0] if packed else output
        return output, h_n, c_n

    assert gradcheck(run, (x, h0, c0))
    assert gradcheck(lambda *ps: run(x, h0, c0), tuple(lstm.parameters()))


def test_projected_lstm_shapes_and_errors():
    lstm = minigrad.nn.LSTM(2, 4, proj_size=3, batch_first=True, bidirectional=True)
    output, (h_n, c_n) = lstm(minigrad.zeros(5, 7, 2))
    assert (output.shape, h_n.shape, c_n.shape) == ((5, 7, 6), (2, 5, 3), (2, 5, 4))
    assert "proj_size=3" in repr(lstm)
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(2, 5, 3\).*proj_size"):
        lstm(minigrad.zeros(5, 7, 2), (minigrad.zeros(2, 5, 4), minigrad.zeros(2, 5, 4)))
    with pytest.raises(ValueError, match="smaller than hidden_size"):
        minigrad.nn.LSTM(2, 4, proj_size=4)
    with pytest.raises(ValueError, match="positive integer or zero"):
        minigrad.nn.LSTM(2, 4, proj_size=-1)
    with pytest.raises(TypeError, match="proj_size must be an int"):
        minigrad.nn.LSTM(2, 4, proj_size=1.5)


def test_packed_dropout_between_layers():
    """dropout=1 in training zeroes the first layer's packed output, so the second layer
    reads zeros: it equals a one-layer GRU with the second layer's weights on zeros."""
    minigrad.manual_seed(7)
    gru = minigrad.nn.GRU(2, 3, num_layers=2, dropout=1.0, dtype="float64")
    top = minigrad.nn.GRU(3, 3, dtype="float64")
    top.load_state_dict({k[:-1] + "0": v for k, v in gru.state_dict().items() if k.endswith("l1")})
    packed = pack_sequence(sequences([3, 1, 2]), enforce_sorted=False)
    output, h_n = gru(packed)
    zeros = PackedSequence(minigrad.zeros(6, 3, dtype="float64"), *packed[1:])
    expected, expected_h = top(zeros)
    np.testing.assert_allclose(output.data._array, expected.data._array, rtol=1e-12)
    np.testing.assert_allclose(h_n._array[1], expected_h._array[0], rtol=1e-12)
    gru.eval()
    assert not np.allclose(gru(packed)[0].data._array, output.data._array)


def test_tagger_written_as_for_pytorch_trains():
    """The usual PyTorch pattern (embed, pack with lengths.cpu(), LSTM, pad back to
    total_length, classify every step) runs as written and learns."""
    nn = minigrad.nn
    minigrad.manual_seed(8)

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(10, 4, padding_idx=0)
            self.lstm = nn.LSTM(4, 6, batch_first=True, bidirectional=True, proj_size=3)
            self.out = nn.Linear(6, 5)

        def forward(self, tokens, lengths):
            packed = pack_padded_sequence(
                self.embedding(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            output, (h_n, c_n) = self.lstm(packed)
            output, _ = pad_packed_sequence(output, batch_first=True, total_length=tokens.size(1))
            return self.out(output)

    rows = [minigrad.tensor(r) for r in ([1, 2, 3], [4, 5], [6, 7, 8, 9])]
    tokens = pad_sequence(rows, batch_first=True)
    lengths = minigrad.tensor([len(r) for r in rows])
    target = minigrad.randint(0, 5, (3, 4))
    model = Tagger()
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(
            model(tokens, lengths).reshape(-1, 5), target.reshape(-1)
        )
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("proj_size", [0, 1])
def test_packed_second_derivatives(proj_size):
    """create_graph through packing, the fused segments (proj_size=0) or the projected
    written-out steps, and padding back."""
    minigrad.manual_seed(9)
    layer = minigrad.nn.LSTM(2, 2, bidirectional=True, proj_size=proj_size, dtype="float64")
    items = sequences([1, 3, 2], features=2, requires_grad=True)

    def run(*xs):
        output, _ = layer(pack_sequence(list(xs), enforce_sorted=False))
        return pad_packed_sequence(output)[0]

    assert gradgradcheck(run, tuple(items))
