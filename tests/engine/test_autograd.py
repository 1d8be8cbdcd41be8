"""The backward engine, grad mode and custom Functions, checked against hand-derived
values and PyTorch's documented semantics."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minigrad
from minigrad import Function, Tensor
from minigrad.testing import gradcheck


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


# --------------------------------------------------------------------------- backward


def test_gradients_accumulate_into_leaves_across_backward_calls():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad._array, [2.0, 4.0])
    y.backward()
    np.testing.assert_array_equal(x.grad._array, [4.0, 8.0])


def test_node_reuse_sums_gradients_from_every_path():
    x = leaf(3.0)
    a = x * x  # 2x
    b = a + x  # da/dx + 1
    c = b * a  # b' a + b a'
    c.backward()
    # c = (x^2 + x) x^2 = x^4 + x^3, dc/dx = 4x^3 + 3x^2 = 108 + 27
    assert x.grad.item() == pytest.approx(135.0)


def test_second_backward_through_freed_saved_tensors_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


class ExpSavingItsOutput(Function):
    """A user's Function that saves the tensor it returns, as exp does."""

    @staticmethod
    def forward(ctx, x):
        y = minigrad.tensor(np.exp(x._array))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


OUTPUT_SAVING_OPS = {
    "exp": lambda x: x.exp(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "sqrt": lambda x: x.sqrt(),
    "pow": lambda x: x**2.5,
    "softmax": lambda x: minigrad.softmax(x, dim=0),
    "user_function": ExpSavingItsOutput.apply,
}


@pytest.mark.parametrize("name", sorted(OUTPUT_SAVING_OPS))
def test_a_node_that_saves_its_output_is_freed_with_the_output(name):
    """No reference cycle output -> node -> saved output: dropping the output frees the
    node at once, without the cycle collector (as in PyTorch)."""
    import gc
    import weakref

    x = leaf([0.5, 1.5, 2.0])
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        y = OUTPUT_SAVING_OPS[name](x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("name", sorted(OUTPUT_SAVING_OPS))
def test_a_saved_output_still_gives_first_and_second_derivatives(name):
    x = leaf([0.5, 1.5, 2.0])
    assert gradcheck(OUTPUT_SAVING_OPS[name], (x,))
    (first,) = minigrad.grad(OUTPUT_SAVING_OPS[name](x).sum(), [x], create_graph=True)
    assert first.grad_fn is not None  # written with the output, which is attached again


@pytest.mark.parametrize("change", ["in place", "through a view"])
def test_changing_a_saved_output_in_place_is_still_caught(change):
    x = leaf([0.5, 1.5, 2.0])
    y = x.exp()
    with minigrad.no_grad():
        if change == "in place":
            y.mul_(2.0)
        else:
            y[1:].mul_(2.0)
    with pytest.raises(RuntimeError, match="saved tensor 0 of Exp.*version 1"):
        y.sum().backward()


def test_nodes_that_save_nothing_can_be_traversed_again():
    x = leaf([1.0, 2.0])
    y = (x + 1.0).sum()
    y.backward()
    y.backward()  # as in PyTorch: AddBackward and SumBackward keep no buffers
    np.testing.assert_array_equal(x.grad._array, [2.0, 2.0])


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="shape \\(2,\\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(minigrad.tensor([1.0, -1.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(x.grad._array, [2.0, -2.0])


def test_backward_gradient_shape_must_match():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * 2.0).backward(minigrad.ones(3, dtype=minigrad.float64))


def test_an_upstream_gradient_takes_the_outputs_dtype_as_in_pytorch():
    x = leaf([1.0, -2.0], dtype=minigrad.float32)
    x.relu().backward(minigrad.tensor([1.0, 1.0], dtype=minigrad.float64))
    assert x.grad.dtype == minigrad.float32
    np.testing.assert_array_equal(x.grad._array, [1.0, 0.0])
    upstream = leaf([2.0, 3.0])  # float64, and itself differentiated below
    (g,) = minigrad.grad(x.tanh(), [x], upstream, create_graph=True)
    assert g.dtype == minigrad.float32
    (g_of_upstream,) = minigrad.grad(g.sum(), [upstream])
    assert g_of_upstream.dtype == minigrad.float64
    np.testing.assert_allclose(g_of_upstream._array, 1 - np.tanh(x._array) ** 2, rtol=1e-6)


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minigrad.tensor([1.0]).sum().backward()


def test_a_users_gradient_tensor_is_not_aliased_by_grad():
    x = leaf([1.0, 2.0])
    upstream = minigrad.tensor([1.0, 1.0], dtype=minigrad.float64)
    x.backward(upstream)
    x.grad._array[0] = 100.0
    assert upstream._array[0] == 1.0


def test_two_leaves_fed_by_one_addition_do_not_share_grad_storage():
    a, b = leaf([1.0]), leaf([2.0])
    (a + b).sum().backward()
    a.grad._array[0] = 5.0
    assert b.grad._array[0] == 1.0


def test_retain_grad_keeps_gradient_of_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad._array, [6.0, 12.0])
    assert (x * 1.0).grad is None


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = leaf(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_broadcast_gradients_are_summed_to_each_input_shape():
    a = leaf(np.arange(3.0).reshape(3, 1))
    b = leaf(np.arange(4.0))
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad._array, np.full((3, 1), 6.0))
    np.testing.assert_allclose(b.grad._array, np.full(4, 3.0))


