"""A stateful Hypothesis test of the backward engine against a scalar reference engine.

``GraphMachine`` grows random computation graphs with minigrad (leaves, elementwise ops with
broadcasting, reductions, reused nodes and diamonds, ``no_grad`` sections, ``detach``) and
shadows every tensor with a NumPy object array of :class:`Value` -- one scalar of the
micrograd-style reference engine that minigrad ships for reading
(``minigrad/autograd/scalar.py``: a few lines of plain Python, no arrays and nothing else
of minigrad in it), extended here with a rounding bound. It runs ``backward`` (implicit,
with ``gradient=``, repeated with ``retain_graph=True``, ``minigrad.backward`` of several
roots), ``minigrad.grad`` (leaves and intermediate inputs,
``allow_unused``) and ``zero_grad`` in random order, and after every step checks every live
tensor's value, ``requires_grad`` and ``grad_fn``, and every leaf's ``.grad`` against the
reference's accumulated gradient (``None`` until a backward reaches the leaf).

Freed graphs are modelled per recorded operation: after a backward without
``retain_graph`` the operations it ran are *freed*; going through a freed operation that
saves tensors (mul, div, exp, tanh, sigmoid, relu, log, square) must raise RuntimeError,
going only through operations that save nothing (add, sub, neg, sum, mean) must work, as
in PyTorch. A backward that
raises part-way may already have filled some leaves (PyTorch too), so their ``.grad`` is
reset to ``None`` on both sides afterwards.

Tolerances: each reference Value carries, next to its value, a first-order bound on how far
rounding can move it (``scale``: the value's magnitude plus the scales of its operands
weighted by the absolute partial derivatives), and gradients carry the same bound built
from the absolute values of the partials and of their own rounding. Values and gradients
must agree within ``1e-12`` of that scale: it absorbs the last-bit differences of
vectorised exp/tanh and of summation order, and is still a relative 1e-12 wherever no
cancellation happens.
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import minigrad
from minigrad.autograd.scalar import Scalar, gradients, topological_order

RTOL = 1e-12
TINY = 1e-300  # absolute floor: values that underflowed towards the subnormals
LIMIT = 100.0  # every value in the graph stays within [-LIMIT, LIMIT]
MAX_NODES = 40
SHAPES = [(2, 3), (3,), (), (1, 3), (2, 1)]

# --------------------------------------------------------------------------- reference


class Value(Scalar):
    """One float of the reference graph: a :class:`~minigrad.autograd.scalar.Scalar` of the
    shipped scalar engine, with ``requires_grad`` and a bound on its rounding.

    ``parents`` holds ``(operand, partial derivative)`` for the operands that require a
    gradient, ``partial_scales`` the rounding scale of each partial; ``scale`` bounds (to
    first order, in units of the rounding error) how far the computed value can be from
    the exact one.
    """

    __slots__ = ("scale", "requires_grad", "partial_scales")

    def __init__(self, data: float, requires_grad: bool = False, scale: float | None = None):
        super().__init__(data)
        self.scale = abs(self.value) if scale is None else scale
        self.requires_grad = requires_grad
        self.partial_scales: tuple[float, ...] = ()

    @property
    def data(self) -> float:
        return self.value

    def detached(self) -> Value:
        return Value(self.data, scale=self.scale)

    # -- forward: every op returns a new Value that remembers its operands

    @staticmethod
    def _op(data: float, *parts: tuple[Value, float, float]) -> Value:
        out = Value(data, scale=abs(data) + sum(abs(d) * v.scale for v, d, _ in parts))
        kept = [p for p in parts if p[0].requires_grad]
        out.parents = tuple((v, d) for v, d, _ in kept)
        out.partial_scales = tuple(d_scale for _, _, d_scale in kept)
        out.requires_grad = bool(kept)
        return out

    def __add__(self, other: Any) -> Value:
        other = _lift(other)
        return Value._op(self.data + other.data, (self, 1.0, 1.0), (other, 1.0, 1.0))

    def __radd__(self, other: Any) -> Value:
        return _lift(other) + self

    def __sub__(self, other: Any) -> Value:
        other = _lift(other)
        return Value._op(self.data - other.data, (self, 1.0, 1.0), (other, -1.0, 1.0))

    def __rsub__(self, other: Any) -> Value:
        return _lift(other) - self

    def __mul__(self, other: Any) -> Value:
        other = _lift(other)
        return Value._op(
            self.data * other.data, (self, other.data, other.scale), (other, self.data, self.scale)
        )

    def __rmul__(self, other: Any) -> Value:
        return _lift(other) * self

    def __truediv__(self, other: Any) -> Value:
        a, b = self, _lift(other)
        da = 1.0 / b.data
        db = -a.data / (b.data * b.data)
        da_scale = (1.0 + b.scale / abs(b.data)) / abs(b.data)
        db_scale = (abs(a.data) + a.scale + 2.0 * abs(a.data) * b.scale / abs(b.data)) / (
            b.data * b.data
        )
        return Value._op(a.data / b.data, (a, da, da_scale), (b, db, db_scale))

    def __rtruediv__(self, other: Any) -> Value:
        return _lift(other) / self

    def __neg__(self) -> Value:
        return Value._op(-self.data, (self, -1.0, 1.0))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value._op(e, (self, e, e * (1.0 + self.scale)))

    def log(self) -> Value:
        x = self.data
        return Value._op(math.log(x), (self, 1.0 / x, (1.0 + self.scale / x) / x))

    def tanh(self) -> Value:
        y = math.tanh(self.data)
        d = 1.0 - y * y
        return Value._op(y, (self, d, d + 2.0 * (abs(y) + d * self.scale)))

    def sigmoid(self) -> Value:
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        d = s * (1.0 - s)
        return Value._op(s, (self, d, d + s + d * self.scale))

    def relu(self) -> Value:
        d = 1.0 if self.data > 0 else 0.0
        return Value._op(self.data * d, (self, d, d))

    def square(self) -> Value:
        return self * self


def _lift(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)


def value_sum(values: Any, mean: bool = False) -> Value:
    """The sum (or mean) of some Values, as one node."""
    values = list(values)
    weight = 1.0 / len(values) if mean else 1.0
    total = sum(v.data for v in values)
    return Value._op(total / len(values) if mean else total, *((v, weight, weight) for v in values))


def reference_backward(seeds: list[tuple[Value, float]]) -> dict[Value, list[float]]:
    """``{value: [gradient, rounding scale]}`` for every Value reached from the seeds
    (``(output, upstream gradient)`` pairs). The gradients are the shipped scalar engine's
    (:func:`minigrad.autograd.scalar.gradients`); the scales go back along the same order,
    the absolute upstream scale times each partial's rounding scale."""
    seeds = [(v, g) for v, g in seeds if v.requires_grad]
    values = gradients(seeds)
    scales: dict[Value, float] = {}
    for v, g in seeds:
        scales[v] = scales.get(v, 0.0) + abs(g)
    for v in reversed(topological_order([v for v, _ in seeds])):
        scale = scales[v]
        for (child, _), d_scale in zip(v.parents, v.partial_scales):
            scales[child] = scales.get(child, 0.0) + scale * d_scale
    return {v: [values[v], scales[v]] for v in values}


