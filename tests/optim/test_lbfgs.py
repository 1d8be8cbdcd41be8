"""LBFGS: the closure protocol, stopping rules, argument checks and state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn import Parameter
from minigrad.optim import LBFGS


def quadratic_problem(seed=0, dtype=minigrad.float64):
    """A well-conditioned convex quadratic 0.5 x'Ax - b'x with its exact minimiser."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((6, 6))
    matrix = basis @ basis.T + 6 * np.eye(6)
    vector = rng.standard_normal(6)
    param = Parameter(minigrad.tensor(rng.standard_normal(6), dtype=dtype))
    a = minigrad.tensor(matrix, dtype=dtype)
    b = minigrad.tensor(vector, dtype=dtype)
    calls = []

    def make_closure(optimizer):
        def closure():
            calls.append(param._array.copy())
            optimizer.zero_grad()
            loss = 0.5 * (param @ (a @ param)) - (b * param).sum()
            loss.backward()
            return loss

        return closure

    make_closure.loss_at = lambda x: 0.5 * x @ matrix @ x - vector @ x
    return param, make_closure, np.linalg.solve(matrix, vector), calls


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_finds_the_minimum_of_a_quadratic(line_search_fn):
    param, make_closure, solution, _ = quadratic_problem()
    # With the default tolerance_change (1e-9) the loss stalls first, near 6e-6 from the
    # minimiser here (in PyTorch as well): ask for more.
    optimizer = LBFGS(
        [param], tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn=line_search_fn
    )
    closure = make_closure(optimizer)
    for _ in range(5):
        optimizer.step(closure)
    # PyTorch ends 3.6e-9 away as well: once s'y < 1e-10 no curvature pair is stored.
    np.testing.assert_allclose(param._array, solution, rtol=0, atol=1e-8)


def test_step_returns_the_first_loss_and_counts_evaluations():
    param, make_closure, _, calls = quadratic_problem()
    optimizer = LBFGS([param], max_iter=3, max_eval=10)  # the default max_eval would be 3
    closure = make_closure(optimizer)
    start = param._array.copy()
    first = optimizer.step(closure)
    assert isinstance(first, minigrad.Tensor)
    np.testing.assert_array_equal(calls[0], start)
    assert float(first) == pytest.approx(make_closure.loss_at(start), rel=1e-12)
    assert not np.array_equal(param._array, start)
    # max_iter=3 without a line search: the first evaluation, then one per iteration but
    # the last (its loss would not be used).
    assert len(calls) == 3
    state = optimizer.state[param]
    assert state["n_iter"] == 3 and state["func_evals"] == 3
    assert set(state) == {
        "func_evals",
        "n_iter",
        "d",
        "t",
        "old_dirs",
        "old_stps",
        "ro",
        "H_diag",
        "prev_flat_grad",
        "prev_loss",
        "al",
    }
    assert state["d"].shape == (6,) and len(state["old_dirs"]) == len(state["ro"]) == 2
    assert len(state["al"]) == 100


def test_already_optimal_parameters_take_one_evaluation_and_do_not_move():
    param, make_closure, solution, calls = quadratic_problem()
    with minigrad.no_grad():
        param.copy_(minigrad.tensor(solution))
    optimizer = LBFGS([param], tolerance_grad=1e-6)
    optimizer.step(make_closure(optimizer))
    assert len(calls) == 1
    np.testing.assert_array_equal(param._array, solution)


def test_max_eval_bounds_the_evaluations_of_the_line_search():
    param, make_closure, _, calls = quadratic_problem(1)
    optimizer = LBFGS([param], max_iter=50, max_eval=7, line_search_fn="strong_wolfe")
    optimizer.step(make_closure(optimizer))
    assert optimizer.param_groups[0]["max_eval"] == 7
    assert len(calls) <= 7
    assert LBFGS([Parameter(minigrad.zeros(2))], max_iter=8).defaults["max_eval"] == 10


def test_history_size_limits_the_pairs_kept():
    param, make_closure, _, _ = quadratic_problem(2)
    optimizer = LBFGS([param], history_size=2, max_iter=10, tolerance_change=0)
    optimizer.step(make_closure(optimizer))
    assert len(optimizer.state[param]["old_dirs"]) == 2


