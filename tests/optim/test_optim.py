"""Optimizers against NumPy transcriptions of their documented update rules.

Each reference below is the algorithm as PyTorch's documentation states it, written the
plain way (bias-corrected moments divided out, no in-place tricks), so it is an
independent oracle for the vectorised in-place code. Runs are in float64: the two differ
only by rounding (a few ulps per step), hence the tight tolerance.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

RTOL = 1e-10
ATOL = 1e-12

# --------------------------------------------------------------------------- references


def sgd_reference(theta, grad, state, o):
    g = -grad if o["maximize"] else grad
    if o["weight_decay"] != 0:
        g = g + o["weight_decay"] * theta
    if o["momentum"] != 0:
        if "b" in state:
            b = o["momentum"] * state["b"] + (1 - o["dampening"]) * g
        else:
            b = g
        state["b"] = b
        g = g + o["momentum"] * b if o["nesterov"] else b
    return theta - o["lr"] * g


def adam_reference(theta, grad, state, o, decoupled=False):
    beta1, beta2 = o["betas"]
    t = state["t"] = state.get("t", 0) + 1
    g = -grad if o["maximize"] else grad
    if o["weight_decay"] != 0:
        if decoupled:
            theta = theta * (1 - o["lr"] * o["weight_decay"])
        else:
            g = g + o["weight_decay"] * theta
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    if o["amsgrad"]:
        v = state["v_max"] = np.maximum(state.get("v_max", 0.0), v)
    v_hat = v / (1 - beta2**t)
    return theta - o["lr"] * m_hat / (np.sqrt(v_hat) + o["eps"])


def adamw_reference(theta, grad, state, o):
    return adam_reference(theta, grad, state, o, decoupled=True)


def rmsprop_reference(theta, grad, state, o):
    alpha = o["alpha"]
    g = -grad if o["maximize"] else grad
    if o["weight_decay"] != 0:
        g = g + o["weight_decay"] * theta
    v = state["v"] = alpha * state.get("v", 0.0) + (1 - alpha) * g**2
    if o["centered"]:
        a = state["a"] = alpha * state.get("a", 0.0) + (1 - alpha) * g
        denominator = np.sqrt(v - a**2) + o["eps"]
    else:
        denominator = np.sqrt(v) + o["eps"]
    if o["momentum"] > 0:
        b = state["b"] = o["momentum"] * state.get("b", 0.0) + g / denominator
        return theta - o["lr"] * b
    return theta - o["lr"] * g / denominator


def adagrad_reference(theta, grad, state, o):
    t = state["t"] = state.get("t", 0) + 1
    g = -grad if o["maximize"] else grad
    if o["weight_decay"] != 0:
        g = g + o["weight_decay"] * theta
    lr_t = o["lr"] / (1 + (t - 1) * o["lr_decay"])
    s = state["s"] = state.get("s", o["initial_accumulator_value"]) + g**2
    return theta - lr_t * g / (np.sqrt(s) + o["eps"])


DEFAULTS = {
    SGD: dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
    Adam: dict(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False
    ),
    AdamW: dict(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False
    ),
    RMSprop: dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False
    ),
    Adagrad: dict(
        lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False
    ),
}
REFERENCES = {
    SGD: sgd_reference,
    Adam: adam_reference,
    AdamW: adamw_reference,
    RMSprop: rmsprop_reference,
    Adagrad: adagrad_reference,
}


def check_against_reference(cls, groups, steps=6, seed=0, skip=((2, 0),), rtol=RTOL):
    """Run ``cls`` over parameter groups (each a dict of options) for ``steps`` steps of
    random gradients and compare every parameter with the reference after each step.

    Each group holds two parameters of different shapes. ``skip`` lists (step, parameter)
    pairs whose gradient is None at that step: those must be left alone.
    """
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (5,)]
    params, reference_params, options, states = [], [], [], []
    group_specs = []
    for group in groups:
        members = []
        for shape in shapes:
            value = rng.standard_normal(shape)
            param = Parameter(minigrad.tensor(value, dtype=minigrad.float64))
            members.append(param)
            params.append(param)
            reference_params.append(value.copy())
            options.append({**DEFAULTS[cls], **group})
            states.append({})
        group_specs.append({"params": members, **group})
    optimizer = cls(group_specs)
    reference = REFERENCES[cls]
    for step in range(steps):
        for index, param in enumerate(params):
            if (step, index) in skip:
                param.grad = None
                continue
            gradient = rng.standard_normal(param.shape)
            param.grad = minigrad.tensor(gradient, dtype=minigrad.float64)
            reference_params[index] = reference(
                reference_params[index], gradient, states[index], options[index]
            )
        optimizer.step()
        for param, expected in zip(params, reference_params):
            np.testing.assert_allclose(param._array, expected, rtol=rtol, atol=ATOL)
    return optimizer, params


# --------------------------------------------------------------------------- every option


def sgd_options():
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        [0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 0.1], [False, True]
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue
        yield dict(
            lr=0.05,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
            maximize=maximize,
        )


def adam_options():
    for amsgrad, weight_decay, maximize, betas in itertools.product(
        [False, True], [0.0, 0.05], [False, True], [(0.9, 0.999), (0.3, 0.6)]
    ):
        yield dict(
            lr=0.02,
            betas=betas,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            maximize=maximize,
            eps=1e-6,
        )


def rmsprop_options():
    for momentum, centered, weight_decay, maximize in itertools.product(
        [0.0, 0.5], [False, True], [0.0, 0.1], [False, True]
    ):
        yield dict(
            lr=0.01,
            alpha=0.9,
            momentum=momentum,
            centered=centered,
            weight_decay=weight_decay,
            maximize=maximize,
        )


def adagrad_options():
    for lr_decay, weight_decay, initial, maximize in itertools.product(
        [0.0, 0.1], [0.0, 0.1], [0.0, 0.5], [False, True]
    ):
        yield dict(
            lr=0.1,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial,
            maximize=maximize,
        )


CASES = (
    [(SGD, o) for o in sgd_options()]
    + [(Adam, o) for o in adam_options()]
    + [(AdamW, o) for o in adam_options()]
    + [(RMSprop, o) for o in rmsprop_options()]
    + [(Adagrad, o) for o in adagrad_options()]
)


@pytest.mark.parametrize(
    ("cls", "options"), CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_matches_documented_rule(cls, options):
    check_against_reference(cls, [options])


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad])
def test_defaults_match_documented_rule(cls):
    check_against_reference(cls, [{}])


@pytest.mark.parametrize(
    ("cls", "first", "second"),
    [
        (
            SGD,
            dict(lr=0.1, momentum=0.9, nesterov=True),
            dict(lr=0.01, weight_decay=0.2, maximize=True),
        ),
        (Adam, dict(lr=0.1, amsgrad=True), dict(betas=(0.5, 0.7), weight_decay=0.1)),
        (AdamW, dict(lr=0.1), dict(weight_decay=0.3, amsgrad=True, maximize=True)),
        (RMSprop, dict(centered=True), dict(momentum=0.8, alpha=0.5, lr=0.05)),
        (Adagrad, dict(lr_decay=0.5), dict(initial_accumulator_value=1.0, lr=0.3)),
    ],
)
def test_parameter_groups_with_different_options(cls, first, second):
    optimizer, _ = check_against_reference(cls, [first, second])
    assert [g["lr"] for g in optimizer.param_groups] == [
        first.get("lr", DEFAULTS[cls]["lr"]),
        second.get("lr", DEFAULTS[cls]["lr"]),
    ]


# --------------------------------------------------------------------------- drawn options

unit = st.floats(0.0, 0.99)


@given(
    lr=st.floats(1e-4, 1.0),
    momentum=unit,
    dampening=unit,
    weight_decay=st.floats(0.0, 0.5),
    nesterov=st.booleans(),
    maximize=st.booleans(),
)
def test_sgd_drawn_hyperparameters(lr, momentum, dampening, weight_decay, nesterov, maximize):
    if nesterov:
        momentum, dampening = max(momentum, 0.1), 0.0
    check_against_reference(
        SGD,
        [
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
            )
        ],
        steps=4,
    )


@given(
    lr=st.floats(1e-4, 1.0),
    beta1=unit,
    beta2=unit,
    eps=st.floats(1e-10, 1e-2),
    weight_decay=st.floats(0.0, 0.5),
    amsgrad=st.booleans(),
    decoupled=st.booleans(),
)
def test_adam_drawn_hyperparameters(lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled):
    check_against_reference(
        AdamW if decoupled else Adam,
        [dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)],
        steps=4,
    )


@given(
    lr=st.floats(1e-4, 0.5),
    alpha=unit,
    eps=st.floats(1e-10, 1e-2),
    momentum=unit,
    centered=st.booleans(),
)
def test_rmsprop_drawn_hyperparameters(lr, alpha, eps, momentum, centered):
    # Centred, the variance v - a**2 is a difference of nearly equal numbers of size about
    # alpha * g**2 (exactly 0 when alpha == 0), so the rounding of two correct
    # implementations is amplified by about 1 / alpha; eps bounds the amplification of
    # what is left. Keep both away from 0 and compare a little more loosely.
    rtol = RTOL
    if centered:
        alpha, eps, rtol = max(alpha, 0.05), max(eps, 1e-4), 1e-8
    check_against_reference(
        RMSprop,
        [dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered)],
        steps=4,
        rtol=rtol,
    )


@given(lr=st.floats(1e-4, 1.0), lr_decay=st.floats(0, 1), initial=st.floats(0, 2))
def test_adagrad_drawn_hyperparameters(lr, lr_decay, initial):
    check_against_reference(
        Adagrad, [dict(lr=lr, lr_decay=lr_decay, initial_accumulator_value=initial)], steps=4
    )


# --------------------------------------------------------------------------- mechanics


def make_param(*shape, dtype=minigrad.float32, seed=0):
    rng = np.random.default_rng(seed)
    return Parameter(minigrad.tensor(rng.standard_normal(shape), dtype=dtype))


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad])
def test_float32_stays_float32_and_version_bumps(cls):
    param = make_param(4, 3)
    optimizer = cls([param], lr=0.1)
    param.grad = minigrad.ones(4, 3)
    before = param._version
    optimizer.step()
    assert param.dtype == minigrad.float32
    assert param._version == before + 1
    for key, value in optimizer.state[param].items():
        if key != "step":
            assert value.dtype == minigrad.float32, key


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop, Adagrad])
def test_params_without_grad_are_skipped(cls):
    with_grad, without = make_param(3), make_param(2, seed=1)
    optimizer = cls([with_grad, without], lr=0.1, weight_decay=0.1)
    before = without._array.copy()
    with_grad.grad = minigrad.ones(3)
    optimizer.step()
    np.testing.assert_array_equal(without._array, before)
    assert without._version == 0
    if cls is not Adagrad:  # Adagrad creates its state up front, as PyTorch does
        assert not optimizer.state.get(without)


def test_step_does_not_modify_the_gradient():
    param = make_param(5)
    optimizer = SGD([param], lr=0.1, momentum=0.9, weight_decay=0.1)
    param.grad = minigrad.ones(5)
    optimizer.step()
    optimizer.step()
    np.testing.assert_array_equal(param.grad._array, np.ones(5, np.float32))


def test_step_leaves_no_graph_and_works_under_grad_mode():
    param = make_param(3)
    optimizer = Adam([param], lr=0.1)
    (param * param).sum().backward()
    assert minigrad.is_grad_enabled()
    optimizer.step()
    assert param.grad_fn is None and param.requires_grad and minigrad.is_grad_enabled()


def test_closure_is_evaluated_with_gradients_and_its_loss_returned():
    param = make_param(3)
    optimizer = SGD([param], lr=0.1)
    target = param._array.copy()

    def closure():
        optimizer.zero_grad()
        assert minigrad.is_grad_enabled()
        loss = (param * param).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert float(loss) == pytest.approx(float(np.sum(target.astype(np.float64) ** 2)), rel=1e-5)
    np.testing.assert_allclose(param._array, target - 0.1 * 2 * target, rtol=1e-6)


def test_zero_grad():
    first, second = make_param(3), make_param(2)
    optimizer = SGD([first, second])
    first.grad = minigrad.ones(3)
    grad = first.grad
    optimizer.zero_grad(set_to_none=False)
    assert first.grad is grad and np.all(grad._array == 0) and second.grad is None
    optimizer.zero_grad()
    assert first.grad is None


def test_add_param_group_fills_defaults_and_trains_the_new_group():
    first, second = make_param(3), make_param(2)
    optimizer = SGD([first], lr=0.1, momentum=0.5)
    optimizer.add_param_group({"params": second, "lr": 0.01})
    group = optimizer.param_groups[1]
    assert group["lr"] == 0.01 and group["momentum"] == 0.5 and group["params"] == [second]
    second.grad = minigrad.ones(2)
    before = second._array.copy()
    optimizer.step()
    np.testing.assert_allclose(second._array, before - 0.01, rtol=1e-6)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda p: SGD([p], lr=-0.1), ValueError, "learning rate"),
        (lambda p: SGD([p], lr=float("nan")), ValueError, "learning rate"),
        (lambda p: SGD([p], momentum=-1), ValueError, "momentum"),
        (lambda p: SGD([p], weight_decay=-1), ValueError, "weight_decay"),
        (lambda p: SGD([p], nesterov=True), ValueError, "Nesterov"),
        (lambda p: SGD([p], nesterov=True, momentum=0.9, dampening=0.1), ValueError, "Nesterov"),
        (lambda p: Adam([p], betas=(1.0, 0.999)), ValueError, "beta1"),
        (lambda p: Adam([p], betas=(0.9, -0.1)), ValueError, "beta2"),
        (lambda p: Adam([p], betas=(0.9,)), ValueError, "pair"),
        (lambda p: Adam([p], eps=-1e-8), ValueError, "eps"),
        (lambda p: AdamW([p], weight_decay=-0.1), ValueError, "weight_decay"),
        (lambda p: RMSprop([p], alpha=-0.5), ValueError, "alpha"),
        (lambda p: RMSprop([p], momentum=-0.5), ValueError, "momentum"),
        (lambda p: Adagrad([p], lr_decay=-1), ValueError, "lr_decay"),
        (lambda p: Adagrad([p], initial_accumulator_value=-1), ValueError, "initial_acc"),
        (lambda p: SGD([{"params": [p], "lr": -1}], lr=0.1), ValueError, "learning rate"),
        (lambda p: SGD([]), ValueError, "empty"),
        (lambda p: SGD(p), TypeError, "single"),
        (lambda p: SGD({p}), TypeError, "set"),
        (lambda p: SGD([p, p]), ValueError, "more than once"),
        (lambda p: SGD([{"params": [p]}, {"params": [p]}]), ValueError, "already in"),
        (lambda p: SGD([p, {"params": [p]}]), TypeError, "mixes"),
        (lambda p: SGD([p * 2]), ValueError, "leaf"),
        (lambda p: SGD([np.zeros(3)]), TypeError, "Tensors"),
        (lambda p: SGD([minigrad.tensor([1, 2])]), TypeError, "floating"),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(make_param(3))


def test_failed_add_param_group_changes_nothing():
    first, second = make_param(3), make_param(2)
    optimizer = SGD([first], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        optimizer.add_param_group({"params": [second], "lr": -1.0})
    assert len(optimizer.param_groups) == 1


def test_base_class_step_is_abstract():
    with pytest.raises(NotImplementedError):
        Optimizer([make_param(2)], {"lr": 0.1}).step()


# --------------------------------------------------------------------------- state dicts


def test_state_dict_layout():
    first, second, third = make_param(3), make_param(2), make_param(4)
    optimizer = Adam([{"params": [first, second]}, {"params": [third], "lr": 0.5}], amsgrad=True)
    second.grad, third.grad = minigrad.ones(2), minigrad.ones(4)
    optimizer.step()
    state = optimizer.state_dict()
    assert [g["params"] for g in state["param_groups"]] == [[0, 1], [2]]
    assert state["param_groups"][1]["lr"] == 0.5
    assert state["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(state["state"]) == [1, 2]  # the first parameter had no gradient
    assert set(state["state"][1]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert float(state["state"][1]["step"]) == 1.0
    assert state["state"][2]["exp_avg"].shape == (4,)


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
        (Adam, dict(lr=0.1, amsgrad=True)),
        (AdamW, dict(lr=0.1)),
        (RMSprop, dict(momentum=0.5, centered=True)),
        (Adagrad, dict(lr_decay=0.1, initial_accumulator_value=0.3)),
    ],
)
def test_load_state_dict_in_memory_continues_identically(cls, options):
    rng = np.random.default_rng(3)
    start = rng.standard_normal((2, 3))
    gradients = [rng.standard_normal((2, 3)) for _ in range(6)]

    def fresh():
        param = Parameter(minigrad.tensor(start, dtype=minigrad.float64))
        return param, cls([param], **options)

    whole, whole_optimizer = fresh()
    for g in gradients:
        whole.grad = minigrad.tensor(g)
        whole_optimizer.step()

    first, first_optimizer = fresh()
    for g in gradients[:3]:
        first.grad = minigrad.tensor(g)
        first_optimizer.step()
    second, second_optimizer = fresh()
    second._array[...] = first._array
    second_optimizer.load_state_dict(first_optimizer.state_dict())
    for g in gradients[3:]:
        first.grad = minigrad.tensor(g)  # the first optimizer keeps going: no shared state
        first_optimizer.step()
        second.grad = minigrad.tensor(g)
        second_optimizer.step()
    np.testing.assert_array_equal(second._array, whole._array)
    np.testing.assert_array_equal(first._array, whole._array)


def test_load_state_dict_restores_hyperparameters_and_casts_to_param_dtype():
    param = make_param(3)  # float32
    optimizer = SGD([param], lr=0.1, momentum=0.9)
    saved = {
        "state": {0: {"momentum_buffer": np.arange(3.0)}},  # float64 array
        "param_groups": [
            dict(
                lr=0.5,
                momentum=0.1,
                dampening=0,
                weight_decay=0,
                nesterov=False,
                maximize=False,
                params=[0],
            )
        ],
    }
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.5
    assert optimizer.param_groups[0]["params"][0] is param
    buffer = optimizer.state[param]["momentum_buffer"]
    assert isinstance(buffer, minigrad.Tensor) and buffer.dtype == minigrad.float32
    saved["state"][0]["momentum_buffer"][0] = 99.0
    assert buffer._array[0] == 0.0  # copied


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda s: s["param_groups"].append(dict(s["param_groups"][0])), "2 parameter groups"),
        (lambda s: s["param_groups"][0]["params"].append(7), "3 parameters in the state dict"),
        (lambda s: s["state"][0].__setitem__("exp_avg", np.zeros(5)), "shape"),
        (lambda s: s["state"].__setitem__(9, {}), "index 9"),
        (lambda s: s["param_groups"][0].__setitem__("lr", -1.0), "group 0.*learning rate"),
        (lambda s: s.pop("state"), "'state' and 'param_groups'"),
    ],
)
def test_load_state_dict_mismatch_raises_and_changes_nothing(mutate, match):
    first, second = make_param(3), make_param(2)
    optimizer = Adam([first, second], lr=0.1)
    first.grad, second.grad = minigrad.ones(3), minigrad.ones(2)
    optimizer.step()
    saved = optimizer.state_dict()
    saved = {
        "state": {k: dict(v) for k, v in saved["state"].items()},
        "param_groups": [dict(g, params=list(g["params"])) for g in saved["param_groups"]],
    }
    mutate(saved)
    groups_before = optimizer.param_groups
    state_before = {id(p): dict(s) for p, s in optimizer.state.items()}
    with pytest.raises(ValueError, match=match):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups is groups_before and optimizer.param_groups[0]["lr"] == 0.1
    assert {id(p): dict(s) for p, s in optimizer.state.items()} == state_before


def test_repr_lists_groups():
    text = repr(SGD([make_param(2)], lr=0.25))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.25" in text
