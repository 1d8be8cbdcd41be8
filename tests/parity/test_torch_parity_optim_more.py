"""Adamax, NAdam, RAdam, LBFGS and the extra schedules against torch.optim.

Skipped when PyTorch is not installed. The optimizers train the same tiny model from the
same float64 weights in both libraries; the schedules must give the same rates.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import LBFGS, Adamax, NAdam, RAdam

torch = pytest.importorskip("torch")

RTOL = 1e-12
STEPS = 20

TORCH_CLASSES = {
    Adamax: torch.optim.Adamax,
    NAdam: torch.optim.NAdam,
    RAdam: torch.optim.RAdam,
}


def model_data(seed=0):
    """Weights of a 3-5-2 tanh MLP and a batch of 8 inputs and targets."""
    rng = np.random.default_rng(seed)
    weights = [
        rng.standard_normal((5, 3)),
        rng.standard_normal(5),
        rng.standard_normal((2, 5)),
        rng.standard_normal(2),
    ]
    inputs = rng.standard_normal((8, 3))
    targets = rng.standard_normal((8, 2))
    return weights, inputs, targets


def mlp_loss(library, params, inputs, targets):
    """Mean squared error of the MLP; the same code runs on minigrad and on torch."""
    w1, b1, w2, b2 = params
    hidden = library.tanh(inputs @ w1.T + b1)
    return ((hidden @ w2.T + b2 - targets) ** 2).mean()


class Twin:
    """One library's copy of the model, data and optimizer."""

    def __init__(self, library, weights, inputs, targets, make_optimizer):
        self.library = library
        if library is torch:
            self.params = [torch.tensor(w, requires_grad=True) for w in weights]
        else:
            self.params = [Parameter(minigrad.tensor(w, dtype=minigrad.float64)) for w in weights]
        self.inputs = library.tensor(inputs, dtype=library.float64)
        self.targets = library.tensor(targets, dtype=library.float64)
        self.optimizer = make_optimizer(self.params)

    def closure(self):
        self.optimizer.zero_grad()
        loss = mlp_loss(self.library, self.params, self.inputs, self.targets)
        loss.backward()
        return loss

    def train(self, steps):
        for _ in range(steps):
            self.closure()
            self.optimizer.step()

    def arrays(self):
        return [p.detach().numpy().copy() for p in self.params]


def assert_same(ours, theirs, rtol=RTOL):
    """Every parameter within ``rtol`` of torch's, relative to that tensor's largest
    entry: an entry that training brought near zero from a scale of 1 carries the
    rounding of the scale (both libraries' matmul and tanh round differently)."""
    for our, their in zip(ours.arrays(), theirs.arrays()):
        np.testing.assert_allclose(our, their, rtol=0, atol=rtol * np.abs(their).max())


def adam_family_cases():
    for cls in (Adamax, NAdam, RAdam):
        yield cls, {}
        for lr, betas, weight_decay, maximize in itertools.product(
            [0.05], [(0.9, 0.999), (0.5, 0.8)], [0.0, 0.1], [False, True]
        ):
            options = dict(lr=lr, betas=betas, weight_decay=weight_decay, maximize=maximize)
            yield cls, options
            if cls is not Adamax and weight_decay:
                yield cls, dict(options, decoupled_weight_decay=True)
    yield NAdam, dict(lr=0.05, momentum_decay=0.1)
    yield NAdam, dict(lr=0.05, momentum_decay=0.0, weight_decay=0.2)
    yield Adamax, dict(lr=0.05, eps=1e-3)
    # A beta2 small enough that RAdam's rectified branch (rho_t > 5) starts early.
    yield RAdam, dict(lr=0.05, betas=(0.9, 0.7))


ADAM_FAMILY = list(adam_family_cases())


@pytest.mark.parametrize(
    ("cls", "options"),
    ADAM_FAMILY,
    ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(ADAM_FAMILY)],
)
def test_adam_family_trains_like_torch(cls, options):
    weights, inputs, targets = model_data()
    ours = Twin(minigrad, weights, inputs, targets, lambda p: cls(p, **options))
    theirs = Twin(torch, weights, inputs, targets, lambda p: TORCH_CLASSES[cls](p, **options))
    ours.train(STEPS)
    theirs.train(STEPS)
    assert_same(ours, theirs)
    if cls is NAdam:
        for our, their in zip(ours.params, theirs.params):
            assert float(ours.optimizer.state[our]["mu_product"]._array) == float(
                theirs.optimizer.state[their]["mu_product"]
            )


