"""Convolution and pooling layers against PyTorch: outputs, parameter and input gradients
from copied weights in float64 and float32, state dicts both ways, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn

torch = pytest.importorskip("torch")

TOLERANCES = {"float64": (1e-12, 1e-12), "float32": (2e-5, 2e-5)}


def _pair(shape, dtype, seed=0):
    values = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    ours = minigrad.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    return ours, theirs


def _upstream(shape, dtype):
    return np.random.default_rng(99).standard_normal(shape).astype(dtype)


def _compare(ours, theirs, dtype, where):
    rtol, atol = TOLERANCES[dtype]
    np.testing.assert_allclose(
        ours.detach().numpy() if isinstance(ours, minigrad.Tensor) else ours,
        theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=where,
    )


def _run_layer(ours_layer, theirs_layer, shape, dtype, call=lambda layer, x: layer(x)):
    """Same weights (torch's copied into ours), same input and upstream: the outputs and
    every gradient agree."""
    ours_layer.load_state_dict(
        {name: value.detach().numpy() for name, value in theirs_layer.state_dict().items()}
    )
    x, tx = _pair(shape, dtype)
    out, tout = call(ours_layer, x), call(theirs_layer, tx)
    if isinstance(tout, tuple):  # (values, indices)
        np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())
        assert out[1].dtype == minigrad.int64
        out, tout = out[0], tout[0]
    assert tuple(out.shape) == tuple(tout.shape)
    assert out.dtype == getattr(minigrad, dtype)
    _compare(out, tout, dtype, "output")
    upstream = _upstream(tuple(tout.shape), dtype)
    (out * minigrad.tensor(upstream)).sum().backward()
    (tout * torch.tensor(upstream)).sum().backward()
    _compare(x.grad, tx.grad, dtype, "input gradient")
    for (name, parameter), (_, theirs) in zip(
        ours_layer.named_parameters(), theirs_layer.named_parameters()
    ):
        _compare(parameter.grad, theirs.grad, dtype, f"gradient of {name}")


def _name(options):
    return ",".join(f"{key}={value}" for key, value in options.items())


CONV_CASES = [
    dict(in_channels=4, out_channels=6, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=5, padding="same"),
    dict(in_channels=4, out_channels=6, kernel_size=4, padding="same", dilation=2),
    dict(in_channels=4, out_channels=6, kernel_size=3, padding="valid", bias=False),
    dict(in_channels=4, out_channels=8, kernel_size=3, stride=2, padding=2, dilation=2),
    dict(in_channels=6, out_channels=4, kernel_size=(3,), groups=2, padding=(1,)),
    dict(in_channels=4, out_channels=4, kernel_size=3, groups=4, stride=3),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("options", CONV_CASES, ids=lambda o: _name(o))
def test_conv1d_layer(options, dtype):
    torch.manual_seed(0)
    theirs = torch.nn.Conv1d(**options, dtype=getattr(torch, dtype))
    ours = nn.Conv1d(**options, dtype=getattr(minigrad, dtype))
    assert repr(ours) == repr(theirs)
    assert dict(ours.state_dict()).keys() == theirs.state_dict().keys()
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    _run_layer(ours, theirs, (3, options["in_channels"], 17), dtype)
    _run_layer(ours, theirs, (options["in_channels"], 17), dtype)  # unbatched


TRANSPOSE_CASES = [
    dict(in_channels=4, out_channels=6, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=4, stride=2, padding=1, output_padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=3, stride=3, dilation=2, output_padding=2),
    dict(in_channels=6, out_channels=4, kernel_size=3, groups=2, bias=False),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("options", TRANSPOSE_CASES, ids=lambda o: _name(o))
def test_conv_transpose1d_layer(options, dtype):
    torch.manual_seed(1)
    theirs = torch.nn.ConvTranspose1d(**options, dtype=getattr(torch, dtype))
    ours = nn.ConvTranspose1d(**options, dtype=getattr(minigrad, dtype))
    assert repr(ours) == repr(theirs)
    _run_layer(ours, theirs, (2, options["in_channels"], 9), dtype)


def test_conv_transpose1d_output_size_picks_the_output_padding():
    torch.manual_seed(2)
    theirs = torch.nn.ConvTranspose1d(3, 2, 3, stride=2, dtype=torch.float64)
    ours = nn.ConvTranspose1d(3, 2, 3, stride=2, dtype=minigrad.float64)
    for size in (19, 20):
        _run_layer(ours, theirs, (2, 3, 9), "float64",
                   call=lambda layer, x, size=size: layer(x, output_size=[size]))
    with pytest.raises(ValueError, match=r"output_size 22 is not between 19 and 20"):
        ours(minigrad.randn(2, 3, 9, dtype=minigrad.float64), output_size=[22])


def test_state_dicts_move_both_ways():
    torch.manual_seed(3)
    theirs = torch.nn.Conv1d(4, 6, 3, groups=2, dtype=torch.float64)
    ours = nn.Conv1d(4, 6, 3, groups=2, dtype=minigrad.float64)
    theirs.load_state_dict(
        {key: torch.tensor(value.detach().numpy()) for key, value in ours.state_dict().items()}
    )
    x = np.random.default_rng(4).standard_normal((2, 4, 11))
    ours_out = ours(minigrad.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours_out, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-13)


def test_default_initialisation_draws_within_torchs_bounds():
    layer = nn.Conv1d(8, 16, 5, groups=2)
    bound = 1.0 / np.sqrt(4 * 5)  # fan_in = in_channels / groups * kernel
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound
    assert np.abs(bias).max() <= bound and weight.std() > 0.4 * bound


POOLS = {
    "max k3": (lambda m: m.MaxPool1d(3), {}),
    "max k3 s1 p1": (lambda m: m.MaxPool1d(3, stride=1, padding=1), {}),
    "max k2 d2 ceil": (lambda m: m.MaxPool1d(2, stride=2, dilation=2, ceil_mode=True), {}),
    "max k4 s3 p2 ceil": (lambda m: m.MaxPool1d(4, 3, 2, ceil_mode=True), {}),
    "max indices": (lambda m: m.MaxPool1d(3, 2, 1, return_indices=True), {}),
    "avg k3": (lambda m: m.AvgPool1d(3), {}),
    "avg k3 s2 p1": (lambda m: m.AvgPool1d(3, 2, 1), {}),
    "avg exclude pad": (lambda m: m.AvgPool1d(4, 2, 2, count_include_pad=False), {}),
    "avg ceil": (lambda m: m.AvgPool1d(3, 2, 1, ceil_mode=True), {}),
    "avg ceil exclude pad": (
        lambda m: m.AvgPool1d(4, 3, 1, ceil_mode=True, count_include_pad=False), {}
    ),
    "adaptive avg 5": (lambda m: m.AdaptiveAvgPool1d(5), {}),
    "adaptive avg 1": (lambda m: m.AdaptiveAvgPool1d(1), {}),
    "adaptive avg 13": (lambda m: m.AdaptiveAvgPool1d(13), {}),
    "adaptive max 4": (lambda m: m.AdaptiveMaxPool1d(4), {}),
    "adaptive max 6 indices": (lambda m: m.AdaptiveMaxPool1d(6, return_indices=True), {}),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(POOLS))
@pytest.mark.parametrize("shape", [(2, 3, 11), (3, 10)], ids=["batched", "unbatched"])
def test_pooling_layers(name, shape, dtype):
    make, _ = POOLS[name]
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _run_layer(ours, theirs, shape, dtype)


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie():
    values = [[[1.0, 3.0, 3.0, 0.0, 2.0, 2.0]]]
    x, tx = minigrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    nn.functional.max_pool1d(x, 3, 1).sum().backward()
    torch.nn.functional.max_pool1d(tx, 3, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda F, x: F.max_pool1d(x, 7, padding=0), r"shorter than the window"),
        (lambda F, x: F.max_pool1d(x, 3, padding=2), r"padding \(2\).*at most half"),
        (lambda F, x: F.avg_pool1d(x[0, 0], 2), r"2-D \(C, L\) or 3-D \(N, C, L\).*\(5,\)"),
        (lambda F, x: F.conv1d(x, x.new_zeros(2, 3, 7)), r"kernel|shorter|larger"),
    ],
)
def test_bad_input_gets_errors_naming_the_sizes(call, match):
    x = minigrad.randn(1, 3, 5)
    with pytest.raises((ValueError, RuntimeError), match=match):
        call(nn.functional, x)


def test_layer_arguments_are_checked():
    with pytest.raises(ValueError, match=r"divisible by groups \(4\)"):
        nn.Conv1d(6, 8, 3, groups=4)
    with pytest.raises(ValueError, match="padding_mode must be 'zeros'"):
        nn.Conv1d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        nn.Conv1d(2, 2, 3, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="CPU"):
        nn.Conv1d(2, 2, 3, device="cuda")
