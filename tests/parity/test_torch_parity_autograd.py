"""The autograd engine, grad mode and in-place semantics, against PyTorch itself.

Each test is one program written once against a small adapter (``Side``) that spells
both libraries alike, and run twice: with ``torch`` and with ``minigrad``. ``check`` then
compares what the two runs returned (values, shapes, dtypes, flags; float64 values to
1e-12 relative) or, when PyTorch raises, that minigrad raises an exception of the same
type. Every program also states which of the two PyTorch does (returns or raises), so a
program that stops testing what it claims to test fails too.

Skipped when PyTorch is not installed.
"""

from __future__ import annotations

import math
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402

pytestmark = [
    # Warnings PyTorch gives for things these programs do on purpose.
    pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True"),
    pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf"),
]

# Both libraries' messages for a saved tensor changed in place ("inplace" / "in-place"),
# and for a second pass through freed buffers.
INPLACE_ERROR = r"modified by an in-?place operation"
FREED_ERROR = r"backward through the graph a second time"
# A fixed upstream gradient with both signs, no zero and no two entries alike: an all-ones
# upstream hides transposed, mis-routed or mis-broadcast gradients.
UPSTREAM = [1.5, -0.5, 2.0, 0.75, -1.25, 3.0]


# --------------------------------------------------------------------------- the adapter


class Side:
    """One library, spelled the same way as the other: ``s.zeros``, ``s.where``,
    ``s.no_grad`` ... are the library's own; the rest is below."""

    def __init__(self, name: str, module: Any) -> None:
        self.name = name
        self.module = module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.module, attribute)

    def __repr__(self) -> str:
        return self.name

    def leaf(self, values: Any, dtype: Any = None) -> Any:
        """A float64 (by default) leaf that requires a gradient."""
        return self.module.tensor(values, dtype=dtype or self.module.float64, requires_grad=True)

    def const(self, values: Any, dtype: Any = None) -> Any:
        return self.module.tensor(values, dtype=dtype or self.module.float64)

    def upstream(self, shape: tuple[int, ...]) -> Any:
        """A fixed non-uniform float64 upstream gradient of ``shape``."""
        size = math.prod(shape)
        return self.const(np.resize(UPSTREAM, max(size, 1))[:size].reshape(shape))


class TorchSide(Side):
    Function = torch.autograd.Function

    def __init__(self) -> None:
        super().__init__("torch", torch)

    grad = staticmethod(torch.autograd.grad)
    backward = staticmethod(torch.autograd.backward)
    leaky_relu = staticmethod(TF.leaky_relu)

    @staticmethod
    def version(tensor: Any) -> int:
        return tensor._version


class MinigradSide(Side):
    Function = minigrad.Function

    def __init__(self) -> None:
        super().__init__("minigrad", minigrad)

    grad = staticmethod(minigrad.grad)
    backward = staticmethod(minigrad.backward)
    leaky_relu = staticmethod(minigrad.leaky_relu)

    @staticmethod
    def version(tensor: Any) -> int:
        return tensor._version


TORCH, MINIGRAD = TorchSide(), MinigradSide()


# --------------------------------------------------------------------------- comparing


@dataclass
class Raised:
    type: type
    message: str

    def __repr__(self) -> str:
        return f"{self.type.__name__}({self.message[:300]!r})"


def plain(value: Any) -> Any:
    """A library-neutral copy of what a program returned: tensors become NumPy arrays
    (with their dtype), dtypes become NumPy dtypes, containers are walked."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy()
    if isinstance(value, minigrad.Tensor):
        return value._array.copy()
    if isinstance(value, torch.dtype):
        return torch.empty((), dtype=value).numpy().dtype
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, torch.Size):
        return list(value)
    return value


def run(program: Callable[[Side], Any], side: Side) -> Any:
    try:
        return plain(program(side))
    except Exception as error:
        return Raised(type(error), str(error))


def assert_same(ours: Any, theirs: Any, rtol: float, atol: float, where: str = "result") -> None:
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), f"{where}: minigrad gave {ours!r}, torch an array"
        assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} != torch's {theirs.shape}"
        assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} != torch's {theirs.dtype}"
        message = f"{where}: minigrad {ours.tolist()}, torch {theirs.tolist()}"
        if theirs.dtype.kind == "f":
            np.testing.assert_allclose(
                ours, theirs, rtol=rtol, atol=atol, equal_nan=True, err_msg=message
            )
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=message)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and ours.keys() == theirs.keys(), f"{where}: {ours!r}"
        for key in theirs:
            assert_same(ours[key], theirs[key], rtol, atol, f"{where}[{key!r}]")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), (
            f"{where}: minigrad {ours!r}, torch {theirs!r}"
        )
        for index, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, rtol, atol, f"{where}[{index}]")
    elif isinstance(theirs, float) and not isinstance(ours, bool):
        assert isinstance(ours, (float, int)), f"{where}: minigrad {ours!r}, torch {theirs!r}"
        assert math.isclose(ours, theirs, rel_tol=rtol, abs_tol=atol), (
            f"{where}: minigrad {ours!r}, torch {theirs!r}"
        )
    else:
        assert type(ours) is type(theirs) and ours == theirs, (
            f"{where}: minigrad {ours!r}, torch {theirs!r}"
        )


def check(
    program: Callable[[Side], Any],
    raises: type | None = None,
    match: str | None = None,
    rtol: float = 1e-12,
    atol: float = 1e-15,
) -> Any:
    """Run ``program`` on both sides. PyTorch must raise ``raises`` (or return, when it is
    None); minigrad must do the same: raise the same type (both messages matching
    ``match``) or return the same values. Returns PyTorch's result."""
    theirs = run(program, TORCH)
    ours = run(program, MINIGRAD)
    if raises is None:
        assert not isinstance(theirs, Raised), f"the program fails in torch: {theirs!r}"
        assert not isinstance(ours, Raised), (
            f"minigrad raised {ours!r} where torch returned {theirs!r}"
        )
        assert_same(ours, theirs, rtol, atol)
    else:
        assert isinstance(theirs, Raised) and theirs.type is raises, (
            f"torch was expected to raise {raises.__name__}, got {theirs!r}"
        )
        assert isinstance(ours, Raised), f"torch raised {theirs!r}; minigrad returned {ours!r}"
        assert ours.type is raises, f"torch raised {theirs!r}; minigrad raised {ours!r}"
        if match is not None:
            assert re.search(match, theirs.message), f"torch's message: {theirs.message}"
            assert re.search(match, ours.message), f"minigrad's message: {ours.message}"
    return theirs


# =========================================================================== backward, grad


def test_gradients_accumulate_into_leaves_across_backward_calls():
    def program(s):
        x = s.leaf([1.0, -2.0, 0.5])
        b = s.leaf([[0.5], [2.0]])  # broadcast against x
        f32 = s.leaf([1.0, 2.0], dtype=s.float32)
        before = (x.grad, b.grad)
        (x * x * b).sum().backward()
        first = (x.grad.clone(), b.grad.clone())
        (x.sin() * b).sum().backward()
        (x * 3.0).sum().backward()
        (f32.double() * s.const([2.0, 3.0])).sum().backward()
        (f32 * 4.0).sum().backward()
        return {
            "before": before,
            "first": first,
            "x": x.grad,
            "b": b.grad,
            "f32": f32.grad,
            "flags": (x.grad.requires_grad, x.grad.is_leaf, x.grad.grad_fn is None),
        }

    check(program)


