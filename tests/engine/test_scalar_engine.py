"""The shipped scalar reference engine (``minigrad/autograd/scalar.py``) on its own: every
local derivative against a central difference, and the docstring's worked example."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.autograd import scalar
from minigrad.autograd.scalar import Scalar, gradients, topological_order

UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp() if isinstance(x, Scalar) else math.exp(x),
    "log": lambda x: x.log() if isinstance(x, Scalar) else math.log(x),
    "tanh": lambda x: x.tanh() if isinstance(x, Scalar) else math.tanh(x),
    "sigmoid": lambda x: x.sigmoid() if isinstance(x, Scalar) else 1 / (1 + math.exp(-x)),
    "relu": lambda x: x.relu() if isinstance(x, Scalar) else max(x, 0.0),
    "cube": lambda x: x**3,
    "reciprocal": lambda x: 1 / x,
    "shift_minus": lambda x: 2.5 - x,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
values = st.floats(0.2, 3.0)


def central_difference(function, point, index, step=1e-6):
    low, high = list(point), list(point)
    low[index] -= step
    high[index] += step
    return (function(*high) - function(*low)) / (2 * step)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(x=values)
def test_unary_derivatives(name, x):
    function = UNARY[name]
    leaf = Scalar(x)
    out = function(leaf)
    out.backward()
    assert out.value == pytest.approx(function(x), rel=1e-12)
    assert leaf.grad == pytest.approx(central_difference(function, [x], 0), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(a=values, b=values)
def test_binary_derivatives(name, a, b):
    function = BINARY[name]
    x, y = Scalar(a), Scalar(b)
    function(x, y).backward()
    assert x.grad == pytest.approx(central_difference(function, [a, b], 0), rel=1e-5)
    assert y.grad == pytest.approx(central_difference(function, [a, b], 1), rel=1e-5)


def test_paths_that_meet_are_summed_and_the_order_puts_parents_first():
    x = Scalar(2.0)
    y = x * x  # two paths from y to x
    z = y * x + y  # and y is used twice
    order = topological_order([z])
    assert order.index(x) < order.index(y) < order.index(z)
    assert gradients([(z, 1.0)])[x] == pytest.approx(3 * 2.0**2 + 2 * 2.0)


def test_a_long_chain_needs_no_recursion():
    x = Scalar(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_several_seeds_with_their_own_upstream_gradients():
    x = Scalar(3.0)
    result = gradients([(x * 2.0, 1.0), (x * x, 0.5)])
    assert result[x] == pytest.approx(2.0 + 0.5 * 6.0)


def test_the_docstring_example_runs():
    failures, tried = doctest.testmod(scalar)
    assert tried > 0 and failures == 0