def test_each_input_gets_a_gradient_of_its_own_dtype():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = leaf([3.0, 4.0])  # float64
    out = a * b
    assert out.dtype == minigrad.float64
    out.sum().backward()
    assert a.grad.dtype == minigrad.float32 and b.grad.dtype == minigrad.float64
    np.testing.assert_allclose(a.grad._array, [3.0, 4.0])


def test_cast_passes_the_gradient_back_in_the_source_dtype():
    x = leaf([0.5, -1.0])
    y = x.float()
    assert y.dtype == minigrad.float32
    (y * y).sum().backward()
    assert x.grad.dtype == minigrad.float64
    np.testing.assert_allclose(x.grad._array, [1.0, -2.0], rtol=1e-6)


def test_integer_casts_cut_the_graph():
    x = leaf([1.5, 2.5])
    assert not x.long().requires_grad


# --------------------------------------------------------------------------- grad()


def test_grad_returns_gradients_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    (g,) = minigrad.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g._array, [2.0, 4.0])
    assert x.grad is None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    (g,) = minigrad.grad((h * h).sum(), h)
    np.testing.assert_array_equal(g._array, [4.0, 8.0])


def test_grad_higher_order():
    x = leaf(3.0)
    (first,) = minigrad.grad(x**3, x, create_graph=True)
    (second,) = minigrad.grad(first, x, create_graph=True)
    (third,) = minigrad.grad(second, x)
    assert (first.item(), second.item(), third.item()) == pytest.approx((27.0, 18.0, 6.0))


def test_grad_of_an_unused_input():
    x, unused = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="not used"):
        minigrad.grad(x * 2.0, [x, unused])
    gx, gu = minigrad.grad(x * 2.0, [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None


def test_backward_with_create_graph_makes_grad_differentiable():
    x = leaf(2.0)
    (x**3).backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = minigrad.grad(x.grad, x)
    assert second.item() == pytest.approx(12.0)


def test_hessian_vector_product_by_double_backward():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    matrix = minigrad.tensor(a + a.T)
    x = leaf(rng.standard_normal(3))
    v = minigrad.tensor(rng.standard_normal(3))
    energy = (x * (matrix @ x)).sum() * 0.5  # Hessian = matrix
    (g,) = minigrad.grad(energy, x, create_graph=True)
    (hv,) = minigrad.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv._array, (a + a.T) @ v.numpy())


# --------------------------------------------------------------------------- grad mode


def test_no_grad_context_and_decorator():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2.0
        with minigrad.enable_grad():
            z = x * 2.0
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @minigrad.no_grad()
    def double(t):
        return t * 2.0

    assert not double(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled():
    with minigrad.set_grad_enabled(False):
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    try:
        assert not minigrad.is_grad_enabled()
    finally:
        minigrad.set_grad_enabled(True)


def test_grad_mode_is_per_thread():
    seen = {}

    def worker():
        seen["enabled"] = minigrad.is_grad_enabled()
        seen["requires"] = (leaf([1.0]) * 2.0).requires_grad

    with minigrad.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert seen == {"enabled": True, "requires": True}


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ValueError), minigrad.no_grad():
        raise ValueError("boom")
    assert minigrad.is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x * 1.0
    y.detach()._array[0] = 7.0
    assert y._array[0] == 7.0


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2]).requires_grad_()
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2.0).requires_grad_(False)