def test_accumulation_adds_into_the_existing_grad_tensor():
    """PyTorch adds a new gradient into the ``.grad`` tensor already there (in place,
    outside create_graph): a reference taken earlier, or a tensor the user assigned to
    ``.grad``, sees the sum."""

    def program(s):
        x = s.leaf([1.0, 2.0])
        (x * 2.0).sum().backward()
        held = x.grad
        (x * 3.0).sum().backward()
        w = s.leaf([1.0])
        mine = s.const([10.0])
        w.grad = mine
        (w * 4.0).sum().backward()
        return {"held": held, "same": held is x.grad, "mine": mine, "w": w.grad}

    check(program)


def test_grad_with_several_outputs_an_input_twice_and_a_non_leaf_input():
    def program(s):
        x, w = s.leaf([1.0, 2.0]), s.leaf([3.0, -4.0])
        h = x * w
        y1, y2 = (h * h).sum(), (x.exp() * w).sum()
        several = s.grad([y1, y2], [x, w], retain_graph=True)
        twice = s.grad(y1, [x, w, x], retain_graph=True)
        non_leaf = s.grad(y1, [h, x], retain_graph=True)
        itself = s.grad(y1, y1, retain_graph=True)
        weighted = s.grad([y1, h], [w], grad_outputs=[None, s.const([0.5, -2.0])])
        return {
            "several": several,
            "twice": twice,
            "non_leaf": non_leaf,
            "itself": itself,
            "weighted": weighted,
            "grad_untouched": (x.grad, w.grad),
            "result_flags": [g.requires_grad for g in several],
        }

    check(program)


def test_grad_of_an_unused_input_is_an_error_or_none():
    def unused(s):
        x, u = s.leaf([1.0, 2.0]), s.leaf([5.0])
        return s.grad((x * x).sum(), [x, u])

    def allowed(s):
        x, u = s.leaf([1.0, 2.0]), s.leaf([5.0])
        return s.grad((x * x).sum(), [x, u], allow_unused=True)

    def not_requiring(s):
        x = s.leaf([1.0, 2.0])
        return s.grad((x * x).sum(), [s.const([1.0])])

    check(unused, raises=RuntimeError, match="used")
    assert check(allowed)[1] is None
    check(not_requiring, raises=RuntimeError)


@pytest.mark.parametrize("allow_unused", [False, True])
def test_grad_of_an_unused_output_of_a_multi_output_op(allow_unused):
    """``a`` comes out of the same split node as ``b`` but takes no part in the loss:
    PyTorch treats it as unused (an error, or None)."""

    def program(s):
        z = s.leaf([1.0, 2.0, 3.0, 4.0])
        a, b = z.split(2)
        return s.grad((b * b).sum(), [a, b], allow_unused=allow_unused)

    check(program, raises=None if allow_unused else RuntimeError)


@pytest.mark.parametrize(
    "case, raises",
    [
        ("vector without gradient", RuntimeError),
        ("one element of shape (1, 1)", None),
        ("gradient of another shape", RuntimeError),
        ("gradient that would broadcast", RuntimeError),
        ("0-d gradient for shape (1,)", RuntimeError),
        ("output that does not require grad", RuntimeError),
    ],
)
def test_implicit_and_explicit_upstream_gradients(case, raises):
    def program(s):
        x = s.leaf([1.0, 2.0])
        y = x * s.const([3.0, -4.0])
        if case == "vector without gradient":
            y.backward()
        elif case == "one element of shape (1, 1)":
            y.sum().reshape(1, 1).backward()
        elif case == "gradient of another shape":
            y.backward(s.ones(3, dtype=s.float64))
        elif case == "gradient that would broadcast":
            y.backward(s.ones(2, 2, dtype=s.float64))
        elif case == "0-d gradient for shape (1,)":
            y[:1].backward(s.const(1.0))
        else:
            s.const([1.0, 2.0]).sum().backward()
        return x.grad

    check(program, raises=raises)


def test_upstream_gradient_takes_the_outputs_dtype():
    def program(s):
        x = s.leaf([1.0, 2.0])
        (x * 2.0).backward(s.const([1.0, -1.0], dtype=s.float32))
        f32 = s.leaf([0.5, -1.0], dtype=s.float32)
        (f32 * 3.0).backward(s.tensor([1, 2]))  # an int64 upstream
        (f32 * 1.0).backward(s.const([0.25, 4.0]))  # a float64 upstream
        z = s.leaf(2.0)
        (z * 3.0).backward(s.const(2.0, dtype=s.float32))
        by_grad = s.grad(x * x, x, grad_outputs=s.tensor([1, -1]))
        return {"x": x.grad, "f32": f32.grad, "z": z.grad, "by_grad": by_grad}

    check(program)


def test_an_upstream_gradient_that_requires_grad_is_differentiated_in_its_own_dtype():
    def program(s):
        x = s.leaf([1.0, 2.0], dtype=s.float32)
        u = s.leaf([1.0, 3.0])  # float64, for a float32 output
        (g,) = s.grad(x.tanh(), x, grad_outputs=u, create_graph=True)
        (gu,) = s.grad(g.sum(), u)
        return g, gu, g.requires_grad

    check(program, rtol=1e-6, atol=1e-7)  # tanh computed in float32


def test_retain_graph_and_the_error_on_a_second_pass_through_a_freed_graph():
    def twice_retained(s):
        x = s.leaf([1.0, 2.0])
        q = (x**3).sum()
        q.backward(retain_graph=True)
        q.backward()
        return x.grad

    def three_times(s):
        x = s.leaf([1.0, 2.0])
        q = (x**3).sum()
        q.backward(retain_graph=True)
        q.backward()
        q.backward()

    def grad_then_backward(s):
        x = s.leaf([1.0, 2.0])
        z = ((x * 2.0) * (x * 2.0)).sum()
        s.grad(z, x)
        z.backward()

    def create_graph_retains(s):
        x = s.leaf([1.0, 2.0])
        q = (x**3).sum()
        s.grad(q, x, create_graph=True)
        return s.grad(q, x)

    def only_the_nodes_run_are_freed(s):
        x, w = s.leaf([1.0, 2.0]), s.leaf([3.0, 4.0])
        z = x.sin().sum() + (w * w).sum()
        first = s.grad(z, w)  # runs w * w only: sin keeps its saved input
        second = s.grad(z, x)
        return first, second

    def the_node_run_is_freed(s):
        x, w = s.leaf([1.0, 2.0]), s.leaf([3.0, 4.0])
        z = x.sin().sum() + (w * w).sum()
        s.grad(z, w)
        s.grad(z, w)

    check(twice_retained)
    check(three_times, raises=RuntimeError, match=FREED_ERROR)
    check(grad_then_backward, raises=RuntimeError, match=FREED_ERROR)
    check(create_graph_retains)
    check(only_the_nodes_run_are_freed)
    check(the_node_run_is_freed, raises=RuntimeError, match=FREED_ERROR)