def test_radam_takes_both_branches():
    """RAdam's first steps are momentum SGD (rho_t <= 5) and later ones rectified Adam;
    the parity cases above must cover both."""
    beta2 = 0.7
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, STEPS + 1)]
    assert min(rho) <= 5 < max(rho)
    rho_default = [
        2 / (1 - 0.999) - 1 - 2 * t * 0.999**t / (1 - 0.999**t) for t in range(1, STEPS + 1)
    ]
    assert min(rho_default) <= 5 < max(rho_default)


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
        return minigrad.tensor(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: from_torch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_torch(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (Adamax, dict(lr=0.05, weight_decay=0.1)),
        (NAdam, dict(lr=0.05, momentum_decay=0.01)),
        (NAdam, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
        (RAdam, dict(lr=0.05, betas=(0.9, 0.7), weight_decay=0.1)),
    ],
)
def test_state_dict_moves_mid_run_in_both_directions(cls, options):
    """Ten steps in one library, the state dict handed to a fresh optimizer of the other,
    ten more steps there: both directions end where uninterrupted torch training does."""
    weights, inputs, targets = model_data(1)
    reference = Twin(torch, weights, inputs, targets, lambda p: TORCH_CLASSES[cls](p, **options))
    reference.train(STEPS)

    ours = Twin(minigrad, weights, inputs, targets, lambda p: cls(p, **options))
    ours.train(STEPS // 2)
    theirs = Twin(torch, ours.arrays(), inputs, targets, lambda p: TORCH_CLASSES[cls](p, **options))
    theirs.optimizer.load_state_dict(to_torch(ours.optimizer.state_dict()))
    theirs.train(STEPS // 2)
    assert_same(theirs, reference)

    theirs = Twin(torch, weights, inputs, targets, lambda p: TORCH_CLASSES[cls](p, **options))
    theirs.train(STEPS // 2)
    ours = Twin(minigrad, theirs.arrays(), inputs, targets, lambda p: cls(p, **options))
    ours.optimizer.load_state_dict(from_torch(theirs.optimizer.state_dict()))
    ours.train(STEPS // 2)
    assert_same(ours, reference)
    assert sorted(ours.optimizer.state_dict()["state"][0]) == sorted(
        theirs.optimizer.state_dict()["state"][0]
    )


# --------------------------------------------------------------------------- LBFGS


def least_squares(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((3, 4)), rng.standard_normal(3)]
    inputs = rng.standard_normal((20, 4))
    targets = rng.standard_normal((20, 3))
    return weights, inputs, targets


def linear_loss(library, params, inputs, targets):
    weight, bias = params
    return ((inputs @ weight.T + bias - targets) ** 2).mean()


class LBFGSTwin(Twin):
    def __init__(self, library, weights, inputs, targets, options, loss=mlp_loss):
        optimizer_class = torch.optim.LBFGS if library is torch else LBFGS
        super().__init__(library, weights, inputs, targets, lambda p: optimizer_class(p, **options))
        self.loss = loss
        self.evaluations = 0

    def closure(self):
        self.evaluations += 1
        self.optimizer.zero_grad()
        loss = self.loss(self.library, self.params, self.inputs, self.targets)
        loss.backward()
        return loss

    def train(self, steps):
        return [float(self.optimizer.step(self.closure).detach()) for _ in range(steps)]


# Steps per case: each L-BFGS step is up to 20 iterations, and on the MLP rounding
# differences (torch's dot and sum add in another order than NumPy's) grow by about 10x
# per step once the loss is small (1e-12 after 2 steps, 1e-11 after 3, 1e-8 after 4,
# even with the gradients computed by the same NumPy code for both): 3 steps there.
LBFGS_CASES = [
    (least_squares, linear_loss, dict(), 5),
    (least_squares, linear_loss, dict(line_search_fn="strong_wolfe"), 5),
    (least_squares, linear_loss, dict(lr=0.5, max_iter=4, history_size=2), 5),
    (model_data, mlp_loss, dict(lr=0.3, max_iter=5), 5),
    (model_data, mlp_loss, dict(line_search_fn="strong_wolfe"), 3),
    (model_data, mlp_loss, dict(line_search_fn="strong_wolfe", max_iter=7, history_size=3), 3),
    (model_data, mlp_loss, dict(line_search_fn="strong_wolfe", lr=2.0, max_eval=12), 3),
]


@pytest.mark.parametrize(("data", "loss", "options", "steps"), LBFGS_CASES)
def test_lbfgs_trains_like_torch(data, loss, options, steps):
    weights, inputs, targets = data()
    ours = LBFGSTwin(minigrad, weights, inputs, targets, options, loss)
    theirs = LBFGSTwin(torch, weights, inputs, targets, options, loss)
    our_losses = ours.train(steps)
    their_losses = theirs.train(steps)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10)
    assert ours.evaluations == theirs.evaluations
    assert_same(ours, theirs, rtol=1e-10)
    our_state = ours.optimizer.state[ours.params[0]]
    their_state = theirs.optimizer.state[theirs.params[0]]
    assert our_state["n_iter"] == their_state["n_iter"]
    assert our_state["func_evals"] == their_state["func_evals"]
    assert len(our_state["old_dirs"]) == len(their_state["old_dirs"])
    assert our_losses[-1] < our_losses[0]


def test_lbfgs_state_dict_moves_to_torch_and_back():
    options = dict(line_search_fn="strong_wolfe", max_iter=4, history_size=5)
    weights, inputs, targets = model_data(2)
    reference = LBFGSTwin(torch, weights, inputs, targets, options)
    reference.train(4)

    ours = LBFGSTwin(minigrad, weights, inputs, targets, options)
    ours.train(2)
    theirs = LBFGSTwin(torch, ours.arrays(), inputs, targets, options)
    theirs.optimizer.load_state_dict(to_torch(ours.optimizer.state_dict()))
    theirs.train(2)
    assert_same(theirs, reference, rtol=1e-10)

    theirs = LBFGSTwin(torch, weights, inputs, targets, options)
    theirs.train(2)
    ours = LBFGSTwin(minigrad, theirs.arrays(), inputs, targets, options)
    ours.optimizer.load_state_dict(from_torch(theirs.optimizer.state_dict()))
    ours.train(2)
    assert_same(ours, reference, rtol=1e-10)


# --------------------------------------------------------------------------- schedules

EPOCHS = 100


def scheduled_pair(optimizer_name="SGD", lrs=(0.1, 0.03), **options):
    """The same two-group optimizer in both libraries (groups of one parameter each)."""
    ours = getattr(minigrad.optim, optimizer_name)(
        [{"params": [Parameter(minigrad.zeros(2))], "lr": lr} for lr in lrs], **options
    )
    theirs = getattr(torch.optim, optimizer_name)(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs], **options
    )
    return ours, theirs


def momenta(optimizer):
    return [
        group["betas"][0] if "betas" in group else group.get("momentum")
        for group in optimizer.param_groups
    ]


def run_schedule(optimizer, scheduler, epochs=EPOCHS, epoch_of=None):
    """The rates (and momenta) after construction and after each step."""
    record = [(list(scheduler.get_last_lr()), momenta(optimizer))]
    for step in range(epochs):
        optimizer.step()
        if epoch_of is None:
            scheduler.step()
        else:
            scheduler.step(epoch_of(step))
        record.append((list(scheduler.get_last_lr()), momenta(optimizer)))
    return record


def assert_same_schedule(ours, theirs):
    assert len(ours) == len(theirs)
    for epoch, ((our_lrs, our_m), (their_lrs, their_m)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-15, atol=0, err_msg=f"{epoch}")
        assert our_m == pytest.approx(their_m, rel=1e-15, abs=0), epoch


def compare(make, optimizer_name="SGD", optimizer_options=None, epochs=EPOCHS, epoch_of=None):
    """``make(library_module, optimizer)`` builds the scheduler in each library."""
    ours, theirs = scheduled_pair(optimizer_name, **(optimizer_options or {}))
    our_record = run_schedule(ours, make(minigrad.optim.lr_scheduler, ours), epochs, epoch_of)
    their_record = run_schedule(theirs, make(torch.optim.lr_scheduler, theirs), epochs, epoch_of)
    assert_same_schedule(our_record, their_record)
    return our_record


SIMPLE_SCHEDULES = {
    "multistep": lambda m, o: m.MultiStepLR(o, milestones=[10, 30, 30, 75], gamma=0.5),
    "multistep-default": lambda m, o: m.MultiStepLR(o, milestones=[3, 50]),
    "constant": lambda m, o: m.ConstantLR(o),
    "constant-long": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=40),
    "linear": lambda m, o: m.LinearLR(o),
    "linear-down": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=60),
    "linear-up": lambda m, o: m.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=30),
    "polynomial": lambda m, o: m.PolynomialLR(o),
    "polynomial-power": lambda m, o: m.PolynomialLR(o, total_iters=70, power=2.5),
    "warm-restarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7),
    "warm-restarts-mult": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-3
    ),
    "sequential": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=10), m.ExponentialLR(o, 0.95)], [10]
    ),
    "sequential-three": lambda m, o: m.SequentialLR(
        o,
        [
            m.ConstantLR(o, factor=0.5, total_iters=4),
            m.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
            m.StepLR(o, step_size=7, gamma=0.7),
        ],
        milestones=[15, 60],
    ),
    "sequential-multistep": lambda m, o: m.SequentialLR(
        o, [m.MultiStepLR(o, [5, 8]), m.PolynomialLR(o, total_iters=50)], milestones=[20]
    ),
    "chained": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.2, total_iters=8), m.ExponentialLR(o, gamma=0.97)]
    ),
    "chained-cosine": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, start_factor=0.5, total_iters=12), m.CosineAnnealingLR(o, T_max=30)],
        optimizer=o,
    ),
    "cyclic": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=7, cycle_momentum=False),
    "cyclic-triangular2": lambda m, o: m.CyclicLR(
        o, [0.01, 0.002], [0.1, 0.05], step_size_up=6, step_size_down=11, mode="triangular2"
    ),
    "cyclic-exp-range": lambda m, o: m.CyclicLR(
        o, 0.001, 0.2, step_size_up=9, mode="exp_range", gamma=0.99, base_momentum=0.7
    ),
    "cyclic-scale-fn": lambda m, o: m.CyclicLR(
        o,
        0.01,
        0.1,
        step_size_up=5,
        scale_fn=lambda x: 1 / (1 + 0.1 * x),
        scale_mode="iterations",
        max_momentum=[0.95, 0.9],
    ),  # fmt: skip
    "onecycle": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS),
    "onecycle-epochs": lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=10, pct_start=0.25
    ),
    "onecycle-linear-three": lambda m, o: m.OneCycleLR(
        o,
        max_lr=1.0,
        total_steps=EPOCHS,
        anneal_strategy="linear",
        three_phase=True,
        div_factor=10.0,
        final_div_factor=100.0,
        base_momentum=0.8,
        max_momentum=0.9,
    ),  # fmt: skip
    "onecycle-no-momentum": lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=EPOCHS + 20, cycle_momentum=False, three_phase=True
    ),
}