# --------------------------------------------------------------------------- Function


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._array**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x**2


class ScaleBy(Function):
    """Takes a non-tensor argument; returns two outputs, one non-differentiable."""

    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        doubled = Tensor(x._array * factor)
        index = Tensor(np.argmax(x._array, keepdims=True).astype(np.float64))
        ctx.mark_non_differentiable(index)
        return doubled, index

    @staticmethod
    def backward(ctx, grad, grad_index):
        return grad * ctx.factor, None


def test_custom_function_forward_backward_and_double_backward():
    x = leaf([1.0, -2.0, 0.5])
    y = Cube.apply(x)
    np.testing.assert_allclose(y._array, x._array**3)
    assert type(y.grad_fn).__name__ == "Cube"
    assert gradcheck(Cube.apply, x)
    (g,) = minigrad.grad(y.sum(), x, create_graph=True)
    (h,) = minigrad.grad(g.sum(), x)
    np.testing.assert_allclose(h._array, 6.0 * x._array)


def test_custom_function_with_non_tensor_args_and_non_differentiable_outputs():
    x = leaf([1.0, 3.0, 2.0])
    scaled, index = ScaleBy.apply(x, 4.0)
    assert scaled.requires_grad and not index.requires_grad
    scaled.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [4.0, 4.0, 4.0])


def test_custom_function_needs_input_grad_and_no_recording_without_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a._array + b._array

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return grad, grad

    a, b = leaf([1.0]), minigrad.tensor([2.0], dtype=minigrad.float64)
    Probe.apply(a, b).sum().backward()
    assert seen == [(True, False)]
    assert Probe.apply(b, b).grad_fn is None


def test_extra_gradients_are_allowed_when_none_as_in_pytorch():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor=2.0):
            ctx.factor = factor
            return x._array * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None  # one per parameter, even if not passed

    x = leaf([1.0, 2.0])
    Scale.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [2.0, 2.0])

    class Wrong(Scale):
        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    with pytest.raises(RuntimeError, match="returned 2 gradients.*took 1"):
        Wrong.apply(leaf([1.0])).sum().backward()


def test_custom_function_returning_the_wrong_number_of_gradients():
    class Broken(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a._array * b._array

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="returned 1 gradients.*took 2"):
        Broken.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_custom_function_returning_a_gradient_of_the_wrong_shape():
    class Broken(Function):
        @staticmethod
        def forward(ctx, a):
            return a._array * 2

        @staticmethod
        def backward(ctx, grad):
            return minigrad.ones(5, dtype=minigrad.float64)

    with pytest.raises(RuntimeError, match=r"\(5,\).*\(2,\)"):
        Broken.apply(leaf([1.0, 2.0])).sum().backward()


def test_forward_runs_without_recording():
    recorded = []

    class Inner(Function):
        @staticmethod
        def forward(ctx, x):
            inner = x * 2.0  # a Tensor op inside forward
            recorded.append(inner.requires_grad)
            return inner

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.0

    y = Inner.apply(leaf([1.0]))
    assert recorded == [False] and y.requires_grad


# --------------------------------------------------------------------------- stability