# Whether a second backward through a graph of one op (then sum) works without
# retain_graph: it does where the op's backward needs nothing that was freed.
RETRAVERSE = [
    ("add_scalar", lambda x, s: x + 1.0, None),
    ("neg", lambda x, s: -x, None),
    ("slice", lambda x, s: x[1:], None),
    ("reshape", lambda x, s: x.reshape(3, 1), None),
    ("mean", lambda x, s: x.mean(), None),
    ("expand", lambda x, s: x.expand(2, 3), None),
    ("cat", lambda x, s: s.cat([x, x]), None),
    ("exp", lambda x, s: x.exp(), RuntimeError),
    ("sin", lambda x, s: x.sin(), RuntimeError),
    ("relu", lambda x, s: x.relu(), RuntimeError),
    ("mul_self", lambda x, s: x * x, RuntimeError),
    ("max", lambda x, s: x.max(), RuntimeError),
    ("index_tensor", lambda x, s: x[s.tensor([0, 2])], RuntimeError),
    ("where", lambda x, s: s.where(s.tensor([True, False, True]), x, 0.0), RuntimeError),
]


@pytest.mark.parametrize(
    "op, raises", [(op, raises) for _, op, raises in RETRAVERSE], ids=[n for n, *_ in RETRAVERSE]
)
def test_second_backward_without_retain_graph(op, raises):
    def program(s):
        x = s.leaf([0.5, -1.5, 2.0])
        y = op(x, s).sum()
        y.backward()
        y.backward()
        return x.grad

    check(program, raises=raises, match=None if raises is None else FREED_ERROR)


# Functions for Hessian-vector products (and a third derivative), on x of shape (4,).
HVP_FUNCTIONS = {
    "cubic_sin": lambda x, w, s: (x**3 * x.sin()).sum(),
    "logsumexp": lambda x, w, s: (w @ x).logsumexp(0),
    "tanh_layer": lambda x, w, s: ((w @ x).tanh() ** 2).sum(),
    "cross_entropy": lambda x, w, s: -((w @ x).log_softmax(0) * s.const([0.2, 0.3, 0.5])).sum(),
    "sigmoid_exp_div": lambda x, w, s: (x.sigmoid() * (x * 0.5).exp() / (1 + x * x)).sum(),
    "norm_sqrt": lambda x, w, s: x.norm() + (x * x + 1).sqrt().sum(),
    "var_std": lambda x, w, s: x.var() * x.std(),
    "pow_tensor_exponent": lambda x, w, s: ((x.abs() + 1) ** x.cos()).sum(),
    "leaky_relu_square": lambda x, w, s: (s.leaky_relu(x, 0.1) * x * x).sum(),
}


@pytest.mark.parametrize("name", sorted(HVP_FUNCTIONS))
def test_hessian_vector_products_with_create_graph(name):
    f = HVP_FUNCTIONS[name]
    rng = np.random.default_rng(7)
    x0, v0, w0 = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((3, 4))

    def program(s):
        x, v, w = s.leaf(x0), s.const(v0), s.const(w0)
        y = f(x, w, s)
        (g,) = s.grad(y, x, create_graph=True)
        (hv,) = s.grad((g * v).sum(), x, create_graph=True)
        (third,) = s.grad((hv * v).sum(), x)
        return {
            "y": y,
            "g": g,
            "hv": hv,
            "third": third,
            "flags": [g.requires_grad, hv.requires_grad, third.requires_grad],
        }

    # Different summation orders: a few ulps apart, never more.
    check(program, rtol=1e-10, atol=1e-12)


def test_create_graph_on_a_linear_function_gives_a_constant_gradient():
    def constant(s):
        x = s.leaf([1.0, 2.0])
        (g,) = s.grad((x * 2.0).sum() + x.sum(), x, create_graph=True)
        return g, g.requires_grad

    def differentiate_it(s):
        x = s.leaf([1.0, 2.0])
        (g,) = s.grad((x * 2.0).sum(), x, create_graph=True)
        return s.grad(g.sum(), x)

    def backward_create_graph(s):
        x = s.leaf([1.0, 2.0])
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        flags = (g.requires_grad, g.is_leaf)
        x.grad = None
        g.sum().backward()
        return flags, x.grad

    check(constant)
    check(differentiate_it, raises=RuntimeError, match="does not require grad")
    check(backward_create_graph)


def test_grad_of_a_non_leaf_and_retain_grad():
    def program(s):
        x = s.leaf([1.0, 2.0])
        h, k = x * 3.0, x * 2.0
        h.retain_grad()
        x.retain_grad()  # a leaf: no effect
        (h * h * k).sum().backward()
        return {"h": h.grad, "k": k.grad, "x": x.grad}

    def with_create_graph(s):
        x = s.leaf([1.0, 2.0])
        y = x**2
        y.retain_grad()
        (y**2).sum().backward(create_graph=True)
        return y.grad, y.grad.requires_grad

    def of_a_piece_of_split(s):
        x = s.leaf([1.0, 2.0, 3.0, 4.0])
        a, b = x.split(2)
        b.retain_grad()
        (a.sum() + (b * b).sum()).backward()
        return a.grad, b.grad

    def not_requiring(s):
        s.const([1.0]).retain_grad()

    check(program)
    check(with_create_graph)
    check(of_a_piece_of_split)
    check(not_requiring, raises=RuntimeError, match="retain_grad")


def test_retained_grad_accumulates_across_backward_calls():
    def program(s):
        x = s.leaf([1.0, 2.0])
        y = x * 3.0
        y.retain_grad()
        z = (y * y).sum()
        z.backward(retain_graph=True)
        z.backward()
        return y.grad, x.grad

    check(program)


def test_retained_grad_is_that_of_the_tensor_after_an_inplace_change():
    def program(s):
        x = s.leaf([1.0, 2.0])
        y = x * 3.0
        y.retain_grad()
        y.mul_(2.0)
        (y * y).sum().backward()
        return y.grad, x.grad

    check(program)


@pytest.mark.parametrize(
    "case, raises",
    [
        ("requires_grad_(False) on a non-leaf", RuntimeError),
        ("requires_grad_(True) on a non-leaf", None),
        ("requires_grad_ on int64", RuntimeError),
        ("requires_grad_ on bool", RuntimeError),
        ("requires_grad_(False) on int64", None),
        ("tensor(int, requires_grad=True)", RuntimeError),
        ("ones(int64, requires_grad=True)", RuntimeError),
        ("toggling a leaf", None),
    ],
)
def test_requires_grad_rules(case, raises):
    def program(s):
        x = s.leaf([1.0, 2.0])
        y = x * 2.0
        if case == "requires_grad_(False) on a non-leaf":
            y.requires_grad_(False)
        if case == "requires_grad_(True) on a non-leaf":
            return y.requires_grad_(True) is y, y.requires_grad, y.is_leaf
        if case == "requires_grad_ on int64":
            s.tensor([1, 2]).requires_grad_()
        if case == "requires_grad_ on bool":
            s.tensor([True]).requires_grad_()
        if case == "requires_grad_(False) on int64":
            return s.tensor([1, 2]).requires_grad_(False).requires_grad
        if case == "tensor(int, requires_grad=True)":
            s.tensor([1, 2], requires_grad=True)
        if case == "ones(int64, requires_grad=True)":
            s.ones(2, dtype=s.int64, requires_grad=True)
        t = s.const([1.0, 2.0])
        same = t.requires_grad_() is t
        (t * t).sum().backward()
        t.requires_grad_(False)
        return same, t.grad, t.requires_grad, (t * 2.0).requires_grad

    check(program, raises=raises)


