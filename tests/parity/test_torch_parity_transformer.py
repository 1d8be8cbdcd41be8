"""Parity with PyTorch for attention and the Transformer: values and gradients of
``scaled_dot_product_attention``, ``MultiheadAttention`` and the Transformer layers from
copied weights, in float64 and float32. Skipped when torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as tnn  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402
from minigrad.nn.attention import MultiheadAttention, scaled_dot_product_attention  # noqa: E402

RNG = np.random.default_rng(2026)
# torch warns when a boolean padding mask meets a float attention mask; both are supported.
# torch also warns that its nested-tensor fast path is off (it is not reproduced here).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Support for mismatched"),
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
]
TOLERANCE = {np.float64: {"atol": 1e-12, "rtol": 1e-10}, np.float32: {"atol": 2e-5, "rtol": 2e-4}}


def assert_close(ours, theirs, dtype=np.float64):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    ours = ours._array if isinstance(ours, minigrad.Tensor) else ours
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, **TOLERANCE[dtype])


# ----------------------------------------------------------------------------- item 1


def sdpa_both(shapes, dtype=np.float64, mask=None, **kwargs):
    """Run both libraries' scaled_dot_product_attention on the same random query, key
    and value; compare the output and the three gradients for a random upstream."""
    arrays = [RNG.standard_normal(shape).astype(dtype) for shape in shapes]
    ours = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = scaled_dot_product_attention(
        *ours, attn_mask=None if mask is None else minigrad.tensor(mask), **kwargs
    )
    tout = TF.scaled_dot_product_attention(
        *theirs, attn_mask=None if mask is None else torch.tensor(mask), **kwargs
    )
    assert_close(out, tout, dtype)
    upstream = RNG.standard_normal(out.shape).astype(dtype)
    out.backward(minigrad.tensor(upstream))
    tout.backward(torch.tensor(upstream))
    for x, tx in zip(ours, theirs):
        assert_close(x.grad, tx.grad, dtype)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shapes", [
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)),   # batch, heads; Ev != E
    ((4, 5), (6, 5), (6, 7)),                     # no batch
    ((2, 3, 4, 5), (1, 3, 6, 5), (2, 1, 6, 7)),   # batch dimensions broadcast
])
def test_sdpa_plain_and_scaled(shapes, dtype):
    sdpa_both(shapes, dtype)
    sdpa_both(shapes, dtype, scale=0.37)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_boolean_mask_broadcast_with_an_empty_row(dtype):
    mask = RNG.random((4, 6)) > 0.4
    mask[:, 0] = True
    mask[2] = False  # this query attends to nothing: zeros and zero gradients, as torch
    out = sdpa_both(((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), dtype, mask=mask)
    assert np.all(out._array[:, :, 2] == 0)
    per_batch = RNG.random((2, 1, 4, 6)) > 0.5
    sdpa_both(((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), dtype, mask=per_batch)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_additive_float_mask(dtype):
    mask = RNG.standard_normal((3, 1, 6)).astype(dtype)
    mask[1, 0, 2:] = -np.inf
    mask[0, 0, :] = -np.inf  # every score of head 0 removed
    sdpa_both(((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), dtype, mask=mask)


def test_sdpa_float32_mask_with_float64_inputs_keeps_float64():
    mask = RNG.standard_normal((4, 6)).astype(np.float32)
    out = sdpa_both(((2, 4, 5), (2, 6, 5), (2, 6, 3)), np.float64, mask=mask)
    assert out.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("lengths", [(4, 4), (4, 6), (8, 2)])
def test_sdpa_is_causal(lengths, dtype):
    target, source = lengths
    sdpa_both(((2, 3, target, 5), (2, 3, source, 5), (2, 3, source, 4)), dtype, is_causal=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_grouped_query_attention(dtype):
    sdpa_both(((2, 6, 4, 5), (2, 2, 6, 5), (2, 3, 6, 7)), dtype, enable_gqa=True)


def test_sdpa_rejects_what_torch_rejects():
    q = minigrad.randn(2, 4, 5)
    k = minigrad.randn(2, 6, 5)
    v = minigrad.randn(2, 6, 3)
    tq, tk, tv = (torch.tensor(t._array) for t in (q, k, v))
    with pytest.raises(RuntimeError, match="not both"):
        scaled_dot_product_attention(q, k, v, minigrad.ones(4, 6, dtype=minigrad.bool),
                                     is_causal=True)
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk, tv, torch.ones(4, 6, dtype=torch.bool),
                                        is_causal=True)
    with pytest.raises(TypeError, match="same dtype"):
        scaled_dot_product_attention(q, k, v.double())
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk, tv.double())
    with pytest.raises(TypeError, match="bool or floating"):
        scaled_dot_product_attention(q, k, v, minigrad.zeros(4, 6, dtype=minigrad.int64))
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk, tv, torch.zeros(4, 6, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(2, 4, 6\)"):
        scaled_dot_product_attention(q, k, v, minigrad.zeros(4, 5))
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk, tv, torch.zeros(4, 5))
    with pytest.raises(ValueError, match="last dimension"):
        scaled_dot_product_attention(q, k[..., :4], v)
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk[..., :4], tv)
    with pytest.raises(ValueError, match="as many positions"):
        scaled_dot_product_attention(q, k, v[:, :5])
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(tq, tk, tv[:, :5])


# ----------------------------------------------------------------------------- item 2


def copy_weights(ours, theirs):
    """Load torch's weights into our module; the two state dicts have the same keys."""
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare_parameter_grads(ours, theirs, dtype):
    theirs_by_name = dict(theirs.named_parameters())
    names = [name for name, _ in ours.named_parameters()]
    assert names == list(theirs_by_name)
    for name, parameter in ours.named_parameters():
        assert_close(parameter.grad, theirs_by_name[name].grad, dtype)