@pytest.mark.parametrize("name", list(SIMPLE_SCHEDULES))
def test_schedule_matches_torch_with_sgd_momentum(name):
    compare(SIMPLE_SCHEDULES[name], "SGD", dict(momentum=0.9))


@pytest.mark.parametrize("name", [n for n in SIMPLE_SCHEDULES if "cycl" in n])
def test_cycled_momentum_is_adams_beta1(name):
    record = compare(SIMPLE_SCHEDULES[name], "Adam")
    if "no-momentum" not in name and name != "cyclic":
        assert len({m[0] for _, m in record}) > 10  # beta1 did move


def test_warm_restarts_with_fractional_epochs_match_torch():
    iterations = 7

    def fractional(step):
        return step // iterations + (step % iterations) / iterations

    for T_mult in (1, 2, 3):
        compare(
            lambda m, o, T_mult=T_mult: m.CosineAnnealingWarmRestarts(
                o, T_0=3, T_mult=T_mult, eta_min=0.01
            ),
            epoch_of=fractional,
        )


def test_warm_restarts_out_of_order_epochs_match_torch():
    epochs = [0.5, 13.25, 2.0, 40.75, 40.0, 7.5, 100.0, 1.0]
    compare(
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2),
        epochs=len(epochs),
        epoch_of=lambda step: epochs[step],
    )