def test_detach_shares_memory_and_the_version_counter():
    def program(s):
        x = s.leaf([1.0, 2.0])
        d = x.detach()
        flags = (d.requires_grad, d.is_leaf, d.grad_fn is None, x.requires_grad)
        d.add_(1.0)
        d[0] = 5.0
        y = x * 2.0
        e = y.detach()
        e.mul_(3.0)
        return flags, x, s.version(x), s.version(d), y, s.version(y), s.version(e)

    check(program)


@pytest.mark.parametrize(
    "saved", ["leaf input of sin", "output of exp", "non-leaf input of mul", "base of a view"]
)
def test_an_inplace_change_through_detach_is_caught_by_backward(saved):
    def program(s):
        x = s.leaf([[1.0, 2.0], [3.0, 4.0]])
        if saved == "leaf input of sin":
            z = x.sin()
            x.detach().add_(1.0)
        elif saved == "output of exp":
            z = x.exp()
            z.detach().mul_(2.0)
        elif saved == "non-leaf input of mul":
            y = x * 2.0
            z = y * y
            y.detach().zero_()
        else:
            y = x * 1.0
            z = y * y
            y.T.detach().mul_(2.0)
        z.sum().backward()
        return x.grad

    check(program, raises=RuntimeError, match=INPLACE_ERROR)


# =========================================================================== grad mode


def test_grad_mode_context_managers_nested():
    def program(s):
        x = s.leaf([1.0])
        seen = [s.is_grad_enabled()]
        with s.no_grad():
            y = x * 2.0
            fresh = s.ones(1, requires_grad=True)
            seen.append((s.is_grad_enabled(), y.requires_grad, y.is_leaf, y.grad_fn is None))
            seen.append((fresh.requires_grad, (fresh * x).requires_grad))
            with s.enable_grad():
                seen.append((s.is_grad_enabled(), (x * 2.0).requires_grad))
                with s.set_grad_enabled(False):
                    seen.append((s.is_grad_enabled(), (x * 2.0).requires_grad))
                with s.set_grad_enabled(True):
                    seen.append((x * 2.0).requires_grad)
                seen.append(s.is_grad_enabled())
            seen.append(s.is_grad_enabled())
        seen.append((s.is_grad_enabled(), (x * 2.0).requires_grad))
        try:
            with s.no_grad():
                raise KeyError("inside")
        except KeyError:
            seen.append(s.is_grad_enabled())
        return seen

    check(program)


def test_grad_mode_decorators():
    def program(s):
        x = s.leaf([1.0])

        def probe():
            """Documented."""
            return s.is_grad_enabled(), (x * 2.0).requires_grad

        off, on = s.no_grad()(probe), s.enable_grad()(probe)
        off_by_flag, on_by_flag = s.set_grad_enabled(False)(probe), s.set_grad_enabled(True)(probe)
        after_creating = s.is_grad_enabled()  # making a set_grad_enabled decorator changes nothing
        seen = [off(), on(), off_by_flag(), on_by_flag(), after_creating]
        with s.no_grad():
            seen += [on(), on_by_flag(), off()]
            seen.append(s.is_grad_enabled())
        seen.append(s.is_grad_enabled())
        seen.append((off.__name__, off.__doc__, on_by_flag.__name__))
        return seen

    check(program)


@pytest.mark.parametrize("decorator", ["no_grad", "enable_grad"])
def test_grad_mode_classes_as_decorators_without_parentheses(decorator):
    """PyTorch 2 also accepts ``@torch.no_grad`` and ``@torch.enable_grad`` bare."""

    def program(s):
        x = s.leaf([1.0])

        def probe():
            return s.is_grad_enabled(), (x * 2.0).requires_grad

        decorated = getattr(s, decorator)(probe)
        with s.set_grad_enabled(decorator == "no_grad"):
            return decorated(), s.is_grad_enabled()

    check(program)


@pytest.mark.parametrize("decorator", ["no_grad()", "enable_grad()", "set_grad_enabled(False)"])
def test_grad_mode_decorators_on_generator_functions(decorator):
    """The mode holds inside the generator's body, each time it resumes, and the caller's
    mode is back between two steps."""

    def program(s):
        x = s.leaf([1.0])
        if decorator == "no_grad()":
            wrap, outside = s.no_grad(), True
        elif decorator == "enable_grad()":
            wrap, outside = s.enable_grad(), False
        else:
            wrap, outside = s.set_grad_enabled(False), True

        @wrap
        def steps():
            yield s.is_grad_enabled()
            yield (x * 2.0).requires_grad

        seen = []
        with s.set_grad_enabled(outside):
            for value in steps():
                seen.append((value, s.is_grad_enabled()))
        return seen

    check(program)


def test_set_grad_enabled_as_a_call_and_the_mode_per_thread():
    def program(s):
        x = s.leaf([1.0])
        s.set_grad_enabled(False)
        try:
            off = (s.is_grad_enabled(), (x * 2.0).requires_grad)
            in_thread = []
            worker = threading.Thread(target=lambda: in_thread.append(s.is_grad_enabled()))
            worker.start()
            worker.join()
        finally:
            s.set_grad_enabled(True)
        return off, in_thread, s.is_grad_enabled(), (x * 2.0).requires_grad

    check(program)


def test_differentiating_inside_no_grad():
    def program(s):
        x = s.leaf([1.0, 2.0])
        y = (x**3).sum()
        z = (x**2).sum()
        with s.no_grad():
            (g,) = s.grad(y, x, create_graph=True)  # still recorded: create_graph says so
            z.backward()
            mode = s.is_grad_enabled()
        (h,) = s.grad(g.sum(), x)
        return g, g.requires_grad, h, x.grad, mode

    check(program)


def test_inplace_under_no_grad_on_a_non_leaf_keeps_its_history():
    def unsaved(s):
        x = s.leaf([1.0, 2.0])
        y = x * 3.0
        with s.no_grad():
            y.add_(5.0)
            y[0] = -1.0
        (y * 2.0).sum().backward()
        return y, y.requires_grad, y.grad_fn is None, s.version(y), x.grad

    def saved(s):
        x = s.leaf([1.0, 2.0])
        y = x * 3.0
        z = (y * y).sum()
        with s.no_grad():
            y.add_(5.0)
        z.backward()

    check(unsaved)
    check(saved, raises=RuntimeError, match=INPLACE_ERROR)


# =========================================================================== in place


