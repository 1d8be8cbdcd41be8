"""Attention without PyTorch: gradients against finite differences (float64), dropout on
the weights, masks against their definitions, and the errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn.attention import MultiheadAttention, scaled_dot_product_attention
from minigrad.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(15)


def tensors(*shapes, requires_grad=True):
    return tuple(
        minigrad.tensor(RNG.standard_normal(s), requires_grad=requires_grad) for s in shapes
    )


def reference_attention(q, k, v, bias):
    """The textbook formula in NumPy: softmax(q k^T / sqrt(E) + bias) v."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]) + bias
    scores = scores - scores.max(-1, keepdims=True)
    weights = np.exp(scores)
    return (weights / weights.sum(-1, keepdims=True)) @ v


# ----------------------------------------------------------------------------- item 1


def test_sdpa_matches_the_formula_with_a_float_mask():
    q, k, v = tensors((2, 4, 3), (2, 5, 3), (2, 5, 2))
    bias = RNG.standard_normal((4, 5))
    out = scaled_dot_product_attention(q, k, v, attn_mask=minigrad.tensor(bias))
    np.testing.assert_allclose(
        out._array, reference_attention(q._array, k._array, v._array, bias), rtol=1e-12
    )


def test_sdpa_causal_equals_explicit_lower_triangular_mask():
    q, k, v = tensors((2, 4, 3), (2, 6, 3), (2, 6, 2))
    allowed = minigrad.tensor(np.tri(4, 6, dtype=bool))
    causal = scaled_dot_product_attention(q, k, v, is_causal=True)
    explicit = scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    np.testing.assert_array_equal(causal._array, explicit._array)
    # The first query sees only the first key: its output is that key's value.
    np.testing.assert_allclose(causal._array[:, 0], v._array[:, 0], rtol=1e-12)


@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal"])
def test_sdpa_gradients_and_second_derivatives(kind):
    q, k, v = tensors((2, 3, 4), (2, 5, 4), (2, 5, 3))
    mask, causal = None, kind == "causal"
    if kind == "bool":
        allowed = RNG.random((3, 5)) > 0.5
        allowed[:, 0] = True
        mask = minigrad.tensor(allowed)
    elif kind == "float":
        mask = minigrad.tensor(RNG.standard_normal((2, 1, 5)))

    def attend(q, k, v):
        return scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)

    assert gradcheck(attend, (q, k, v))
    assert gradgradcheck(attend, (q, k, v))


def test_sdpa_gradient_reaches_a_float_mask():
    q, k, v = tensors((2, 3, 4), (2, 5, 4), (2, 5, 3))
    (bias,) = tensors((3, 5))
    assert gradcheck(
        lambda q, k, v, b: scaled_dot_product_attention(q, k, v, attn_mask=b), (q, k, v, bias)
    )


def test_sdpa_fully_masked_row_is_zero_with_zero_gradient():
    q, k, v = tensors((1, 3, 4), (1, 5, 4), (1, 5, 2))
    allowed = np.ones((3, 5), dtype=bool)
    allowed[1] = False
    out = scaled_dot_product_attention(q, k, v, attn_mask=minigrad.tensor(allowed))
    assert np.all(out._array[:, 1] == 0) and np.all(np.isfinite(out._array))
    out.sum().backward()
    assert np.all(np.isfinite(q.grad._array)) and np.all(q.grad._array[:, 1] == 0)


def test_sdpa_dropout_is_inverted_dropout_of_the_weights():
    q, k, v = tensors((2, 6, 4), (2, 7, 4), (2, 7, 3), requires_grad=False)
    identity = minigrad.tensor(np.broadcast_to(np.eye(7), (2, 7, 7)).copy())
    minigrad.manual_seed(3)
    weights = scaled_dot_product_attention(q, k, identity, dropout_p=0.4)
    minigrad.manual_seed(3)
    dropped = scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    plain = scaled_dot_product_attention(q, k, identity)
    kept = weights._array != 0
    assert 0 < kept.mean() < 1
    # Survivors are the undropped weights scaled by 1 / (1 - p); the output uses them.
    np.testing.assert_allclose(weights._array[kept], plain._array[kept] / 0.6, rtol=1e-12)
    np.testing.assert_allclose(dropped._array, weights._array @ v._array, rtol=1e-12)
    zeros = scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert np.all(zeros._array == 0)


