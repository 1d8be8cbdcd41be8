"""Parity with PyTorch: the same architecture has the same state_dict names and shapes,
and with copied weights the same outputs, input gradients and parameter gradients.
Skipped when torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as tnn  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad.nn import loss as losses  # noqa: E402
from minigrad.nn.containers import Sequential  # noqa: E402
from minigrad.nn.layers import (  # noqa: E402
    MLP,
    BatchNorm1d,
    Embedding,
    Flatten,
    LayerNorm,
    Linear,
    ReLU,
    Tanh,
)

RNG = np.random.default_rng(1234)


def copy_weights(ours, theirs):
    """Load torch's state_dict into our module (names must match)."""
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


def compare(ours, theirs, x_values, atol=1e-10, rtol=1e-8):
    """Same output, input gradient and parameter gradients for a random upstream."""
    x = minigrad.tensor(x_values, requires_grad=x_values.dtype.kind == "f")
    tx = torch.tensor(x_values, requires_grad=x_values.dtype.kind == "f")
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y._array, ty.detach().numpy(), atol=atol, rtol=rtol)
    upstream = RNG.standard_normal(y.shape)
    y.backward(minigrad.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    if x.requires_grad:
        np.testing.assert_allclose(x.grad._array, tx.grad.numpy(), atol=atol, rtol=rtol)
    their_grads = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad._array,
            their_grads[name].grad.numpy(),
            atol=atol,
            rtol=rtol,
            err_msg=name,
        )


def test_state_dict_names_and_shapes_equal_torchs():
    ours = Sequential(
        Linear(4, 8), BatchNorm1d(8), ReLU(), LayerNorm(8), Embedding(5, 8), Flatten()
    )
    theirs = tnn.Sequential(
        tnn.Linear(4, 8),
        tnn.BatchNorm1d(8),
        tnn.ReLU(),
        tnn.LayerNorm(8),
        tnn.Embedding(5, 8),
        tnn.Flatten(),
    )
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert a.shape == tuple(b.shape), name
    mlp = MLP(3, [5, 4], 2, activation="tanh")
    torch_mlp = tnn.Sequential(
        tnn.Linear(3, 5), tnn.Tanh(), tnn.Linear(5, 4), tnn.Tanh(), tnn.Linear(4, 2)
    )
    assert list(mlp.state_dict()) == ["layers." + k for k in torch_mlp.state_dict()]


def test_reprs_equal_torchs():
    pairs = [
        (Linear(3, 2, bias=False), tnn.Linear(3, 2, bias=False)),
        (LayerNorm((2, 3)), tnn.LayerNorm((2, 3))),
        (BatchNorm1d(4, momentum=None), tnn.BatchNorm1d(4, momentum=None)),
        (Embedding(7, 2, padding_idx=0), tnn.Embedding(7, 2, padding_idx=0)),
        (Sequential(Linear(2, 2), Tanh()), tnn.Sequential(tnn.Linear(2, 2), tnn.Tanh())),
        (losses.CrossEntropyLoss(), tnn.CrossEntropyLoss()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    theirs = tnn.Linear(4, 3, bias=bias).double()
    ours = Linear(4, 3, bias=bias, dtype=minigrad.float64)
    copy_weights(ours, theirs)
    compare(ours, theirs, RNG.standard_normal((2, 5, 4)))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "elu", "softplus"])
def test_mlp(activation):
    kinds = {
        "relu": tnn.ReLU,
        "tanh": tnn.Tanh,
        "sigmoid": tnn.Sigmoid,
        "elu": tnn.ELU,
        "softplus": tnn.Softplus,
    }
    ours = MLP(3, [4, 5], 2, activation=activation, dtype=minigrad.float64)
    body = tnn.Sequential(
        tnn.Linear(3, 4),
        kinds[activation](),
        tnn.Linear(4, 5),
        kinds[activation](),
        tnn.Linear(5, 2),
    ).double()
    theirs = tnn.Module()
    theirs.layers = body
    theirs.forward = body.forward
    copy_weights(ours, theirs)
    compare(ours, theirs, RNG.standard_normal((3, 3)))


def test_layer_norm():
    theirs = tnn.LayerNorm((3, 4)).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = LayerNorm((3, 4), dtype=minigrad.float64)
    copy_weights(ours, theirs)
    compare(ours, theirs, RNG.standard_normal((2, 3, 4)))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6)])
def test_batch_norm_training_steps_then_eval(momentum, shape):
    theirs = tnn.BatchNorm1d(3, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = BatchNorm1d(3, momentum=momentum, dtype=minigrad.float64)
    copy_weights(ours, theirs)
    for _ in range(3):
        ours.zero_grad()
        theirs.zero_grad()
        compare(ours, theirs, RNG.standard_normal(shape) * 2 + 1)
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(a._array, b.numpy(), rtol=1e-12, err_msg=name)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, RNG.standard_normal(shape))


def test_embedding_with_padding():
    theirs = tnn.Embedding(6, 3, padding_idx=2).double()
    ours = Embedding(6, 3, padding_idx=2, dtype=minigrad.float64)
    copy_weights(ours, theirs)
    compare(ours, theirs, np.array([[0, 2, 5], [2, 2, 1]]))


# ----------------------------------------------------------------------------- losses


