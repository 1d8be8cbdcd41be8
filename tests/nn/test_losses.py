"""Losses (minigrad.nn.functional and minigrad.nn.loss) against NumPy implementations
written here: every reduction, class weights, ignore_index, label smoothing, probability
targets, pos_weight; gradients checked in float64; stability at extreme logits; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from minigrad.testing import gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def leaf(array, requires_grad=True):
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


# ----------------------------------------------------------------------------- NumPy oracles


def numpy_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def numpy_class_loss(log_p, target, weight, ignore_index, reduction, smoothing):
    """Cross-entropy of log-probabilities ``log_p`` (N, C, ...) and class indices, written
    sample by sample as the textbook formula."""
    classes = log_p.shape[1]
    weight = np.ones(classes) if weight is None else weight
    losses = np.zeros(target.shape)
    weights = np.zeros(target.shape)
    for position in np.ndindex(*target.shape):
        label = target[position]
        if label == ignore_index:
            continue
        n, rest = position[0], position[1:]
        column = log_p[(n, slice(None)) + rest]
        nll = -weight[label] * column[label]
        smooth = -(weight * column).sum() / classes
        losses[position] = (1 - smoothing) * nll + smoothing * smooth
        weights[position] = weight[label]
    if reduction == "mean":
        return losses.sum() / weights.sum()
    return losses.sum() if reduction == "sum" else losses


def numpy_probability_loss(logits, probabilities, weight, reduction, smoothing):
    classes = logits.shape[1]
    probabilities = probabilities * (1 - smoothing) + smoothing / classes
    terms = numpy_log_softmax(logits, 1) * probabilities
    if weight is not None:
        terms = terms * weight.reshape((1, classes) + (1,) * (logits.ndim - 2))
    return reduce(-terms.sum(axis=1), reduction)


def numpy_bce_with_logits(x, t, weight, pos_weight):
    probability = 1 / (1 + np.exp(-x))
    pos_weight = 1.0 if pos_weight is None else pos_weight
    loss = -(pos_weight * t * np.log(probability) + (1 - t) * np.log(1 - probability))
    return loss if weight is None else loss * weight


# ----------------------------------------------------------------------------- drawing cases


@st.composite
def class_cases(draw):
    """Logits (N, C) or (N, C, d), class targets with maybe ignored entries, weights."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch, classes = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    extra = draw(st.sampled_from([(), (2,)]))
    logits = rng.standard_normal((batch, classes) + extra) * 2
    target = rng.integers(0, classes, size=(batch,) + extra)
    ignore_index = draw(st.sampled_from([-100, 0]))
    if draw(st.booleans()) and target.size > 1:
        target.flat[0] = ignore_index  # an ignored entry (if -100, or class 0 anyway)
    if ignore_index != -100 and (target == ignore_index).all():
        target.flat[-1] = classes - 1 if classes > 1 else 0
        if classes == 1:
            ignore_index = -100  # one class: nothing else to pick
    weight = rng.random(classes) + 0.5 if draw(st.booleans()) else None
    reduction = draw(st.sampled_from(REDUCTIONS))
    smoothing = draw(st.sampled_from([0.0, 0.2]))
    return logits, target, weight, ignore_index, reduction, smoothing


# ----------------------------------------------------------------------------- regression


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "function, reference, kinks",
    [
        (F.mse_loss, lambda d: d**2, False),
        (F.l1_loss, np.abs, True),
    ],
    ids=["mse", "l1"],
)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1), shape=st.sampled_from([(1,), (3,), (2, 4), (3, 1, 2)]))
def test_regression_losses(function, reference, kinks, reduction, seed, shape):
    rng = np.random.default_rng(seed)
    x_values, t_values = rng.standard_normal(shape), rng.standard_normal(shape)
    if kinks:  # keep |x - t| away from 0, where the l1 gradient jumps
        gap = x_values - t_values
        x_values = np.where(np.abs(gap) < 0.05, t_values + 0.05, x_values)
    x, t = leaf(x_values), leaf(t_values)
    expected = reduce(reference(x_values - t_values), reduction)
    np.testing.assert_allclose(function(x, t, reduction)._array, expected, rtol=1e-12)
    assert gradcheck(lambda x, t: function(x, t, reduction), (x, t))


def test_regression_losses_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"target of shape \(3, 1\) differs from input of shape"):
        F.mse_loss(minigrad.randn(3), minigrad.randn(3, 1))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l1_loss(minigrad.randn(3), minigrad.randn(3), reduction="average")


# ----------------------------------------------------------------------------- cross-entropy


@settings(max_examples=25)
@given(case=class_cases())
def test_cross_entropy_with_class_indices(case):
    logits, target, weight, ignore_index, reduction, smoothing = case
    x = leaf(logits)
    w = None if weight is None else leaf(weight, requires_grad=False)
    labels = minigrad.tensor(target)

    def loss(x):
        return F.cross_entropy(x, labels, w, ignore_index, reduction, smoothing)

    expected = numpy_class_loss(
        numpy_log_softmax(logits, 1), target, weight, ignore_index, reduction, smoothing
    )
    np.testing.assert_allclose(loss(x)._array, expected, rtol=1e-10, atol=1e-12)
    assert gradcheck(loss, x)


