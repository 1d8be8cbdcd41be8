"""RAdam (PyTorch's ``torch.optim.RAdam``): Adam with a rectified adaptive step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.adam import Adam, _lerp
from minigrad.optim.optimizer import Optimizer, _advance, _gradient, _new_step, _zeros_state

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): Adam that falls back to momentum SGD while the variance of
    the adaptive rate is not yet tractable.

    For each parameter :math:`\theta` at step :math:`t = 1, 2, \dots`::

        g = -grad if maximize else grad
        theta = theta * (1 - lr * weight_decay)      (decoupled_weight_decay)
        g = g + weight_decay * theta                 (otherwise, if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2 ** t / (1 - beta2 ** t)
        if rho_t > 5:
            r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            theta = theta - lr * m_hat * sqrt(1 - beta2 ** t) / (sqrt(v) + eps) * r
        else:
            theta = theta - lr * m_hat

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: decay rates ``(beta1, beta2)`` of the two averages, each in [0, 1)
            (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        decoupled_weight_decay: shrink the parameter directly, as AdamW, instead of
            adding the L2 term to the gradient (default False).
        maximize: ascend the objective instead of descending it (keyword only).

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
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
        weight_decay = group["weight_decay"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["step"] = _new_step()
                state["exp_avg"] = _zeros_state(param)
                state["exp_avg_sq"] = _zeros_state(param)
            step = _advance(state["step"])
            with in_place(param):  # one change: the decay and the step
                if group["decoupled_weight_decay"]:
                    gradient = _gradient(param, group["maximize"], 0)
                    if weight_decay != 0:
                        param._array *= 1 - lr * weight_decay
                else:
                    gradient = _gradient(param, group["maximize"], weight_decay)
                scratch = np.empty_like(param._array)
                first = state["exp_avg"]._array
                _lerp(first, gradient, 1 - beta1, scratch)
                second = state["exp_avg_sq"]._array
                second *= beta2
                np.multiply(gradient, 1 - beta2, out=scratch)
                scratch *= gradient
                second += scratch

                bias_correction2 = 1 - beta2**step
                update = np.divide(first, 1 - beta1**step)
                update *= lr
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    np.sqrt(second, out=scratch)
                    scratch += group["eps"]
                    np.divide(bias_correction2**0.5, scratch, out=scratch)
                    update *= scratch
                    ratio = (rho_t - 4) * (rho_t - 2) * rho_inf
                    update *= (ratio / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                param._array -= update