def backward_both(ours_outputs, theirs_outputs, dtype):
    """Backward through a random weighting of each output (skipping ``None``s)."""
    ours_loss, theirs_loss = None, None
    for out, tout in zip(ours_outputs, theirs_outputs):
        if out is None:
            assert tout is None
            continue
        assert_close(out, tout, dtype)
        upstream = RNG.standard_normal(out.shape).astype(dtype)
        term = (out * minigrad.tensor(upstream)).sum()
        tterm = (tout * torch.tensor(upstream)).sum()
        ours_loss = term if ours_loss is None else ours_loss + term
        theirs_loss = tterm if theirs_loss is None else theirs_loss + tterm
    ours_loss.backward()
    theirs_loss.backward()


def mha_both(options=None, call=None, masks=None, dtype=np.float64, lengths=(4, 5),
             batch=2, unbatched=False):
    """Build torch's MultiheadAttention(8, 2), copy its weights into ours, run both on the
    same inputs and masks; compare outputs, weights, input and parameter gradients."""
    options, call, masks = options or {}, call or {}, masks or {}
    tdtype = getattr(torch, np.dtype(dtype).name)
    theirs = tnn.MultiheadAttention(8, 2, dtype=tdtype, **options)
    ours = MultiheadAttention(8, 2, dtype=np.dtype(dtype).name, **options)
    copy_weights(ours, theirs)
    target, source = lengths
    sizes = (8, options.get("kdim", 8), options.get("vdim", 8))
    arrays = []
    for length, size in zip((target, source, source), sizes):
        shape = (length, size) if unbatched else (
            (batch, length, size) if options.get("batch_first") else (length, batch, size)
        )
        arrays.append(RNG.standard_normal(shape).astype(dtype))
    inputs = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    tinputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = ours(*inputs, **{k: minigrad.tensor(v) for k, v in masks.items()}, **call)
    tout = theirs(*tinputs, **{k: torch.tensor(v) for k, v in masks.items()}, **call)
    backward_both(out, tout, dtype)
    for x, tx in zip(inputs, tinputs):
        assert_close(x.grad, tx.grad, dtype)
    compare_parameter_grads(ours, theirs, dtype)
    return out


def padding_mask(batch, source):
    mask = RNG.random((batch, source)) > 0.6
    mask[:, 0] = False  # every query keeps at least one key
    return mask


