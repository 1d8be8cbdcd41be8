"""minigrad.optim against torch.optim: same start, same gradients, same parameters.

Skipped when PyTorch is not installed. Everything runs in float64, where the two differ
only by rounding; learning-rate schedules must give the same sequences.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import SGD, Adagrad, Adam, AdamW, RMSprop, lr_scheduler

torch = pytest.importorskip("torch")

RTOL = 1e-6
ATOL = 1e-9
STEPS = 8

TORCH_CLASSES = {
    SGD: torch.optim.SGD,
    Adam: torch.optim.Adam,
    AdamW: torch.optim.AdamW,
    RMSprop: torch.optim.RMSprop,
    Adagrad: torch.optim.Adagrad,
}


def option_sets():
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        [0.0, 0.9], [0.0, 0.2], [False, True], [0.0, 0.1], [False, True]
    ):
        if not nesterov or (momentum > 0 and dampening == 0):
            yield (
                SGD,
                dict(
                    lr=0.05,
                    momentum=momentum,
                    dampening=dampening,
                    nesterov=nesterov,
                    weight_decay=weight_decay,
                    maximize=maximize,
                ),
            )
    for cls in (Adam, AdamW):
        for amsgrad, weight_decay, maximize, betas in itertools.product(
            [False, True], [0.0, 0.1], [False, True], [(0.9, 0.999), (0.5, 0.8)]
        ):
            yield (
                cls,
                dict(
                    lr=0.03,
                    amsgrad=amsgrad,
                    weight_decay=weight_decay,
                    maximize=maximize,
                    betas=betas,
                    eps=1e-7,
                ),
            )
    for momentum, centered, weight_decay, maximize in itertools.product(
        [0.0, 0.7], [False, True], [0.0, 0.1], [False, True]
    ):
        yield (
            RMSprop,
            dict(
                lr=0.01,
                alpha=0.9,
                momentum=momentum,
                centered=centered,
                weight_decay=weight_decay,
                maximize=maximize,
            ),
        )
    for lr_decay, weight_decay, initial, maximize in itertools.product(
        [0.0, 0.05], [0.0, 0.1], [0.0, 0.4], [False, True]
    ):
        yield (
            Adagrad,
            dict(
                lr=0.1,
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                initial_accumulator_value=initial,
                maximize=maximize,
            ),
        )
    for cls in TORCH_CLASSES:
        yield cls, {}


CASES = list(option_sets())


def run_both(cls, groups, defaults=None, seed=0, steps=STEPS, gap=(3, 1)):
    """Run minigrad's ``cls`` and torch's twin over the same parameter groups and the
    same gradients (parameter ``gap[1]`` gets none at step ``gap[0]``); return both
    parameter lists as NumPy arrays. ``defaults`` go to the constructors as keywords."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (6,)]
    ours, theirs, our_groups, their_groups = [], [], [], []
    for options in groups:
        our_members, their_members = [], []
        for shape in shapes:
            value = rng.standard_normal(shape)
            our_members.append(Parameter(minigrad.tensor(value, dtype=minigrad.float64)))
            their_members.append(torch.tensor(value, dtype=torch.float64, requires_grad=True))
        ours += our_members
        theirs += their_members
        our_groups.append({"params": our_members, **options})
        their_groups.append({"params": their_members, **options})
    our_optimizer = cls(our_groups, **(defaults or {}))
    their_optimizer = TORCH_CLASSES[cls](their_groups, **(defaults or {}))
    for step in range(steps):
        for index, (our, their) in enumerate(zip(ours, theirs)):
            if (step, index) == gap:
                our.grad = their.grad = None
                continue
            gradient = rng.standard_normal(our.shape)
            our.grad = minigrad.tensor(gradient, dtype=minigrad.float64)
            their.grad = torch.tensor(gradient, dtype=torch.float64)
        our_optimizer.step()
        their_optimizer.step()
    return [p._array for p in ours], [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize(
    ("cls", "options"), CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_same_parameters_as_torch(cls, options):
    ours, theirs = run_both(cls, [{}], defaults=options)
    for our, their in zip(ours, theirs):
        np.testing.assert_allclose(our, their, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    ("cls", "first", "second"),
    [
        (SGD, dict(lr=0.1, momentum=0.9), dict(lr=0.02, nesterov=True, momentum=0.5)),
        (SGD, dict(), dict(lr=0.02, weight_decay=0.1, maximize=True)),
        (Adam, dict(lr=0.05), dict(lr=0.01, amsgrad=True, weight_decay=0.2)),
        (AdamW, dict(lr=0.05, weight_decay=0.5), dict(maximize=True)),
        (RMSprop, dict(centered=True, momentum=0.3), dict(alpha=0.5)),
        (Adagrad, dict(lr_decay=0.2), dict(lr=0.5, weight_decay=0.1)),
    ],
)
def test_parameter_groups_match_torch(cls, first, second):
    # Keywords for the constructor: the defaults of every group.
    defaults = dict(momentum=0.2) if cls is SGD else dict(weight_decay=0.05)
    if cls is Adagrad:
        defaults["initial_accumulator_value"] = 0.3
    ours, theirs = run_both(cls, [first, second], defaults=defaults, seed=1)
    for our, their in zip(ours, theirs):
        np.testing.assert_allclose(our, their, rtol=RTOL, atol=ATOL)


def test_adagrad_per_group_initial_accumulator_is_honoured():
    """A deliberate difference: torch creates Adagrad's sums from the constructor's
    ``initial_accumulator_value`` only, ignoring a value set in a parameter group; minigrad
    uses the group's value, as the option's documentation promises."""
    param = Parameter(minigrad.zeros(2))
    optimizer = Adagrad([{"params": [param], "initial_accumulator_value": 0.5}])
    np.testing.assert_array_equal(optimizer.state[param]["sum"]._array, [0.5, 0.5])


def test_float32_matches_torch_closely():
    rng = np.random.default_rng(5)
    value = rng.standard_normal((8, 8)).astype(np.float32)
    our = Parameter(minigrad.tensor(value))
    their = torch.tensor(value, requires_grad=True)
    our_optimizer = Adam([our], lr=0.01, amsgrad=True)
    their_optimizer = torch.optim.Adam([their], lr=0.01, amsgrad=True)
    for _ in range(10):
        gradient = rng.standard_normal((8, 8)).astype(np.float32)
        our.grad = minigrad.tensor(gradient)
        their.grad = torch.tensor(gradient)
        our_optimizer.step()
        their_optimizer.step()
    assert our.dtype == minigrad.float32
    np.testing.assert_allclose(our._array, their.detach().numpy(), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- state dicts


def to_torch(value):
    if isinstance(value, minigrad.Tensor):
        return torch.from_numpy(value._array.copy())
    if isinstance(value, dict):
        return {k: to_torch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_torch(v) for v in value]
    return value


def from_torch(value):
    if isinstance(value, torch.Tensor):
        return minigrad.tensor(value.detach().numpy())
    if isinstance(value, dict):
        return {k: from_torch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_torch(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (SGD, dict(lr=0.1, momentum=0.9)),
        (Adam, dict(lr=0.05, amsgrad=True)),
        (AdamW, dict(lr=0.05)),
        (RMSprop, dict(momentum=0.5, centered=True)),
        (Adagrad, dict(lr_decay=0.1)),
    ],
)
def test_state_dicts_move_between_minigrad_and_torch(cls, options):
    """Half the steps in one library, the state dict handed over, the rest in the other:
    both directions end where an uninterrupted torch run does."""
    rng = np.random.default_rng(2)
    start = rng.standard_normal((3, 3))
    gradients = [rng.standard_normal((3, 3)) for _ in range(6)]

    def torch_run(begin, end, value, state=None):
        param = torch.tensor(value, requires_grad=True)
        optimizer = TORCH_CLASSES[cls]([param], **options)
        if state is not None:
            optimizer.load_state_dict(state)
        for g in gradients[begin:end]:
            param.grad = torch.tensor(g)
            optimizer.step()
        return param.detach().numpy(), optimizer

    def our_run(begin, end, value, state=None):
        param = Parameter(minigrad.tensor(value, dtype=minigrad.float64))
        optimizer = cls([param], **options)
        if state is not None:
            optimizer.load_state_dict(state)
        for g in gradients[begin:end]:
            param.grad = minigrad.tensor(g)
            optimizer.step()
        return param._array.copy(), optimizer

    expected, _ = torch_run(0, 6, start)

    halfway, ours = our_run(0, 3, start)
    result, _ = torch_run(3, 6, halfway, to_torch(ours.state_dict()))
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)

    halfway, theirs = torch_run(0, 3, start)
    result, _ = our_run(3, 6, halfway, from_torch(theirs.state_dict()))
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------------- schedules


def two_group_optimizers(lrs=(0.1, 0.03)):
    our = SGD([{"params": [Parameter(minigrad.zeros(1))], "lr": lr} for lr in lrs])
    their = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    )
    return our, their


def compare_schedules(make_ours, make_theirs, epochs=40, metrics=None):
    our_optimizer, their_optimizer = two_group_optimizers()
    ours = make_ours(our_optimizer)
    theirs = make_theirs(their_optimizer)
    sequence_ours, sequence_theirs = [ours.get_last_lr()], [theirs.get_last_lr()]
    for epoch in range(epochs):
        our_optimizer.step()
        their_optimizer.step()
        if metrics is None:
            ours.step()
            theirs.step()
        else:
            ours.step(metrics[epoch])
            theirs.step(metrics[epoch])
        sequence_ours.append(ours.get_last_lr())
        sequence_theirs.append(theirs.get_last_lr())
        assert ours.last_epoch == theirs.last_epoch
    np.testing.assert_allclose(sequence_ours, sequence_theirs, rtol=1e-12, atol=1e-15)
    assert [g["lr"] for g in our_optimizer.param_groups] == pytest.approx(
        [g["lr"] for g in their_optimizer.param_groups], rel=1e-12
    )


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (7, 0.9)])
def test_step_lr_matches_torch(step_size, gamma):
    compare_schedules(
        lambda o: lr_scheduler.StepLR(o, step_size, gamma),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma),
    )