def test_version_counter_after_each_inplace_op():
    def program(s):
        t = s.zeros(3, dtype=s.float64)
        steps = [
            lambda: t.add_(1.0),
            lambda: t.add_(s.ones(3, dtype=s.float64), alpha=2.0),
            lambda: t.sub_(1.0),
            lambda: t.mul_(2.0),
            lambda: t.div_(2.0),
            lambda: t.clamp_(min=0.5),
            lambda: t.clamp_(max=2.0),
            lambda: t.fill_(3.0),
            lambda: t.zero_(),
            lambda: t.copy_(s.ones(3, dtype=s.float64)),
            lambda: t.__setitem__(0, 5.0),
            lambda: t.__setitem__(t > 1, 0.0),
            lambda: t.__setitem__(s.tensor([0, 2]), 7.0),
            lambda: t.__iadd__(1.0),
            lambda: t.__isub__(1.0),
            lambda: t.__imul__(2.0),
            lambda: t.__itruediv__(2.0),
            lambda: t[1:].add_(1.0),  # through a view: one counter for both
            lambda: t.reshape(3, 1).mul_(2.0),
            lambda: t.detach().sub_(1.0),
            lambda: t.clone().add_(1.0),  # a copy: not counted
            lambda: t + 1.0,  # out of place: not counted
        ]
        versions = []
        for step in steps:
            step()
            versions.append(s.version(t))
        view = t[:2]
        t.add_(1.0)
        return versions, t, view, s.version(view)

    def non_leaf(s):
        x = s.leaf([1.0, 2.0])
        y = x * 2.0
        versions = [s.version(y)]
        for step in (
            lambda: y.add_(1.0),
            lambda: y.mul_(x),
            lambda: y.__setitem__(0, x[1]),
            lambda: y.copy_(x),
            lambda: y.clamp_(0.0),
            lambda: y.__itruediv__(x),
        ):
            step()
            versions.append(s.version(y))
        return versions, s.version(x)

    check(program)
    check(non_leaf)


def test_an_element_taken_by_integer_indexing_is_a_view():
    """``t[i]`` (and ``t[i, j]``) is a 0-d view in PyTorch: later changes of ``t`` show
    through it, and in-place changes through it reach ``t``."""

    def program(s):
        t = s.zeros(3, dtype=s.float64)
        e = t[1]
        t.add_(1.0)
        seen = e.item()
        t[2].fill_(5.0)
        m = s.zeros(2, 2, dtype=s.float64)
        m[0, 1].add_(3.0)
        return seen, t, s.version(t), s.version(e), m

    check(program)


def test_an_inplace_op_on_an_element_of_a_leaf_that_requires_grad_is_refused():
    def program(s):
        w = s.leaf([1.0, 2.0])
        w[0].add_(1.0)
        return w

    check(program, raises=RuntimeError, match="leaf")


@pytest.mark.parametrize(
    "op",
    [
        "add_",
        "sub_",
        "mul_",
        "div_",
        "clamp_",
        "zero_",
        "fill_",
        "copy_",
        "setitem",
        "+=",
        "slice.add_",
    ],
)
def test_inplace_on_a_leaf_that_requires_grad(op):
    def program(s):
        w = s.leaf([1.0, 2.0])
        change = {
            "add_": lambda: w.add_(1.0),
            "sub_": lambda: w.sub_(1.0),
            "mul_": lambda: w.mul_(2.0),
            "div_": lambda: w.div_(2.0),
            "clamp_": lambda: w.clamp_(min=1.5),
            "zero_": lambda: w.zero_(),
            "fill_": lambda: w.fill_(4.0),
            "copy_": lambda: w.copy_(s.const([7.0, 8.0])),
            "setitem": lambda: w.__setitem__(0, 9.0),
            "+=": lambda: w.__iadd__(1.0),
            "slice.add_": lambda: w[0:1].add_(1.0),
        }[op]
        try:
            change()
            refused = None
        except RuntimeError:
            refused = "RuntimeError"
        untouched = (w.clone().detach(), s.version(w))
        with s.no_grad():
            change()
        return refused, untouched, w, s.version(w), w.requires_grad, w.is_leaf, w.grad_fn

    result = check(program)
    assert result[0] == "RuntimeError"


def test_inplace_ops_on_a_non_leaf_are_recorded():
    def program(s):
        x, w = s.leaf([1.0, -2.0, 3.0]), s.leaf([0.5, 2.0, -1.0])
        y = x * 1.0
        y += w
        y *= x
        y -= 1.0
        y /= w
        y.clamp_(-3.0, 5.0)
        y.add_(x, alpha=0.5)
        y.sub_(w, alpha=2.0)
        y.mul_(2.0)
        y.div_(x)
        (y * s.upstream((3,))).sum().backward()
        return y, x.grad, w.grad, s.version(y), y.requires_grad, y.is_leaf

    check(program)


@pytest.mark.parametrize(
    "case",
    [
        "number",
        "tensor requiring grad",
        "integer tensor index",
        "bool mask and 0-d value",
        "slice and broadcast value",
        "into a plain tensor",
    ],
)
def test_setitem_with_a_value_that_requires_grad(case):
    def program(s):
        x, v = s.leaf([1.0, 2.0, 3.0]), s.leaf([10.0, 20.0])
        y = x * x
        if case == "number":
            y[0] = 5.0
        elif case == "tensor requiring grad":
            y[1] = v[0] * 2.0
        elif case == "integer tensor index":
            y[s.tensor([0, 2])] = v
        elif case == "bool mask and 0-d value":
            y[y > 3.0] = v.sum()
        elif case == "slice and broadcast value":
            y[1:] = v[:1] * 3.0
        else:
            y = s.zeros(3, dtype=s.float64)
            y[1] = v[1] * 2.0
        (y * s.upstream((3,))).sum().backward()
        return y, x.grad, v.grad, s.version(y), y.requires_grad, y.is_leaf

    check(program)


def test_inplace_on_a_plain_tensor_with_an_operand_that_requires_grad():
    def program(s):
        w = s.leaf([3.0, 4.0])
        t = s.ones(2, dtype=s.float64)
        t.add_(w)
        flags = (t.requires_grad, t.is_leaf, t.grad_fn is None, s.version(t))
        d = s.zeros(3, 2, dtype=s.float32)
        d.copy_(w)  # broadcast, and float64 -> float32
        ((t * t).sum() + (d * s.const([1.0, 2.0], dtype=s.float32)).sum()).backward()
        return flags, t, d, d.requires_grad, d.is_leaf, w.grad

    check(program)


def test_inplace_with_type_promotion_keeps_the_destinations_dtype():
    def program(s):
        x = s.leaf([1.0, 2.0], dtype=s.float32)
        w = s.leaf([3.0, 4.0])
        y = x * 1.0
        y.mul_(w)
        (y * y).sum().backward()
        return y, x.grad, w.grad

    check(program, rtol=1e-6)


@pytest.mark.parametrize("op", ["fill_", "zero_"])
def test_fill_on_a_non_leaf_keeps_it_in_the_graph(op):
    """PyTorch records fill_/zero_ on a non-leaf (FillBackward): the result still requires
    grad, and the old history gets a zero gradient."""

    def program(s):
        x = s.leaf([1.0, 2.0])
        y = x * 2.0
        if op == "fill_":
            y.fill_(3.0)
        else:
            y.zero_()
        flags = (y.requires_grad, y.is_leaf, s.version(y))
        (g,) = s.grad((y * s.upstream((2,))).sum(), x)
        return flags, y, g

    check(program)


