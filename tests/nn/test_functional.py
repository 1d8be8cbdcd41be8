"""minigrad.nn.functional: activations, linear, dropout, embedding and normalisation,
against plain-NumPy implementations written here, with gradients checked in float64.

Losses are in tests/nn/test_losses.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.testing.strategies import op_inputs

# ----------------------------------------------------------------------------- helpers


def leaf(array, requires_grad=True):
    """A float64 leaf tensor holding a copy of ``array``."""
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def away_from(values, kinks, margin=0.05):
    """Move values within ``margin`` of a kink to ``margin`` away from it."""
    values = np.array(values, dtype=np.float64)
    for kink in kinks:
        near = np.abs(values - kink) < margin
        values[near] = kink + np.where(values[near] >= kink, margin, -margin)
    return values


@st.composite
def seeded_arrays(draw, max_rank=3, min_rank=1):
    """A standard-normal array of a drawn small shape (sides 1-4), from a drawn seed:
    normal values avoid the degenerate constant arrays Hypothesis likes to try."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=min_rank, max_size=max_rank)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal(shape) * 1.5


# ----------------------------------------------------------------------------- NumPy oracles


def numpy_sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def numpy_hardsigmoid(x):
    return np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0


def numpy_layer_norm(x, count, weight=None, bias=None, eps=1e-5):
    axes = tuple(range(x.ndim - count, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(variance + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


ACTIVATIONS = [
    ("relu", lambda x: F.relu(x), lambda x: np.maximum(x, 0.0), (0.0,)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), (0.0,)),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), (0.0,)),
    ("sigmoid", F.sigmoid, numpy_sigmoid, ()),
    ("tanh", F.tanh, np.tanh, ()),
    ("softplus", lambda x: F.softplus(x, 2.0), lambda x: np.logaddexp(0.0, 2.0 * x) / 2.0, ()),
    ("softmax", lambda x: F.softmax(x, -1), None, ()),
    ("log_softmax", lambda x: F.log_softmax(x, -1), None, ()),
    ("hardsigmoid", F.hardsigmoid, numpy_hardsigmoid, (-3.0, 3.0)),
]


def numpy_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)


REFERENCES = {
    "softmax": numpy_softmax,
    "log_softmax": lambda x: np.log(numpy_softmax(x)),
}


# ----------------------------------------------------------------------------- activations


@pytest.mark.parametrize(
    "name, function, reference, kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS]
)
@settings(max_examples=10)
@given(values=seeded_arrays())
def test_activation_forward_and_gradient(name, function, reference, kinks, values):
    values = away_from(values * 2.5, kinks)
    reference = reference or REFERENCES[name]
    x = leaf(values)
    np.testing.assert_allclose(function(x)._array, reference(values), rtol=1e-10, atol=1e-12)
    assert gradcheck(function, x)


def test_activations_keep_float32():
    x = minigrad.randn(3, 4)
    for _, function, _, _ in ACTIVATIONS:
        assert function(x).dtype == minigrad.float32


def test_hardsigmoid_gradient_is_zero_outside_open_interval_as_pytorch():
    x = leaf([-4.0, -3.0, 0.0, 3.0, 4.0])
    F.hardsigmoid(x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0, 1.0 / 6.0, 0.0, 0.0])
    np.testing.assert_array_equal(F.hardsigmoid(x)._array, [0.0, 0.0, 0.5, 1.0, 1.0])


# ----------------------------------------------------------------------------- linear


@settings(max_examples=25)
@given(
    batch=st.integers(1, 3),
    in_features=st.integers(1, 4),
    out_features=st.integers(1, 4),
    with_bias=st.booleans(),
    leading=st.sampled_from([(), (1,), (2,), (2, 1), (3, 2, 1)]),
    transposed=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_linear_matches_numpy_and_gradcheck(
    batch, in_features, out_features, with_bias, leading, transposed, seed
):
    # Inputs of 1 to 5 dimensions (the leading ones are flattened into one product) and,
    # with ``transposed``, a non-contiguous input whose first two dimensions are swapped.
    rng = np.random.default_rng(seed)
    shape = (*leading, batch, in_features) if leading or batch > 1 else (in_features,)
    x_values = rng.standard_normal(shape)
    w_values = rng.standard_normal((out_features, in_features))
    b_values = rng.standard_normal(out_features)
    x, w, b = leaf(x_values), leaf(w_values), leaf(b_values)
    if transposed and x.ndim >= 3:
        x = leaf(x_values.swapaxes(0, 1).copy()).transpose(0, 1)
    expected = x_values @ w_values.T + (b_values if with_bias else 0.0)
    result = F.linear(x, w, b if with_bias else None)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result._array, expected, rtol=1e-12, atol=1e-12)
    inputs = (x, w, b) if with_bias else (x, w)
    assert gradcheck(lambda *t: F.linear(*t), inputs)
    assert gradgradcheck(lambda *t: F.linear(*t), inputs)


