"""Adagrad (PyTorch's ``torch.optim.Adagrad``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.optimizer import (
    Optimizer,
    _advance,
    _check_number,
    _gradient,
    _new_step,
    _zeros_state,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: per-element steps divided by the root of all past squared gradients.

    For each parameter :math:`\theta` at step :math:`t = 1, 2, \dots`::

        g = -grad if maximize else grad
        g = g + weight_decay * theta                       (if weight_decay != 0)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                                      (s starts at
                                                            initial_accumulator_value)
        theta = theta - lr_t * g / (sqrt(s) + eps)

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        initial_accumulator_value: starting value of the sum ``s`` (default 0).
        eps: added to the denominator for stability (default 1e-10).
        maximize: ascend the objective instead of descending it.

    State per parameter: ``step`` and ``sum`` (s), created when the parameter is added
    (as PyTorch does), so a fresh optimizer's ``state_dict`` already holds them.
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("lr_decay", group["lr_decay"])
        _check_number("weight_decay", group["weight_decay"])
        _check_number("initial_accumulator_value", group["initial_accumulator_value"])
        _check_number("eps", group["eps"])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group and create its parameters' state (see :class:`Optimizer`)."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            self._init_state(param, group)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[param]
        if "step" not in state:
            state["step"] = _new_step()
        if "sum" not in state:
            state["sum"] = _zeros_state(param, group["initial_accumulator_value"])
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    state = self._init_state(param, group)
                    step = _advance(state["step"])
                    gradient = _gradient(param, group["maximize"], group["weight_decay"])
                    step_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
                    scratch = np.empty_like(param._array)  # reused by every intermediate
                    total = state["sum"]._array
                    total += np.multiply(gradient, gradient, out=scratch)
                    denominator = np.sqrt(total, out=scratch)
                    denominator += group["eps"]
                    np.divide(gradient, denominator, out=denominator)
                    denominator *= step_lr
                    with in_place(param):
                        param._array -= denominator
        return loss
