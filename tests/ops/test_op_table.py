"""The one property test every differentiable op goes through (see ``minigrad/ops/_registry.py``).

For each OpInfo record: the forward pass against the NumPy reference (float64 and
float32), ``gradcheck`` in float64, and ``gradgradcheck`` for smooth ops — on drawn shapes
with broadcasting, memory layouts that are not contiguous, and values kept away from kinks.

And the table of ops itself: every Function class of minigrad is named by an ``op(...)``
registration (or listed here) and reached by the records' graphs, and the lists that must
agree with the table (the exports, the Tensor methods and their type stubs, the ops
package's table of Function classes) do.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import pkgutil
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
import minigrad.ops as ops
from minigrad.autograd import Function
from minigrad.autograd import function as autograd_function
from minigrad.ops import RECORDS
from minigrad.ops._registry import OPS, op
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.testing.strategies import op_inputs

IDS = [record.name for record in RECORDS]


def _reference(record, tensors, kwargs):
    return np.asarray(record.reference(*[t._array for t in tensors], **kwargs))


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy_float64(record, data):
    tensors, kwargs = data.draw(op_inputs(record))
    result = record.function(*tensors, **kwargs)
    expected = _reference(record, tensors, kwargs)
    assert result.shape == expected.shape
    assert result.dtype == minigrad.float64
    np.testing.assert_allclose(result._array, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy_float32(record, data):
    tensors, kwargs = data.draw(op_inputs(record, dtype=minigrad.float32, requires_grad=False))
    result = record.function(*tensors, **kwargs)
    expected = np.asarray(
        record.reference(*[t._array.astype(np.float64) for t in tensors], **kwargs)
    )
    assert result.shape == expected.shape
    assert result.dtype == (minigrad.float32 if record.keeps_dtype else expected.dtype)
    np.testing.assert_allclose(result._array, expected, rtol=2e-5, atol=2e-6)


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


def _modules(package):
    """The package and every module below it (discovered: a new file cannot escape)."""
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name != "minigrad.__main__":  # the command line, not a library module
            yield importlib.import_module(info.name)


def _function_classes(package=minigrad):
    """Every Function subclass that a module of ``package`` defines."""
    return {
        value
        for module in _modules(package)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Function)
        and value is not Function
        and value.__module__ == module.__name__
    }


# The records of the property tests, and those of nn.functional's fused Functions (kept out
# of RECORDS, see FUSED_OP_RECORDS).
ALL_RECORDS = [*RECORDS, *F.FUSED_OP_RECORDS]


# Function classes whose derivative cannot be checked by finite differences in float64,
# each tested on its own elsewhere.
CHECKED_ELSEWHERE = {
    "Cast": "float32 round trips are too coarse for finite differences; "
    "tests/engine/test_autograd.py checks the gradient's dtype and value",
    "CopyInto": "the value of copy_(): tests/engine/test_inplace.py",
    "Recurrence": "a whole fused recurrent layer, no record's graph: "
    "tests/nn/test_recurrent_fused.py checks it against the written-out cells",
    "_HookIdentity": "the identity around a module with backward hooks: tests/nn/test_hooks.py",
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


def _one_call_of_each_record():
    """``(record, output, inputs)`` for one derandomised draw of each record whose output
    has a graph. (One draw per record: drawing every record's inputs in one Hypothesis
    example overruns its data buffer.)"""
    calls = []

    def call(record):
        @settings(max_examples=1, phases=[Phase.generate], derandomize=True, database=None)
        @given(drawn=op_inputs(record))
        def run(drawn):
            tensors, kwargs = drawn
            out = record.function(*tensors, **kwargs)
            if out.grad_fn is not None:
                calls.append((record, out, tensors))

        run()

    for record in ALL_RECORDS:
        call(record)
    return calls


def test_every_function_class_is_reached_by_the_table():
    """No op escapes the table: the records' forward and backward graphs together contain
    a node of every Function class defined in minigrad."""
    reached = set()
    for _, out, tensors in _one_call_of_each_record():
        reached.update(_node_types(out, tensors))
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


def test_builtin_forwards_record_nothing():
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
        for cls in _function_classes():
            assert cls._forward_on_arrays, cls.__name__
            patch.setattr(cls, "forward", watched(cls, cls.__dict__["forward"].__func__))
        for _, out, tensors in _one_call_of_each_record():
            _node_types(out, tensors)
    assert counter.taken > len(RECORDS)  # the check did watch the recording
    assert not offenders, f"forward of {sorted(set(offenders))} recorded a node"


def test_user_functions_run_forward_with_grad_mode_off():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mode = minigrad.is_grad_enabled()
            return x._array * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    assert not Probe._forward_on_arrays
    y = Probe.apply(minigrad.ones(2, requires_grad=True))
    assert y.grad_fn.mode is False


# ----------------------------------------------------------------------------- the table

# The Function classes of minigrad that no op(...) registration names, and why.
NOT_REGISTERED = {
    # A whole RNN/LSTM/GRU layer-direction over a sequence, applied by nn's recurrent
    # layers through ops.recurrent.fused_recurrence: no public op of its own.
    "minigrad.ops.recurrent.Recurrence",
    # nn.functional's fused loss: registering it would make the table of minigrad.ops
    # depend on whether minigrad.nn was imported (its records are FUSED_OP_RECORDS).
    "minigrad.nn.functional.BinaryCrossEntropy",
    # gelu's exact form, fused the same way (its records are FUSED_OP_RECORDS too).
    "minigrad.nn.functional.Gelu",
    # Embedding(scale_grad_by_freq=True)'s lookup (FUSED_OP_RECORDS too).
    "minigrad.nn.functional._FrequencyScaledLookup",
    # The identity Module.__call__ puts around a module's inputs and outputs when it has
    # full backward hooks: an nn mechanism, not an op.
    "minigrad.nn.module._HookIdentity",
}


def _qualified(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def test_registry_names_every_function_class():
    """Each Function class of minigrad is named by some op(...) registration, which
    declares it and puts it in the ops table, or is one of the few listed above."""
    named = {cls for entry in OPS.values() for cls in entry.classes}
    defined = {_qualified(cls): cls for cls in _function_classes()}
    unnamed = {name for name, cls in defined.items() if cls not in named}
    assert unnamed == NOT_REGISTERED
    assert all(_qualified(cls) in defined for cls in named)  # no class from elsewhere


def test_registry_agrees_with_the_exports():
    """minigrad.ops imports every op explicitly (for readers and type checkers) and nothing
    else; each name there, in minigrad (but for the method-only ones) and as a Tensor
    method is the registered function."""
    list(_modules(minigrad.ops))  # every ops module imported: their ops are all in OPS
    tree = ast.parse(Path(ops.__file__).read_text())
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module.startswith("minigrad.ops.")
        and node.module != "minigrad.ops._registry"
        for alias in node.names
    }
    assert imported - {"ValuesIndices"} == set(OPS)
    for name, entry in OPS.items():
        assert getattr(ops, name) is entry.function, name
        assert (getattr(minigrad, name, None) is entry.function) is not entry.method_only, name
        if entry.method:
            assert getattr(minigrad.Tensor, entry.method) is entry.function, name
    assert sorted(ops.TENSOR_METHODS) == sorted(e.method for e in OPS.values() if e.method)
    assert set(ops.__all__) == {"RECORDS", "OpInfo", "TENSOR_METHODS", "ValuesIndices",
                                "register", *OPS}


def _tensor_stubs():
    """``{name: value}`` of the assignments in Tensor's ``if TYPE_CHECKING:`` block."""
    # (minigrad.tensor is the function: the module is imported by name)
    tree = ast.parse(Path(importlib.import_module("minigrad.tensor").__file__).read_text())
    tensor = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    block = next(
        n for n in tensor.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    return {
        node.targets[0].id: ast.unparse(node.value)
        for node in block.body
        if isinstance(node, ast.Assign)
    }


def test_registry_agrees_with_the_tensor_stubs():
    """Type checkers see the same Tensor methods that tensor.py attaches from the table."""
    expected = {method: f"_ops_for_typing.{method}" for method in ops.TENSOR_METHODS}
    assert _tensor_stubs() == expected


def _ops_docstring_table():
    """``{Function: (kind, public functions)}`` from the table in minigrad.ops's docstring
    (a reStructuredText simple table: a row whose first cell is empty continues the last)."""
    lines = ops.__doc__.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("==")]
    starts = [m.start() for m in re.finditer("=+", lines[rules[0]])]
    rows = {}
    for line in lines[rules[1] + 1 : rules[2]]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        if cells[0]:
            name = cells[0]
            rows[name] = ["", ""]
        for i in (0, 1):
            rows[name][i] = f"{rows[name][i]} {cells[i + 1]}".strip()
    return rows


def test_registry_agrees_with_the_ops_docstring_table():
    """Every Function class of minigrad.ops has a row, says whether it is a primitive or
    which composition it fuses, and names the functions whose registrations name it."""
    rows = _ops_docstring_table()
    classes = _function_classes(minigrad.ops)
    assert set(rows) == {cls.__name__ for cls in classes}
    assert len(rows) == len(classes)  # class names are unique across the modules
    users = defaultdict(set)
    for name, entry in OPS.items():
        for cls in entry.classes:
            users[cls.__name__].add(name)
    for name, (kind, functions) in rows.items():
        assert kind.startswith(("primitive", "``")), name
        if name in users:
            assert set(functions.split(", ")) == users[name], name


def test_registry_refuses_a_second_op_of_the_same_name():
    with pytest.raises(ValueError, match="already registered"):
        op(minigrad.ops.exp, method=True)
