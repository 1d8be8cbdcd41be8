"""The ``Optimizer`` base class: parameter groups, per-parameter state, state dicts.

An optimizer holds its parameters in *parameter groups*: a list of dicts, each with a
``"params"`` list and the hyper-parameters (``lr``, ``weight_decay``, ...) that apply to
those parameters. Options missing from a group are filled in from the optimizer's
defaults, so ``SGD([{"params": body}, {"params": head, "lr": 0.1}], lr=0.01)`` trains the
head ten times faster than the body.

Updates are plain NumPy arithmetic on each parameter's array, done in place; what an
optimizer remembers between steps (momentum buffers, running averages) lives in
``optimizer.state[parameter]`` as Tensors, in the same layout and under the same names as
in PyTorch, so ``state_dict()`` has PyTorch's shape.
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import enable_grad, in_place
from minigrad.tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """Base class of every optimizer.

    Args:
        params: an iterable of Tensors (usually ``model.parameters()``), or an iterable
            of dicts, each a parameter group: ``{"params": [...], "lr": ..., ...}``.
        defaults: the hyper-parameters used by groups that do not set their own.

    Attributes:
        param_groups: list of dicts, one per group, each with its ``"params"`` list and
            every hyper-parameter.
        state: per-parameter dict (keyed by the parameter itself) of what the optimizer
            remembers between steps.
        defaults: the default hyper-parameters.

    Subclasses implement :meth:`step` and may override :meth:`_check_group` to validate
    a group's hyper-parameters (called for every group added, before it is added).
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if hasattr(params, "parameters") and hasattr(params, "forward"):  # a Module
            raise TypeError(
                f"{type(self).__name__}: params must be the parameters, not the module "
                f"{type(params).__name__} itself: pass model.parameters()"
            )
        if isinstance(params, Tensor) or isinstance(params, dict):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or of dicts "
                f"(parameter groups), got a single {type(params).__name__}; wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{type(self).__name__}: params must be an ordered iterable (a list), not a "
                f"set: the order of parameters is what state_dict() records"
            )
        items = list(params)
        if not items:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if all(isinstance(item, dict) for item in items):
            groups = items
        elif any(isinstance(item, dict) for item in items):
            raise TypeError(
                f"{type(self).__name__}: params mixes Tensors and dicts; pass either "
                f"Tensors or parameter groups (dicts)"
            )
        else:
            groups = [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise a ValueError if a hyper-parameter of ``group`` is invalid (override)."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional hyper-parameters).

        Hyper-parameters the group leaves out take the optimizer's defaults. Raises before
        adding anything if a parameter is not a floating-point leaf Tensor, appears twice,
        or already belongs to another group, or if a hyper-parameter is invalid.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "the parameters of a group must be an ordered iterable (a list), not a set"
            )
        else:
            params = list(params)
        seen: set[int] = set()
        for index, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"an optimizer can only optimize Tensors, but parameter {index} of the "
                    f"group is a {type(param).__name__}"
                )
            if param._array.dtype.kind != "f":
                raise TypeError(
                    f"parameter {index} of the group has dtype {param.dtype}; only "
                    f"floating-point tensors can be optimized"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"parameter {index} of the group is not a leaf tensor (it was computed "
                    f"by {param.grad_fn!r}); an optimizer can only update leaves"
                )
            if id(param) in seen:
                raise ValueError(
                    f"parameter {index} (shape {param.shape}) appears more than once in the "
                    f"same parameter group"
                )
            seen.add(id(param))
        for number, group in enumerate(self.param_groups):
            for param in group["params"]:
                if id(param) in seen:
                    raise ValueError(
                        f"a parameter of shape {param.shape} is already in parameter group "
                        f"{number}; each parameter may belong to one group only"
                    )
        group = {key: value for key, value in param_group.items() if key != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    # ------------------------------------------------------------------ stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: to ``None`` (the default) or to zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                elif grad.grad_fn is not None or grad.requires_grad:
                    param.grad = Tensor._make(np.zeros_like(grad._array))
                else:
                    grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their ``.grad``.

        ``closure``, if given, is called first (with gradient recording on) to recompute
        the loss and the gradients; its result is returned.
        """
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    @staticmethod
    def _evaluate(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ state dicts

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state, in PyTorch's layout.

        ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [index]}]}``:
        parameters are numbered in order across the groups, and ``"state"`` holds an entry
        for each parameter that has state. The state's Tensors share memory with the
        optimizer's (as in PyTorch); :func:`minigrad.save` writes a snapshot.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            indices = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                indices.append(index_of[id(param)])
            packed["params"] = indices
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                entry = self.state.get(param)
                if entry:
                    state[index_of[id(param)]] = dict(entry)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` (here or by PyTorch, once its
        tensors are converted).

        The loaded groups must match this optimizer's: the same number of groups, each
        with the same number of parameters, and state tensors of the parameters' shapes.
        Every check runs before anything changes; a mismatch raises a ValueError naming
        it. The loaded hyper-parameters replace the current ones; state values are copied
        (floating-point ones converted to their parameter's dtype).
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups' "
                f"entries, got {type(state_dict).__name__}"
                + (
                    f" with keys {sorted(map(str, state_dict))}"
                    if isinstance(state_dict, dict)
                    else ""
                )
            )
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError(
                f"{name}.load_state_dict: 'param_groups' must be a list and 'state' a dict"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {len(saved_groups)} parameter "
                f"groups, but this optimizer has {len(self.param_groups)}"
            )
        parameter_of: dict[Any, Tensor] = {}
        new_groups = []
        for number, (saved, own) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {number} is not a dict with a "
                    f"'params' entry"
                )
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {number} has "
                    f"{len(saved['params'])} parameters in the state dict, but "
                    f"{len(own['params'])} in this optimizer"
                )
            for index, param in zip(saved["params"], own["params"]):
                if index in parameter_of:
                    raise ValueError(
                        f"{name}.load_state_dict: parameter index {index!r} is listed twice"
                    )
                parameter_of[index] = param
            group = {key: value for key, value in saved.items() if key != "params"}
            try:
                self._check_group(group)
            except (ValueError, TypeError, KeyError) as error:
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {number}: {error}"
                ) from error
            group["params"] = own["params"]
            new_groups.append(group)

        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for index, entry in saved_state.items():
            if index not in parameter_of:
                raise ValueError(
                    f"{name}.load_state_dict: the state dict has state for parameter index "
                    f"{index!r}, which none of its parameter groups lists"
                )
            if not isinstance(entry, dict):
                raise ValueError(
                    f"{name}.load_state_dict: the state of parameter {index!r} must be a "
                    f"dict, got {type(entry).__name__}"
                )
            param = parameter_of[index]
            new_state[param] = {
                key: _restore_value(
                    key,
                    value,
                    param,
                    f"{name}.load_state_dict: state of parameter {index!r}, entry {key!r}",
                )
                for key, value in entry.items()
            }
        self.param_groups = new_groups
        self.state = new_state

    # ------------------------------------------------------------------ printing

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


# State entries that are one float32 number, not an array shaped like the parameter.
_SCALAR_STATE = ("step", "mu_product")


def _restore_value(key: str, value: Any, param: Tensor, where: str) -> Any:
    """A copy of one loaded state value, checked against its parameter."""
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        array = np.array(value._array if isinstance(value, Tensor) else value)
    elif isinstance(value, numbers.Number) and key in _SCALAR_STATE:
        array = np.array(value, dtype=np.float32)
    else:
        return value
    if key in _SCALAR_STATE:
        if array.size != 1:
            raise ValueError(f"{where}: expected a single number, got shape {array.shape}")
        if array.dtype.kind != "f":
            array = array.astype(np.float32)
        return Tensor._make(array.reshape(()))
    if array.shape != param._array.shape:
        raise ValueError(
            f"{where}: shape {array.shape} does not match the parameter's shape "
            f"{param._array.shape}"
        )
    if array.dtype.kind == "f" and array.dtype != param._array.dtype:
        array = array.astype(param._array.dtype)
    return Tensor._make(array)


# --------------------------------------------------------------------------- helpers
# Shared by the optimizers in this package.


def _check_number(
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float | None = None,
) -> None:
    """Raise a ValueError unless ``value`` is a real number with ``low <= value`` (and
    ``value < high`` when ``high`` is given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"invalid {name}: expected a real number, got {value!r}")
    value = float(value)
    if value < low:
        raise ValueError(f"invalid {name}: {value!r} (must be >= {low})")
    if high is not None and value >= high:
        raise ValueError(f"invalid {name}: {value!r} (must be in [{low}, {high}))")


def _gradient(param: Tensor, maximize: bool, weight_decay: float) -> np.ndarray:
    """The gradient an update rule uses: negated when maximizing, plus the L2 term.

    The result may be the ``.grad`` array itself: callers must not modify it in place.
    """
    assert param.grad is not None
    gradient = param.grad._array
    if weight_decay != 0:
        # One new array, not two: (+/-g) + wd * theta, exactly as rounded by PyTorch.
        result = np.multiply(param._array, weight_decay)
        if maximize:
            np.subtract(result, gradient, out=result)
        else:
            result += gradient
        return result
    return np.negative(gradient) if maximize else gradient


def _zeros_state(param: Tensor, value: float = 0.0) -> Tensor:
    return Tensor._make(np.full_like(param._array, value))


def _new_step() -> Tensor:
    # PyTorch keeps the step count as a float32 0-d tensor; so do we, so state dicts match.
    return Tensor._make(np.zeros((), dtype=np.float32))


def _advance(step: Tensor) -> float:
    """Add one to a step counter in place and return the new count."""
    with in_place(step):
        step._array += 1
    return float(step._array)
