"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler``).

A scheduler changes the ``"lr"`` of each of its optimizer's parameter groups every time
its :meth:`~LRScheduler.step` is called, usually once per epoch, after
``optimizer.step()``::

    optimizer = SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, optimizer)
        scheduler.step()

As in PyTorch, constructing a scheduler performs its first step (``last_epoch`` goes from
-1 to 0) and records each group's starting rate as ``group["initial_lr"]``; the rates are
updated from the groups' current values, so two schedulers on one optimizer compose.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

from minigrad.optim.optimizer import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "ReduceLROnPlateau",
    "StepLR",
]


class LRScheduler:
    """Base class of the epoch-driven schedules.

    Subclasses define :meth:`get_lr`, the rates for the epoch ``last_epoch`` (already
    advanced when it is called).

    Args:
        optimizer: the optimizer whose groups' ``"lr"`` is scheduled.
        last_epoch: the index of the last epoch done; -1 (the default) starts afresh.
            Resuming with ``last_epoch >= 0`` needs ``"initial_lr"`` in every group
            (restored by ``optimizer.load_state_dict``).

    Attributes:
        base_lrs: each group's ``initial_lr``.
        last_epoch: the number of ``step()`` calls since the start (0 after
            construction).
    """

    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for number, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: resuming with last_epoch={last_epoch} needs "
                        f"'initial_lr' in parameter group {number}; load the optimizer's "
                        f"state dict first, or start with last_epoch=-1"
                    )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial  # back to the class attribute (False)

    def get_lr(self) -> list[float]:
        """The learning rate of each group for epoch ``last_epoch``."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self) -> None:
        """Advance one epoch and set every group's ``"lr"`` to the new rate."""
        self._step_count += 1
        self.last_epoch += 1
        rates = self.get_lr()
        for group, rate in zip(self.optimizer.param_groups, rates):
            group["lr"] = rate
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The rates set by the latest ``step()``, one per parameter group."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer."""
        return {
            key: (list(value) if isinstance(value, list) else value)
            for key, value in self.__dict__.items()
            if key != "optimizer"
        }

    def __repr__(self) -> str:
        """The schedule's own settings (its public attributes), the epoch and the rates,
        e.g. ``StepLR(step_size=10, gamma=0.5, last_epoch=3, lr=[0.05])``."""
        settings = [
            f"{key}={value!r}"
            for key, value in self.__dict__.items()
            if not key.startswith("_")
            and key not in ("optimizer", "base_lrs", "last_epoch")
            and not callable(value)
        ]
        settings.append(f"last_epoch={self.last_epoch}")
        rates = ", ".join(f"{rate:.6g}" for rate in self._current_lrs())
        return f"{type(self).__name__}({', '.join(settings)}, lr=[{rates}])"

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (load the optimizer's state too)."""
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a dict, got "
                f"{type(state_dict).__name__}"
            )
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs.

    ``lr(epoch) = initial_lr * gamma ** (epoch // step_size)`` when nothing else changes
    the rate (each multiplication applies to the group's current rate).

    Args:
        optimizer: the optimizer to schedule.
        step_size: the period of the decay, in epochs (a positive int).
        gamma: the multiplicative factor (default 0.1).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates, times ``gamma`` at every multiple of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [rate * self.gamma for rate in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr(epoch) = initial_lr * gamma**epoch``.

    Args:
        optimizer: the optimizer to schedule.
        gamma: the multiplicative factor per epoch.
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates times ``gamma`` (unchanged by the constructor's step)."""
        if self._is_initial:
            return self._current_lrs()
        return [rate * self.gamma for rate in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the rate from ``initial_lr`` to ``eta_min`` along half a cosine.

    .. math:: \eta_t = \eta_{min} + \tfrac12 (\eta_{max} - \eta_{min})
              \left(1 + \cos\left(\pi\, t / T_{max}\right)\right)

    reached at ``t = T_max`` and climbing back after it (a period of ``2 T_max``). As in
    PyTorch the rate is computed recursively from the group's current rate, which gives
    the values of the formula above when nothing else changes the rate.

    Args:
        optimizer: the optimizer to schedule.
        T_max: the number of epochs from ``initial_lr`` down to ``eta_min`` (positive).
        eta_min: the lowest rate (default 0).
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, (int, float)) or not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next rates of the recursive cosine schedule."""
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and epoch > 0:
            # Resumed part-way: no previous rate to recurse from, so use the closed form.
            return [
                low + (base - low) * (1 + math.cos(epoch * math.pi / period)) / 2
                for base in self.base_lrs
            ]
        if (epoch - 1 - period) % (2 * period) == 0:
            # Just past the bottom, where the ratio below would divide by zero.
            return [
                rate + (base - low) * (1 - math.cos(math.pi / period)) / 2
                for rate, base in zip(self._current_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (
            1 + math.cos(math.pi * (epoch - 1) / period)
        )
        return [ratio * (rate - low) + low for rate in self._current_lrs()]


class LambdaLR(LRScheduler):
    """Set the rate to ``initial_lr * lr_lambda(epoch)``.

    Args:
        optimizer: the optimizer to schedule.
        lr_lambda: a function of the epoch index returning a factor, or a list of such
            functions, one per parameter group.
        last_epoch: see :class:`LRScheduler`.

    ``state_dict`` keeps the attributes of callable objects but not plain functions or
    lambdas (they cannot be saved); re-create the scheduler with the same functions
    before loading.

    >>> warmup = LambdaLR(optimizer, lambda epoch: min(1.0, (epoch + 1) / 5))
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(
                    f"LambdaLR: got {len(lr_lambda)} lr_lambdas for {groups} parameter groups"
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        for function in self.lr_lambdas:
            if not callable(function):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {function!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """``base_lr * lr_lambda(last_epoch)`` for each group."""
        return [
            base * function(self.last_epoch)
            for function, base in zip(self.lr_lambdas, self.base_lrs)
        ]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; ``lr_lambdas`` holds each callable object's attributes
        (``None`` for plain functions)."""
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [
            None if isinstance(function, types.FunctionType) else dict(vars(function))
            for function in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state; saved attributes of callable objects are put back."""
        state = dict(state_dict)
        saved_lambdas = state.pop("lr_lambdas", None)
        super().load_state_dict(state)
        if saved_lambdas is not None:
            for function, attributes in zip(self.lr_lambdas, saved_lambdas):
                if attributes is not None:
                    vars(function).update(attributes)


class ReduceLROnPlateau(LRScheduler):
    """Cut the rate by ``factor`` when a metric has stopped improving.

    Call ``scheduler.step(metric)`` once per epoch with the monitored value (a number or
    a one-element Tensor). A value is an improvement when it beats the best so far by
    more than ``threshold``:

    - ``mode="min"``, ``threshold_mode="rel"``: ``value < best * (1 - threshold)``
    - ``mode="min"``, ``threshold_mode="abs"``: ``value < best - threshold``
    - ``mode="max"``, ``threshold_mode="rel"``: ``value > best * (1 + threshold)``
    - ``mode="max"``, ``threshold_mode="abs"``: ``value > best + threshold``

    After more than ``patience`` epochs in a row without improvement each group's rate
    becomes ``max(lr * factor, min_lr)`` (changes smaller than ``eps`` are skipped) and
    the count restarts after ``cooldown`` epochs in which bad epochs are not counted.

    Args:
        optimizer: the optimizer to schedule.
        mode: ``"min"`` (lower is better, e.g. a loss) or ``"max"`` (e.g. accuracy).
        factor: the multiplier of the rate, below 1 (default 0.1).
        patience: epochs without improvement tolerated (default 10).
        threshold: the margin an improvement must exceed (default 1e-4).
        threshold_mode: ``"rel"`` or ``"abs"`` (see above).
        cooldown: epochs to wait after a reduction before counting again (default 0).
        min_lr: lower bound of the rate, one number or one per group (default 0).
        eps: the smallest change of rate that is applied (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be below 1.0, got {factor!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"ReduceLROnPlateau: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"ReduceLROnPlateau: got {len(min_lr)} min_lr values for "
                    f"{len(optimizer.param_groups)} parameter groups"
                )
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._set_mode(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _set_mode(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    @property
    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0

    def is_better(self, value: float, best: float) -> bool:
        """Whether ``value`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return value < best * (1.0 - self.threshold)
            return value < best - self.threshold
        if self.threshold_mode == "rel":
            return value > best * (self.threshold + 1.0)
        return value > best + self.threshold

    def get_lr(self) -> list[float]:
        """The groups' current rates (this schedule changes them only in ``step``)."""
        return self._current_lrs()

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record this epoch's metric and reduce the rates if it has plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer now has {len(groups)} parameter "
                    f"groups but min_lr was given for {len(self.min_lrs)}; set min_lrs to "
                    f"one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, lowest in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, lowest)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`."""
        super().load_state_dict(state_dict)
        self._set_mode(self.mode, self.threshold, self.threshold_mode)