def test_sdpa_dropout_gradients_with_a_fixed_mask():
    q, k, v = tensors((2, 3, 4), (2, 5, 4), (2, 5, 3))

    def attend(q, k, v):
        minigrad.manual_seed(11)  # the same dropout mask at every evaluation
        return scaled_dot_product_attention(q, k, v, dropout_p=0.3)

    assert gradcheck(attend, (q, k, v))


def test_sdpa_grouped_query_attention_repeats_each_head_for_its_group():
    q, k, v = tensors((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 3))
    grouped = scaled_dot_product_attention(q, k, v, enable_gqa=True)
    repeated = scaled_dot_product_attention(
        q,
        minigrad.tensor(np.repeat(k._array, 2, axis=1)),
        minigrad.tensor(np.repeat(v._array, 2, axis=1)),
    )
    np.testing.assert_allclose(grouped._array, repeated._array, rtol=1e-12)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, enable_gqa=True),
                     (q, k, v))


def test_sdpa_errors_name_the_problem():
    q, k, v = tensors((2, 4, 5), (2, 6, 5), (2, 6, 3), requires_grad=False)
    with pytest.raises(TypeError, match="query must be a Tensor"):
        scaled_dot_product_attention(q._array, k, v)
    with pytest.raises(TypeError, match="floating"):
        scaled_dot_product_attention(q.long(), k, v)
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        scaled_dot_product_attention(minigrad.randn(5).double(), k, v)
    with pytest.raises(ValueError, match="do not broadcast"):
        scaled_dot_product_attention(q, minigrad.randn(3, 6, 5).double(), v)
    with pytest.raises(ValueError, match="dropout_p"):
        scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(ValueError, match="multiple of key's 3 heads"):
        scaled_dot_product_attention(
            minigrad.randn(1, 4, 2, 5), minigrad.randn(1, 3, 6, 5), minigrad.randn(1, 3, 6, 3),
            enable_gqa=True,
        )
    with pytest.raises(ValueError, match="heads dimension"):
        scaled_dot_product_attention(q[0], k[0], v[0], enable_gqa=True)


# ----------------------------------------------------------------------------- item 2


def test_mha_gradients_in_float64():
    attention = MultiheadAttention(4, 2, add_bias_kv=True, dtype="float64")
    query, key = tensors((3, 2, 4), (5, 2, 4))
    padding = minigrad.tensor(np.array([[False] * 4 + [True], [False] * 5]))

    def attend(query, key, *parameters):
        output, weights = attention(query, key, key, key_padding_mask=padding)
        return output, weights

    assert gradcheck(attend, (query, key, *attention.parameters()))


def test_mha_unbatched_equals_a_batch_of_one():
    attention = MultiheadAttention(6, 3, dtype="float64")
    query, key = tensors((4, 6), (5, 6), requires_grad=False)
    single, single_weights = attention(query, key, key)
    batch, batch_weights = attention(query.unsqueeze(1), key.unsqueeze(1), key.unsqueeze(1))
    np.testing.assert_allclose(single._array, batch._array[:, 0], rtol=1e-12)
    np.testing.assert_allclose(single_weights._array, batch_weights._array[0], rtol=1e-12)
    assert single_weights.shape == (4, 5)
    np.testing.assert_allclose(single_weights._array.sum(-1), 1.0, rtol=1e-12)


def test_mha_dropout_only_in_training():
    attention = MultiheadAttention(4, 2, dropout=0.5, dtype="float64")
    (x,) = tensors((3, 2, 4), requires_grad=False)
    minigrad.manual_seed(0)
    _, trained = attention(x, x, x, average_attn_weights=False)
    assert np.any(trained._array == 0)
    attention.eval()
    _, evaluated = attention(x, x, x, average_attn_weights=False)
    assert np.all(evaluated._array > 0)
    np.testing.assert_allclose(evaluated._array.sum(-1), 1.0, rtol=1e-12)


