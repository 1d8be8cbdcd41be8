"""NAdam (PyTorch's ``torch.optim.NAdam``): Adam with Nesterov momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.adam import Adam, _lerp
from minigrad.optim.optimizer import (
    Optimizer,
    _advance,
    _check_number,
    _gradient,
    _new_step,
    _zeros_state,
)
from minigrad.tensor import Tensor

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat): Adam whose step looks one momentum step ahead.

    For each parameter :math:`\theta` at step :math:`t = 1, 2, \dots`::

        g = -grad if maximize else grad
        theta = theta * (1 - lr * weight_decay)      (decoupled_weight_decay)
        g = g + weight_decay * theta                 (otherwise, if weight_decay != 0)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        P_t = mu_1 * ... * mu_t                      (kept as float32, as PyTorch)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2 ** t)) + eps
        theta = theta - lr * (1 - mu_t) / (1 - P_t) * g / d
                      - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 2e-3).
        betas: decay rates ``(beta1, beta2)`` of the two averages, each in [0, 1)
            (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        momentum_decay: how fast the momentum ``mu_t`` rises from ``beta1 / 2`` towards
            ``beta1`` (default 4e-3).
        decoupled_weight_decay: shrink the parameter directly, as AdamW, instead of
            adding the L2 term to the gradient (default False).
        maximize: ascend the objective instead of descending it (keyword only).

    State per parameter: ``step``, ``mu_product`` (P_t), ``exp_avg`` (m) and
    ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        Adam._check_group(self, group)  # type: ignore[arg-type]
        _check_number("momentum_decay", group["momentum_decay"])

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
        decoupled = group["decoupled_weight_decay"]
        momentum_decay = group["momentum_decay"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["step"] = _new_step()
                state["mu_product"] = Tensor._make(np.ones((), dtype=np.float32))
                state["exp_avg"] = _zeros_state(param)
                state["exp_avg_sq"] = _zeros_state(param)
            step = _advance(state["step"])
            with in_place(param):  # one change: the decay and the step
                if decoupled:
                    gradient = _gradient(param, group["maximize"], 0)
                    if weight_decay != 0:
                        param._array *= 1 - lr * weight_decay
                else:
                    gradient = _gradient(param, group["maximize"], weight_decay)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                product = state["mu_product"]
                with in_place(product):
                    product._array *= mu  # in float32, as PyTorch keeps it
                mu_product = float(product._array)
                mu_product_next = mu_product * mu_next

                scratch = np.empty_like(param._array)
                first = state["exp_avg"]._array
                _lerp(first, gradient, 1 - beta1, scratch)
                second = state["exp_avg_sq"]._array
                second *= beta2
                np.multiply(gradient, 1 - beta2, out=scratch)
                scratch *= gradient
                second += scratch
                denominator = np.divide(second, 1 - beta2**step)
                np.sqrt(denominator, out=denominator)
                denominator += group["eps"]
                np.multiply(gradient, -lr * (1.0 - mu) / (1.0 - mu_product), out=scratch)
                scratch /= denominator
                param._array += scratch
                np.multiply(first, (-lr * mu_next) / (1.0 - mu_product_next), out=scratch)
                scratch /= denominator
                param._array += scratch
