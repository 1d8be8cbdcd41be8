"""Adamax (PyTorch's ``torch.optim.Adamax``): Adam with an infinity-norm denominator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.adam import Adam, _lerp
from minigrad.optim.optimizer import Optimizer, _advance, _gradient, _new_step, _zeros_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: Adam's first moment divided by a decaying maximum of ``|grad|``.

    For each parameter :math:`\theta` at step :math:`t = 1, 2, \dots`::

        g = -grad if maximize else grad
        g = g + weight_decay * theta                       (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g                    (m, u start at zero)
        u = max(beta2 * u, |g| + eps)
        theta = theta - lr / (1 - beta1 ** t) * m / u

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 2e-3).
        betas: decay rates ``(beta1, beta2)`` of the average and of the maximum, each in
            [0, 1) (default (0.9, 0.999)).
        eps: added to ``|g|`` so the denominator is never zero (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0).
        maximize: ascend the objective instead of descending it.

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).
    """

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        Adam._check_group(self, group)  # type: ignore[arg-type]

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["step"] = _new_step()
                state["exp_avg"] = _zeros_state(param)
                state["exp_inf"] = _zeros_state(param)
            step = _advance(state["step"])
            gradient = _gradient(param, group["maximize"], group["weight_decay"])
            scratch = np.empty_like(param._array)
            first = state["exp_avg"]._array
            _lerp(first, gradient, 1 - beta1, scratch)
            largest = state["exp_inf"]._array
            largest *= beta2
            np.abs(gradient, out=scratch)
            scratch += group["eps"]
            np.maximum(largest, scratch, out=largest)
            # PyTorch's rounding: (-clr * m) / u, then added.
            np.multiply(first, -(lr / (1 - beta1**step)), out=scratch)
            scratch /= largest
            with in_place(param):
                param._array += scratch
