"""The Transformer layers without PyTorch: gradients against finite differences
(float64), independent layer copies, dropout in training only, causal-mask detection,
the pre-/post-norm equations, and errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.nn.transformer import (
    PositionalEncoding,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    _detect_is_causal_mask,
)
from minigrad.testing import gradcheck

RNG = np.random.default_rng(15)


def sequence(*shape, requires_grad=False):
    return minigrad.tensor(RNG.standard_normal(shape), requires_grad=requires_grad)


def small_layer(kind=TransformerEncoderLayer, **options):
    options = {"dim_feedforward": 6, "dropout": 0.0, "dtype": "float64", **options}
    return kind(4, 2, **options)


# ----------------------------------------------------------------------------- item 3


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradients(norm_first):
    layer = small_layer(norm_first=norm_first, activation="gelu")
    src = sequence(3, 2, 4, requires_grad=True)
    padding = minigrad.tensor(np.array([[False, False, True], [False, False, False]]))
    mask = Transformer.generate_square_subsequent_mask(3, dtype="float64")

    def encode(src, *parameters):
        return layer(src, src_mask=mask, src_key_padding_mask=padding)

    assert gradcheck(encode, (src, *layer.parameters()))


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_gradients(norm_first):
    layer = small_layer(TransformerDecoderLayer, norm_first=norm_first)
    tgt, memory = sequence(3, 2, 4, requires_grad=True), sequence(5, 2, 4, requires_grad=True)
    mask = Transformer.generate_square_subsequent_mask(3, dtype="float64")
    assert gradcheck(lambda t, m, *p: layer(t, m, tgt_mask=mask),
                     (tgt, memory, *layer.parameters()))


def test_post_norm_encoder_layer_is_its_equations():
    layer = small_layer()
    x = sequence(3, 2, 4)
    attended, _ = layer.self_attn(x, x, x, need_weights=False)
    h = layer.norm1(x + attended)
    expected = layer.norm2(h + layer.linear2(F.relu(layer.linear1(h))))
    np.testing.assert_allclose(layer(x)._array, expected._array, rtol=1e-12, atol=1e-12)


def test_pre_norm_encoder_layer_is_its_equations():
    layer = small_layer(norm_first=True)
    x = sequence(3, 2, 4)
    normed = layer.norm1(x)
    attended, _ = layer.self_attn(normed, normed, normed, need_weights=False)
    h = x + attended
    expected = h + layer.linear2(F.relu(layer.linear1(layer.norm2(h))))
    np.testing.assert_allclose(layer(x)._array, expected._array, rtol=1e-12, atol=1e-12)


def test_stacks_hold_independent_copies():
    layer = small_layer()
    encoder = TransformerEncoder(layer, 2)
    first, second = encoder.layers[0], encoder.layers[1]
    assert first is not layer and first is not second
    np.testing.assert_array_equal(first.linear1.weight._array, layer.linear1.weight._array)
    with minigrad.no_grad():
        first.linear1.weight.add_(1.0)
    assert not np.allclose(first.linear1.weight._array, second.linear1.weight._array)
    assert [k for k in encoder.state_dict() if k.endswith("linear1.weight")] == [
        "layers.0.linear1.weight", "layers.1.linear1.weight"
    ]
    decoder = TransformerDecoder(small_layer(TransformerDecoderLayer), 3)
    assert len(decoder.layers) == 3 and decoder.norm is None


def test_dropout_only_in_training():
    layer = TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.5, dtype="float64")
    x = sequence(3, 2, 4)
    minigrad.manual_seed(1)
    first = layer(x)
    minigrad.manual_seed(2)
    second = layer(x)
    assert not np.allclose(first._array, second._array)
    layer.eval()
    np.testing.assert_array_equal(layer(x)._array, layer(x)._array)


def test_causal_mask_detection():
    mask = Transformer.generate_square_subsequent_mask(4)
    assert _detect_is_causal_mask(mask, None, 4)
    assert not _detect_is_causal_mask(mask, None, 5)
    assert not _detect_is_causal_mask(mask, False, 4)
    assert _detect_is_causal_mask(None, True, 4)
    assert _detect_is_causal_mask(minigrad.tensor(np.triu(np.ones((3, 3), bool), 1)), None, 3)
    other = mask._array.copy()
    other[3, 0] = -np.inf
    assert not _detect_is_causal_mask(minigrad.tensor(other), None, 4)


def test_generate_square_subsequent_mask():
    mask = Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == np.float32 and mask.shape == (3, 3)
    np.testing.assert_array_equal(
        mask._array, [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]]
    )
    with pytest.raises(ValueError, match="sz must be an int >= 0"):
        Transformer.generate_square_subsequent_mask(-1)


def test_transformer_shapes_and_initialisation():
    model = Transformer(8, 2, 1, 1, 16, dropout=0.0, batch_first=True)
    out = model(minigrad.randn(2, 5, 8), minigrad.randn(2, 3, 8))
    assert out.shape == (2, 3, 8)
    # Xavier-uniform for matrices: the bound is sqrt(6 / (fan_in + fan_out)).
    weight = model.encoder.layers[0].linear1.weight._array
    assert np.abs(weight).max() <= np.sqrt(6 / (8 + 16))
    assert np.all(model.encoder.layers[0].linear1.bias._array != 0)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="'relu' or 'gelu', not 'swish'"):
        TransformerEncoderLayer(4, 2, activation="swish")
    with pytest.raises(TypeError, match="callable"):
        TransformerDecoderLayer(4, 2, activation=3)
    with pytest.raises(ValueError, match="embed_dim 6 must be divisible by num_heads 4"):
        TransformerEncoderLayer(6, 4)
    with pytest.raises(ValueError, match="dim_feedforward must be a positive int"):
        TransformerEncoderLayer(4, 2, dim_feedforward=0)
    with pytest.raises(ValueError, match="dropout must be in"):
        TransformerDecoderLayer(4, 2, dropout=-0.1)
    with pytest.raises(TypeError, match="must be a Module"):
        TransformerEncoder(lambda x: x, 2)
    with pytest.raises(ValueError, match="num_layers"):
        TransformerDecoder(small_layer(TransformerDecoderLayer), -1)
    layer = small_layer()
    with pytest.raises(RuntimeError, match="needs attn_mask"):
        layer(sequence(3, 2, 4), is_causal=True)
    with pytest.raises(ValueError, match=r"2-D attn_mask has shape \(2, 2\).*\(3, 3\)"):
        layer(sequence(3, 2, 4), src_mask=minigrad.zeros(2, 2).double())
    model = Transformer(4, 2, 1, 1, 6)
    with pytest.raises(ValueError, match=r"batch sizes of src \(5, 2, 4\) and tgt \(3, 1, 4\)"):
        model(minigrad.randn(5, 2, 4), minigrad.randn(3, 1, 4))
    with pytest.raises(ValueError, match="d_model=4"):
        model(minigrad.randn(5, 2, 3), minigrad.randn(3, 2, 3))


# ----------------------------------------------------------------------------- item 4


@pytest.mark.parametrize("d_model", [6, 7])
def test_positional_encoding_values(d_model):
    encode = PositionalEncoding(d_model, max_len=50, dtype="float64")
    table = encode.pe._array
    assert table.shape == (50, d_model) and table.dtype == np.float64
    for position in (0, 1, 17, 49):
        for i in range(d_model):
            angle = position / 10000 ** (2 * (i // 2) / d_model)
            expected = np.sin(angle) if i % 2 == 0 else np.cos(angle)
            assert table[position, i] == pytest.approx(expected, abs=1e-12)
    assert list(encode.state_dict()) == ["pe"] and list(encode.parameters()) == []


@pytest.mark.parametrize("layout", ["sequence_first", "batch_first", "unbatched"])
def test_positional_encoding_adds_the_first_positions(layout):
    encode = PositionalEncoding(4, max_len=10, batch_first=layout == "batch_first",
                                dtype="float64")
    shape = {"sequence_first": (5, 2, 4), "batch_first": (2, 5, 4), "unbatched": (5, 4)}[layout]
    x = sequence(*shape, requires_grad=True)
    out = encode(x)
    table = encode.pe._array[:5]
    expected = x._array + (table[:, None] if layout == "sequence_first" else table)
    np.testing.assert_allclose(out._array, expected, rtol=1e-14)
    assert gradcheck(encode, (x,))


def test_positional_encoding_float32_by_default_and_dropout():
    encode = PositionalEncoding(4, max_len=10, dropout=0.5)
    x = minigrad.zeros(6, 3, 4)
    assert encode.pe.dtype == np.float32 and encode(x).dtype == np.float32
    minigrad.manual_seed(0)
    dropped = encode(x)._array
    kept = dropped != 0
    assert 0 < kept.mean() < 1
    expected = np.broadcast_to(encode.pe._array[:6, None] * 2, dropped.shape)
    np.testing.assert_allclose(dropped[kept], expected[kept], rtol=1e-6)
    encode.eval()
    np.testing.assert_array_equal(encode(x)._array, np.broadcast_to(encode.pe._array[:6, None],
                                                                    (6, 3, 4)))


def test_positional_encoding_errors():
    encode = PositionalEncoding(4, max_len=3)
    with pytest.raises(ValueError, match=r"4 positions.*max_len=3"):
        encode(minigrad.zeros(4, 1, 4))
    with pytest.raises(ValueError, match=r"d_model=4; got \(3, 1, 5\)"):
        encode(minigrad.zeros(3, 1, 5))
    with pytest.raises(ValueError, match="d_model must be a positive int"):
        PositionalEncoding(0)
    with pytest.raises(TypeError, match="must be a Tensor"):
        encode(np.zeros((3, 4)))