def emap(function: Any, *operands: Any) -> np.ndarray:
    """``function`` elementwise over object arrays (and Python numbers), broadcasting."""
    return np.asarray(np.frompyfunc(function, len(operands), 1)(*operands), dtype=object)


def reference_reduce(ref: np.ndarray, dims: tuple[int, ...], keepdim: bool, mean: bool):
    moved = np.moveaxis(ref, dims, tuple(range(ref.ndim - len(dims), ref.ndim)))
    kept_shape = moved.shape[: ref.ndim - len(dims)]
    rows = moved.reshape(kept_shape + (-1,))
    out = np.empty(kept_shape, dtype=object)
    for index in np.ndindex(kept_shape):
        out[index] = value_sum(rows[index], mean)
    if keepdim:
        out = out.reshape(tuple(1 if d in dims else s for d, s in enumerate(ref.shape)))
    return out


def data_of(ref: np.ndarray) -> np.ndarray:
    return np.array([v.data for v in ref.flat], dtype=np.float64).reshape(ref.shape)


def scale_of(ref: np.ndarray) -> np.ndarray:
    return np.array([v.scale for v in ref.flat], dtype=np.float64).reshape(ref.shape)


def assert_close(actual: np.ndarray, expected: np.ndarray, scale: np.ndarray, what: str):
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    error = np.abs(actual - expected)
    ok = error <= RTOL * scale + TINY  # NaN fails
    assert ok.all(), (
        f"{what}: got {actual.tolist()}, reference {expected.tolist()} "
        f"(allowed error {(RTOL * scale + TINY).tolist()})"
    )


