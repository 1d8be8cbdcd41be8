"""minigrad.profiler.profile: per-op counts, self times and result bytes, and the
wrapping put back afterwards."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function
from minigrad.autograd.engine import _Backward
from minigrad.ops.elementwise import Mul
from minigrad.profiler import OpStats, profile


def _step(x, w):
    loss = (x * w).sum()
    loss.backward()
    return loss


def test_counts_each_op_forward_and_backward():
    x = minigrad.randn(1000, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.randn(1000, dtype=minigrad.float64, requires_grad=True)
    _step(x, w)
    x.grad = w.grad = None
    with profile() as prof:
        _step(x, w)
    stats = prof.stats
    assert (stats["Mul"].forward_calls, stats["Mul"].backward_calls) >= (1, 1)
    assert stats["Sum"].forward_calls == 1 and stats["Sum"].backward_calls == 1
    assert stats["AccumulateGrad"].backward_calls == 2  # x and w
    assert stats["AccumulateGrad"].forward_calls == 0
    # Mul's forward makes one new 1000-float64 array; its backward two more (via Mul).
    assert stats["Mul"].bytes >= 8000
    for entry in stats.values():
        assert entry.forward_time >= 0 and entry.backward_time >= 0
    assert prof.wall_time >= sum(entry.time for entry in stats.values()) * 0.999


def test_ops_run_inside_a_backward_count_as_backward_work():
    x = minigrad.randn(5, dtype=minigrad.float64, requires_grad=True)
    y = x.pow(3)
    with profile() as prof:
        y.sum().backward()  # Pow's backward multiplies
    # Pow's backward, and the x ** 2 it computes
    assert prof.stats["Pow"].backward_calls == 2
    assert prof.stats["Pow"].forward_calls == 0
    assert prof.stats["Mul"].forward_calls == 0 and prof.stats["Mul"].backward_calls >= 1


def test_a_view_returns_no_new_bytes():
    x = minigrad.randn(100, 10, dtype=minigrad.float64)
    with profile() as prof:
        x.reshape(10, 100)
    assert prof.stats["Reshape"].forward_calls == 1
    assert prof.stats["Reshape"].bytes == 0


def test_the_wrapping_is_put_back_even_after_an_error():
    forward, backward = Mul.__dict__["forward"], Mul.__dict__["backward"]
    accumulate = _Backward.__dict__["accumulate"]
    with pytest.raises(ZeroDivisionError), profile():
        assert Mul.__dict__["forward"] is not forward  # wrapped inside
        raise ZeroDivisionError
    assert Mul.__dict__["forward"] is forward and Mul.__dict__["backward"] is backward
    assert _Backward.__dict__["accumulate"] is accumulate
    with profile():  # and a new profile can start
        pass


def test_profiles_do_not_nest():
    with profile(), pytest.raises(RuntimeError, match="do not nest"), profile():
        pass


def test_user_functions_are_counted_under_their_class_name():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x * x * grad

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with profile() as prof:
        Cube.apply(x).sum().backward()
    assert prof.stats["Cube"].forward_calls == 1 and prof.stats["Cube"].backward_calls == 1
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])


def test_table_sorts_limits_and_refuses_unknown_keys():
    with profile() as prof:
        prof.stats.clear()  # the rows below, nothing measured
    prof.stats.update({
        "A": OpStats("A", forward_calls=1, forward_time=0.002),
        "B": OpStats("B", forward_calls=5, forward_time=0.001, bytes=4000),
    })
    lines = prof.table().splitlines()
    assert lines[0].split()[:2] == ["op", "fwd"]
    assert [line.split()[0] for line in lines[2:4]] == ["A", "B"]  # by time
    by_calls = prof.key_averages().table(sort_by="calls").splitlines()
    assert by_calls[2].split()[0] == "B"
    assert prof.key_averages().table(sort_by="cpu_time_total").splitlines()[2].startswith("A")
    limited = prof.key_averages().table(row_limit=1).splitlines()
    assert [line.split()[0] for line in limited[2:3]] == ["A"] and "B " not in limited[3]
    assert "66.7" in lines[2]  # A's share of the time
    assert "4.0" in lines[3]  # B's 4000 bytes as KB
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.table(sort_by="cuda_time")
