"""Adamax, NAdam and RAdam against NumPy transcriptions of their documented rules.

Each reference is the algorithm written the plain way (float64 throughout, except
NAdam's momentum product, which PyTorch keeps in float32), an oracle independent of the
in-place code.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import Adamax, NAdam, RAdam

RTOL = 1e-10
ATOL = 1e-12


def adamax_reference(theta, grad, state, o):
    t = state["t"] = state.get("t", 0) + 1
    beta1, beta2 = o["betas"]
    g = -grad if o["maximize"] else grad
    g = g + o["weight_decay"] * theta
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    u = state["u"] = np.maximum(beta2 * state.get("u", 0.0), np.abs(g) + o["eps"])
    return theta - o["lr"] / (1 - beta1**t) * m / u


def nadam_reference(theta, grad, state, o):
    t = state["t"] = state.get("t", 0) + 1
    beta1, beta2 = o["betas"]
    lr, decay = o["lr"], o["weight_decay"]
    g = -grad if o["maximize"] else grad
    if o["decoupled_weight_decay"]:
        theta = theta * (1 - lr * decay)
    else:
        g = g + decay * theta

    def mu(step):
        return beta1 * (1 - 0.5 * 0.96 ** (step * o["momentum_decay"]))

    product = state["P"] = np.float32(state.get("P", np.float32(1.0)) * np.float32(mu(t)))
    product_next = float(product) * mu(t + 1)
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    d = np.sqrt(v / (1 - beta2**t)) + o["eps"]
    return (
        theta
        - lr * (1 - mu(t)) / (1 - float(product)) * g / d
        - lr * mu(t + 1) / (1 - product_next) * m / d
    )


def radam_reference(theta, grad, state, o):
    t = state["t"] = state.get("t", 0) + 1
    beta1, beta2 = o["betas"]
    lr, decay = o["lr"], o["weight_decay"]
    g = -grad if o["maximize"] else grad
    if o["decoupled_weight_decay"]:
        theta = theta * (1 - lr * decay)
    else:
        g = g + decay * theta
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho <= 5:
        return theta - lr * m_hat
    r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return theta - lr * m_hat * np.sqrt(1 - beta2**t) / (np.sqrt(v) + o["eps"]) * r


REFERENCES = {Adamax: adamax_reference, NAdam: nadam_reference, RAdam: radam_reference}
DEFAULTS = {
    Adamax: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False),
    NAdam: dict(
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        maximize=False,
    ),
    RAdam: dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        maximize=False,
    ),
}


def run_against_reference(cls, options, steps=12, seed=0):
    rng = np.random.default_rng(seed)
    start = rng.standard_normal((3, 4))
    param = Parameter(minigrad.tensor(start, dtype=minigrad.float64))
    optimizer = cls([param], **options)
    merged = {**DEFAULTS[cls], **options}
    theta, state = start.copy(), {}
    for step in range(steps):
        gradient = rng.standard_normal((3, 4))
        if step == 4:  # no gradient: the parameter and its state must be left alone
            param.grad = None
            before = param._array.copy()
            optimizer.step()
            np.testing.assert_array_equal(param._array, before)
            continue
        param.grad = minigrad.tensor(gradient, dtype=minigrad.float64)
        optimizer.step()
        theta = REFERENCES[cls](theta, gradient, state, merged)
        np.testing.assert_allclose(param._array, theta, rtol=RTOL, atol=ATOL)
    assert float(optimizer.state[param]["step"]._array) == steps - 1


CASES = [
    (Adamax, {}),
    (Adamax, dict(lr=0.1, betas=(0.5, 0.8), weight_decay=0.2, maximize=True)),
    (Adamax, dict(lr=0.1, eps=0.5)),
    (NAdam, {}),
    (NAdam, dict(lr=0.1, momentum_decay=0.2, weight_decay=0.1)),
    (NAdam, dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True, maximize=True)),
    (RAdam, {}),
    (RAdam, dict(lr=0.1, betas=(0.8, 0.6), weight_decay=0.1)),
    (RAdam, dict(lr=0.1, betas=(0.8, 0.6), weight_decay=0.3, decoupled_weight_decay=True)),
    (RAdam, dict(lr=0.1, betas=(0.5, 0.7), maximize=True)),
]


@pytest.mark.parametrize(("cls", "options"), CASES)
def test_matches_documented_rule(cls, options):
    run_against_reference(cls, options)


@pytest.mark.parametrize("cls", [Adamax, NAdam, RAdam])
def test_defaults_are_pytorchs(cls):
    param = Parameter(minigrad.zeros(2))
    optimizer = cls([param])
    assert optimizer.defaults == DEFAULTS[cls]


@pytest.mark.parametrize("cls", [Adamax, NAdam, RAdam])
def test_float32_stays_float32_and_version_bumps_once(cls):
    param = Parameter(minigrad.tensor(np.linspace(-1, 1, 6), dtype=minigrad.float32))
    optimizer = cls([param], lr=0.1, weight_decay=0.1)
    param.grad = minigrad.ones(6)
    optimizer.step()
    assert param.dtype == minigrad.float32 and param._version == 1
    for key, value in optimizer.state[param].items():
        expected = minigrad.float32 if key in ("step", "mu_product") else param.dtype
        assert value.dtype == expected, key
    np.testing.assert_array_equal(param.grad._array, np.ones(6, np.float32))


def test_state_names_are_pytorchs():
    param = Parameter(minigrad.zeros(2))
    names = {}
    for cls in (Adamax, NAdam, RAdam):
        optimizer = cls([param])
        param.grad = minigrad.ones(2)
        optimizer.step()
        names[cls] = set(optimizer.state[param])
    assert names == {
        Adamax: {"step", "exp_avg", "exp_inf"},
        NAdam: {"step", "mu_product", "exp_avg", "exp_avg_sq"},
        RAdam: {"step", "exp_avg", "exp_avg_sq"},
    }


@pytest.mark.parametrize("cls", [Adamax, NAdam, RAdam])
def test_state_dict_round_trip_continues_identically(cls):
    rng = np.random.default_rng(3)
    start = rng.standard_normal(5)
    gradients = [rng.standard_normal(5) for _ in range(8)]

    def run(begin, end, value, state=None):
        param = Parameter(minigrad.tensor(value, dtype=minigrad.float64))
        optimizer = cls([param], lr=0.05, weight_decay=0.1)
        if state is not None:
            optimizer.load_state_dict(state)
        for gradient in gradients[begin:end]:
            param.grad = minigrad.tensor(gradient)
            optimizer.step()
        return param._array.copy(), optimizer

    expected, _ = run(0, 8, start)
    halfway, first = run(0, 4, start)
    result, _ = run(4, 8, halfway, first.state_dict())
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda p: Adamax([p], lr=-1), "learning rate"),
        (lambda p: Adamax([p], betas=(0.9, 1.0)), "beta2"),
        (lambda p: Adamax([p], eps=-1), "eps"),
        (lambda p: NAdam([p], momentum_decay=-0.1), "momentum_decay"),
        (lambda p: NAdam([p], weight_decay=-0.1), "weight_decay"),
        (lambda p: NAdam([p], betas=(-0.1, 0.9)), "beta1"),
        (lambda p: RAdam([p], betas=(0.9,)), "pair"),
        (lambda p: RAdam([{"params": [p], "lr": float("nan")}]), "learning rate"),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build(Parameter(minigrad.zeros(3)))


def test_maximize_is_keyword_only_as_in_pytorch():
    param = Parameter(minigrad.zeros(3))
    with pytest.raises(TypeError):
        NAdam([param], 1e-3, (0.9, 0.999), 1e-8, 0, 4e-3, False, True)  # type: ignore[misc]
    with pytest.raises(TypeError):
        RAdam([param], 1e-3, (0.9, 0.999), 1e-8, 0, False, True)  # type: ignore[misc]
