"""The one property test every differentiable op goes through (see ``minigrad/ops/_registry.py``).

For each OpInfo record: the forward pass against the NumPy reference (float64 and
float32), ``gradcheck`` in float64, and ``gradgradcheck`` for smooth ops — on drawn shapes
with broadcasting, memory layouts that are not contiguous, and values kept away from kinks.
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import Function
from minigrad.autograd import function as autograd_function
from minigrad.ops import RECORDS
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.testing.strategies import op_inputs

IDS = [record.name for record in RECORDS]


def _reference(record, tensors, kwargs):
    return np.asarray(record.reference(*[t.data for t in tensors], **kwargs))


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy_float64(record, data):
    tensors, kwargs = data.draw(op_inputs(record))
    result = record.function(*tensors, **kwargs)
    expected = _reference(record, tensors, kwargs)
    assert result.shape == expected.shape
    assert result.dtype == minigrad.float64
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy_float32(record, data):
    tensors, kwargs = data.draw(op_inputs(record, dtype=minigrad.float32, requires_grad=False))
    result = record.function(*tensors, **kwargs)
    expected = np.asarray(
        record.reference(*[t.data.astype(np.float64) for t in tensors], **kwargs)
    )
    assert result.shape == expected.shape
    assert result.dtype == (minigrad.float32 if record.keeps_dtype else expected.dtype)
    np.testing.assert_allclose(result.data, expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
@given(data=st.data())
def test_gradcheck(record, data):
    tensors, kwargs = data.draw(op_inputs(record))
    assert gradcheck(lambda *xs: record.function(*xs, **kwargs), tuple(tensors))


SMOOTH = [record for record in RECORDS if record.smooth]


@pytest.mark.parametrize("record", SMOOTH, ids=[record.name for record in SMOOTH])
@given(data=st.data())
def test_gradgradcheck(record, data):
    tensors, kwargs = data.draw(op_inputs(record))
    assert gradgradcheck(lambda *xs: record.function(*xs, **kwargs), tuple(tensors))


def _function_classes():
    found = set()
    for module in (minigrad.ops.elementwise, minigrad.ops.reduce, minigrad.ops.shape,
                   minigrad.ops.linalg):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Function) and value is not Function and (
                value.__module__ == module.__name__
            ):
                found.add(value)
    return found


# Function classes whose derivative cannot be checked by finite differences in float64,
# each tested on its own elsewhere.
CHECKED_ELSEWHERE = {
    "Cast": "float32 round trips are too coarse for finite differences; "
    "tests/engine/test_autograd.py checks the gradient's dtype and value",
    "CopyInto": "the value of copy_(): tests/engine/test_inplace.py",
}


def _node_types(out, tensors):
    """Function classes in the graph of ``out`` and of its create_graph backward."""
    seen = set()
    stack = [out.grad_fn]
    upstream = minigrad.ones_like(out).requires_grad_()
    grads = minigrad.grad(out, tensors, upstream, create_graph=True, allow_unused=True)
    stack += [g.grad_fn for g in grads if g is not None]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(fn for fn, _ in node.next_functions)
    return {type(node).__name__ for node in seen}


@settings(max_examples=5, phases=[Phase.generate])
@given(data=st.data())
def test_every_function_class_is_reached_by_the_table(data):
    """No op escapes the table: the records' forward and backward graphs together contain
    a node of every Function class defined in minigrad.ops."""
    reached = set()
    for record in RECORDS:
        tensors, kwargs = data.draw(op_inputs(record))
        out = record.function(*tensors, **kwargs)
        if out.grad_fn is not None:
            reached |= _node_types(out, tensors)
    defined = {cls.__name__ for cls in _function_classes()}
    missing = defined - reached - set(CHECKED_ELSEWHERE)
    assert not missing, f"Function classes no OpInfo record exercises: {sorted(missing)}"


class _CountingSequence:
    """Stands in for the engine's node numbering, counting the nodes recorded."""

    def __init__(self):
        self.numbers = itertools.count()
        self.taken = 0

    def __next__(self):
        self.taken += 1
        return next(self.numbers)


def _builtin_function_classes():
    classes = set(_function_classes())
    for _, value in inspect.getmembers(minigrad.nn.functional, inspect.isclass):
        if issubclass(value, Function) and value is not Function:
            classes.add(value)
    return classes


@settings(max_examples=3, phases=[Phase.generate])
@given(data=st.data())
def test_builtin_forwards_record_nothing(data):
    """apply() leaves grad mode on around the forward of minigrad's own Functions (they
    compute on arrays): check that no such forward records a node of its own, in the
    forward pass or in a create_graph backward pass."""
    counter = _CountingSequence()
    offenders = []

    def watched(cls, forward):
        def run(ctx, *args):
            before = counter.taken
            result = forward(ctx, *args)
            if counter.taken != before:
                offenders.append(cls.__name__)
            return result

        return staticmethod(run)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(autograd_function, "_sequence_numbers", counter)
        for cls in _builtin_function_classes():
            assert cls._forward_on_arrays, cls.__name__
            patch.setattr(cls, "forward", watched(cls, cls.__dict__["forward"].__func__))
        for record in RECORDS:
            tensors, kwargs = data.draw(op_inputs(record))
            out = record.function(*tensors, **kwargs)
            if out.grad_fn is not None:
                _node_types(out, tensors)
    assert counter.taken > len(RECORDS)  # the check did watch the recording
    assert not offenders, f"forward of {sorted(set(offenders))} recorded a node"


def test_user_functions_run_forward_with_grad_mode_off():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mode = minigrad.is_grad_enabled()
            return x.data * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    assert not Probe._forward_on_arrays
    y = Probe.apply(minigrad.ones(2, requires_grad=True))
    assert y.grad_fn.mode is False
