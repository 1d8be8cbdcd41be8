"""minigrad.nn.layers: shapes, initialisation, dtypes, gradients of every parameter
(float64 gradcheck under Hypothesis), train/eval behaviour, running statistics against
NumPy's formulas, errors raised before any state changes, and PyTorch-like reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn.layers import (
    ELU,
    MLP,
    BatchNorm1d,
    Dropout,
    Embedding,
    Flatten,
    Hardsigmoid,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Residual,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from minigrad.testing import gradcheck

SEEDS = st.integers(0, 2**32 - 1)


def inputs(rng, *shape):
    return minigrad.tensor(rng.standard_normal(shape), dtype=minigrad.float64, requires_grad=True)


def check_module_gradients(module, x):
    """gradcheck with respect to the input and every parameter of ``module``."""
    parameters = tuple(module.parameters())
    return gradcheck(lambda x, *_: module(x), (x, *parameters))


# ----------------------------------------------------------------------------- Linear


def test_linear_shapes_names_and_default_init():
    minigrad.manual_seed(0)
    layer = Linear(30, 20)
    assert layer.weight.shape == (20, 30) and layer.bias.shape == (20,)
    assert layer.weight.dtype == minigrad.float32
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(30)  # kaiming_uniform_(a=sqrt(5)) and the bias share it
    for parameter in (layer.weight, layer.bias):
        assert np.abs(parameter._array).max() <= bound
    assert np.abs(layer.weight._array).max() > 0.9 * bound  # 600 draws fill the interval
    assert Linear(3, 2, bias=False).bias is None
    assert Linear(3, 2, dtype=minigrad.float64).weight.dtype == minigrad.float64


@settings(max_examples=15)
@given(
    batch=st.integers(1, 3),
    in_features=st.integers(1, 4),
    out_features=st.integers(1, 4),
    bias=st.booleans(),
    seed=SEEDS,
)
def test_linear_forward_and_gradcheck(batch, in_features, out_features, bias, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, bias=bias, dtype=minigrad.float64)
    x = inputs(rng, batch, in_features)
    expected = x._array @ layer.weight._array.T + (layer.bias._array if bias else 0.0)
    np.testing.assert_allclose(layer(x)._array, expected, rtol=1e-12)
    assert check_module_gradients(layer, x)


def test_linear_rejects_wrong_feature_size_and_dtype():
    layer = Linear(3, 2)
    with pytest.raises(ValueError, match=r"\(4, 5\) does not end in in_features = 3"):
        layer(minigrad.randn(4, 5))
    with pytest.raises(TypeError, match="float64 differs from weight dtype float32"):
        layer(minigrad.randn(4, 3, dtype=minigrad.float64))
    with pytest.raises(ValueError, match="in_features"):
        Linear(-1, 2)


# ----------------------------------------------------------------------------- MLP


def test_mlp_structure_and_names():
    model = MLP(3, [5, 4], 2, activation="tanh", dropout=0.1)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.3.weight",
        "layers.3.bias",
        "layers.6.weight",
        "layers.6.bias",
    ]
    plain = MLP(3, [], 2)
    assert [type(m).__name__ for m in plain.layers] == ["Linear"]


@pytest.mark.parametrize(
    "activation, kind",
    [
        ("relu", ReLU),
        ("leaky_relu", LeakyReLU),
        ("elu", ELU),
        ("softplus", Softplus),
        ("sigmoid", Sigmoid),
        (Tanh, Tanh),
        (LeakyReLU(0.3), LeakyReLU),
    ],
)
def test_mlp_activation_choices(activation, kind):
    model = MLP(2, [3, 3], 1, activation=activation)
    hidden = [model.layers[1], model.layers[3]]
    assert all(type(m) is kind for m in hidden)
    assert hidden[0] is not hidden[1]  # instances are copied per layer
    if isinstance(activation, LeakyReLU):
        assert hidden[0].negative_slope == 0.3


def test_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MLP(2, [3], 1, activation="swish")
    with pytest.raises(TypeError, match="activation"):
        MLP(2, [3], 1, activation=42)


@settings(max_examples=10)
@given(
    batch=st.integers(1, 3),
    widths=st.lists(st.integers(1, 4), min_size=0, max_size=2),
    activation=st.sampled_from(["tanh", "sigmoid", "softplus", "elu"]),
    seed=SEEDS,
)
def test_mlp_forward_matches_numpy_and_gradcheck(batch, widths, activation, seed):
    rng = np.random.default_rng(seed)
    minigrad.manual_seed(seed)
    model = MLP(3, widths, 2, activation=activation, dtype=minigrad.float64)
    x = inputs(rng, batch, 3)
    functions = {
        "tanh": np.tanh,
        "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
        "softplus": lambda v: np.logaddexp(0.0, v),
        "elu": lambda v: np.where(v > 0, v, np.expm1(v)),
    }
    linears = [m for m in model.layers if isinstance(m, Linear)]
    expected = x._array
    for index, layer in enumerate(linears):
        expected = expected @ layer.weight._array.T + layer.bias._array
        if index < len(linears) - 1:
            expected = functions[activation](expected)
    np.testing.assert_allclose(model(x)._array, expected, rtol=1e-10, atol=1e-12)
    assert check_module_gradients(model, x)


def test_mlp_repr_reads_like_pytorch():
    assert repr(MLP(2, [3], 1)) == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


# ----------------------------------------------------------------------------- simple layers


def test_identity_flatten_and_residual():
    x = minigrad.randn(2, 3, 4)
    assert Identity(5, whatever=1)(x) is x
    assert Flatten()(x).shape == (2, 12)
    assert Flatten(0, 1)(x).shape == (6, 4)
    assert repr(Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    block = Residual(Linear(4, 4, dtype=minigrad.float64))
    y = inputs(np.random.default_rng(0), 2, 4)
    np.testing.assert_allclose(block(y)._array, y._array + block.module(y)._array)
    assert check_module_gradients(block, y)
    with pytest.raises(ValueError, match=r"maps shape \(2, 4\) to \(2, 3\)"):
        Residual(Linear(4, 3, dtype=minigrad.float64))(y)


def test_dropout_module_train_and_eval():
    layer = Dropout(0.5)
    x = minigrad.ones(50, 40)
    minigrad.manual_seed(1)
    y = layer(x)
    assert set(np.unique(y._array)) == {0.0, 2.0}
    layer.eval()
    assert layer(x) is x
    assert repr(layer) == "Dropout(p=0.5)"
    with pytest.raises(ValueError, match="probability"):
        Dropout(-0.1)


def test_embedding_layer():
    minigrad.manual_seed(2)
    table = Embedding(10, 3, padding_idx=-1)
    assert table.padding_idx == 9
    assert np.all(table.weight._array[9] == 0)
    assert abs(table.weight._array[:9].std() - 1) < 0.5  # N(0, 1) draws
    out = table(minigrad.tensor([[1, 9], [9, 2]]))
    assert out.shape == (2, 2, 3)
    out.sum().backward()
    assert np.all(table.weight.grad._array[9] == 0)
    np.testing.assert_array_equal(table.weight.grad._array[1], np.ones(3))
    assert repr(table) == "Embedding(10, 3, padding_idx=9)"
    assert Embedding(4, 2, dtype=minigrad.float64).weight.dtype == minigrad.float64


# ----------------------------------------------------------------------------- LayerNorm


@settings(max_examples=10)
@given(
    batch=st.integers(1, 3),
    features=st.integers(1, 4),
    affine=st.booleans(),
    bias=st.booleans(),
    seed=SEEDS,
)
def test_layer_norm_layer(batch, features, affine, bias, seed):
    rng = np.random.default_rng(seed)
    layer = LayerNorm(features, elementwise_affine=affine, bias=bias, dtype=minigrad.float64)
    if affine:  # move away from the ones/zeros initialisation
        layer.weight._array[...] = rng.standard_normal(features)
        if bias:
            layer.bias._array[...] = rng.standard_normal(features)
    x = inputs(rng, batch, 2, features)
    mean = x._array.mean(-1, keepdims=True)
    expected = (x._array - mean) / np.sqrt(x._array.var(-1, keepdims=True) + 1e-5)
    if affine:
        expected = expected * layer.weight._array + (layer.bias._array if bias else 0.0)
    np.testing.assert_allclose(layer(x)._array, expected, rtol=1e-9, atol=1e-12)
    assert check_module_gradients(layer, x)


def test_layer_norm_parameters_and_repr():
    layer = LayerNorm((2, 3))
    assert layer.weight.shape == (2, 3) and np.all(layer.weight._array == 1)
    assert np.all(layer.bias._array == 0)
    assert repr(layer) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=True)"
    assert LayerNorm(3, bias=False).bias is None
    assert list(LayerNorm(3, elementwise_affine=False).parameters()) == []


# ----------------------------------------------------------------------------- BatchNorm1d


def numpy_running_stats(batches, momentum):
    mean, var = np.zeros(batches[0].shape[1]), np.ones(batches[0].shape[1])
    for index, batch in enumerate(batches, start=1):
        axes = (0,) if batch.ndim == 2 else (0, 2)
        factor = 1.0 / index if momentum is None else momentum
        mean = (1 - factor) * mean + factor * batch.mean(axis=axes)
        var = (1 - factor) * var + factor * batch.var(axis=axes, ddof=1)
    return mean, var


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5)])
def test_batch_norm_running_statistics_follow_numpy(momentum, shape):
    rng = np.random.default_rng(0)
    layer = BatchNorm1d(shape[1], momentum=momentum, dtype=minigrad.float64)
    batches = [rng.standard_normal(shape) * 2 + 1 for _ in range(3)]
    for batch in batches:
        layer(minigrad.tensor(batch))
    mean, var = numpy_running_stats(batches, momentum)
    np.testing.assert_allclose(layer.running_mean._array, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var._array, var, rtol=1e-12)
    assert int(layer.num_batches_tracked._array) == 3
    layer.eval()
    x = rng.standard_normal(shape)
    per_channel = (1, shape[1]) + (1,) * (len(shape) - 2)
    expected = (x - mean.reshape(per_channel)) / np.sqrt(var.reshape(per_channel) + 1e-5)
    np.testing.assert_allclose(layer(minigrad.tensor(x))._array, expected, rtol=1e-10)
    assert int(layer.num_batches_tracked._array) == 3  # evaluation changes nothing


@settings(max_examples=10)
@given(
    batch=st.integers(2, 3),
    channels=st.integers(1, 4),
    length=st.sampled_from([None, 2]),
    affine=st.booleans(),
    seed=SEEDS,
)
def test_batch_norm_gradcheck(batch, channels, length, affine, seed):
    rng = np.random.default_rng(seed)
    layer = BatchNorm1d(channels, affine=affine, track_running_stats=False, dtype=minigrad.float64)
    if affine:
        layer.weight._array[...] = rng.standard_normal(channels)
        layer.bias._array[...] = rng.standard_normal(channels)
    shape = (batch, channels) if length is None else (batch, channels, length)
    assert check_module_gradients(layer, inputs(rng, *shape))
    layer_eval = BatchNorm1d(channels, dtype=minigrad.float64).eval()
    layer_eval.running_mean._array[...] = rng.standard_normal(channels)
    layer_eval.running_var._array[...] = rng.random(channels) + 0.5
    assert check_module_gradients(layer_eval, inputs(rng, *shape))


def test_batch_norm_without_running_stats_uses_batch_statistics_in_eval():
    layer = BatchNorm1d(2, track_running_stats=False).eval()
    assert layer.running_mean is None and list(layer.state_dict()) == ["weight", "bias"]
    assert BatchNorm1d(2, bias=False).bias is None
    x = minigrad.randn(5, 2)
    expected = (x._array - x._array.mean(0)) / np.sqrt(x._array.var(0) + 1e-5)
    np.testing.assert_allclose(layer(x)._array, expected, rtol=1e-5, atol=1e-6)


def test_batch_norm_errors_change_no_state():
    layer = BatchNorm1d(3)
    before = {k: v._array.copy() for k, v in layer.state_dict().items()}
    with pytest.raises(ValueError, match=r"\(4, 2\) has 2 channels.*num_features=3"):
        layer(minigrad.randn(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(minigrad.randn(1, 3))
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\)"):
        layer(minigrad.randn(3))
    for key, value in layer.state_dict().items():
        np.testing.assert_array_equal(value._array, before[key])
    assert repr(layer) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )


# ----------------------------------------------------------------------------- activations


@pytest.mark.parametrize(
    "module, reference, text",
    [
        (ReLU(), lambda v: np.maximum(v, 0), "ReLU()"),
        (LeakyReLU(0.2), lambda v: np.where(v > 0, v, 0.2 * v), "LeakyReLU(negative_slope=0.2)"),
        (ELU(0.5), lambda v: np.where(v > 0, v, 0.5 * np.expm1(v)), "ELU(alpha=0.5)"),
        (Sigmoid(), lambda v: 1 / (1 + np.exp(-v)), "Sigmoid()"),
        (Tanh(), np.tanh, "Tanh()"),
        (Softplus(2.0), lambda v: np.logaddexp(0, 2 * v) / 2, "Softplus(beta=2.0, threshold=20.0)"),
        (Softmax(1), lambda v: np.exp(v) / np.exp(v).sum(1, keepdims=True), "Softmax(dim=1)"),
        (LogSoftmax(1), lambda v: v - np.log(np.exp(v).sum(1, keepdims=True)), "LogSoftmax(dim=1)"),
        (Hardsigmoid(), lambda v: np.clip(v + 3, 0, 6) / 6, "Hardsigmoid()"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_activation_modules(module, reference, text):
    values = np.array([[-4.0, -1.3, -0.2], [0.3, 1.7, 4.5]])
    x = minigrad.tensor(values, requires_grad=True)
    np.testing.assert_allclose(module(x)._array, reference(values), rtol=1e-12)
    assert gradcheck(module, x)
    assert repr(module) == text
    assert list(module.parameters()) == []
