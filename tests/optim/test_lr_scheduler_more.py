"""The schedules added for PyTorch parity: closed forms, argument checks, no side
effects when construction fails."""

from __future__ import annotations

import math

import pytest

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import SGD, Adagrad, Adam
from minigrad.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)


def optimizer(*lrs, cls=SGD, **options):
    lrs = lrs or (0.1,)
    return cls([{"params": [Parameter(minigrad.zeros(1))], "lr": lr} for lr in lrs], **options)


def rates(scheduler, epochs):
    sequence = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        scheduler.step()
        sequence.append(scheduler.get_last_lr()[0])
    return sequence


def test_closed_forms():
    assert rates(MultiStepLR(optimizer(1.0), [2, 4, 4], gamma=0.5), 5) == pytest.approx(
        [1, 1, 0.5, 0.5, 0.125, 0.125], rel=1e-12
    )
    assert rates(ConstantLR(optimizer(0.3), factor=0.5, total_iters=2), 3) == pytest.approx(
        [0.15, 0.15, 0.3, 0.3], rel=1e-12
    )
    assert rates(LinearLR(optimizer(1.0), 0.25, 1.0, total_iters=3), 4) == pytest.approx(
        [0.25, 0.5, 0.75, 1.0, 1.0], rel=1e-12
    )
    assert rates(PolynomialLR(optimizer(1.0), total_iters=4, power=2), 5) == pytest.approx(
        [1, 0.5625, 0.25, 0.0625, 0, 0], abs=1e-12
    )
    expected = [0.5 * (1 + math.cos(math.pi * (t % 4) / 4)) for t in range(9)]
    assert rates(CosineAnnealingWarmRestarts(optimizer(1.0), T_0=4), 8) == pytest.approx(
        expected, rel=1e-12
    )


def test_warm_restarts_period_grows_with_t_mult():
    scheduler = CosineAnnealingWarmRestarts(optimizer(1.0), T_0=2, T_mult=3)
    periods = []
    for _ in range(12):
        scheduler.step()
        periods.append(scheduler.T_i)
    assert periods == [2, 6, 6, 6, 6, 6, 6, 18, 18, 18, 18, 18]
    scheduler.step(9.5)  # 2 + 6 <= 9.5 < 2 + 6 + 18: 1.5 into the third period
    assert (scheduler.T_i, scheduler.T_cur, scheduler.last_epoch) == (18, 1.5, 9)


def test_sequential_switches_at_milestones_and_restarts_the_next_schedule():
    opt = optimizer(1.0)
    warmup = ConstantLR(opt, factor=0.1, total_iters=10)
    decay = StepLR(opt, step_size=2, gamma=0.5)
    values = rates(SequentialLR(opt, [warmup, decay], milestones=[3]), 6)
    assert values == pytest.approx([0.1, 0.1, 0.1, 1.0, 1.0, 0.5, 0.5], rel=1e-12)


def test_chained_composes():
    opt = optimizer(1.0)
    chained = ChainedScheduler([ConstantLR(opt, 0.5, 2), ExponentialLR(opt, 0.9)])
    assert rates(chained, 3) == pytest.approx([0.5, 0.45, 0.81, 0.729], rel=1e-12)


def test_cyclic_triangle_and_momentum():
    opt = optimizer(cls=SGD, momentum=0.5)
    scheduler = CyclicLR(opt, 0.0, 1.0, step_size_up=2, base_momentum=0.8, max_momentum=0.9)
    values, momenta = [], []
    for _ in range(5):
        values.append(scheduler.get_last_lr()[0])
        momenta.append(opt.param_groups[0]["momentum"])
        scheduler.step()
    assert values == pytest.approx([0, 0.5, 1, 0.5, 0], abs=1e-12)
    assert momenta == pytest.approx([0.9, 0.85, 0.8, 0.85, 0.9], abs=1e-12)


def test_onecycle_starts_peaks_and_ends_where_documented():
    opt = optimizer(cls=Adam)
    scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5, div_factor=4.0)
    values = rates(scheduler, 9)
    assert values[0] == pytest.approx(0.25)
    assert max(values) == pytest.approx(1.0) and values.index(max(values)) == 4
    assert values[-1] == pytest.approx(0.25 / 1e4)
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda o: MultiStepLR(o, [1.5]), TypeError, "milestones"),
        (lambda o: ConstantLR(o, factor=1.5), ValueError, "factor"),
        (lambda o: LinearLR(o, start_factor=0), ValueError, "start_factor"),
        (lambda o: LinearLR(o, end_factor=2), ValueError, "end_factor"),
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda o: CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError, "T_mult"),
        (lambda o: SequentialLR(o, [StepLR(o, 2)], milestones=[3]), ValueError, "milestone"),
        (lambda o: SequentialLR(o, [], milestones=[]), ValueError, "at least one"),
        (lambda o: ChainedScheduler([ReduceLROnPlateau(o)]), ValueError, "ReduceLROnPlateau"),
        (
            lambda o: SequentialLR(o, [StepLR(optimizer(), 2)], milestones=[]),
            ValueError,
            "same optimizer",
        ),
        (lambda o: CyclicLR(o, 0.1, [0.2, 0.3, 0.4]), ValueError, "max_lr has 3 values"),
        (lambda o: CyclicLR(o, 0.1, 0.2, mode="sawtooth"), ValueError, "mode"),
        (lambda o: OneCycleLR(o, max_lr=0.1), ValueError, "total_steps"),
        (lambda o: OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError, "total_steps"),
        (lambda o: OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=-1), ValueError, "steps_per"),
        (lambda o: OneCycleLR(o, 0.1, total_steps=9, pct_start=1), ValueError, "pct_start"),
        (lambda o: OneCycleLR(o, 0.1, 9, anneal_strategy="exp"), ValueError, "anneal"),
        (lambda o: OneCycleLR(object(), 0.1, 9), TypeError, "Optimizer"),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(optimizer(0.1, 0.2))


def test_failed_cyclic_and_onecycle_leave_the_optimizer_alone():
    opt = optimizer(0.1, 0.2, cls=Adagrad)
    before = [dict((k, v) for k, v in group.items() if k != "params") for group in opt.param_groups]
    with pytest.raises(ValueError, match="cycle_momentum"):
        CyclicLR(opt, 0.01, 0.1)
    with pytest.raises(ValueError, match="cycle_momentum"):
        OneCycleLR(opt, 0.1, total_steps=10)
    with pytest.raises(ValueError, match="base_momentum"):
        CyclicLR(optimizer(0.1, 0.2, cls=SGD), 0.01, 0.1, base_momentum=[0.1])
    after = [dict((k, v) for k, v in group.items() if k != "params") for group in opt.param_groups]
    assert after == before
    CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)  # fine without momentum
