"""Convolution and pooling layers without PyTorch: finite-difference gradients (float64),
shapes, and the layers inside a trained model. Parity with torch is in
tests/parity/test_torch_parity_conv.py."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck, gradgradcheck


def _input(shape, seed=0):
    # Distinct values, well apart: a max pool's choice does not flip under the probe.
    rng = np.random.default_rng(seed)
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


POOLS = {
    "max_pool1d": lambda x: F.max_pool1d(x, 3, 2, 1),
    "max_pool1d ceil dilation": lambda x: F.max_pool1d(x, 2, 2, 0, 2, ceil_mode=True),
    "avg_pool1d": lambda x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False),
    "avg_pool1d ceil": lambda x: F.avg_pool1d(x, 4, 3, 1, ceil_mode=True),
    "adaptive_avg_pool1d": lambda x: F.adaptive_avg_pool1d(x, 4),
    "adaptive_max_pool1d": lambda x: F.adaptive_max_pool1d(x, 3),
}


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pooling_gradients(name):
    assert gradcheck(POOLS[name], (_input((2, 3, 10)),))


@pytest.mark.parametrize("name", ["avg_pool1d", "adaptive_avg_pool1d"])
def test_linear_pools_have_second_derivatives(name):
    assert gradgradcheck(lambda x: POOLS[name](x) ** 2, (_input((1, 2, 9)),))


def test_conv_layer_gradients_of_input_weight_and_bias():
    layer = nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2, dtype=minigrad.float64)
    x = _input((2, 3, 11))
    assert gradcheck(
        lambda x, w, b: F.conv1d(x, w, b, 2, 1, 2), (x, layer.weight, layer.bias)
    )
    transpose = nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1, dtype=minigrad.float64)
    assert gradcheck(lambda x: transpose(x), (_input((1, 4, 5)),))


@pytest.mark.parametrize(
    "layer, length, expected",
    [
        (lambda: nn.Conv1d(3, 5, 4), 20, (2, 5, 17)),
        (lambda: nn.Conv1d(3, 5, 4, padding="same", dilation=3), 20, (2, 5, 20)),
        (lambda: nn.ConvTranspose1d(3, 5, 4, stride=3, padding=1), 20, (2, 5, 59)),
        (lambda: nn.MaxPool1d(4, ceil_mode=True), 21, (2, 3, 6)),
        (lambda: nn.AvgPool1d(4), 21, (2, 3, 5)),
        (lambda: nn.AdaptiveMaxPool1d(7), 21, (2, 3, 7)),
    ],
)
def test_output_shapes(layer, length, expected):
    assert layer()(minigrad.randn(2, 3, length)).shape == expected


def test_a_conv_classifier_learns_where_a_pattern_is():
    """Sequences with a bump either early or late: a Conv1d + pooling model tells them
    apart, which a model without the convolution's position-free features needs more
    for. The loss must fall by well over half."""
    rng = np.random.default_rng(0)
    n, length = 64, 32
    x = rng.standard_normal((n, 1, length)).astype(np.float32) * 0.3
    labels = rng.integers(0, 2, n)
    for i, label in enumerate(labels):
        start = rng.integers(0, 12) + (16 if label else 0)
        x[i, 0, start:start + 4] += np.array([1.0, 2.0, 2.0, 1.0], np.float32)
    minigrad.manual_seed(0)
    model = nn.Sequential(
        nn.Conv1d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(2),
        nn.Flatten(), nn.Linear(16, 2),
    )
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.02)
    inputs, targets = minigrad.tensor(x), minigrad.tensor(labels)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0], losses[::10]