def test_fill_with_a_0d_tensor_that_requires_grad():
    def program(s):
        x, v = s.leaf([1.0, 2.0]), s.leaf(2.0)
        y = x * 2.0
        y.fill_(v)
        (y * s.const([1.0, 3.0])).sum().backward()
        return y, x.grad, v.grad

    check(program)


def test_copy_into_a_non_leaf_gives_its_history_a_zero_gradient():
    def program(s):
        x, source = s.leaf([1.0, 2.0]), s.leaf([5.0, 6.0])
        y = x * 2.0
        y.copy_(source)
        by_grad = s.grad((y * y).sum(), [x, source], retain_graph=True)
        (y * y).sum().backward()
        return by_grad, x.grad, source.grad

    check(program)


@pytest.mark.parametrize(
    "case", ["slice after mul_", "slice after setitem", "reshape after add_", "slice twice"]
)
def test_views_made_before_an_inplace_change_of_their_base(case):
    """A view of ``y`` made before ``y`` changes in place sees the new values, and its
    gradient goes through the change (PyTorch regenerates the view's grad_fn)."""

    def program(s):
        x, w = s.leaf([1.0, 2.0, 3.0, 4.0]), s.leaf([5.0])
        y = x * 1.0
        if case == "slice after mul_":
            v = y[:2]
            y.mul_(3.0)
        elif case == "slice after setitem":
            v = y[:2]
            y[0] = w[0] * 2.0
        elif case == "reshape after add_":
            v = y.view(2, 2)
            y.add_(x)
        else:
            v = y[1:][:2]
            y.mul_(w)
            y.add_(1.0)
        (v * s.upstream(tuple(v.shape))).sum().backward()
        return v, x.grad, w.grad, s.version(v)

    check(program)


# In-place changes PyTorch records through a view (CopySlices) and minigrad refuses. Each
# gets x, w and y = x * 1.0 and returns the tensor the loss is taken of.


def _row_mul_(s, x, w, y):
    y[0].mul_(2.0)
    return y


def _column_iadd(s, x, w, y):
    y[:, 0] += x[:, 1]
    return y


def _transpose_add_(s, x, w, y):
    y.T.add_(w)
    return y


def _plain_row_add_(s, x, w, y):
    plain = s.zeros(2, 2, dtype=s.float64)
    plain[0].add_(w)
    return plain


def _detached_add_(s, x, w, y):
    detached = y.detach()
    detached.add_(w)
    return detached


THROUGH_A_VIEW = {
    "y[0].mul_(2)": _row_mul_,
    "y[:, 0] += x[:, 1]": _column_iadd,
    "y.T.add_(w)": _transpose_add_,
    "plain[0].add_(w)": _plain_row_add_,
    "y.detach().add_(w)": _detached_add_,
}


@pytest.mark.parametrize("change", list(THROUGH_A_VIEW.values()), ids=list(THROUGH_A_VIEW))
def test_inplace_through_a_view_is_recorded(change):
    """An in-place op on a view writes through to its base (a detached tensor's change
    is recorded on it alone): values, versions and gradients are PyTorch's."""

    def program(s):
        x, w = s.leaf([[1.0, 2.0], [3.0, 4.0]]), s.leaf([5.0, 6.0])
        y = change(s, x, w, x * 1.0)
        (y * s.upstream((2, 2))).sum().backward()
        return y, x.grad, w.grad, s.version(y), y.requires_grad

    check(program)


# Ops recorded on y before y changes in place (y.mul_(-3)). Where the op saved y for its
# backward PyTorch raises; otherwise its gradient is that of the old y.
EARLIER_CONSUMERS = [
    ("sin", lambda y, w, s: y.sin(), RuntimeError),
    ("abs", lambda y, w, s: y.abs(), RuntimeError),
    ("pow3", lambda y, w, s: y**3, RuntimeError),
    ("mul_tensor", lambda y, w, s: y * w, RuntimeError),
    ("div_tensor", lambda y, w, s: w / y, RuntimeError),
    ("max", lambda y, w, s: y.max(), RuntimeError),
    ("matmul", lambda y, w, s: y @ w, RuntimeError),
    ("clamp", lambda y, w, s: y.clamp(-1.0, 1.0), RuntimeError),
    ("exp", lambda y, w, s: y.exp(), None),
    ("tanh", lambda y, w, s: y.tanh(), None),
    ("sigmoid", lambda y, w, s: y.sigmoid(), None),
    ("softmax", lambda y, w, s: y.softmax(0), None),
    ("relu", lambda y, w, s: y.relu(), None),
    ("mul_scalar", lambda y, w, s: y * 2.0, None),
    ("add_tensor", lambda y, w, s: y + w, None),
    ("neg", lambda y, w, s: -y, None),
    ("sum", lambda y, w, s: y.sum(), None),
    ("mean", lambda y, w, s: y.mean(), None),
    ("where", lambda y, w, s: s.where(w > 0, y, 0.0), None),
    ("index_tensor", lambda y, w, s: y[s.tensor([0, 0, 2])], None),
    ("slice_view", lambda y, w, s: y[1:], None),
    ("reshape_view", lambda y, w, s: y.reshape(3, 1), None),
]


@pytest.mark.parametrize(
    "op, raises",
    [(op, raises) for _, op, raises in EARLIER_CONSUMERS],
    ids=[name for name, *_ in EARLIER_CONSUMERS],
)
def test_an_op_recorded_before_an_inplace_change_of_its_input(op, raises):
    def program(s):
        x, w = s.leaf([0.5, -1.5, 2.0]), s.leaf([1.5, 0.5, -2.0])
        y = x * 1.0
        z = op(y, w, s)
        y.mul_(-3.0)
        (z * s.upstream(tuple(z.shape))).sum().backward()
        return x.grad, w.grad

    check(program, raises=raises, match=None if raises is None else INPLACE_ERROR)


@pytest.mark.parametrize(
    "changed", ["index tensor", "bool mask", "where condition", "masked_fill mask"]
)
def test_an_index_or_mask_changed_in_place_after_use(changed):
    """PyTorch saves the integer and bool tensors an op needs for backward, and checks
    their version like any other saved tensor."""

    def program(s):
        x = s.leaf([1.0, 2.0, 3.0])
        if changed == "index tensor":
            index = s.tensor([0, 0])
            z = x[index]
            index[1] = 2
        elif changed == "bool mask":
            mask = s.tensor([True, False, True])
            z = x[mask]
            mask[1], mask[2] = True, False
        elif changed == "where condition":
            condition = s.tensor([True, False, True])
            z = s.where(condition, x, 0.0)
            condition[1] = True
        else:
            mask = s.tensor([True, False, True])
            z = x.masked_fill(mask, 0.0)
            mask[1] = True
        (z * s.upstream(tuple(z.shape))).sum().backward()
        return x.grad

    check(program, raises=RuntimeError, match=INPLACE_ERROR)