def test_linear_errors_name_shapes_and_dtypes():
    w = minigrad.randn(3, 4)
    with pytest.raises(ValueError, match=r"\(2, 5\).*in_features = 4"):
        F.linear(minigrad.randn(2, 5), w)
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\), got \(4,\)"):
        F.linear(minigrad.randn(2, 4), w, minigrad.randn(4))
    with pytest.raises(TypeError, match="float64.*float32"):
        F.linear(minigrad.randn(2, 4, dtype=minigrad.float64), w)
    with pytest.raises(TypeError, match="floating"):
        F.linear(minigrad.tensor([[1, 2, 3, 4]]), w)


# ----------------------------------------------------------------------------- dropout


def test_dropout_is_identity_in_eval_and_for_p_zero():
    x = minigrad.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_p_one_zeroes_everything():
    x = minigrad.randn(4, 5, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert np.all(y._array == 0)
    y.sum().backward()
    assert np.all(x.grad._array == 0)


def test_dropout_scales_survivors_and_gradient_follows_the_mask():
    minigrad.manual_seed(0)
    x = minigrad.ones(200, 50, dtype=minigrad.float64, requires_grad=True)
    y = F.dropout(x, 0.3)
    kept = y._array != 0
    np.testing.assert_allclose(y._array[kept], 1.0 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.02  # 10 000 Bernoulli draws: ~4 standard errors
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, y._array)


def test_dropout_is_reproducible_with_manual_seed():
    x = minigrad.ones(10, 10)
    minigrad.manual_seed(7)
    first = F.dropout(x, 0.5)._array.copy()
    minigrad.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, 0.5)._array, first)


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match="1.5"):
        F.dropout(minigrad.ones(2), 1.5)


# ----------------------------------------------------------------------------- embedding


def test_embedding_forward_and_accumulated_gradient():
    weight_values = np.arange(12.0).reshape(4, 3)
    weight = leaf(weight_values)
    indices = minigrad.tensor([[0, 2], [2, 3]])
    result = F.embedding(indices, weight)
    np.testing.assert_array_equal(result._array, weight_values[indices._array])
    upstream = np.random.default_rng(0).standard_normal((2, 2, 3))
    result.backward(minigrad.tensor(upstream))
    expected = np.zeros((4, 3))
    np.add.at(expected, indices._array, upstream)
    np.testing.assert_allclose(weight.grad._array, expected)


def test_embedding_padding_row_gets_no_gradient_but_keeps_its_value():
    weight = leaf(np.ones((4, 2)))
    result = F.embedding(minigrad.tensor([1, 1, 2]), weight, padding_idx=1)
    np.testing.assert_array_equal(result._array, np.ones((3, 2)))
    result.sum().backward()
    np.testing.assert_array_equal(weight.grad._array, [[0, 0], [0, 0], [1, 1], [0, 0]])


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), padding=st.sampled_from([0, -1, 3]))
def test_embedding_gradcheck_and_padding_gradient(seed, padding):
    rng = np.random.default_rng(seed)
    weight = leaf(rng.standard_normal((4, 3)))
    indices = minigrad.tensor(rng.integers(0, 4, size=(2, 3)))
    assert gradcheck(lambda w: F.embedding(indices, w), weight)
    # With padding_idx the gradient is the true one with the padding row set to zero
    # (a stop-gradient by design, so finite differences do not apply to that row).
    upstream = minigrad.tensor(rng.standard_normal((2, 3, 3)))
    (full,) = minigrad.grad(F.embedding(indices, weight), [weight], upstream)
    (padded,) = minigrad.grad(F.embedding(indices, weight, padding), [weight], upstream)
    expected = full._array.copy()
    expected[padding] = 0.0
    np.testing.assert_allclose(padded._array, expected)


def test_embedding_errors():
    weight = minigrad.randn(4, 3)
    with pytest.raises(IndexError, match="index 4 is out of range for 4 embeddings"):
        F.embedding(minigrad.tensor([0, 4]), weight)
    with pytest.raises(IndexError, match="-1"):
        F.embedding(minigrad.tensor([-1]), weight)
    with pytest.raises(TypeError, match="integer"):
        F.embedding(minigrad.tensor([0.0]), weight)


# ----------------------------------------------------------------------------- layer_norm


@settings(max_examples=15)
@given(values=seeded_arrays(min_rank=1, max_rank=3), affine=st.booleans(), data=st.data())
def test_layer_norm_matches_numpy_and_gradcheck(values, affine, data):
    count = data.draw(st.integers(1, values.ndim))
    normalized = values.shape[values.ndim - count :]
    rng = np.random.default_rng(0)
    weight_values = rng.standard_normal(normalized) if affine else None
    bias_values = rng.standard_normal(normalized) if affine else None
    x = leaf(values)
    params = (leaf(weight_values), leaf(bias_values)) if affine else ()

    def function(x, *params):
        return F.layer_norm(x, normalized, *params)

    expected = numpy_layer_norm(values, count, weight_values, bias_values)
    np.testing.assert_allclose(function(x, *params)._array, expected, rtol=1e-9, atol=1e-10)
    assert gradcheck(function, (x, *params), atol=1e-5, rtol=1e-3)


