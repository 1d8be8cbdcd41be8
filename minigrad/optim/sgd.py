"""Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.optimizer import Optimizer, _check_number, _gradient
from minigrad.tensor import Tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2 decay.

    For each parameter :math:`\theta` with gradient :math:`\nabla`, one step is (with
    learning rate :math:`\gamma`, momentum :math:`\mu`, dampening :math:`\tau`, weight
    decay :math:`\lambda`)::

        g = -grad if maximize else grad
        g = g + weight_decay * theta                       (if weight_decay != 0)
        if momentum != 0:
            b = g                                          (first step)
            b = momentum * b + (1 - dampening) * g         (later steps)
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma` (default 1e-3).
        momentum: momentum factor :math:`\mu` (default 0).
        dampening: dampening :math:`\tau` of the momentum (default 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend the objective instead of descending it.

    State per parameter: ``momentum_buffer`` (when ``momentum != 0``).

    >>> optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("momentum", group["momentum"])
        _check_number("dampening", group["dampening"], low=float("-inf"))
        _check_number("weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum needs momentum > 0 and dampening == 0, got momentum="
                f"{group['momentum']!r} and dampening={group['dampening']!r}"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        with no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                momentum = group["momentum"]
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    gradient = _gradient(param, group["maximize"], group["weight_decay"])
                    if momentum != 0:
                        state = self.state[param]
                        buffer = state.get("momentum_buffer")
                        if buffer is None:
                            buffer = Tensor._make(gradient.copy())
                            state["momentum_buffer"] = buffer
                        else:
                            velocity = buffer._array
                            velocity *= momentum
                            dampening = group["dampening"]
                            velocity += gradient if dampening == 0 else (1 - dampening) * gradient
                        if group["nesterov"]:
                            lookahead = np.multiply(buffer._array, momentum)
                            lookahead += gradient
                            gradient = lookahead
                        else:
                            gradient = buffer._array
                    with in_place(param):
                        param._array -= np.multiply(gradient, lr)
        return loss