@settings(max_examples=20)
@given(case=class_cases())
def test_nll_loss(case):
    logits, target, weight, ignore_index, reduction, _ = case
    log_p = numpy_log_softmax(logits, 1)
    x = leaf(log_p)
    w = None if weight is None else leaf(weight)
    labels = minigrad.tensor(target)

    def loss(x, *w):
        return F.nll_loss(x, labels, w[0] if w else None, ignore_index, reduction)

    expected = numpy_class_loss(log_p, target, weight, ignore_index, reduction, 0.0)
    np.testing.assert_allclose(loss(x, *([] if w is None else [w]))._array, expected, rtol=1e-10)
    assert gradcheck(loss, (x, w) if w is not None else (x,))


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(1, 1), (2, 3), (3, 4), (2, 3, 2)]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
    smoothing=st.sampled_from([0.0, 0.3]),
)
def test_cross_entropy_with_probability_targets(seed, shape, weighted, reduction, smoothing):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape)
    probabilities = rng.random(shape)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    weight = rng.random(shape[1]) + 0.5 if weighted else None
    x, p = leaf(logits), leaf(probabilities)

    def loss(x, p):
        w = None if weight is None else leaf(weight, requires_grad=False)
        return F.cross_entropy(x, p, w, reduction=reduction, label_smoothing=smoothing)

    expected = numpy_probability_loss(logits, probabilities, weight, reduction, smoothing)
    np.testing.assert_allclose(loss(x, p)._array, expected, rtol=1e-10, atol=1e-12)
    assert gradcheck(loss, (x, p))


def test_cross_entropy_unbatched_input():
    logits = np.array([0.5, -1.0, 2.0])
    result = F.cross_entropy(leaf(logits), minigrad.tensor(2))
    np.testing.assert_allclose(result._array, -numpy_log_softmax(logits, 0)[2])


def test_cross_entropy_mean_with_every_target_ignored_is_nan_as_pytorch():
    result = F.cross_entropy(minigrad.randn(2, 3), minigrad.tensor([-100, -100]))
    assert np.isnan(result.item())


def test_cross_entropy_is_stable_at_extreme_logits():
    logits = leaf([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.0, 0.0, -1e4]])
    labels = minigrad.tensor([0, 0, 2])
    losses = F.cross_entropy(logits, labels, reduction="none")
    # Right with margin 2e4, wrong by 2e4, and log(2) - log(exp(-1e4)) ~ 1e4 + log 2.
    np.testing.assert_allclose(losses._array, [0.0, 2e4, 1e4 + np.log(2)], rtol=1e-12)
    losses.sum().backward()
    assert np.isfinite(logits.grad._array).all()
    np.testing.assert_allclose(logits.grad._array, [[0, 0, 0], [-1, 1, 0], [0.5, 0.5, -1]])
    float32 = F.cross_entropy(minigrad.tensor([[1e4, -1e4]]), minigrad.tensor([1]))
    assert float32.dtype == minigrad.float32 and np.isclose(float32.item(), 2e4)


def test_class_target_errors_are_clear_and_early():
    logits = minigrad.randn(2, 3)
    with pytest.raises(ValueError, match=r"target 3 is out of range for 3 classes"):
        F.cross_entropy(logits, minigrad.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"target -2 is out of range"):
        F.nll_loss(logits, minigrad.tensor([0, -2]))
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\).*shape \(2,\), got \(3,\)"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"probability targets must have the input's shape"):
        F.cross_entropy(logits, minigrad.rand(2, 4))
    with pytest.raises(TypeError, match="integer"):
        F.nll_loss(logits, minigrad.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"weight must have one entry per class, shape \(3,\)"):
        F.cross_entropy(logits, minigrad.tensor([0, 1]), weight=minigrad.ones(2))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(logits, minigrad.tensor([0, 1]), label_smoothing=1.5)


# ----------------------------------------------------------------------------- binary


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(1,), (3,), (2, 4), (3, 2, 2)]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_binary_cross_entropy(seed, shape, weighted, reduction):
    rng = np.random.default_rng(seed)
    p_values = rng.uniform(0.05, 0.95, shape)
    t_values = rng.uniform(0.05, 0.95, shape)
    w_values = rng.random(shape[-1]) + 0.5 if weighted else None
    p, t = leaf(p_values), leaf(t_values)
    w = None if w_values is None else leaf(w_values)

    def loss(p, t, *w):
        return F.binary_cross_entropy(p, t, w[0] if w else None, reduction)

    expected = -(t_values * np.log(p_values) + (1 - t_values) * np.log(1 - p_values))
    expected = reduce(expected if w_values is None else expected * w_values, reduction)
    inputs = (p, t) if w is None else (p, t, w)
    np.testing.assert_allclose(loss(*inputs)._array, expected, rtol=1e-10)
    assert gradcheck(loss, inputs)


