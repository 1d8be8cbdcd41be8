"""Parity with PyTorch for attention and the Transformer: values and gradients of
``scaled_dot_product_attention``, ``MultiheadAttention`` and the Transformer layers from
copied weights, in float64 and float32. Skipped when torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402
from minigrad.nn.attention import scaled_dot_product_attention  # noqa: E402

RNG = np.random.default_rng(2026)
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