@pytest.mark.parametrize("gamma", [0.5, 0.95, 1.0])
def test_exponential_lr_matches_torch(gamma):
    compare_schedules(
        lambda o: lr_scheduler.ExponentialLR(o, gamma),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma),
    )


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.001), (1, 0.0), (4, 0.02)])
def test_cosine_annealing_matches_torch(T_max, eta_min):
    compare_schedules(
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max, eta_min),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max, eta_min),
        epochs=5 * T_max + 3,
    )


def test_lambda_lr_matches_torch():
    functions = [lambda e: 0.95**e, lambda e: min(1.0, (e + 1) / 5)]
    compare_schedules(
        lambda o: lr_scheduler.LambdaLR(o, functions),
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, functions),
    )
    compare_schedules(
        lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)),
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)),
    )


METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.89, 0.8999, 0.85, 0.85, 0.85, 0.85, 0.85, 0.2] + [
    0.2 + 0.01 * math.sin(k) for k in range(30)
]


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(patience=2),
        dict(mode="max", patience=1, factor=0.5),
        dict(patience=0, threshold=0.05, threshold_mode="abs", cooldown=2),
        dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1, min_lr=0.01),
        dict(patience=1, min_lr=[0.02, 0.001], factor=0.3),
        dict(patience=0, eps=0.05),
    ],
)
def test_reduce_on_plateau_matches_torch(options):
    compare_schedules(
        lambda o: lr_scheduler.ReduceLROnPlateau(o, **options),
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **options),
        epochs=len(METRICS),
        metrics=METRICS,
    )