def test_a_saved_tensor_changed_in_place_raises_at_backward():
    def through_a_view(s):
        x = s.leaf([[1.0, 2.0], [3.0, 4.0]])
        y = x * 1.0
        v = y[0]
        z = (v * v).sum()  # saves the view
        y.add_(1.0)  # changes its base
        z.backward()

    def the_output(s):
        x = s.leaf([1.0, 2.0])
        y = x.exp()
        y += 1.0
        y.sum().backward()

    def only_when_the_node_runs(s):
        x, w = s.leaf([1.0, 2.0]), s.leaf([3.0, 4.0])
        y = x * 2.0
        z = (y * y).sum() + (w * 2.0).sum()
        y.add_(1.0)
        return s.grad(z, w), s.version(y)  # the node that saved y does not run

    check(through_a_view, raises=RuntimeError, match=INPLACE_ERROR)
    check(the_output, raises=RuntimeError, match=INPLACE_ERROR)
    check(only_when_the_node_runs)


# In-place updates of y whose operand was itself computed from y; each returns y.


def _add_itself(s, y):
    y += y
    return y


def _element_from_another(s, y):
    y[0] = y[1]
    return y


def _add_its_sum(s, y):
    y += y.sum()
    return y


def _copy_its_reverse(s, y):
    return y.copy_(y[s.tensor([1, 0])])


def _scale_by_its_sum(s, y):
    return y.mul_(y.sum())


def _square_in_place(s, y):
    return y.mul_(y)


SELF_REFERENCING = {
    "y += y": (_add_itself, None),
    "y[0] = y[1]": (_element_from_another, None),
    "y += y.sum()": (_add_its_sum, None),
    "y.copy_(y[[1, 0]])": (_copy_its_reverse, None),
    "y.mul_(y.sum())": (_scale_by_its_sum, None),
    "y.mul_(y)": (_square_in_place, RuntimeError),  # y is saved, then changed
}
# Each of these backward passes takes microseconds; one still running after this
# many seconds never ends.
HANG_LIMIT = 30.0


class _Hung(Exception):
    pass


def _interrupt(signum, frame):
    raise _Hung(f"backward still running after {HANG_LIMIT} s")


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
@pytest.mark.parametrize(
    "change, raises", list(SELF_REFERENCING.values()), ids=list(SELF_REFERENCING)
)
def test_an_inplace_update_computed_from_the_tensor_itself(change, raises):
    """The engine must terminate (a hang is reported as an error after HANG_LIMIT s)."""

    def program(s):
        x = s.leaf([1.0, 2.0])
        y = change(s, x * 1.0)
        (y * s.upstream((2,))).sum().backward()
        return y, x.grad

    # Warm up the kernels the program uses (the first call may compile), unguarded.
    warm = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (warm * 1.0 + warm.sum() * warm[0] * warm[minigrad.tensor([1, 0])]).sum().backward()

    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, HANG_LIMIT)
    try:
        check(program, raises=raises, match=None if raises is None else INPLACE_ERROR)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# =========================================================================== Function


def test_function_with_saved_tensors_non_tensor_arguments_and_none_gradients():
    def program(s):
        seen = []

        class Affine(s.Function):
            @staticmethod
            def forward(ctx, a, k, b, c):
                ctx.k = k
                ctx.save_for_backward(a, b)
                return a * k + b * c

            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                seen.append(tuple(ctx.needs_input_grad))
                grad_a = grad * ctx.k if ctx.needs_input_grad[0] else None
                grad_b = grad * 2.0 * a if ctx.needs_input_grad[2] else None
                return grad_a, None, grad_b, None  # c's gradient: None, on purpose

        a, b, c = s.leaf([1.0, 2.0]), s.leaf([3.0, 4.0]), s.leaf([0.5, 0.25])
        out = Affine.apply(a, 3.0, b, c)
        (out * s.upstream((2,))).sum().backward()
        constant = s.const([3.0, 4.0])
        partial = Affine.apply(a, -1.0, constant, constant)
        partial.sum().backward()
        unused = s.grad(Affine.apply(a, 1.0, b, c).sum(), [c], allow_unused=True)
        return {
            "out": out,
            "grads": (a.grad, b.grad, c.grad),
            "needs_input_grad": seen,
            "unused": unused,
            "flags": (out.requires_grad, out.is_leaf, partial.requires_grad),
        }

    def none_for_a_wanted_input(s):
        class Half(s.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, grad):
                return None, grad

        x, y = s.leaf([1.0]), s.leaf([2.0])
        return s.grad(Half.apply(x, y).sum(), [x, y])

    check(program)
    check(none_for_a_wanted_input, raises=RuntimeError, match="used")


def test_function_forward_runs_without_recording_and_knows_which_inputs_need_grad():
    """PyTorch runs every ``forward`` in no-grad mode and fills ``needs_input_grad``
    (one entry per argument) before it, whether or not the call is recorded."""

    def program(s):
        seen = []

        class Scale(s.Function):
            @staticmethod
            def forward(ctx, x, k):
                seen.append((s.is_grad_enabled(), tuple(ctx.needs_input_grad)))
                return x * k

            @staticmethod
            def backward(ctx, grad):
                return grad * 2.0, None

        x = s.leaf([1.0, 2.0])
        Scale.apply(x, 2.0)
        Scale.apply(s.const([1.0]), 2.0)
        with s.no_grad():
            Scale.apply(x, 2.0)
        return seen

    check(program)


