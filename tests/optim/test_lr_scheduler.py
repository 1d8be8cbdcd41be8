"""Learning-rate schedules: closed forms, PyTorch's last_epoch semantics, state dicts."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    ReduceLROnPlateau,
    StepLR,
)
from minigrad.serialization import load, save


def optimizer(*lrs):
    lrs = lrs or (0.1,)
    return SGD([{"params": [Parameter(minigrad.zeros(1))], "lr": lr} for lr in lrs])


def rates(scheduler, epochs):
    """The rates after construction and after each of ``epochs`` steps (first group)."""
    sequence = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        scheduler.optimizer.step()
        scheduler.step()
        sequence.append(scheduler.get_last_lr()[0])
    return sequence


def test_constructor_performs_the_initial_step():
    opt = optimizer(0.1, 0.2)
    scheduler = StepLR(opt, step_size=2)
    assert scheduler.last_epoch == 0
    assert scheduler.base_lrs == [0.1, 0.2]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert scheduler.get_last_lr() == [0.1, 0.2]


@given(step_size=st.integers(1, 6), gamma=st.floats(0.05, 1.0))
def test_step_lr_closed_form(step_size, gamma):
    values = rates(StepLR(optimizer(0.5), step_size, gamma), 20)
    expected = [0.5 * gamma ** (epoch // step_size) for epoch in range(21)]
    assert values == pytest.approx(expected, rel=1e-12)


@given(gamma=st.floats(0.5, 1.0))
def test_exponential_lr_closed_form(gamma):
    values = rates(ExponentialLR(optimizer(0.3), gamma), 15)
    assert values == pytest.approx([0.3 * gamma**epoch for epoch in range(16)], rel=1e-12)


@given(T_max=st.integers(1, 12), eta_min=st.sampled_from([0.0, 0.001, 0.01]))
def test_cosine_annealing_closed_form_over_several_periods(T_max, eta_min):
    base = 0.1
    values = rates(CosineAnnealingLR(optimizer(base), T_max, eta_min), 3 * T_max + 2)
    expected = [
        eta_min + (base - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2
        for epoch in range(3 * T_max + 3)
    ]
    assert values == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_lambda_lr_per_group():
    opt = optimizer(1.0, 2.0)
    scheduler = LambdaLR(opt, [lambda e: 0.5**e, lambda e: e + 1])
    for _ in range(3):
        opt.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [0.125, 8.0]


def test_schedulers_compose_on_one_optimizer():
    opt = optimizer(1.0)
    first, second = StepLR(opt, 2, 0.5), ExponentialLR(opt, 0.9)
    for _ in range(4):
        opt.step()
        first.step()
        second.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5**2 * 0.9**4)


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(optimizer(), 2, last_epoch=4)
    opt = optimizer(0.1)
    opt.param_groups[0]["initial_lr"] = 0.1
    scheduler = StepLR(opt, 2, last_epoch=4)
    assert scheduler.last_epoch == 5


@pytest.mark.parametrize(
    "build",
    [
        lambda o: StepLR(o, 3, 0.5),
        lambda o: ExponentialLR(o, 0.8),
        lambda o: CosineAnnealingLR(o, 5, 0.01),
        lambda o: LambdaLR(o, lambda e: 1 / (e + 1)),
    ],
)
def test_state_dict_round_trip_through_a_file_continues_identically(build):
    uninterrupted = rates(build(optimizer(0.1)), 12)

    opt = optimizer(0.1)
    scheduler = build(opt)
    first_part = rates(scheduler, 5)
    buffer = io.BytesIO()
    save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    checkpoint = load(buffer)

    fresh_opt = optimizer(0.7)
    fresh_opt.load_state_dict(checkpoint["optimizer"])
    fresh = build(fresh_opt)
    fresh.load_state_dict(checkpoint["scheduler"])
    assert fresh.last_epoch == 5
    second_part = rates(fresh, 7)
    assert first_part + second_part[1:] == pytest.approx(uninterrupted, rel=1e-12)


def test_lambda_state_dict_keeps_callable_objects_state_only():
    class Warmup:
        def __init__(self):
            self.steps = 3

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    warmup = Warmup()
    scheduler = LambdaLR(optimizer(), [warmup])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"steps": 3}]
    assert LambdaLR(optimizer(), lambda e: 1.0).state_dict()["lr_lambdas"] == [None]
    other = Warmup()
    other.steps = 10
    restored = LambdaLR(optimizer(), [other])
    restored.load_state_dict(state)
    assert other.steps == 3


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda o: StepLR(o, 0), ValueError),
        (lambda o: CosineAnnealingLR(o, 0), ValueError),
        (lambda o: LambdaLR(o, [lambda e: 1.0] * 2), ValueError),
        (lambda o: LambdaLR(o, 3.0), TypeError),
        (lambda o: StepLR("not an optimizer", 2), TypeError),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError),
        (lambda o: ReduceLROnPlateau(o, mode="up"), ValueError),
        (lambda o: ReduceLROnPlateau(o, threshold_mode="relative"), ValueError),
        (lambda o: ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError),
    ],
)
def test_invalid_arguments(build, error):
    with pytest.raises(error):
        build(optimizer())


# --------------------------------------------------------------------------- plateau


def plateau_rates(metrics, **options):
    opt = optimizer(1.0)
    scheduler = ReduceLROnPlateau(opt, **options)
    sequence = []
    for value in metrics:
        scheduler.step(value)
        sequence.append(scheduler.get_last_lr()[0])
    return sequence


def test_plateau_waits_patience_epochs_then_reduces():
    # Best 1.0 at epoch 1; epochs 2-4 are bad; the third bad one exceeds patience=2.
    assert plateau_rates([1.0, 1.0, 1.0, 1.0, 1.0], patience=2, factor=0.5) == [
        1.0,
        1.0,
        1.0,
        0.5,
        0.5,
    ]


def test_plateau_cooldown_ignores_bad_epochs():
    values = plateau_rates([1.0] * 8, patience=0, cooldown=2, factor=0.5)
    assert values == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]


def test_plateau_threshold_modes():
    # rel: 0.9999 is not better than 1.0 * (1 - 1e-3); abs: 0.95 is better than 1.0 - 0.01.
    assert plateau_rates([1.0, 0.9999], patience=0, threshold=1e-3) == [1.0, 0.1]
    assert plateau_rates([1.0, 0.95], patience=0, threshold=0.01, threshold_mode="abs") == [
        1.0,
        1.0,
    ]
    assert plateau_rates([1.0, 1.5, 1.4], mode="max", patience=0) == [1.0, 1.0, 0.1]


def test_plateau_min_lr_and_eps():
    assert plateau_rates([1.0] * 4, patience=0, min_lr=0.05) == pytest.approx(
        [1.0, 0.1, 0.05, 0.05]
    )
    # A change smaller than eps is skipped.
    assert plateau_rates([1.0, 1.0], patience=0, factor=0.9, eps=0.2) == [1.0, 1.0]


def test_plateau_accepts_a_tensor_metric_and_round_trips_its_state():
    opt = optimizer(1.0)
    scheduler = ReduceLROnPlateau(opt, patience=1)
    scheduler.step(minigrad.tensor(2.0))
    buffer = io.BytesIO()
    save(scheduler.state_dict(), buffer)
    buffer.seek(0)
    state = load(buffer)
    assert state["best"] == 2.0 and state["mode_worse"] == math.inf
    restored = ReduceLROnPlateau(optimizer(1.0), mode="max")
    restored.load_state_dict(state)
    assert restored.mode == "min" and restored.mode_worse == math.inf
    assert restored.num_bad_epochs == 0 and restored.last_epoch == 1
