"""Adam and AdamW (PyTorch's ``torch.optim.Adam`` and ``torch.optim.AdamW``)."""

from __future__ import annotations

import math
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

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: steps scaled by running averages of the gradient and of its square.

    For each parameter :math:`\theta` at step :math:`t = 1, 2, \dots`::

        g = -grad if maximize else grad
        g = g + weight_decay * theta                       (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g                    (m, v start at zero)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                              (amsgrad only; v_max starts at 0)
        m_hat = m / (1 - beta1 ** t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    (computed, as PyTorch does, as ``lr / (1 - beta1**t) * m / (sqrt(v) /
    sqrt(1 - beta2**t) + eps)``).

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: decay rates ``(beta1, beta2)`` of the two averages, each in [0, 1)
            (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0). See :class:`AdamW`
            for decay decoupled from the gradient.
        amsgrad: divide by the largest ``v`` seen so far (the AMSGrad variant).
        maximize: ascend the objective instead of descending it.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    ``amsgrad``, ``max_exp_avg_sq``.
    """

    _decoupled = False

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("eps", group["eps"])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"invalid betas: expected a pair (beta1, beta2), got {betas!r}")
        _check_number("beta1 (betas[0])", betas[0], high=1.0)
        _check_number("beta2 (betas[1])", betas[1], high=1.0)
        _check_number("weight_decay", group["weight_decay"])

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
        amsgrad = group["amsgrad"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["step"] = _new_step()
                state["exp_avg"] = _zeros_state(param)
                state["exp_avg_sq"] = _zeros_state(param)
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = _zeros_state(param)
            step = _advance(state["step"])
            if self._decoupled:
                gradient = _gradient(param, group["maximize"], 0)
            else:
                gradient = _gradient(param, group["maximize"], weight_decay)

            # One scratch array serves every intermediate: a large temporary costs page
            # faults each time it is allocated, more than the arithmetic itself.
            scratch = np.empty_like(param._array)
            first = state["exp_avg"]._array
            _lerp(first, gradient, 1 - beta1, scratch)
            second = state["exp_avg_sq"]._array
            second *= beta2
            np.multiply(gradient, gradient, out=scratch)
            scratch *= 1 - beta2
            second += scratch

            if amsgrad:
                largest = state["max_exp_avg_sq"]._array
                np.maximum(largest, second, out=largest)
                second = largest
            step_size = lr / (1 - beta1**step)
            denominator = np.sqrt(second, out=scratch)
            denominator /= math.sqrt(1 - beta2**step)
            denominator += group["eps"]
            np.divide(first, denominator, out=denominator)
            denominator *= step_size
            with in_place(param):  # one change: the decay (AdamW) and the step
                if self._decoupled and weight_decay != 0:
                    # Decoupled weight decay, theta *= 1 - lr * wd, before the step (as
                    # PyTorch: nothing above reads theta).
                    param._array *= 1 - lr * weight_decay
                param._array -= denominator


def _lerp(start: np.ndarray, end: np.ndarray, weight: float, scratch: np.ndarray) -> None:
    """``start += weight * (end - start)`` in place, in the form PyTorch's ``lerp_`` uses
    (from the nearer end), so rounding matches; ``scratch`` is overwritten."""
    difference = np.subtract(end, start, out=scratch)
    if weight < 0.5:
        difference *= weight
        start += difference
    else:
        difference *= 1 - weight
        np.subtract(end, difference, out=start)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter).

    The decay shrinks the parameter directly instead of entering the gradient, so it is
    not rescaled by the adaptive denominator. At each step, before the Adam update::

        theta = theta * (1 - lr * weight_decay)

    and the rest is :class:`Adam`'s rule with ``weight_decay=0``.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: decay rates of the averages, each in [0, 1) (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: decoupled decay coefficient (default 1e-2).
        amsgrad: use the AMSGrad variant.
        maximize: ascend the objective instead of descending it.
    """

    _decoupled = True

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