def test_float32_parameters_stay_float32_and_several_tensors_are_one_vector():
    rng = np.random.default_rng(0)
    weight = Parameter(minigrad.tensor(rng.standard_normal((2, 3)), dtype=minigrad.float32))
    bias = Parameter(minigrad.tensor(rng.standard_normal(2), dtype=minigrad.float32))
    unused = Parameter(minigrad.zeros(4))
    inputs = minigrad.tensor(rng.standard_normal((10, 3)), dtype=minigrad.float32)
    targets = inputs @ minigrad.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]]).T + 0.25
    optimizer = LBFGS([weight, bias, unused], line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = ((inputs @ weight.T + bias - targets) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(3):
        optimizer.step(closure)
    assert weight.dtype == bias.dtype == minigrad.float32
    np.testing.assert_allclose(weight._array, [[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]], atol=1e-4)
    np.testing.assert_allclose(bias._array, [0.25, 0.25], atol=1e-4)
    np.testing.assert_array_equal(unused._array, np.zeros(4, np.float32))
    assert optimizer.state[weight]["d"].shape == (12,)


def test_state_dict_round_trip_continues_identically():
    def run(steps_before, steps_after):
        param, make_closure, _, _ = quadratic_problem(3)
        optimizer = LBFGS([param], max_iter=3, line_search_fn="strong_wolfe")
        for _ in range(steps_before):
            optimizer.step(make_closure(optimizer))
        if steps_after:
            saved = optimizer.state_dict()
            fresh = LBFGS([param], max_iter=3, line_search_fn="strong_wolfe")
            fresh.load_state_dict(saved)
            for _ in range(steps_after):
                fresh.step(make_closure(fresh))
        return param._array.copy()

    np.testing.assert_array_equal(run(2, 2), run(4, 0))


def test_load_state_dict_checks_the_flat_vectors_before_changing_anything():
    param, make_closure, _, _ = quadratic_problem()
    optimizer = LBFGS([param], max_iter=2)
    optimizer.step(make_closure(optimizer))
    saved = optimizer.state_dict()
    saved["state"][0]["d"] = minigrad.zeros(5)
    other = LBFGS([Parameter(minigrad.zeros(6, dtype=minigrad.float64))])
    with pytest.raises(ValueError, match=r"flat vector of 6 entries.*\(5,\)"):
        other.load_state_dict(saved)
    assert not other.state


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda p: LBFGS([p], lr=-1), ValueError, "learning rate"),
        (lambda p: LBFGS([p], line_search_fn="armijo"), ValueError, "strong_wolfe"),
        (lambda p: LBFGS([p], history_size=0), ValueError, "history_size"),
        (lambda p: LBFGS([p], max_iter=0), ValueError, "max_iter"),
        (lambda p: LBFGS([p], max_iter=2.5), ValueError, "max_iter"),
        (
            lambda p: LBFGS([{"params": [p]}, {"params": [Parameter(minigrad.zeros(1))]}]),
            ValueError,
            "parameter groups",
        ),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(Parameter(minigrad.zeros(3)))


def test_step_needs_a_closure_and_a_second_group_is_refused():
    param = Parameter(minigrad.zeros(3))
    optimizer = LBFGS([param])
    with pytest.raises(TypeError, match="closure"):
        optimizer.step()
    with pytest.raises(ValueError, match="parameter groups"):
        optimizer.add_param_group({"params": [Parameter(minigrad.zeros(2))]})
    assert len(optimizer.param_groups) == 1


def test_state_dict_survives_minigrad_save_and_load():
    import io

    def run(through_file):
        param, make_closure, _, _ = quadratic_problem(4)
        optimizer = LBFGS([param], max_iter=3, history_size=4)
        optimizer.step(make_closure(optimizer))
        if through_file:
            buffer = io.BytesIO()
            minigrad.save(optimizer.state_dict(), buffer)
            buffer.seek(0)
            optimizer = LBFGS([param], max_iter=3, history_size=4)
            optimizer.load_state_dict(minigrad.load(buffer))
        optimizer.step(make_closure(optimizer))
        return param._array.copy()

    np.testing.assert_array_equal(run(True), run(False))