def boolean_attn_mask(*shape):
    mask = RNG.random(shape) > 0.6
    mask[..., 0] = False
    return mask


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("options", [
    {}, {"batch_first": True}, {"bias": False}, {"add_bias_kv": True},
    {"add_zero_attn": True}, {"kdim": 3, "vdim": 6}, {"add_bias_kv": True, "add_zero_attn": True},
], ids=lambda o: ",".join(o) or "default")
def test_mha_options(options, need_weights, dtype):
    masks = {"key_padding_mask": padding_mask(2, 5), "attn_mask": boolean_attn_mask(4, 5)}
    mha_both(options, {"need_weights": need_weights}, dtype=dtype)
    mha_both(options, {"need_weights": need_weights}, masks, dtype=dtype)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_mha_masks_float_and_3d(need_weights, average):
    call = {"need_weights": need_weights, "average_attn_weights": average}
    mha_both(call=call, masks={"key_padding_mask": RNG.standard_normal((2, 5))})
    mha_both(call=call, masks={"attn_mask": RNG.standard_normal((4, 4, 5))})
    mha_both(call=call, masks={"attn_mask": boolean_attn_mask(4, 4, 5),
                               "key_padding_mask": padding_mask(2, 5)})
    mha_both(call=call, masks={"attn_mask": RNG.standard_normal((4, 5)),
                               "key_padding_mask": padding_mask(2, 5)})


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal_hint_with_its_mask(need_weights):
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    call = {"need_weights": need_weights, "is_causal": True}
    mha_both(call=call, masks={"attn_mask": causal}, lengths=(4, 4))
    mha_both(call=call, masks={"attn_mask": causal, "key_padding_mask": padding_mask(2, 4)},
             lengths=(4, 4))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched(batch_first, need_weights):
    options, call = {"batch_first": batch_first}, {"need_weights": need_weights}
    mha_both(options, call, unbatched=True)
    mask = RNG.random(5) > 0.6
    mask[0] = False
    mha_both(options, call, {"key_padding_mask": mask,
                             "attn_mask": RNG.standard_normal((2, 4, 5))}, unbatched=True)