def test_mha_parameters_and_repr():
    attention = MultiheadAttention(8, 4, kdim=3, vdim=5, batch_first=True)
    shapes = {name: p.shape for name, p in attention.named_parameters()}
    assert shapes == {
        "q_proj_weight": (8, 8), "k_proj_weight": (8, 3), "v_proj_weight": (8, 5),
        "in_proj_bias": (24,), "out_proj.weight": (8, 8), "out_proj.bias": (8,),
    }
    assert attention.in_proj_weight is None and attention.head_dim == 2
    assert np.all(attention.in_proj_bias._array == 0)
    assert "embed_dim=8, num_heads=4" in repr(attention) and "out_proj" in repr(attention)


def test_mha_errors_name_the_shapes():
    with pytest.raises(ValueError, match="embed_dim 10 must be divisible by num_heads 4"):
        MultiheadAttention(10, 4)
    with pytest.raises(ValueError, match="positive int"):
        MultiheadAttention(8, 0)
    with pytest.raises(ValueError, match="dropout"):
        MultiheadAttention(8, 2, dropout=2.0)
    attention = MultiheadAttention(8, 2)
    x = minigrad.randn(4, 2, 8)
    with pytest.raises(TypeError, match="query must be a Tensor"):
        attention(x.numpy(), x, x)
    with pytest.raises(ValueError, match=r"unbatched \(L, E\) or batched 3-D.*\(1, 4, 2, 8\)"):
        attention(x.unsqueeze(0), x, x)
    with pytest.raises(ValueError, match="query's 3 dimensions"):
        attention(x, x[:, 0], x[:, 0])
    with pytest.raises(ValueError, match=r"query's batch.*\(4, 2, 8\).*\(3, 1, 8\)"):
        attention(x, x[:3, :1], x[:3, :1])
    with pytest.raises(ValueError, match=r"expected an embedding dimension of 8.*\(4, 2, 6\)"):
        attention(x[..., :6], x, x)
    with pytest.raises(ValueError, match=r"same shape when one in_proj_weight"):
        attention(x, x, x[..., :6])
    with pytest.raises(ValueError, match=r"key projection weight.*\(8, 8\).*\(4, 2, 6\)"):
        attention(x, x[..., :6], x[..., :6])
    with pytest.raises(ValueError, match=r"key_padding_mask must be \(N, S\).*\(4,\)"):
        attention(x, x, x, key_padding_mask=minigrad.zeros(4, dtype=minigrad.bool))


# ----------------------------------------------------------------------------- item 4

from minigrad.nn.attention import (  # noqa: E402
    AdditiveAttention,
    DotProductAttention,
    LuongAttention,
)


def recurrent_modules():
    return {
        "additive": AdditiveAttention(3, 4, 5, dtype="float64"),
        "dot": LuongAttention(4, score="dot"),
        "general": LuongAttention(3, 4, score="general", dtype="float64"),
        "concat": LuongAttention(3, 4, score="concat", hidden_size=5, dtype="float64"),
        "scaled_dot": DotProductAttention(scale=0.5),
    }


def query_size(name):
    return 4 if name in ("dot", "scaled_dot") else 3


def reference_scores(name, module, q, k):
    """Each score written out per (query step, source step) in NumPy."""
    n, t, s = q.shape[0], q.shape[1], k.shape[1]
    out = np.empty((n, t, s))
    for b in range(n):
        for i in range(t):
            for j in range(s):
                qi, kj = q[b, i], k[b, j]
                if name == "additive":
                    hidden = module.query_proj.weight._array @ qi + (
                        module.key_proj.weight._array @ kj + module.key_proj.bias._array
                    )
                    out[b, i, j] = module.score_proj.weight._array[0] @ np.tanh(hidden)
                elif name == "dot":
                    out[b, i, j] = qi @ kj
                elif name == "scaled_dot":
                    out[b, i, j] = 0.5 * qi @ kj
                elif name == "general":
                    out[b, i, j] = qi @ module.weight.weight._array @ kj
                else:
                    hidden = module.weight.weight._array @ np.concatenate([qi, kj])
                    out[b, i, j] = module.v.weight._array[0] @ np.tanh(hidden)
    return out


