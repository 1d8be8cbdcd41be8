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
