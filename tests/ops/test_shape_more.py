"""The shape and indexing ops of minigrad/ops/shape.py beyond the op table: their errors
name the shapes and values at fault, views share memory. Parity with PyTorch is in
tests/parity/test_torch_parity_shape.py."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def test_t_reverses_at_most_two_dims_and_names_the_shape_otherwise():
    x = minigrad.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(x.t().numpy(), np.arange(6.0).reshape(2, 3).T)
    v = minigrad.arange(3.0)
    assert v.t().shape == (3,)
    with pytest.raises(ValueError, match=r"\(1, 2, 3\).*transpose"):
        minigrad.zeros(1, 2, 3).t()


def test_narrow_is_a_view_of_the_base():
    x = minigrad.zeros(4, 3)
    part = x.narrow(1, 1, 2)
    assert part.shape == (4, 2)
    assert np.shares_memory(part.numpy(), x.numpy())
    part.add_(5.0)
    assert x.numpy()[:, 1:].tolist() == [[5.0, 5.0]] * 4
    assert x.numpy()[:, 0].tolist() == [0.0] * 4


@pytest.mark.parametrize("args, error, words", [
    ((0, 5, 0), IndexError, r"start 5 is out of range for dimension 0 of size 4"),
    ((0, -5, 0), IndexError, r"-4 <= start <= 4"),
    ((0, 3, 2), ValueError, r"start \(3\) \+ length \(2\) exceeds dimension 0 of size 4"),
    ((0, 0, -1), ValueError, r"length must be non-negative, got -1"),
    ((0, 1.0, 1), TypeError, r"start must be an int"),
])
def test_narrow_errors_name_the_values_at_fault(args, error, words):
    with pytest.raises(error, match=words):
        minigrad.zeros(4, 2).narrow(*args)


def test_narrow_refuses_a_zero_dim_tensor_and_a_float_start_tensor():
    with pytest.raises(IndexError, match="0-d"):
        minigrad.tensor(1.0).narrow(0, 0, 1)
    with pytest.raises(TypeError, match=r"0-d integer tensor.*float"):
        minigrad.zeros(3).narrow(0, minigrad.tensor(1.0), 1)


def test_view_as_and_reshape_as_take_the_other_tensors_shape():
    x = minigrad.arange(6.0)
    assert x.view_as(minigrad.zeros(2, 3)).shape == (2, 3)
    assert x.reshape_as(minigrad.zeros(3, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\[4\] is invalid for a tensor of shape \(6,\)"):
        x.reshape_as(minigrad.zeros(4))


def test_swapaxes_and_swapdims_are_transpose():
    x = minigrad.zeros(2, 3, 4)
    assert x.swapaxes(0, 2).shape == (4, 3, 2)
    assert minigrad.swapdims(x, -1, 1).shape == (2, 4, 3)


# --------------------------------------------------------------------------- rearranging


def test_flip_errors_name_the_dims():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"dims \[0, -2\] name a dimension more than once"):
        x.flip((0, -2))
    with pytest.raises(TypeError, match="flip: dims must be ints"):
        x.flip((0.5,))


def test_roll_errors_name_the_shifts_and_dims():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"shifts \[1, 2\] and dims \[0\]"):
        x.roll((1, 2), (0,))
    with pytest.raises(ValueError, match=r"2 shifts \[1, 2\] need as many dims"):
        x.roll((1, 2))
    with pytest.raises(TypeError, match="shifts must be ints"):
        x.roll(1.5)


def test_roll_of_a_zero_dim_tensor_is_a_copy():
    x = minigrad.tensor(3.0)
    rolled = x.roll(2, 0)
    assert rolled.item() == 3.0
    assert not np.shares_memory(rolled._array, x._array)


def test_tril_triu_keep_the_triangle_of_every_matrix_of_a_batch():
    x = minigrad.ones(2, 3, 3)
    np.testing.assert_array_equal(x.tril().numpy(), np.tril(np.ones((2, 3, 3))))
    np.testing.assert_array_equal(x.triu(1).numpy(), np.triu(np.ones((2, 3, 3)), 1))
    with pytest.raises(TypeError, match="diagonal must be an int"):
        x.tril(0.5)


def test_repeat_errors_name_the_sizes():
    with pytest.raises(ValueError, match=r"sizes must be non-negative, got \[2, -1\]"):
        minigrad.zeros(2, 3).repeat(2, -1)


def test_repeat_interleave_errors_name_the_repeats():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"3 repeats for a dimension of size 2"):
        x.repeat_interleave(minigrad.tensor([1, 2, 3]), 0)
    with pytest.raises(TypeError, match="integer tensor, got float32"):
        x.repeat_interleave(minigrad.tensor([1.0, 2.0]), 0)
    with pytest.raises(ValueError, match=r"output_size=5, but the repeats \[2, 2\] give 4"):
        x.repeat_interleave(2, 0, output_size=5)
    assert x.repeat_interleave(2, 0, output_size=4).shape == (4, 3)


def test_meshgrid_errors_name_the_argument_at_fault():
    with pytest.raises(ValueError, match=r"0-d or 1-d tensors, got shape \(2, 2\) for tensor 1"):
        minigrad.meshgrid(minigrad.zeros(2), minigrad.zeros(2, 2))
    with pytest.raises(ValueError, match="indexing must be 'ij' or 'xy'"):
        minigrad.meshgrid(minigrad.zeros(2), indexing="ji")
    with pytest.raises(TypeError, match="argument 0 is a list"):
        minigrad.meshgrid([1, 2], minigrad.zeros(2))


def test_meshgrid_grids_are_views_of_the_inputs():
    a = minigrad.arange(3.0)
    grid, _ = minigrad.meshgrid(a, minigrad.arange(2.0))
    assert np.shares_memory(grid._array, a._array)


# --------------------------------------------------------------------------- gather/scatter


def test_gather_errors_name_the_shapes_and_values_at_fault():
    x = minigrad.zeros(2, 3)
    with pytest.raises(IndexError, match=r"gather: index 5 is out of range for dimension 1 "
                                         r"of size 3 \(expected 0 <= index < 3\)"):
        x.gather(1, minigrad.tensor([[5]]))
    with pytest.raises(ValueError, match=r"index has 1 dimensions \(shape \(2,\)\), but input "
                                         r"has 2 \(shape \(2, 3\)\)"):
        x.gather(0, minigrad.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"index of shape \(1, 4\) is larger than input of "
                                         r"shape \(2, 3\) at dimension 1"):
        x.gather(0, minigrad.tensor([[0, 0, 0, 0]]))
    with pytest.raises(TypeError, match="index must be an integer Tensor, got list"):
        x.gather(0, [[0]])


def test_gather_saves_its_index_against_in_place_changes():
    x = minigrad.ones(2, 3, requires_grad=True)
    index = minigrad.tensor([[0, 1, 0]])
    y = x.gather(0, index)
    index.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_gather_and_scatter_add_are_each_others_backward_to_any_order():
    x = minigrad.tensor(np.arange(6.0).reshape(2, 3), dtype=minigrad.float64,
                        requires_grad=True)
    index = minigrad.tensor([[1, 1, 0]])
    (grad,) = minigrad.grad((x.gather(0, index) ** 2).sum(), (x,), create_graph=True)
    # y = (x[1, 0], x[1, 1], x[0, 2]) = (3, 4, 2): the gradient 2 y at those places
    np.testing.assert_allclose(grad.detach().numpy(), [[0, 0, 4.0], [6.0, 8.0, 0]])
    (second,) = minigrad.grad(grad.sum(), (x,))
    np.testing.assert_allclose(second.numpy(), [[0, 0, 2.0], [2.0, 2.0, 0]])


def test_take_along_dim_errors_name_the_shapes():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) and indices of shape "
                                         r"\(3,\) must have the same number of dimensions"):
        x.take_along_dim(minigrad.tensor([0, 1, 2]), 1)
    with pytest.raises(ValueError, match=r"do not broadcast outside dimension 1"):
        x.take_along_dim(minigrad.tensor([[0], [1], [2]]), 1)
    with pytest.raises(IndexError, match=r"index -4 is out of range .* \(expected -3 <= "):
        x.take_along_dim(minigrad.tensor([[-4]]), 1)


def test_masked_select_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"mask of shape \(2,\) does not broadcast with input "
                                         r"of shape \(3,\)"):
        minigrad.zeros(3).masked_select(minigrad.tensor([True, False]))


def test_scatter_errors_name_the_arguments_at_fault():
    x = minigrad.zeros(2, 3)
    index = minigrad.tensor([[0]])
    with pytest.raises(ValueError, match="reduce='multiply' is not supported"):
        x.scatter(0, index, 1.0, reduce="multiply")
    with pytest.raises(TypeError, match="exactly one of src"):
        x.scatter(0, index)
    with pytest.raises(TypeError, match="value must be a number"):
        x.scatter(0, index, value=minigrad.ones(1, 1))
    with pytest.raises(ValueError, match=r"src of shape \(1,\) and index of shape \(1, 1\)"):
        x.scatter(0, index, minigrad.ones(1))
    with pytest.raises(TypeError, match="src must be a Tensor, got float"):
        x.scatter_add(0, index, 1.0)


def test_scatter_of_repeated_positions_keeps_one_write_and_scatter_add_adds_them():
    x = minigrad.zeros(3)
    index = minigrad.tensor([1, 1])
    src = minigrad.tensor([4.0, 4.0])
    assert x.scatter(0, index, src).tolist() == [0.0, 4.0, 0.0]
    assert x.scatter_add(0, index, src).tolist() == [0.0, 8.0, 0.0]


def test_index_fill_errors_name_the_index():
    x = minigrad.zeros(2, 3)
    with pytest.raises(TypeError, match="index must be an int64 tensor, got int32"):
        x.index_fill(0, minigrad.tensor([0], dtype=minigrad.int32), 1.0)
    with pytest.raises(ValueError, match=r"1-d or 0-d, got shape \(1, 1\)"):
        x.index_fill(0, minigrad.tensor([[0]]), 1.0)
    with pytest.raises(IndexError, match=r"index 3 is out of range for dimension 1 of size 3"):
        x.index_fill(1, minigrad.tensor([3]), 1.0)


# --------------------------------------------------------------------------- random fills


@pytest.mark.parametrize("name, args", [("uniform_", (-1.0, 1.0)), ("normal_", (0.0, 2.0)),
                                        ("bernoulli_", (0.3,)), ("exponential_", (2.0,))])
def test_random_fills_follow_the_seed_and_the_generator(name, args):
    minigrad.manual_seed(7)
    first = getattr(minigrad.zeros(5), name)(*args).numpy().copy()
    minigrad.manual_seed(7)
    again = getattr(minigrad.zeros(5), name)(*args).numpy()
    np.testing.assert_array_equal(first, again)
    one = getattr(minigrad.zeros(5), name)(*args, generator=minigrad.Generator().manual_seed(3))
    two = getattr(minigrad.zeros(5), name)(*args, generator=minigrad.Generator().manual_seed(3))
    np.testing.assert_array_equal(one.numpy(), two.numpy())
    with pytest.raises(TypeError, match=f"{name}: generator must be a minigrad.Generator"):
        getattr(minigrad.zeros(5), name)(*args, generator=3)


def test_random_fills_write_through_views():
    x = minigrad.zeros(4, 3)
    x.narrow(0, 1, 2).uniform_(5.0, 6.0)
    assert (x.numpy()[1:3] >= 5.0).all() and (x.numpy()[[0, 3]] == 0.0).all()


def test_random_fill_errors_name_the_parameter_at_fault():
    x = minigrad.zeros(3)
    with pytest.raises(ValueError, match=r"from <= to, got from=2.0 > to=1.0"):
        x.uniform_(2.0, 1.0)
    with pytest.raises(TypeError, match="std must be a number, got str"):
        x.normal_(0.0, "1")
    with pytest.raises(ValueError, match=r"p of shape \(2,\) does not broadcast"):
        x.bernoulli_(minigrad.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match=r"p in \[0, 1\], got p=-0.5"):
        x.bernoulli_(minigrad.tensor([0.5, -0.5, 0.1]))