def test_function_with_several_outputs_and_non_differentiable_ones():
    def program(s):
        received = []

        class Parts(s.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                half = x / 2.0
                ctx.mark_non_differentiable(half)
                return x * 2.0, x * x, x.argmax(), x > 0, half

            @staticmethod
            def backward(ctx, g_double, g_square, g_index, g_mask, g_half):
                (x,) = ctx.saved_tensors
                received.append([g_double, g_square, g_index, g_mask, g_half])
                return g_double * 2.0 + g_square * 2.0 * x

        x = s.leaf([1.0, -2.0, 0.5])
        outputs = Parts.apply(x)
        flags = [(o.requires_grad, o.grad_fn is None) for o in outputs]
        # The first output unused, then the first alone.
        (outputs[1] * s.upstream((3,))).sum().backward(retain_graph=True)
        (outputs[0] * 3.0).sum().backward()
        return flags, outputs, x.grad, received

    def the_marked_output(s):
        class Marked(s.Function):
            @staticmethod
            def forward(ctx, x):
                out = x * 2.0
                ctx.mark_non_differentiable(out)
                return out

            @staticmethod
            def backward(ctx, grad):
                return grad

        Marked.apply(s.leaf([1.0])).sum().backward()

    check(program)
    check(the_marked_output, raises=RuntimeError, match="does not require grad")


@pytest.mark.parametrize(
    "returned, input_shape, raises",
    [
        ("too few", (2,), RuntimeError),
        ("one too many", (2,), RuntimeError),
        ("one extra None", (2,), None),
        ("(4, 3) for (3,)", (3,), None),
        ("(1, 3) for (3,)", (3,), None),
        ("(2,) for ()", (), None),
        ("(4, 3) for (3, 1)", (3, 1), RuntimeError),
        ("(3,) for (2, 3)", (2, 3), RuntimeError),
        ("() for (3,)", (3,), RuntimeError),
        ("float32 for float64", (3,), None),
    ],
)
def test_function_backward_returning_unusual_gradients(returned, input_shape, raises):
    def program(s):
        class Probe(s.Function):
            @staticmethod
            def forward(ctx, x, y):
                return (x * y).sum()

            @staticmethod
            def backward(ctx, grad):
                shapes = {"(4, 3)": (4, 3), "(1, 3)": (1, 3), "(2,)": (2,), "(3,)": (3,), "()": ()}
                if returned == "too few":
                    return grad
                if returned == "one too many":
                    return grad, grad, grad
                if returned == "one extra None":
                    return s.ones(input_shape, dtype=s.float64) * grad * 2.0, None, None
                if returned == "float32 for float64":
                    return s.ones(3, dtype=s.float32) * 2.0, None
                shape = shapes[returned.split(" for ")[0]]
                return s.ones(shape, dtype=s.float64) * 2.0, None

        x = s.leaf(np.zeros(input_shape) + 1.0)
        Probe.apply(x, s.const(np.ones(input_shape))).backward()
        return x.grad

    check(program, raises=raises)


def test_function_returning_its_input_unchanged():
    def program(s):
        class Identity(s.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 2.0  # not the identity's: shows it is this backward that ran

        x = s.leaf([1.0, 2.0])
        out = Identity.apply(x)
        flags = (out is x, out.requires_grad, out.is_leaf, x.grad_fn is None)
        (out * s.upstream((2,))).sum().backward()
        with s.no_grad():
            x.add_(1.0)
        y = x * 1.0
        also = Identity.apply(y)
        (also * also).sum().backward()
        return flags, x.grad, out, s.version(out), s.version(x)

    check(program)


@pytest.mark.parametrize("input_kind", ["leaf", "non-leaf"])
def test_inplace_on_an_input_returned_unchanged_by_a_function_is_refused(input_kind):
    """PyTorch makes such an output a view of the input and forbids changing it in place
    (its history would override the Function's backward). For a leaf, a successful
    change would also silently modify a leaf that requires grad."""

    def program(s):
        class Identity(s.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad

        x = s.leaf([1.0, 2.0])
        source = x if input_kind == "leaf" else x * 1.0
        out = Identity.apply(source)
        out.mul_(10.0)
        return x, source

    check(program, raises=RuntimeError)


def test_function_returning_a_view_of_its_input():
    def program(s):
        class FirstRow(s.Function):
            @staticmethod
            def forward(ctx, x):
                return x[0]

            @staticmethod
            def backward(ctx, grad):
                return s.stack([grad, grad * 0.0])

        x = s.leaf([[1.0, 2.0], [3.0, 4.0]])
        row = FirstRow.apply(x)
        flags = (row.requires_grad, row.is_leaf)
        (row * s.upstream((2,))).sum().backward()
        with s.no_grad():
            x[0, 0] = 10.0  # seen through the view (which PyTorch then keeps out of autograd)
        return flags, x.grad, row.detach(), s.version(row)

    def changed_in_place(s):
        class FirstRow(s.Function):
            @staticmethod
            def forward(ctx, x):
                return x[0]

            @staticmethod
            def backward(ctx, grad):
                return s.stack([grad, grad * 0.0])

        FirstRow.apply(s.leaf([[1.0, 2.0], [3.0, 4.0]])).add_(1.0)

    check(program)
    check(changed_in_place, raises=RuntimeError)


def _cube_function(s):
    """x**3 as a custom Function of the library ``s`` stands for, saving its input."""

    class Cube(s.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3.0 * x**2

    return Cube


def _exp_function(s):
    """e**x as a custom Function of the library ``s`` stands for, saving its output."""

    class Exp(s.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    return Exp


def test_function_double_backward_and_saved_outputs():
    def program(s):
        Cube = _cube_function(s)

        Exp = _exp_function(s)

        x = s.leaf([1.0, -2.0, 0.5])
        y = (Cube.apply(x) * Exp.apply(x)).sum()
        (g,) = s.grad(y, x, create_graph=True)
        (h,) = s.grad((g * s.upstream((3,))).sum(), x)
        return y, g, h

    def second_pass(s):
        Cube = _cube_function(s)

        y = Cube.apply(s.leaf([1.0, 2.0])).sum()
        y.backward()
        y.backward()

    def saved_output_changed(s):
        Exp = _exp_function(s)

        y = Exp.apply(s.leaf([0.0, 1.0]))
        y.add_(1.0)
        y.sum().backward()

    check(program)
    check(second_pass, raises=RuntimeError, match=FREED_ERROR)
    check(saved_output_changed, raises=RuntimeError, match=INPLACE_ERROR)


@pytest.mark.parametrize(
    "case",
    [
        "mul_ of a row",
        "+= on a column",
        "copy_ into a row of a plain buffer",
        "narrow then add_",
        "view of a view",
        "transposed view",
        "reshaped view",
        "view read before and after",
        "sibling views overlap",
        "change of the base after a view",
    ],
)
def test_inplace_changes_through_views_of_graph_tensors(case):
    """An in-place op on a view writes through to its base, in values and in history:
    every gradient is PyTorch's (its CopySlices and regenerated view nodes)."""

    def program(s):
        x, w = s.leaf([[1.0, -2.0, 3.0], [0.5, 2.0, -1.5]]), s.leaf([0.25, -3.0, 2.0])
        y = x * 1.0
        extra = s.const(0.0)
        if case == "mul_ of a row":
            y[1].mul_(w)
        elif case == "+= on a column":
            y[:, 2] += w[:2]
        elif case == "copy_ into a row of a plain buffer":
            y = s.zeros(2, 3, dtype=s.float64)
            y[0].copy_(w * 2.0)
            y[1, 1:].add_(x[0, :2])
        elif case == "narrow then add_":
            y.narrow(1, 1, 2).add_(w[1:] * x[1, :2])
        elif case == "view of a view":
            y[1][1:].sub_(w[:2].exp())
        elif case == "transposed view":
            y.t()[2].mul_(w[0])
        elif case == "reshaped view":
            y.reshape(6)[1:4].mul_(w)
        elif case == "view read before and after":
            row = y[0]
            extra = (row + w).sum()
            y.mul_(w)
            extra = extra * (row * row).sum()
        elif case == "sibling views overlap":
            first, second = y[:, :2], y[:, 1:]
            first.mul_(2.0)
            second.add_(w[1:])
            extra = (first * w[:2]).sum()
        else:
            view = y[1]
            y.add_(x * x)
            extra = (view * w).sum()
        ((y * s.upstream((2, 3))).sum() + extra).backward()
        return y, x.grad, w.grad, s.version(y), y.requires_grad

    check(program)


@pytest.mark.parametrize("change", ["unsqueeze_", "squeeze_", "t_"])
def test_a_shape_changed_in_place_after_use(change):
    """Ops that read y before ``y.unsqueeze_(0)`` (or squeeze_, t_) send gradients of
    the shape y had then, to the history it had then."""

    def program(s):
        x = s.leaf([[1.0, -2.0, 0.5]] if change != "t_" else [[1.0, -2.0], [0.5, 3.0]])
        y = x * 2.0
        before = y.exp()
        if change == "unsqueeze_":
            y.unsqueeze_(0)
        elif change == "squeeze_":
            y.squeeze_()
        else:
            y.t_()
        after = y * s.upstream(tuple(y.shape))
        (before.sum() + (after * after).sum()).backward()
        return y, x.grad, s.version(y)

    check(program)