def test_mha_state_dict_moves_both_ways():
    for options in ({}, {"bias": False}, {"add_bias_kv": True}, {"kdim": 3, "vdim": 5}):
        ours = MultiheadAttention(8, 2, **options)
        theirs = tnn.MultiheadAttention(8, 2, **options)
        state = {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
        theirs.load_state_dict(state)  # strict: same keys and shapes
        for key, value in theirs.state_dict().items():
            np.testing.assert_array_equal(value.numpy(), ours.state_dict()[key].numpy())
        assert [tuple(v.shape) for v in ours.state_dict().values()] == [
            tuple(v.shape) for v in theirs.state_dict().values()
        ]


def test_mha_errors_where_torch_errors():
    with pytest.raises(ValueError, match="divisible"):
        MultiheadAttention(8, 3)
    with pytest.raises(AssertionError):
        tnn.MultiheadAttention(8, 3)
    ours, theirs = MultiheadAttention(8, 2), tnn.MultiheadAttention(8, 2)
    x = minigrad.randn(4, 2, 8)
    tx = torch.tensor(x.numpy())
    bad = [
        ({"attn_mask": np.zeros((3, 4), np.float32)}, r"2-D attn_mask has shape \(3, 4\)"),
        ({"attn_mask": np.zeros((5, 4, 4), np.float32)}, r"\(5, 4, 4\).*\(4, 4, 4\)"),
        ({"key_padding_mask": np.zeros((2, 3), bool)}, r"\(N, S\) = \(2, 4\).*\(2, 3\)"),
        ({"attn_mask": np.zeros((4, 4), np.int64)}, "bool or floating"),
        ({"key_padding_mask": np.zeros((2, 4), np.int64)}, "bool or floating"),
        ({"is_causal": True}, "needs attn_mask"),
    ]
    for kwargs, message in bad:
        ours_kwargs = {k: v if k == "is_causal" else minigrad.tensor(v) for k, v in kwargs.items()}
        theirs_kwargs = {k: v if k == "is_causal" else torch.tensor(v) for k, v in kwargs.items()}
        with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
            ours(x, x, x, **ours_kwargs)
        with pytest.raises((RuntimeError, AssertionError)):
            theirs(tx, tx, tx, **theirs_kwargs)


# ----------------------------------------------------------------------------- item 3


def run_modules(ours, theirs, arrays, masks=None, flags=None, dtype=np.float64):
    """Copy torch's weights into ours, run both on the same inputs and masks; compare
    the output, the input gradients and every parameter gradient."""
    flags = flags or {}
    masks = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in (masks or {}).items()}
    copy_weights(ours, theirs)
    inputs = [minigrad.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    tinputs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = ours(*inputs, **{k: minigrad.tensor(v) for k, v in masks.items()}, **flags)
    tout = theirs(*tinputs, **{k: torch.tensor(v) for k, v in masks.items()}, **flags)
    backward_both([out], [tout], dtype)
    for x, tx in zip(inputs, tinputs):
        assert_close(x.grad, tx.grad, dtype)
    compare_parameter_grads(ours, theirs, dtype)


def sequences(*shapes):
    return [RNG.standard_normal(shape) for shape in shapes]


def causal(size):
    return np.triu(np.full((size, size), -np.inf), 1)


def layer_pair(kind, activation="relu", dtype=np.float64, **options):
    from minigrad.nn import transformer

    options = {"dim_feedforward": 16, "dropout": 0.0, **options}
    theirs_activation = {"gelu_fn": TF.gelu, "gelu_module": tnn.GELU()}.get(activation, activation)
    ours_activation = {"gelu_fn": minigrad.nn.functional.gelu,
                       "gelu_module": minigrad.nn.GELU()}.get(activation, activation)
    tdtype = getattr(torch, np.dtype(dtype).name)
    ours = getattr(transformer, kind)(8, 2, activation=ours_activation,
                                      dtype=np.dtype(dtype).name, **options)
    theirs = getattr(tnn, kind)(8, 2, activation=theirs_activation, dtype=tdtype, **options)
    return ours, theirs


@pytest.mark.parametrize("activation", ["relu", "gelu", "gelu_fn", "gelu_module"])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer(batch_first, norm_first, activation):
    ours, theirs = layer_pair("TransformerEncoderLayer", activation, norm_first=norm_first,
                              batch_first=batch_first)
    shape = (3, 5, 8) if batch_first else (5, 3, 8)
    run_modules(ours, theirs, sequences(shape))
    run_modules(ours, theirs, sequences(shape),
                {"src_mask": boolean_attn_mask(5, 5), "src_key_padding_mask": padding_mask(3, 5)})
    run_modules(ours, theirs, sequences(shape), {"src_mask": causal(5)}, {"is_causal": True})
    run_modules(ours, theirs, sequences((5, 8)), {"src_key_padding_mask": padding_mask(1, 5)[0]})


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_bias_eps_and_dtype(norm_first, dtype):
    ours, theirs = layer_pair("TransformerEncoderLayer", norm_first=norm_first, bias=False,
                              layer_norm_eps=1e-3, dtype=dtype)
    run_modules(ours, theirs, sequences((5, 3, 8)),
                {"src_mask": RNG.standard_normal((6, 5, 5))}, dtype=dtype)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_with_norm_and_causal_detection(norm_first):
    from minigrad.nn.transformer import TransformerEncoder

    ours_layer, theirs_layer = layer_pair("TransformerEncoderLayer", norm_first=norm_first)
    ours = TransformerEncoder(ours_layer, 3, minigrad.nn.LayerNorm(8, dtype="float64"))
    theirs = tnn.TransformerEncoder(theirs_layer, 3, tnn.LayerNorm(8, dtype=torch.float64),
                                    enable_nested_tensor=False)
    run_modules(ours, theirs, sequences((5, 3, 8)), {"mask": causal(5)})
    run_modules(ours, theirs, sequences((5, 3, 8)),
                {"mask": causal(5), "src_key_padding_mask": padding_mask(3, 5)})


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_and_stack(batch_first, norm_first, activation):
    from minigrad.nn.transformer import TransformerDecoder

    ours_layer, theirs_layer = layer_pair("TransformerDecoderLayer", activation,
                                          norm_first=norm_first, batch_first=batch_first)
    shapes = ((3, 4, 8), (3, 6, 8)) if batch_first else ((4, 3, 8), (6, 3, 8))
    masks = {"tgt_mask": causal(4), "memory_mask": boolean_attn_mask(4, 6),
             "tgt_key_padding_mask": padding_mask(3, 4),
             "memory_key_padding_mask": padding_mask(3, 6)}
    run_modules(ours_layer, theirs_layer, sequences(*shapes))
    run_modules(ours_layer, theirs_layer, sequences(*shapes), masks)
    run_modules(ours_layer, theirs_layer, sequences(*shapes), {"tgt_mask": causal(4)},
                {"tgt_is_causal": True})
    run_modules(ours_layer, theirs_layer, sequences((4, 8), (6, 8)),
                {"memory_key_padding_mask": padding_mask(1, 6)[0]})
    # torch's deepcopy of a Parameter drops its .grad (minigrad's keeps it): start clean.
    ours_layer.zero_grad()
    theirs_layer.zero_grad()
    ours = TransformerDecoder(ours_layer, 2, minigrad.nn.LayerNorm(8, dtype="float64"))
    theirs = tnn.TransformerDecoder(theirs_layer, 2, tnn.LayerNorm(8, dtype=torch.float64))
    run_modules(ours, theirs, sequences(*shapes), masks)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer(batch_first, norm_first):
    from minigrad.nn.transformer import Transformer

    options = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2,
               "dim_feedforward": 16, "dropout": 0.0, "batch_first": batch_first,
               "norm_first": norm_first}
    ours = Transformer(**options, dtype="float64")
    theirs = tnn.Transformer(**options, dtype=torch.float64)
    shapes = ((3, 5, 8), (3, 4, 8)) if batch_first else ((5, 3, 8), (4, 3, 8))
    masks = {"src_mask": boolean_attn_mask(5, 5), "tgt_mask": causal(4),
             "memory_mask": RNG.standard_normal((4, 5)),
             "src_key_padding_mask": padding_mask(3, 5),
             "tgt_key_padding_mask": padding_mask(3, 4),
             "memory_key_padding_mask": padding_mask(3, 5)}
    run_modules(ours, theirs, sequences(*shapes))
    run_modules(ours, theirs, sequences(*shapes), masks)
    run_modules(ours, theirs, sequences(*shapes), {"tgt_mask": causal(4)}, {"tgt_is_causal": True})
    run_modules(ours, theirs, sequences((5, 8), (4, 8)), {"tgt_mask": causal(4)})


