"""L-BFGS (PyTorch's ``torch.optim.LBFGS``): a quasi-Newton method driven by a closure.

Each ``step(closure)`` runs up to ``max_iter`` iterations. An iteration turns the
gradient into a search direction with the two-loop recursion over the last
``history_size`` pairs ``(s, y)`` (parameter and gradient changes), then moves along it:
a fixed step ``lr`` (the first iteration ever is shortened to ``lr * min(1, 1 /
sum|g|)``), or a step found by a strong-Wolfe line search. The whole model is treated as
one flat vector: every parameter's ``.grad`` is laid end to end in parameter order.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import in_place, no_grad
from minigrad.optim.optimizer import Optimizer, _check_number
from minigrad.tensor import Tensor

__all__ = ["LBFGS"]

_LINE_SEARCHES = (None, "strong_wolfe")


class LBFGS(Optimizer):
    """Limited-memory BFGS, as in PyTorch (after Mark Schmidt's minFunc).

    ``step`` needs a closure that clears the gradients, recomputes the loss, calls
    ``backward()`` and returns the loss; it is called several times per step. ``step``
    returns the loss of the first call::

        optimizer = LBFGS(model.parameters(), line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            return loss

        for _ in range(10):
            optimizer.step(closure)

    An iteration stops the step early when the largest gradient entry is at most
    ``tolerance_grad``, when the directional derivative is above ``-tolerance_change``,
    when the parameter change or the loss change is below ``tolerance_change``, or when
    ``max_eval`` closure calls have been made.

    Args:
        params: the parameters (one group only: LBFGS has no per-group options).
        lr: learning rate, the step along the direction (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure calls per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when ``max|g| <= tolerance_grad`` (default 1e-7).
        tolerance_change: stop when the loss or parameters change by less (default 1e-9).
        history_size: how many ``(s, y)`` pairs are remembered (default 100).
        line_search_fn: ``None`` (fixed step) or ``"strong_wolfe"``.

    State (kept under the first parameter, as PyTorch): ``func_evals``, ``n_iter``,
    ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``,
    ``prev_loss`` and ``al``.
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral):
            raise ValueError(f"LBFGS: max_iter must be a positive int, got {max_iter!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(
                f"LBFGS doesn't support per-parameter options (parameter groups): got "
                f"{len(self.param_groups)} groups; pass one list of parameters"
            )
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_number("learning rate (lr)", group["lr"])
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"invalid {name}: expected a positive int, got {value!r}")
        _check_number("tolerance_grad", group["tolerance_grad"])
        _check_number("tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in _LINE_SEARCHES:
            raise ValueError(
                f"invalid line_search_fn {group['line_search_fn']!r}: only 'strong_wolfe' "
                f"or None is supported"
            )

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """LBFGS holds one parameter group; a second one is refused (as PyTorch)."""
        if self.param_groups:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): it already "
                "has its one group"
            )
        super().add_param_group(param_group)

    # ------------------------------------------------------------------ the flat vector

    def _gather_flat_grad(self) -> np.ndarray:
        """Every parameter's gradient end to end (zeros where there is none), new memory."""
        return np.concatenate(
            [
                np.zeros(p._array.size, p._array.dtype)
                if p.grad is None
                else p.grad._array.reshape(-1)
                for p in self._params
            ]
        )

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        """``params += step_size * update``, ``update`` laid out as the flat gradient."""
        offset = 0
        for param in self._params:
            size = param._array.size
            with in_place(param):
                param._array += np.multiply(
                    update[offset : offset + size].reshape(param._array.shape), step_size
                )
            offset += size

    def _clone_param(self) -> list[np.ndarray]:
        return [param._array.copy() for param in self._params]

    def _set_param(self, arrays: list[np.ndarray]) -> None:
        for param, array in zip(self._params, arrays):
            with in_place(param):
                param._array[...] = array

    def _directional_evaluate(
        self, closure: Callable[[], Any], start: list[np.ndarray], t: float, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The loss and flat gradient at ``start + t * d``; the parameters are put back."""
        self._add_grad(t, d)
        loss = float(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(start)
        return loss, flat_grad

    # ------------------------------------------------------------------ the step

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; returns the first ``closure()`` loss.

        ``closure`` is required: it must zero the gradients, recompute the loss, call
        ``backward()`` and return the loss.
        """
        if closure is None or not callable(closure):
            raise TypeError(
                "LBFGS.step needs a closure that re-evaluates the model and returns the "
                "loss (zero_grad, forward, backward, return loss), got "
                f"{type(closure).__name__}"
            )
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        history_size = group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self._evaluate(closure)
        loss = float(first_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss  # already optimal

        d = _array_or_none(state.get("d"))
        t = _float_or_none(state.get("t"))
        old_dirs = [_array_or_none(y) for y in state.get("old_dirs", [])]
        old_stps = [_array_or_none(s) for s in state.get("old_stps", [])]
        ro = [float(_scalar(r)) for r in state.get("ro", [])]
        h_diag = _scalar(state.get("H_diag", 1))
        prev_flat_grad = _array_or_none(state.get("prev_flat_grad"))
        prev_loss = _float_or_none(state.get("prev_loss"))

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1

            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1
            else:
                assert d is not None and t is not None and prev_flat_grad is not None
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(np.dot(y, s))
                if ys > 1e-10:  # keep only pairs that keep the Hessian estimate positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(np.dot(y, y))
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, history_size)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr
            else:
                t = lr
            directional = float(np.dot(flat_grad, d))
            if directional > -tolerance_change:
                break  # not a descent direction (or too flat to matter)

            evaluations = 0
            if group["line_search_fn"] == "strong_wolfe":
                start = self._clone_param()

                def objective(x: list[np.ndarray], t: float, d: np.ndarray) -> Any:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, evaluations = _strong_wolfe(
                    objective,
                    start,
                    t,
                    d,
                    loss,
                    flat_grad,
                    directional,
                    tolerance_change=1e-9,
                    max_ls=max_eval - current_evals,
                )
                self._add_grad(t, d)
                optimal = bool(np.abs(flat_grad).max() <= tolerance_grad)
            else:
                self._add_grad(t, d)
                optimal = False
                if iteration != max_iter:
                    # The last iteration's loss would never be used: skip that evaluation.
                    loss = float(self._evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    optimal = bool(np.abs(flat_grad).max() <= tolerance_grad)
                    evaluations = 1
            current_evals += evaluations
            state["func_evals"] += evaluations

            if iteration == max_iter or current_evals >= max_eval or optimal:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _tensor_or_none(d)
        state["t"] = t
        state["old_dirs"] = [Tensor._make(y) for y in old_dirs]
        state["old_stps"] = [Tensor._make(s) for s in old_stps]
        state["ro"] = ro
        state["H_diag"] = h_diag
        state["prev_flat_grad"] = _tensor_or_none(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return first_loss

    @staticmethod
    def _two_loop(
        flat_grad: np.ndarray,
        old_dirs: list[Any],
        old_stps: list[Any],
        ro: list[float],
        h_diag: float,
        state: dict[str, Any],
        history_size: int,
    ) -> np.ndarray:
        """The L-BFGS direction ``-H g`` from the stored pairs (Nocedal's two loops)."""
        history = len(old_dirs)
        if "al" not in state:
            state["al"] = [None] * history_size
        alphas = state["al"]
        if len(alphas) < history:  # history_size was raised since the list was made
            alphas.extend([None] * (history - len(alphas)))
        q = -flat_grad
        for i in range(history - 1, -1, -1):
            alphas[i] = float(np.dot(old_stps[i], q)) * ro[i]
            q += old_dirs[i] * -alphas[i]
        r = q * h_diag
        for i in range(history):
            beta = float(np.dot(old_dirs[i], r)) * ro[i]
            r += old_stps[i] * (alphas[i] - beta)
        return r

    # ------------------------------------------------------------------ state dicts

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (here or PyTorch's, its tensors
        converted). The flat vectors must have as many entries as the parameters."""
        if isinstance(state_dict, dict) and isinstance(state_dict.get("state"), dict):
            saved = state_dict["state"]
            entries = {index: self._restored(index, entry) for index, entry in saved.items()}
            super().load_state_dict({**state_dict, "state": {}})
            for index, entry in entries.items():
                if index != state_dict["param_groups"][0]["params"][0]:
                    raise ValueError(
                        f"LBFGS.load_state_dict: state for parameter {index!r}; LBFGS keeps "
                        f"its state under the first parameter only"
                    )
                self.state[self._params[0]] = entry
            return
        super().load_state_dict(state_dict)

    def _restored(self, index: Any, entry: Any) -> dict[str, Any]:
        where = f"LBFGS.load_state_dict: state of parameter {index!r}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be a dict, got {type(entry).__name__}")
        size = sum(p._array.size for p in self._params)
        dtype = self._params[0]._array.dtype

        def vector(value: Any, key: str) -> Any:
            if value is None:
                return None
            array = np.array(value._array if isinstance(value, Tensor) else value, dtype=dtype)
            if array.shape != (size,):
                raise ValueError(
                    f"{where}, entry {key!r}: expected a flat vector of {size} entries (the "
                    f"parameters' total size), got shape {array.shape}"
                )
            return Tensor._make(array)

        restored = dict(entry)
        for key in ("d", "prev_flat_grad"):
            if key in entry:
                restored[key] = vector(entry[key], key)
        for key in ("old_dirs", "old_stps"):
            if key in entry:
                restored[key] = [vector(value, key) for value in entry[key]]
        for key in ("t", "H_diag", "prev_loss"):
            if entry.get(key) is not None:
                restored[key] = _scalar(entry[key])
        for key in ("ro", "al"):
            if key in entry:
                restored[key] = [None if v is None else _scalar(v) for v in entry[key]]
        if len(restored.get("old_dirs", [])) != len(restored.get("old_stps", [])) or len(
            restored.get("old_dirs", [])
        ) != len(restored.get("ro", [])):
            raise ValueError(f"{where}: old_dirs, old_stps and ro must have equal lengths")
        return restored


def _scalar(value: Any) -> float:
    if isinstance(value, Tensor):
        return float(value._array)
    return float(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else _scalar(value)


def _array_or_none(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    return np.array(value._array if isinstance(value, Tensor) else value)


def _tensor_or_none(array: np.ndarray | None) -> Tensor | None:
    return None if array is None else Tensor._make(array)


# --------------------------------------------------------------------------- line search


def _cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser, clamped to ``bounds``, of the cubic through two points with their
    values ``f`` and slopes ``g`` (the midpoint of the bounds if the cubic has none)."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            position = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            position = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(position, low), high)
    return (low + high) / 2.0


def _strong_wolfe(
    objective: Callable[[Any, float, np.ndarray], tuple[float, np.ndarray]],
    x: Any,
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions (sufficient decrease
    ``f(t) <= f + c1 t g.d`` and curvature ``|g(t).d| <= -c2 g.d``): bracket, then zoom
    by cubic interpolation. Returns the loss, flat gradient and ``t`` found, and the
    number of evaluations made (at most ``max_ls``)."""
    d_norm = float(np.abs(d).max())
    g = g.copy()
    f_new, g_new = objective(x, t, d)
    evaluations = 1
    gtd_new = float(np.dot(g_new, d))

    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    iteration = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[np.ndarray] = []
    bracket_gtd: list[float] = []
    # Bracketing phase: grow t until an interval is known to hold a Wolfe point.
    while iteration < max_ls:
        if f_new > (f + c1 * t * gtd) or (iteration > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # Extrapolate: the cubic's minimiser, between a little past t and ten times t.
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = objective(x, t, d)
        evaluations += 1
        gtd_new = float(np.dot(g_new, d))
        iteration += 1

    if iteration == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # Zoom phase: shrink the bracket until a point satisfies both conditions.
    insufficient_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and iteration < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # Keep t away from the ends of the bracket, or the zoom may stall.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = objective(x, t, d)
        evaluations += 1
        gtd_new = float(np.dot(g_new, d))
        iteration += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evaluations