def test_sigmoid_and_softplus_do_not_overflow():
    x = minigrad.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    s = x.sigmoid()
    np.testing.assert_allclose(s._array, [0.0, 1.9287e-22, 0.5, 1.0, 1.0], rtol=1e-4)
    s.sum().backward()
    assert np.isfinite(x.grad._array).all()
    sp = minigrad.softplus(minigrad.tensor([-1e4, 1e4]))
    np.testing.assert_allclose(sp._array, [0.0, 1e4])


def test_log_softmax_and_logsumexp_of_extreme_values():
    x = minigrad.tensor([[1e4, 0.0, -1e4], [-np.inf, -np.inf, -np.inf]], requires_grad=True)
    lse = minigrad.logsumexp(x, dim=1)
    assert lse._array[0] == pytest.approx(1e4) and lse._array[1] == -np.inf
    ls = minigrad.log_softmax(x[:1], dim=1)
    np.testing.assert_allclose(ls._array, [[0.0, -1e4, -2e4]])
    minigrad.softmax(x[:1], dim=1).sum().backward()
    assert np.isfinite(x.grad._array[0]).all()


def test_max_with_dim_returns_values_and_indices():
    x = leaf([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values._array, [5.0, 6.0])
    assert indices.dtype == minigrad.int64 and indices.tolist() == [1, 2]
    assert not indices.requires_grad
    values.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [[0, 1, 0], [0, 0, 1]])
    result = x.min(dim=0, keepdim=True)
    assert result.values.shape == (1, 3) and result.indices.tolist() == [[0, 1, 0]]


def test_full_max_shares_the_gradient_between_ties():
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.5, 0.5])


def test_norm_gradient_at_zero_is_zero():
    x = leaf([0.0, 0.0])
    x.norm().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0])


def test_reductions_accept_numpy_spelling():
    x = minigrad.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.sum(axis=1, keepdims=True)._array, [[3.0], [12.0]])
    np.testing.assert_array_equal(x.mean(dim=0)._array, [1.5, 2.5, 3.5])
    np.testing.assert_allclose(x.var(dim=1, unbiased=False)._array, [2 / 3, 2 / 3], rtol=1e-6)
    assert x.argmax().item() == 5 and x.argmin(dim=1).tolist() == [0, 0]


def test_grad_with_an_input_listed_twice_gives_it_to_both_places():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    y = (h * x).sum()  # 2 x^2
    first, second = minigrad.grad(y, [x, x], retain_graph=True)
    np.testing.assert_array_equal(first._array, [4.0, 8.0])
    np.testing.assert_array_equal(second._array, [4.0, 8.0])
    gh1, gh2, gx = minigrad.grad(y, [h, h, x])
    np.testing.assert_array_equal(gh1._array, [1.0, 2.0])
    np.testing.assert_array_equal(gh2._array, [1.0, 2.0])
    np.testing.assert_array_equal(gx._array, [4.0, 8.0])


def test_backward_with_a_root_listed_twice_counts_it_twice():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    minigrad.backward([y, y])
    np.testing.assert_array_equal(x.grad._array, [4.0, 8.0])


def test_engine_order_on_chains_shared_parents_and_diamonds():
    """The engine hands a chain's next node straight on and queues the rest; every shape
    of sharing must still sum each node's gradients before it runs."""
    x = leaf([0.5, -1.0, 2.0])
    y = x.exp()
    (y * y).sum().backward()  # one node sends two gradients to the same new node
    np.testing.assert_allclose(x.grad._array, 2 * np.exp(2 * x._array))

    x.grad = None
    a = x * 3.0
    left, right = a.sin(), a.cos()  # a diamond: a feeds two nodes that meet again
    (left * right + a).sum().backward()
    expected = 3 * (np.cos(3 * x._array) ** 2 - np.sin(3 * x._array) ** 2) + 3
    np.testing.assert_allclose(x.grad._array, expected)

    x.grad = None
    b = x.tanh()
    chain = b
    for _ in range(5):
        chain = chain * 1.5
    (chain + b.exp()).sum().backward()  # a long branch and a short one into one node
    t = np.tanh(x._array)
    np.testing.assert_allclose(x.grad._array, (1.5**5 + np.exp(t)) * (1 - t**2))