def test_transformer_custom_parts_and_state_dict_both_ways():
    from minigrad.nn.transformer import Transformer, TransformerEncoder

    ours_layer, theirs_layer = layer_pair("TransformerEncoderLayer")
    ours = Transformer(8, 2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                       custom_encoder=TransformerEncoder(ours_layer, 1), dtype="float64")
    theirs = tnn.Transformer(8, 2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                             custom_encoder=tnn.TransformerEncoder(theirs_layer, 1),
                             dtype=torch.float64)
    run_modules(ours, theirs, sequences((5, 2, 8), (3, 2, 8)))
    fresh = tnn.Transformer(8, 2, num_decoder_layers=1, dim_feedforward=16,
                            custom_encoder=tnn.TransformerEncoder(theirs_layer, 1),
                            dtype=torch.float64)
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ours.state_dict()[key].numpy())


def test_default_transformer_has_torchs_state_dict():
    from minigrad.nn.transformer import Transformer

    ours, theirs = Transformer(), tnn.Transformer()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert ours.state_dict()["encoder.layers.0.linear1.weight"].dtype == np.float32


@pytest.mark.parametrize("size", [0, 1, 4])
def test_generate_square_subsequent_mask(size):
    from minigrad.nn.transformer import Transformer

    assert_close(Transformer.generate_square_subsequent_mask(size),
                 tnn.Transformer.generate_square_subsequent_mask(size), np.float32)
    assert_close(Transformer.generate_square_subsequent_mask(size, dtype="float64"),
                 tnn.Transformer.generate_square_subsequent_mask(size, dtype=torch.float64))


def test_transformer_errors_where_torch_errors():
    from minigrad.nn.transformer import Transformer, TransformerEncoderLayer

    options = {"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
               "dim_feedforward": 16}
    ours, theirs = Transformer(**options), tnn.Transformer(**options)
    for src, tgt, message in [((5, 3, 8), (4, 2, 8), "batch sizes"),
                              ((5, 3, 6), (4, 3, 6), "d_model=8")]:
        with pytest.raises(ValueError, match=message):
            ours(minigrad.randn(*src), minigrad.randn(*tgt))
        with pytest.raises(RuntimeError):
            theirs(torch.randn(*src), torch.randn(*tgt))
    with pytest.raises(ValueError, match="'relu' or 'gelu', not 'tanh'"):
        TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError):
        tnn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(ValueError, match="divisible"):
        TransformerEncoderLayer(8, 3)
    with pytest.raises(AssertionError):
        tnn.TransformerEncoderLayer(8, 3)
