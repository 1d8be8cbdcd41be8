"""Reverse-mode automatic differentiation: ``Function``, the backward engine, grad modes.

How to read it, in this order (the first four are the idea; the rest is machinery):

1. ``scalar.py`` -- the whole idea on single numbers, in one screen: values that
   remember their operation and local derivatives, and the chain rule run backwards.
2. ``minigrad/tensor.py`` -- the Tensor: one NumPy array, ``.grad``, and ``grad_fn``,
   the recorded operation that made it.
3. ``minigrad/ops/elementwise.py`` -- the classes ``Add``, ``Mul`` and ``Exp``: an
   operation's forward and backward side by side.
4. ``function.py`` -- ``Function`` and ``apply``, which runs a forward and records the
   call as a node of the graph.
5. ``engine.py`` -- the backward loop: newest node first, gradients summed back to
   each input's shape, into the leaves' ``.grad``.
6. ``grad_mode.py`` -- ``no_grad`` and friends: whether operations are recorded.

The machinery, which makes minigrad exact where PyTorch is, lives apart:

- ``history.py`` -- in-place changes and views: version counters and the change
  clock, the history an in-place change replaces, views, saved-output twins, and
  ``in_place``, the one way minigrad's own code writes into a tensor.
- ``capture.py`` -- what ``grad()`` needs: collect the requested gradients and run
  only the nodes that lead to them.

The public names are importable from here (and from ``minigrad``).
"""

from minigrad.autograd.engine import backward, grad
from minigrad.autograd.function import AccumulateGrad, Function  # noqa: I001
from minigrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.autograd.history import in_place

__all__ = [
    "AccumulateGrad",
    "Function",
    "backward",
    "enable_grad",
    "grad",
    "in_place",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]