def test_layer_norm_second_derivative():
    x = leaf(np.random.default_rng(1).standard_normal((2, 3)))
    assert gradgradcheck(lambda x: F.layer_norm(x, 3), x)


def test_layer_norm_shape_errors():
    with pytest.raises(ValueError, match=r"\(2, 3\) does not end in normalized_shape \(4,\)"):
        F.layer_norm(minigrad.randn(2, 3), 4)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.layer_norm(minigrad.randn(2, 3), 3, weight=minigrad.ones(2))


# ----------------------------------------------------------------------------- batch_norm


@settings(max_examples=15)
@given(
    batch=st.integers(2, 3),
    channels=st.integers(1, 4),
    length=st.sampled_from([None, 1, 3]),
    affine=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_norm_training_matches_numpy_and_gradcheck(batch, channels, length, affine, seed):
    rng = np.random.default_rng(seed)
    shape = (batch, channels) if length is None else (batch, channels, length)
    values = rng.standard_normal(shape)
    axes = (0,) if length is None else (0, 2)
    mean = values.mean(axis=axes, keepdims=True)
    variance = values.var(axis=axes, keepdims=True)
    expected = (values - mean) / np.sqrt(variance + 1e-5)
    params = ()
    if affine:
        weight_values, bias_values = rng.standard_normal(channels), rng.standard_normal(channels)
        per_channel = (1, channels) + (() if length is None else (1,))
        expected = expected * weight_values.reshape(per_channel) + bias_values.reshape(per_channel)
        params = (leaf(weight_values), leaf(bias_values))
    x = leaf(values)

    def function(x, *params):
        return F.batch_norm(x, None, None, *params, training=True)

    np.testing.assert_allclose(function(x, *params)._array, expected, rtol=1e-9, atol=1e-10)
    assert gradcheck(function, (x, *params))


def test_batch_norm_running_statistics_and_evaluation():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((5, 2, 3))
    running_mean = minigrad.zeros(2, dtype=minigrad.float64)
    running_var = minigrad.ones(2, dtype=minigrad.float64)
    F.batch_norm(leaf(values), running_mean, running_var, training=True, momentum=0.25)
    batch_mean = values.mean(axis=(0, 2))
    unbiased = values.var(axis=(0, 2), ddof=1)
    np.testing.assert_allclose(running_mean._array, 0.25 * batch_mean)
    np.testing.assert_allclose(running_var._array, 0.75 + 0.25 * unbiased)
    result = F.batch_norm(leaf(values), running_mean, running_var, training=False)
    expected = (values - running_mean._array[:, None]) / np.sqrt(running_var._array[:, None] + 1e-5)
    np.testing.assert_allclose(result._array, expected)


def test_batch_norm_errors_change_nothing():
    running_mean, running_var = minigrad.zeros(3), minigrad.ones(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(minigrad.randn(1, 3), running_mean, running_var, training=True)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(4,\)"):
        F.batch_norm(minigrad.randn(2, 4), running_mean, running_var, training=True)
    assert np.all(running_mean._array == 0) and np.all(running_var._array == 1)


# ----------------------------------------------------------------------------- fused ops


@pytest.mark.parametrize("record", F.FUSED_OP_RECORDS, ids=lambda r: r.name)
@given(data=st.data())
def test_fused_op_record(record, data):
    """The property test of tests/ops/test_op_table.py, for the fused Functions of
    nn.functional: forward against NumPy, gradcheck and gradgradcheck."""
    tensors, kwargs = data.draw(op_inputs(record))
    result = record.function(*tensors, **kwargs)
    expected = record.reference(*[t._array for t in tensors], **kwargs)
    np.testing.assert_allclose(result._array, expected, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda *xs: record.function(*xs, **kwargs), tuple(tensors))
    if record.smooth:
        assert gradgradcheck(lambda *xs: record.function(*xs, **kwargs), tuple(tensors))


def test_every_fused_function_has_a_record():
    """Every Function class defined in nn.functional appears in the graph of a record."""
    defined = {
        value.__name__
        for value in vars(F).values()
        if isinstance(value, type)
        and issubclass(value, minigrad.Function)
        and value.__module__ == F.__name__
    }
    reached = set()
    for record in F.FUSED_OP_RECORDS:
        tensors = [leaf(np.full((2,), 0.3)) for _ in range(record.arity)]
        reached.add(type(record.function(*tensors).grad_fn).__name__)
    assert defined <= reached


def test_embedding_indices_changed_in_place_before_backward_raise():
    """The indices are saved like any tensor (as PyTorch): changing them in place after
    the lookup makes backward raise instead of sending gradients to the wrong rows."""
    weight = minigrad.randn(5, 3, requires_grad=True)
    indices = minigrad.tensor([0, 2, 2])
    looked_up = F.embedding(indices, weight)
    indices[0] = 4
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        looked_up.sum().backward()
