"""RMSprop (PyTorch's ``torch.optim.RMSprop``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.adam import _lerp
from minigrad.optim.optimizer import (
    Optimizer,
    _advance,
    _check_number,
    _gradient,
    _new_step,
    _zeros_state,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: steps divided by a running root-mean-square of the gradient.

    For each parameter :math:`\theta`, one step is::

        g = -grad if maximize else grad
        g = g + weight_decay * theta                       (if weight_decay != 0)
        v = alpha * v + (1 - alpha) * g * g                (v starts at zero)
        if centered:
            a = alpha * a + (1 - alpha) * g                (a starts at zero)
            d = sqrt(v - a * a) + eps
        else:
            d = sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / d                       (b starts at zero)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / d

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the averages (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0).
        momentum: momentum factor (default 0).
        centered: divide by an estimate of the gradient's variance instead of its
            uncentered second moment.
        maximize: ascend the objective instead of descending it.

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, when
    ``momentum > 0``) and ``grad_avg`` (a, when ``centered``).
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("alpha", group["alpha"])
        _check_number("eps", group["eps"])
        _check_number("weight_decay", group["weight_decay"])
        _check_number("momentum", group["momentum"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        with no_grad():
            for group in self.param_groups:
                alpha = group["alpha"]
                momentum = group["momentum"]
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    state = self.state[param]
                    if not state:
                        state["step"] = _new_step()
                        state["square_avg"] = _zeros_state(param)
                    if momentum > 0 and "momentum_buffer" not in state:
                        state["momentum_buffer"] = _zeros_state(param)
                    if group["centered"] and "grad_avg" not in state:
                        state["grad_avg"] = _zeros_state(param)
                    _advance(state["step"])
                    gradient = _gradient(param, group["maximize"], group["weight_decay"])

                    scratch = np.empty_like(param._array)  # reused by every intermediate
                    square_average = state["square_avg"]._array
                    square_average *= alpha
                    np.multiply(gradient, gradient, out=scratch)
                    scratch *= 1 - alpha
                    square_average += scratch
                    if group["centered"]:
                        average = state["grad_avg"]._array
                        _lerp(average, gradient, 1 - alpha, scratch)
                        np.multiply(average, average, out=scratch)
                        np.subtract(square_average, scratch, out=scratch)
                        denominator = np.sqrt(scratch, out=scratch)
                    else:
                        denominator = np.sqrt(square_average, out=scratch)
                    denominator += group["eps"]
                    step = np.divide(gradient, denominator, out=denominator)
                    if momentum > 0:
                        buffer = state["momentum_buffer"]._array
                        buffer *= momentum
                        buffer += step
                        np.multiply(buffer, group["lr"], out=step)
                    else:
                        step *= group["lr"]
                    with in_place(param):
                        param._array -= step
        return loss
