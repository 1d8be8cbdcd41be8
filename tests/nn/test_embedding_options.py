"""Embedding's max_norm, norm_type, scale_grad_by_freq and from_pretrained: values,
in-place renormalisation, gradients, and errors raised before anything changes."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import gradcheck


def test_max_norm_rescales_only_long_looked_up_rows():
    table = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [1.0, 0.0]])
    weight = minigrad.tensor(table.copy(), requires_grad=True)
    out = F.embedding(minigrad.tensor([0, 0, 1, 3]), weight, max_norm=1.0)
    expected = table.copy()
    expected[0] *= 1.0 / (5.0 + 1e-7)  # row 2 is long but not looked up; row 3 is at 1
    np.testing.assert_allclose(weight._array, expected, rtol=1e-15)
    np.testing.assert_allclose(out._array, expected[[0, 0, 1, 3]], rtol=1e-15)
    assert weight.is_leaf and weight.grad_fn is None
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad._array, [[2, 2], [1, 1], [0, 0], [1, 1]])


def test_max_norm_in_float32_and_other_norms():
    weight = minigrad.tensor([[3.0, -4.0], [1.0, 1.0]])
    F.embedding(minigrad.tensor([0, 1]), weight, max_norm=2.0, norm_type=1.0)
    assert weight.dtype == minigrad.float32
    np.testing.assert_allclose(weight._array, [[6 / 7, -8 / 7], [1.0, 1.0]], rtol=1e-6)
    weight = minigrad.tensor([[3.0, -4.0]], dtype=minigrad.float64)
    F.embedding(minigrad.tensor([0]), weight, max_norm=2.0, norm_type=float("inf"))
    np.testing.assert_allclose(weight._array, [[1.5, -2.0]], rtol=1e-7)


def test_embedding_layer_renormalises_its_weight():
    minigrad.manual_seed(0)
    layer = nn.Embedding(10, 4, max_norm=0.5, dtype=minigrad.float64)
    before = layer.weight._array.copy()
    layer(minigrad.tensor([[1, 2], [2, 7]]))
    norms = np.linalg.norm(layer.weight._array, axis=1)
    assert np.all(norms[[1, 2, 7]] <= 0.5 + 1e-12)
    untouched = [0, 3, 4, 5, 6, 8, 9]
    np.testing.assert_array_equal(layer.weight._array[untouched], before[untouched])
    assert repr(layer) == "Embedding(10, 4, max_norm=0.5)"


def test_scale_grad_by_freq_divides_by_the_count():
    weight = minigrad.tensor(np.ones((4, 2)), requires_grad=True)
    indices = minigrad.tensor([[0, 0, 1], [0, 2, 2]])
    F.embedding(indices, weight, padding_idx=2, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(weight.grad._array, [[1, 1], [1, 1], [0, 0], [0, 0]])
    # Not recorded when no gradient is needed: the plain lookup.
    frozen = minigrad.tensor(np.ones((4, 2)))
    out = F.embedding(indices, frozen, scale_grad_by_freq=True)
    assert not out.requires_grad and out.shape == (2, 3, 2)


def test_scaled_gradient_is_twice_differentiable():
    rng = np.random.default_rng(5)
    weight = minigrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    indices = minigrad.tensor([3, 3, 0, 3, 1, 1])

    def gradient(w):
        out = F.embedding(indices, w, scale_grad_by_freq=True)
        (first,) = minigrad.autograd.grad((out.sin() * out).sum(), w, create_graph=True)
        return first

    assert gradcheck(gradient, (weight,))


def test_from_pretrained_shares_and_freezes():
    source = minigrad.tensor(np.arange(6.0).reshape(3, 2))
    table = nn.Embedding.from_pretrained(source)
    assert not table.weight.requires_grad and isinstance(table.weight, nn.Parameter)
    assert table.num_embeddings == 3 and table.embedding_dim == 2
    source._array[2, 1] = -1.0
    assert table(minigrad.tensor([2]))._array.tolist() == [[4.0, -1.0]]
    assert list(table.parameters()) == [table.weight]
    trainable = nn.Embedding.from_pretrained(source, freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.weight._array[0].tolist() == [0.0, 1.0]
    trainable(minigrad.tensor([0, 1])).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad._array, [[0, 0], [1, 1], [0, 0]])
    frozen_fresh = nn.Embedding(3, 2, _freeze=True)
    assert not frozen_fresh.weight.requires_grad


def test_embedding_errors_change_nothing():
    weight = minigrad.tensor(np.full((3, 2), 10.0))
    with pytest.raises(IndexError, match="index 3 is out of range for 3 embeddings"):
        F.embedding(minigrad.tensor([0, 3]), weight, max_norm=1.0)
    with pytest.raises(ValueError, match="padding_idx must be within \\[-3, 2\\]"):
        F.embedding(minigrad.tensor([0]), weight, padding_idx=5, max_norm=1.0)
    with pytest.raises(ValueError, match="minigrad has no sparse tensors; use sparse=False"):
        F.embedding(minigrad.tensor([0]), weight, max_norm=1.0, sparse=True)
    np.testing.assert_array_equal(weight._array, 10.0)
    with pytest.raises(ValueError, match="sparse=True"):
        nn.Embedding(3, 2, sparse=True)
    with pytest.raises(ValueError, match="must be a 2-D tensor .* got shape \\(3,\\)"):
        nn.Embedding.from_pretrained(minigrad.ones(3))
    with pytest.raises(ValueError, match="must be a 2-D tensor .* got list"):
        nn.Embedding.from_pretrained([[1.0]])
    with pytest.raises(TypeError, match="must be a floating tensor, got dtype int64"):
        nn.Embedding.from_pretrained(minigrad.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="_weight of shape \\(2, 2\\) does not match"):
        nn.Embedding(3, 2, _weight=minigrad.ones(2, 2))
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Embedding(3, 2, device="cuda")
