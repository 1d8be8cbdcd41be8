"""The engine's shape, as promised to its readers: public names where they always were,
short functions, the reading path short, and the pieces PyTorch users look at
(``next_functions`` ending in ``AccumulateGrad``, ``_version`` as a count)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import autograd
from minigrad.autograd import AccumulateGrad, engine, in_place

PACKAGE = Path(minigrad.__file__).parent
ENGINE_FILES = sorted((PACKAGE / "autograd").glob("*.py"))


def test_the_public_names_import_as_before():
    from minigrad.autograd import (  # noqa: F401
        Function,
        backward,
        enable_grad,
        grad,
        is_grad_enabled,
        no_grad,
        set_grad_enabled,
    )

    for name in ("Function", "backward", "grad", "no_grad", "enable_grad", "is_grad_enabled",
                 "set_grad_enabled"):
        assert getattr(minigrad, name) is getattr(autograd, name)


def _functions(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("path", ENGINE_FILES, ids=[p.name for p in ENGINE_FILES])
def test_no_engine_function_is_longer_than_a_screen(path):
    long = [(name, lines) for name, lines in _functions(path) if lines > 60]
    assert not long, f"{path.name}: {long}"


def test_the_heart_of_the_backward_loop_reads_in_about_thirty_lines():
    """Its code, below the docstring: the loop and, inline, the chain fast path (a
    helper call per node would cost the tiny graph of bench/kernels.py its speed)."""
    function = ast.parse(textwrap.dedent(inspect.getsource(engine._Backward.run))).body[0]
    assert isinstance(function, ast.FunctionDef)
    first_code_line = function.body[1].lineno  # body[0] is the docstring
    assert function.end_lineno - first_code_line + 1 <= 40


def test_the_reading_path_is_short():
    reading = ["autograd/scalar.py", "autograd/function.py", "autograd/engine.py"]
    lines = {name: len((PACKAGE / name).read_text().splitlines()) for name in reading}
    assert lines["autograd/scalar.py"] <= 200, lines  # one screen of code, and its story
    assert all(count <= 350 for count in lines.values()), lines  # each read in a sitting


def test_next_functions_end_in_accumulate_grad_for_leaves():
    w = minigrad.randn(3, requires_grad=True)
    x = minigrad.randn(3)
    y = w * x
    (first, _), (second, _) = y.grad_fn.next_functions
    assert isinstance(first, AccumulateGrad) and first.variable is w
    assert first == AccumulateGrad(w) and hash(first) == hash(AccumulateGrad(w))
    assert repr(first) == "<AccumulateGrad>" and first.next_functions == ()
    assert second is None  # x needs no gradient
    z = y.exp()
    assert z.grad_fn.next_functions == ((y.grad_fn, 0),)


def test_version_is_a_count_shared_with_views():
    t = minigrad.zeros(4)
    view = t[1:]
    assert t._version == view._version == 0
    view.add_(1)
    t.mul_(2)
    assert t._version == view._version == 2
    assert np.array_equal(t._array, [0, 2, 2, 2])


def test_in_place_counts_a_write_and_a_saved_tensor_then_refuses():
    w = minigrad.ones(3, requires_grad=True)
    y = (w * w).sum()
    before = w._version
    with in_place(w):
        w._array *= 2
    assert w._version == before + 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_in_place_counts_even_when_the_block_raises():
    t = minigrad.zeros(2)
    with pytest.raises(ZeroDivisionError), in_place(t):
        t._array[0] = 1
        1 / 0  # noqa: B018
    assert t._version == 1


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((0,), "tensor([])"), ((0, 3), "tensor([], size=(0, 3))"),
     ((2, 0, 1), "tensor([], size=(2, 0, 1))")],
)
def test_an_empty_tensor_prints_its_size_as_pytorch(shape, expected):
    assert repr(minigrad.zeros(*shape)) == expected