def loss_pair(ours_fn, theirs_fn, x_values, *constants, target_grad=False, rtol=1e-9):
    x = minigrad.tensor(x_values, requires_grad=True)
    tx = torch.tensor(x_values, requires_grad=True)
    ours_args = [
        minigrad.tensor(c, requires_grad=target_grad) if c is not None else None for c in constants
    ]
    theirs_args = [
        torch.tensor(c, requires_grad=target_grad) if c is not None else None for c in constants
    ]
    y, ty = ours_fn(x, *ours_args), theirs_fn(tx, *theirs_args)
    np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=1e-9, atol=1e-12)
    upstream = RNG.standard_normal(y.shape)
    y.backward(minigrad.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad._array, tx.grad.numpy(), rtol=rtol, atol=1e-12)
    if target_grad:
        np.testing.assert_allclose(
            ours_args[0].grad._array, theirs_args[0].grad.numpy(), rtol=1e-9, atol=1e-12
        )


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("spatial", [False, True])
def test_cross_entropy_class_indices(reduction, weighted, smoothing, spatial):
    shape = (4, 5, 3) if spatial else (6, 5)
    logits = RNG.standard_normal(shape) * 3
    target = RNG.integers(0, 5, size=(shape[0],) + shape[2:])
    target.flat[1] = 3
    target.flat[0] = 3  # ignored below
    weight = RNG.random(5) + 0.3 if weighted else None
    ours = losses.CrossEntropyLoss(
        None if weight is None else minigrad.tensor(weight),
        ignore_index=3,
        reduction=reduction,
        label_smoothing=smoothing,
    )
    theirs = tnn.CrossEntropyLoss(
        None if weight is None else torch.tensor(weight),
        ignore_index=3,
        reduction=reduction,
        label_smoothing=smoothing,
    )
    loss_pair(ours, theirs, logits, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_probabilities(reduction, weighted, smoothing):
    logits = RNG.standard_normal((4, 5, 2))
    probabilities = RNG.random((4, 5, 2))
    probabilities /= probabilities.sum(1, keepdims=True)
    weight = RNG.random(5) + 0.3 if weighted else None

    def ours(x, p):
        w = None if weight is None else minigrad.tensor(weight)
        return F.cross_entropy(x, p, w, reduction=reduction, label_smoothing=smoothing)

    def theirs(x, p):
        w = None if weight is None else torch.tensor(weight)
        return TF.cross_entropy(x, p, w, reduction=reduction, label_smoothing=smoothing)

    loss_pair(ours, theirs, logits, probabilities, target_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(reduction, weighted):
    log_p = TF.log_softmax(torch.tensor(RNG.standard_normal((6, 4))), 1).numpy()
    target = np.array([0, 1, 3, -100, 2, 3])
    weight = RNG.random(4) + 0.3 if weighted else None
    ours = losses.NLLLoss(None if weight is None else minigrad.tensor(weight), reduction=reduction)
    theirs = tnn.NLLLoss(None if weight is None else torch.tensor(weight), reduction=reduction)
    loss_pair(ours, theirs, log_p, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    x, t = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    loss_pair(losses.MSELoss(reduction), tnn.MSELoss(reduction=reduction), x, t, target_grad=True)
    loss_pair(losses.L1Loss(reduction), tnn.L1Loss(reduction=reduction), x, t, target_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    p = RNG.uniform(0.01, 0.99, (2, 4))
    t = RNG.random((2, 4))
    weight = RNG.random(4) + 0.3 if weighted else None
    ours = losses.BCELoss(None if weight is None else minigrad.tensor(weight), reduction)
    theirs = tnn.BCELoss(None if weight is None else torch.tensor(weight), reduction=reduction)
    loss_pair(ours, theirs, p, t, target_grad=True)
    # At probabilities of exactly 0 and 1 both clamp the logs at -100 and floor the
    # gradient's denominator x (1 - x) at 1e-12 (PyTorch's 1e-12f, 4e-9 away relatively).
    # The target gradient is not compared there: PyTorch leaves it unclamped (+-inf),
    # minigrad gives the derivative of the clamped loss it computes (finite).
    p[1, 2:] = [0.0, 1.0]
    loss_pair(ours, theirs, p, t, rtol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive_weighted", [False, True])
@pytest.mark.parametrize("scale", [3.0, 1e4])
def test_binary_cross_entropy_with_logits(reduction, weighted, positive_weighted, scale):
    x = RNG.standard_normal((3, 4)) * scale
    t = RNG.random((3, 4))
    weight = RNG.random((3, 4)) + 0.3 if weighted else None
    pos_weight = RNG.random(4) + 0.3 if positive_weighted else None
    ours = losses.BCEWithLogitsLoss(
        None if weight is None else minigrad.tensor(weight),
        reduction,
        None if pos_weight is None else minigrad.tensor(pos_weight),
    )
    theirs = tnn.BCEWithLogitsLoss(
        None if weight is None else torch.tensor(weight),
        reduction=reduction,
        pos_weight=None if pos_weight is None else torch.tensor(pos_weight),
    )
    loss_pair(ours, theirs, x, t, target_grad=True)


def test_hardsigmoid_and_dropout_statistics():
    x = np.array([-4.0, -3.0, -1.0, 0.0, 2.5, 3.0, 5.0])
    # PyTorch's hardsigmoid gradient uses 1/6 rounded to float32 even in float64.
    loss_pair(F.hardsigmoid, TF.hardsigmoid, x, rtol=1e-7)
    minigrad.manual_seed(0)
    kept = F.dropout(minigrad.ones(100_000), 0.2)._array
    assert abs((kept != 0).mean() - 0.8) < 0.01 and set(np.unique(kept)) == {0.0, 1.25}