def test_binary_cross_entropy_is_finite_at_zero_and_one_as_pytorch():
    p = leaf([0.0, 1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, leaf([1.0, 0.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_array_equal(loss._array, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(p.grad._array, [-1e12, 1e12, 0.0, 0.0])


def test_binary_cross_entropy_range_errors():
    with pytest.raises(ValueError, match=r"input must be in \[0, 1\]"):
        F.binary_cross_entropy(minigrad.tensor([1.5]), minigrad.tensor([1.0]))
    with pytest.raises(ValueError, match="target"):
        F.binary_cross_entropy(minigrad.tensor([0.5]), minigrad.tensor([2.0]))


@settings(max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(1,), (3,), (2, 4), (3, 2, 2)]),
    weighted=st.booleans(),
    positive_weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_binary_cross_entropy_with_logits(seed, shape, weighted, positive_weighted, reduction):
    rng = np.random.default_rng(seed)
    x_values = rng.standard_normal(shape) * 3
    t_values = rng.random(shape)
    w_values = rng.random(shape) + 0.5 if weighted else None
    pw_values = rng.random(shape[-1]) + 0.5 if positive_weighted else None
    x, t = leaf(x_values), leaf(t_values)
    extras = [leaf(v) for v in (w_values, pw_values) if v is not None]

    def loss(x, t, *extras):
        extras = list(extras)
        w = extras.pop(0) if weighted else None
        pw = extras.pop(0) if positive_weighted else None
        return F.binary_cross_entropy_with_logits(x, t, w, reduction, pw)

    expected = reduce(numpy_bce_with_logits(x_values, t_values, w_values, pw_values), reduction)
    np.testing.assert_allclose(loss(x, t, *extras)._array, expected, rtol=1e-9, atol=1e-12)
    assert gradcheck(loss, (x, t, *extras))


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
def test_binary_cross_entropy_with_logits_is_stable_at_extreme_logits(dtype):
    x = minigrad.tensor([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype, requires_grad=True)
    t = minigrad.tensor([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    pos_weight = minigrad.tensor([3.0], dtype=dtype)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none", pos_weight=pos_weight)
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss._array, [0.0, 0.0, 1e4, 3e4, 3 * np.log(2)], rtol=1e-6)
    loss.sum().backward()
    # d/dx = (1 - t) - (1 + (p - 1) t) * sigmoid(-x)
    np.testing.assert_allclose(x.grad._array, [0.0, 0.0, 1.0, -3.0, -1.5], atol=1e-6)


def test_binary_cross_entropy_with_logits_errors():
    with pytest.raises(ValueError, match=r"target of shape \(2, 1\) differs from input"):
        F.binary_cross_entropy_with_logits(minigrad.randn(2), minigrad.rand(2, 1))
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(
            minigrad.randn(2, 2), minigrad.rand(2, 2), pos_weight=minigrad.ones(3)
        )


# ----------------------------------------------------------------------------- modules


def test_loss_modules_match_the_functions():
    rng = np.random.default_rng(5)
    x = leaf(rng.standard_normal((3, 4)), requires_grad=False)
    y = leaf(rng.random((3, 4)), requires_grad=False)
    labels = minigrad.tensor([0, 3, 1])
    w = leaf(rng.random(4) + 0.5, requires_grad=False)
    p = minigrad.sigmoid(x)
    pairs = [
        (MSELoss(reduction="sum")(x, y), F.mse_loss(x, y, "sum")),
        (L1Loss()(x, y), F.l1_loss(x, y)),
        (
            CrossEntropyLoss(w, ignore_index=3, label_smoothing=0.1)(x, labels),
            F.cross_entropy(x, labels, w, 3, label_smoothing=0.1),
        ),
        (NLLLoss(w, reduction="none")(x, labels), F.nll_loss(x, labels, w, reduction="none")),
        (BCELoss(w)(p, y), F.binary_cross_entropy(p, y, w)),
        (
            BCEWithLogitsLoss(pos_weight=w)(x, y),
            F.binary_cross_entropy_with_logits(x, y, pos_weight=w),
        ),
    ]
    for module_result, function_result in pairs:
        np.testing.assert_array_equal(module_result._array, function_result._array)


def test_loss_weights_are_buffers_as_pytorch():
    w = minigrad.ones(3)
    assert list(CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(CrossEntropyLoss().state_dict()) == []
    assert list(BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert CrossEntropyLoss(weight=w).to(minigrad.float64).weight.dtype == minigrad.float64


def test_loss_modules_reject_bad_options():
    with pytest.raises(ValueError, match="reduction"):
        MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(TypeError, match="weight"):
        NLLLoss(weight=[1.0, 2.0])
    assert repr(CrossEntropyLoss()) == "CrossEntropyLoss()"
