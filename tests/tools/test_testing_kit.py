"""The gradient-testing kit catches the bugs it exists to catch, and its strategies draw
what they promise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import Function
from minigrad.testing import GradcheckError, OpInfo, gradcheck, gradgradcheck
from minigrad.testing import strategies as mgst


def leaf(values):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


class WrongScale(Function):
    """y = x^2 with a backward that is off by a factor at one element."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._array**2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        factor = np.ones(x.shape)
        factor.reshape(-1)[-1] = 1.5
        return grad * 2.0 * x * minigrad.tensor(factor)


class IgnoresUpstream(Function):
    """A backward that assumes the upstream gradient is all ones."""

    @staticmethod
    def forward(ctx, x):
        return x._array * 3.0

    @staticmethod
    def backward(ctx, grad):
        return minigrad.full(grad.shape, 3.0, dtype=minigrad.float64)


class MutatesInput(Function):
    @staticmethod
    def forward(ctx, x):
        x._array[...] += 0.0  # harmless
        ctx.save_for_backward(x)
        return x._array * 2.0

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x._array *= 1.0000001  # the bug: backward writes into its input
        return grad * 2.0


class ConstantSecondDerivative(Function):
    """y = x^3 whose backward uses the raw values, so its own derivative is lost."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._array**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * minigrad.tensor(3.0 * x._array**2)  # constant w.r.t. x


def test_gradcheck_passes_correct_gradients():
    x = leaf(np.linspace(-1, 1, 6).reshape(2, 3))
    assert gradcheck(lambda t: (t.sin() * t).sum(dim=1), x)
    assert gradcheck(lambda t: t.exp(), x, fast_mode=True)


def test_gradcheck_names_the_input_and_the_worst_index():
    x = leaf([[0.5, -1.0], [2.0, 1.5]])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(WrongScale.apply, x)
    message = str(caught.value)
    assert "input 0" in message and "(shape (2, 2))" in message
    assert "analytic" in message and "numeric" in message
    assert isinstance(caught.value, AssertionError)


def test_gradcheck_catches_a_backward_that_ignores_the_upstream_gradient():
    with pytest.raises(GradcheckError, match="random upstream"):
        gradcheck(IgnoresUpstream.apply, leaf([1.0, 2.0, 3.0]))


def test_fast_mode_catches_wrong_gradients_too():
    with pytest.raises(GradcheckError, match="v\\^T J u"):
        gradcheck(WrongScale.apply, leaf(np.linspace(0.5, 2.0, 20)), fast_mode=True)


def test_gradcheck_catches_a_backward_that_modifies_its_input():
    with pytest.raises(GradcheckError, match="modified"):
        gradcheck(MutatesInput.apply, leaf([1.0, 2.0]))


def test_gradcheck_returns_false_instead_of_raising_when_asked():
    assert gradcheck(WrongScale.apply, leaf([1.0, 2.0]), raise_exception=False) is False


def test_gradcheck_warns_about_float32_inputs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="float32"):
        gradcheck(lambda t: t * 2.0, x, atol=1e-2, rtol=1e-2, eps=1e-2)


def test_gradcheck_requires_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2.0, minigrad.tensor([1.0], dtype=minigrad.float64))


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = leaf([0.5, -1.0, 2.0])
    assert gradcheck(ConstantSecondDerivative.apply, x)  # first derivatives are right
    with pytest.raises(GradcheckError, match=r"^gradgradcheck \(second-order"):
        gradgradcheck(ConstantSecondDerivative.apply, x)


def test_gradgradcheck_on_several_inputs_and_outputs():
    a, b = leaf([[0.3, -0.2], [0.1, 0.4]]), leaf([0.5, -0.7])
    assert gradgradcheck(lambda x, y: ((x @ y).tanh(), (x * y).sigmoid()), (a, b))


def test_no_warnings_for_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t.tanh(), leaf([0.1, 0.2]))


# --------------------------------------------------------------------------- strategies


@given(mgst.tensors(shape=(3, 4)))
def test_tensors_default_float64_and_value_range(t):
    assert t.shape == (3, 4) and t.dtype == minigrad.float64
    assert np.all(np.abs(t._array) <= 2.0)


@settings(max_examples=60)
@given(st.data())
def test_tensors_draw_every_layout(data):
    t = data.draw(mgst.tensors(shape=(2, 3), layouts=("transposed",)))
    assert t._array.flags.f_contiguous and not t._array.flags.c_contiguous
    s = data.draw(mgst.tensors(shape=(2, 3), layouts=("strided",)))
    assert not s._array.flags.c_contiguous and s._array.strides[-1] == 2 * s._array.itemsize


@given(mgst.elements(-1.0, 1.0, kinks=(0.0, 0.5), margin=0.1))
def test_elements_stay_away_from_kinks(value):
    assert -1.0 <= value <= 1.0 and abs(value) >= 0.1 and abs(value - 0.5) >= 0.1


@given(mgst.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    np.broadcast_shapes(*shapes)


@given(mgst.matmul_shapes())
def test_matmul_shapes_are_valid(shapes):
    a, b = shapes
    np.matmul(np.zeros(a), np.zeros(b))


@given(mgst.tensors(dtype=minigrad.float32, requires_grad=True))
def test_tensors_float32_and_requires_grad(t):
    assert t.dtype == minigrad.float32 and t.requires_grad and t.is_leaf


def _cube(x):
    return x * x * x


CUBE = OpInfo("cube", _cube, lambda x: x**3, domain=(-1.5, 1.5))
CLIPPED = OpInfo(
    "clipped",
    lambda x, low: x.clamp(min=low),
    lambda x, low: np.maximum(x, low),
    kwargs=lambda rng, shapes: {"low": float(rng.uniform(-1, 1))},
    kinks=lambda kwargs: (kwargs["low"],),
    margin=0.1,
)


@given(mgst.op_inputs(CUBE))
def test_a_users_own_opinfo_drives_a_property_test(drawn):
    tensors, kwargs = drawn
    np.testing.assert_allclose(CUBE.function(*tensors)._array, CUBE.reference(tensors[0]._array))
    assert gradcheck(CUBE.function, tuple(tensors))


@given(mgst.op_inputs(CLIPPED))
def test_op_inputs_keep_away_from_kinks_that_depend_on_kwargs(drawn):
    tensors, kwargs = drawn
    assert np.all(np.abs(tensors[0]._array - kwargs["low"]) >= 0.1)


SPREAD = OpInfo(
    "spread",
    lambda x: x.abs().amax(),
    lambda x: np.abs(x).max(),
    domain=(-1.0, 1.0),
    kinks=(0.0, 0.5),
    margin=0.2,
    distinct=True,
    min_side=1,
)


@given(mgst.op_inputs(SPREAD))
def test_distinct_inputs_stay_distinct_away_from_kinks_and_inside_the_domain(drawn):
    """Many values on a short domain with two cut-out kinks: still pairwise apart (values
    near a kink must not all be pushed onto its edge), none near a kink, none outside."""
    tensors, _ = drawn
    values = np.sort(tensors[0]._array.ravel())
    assert np.all(np.diff(values) > 0), values
    assert np.all(np.abs(values) >= 0.2) and np.all(np.abs(values - 0.5) >= 0.2), values
    assert values[0] >= -1.0 and values[-1] <= 1.0, values


# --------------------------------------------------------------------------- the package


def _run_python(code, **environment):
    env = {**os.environ, **environment}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_minigrad_compiles_nothing():
    output = _run_python(
        "import minigrad, numba\n"
        "from numba.core.registry import CPUDispatcher\n"
        "import gc\n"
        "compiled = [d for d in gc.get_objects() if isinstance(d, CPUDispatcher)"
        " and d.signatures]\n"
        "print(len(compiled))\n"
    )
    assert output.strip() == "0"


def test_the_package_runs_with_the_jit_disabled():
    code = (
        "import numpy as np, minigrad\n"
        "from minigrad.testing import gradcheck\n"
        "x = minigrad.randn(3, 4, dtype=minigrad.float64, requires_grad=True)\n"
        "w = minigrad.randn(4, 2, dtype=minigrad.float64, requires_grad=True)\n"
        "f = lambda x, w: ((x @ w).tanh() + (x.exp().log() * 0.5).sum(1, keepdim=True)"
        ".sigmoid()).softmax(1).relu().sum()\n"
        "assert gradcheck(f, (x, w))\n"
        "import numba; assert numba.config.DISABLE_JIT\n"
        "print('ok')\n"
    )
    assert _run_python(code, NUMBA_DISABLE_JIT="1").strip() == "ok"


def test_failure_messages_name_the_index_in_the_input_shape_with_plain_numbers():
    x = minigrad.tensor(np.linspace(0.5, 1.5, 6).reshape(2, 3), requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(WrongScale.apply, (x,))
    message = str(caught.value)
    assert re.search(r"at input index \(\d, \d\): analytic -?\d", message), message
    assert "np.float64" not in message and "float32" not in message


def test_a_float32_failure_names_the_precision():
    x = minigrad.tensor(np.linspace(0.5, 1.5, 4).astype(np.float32), requires_grad=True)
    with pytest.warns(UserWarning), pytest.raises(GradcheckError, match="float32.*float64"):
        gradcheck(WrongScale.apply, (x,))