@pytest.mark.parametrize("name", ["multistep", "linear-up", "polynomial-power", "constant-long"])
def test_deprecated_step_with_an_epoch_uses_the_closed_form_as_torch(name):
    epochs = [3, 17, 17, 40, 2, 90, 31]
    with pytest.warns(UserWarning, match="deprecated"):
        compare(SIMPLE_SCHEDULES[name], epochs=len(epochs), epoch_of=lambda s: epochs[s])


@pytest.mark.parametrize(
    "name", ["sequential-three", "chained", "cyclic-triangular2", "onecycle", "warm-restarts"]
)
def test_state_dict_resumes_the_same_schedule(name):
    make = SIMPLE_SCHEDULES[name]
    reference, _ = scheduled_pair(momentum=0.9)
    expected = run_schedule(reference, make(minigrad.optim.lr_scheduler, reference), 60)

    first, _ = scheduled_pair(momentum=0.9)
    scheduler = make(minigrad.optim.lr_scheduler, first)
    head = run_schedule(first, scheduler, 25)
    saved_scheduler, saved_optimizer = scheduler.state_dict(), first.state_dict()
    second, _ = scheduled_pair(momentum=0.9)
    resumed = make(minigrad.optim.lr_scheduler, second)
    second.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    tail = run_schedule(second, resumed, 35)
    assert_same_schedule(head + tail[1:], expected)


def test_onecycle_refuses_to_step_past_total_steps_and_changes_nothing():
    ours, theirs = scheduled_pair(momentum=0.9)
    scheduler = minigrad.optim.lr_scheduler.OneCycleLR(ours, max_lr=0.1, total_steps=3)
    their_scheduler = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.1, total_steps=3)
    for _ in range(3):
        ours.step()
        theirs.step()
        scheduler.step()
        their_scheduler.step()
    with pytest.raises(ValueError, match="total steps is 3"):
        their_scheduler.step()
    before = (scheduler.last_epoch, scheduler.get_last_lr())
    with pytest.raises(ValueError, match="total_steps is 3"):
        scheduler.step()
    assert (scheduler.last_epoch, scheduler.get_last_lr()) == before