# --------------------------------------------------------------------------- the model

INTACT, MAYBE_FREED, FREED = 0, 1, 2


@dataclass(eq=False)
class Node:
    """A live minigrad tensor, its reference, and what the engine must do with it."""

    tensor: minigrad.Tensor
    ref: np.ndarray  # object array of Value, same shape
    parents: tuple[Node, ...]  # the operands that required grad (the graph edges)
    saves: bool | None  # does its operation keep tensors for backward? None: unspecified
    requires_grad: bool
    freed: int = INTACT
    grad: np.ndarray | None = None  # leaves: the accumulated reference gradient
    grad_scale: np.ndarray | None = None
    values: np.ndarray = field(init=False)
    scale: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.values, self.scale = data_of(self.ref), scale_of(self.ref)

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    @property
    def shape(self) -> tuple[int, ...]:
        return self.ref.shape


def draw_array(data: Any, shape: tuple[int, ...], elements: Any, label: str) -> np.ndarray:
    size = math.prod(shape)
    numbers = data.draw(st.lists(elements, min_size=size, max_size=size), label=label)
    return np.array(numbers, dtype=np.float64).reshape(shape)


@contextlib.contextmanager
def grad_mode(mode: str) -> Iterator[bool]:
    """Run a block in a grad mode; yields whether operations are recorded."""
    if mode == "no_grad":
        with minigrad.no_grad():
            yield False
    elif mode == "set_grad_enabled(False)":
        with minigrad.set_grad_enabled(False):
            yield False
    elif mode == "enable_grad inside no_grad":
        with minigrad.no_grad(), minigrad.enable_grad():
            yield True
    else:
        yield True


UNARY = {
    # name: (minigrad, reference, domain of each element, saves tensors)
    "exp": (lambda t: t.exp(), Value.exp, lambda v: abs(v.data) <= 4.0, True),
    "tanh": (minigrad.tanh, Value.tanh, None, True),
    "sigmoid": (lambda t: t.sigmoid(), Value.sigmoid, None, True),
    "relu": (minigrad.relu, Value.relu, lambda v: abs(v.data) > 1e-6 * v.scale, True),
    "neg": (operator.neg, operator.neg, None, False),
    "log": (minigrad.log, Value.log, lambda v: v.data >= 0.05, True),
    "square": (lambda t: t.square(), Value.square, None, True),
}
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
SAVES = {"add": False, "sub": False, "mul": True, "div": True}
MODES = st.sampled_from(
    ["grad"] * 6 + ["no_grad", "set_grad_enabled(False)", "enable_grad inside no_grad"]
)
PICK = st.integers(0, 255)
# Leaf elements and Python numbers: 0.25 <= |x| <= 3.25, so that division, log and relu
# have operands (values near zero still come out of subtractions).
ELEMENT = st.floats(-3.0, 3.0).map(
    lambda x: math.copysign(0.25 + abs(x), x) if abs(x) < 0.25 else x
)
UPSTREAM = st.floats(-2.0, 2.0, allow_subnormal=False)
DIM_CHOICES = {0: [None], 1: [None, 0, -1], 2: [None, 0, 1, -1, (0, 1)]}


def nonzero_denominator(node: Node) -> bool:
    return all(abs(v.data) >= 0.25 for v in node.ref.flat)


def bounded(ref: np.ndarray) -> bool:
    return all(abs(v.data) <= LIMIT for v in ref.flat)


class GraphMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[Node] = []

    # ------------------------------------------------------------------ helpers

    def _pick(self, index: int, pool: list[Node]) -> Node | None:
        # Counted from the newest node: small indices (Hypothesis's favourites) then build
        # deep graphs rather than piling operations on the first leaf.
        return pool[-1 - index % len(pool)] if pool else None

    def _grad_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.requires_grad]

    def _add(self, tensor: Any, ref: np.ndarray, operands: list[Node], saves: Any, recorded=True):
        parents = tuple(n for n in operands if n.requires_grad) if recorded else ()
        if not parents:
            ref = emap(Value.detached, ref) if operands else ref
            saves = False
        node = Node(tensor, ref, parents, saves, requires_grad=bool(parents))
        self.nodes.append(node)
        return node

    def _leaf(self, array: np.ndarray, requires_grad: bool, how: str = "tensor") -> Node:
        if how == "tensor":
            tensor = minigrad.tensor(array, dtype=minigrad.float64, requires_grad=requires_grad)
        else:
            tensor = minigrad.from_numpy(array.copy()).requires_grad_(requires_grad)
        ref = emap(lambda x: Value(x, requires_grad=requires_grad), array)
        node = Node(tensor, ref, (), False, requires_grad)
        self.nodes.append(node)
        return node

    def _unary(self, x: Node, name: str, mode: str = "grad") -> Node | None:
        function, reference, domain, saves = UNARY[name]
        if domain is not None and not all(domain(v) for v in x.ref.flat):
            return None
        ref = emap(reference, x.ref)
        if not bounded(ref):
            return None
        with grad_mode(mode) as recorded:
            out = function(x.tensor)
        return self._add(out, ref, [x], saves, recorded)

    def _binary(self, a: Any, b: Any, name: str, functional=False, mode="grad") -> Node | None:
        def unwrap(x: Any, attribute: str) -> Any:
            return getattr(x, attribute) if isinstance(x, Node) else x

        ref = emap(BINARY[name], unwrap(a, "ref"), unwrap(b, "ref"))
        if not bounded(ref):
            return None
        function = getattr(minigrad, name) if functional else BINARY[name]
        with grad_mode(mode) as recorded:
            out = function(unwrap(a, "tensor"), unwrap(b, "tensor"))
        operands = [x for x in (a, b) if isinstance(x, Node)]
        return self._add(out, ref, operands, SAVES[name], recorded)

    def _reduce(self, x: Node, kind: str, dim: Any, keepdim: bool, mode="grad") -> Node:
        dims = tuple(range(x.ref.ndim)) if dim is None else tuple(np.atleast_1d(dim) % x.ref.ndim)
        ref = reference_reduce(x.ref, tuple(sorted(set(dims))), keepdim, kind == "mean")
        with grad_mode(mode) as recorded:
            if dim is None:
                out = getattr(x.tensor, kind)()
            else:
                out = getattr(minigrad, kind)(x.tensor, dim, keepdim)
        return self._add(out, ref, [x], False, recorded)

    def _reachable(self, root: Node) -> tuple[list[Node], list[Node]]:
        """The recorded operations and the leaves a backward from ``root`` goes through."""
        seen: dict[int, Node] = {}
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) not in seen and node.requires_grad:
                seen[id(node)] = node
                stack.extend(node.parents)
        operations = [n for n in seen.values() if not n.is_leaf]
        leaves = [n for n in seen.values() if n.is_leaf]
        return operations, leaves

    def _run_engine(self, call: Any, operations: list[Node], retain: bool) -> Exception | None:
        """Run a backward pass over ``operations``; check it raises exactly when the freed
        graph model says it must; update the model. Returns the RuntimeError, if any."""
        must = any(n.saves is True and n.freed == FREED for n in operations)
        may = any(n.saves is not False and n.freed != INTACT for n in operations)
        try:
            call()
        except RuntimeError as error:
            if "second time" in str(error):
                assert may, f"raised, but no operation on the path was freed: {error}"
            # Operations run before the failing one may have been freed.
            for n in operations:
                if not retain and n.freed == INTACT:
                    n.freed = MAYBE_FREED
            return error
        assert not must, "backward went through an operation whose saved tensors were freed"
        for n in operations:
            if not retain:
                n.freed = FREED
            elif n.saves is True:
                n.freed = INTACT  # its backward just read its saved tensors
        return None

    def _backward(
        self, roots: list[Node], upstream: list[np.ndarray | None], retain: bool, times=1
    ):
        """``root.backward(gradient)`` (one root) or ``minigrad.backward(roots, gradients)``,
        ``times`` times, all but the last with ``retain_graph=True``."""
        seeds = []
        for root, gradient in zip(roots, upstream):
            gradient = np.ones(root.shape) if gradient is None else gradient
            seeds += zip(root.ref.flat, gradient.flat)
        arguments = [
            None if g is None else minigrad.tensor(g, dtype=minigrad.float64) for g in upstream
        ]
        operations: dict[int, Node] = {}
        leaves: dict[int, Node] = {}
        for root in roots:
            ops, ends = self._reachable(root)
            operations.update((id(n), n) for n in ops)
            leaves.update((id(n), n) for n in ends)
        operations, leaves = list(operations.values()), list(leaves.values())
        grads = reference_backward(seeds)
        for time in range(times):
            keep = retain or time < times - 1
            kwargs = {"retain_graph": True} if keep else {}
            if len(roots) == 1:
                call = functools.partial(roots[0].tensor.backward, arguments[0], **kwargs)
            else:
                grad_tensors = None if all(a is None for a in arguments) else arguments
                tensors = [r.tensor for r in roots]
                call = functools.partial(minigrad.backward, tensors, grad_tensors, **kwargs)
            error = self._run_engine(call, operations, keep)
            if error is not None:
                assert "second time" in str(error), error
                # A failed backward may have filled some leaves already, as in PyTorch: their
                # .grad is unspecified, so both sides start again from None.
                for leaf in leaves:
                    leaf.tensor.grad = leaf.grad = leaf.grad_scale = None
                return
            for leaf in leaves:
                reached = [grads.get(v) for v in leaf.ref.flat]
                assert all(r is not None for r in reached), "reference: leaf reached in part"
                g = np.array([r[0] for r in reached]).reshape(leaf.shape)
                s = np.array([r[1] for r in reached]).reshape(leaf.shape)
                if leaf.grad is None:
                    leaf.grad, leaf.grad_scale = g, s
                else:
                    leaf.grad, leaf.grad_scale = leaf.grad + g, leaf.grad_scale + s
            self.check_everything()

    # ------------------------------------------------------------------ rules: building

    @initialize(data=st.data())
    def first_leaves(self, data):
        self._leaf(draw_array(data, (2, 3), ELEMENT, "matrix"), True)
        self._leaf(draw_array(data, (3,), ELEMENT, "row"), True)
        self._leaf(draw_array(data, (2, 1), ELEMENT, "column"), True)

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(
        shape=st.sampled_from(SHAPES),
        requires_grad=st.booleans(),
        how=st.sampled_from(["tensor", "from_numpy + requires_grad_"]),
        data=st.data(),
    )
    def leaf(self, shape, requires_grad, how, data):
        self._leaf(draw_array(data, shape, ELEMENT, "values"), requires_grad, how)

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(i=PICK, name=st.sampled_from(sorted(UNARY)), mode=MODES)
    def unary(self, i, name, mode):
        self._unary(self._pick(i, self.nodes), name, mode)

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(
        i=PICK,
        j=PICK,
        name=st.sampled_from(sorted(BINARY)),
        kind=st.sampled_from(
            ["same shape", "broadcast", "python number right", "python number left"]
        ),
        number=ELEMENT,
        functional=st.booleans(),
        mode=MODES,
    )
    def binary(self, i, j, name, kind, number, functional, mode):
        a = self._pick(i, self.nodes)
        if kind in ("same shape", "broadcast"):
            partners = [
                n
                for n in self.nodes
                if ((n.shape == a.shape) == (kind == "same shape"))
                and _broadcastable(a.shape, n.shape)
                and (name != "div" or nonzero_denominator(n))
            ]
            b = self._pick(j, partners)  # may be a itself: a node used twice
            if b is None:
                return
            self._binary(a, b, name, functional, mode)
        elif kind == "python number right":
            if name == "div" and abs(number) < 0.5:
                number = math.copysign(0.5 + abs(number), number)
            self._binary(a, number, name, functional, mode)
        elif name != "div" or nonzero_denominator(a):
            self._binary(number, a, name, functional, mode)

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(
        i=PICK,
        kind=st.sampled_from(["sum", "mean"]),
        dim=st.integers(0, 4),
        keepdim=st.booleans(),
        mode=MODES,
    )
    def reduce(self, i, kind, dim, keepdim, mode):
        x = self._pick(i, self.nodes)
        choices = DIM_CHOICES[x.ref.ndim]
        dim = choices[dim % len(choices)]
        self._reduce(x, kind, dim, keepdim and dim is not None, mode)

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(
        i=PICK,
        first=st.sampled_from(["tanh", "sigmoid", "neg", "square", "exp"]),
        join=st.sampled_from(["add", "sub", "mul"]),
    )
    def diamond(self, i, first, join):
        """x -> f(x) and x * x -> joined -> joined + x: one node reached by four paths."""
        x = self._pick(i, self.nodes)
        left = self._unary(x, first)
        right = self._binary(x, x, "mul")
        if left is None or right is None:
            return
        joined = self._binary(left, right, join)
        if joined is not None:
            self._binary(joined, x, "add")

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(i=PICK, then=st.sampled_from(["nothing", "backward", "grad"]))
    def detach(self, i, then):
        """``x.detach()`` shares x's data and is cut from the graph: a backward from it
        raises (as from any tensor that does not require grad)."""
        x = self._pick(i, self.nodes)
        out = x.tensor.detach()
        assert np.shares_memory(out._array, x.tensor._array), "detach must share the data"
        self._add(out, x.ref, [x], False, recorded=False)
        if then == "backward":
            with pytest.raises(RuntimeError, match="does not require grad"):
                out.backward(minigrad.ones_like(out))
        elif then == "grad":
            with pytest.raises(RuntimeError, match="does not require grad"):
                minigrad.grad(out, [self._grad_nodes()[0].tensor], grad_outputs=[out])

    # ------------------------------------------------------------------ rules: gradients

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(i=PICK, weighted=st.booleans(), retain=st.booleans(), data=st.data())
    def backward_of_sum(self, i, weighted, retain, data):
        """``x.sum().backward()`` or ``(x * w).sum().backward()`` for a random node x."""
        x = self._pick(i, self._grad_nodes())
        if weighted:
            w = self._leaf(draw_array(data, x.shape, UPSTREAM, "weights"), False)
            x = self._binary(x, w, "mul")
            if x is None:
                return
        self._backward([self._reduce(x, "sum", None, False)], [None], retain)

    @rule(
        picks=st.lists(PICK, min_size=1, max_size=3),
        implicit=st.booleans(),
        retain=st.booleans(),
        times=st.integers(1, 3),
        data=st.data(),
    )
    def backward(self, picks, implicit, retain, times, data):
        """``x.backward(gradient=g)`` on a random node, or ``minigrad.backward`` of several
        nodes at once, ``times`` times (all but the last with ``retain_graph=True``); no
        gradient argument when every root has one element. A root may be listed twice."""
        pool = self._grad_nodes()
        roots = [self._pick(p, pool) for p in picks]
        if implicit and all(r.shape == () for r in roots):
            upstream = [None] * len(roots)
        else:
            upstream = [draw_array(data, r.shape, UPSTREAM, "gradient") for r in roots]
        self._backward(roots, upstream, retain, times)

    @rule(
        i=PICK,
        picks=st.lists(PICK, min_size=1, max_size=3),
        implicit=st.booleans(),
        retain=st.booleans(),
        allow_unused=st.booleans(),
        data=st.data(),
    )
    def autograd_grad(self, i, picks, implicit, retain, allow_unused, data):
        """``minigrad.grad(x, inputs)`` for leaves and intermediate nodes (an input may be
        listed twice: each place gets the gradient, as in PyTorch); ``.grad`` untouched."""
        candidates = self._grad_nodes()
        root = self._pick(i, candidates)
        inputs = [self._pick(p, candidates) for p in picks]
        implicit = implicit and root.shape == ()
        gradient = np.ones(()) if implicit else draw_array(data, root.shape, UPSTREAM, "gradient")
        seeds = list(zip(root.ref.flat, gradient.flat))
        grads = reference_backward(seeds)
        expected = []
        for node in inputs:
            reached = [grads.get(v) for v in node.ref.flat]
            if all(r is None for r in reached):
                expected.append(None)
            else:
                assert all(r is not None for r in reached), "reference: input reached in part"
                expected.append(
                    (np.array([r[0] for r in reached]), np.array([r[1] for r in reached]))
                )

        # The operations minigrad.grad runs: those with an operand leading to an input.
        leads: dict[int, bool] = {}

        def leads_to_input(node: Node) -> bool:
            if id(node) not in leads:
                leads[id(node)] = any(node is n for n in inputs) or any(
                    leads_to_input(p) for p in node.parents
                )
            return leads[id(node)]

        operations, _ = self._reachable(root)
        operations = [n for n in operations if any(leads_to_input(p) for p in n.parents)]
        result: list[Any] = []

        def call() -> None:
            result.extend(
                minigrad.grad(
                    root.tensor,
                    [n.tensor for n in inputs],
                    grad_outputs=None
                    if implicit
                    else minigrad.tensor(gradient, dtype=minigrad.float64),
                    allow_unused=allow_unused,
                    **({"retain_graph": True} if retain else {}),
                )
            )

        unused = any(e is None for e in expected)
        error = self._run_engine(call, operations, retain)
        if error is not None:
            if "second time" not in str(error):
                assert unused and not allow_unused, error
                assert "not used" in str(error), error
            return
        assert not (unused and not allow_unused), "an unused input must raise"
        assert len(result) == len(inputs)
        for node, got, want in zip(inputs, result, expected):
            if want is None:
                assert got is None, "an input the output does not depend on gets None"
                continue
            assert isinstance(got, minigrad.Tensor) and got.dtype == np.float64
            assert not got.requires_grad and got.grad_fn is None
            assert_close(
                got._array, want[0].reshape(node.shape), want[1].reshape(node.shape), "grad()"
            )

    @rule(i=PICK, everything=st.booleans())
    def zero_grad(self, i, everything):
        """``leaf.grad = None`` for one leaf or all of them."""
        leaves = [n for n in self.nodes if n.is_leaf and n.requires_grad]
        for leaf in leaves if everything else [self._pick(i, leaves)]:
            leaf.tensor.grad = leaf.grad = leaf.grad_scale = None

    def teardown(self) -> None:
        # A leaked grad mode (caught by the invariant) must not leak into the next run.
        minigrad.set_grad_enabled(True)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def check_everything(self):
        assert minigrad.is_grad_enabled(), "a grad mode block leaked"
        for node in self.nodes:
            t = node.tensor
            assert t.dtype == np.float64 and t.shape == node.shape
            assert t.requires_grad is node.requires_grad, "requires_grad not propagated"
            assert (t.grad_fn is None) == node.is_leaf, "grad_fn does not match the graph"
            assert_close(t._array, node.values, node.scale, "value")
            if node.grad is None:
                assert t.grad is None, f".grad should be None, got {t.grad!r}"
            else:
                assert t.grad is not None, ".grad is None after a backward reached the leaf"
                assert t.grad.dtype == np.float64 and not t.grad.requires_grad
                assert_close(t.grad._array, node.grad, node.grad_scale, ".grad")


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


# 250 runs of up to 50 steps: ~15 s on two cores under the ci profile when everything passes
# (shrinking a failure takes minutes); the thorough profile asks for more runs.
GraphMachine.TestCase.settings = settings(
    max_examples=max(250, settings.default.max_examples),
    stateful_step_count=50,
    report_multiple_bugs=False,  # one engine bug shows up in several ways: shrink one
)
TestGraphMachine = GraphMachine.TestCase