@pytest.mark.parametrize("name", ["additive", "dot", "general", "concat", "scaled_dot"])
def test_recurrent_attention_matches_its_equations_with_padding(name):
    module = recurrent_modules()[name]
    q, k, v = tensors((2, 3, query_size(name)), (2, 5, 4), (2, 5, 2), requires_grad=False)
    padded = np.zeros((2, 5), dtype=bool)
    padded[0, 3:] = True  # the first sequence has 3 real steps
    context, weights = module(q, k, v, key_padding_mask=minigrad.tensor(padded))
    scores = np.where(padded[:, None, :], -np.inf, reference_scores(name, module, q._array,
                                                                   k._array))
    expected = np.exp(scores - scores.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(weights._array, expected, rtol=1e-10, atol=1e-14)
    assert np.all(weights._array[0, :, 3:] == 0)
    np.testing.assert_allclose(context._array, expected @ v._array, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", ["additive", "dot", "general", "concat", "scaled_dot"])
def test_recurrent_attention_gradients(name):
    module = recurrent_modules()[name]
    q, k, v = tensors((2, 3, query_size(name)), (2, 5, 4), (2, 5, 2))
    padded = np.zeros((2, 5), dtype=bool)
    padded[1, 4] = True
    mask = minigrad.tensor(padded)

    def attend(q, k, v, *parameters):
        return module(q, k, v, key_padding_mask=mask)

    assert gradcheck(attend, (q, k, v, *module.parameters()))


@pytest.mark.parametrize("name", ["additive", "general", "concat"])
def test_one_decoder_step_and_values_default_to_keys(name):
    module = recurrent_modules()[name]
    q, k = tensors((2, query_size(name)), (2, 5, 4), requires_grad=False)
    context, weights = module(q, k)
    assert context.shape == (2, 4) and weights.shape == (2, 5)
    steps, step_weights = module(q.unsqueeze(1), k, k)
    np.testing.assert_allclose(context._array, steps._array[:, 0], rtol=1e-12)
    np.testing.assert_allclose(weights._array, step_weights._array[:, 0], rtol=1e-12)


def test_recurrent_attention_parameters():
    additive = AdditiveAttention(3, 4, 5)
    assert {n: p.shape for n, p in additive.named_parameters()} == {
        "query_proj.weight": (5, 3), "key_proj.weight": (5, 4), "key_proj.bias": (5,),
        "score_proj.weight": (1, 5),
    }
    assert list(LuongAttention(4, score="dot").parameters()) == []
    assert list(DotProductAttention().parameters()) == []
    assert {n: p.shape for n, p in LuongAttention(3, 4).named_parameters()} == {
        "weight.weight": (3, 4)
    }
    assert "score='concat'" in repr(LuongAttention(3, 4, score="concat"))


def test_recurrent_attention_errors():
    with pytest.raises(ValueError, match="score must be one of 'dot', 'general', 'concat'"):
        LuongAttention(4, score="bilinear")
    with pytest.raises(ValueError, match="query_size == key_size, got 3 and 4"):
        LuongAttention(3, 4, score="dot")
    module = AdditiveAttention(3, 4, 5)
    q, k = minigrad.randn(2, 3), minigrad.randn(2, 5, 4)
    with pytest.raises(ValueError, match=r"query has 4 features.*query_size=3"):
        module(minigrad.randn(2, 4), k)
    with pytest.raises(ValueError, match=r"keys' batch N.*\(3, 3\).*\(2, 5, 4\)"):
        module(minigrad.randn(3, 3), k)
    with pytest.raises(ValueError, match=r"keys must be \(N, S, key_size\)"):
        module(q, k[0])
    with pytest.raises(ValueError, match=r"values must be.*\(2, 4, 2\)"):
        module(q, k, minigrad.randn(2, 4, 2))
    with pytest.raises(ValueError, match=r"key_padding_mask must be \(N, S\) = \(2, 5\).*\(2, 4\)"):
        module(q, k, key_padding_mask=minigrad.zeros(2, 4, dtype=minigrad.bool))
    with pytest.raises(TypeError, match="bool tensor"):
        module(q, k, key_padding_mask=minigrad.zeros(2, 5))
    with pytest.raises(ValueError, match=r"query has 3 features.*query_size=4"):
        DotProductAttention()(q, k)
