"""Parity of the shape and indexing ops of minigrad/ops/shape.py with PyTorch: values,
gradients (float64), view semantics (in-place changes reaching the base) and the errors
for bad arguments. The op-table records are compared in test_torch_parity_ops.py."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402

RNG = np.random.default_rng(13)


def _pair(shape):
    """The same float64 values as a minigrad and a torch leaf requiring grad."""
    values = RNG.standard_normal(shape)
    return (minigrad.tensor(values, requires_grad=True),
            torch.tensor(values, requires_grad=True))


def _same(ours, theirs):
    assert ours.shape == tuple(theirs.shape)
    assert ours._array.dtype == theirs.detach().numpy().dtype
    np.testing.assert_allclose(np.asarray(ours.detach()), theirs.detach().numpy(),
                               rtol=1e-12, atol=0)


def _backward_same(ours, theirs, a, b):
    upstream = RNG.standard_normal(tuple(theirs.shape))
    ours.backward(minigrad.tensor(upstream))
    theirs.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- item 1: views


@pytest.mark.parametrize("shape", [(), (4,), (3, 2)])
def test_t_matches_torch_for_at_most_two_dims(shape):
    a, b = _pair(shape)
    for ours, theirs in ((a.t(), b.t()), (minigrad.t(a), torch.t(b))):
        _same(ours, theirs)
    ours, theirs = a.t() * 2.0, b.t() * 2.0
    _backward_same(ours, theirs, a, b)


def test_t_refuses_three_dims_as_torch():
    a, b = _pair((2, 3, 4))
    with pytest.raises(RuntimeError):
        b.t()
    with pytest.raises(ValueError, match=r"at most 2 dimensions.*\(2, 3, 4\)"):
        a.t()


@pytest.mark.parametrize("dim, start, length", [(0, 1, 2), (1, -3, 2), (1, 0, 0), (-1, 4, 0),
                                                (0, -4, 4)])
def test_narrow_matches_torch(dim, start, length):
    a, b = _pair((4, 4))
    _same(a.narrow(dim, start, length), b.narrow(dim, start, length))
    _same(minigrad.narrow(a, dim, start, length), torch.narrow(b, dim, start, length))
    ours, theirs = a.narrow(dim, start, length) ** 2, b.narrow(dim, start, length) ** 2
    _backward_same(ours, theirs, a, b)


def test_narrow_takes_a_zero_dim_integer_start_as_torch():
    a, b = _pair((5, 3))
    _same(a.narrow(0, minigrad.tensor(2), 3), b.narrow(0, torch.tensor(2), 3))


def test_narrow_is_a_view_in_place_changes_reach_the_base_as_torch():
    values = np.arange(12.0).reshape(4, 3)
    ours, theirs = minigrad.tensor(values), torch.tensor(values)
    ours.narrow(0, 1, 2).mul_(2)
    theirs.narrow(0, 1, 2).mul_(2)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours.narrow(1, -1, 1).fill_(-1.0)
    theirs.narrow(1, -1, 1).fill_(-1.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # and the other way round: the view sees a change to the base
    view, their_view = ours.narrow(0, 2, 2), theirs.narrow(0, 2, 2)
    ours.add_(1.0)
    theirs.add_(1.0)
    np.testing.assert_array_equal(view.numpy(), their_view.numpy())


@pytest.mark.parametrize("dim, start, length", [(0, 5, 0), (0, -5, 1), (0, 2, 3), (0, 0, -1),
                                                (2, 0, 1)])
def test_narrow_refuses_what_torch_refuses(dim, start, length):
    a, b = _pair((4, 3))
    with pytest.raises((RuntimeError, IndexError)):
        b.narrow(dim, start, length)
    with pytest.raises((IndexError, ValueError), match="narrow|dimension|range"):
        a.narrow(dim, start, length)


@pytest.mark.parametrize("name", ["swapaxes", "swapdims"])
@pytest.mark.parametrize("d0, d1", [(0, 2), (-1, 0), (1, 1)])
def test_swapaxes_swapdims_match_torch(name, d0, d1):
    a, b = _pair((2, 3, 4))
    _same(getattr(a, name)(d0, d1), getattr(b, name)(d0, d1))
    ours, theirs = getattr(minigrad, name)(a, d0, d1), getattr(torch, name)(b, d0, d1)
    _same(ours, theirs)
    _backward_same(ours * 3.0, theirs * 3.0, a, b)


def test_view_as_and_reshape_as_match_torch():
    a, b = _pair((2, 6))
    other_ours, other_theirs = minigrad.zeros(3, 4), torch.zeros(3, 4)
    _same(a.view_as(other_ours), b.view_as(other_theirs))
    ours, theirs = a.t().reshape_as(other_ours), b.t().reshape_as(other_theirs)
    _same(ours, theirs)
    _backward_same(ours, theirs, a, b)
    # view_as refuses a layout that needs a copy, as torch does; reshape_as copies
    with pytest.raises(RuntimeError):
        b.t().view_as(other_theirs)
    with pytest.raises(RuntimeError, match="reshape"):
        a.t().view_as(other_ours)


def test_view_as_shares_memory_as_torch():
    ours, theirs = minigrad.zeros(2, 3), torch.zeros(2, 3)
    ours.view_as(minigrad.zeros(6)).add_(1.0)
    theirs.view_as(torch.zeros(6)).add_(1.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_view_as_and_reshape_as_are_tensor_methods_only_as_torch():
    for name in ("view_as", "reshape_as"):
        assert not hasattr(torch, name)
        assert not hasattr(minigrad, name)


# --------------------------------------------------------------------------- item 2: rearranging


def _int_pair(values):
    return minigrad.tensor(np.asarray(values)), torch.tensor(np.asarray(values))


@pytest.mark.parametrize("dims", [0, (1,), (0, 2), (-1, 0, 1), ()])
def test_flip_matches_torch_and_copies(dims):
    a, b = _pair((2, 3, 4))
    ours, theirs = a.flip(dims), b.flip(dims)
    _same(ours, theirs)
    listed = (dims,) if isinstance(dims, int) else dims
    _same(minigrad.flip(a, listed), torch.flip(b, listed))
    _same(minigrad.flip(a, dims=listed), torch.flip(b, dims=listed))
    if len(listed) > 1:
        _same(a.flip(*listed), b.flip(*listed))
    assert not np.shares_memory(ours._array, a._array)
    _backward_same(ours * 2.0, theirs * 2.0, a, b)


@pytest.mark.parametrize("shifts, dims", [(1, None), (-7, None), (2, 1), ((1, -1), (0, 2)),
                                          ((1, 2), (1, 1)), (5, -1)])
def test_roll_matches_torch(shifts, dims):
    a, b = _pair((2, 3, 4))
    ours, theirs = a.roll(shifts, dims), b.roll(shifts, dims)
    _same(ours, theirs)
    _same(minigrad.roll(a, shifts, dims), torch.roll(b, shifts, dims))
    _backward_same(ours ** 2, theirs ** 2, a, b)


@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("shape, diagonal", [((3, 3), 0), ((3, 5), 1), ((2, 4, 3), -1),
                                             ((4, 2), 7), ((3, 3), -5)])
def test_tril_triu_match_torch(name, shape, diagonal):
    a, b = _pair(shape)
    ours, theirs = getattr(a, name)(diagonal), getattr(b, name)(diagonal)
    _same(ours, theirs)
    _same(getattr(minigrad, name)(a, diagonal=diagonal),
          getattr(torch, name)(b, diagonal=diagonal))
    _backward_same(ours * 3.0, theirs * 3.0, a, b)


@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu_refuse_fewer_than_two_dims_as_torch(name):
    a, b = _pair((3,))
    with pytest.raises(RuntimeError):
        getattr(b, name)()
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(3,\)"):
        getattr(a, name)()


@pytest.mark.parametrize("shape, sizes", [((2, 3), (2, 1)), ((2, 3), (1, 2, 2)), ((3,), (0,)),
                                          ((), (2, 3)), ((2, 1), (1, 3))])
def test_repeat_matches_torch(shape, sizes):
    a, b = _pair(shape)
    ours, theirs = a.repeat(*sizes), b.repeat(*sizes)
    _same(ours, theirs)
    _same(a.repeat(sizes), b.repeat(sizes))
    assert not np.shares_memory(ours._array, a._array)
    _backward_same(ours ** 2, theirs ** 2, a, b)
    assert not hasattr(minigrad, "repeat") and not hasattr(torch, "repeat")


def test_repeat_refuses_fewer_sizes_than_dims_as_torch():
    a, b = _pair((2, 3))
    with pytest.raises(RuntimeError):
        b.repeat(2)
    with pytest.raises(ValueError, match=r"at least one per dimension \(2\)"):
        a.repeat(2)


@pytest.mark.parametrize("repeats, dim", [(2, None), (3, 1), (0, 0), ([1, 0, 2], 1),
                                          ([2], 0), ([1, 3], -2), (2, -1)])
def test_repeat_interleave_matches_torch(repeats, dim):
    a, b = _pair((2, 3))
    if isinstance(repeats, list):
        ours_repeats, their_repeats = _int_pair(repeats)
    else:
        ours_repeats = their_repeats = repeats
    ours = a.repeat_interleave(ours_repeats, dim)
    theirs = b.repeat_interleave(their_repeats, dim)
    _same(ours, theirs)
    _same(minigrad.repeat_interleave(a, ours_repeats, dim=dim),
          torch.repeat_interleave(b, their_repeats, dim=dim))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_repeat_interleave_of_counts_alone_gives_indices_as_torch():
    ours, theirs = _int_pair([1, 2, 0, 3])
    np.testing.assert_array_equal(minigrad.repeat_interleave(ours).numpy(),
                                  torch.repeat_interleave(theirs).numpy())
    assert minigrad.repeat_interleave(ours).dtype == minigrad.int64


@pytest.mark.parametrize("repeats, dim", [([1, 2, 3], 0), (-1, None), ([1, -1], 0)])
def test_repeat_interleave_refuses_what_torch_refuses(repeats, dim):
    a, b = _pair((2, 3))
    if isinstance(repeats, list):
        ours_repeats, their_repeats = _int_pair(repeats)
    else:
        ours_repeats = their_repeats = repeats
    with pytest.raises(RuntimeError):
        b.repeat_interleave(their_repeats, dim)
    with pytest.raises(ValueError, match="repeats"):
        a.repeat_interleave(ours_repeats, dim)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(2, 3), (4,), (2, 3, 4), (0, 2)])
def test_meshgrid_matches_torch(indexing, sizes):
    pairs = [_pair((n,)) for n in sizes]
    ours = minigrad.meshgrid(*[p[0] for p in pairs], indexing=indexing)
    theirs = torch.meshgrid(*[p[1] for p in pairs], indexing=indexing)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        _same(o, t)
    as_list = minigrad.meshgrid([p[0] for p in pairs], indexing=indexing)
    for o, t in zip(as_list, theirs):
        _same(o, t)
    weights = RNG.standard_normal(len(sizes))
    our_total = sum(float(w) * (o ** 2) for w, o in zip(weights, ours))
    their_total = sum(float(w) * (t ** 2) for w, t in zip(weights, theirs))
    upstream = RNG.standard_normal(tuple(their_total.shape))
    our_total.backward(minigrad.tensor(upstream))
    their_total.backward(torch.from_numpy(upstream))
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_meshgrid_defaults_to_ij_and_takes_zero_dim_tensors_as_torch():
    a, b = _pair(())
    c, d = _pair((3,))
    ours = minigrad.meshgrid(a, c)
    theirs = torch.meshgrid(b, d, indexing="ij")
    for o, t in zip(ours, theirs):
        _same(o, t)


# --------------------------------------------------------------------------- item 3: gather/scatter


@pytest.mark.parametrize("dim, index", [
    (0, [[0, 1, 1], [1, 0, 0]]),
    (1, [[2], [0]]),
    (-1, [[0, 0, 2, 1]]),  # larger than input along dim, smaller in the other
    (0, np.zeros((0, 3), dtype=np.int64)),
])
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
def test_gather_matches_torch(dim, index, index_dtype):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(index, dtype=index_dtype))
    ours, theirs = a.gather(dim, ours_index), b.gather(dim, their_index)
    _same(ours, theirs)
    _same(minigrad.gather(a, dim, ours_index), torch.gather(b, dim, their_index))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_gather_of_a_zero_dim_tensor_matches_torch():
    a, b = _pair(())
    ours, theirs = a.gather(0, minigrad.tensor(0)), b.gather(0, torch.tensor(0))
    _same(ours, theirs)
    _backward_same(ours * 3.0, theirs * 3.0, a, b)


@pytest.mark.parametrize("dim, index", [(0, [[0, 2]]), (0, [0, 1]), (1, [[-1]]),
                                        (0, [[0, 0, 0, 0]])])
def test_gather_refuses_what_torch_refuses(dim, index):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(index)
    with pytest.raises(RuntimeError):
        b.gather(dim, their_index)
    with pytest.raises((IndexError, ValueError), match="gather: index"):
        a.gather(dim, ours_index)
    with pytest.raises(RuntimeError):
        b.gather(0, torch.tensor([[0.0]]))
    with pytest.raises(TypeError, match="int64 or int32, got float32"):
        a.gather(0, minigrad.tensor([[0.0]]))


@pytest.mark.parametrize("dim, index", [(0, [1, 0, 1]), (1, [2]), (-1, []), (1, 0)])
def test_index_select_matches_torch(dim, index):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(index, dtype=np.int64))
    ours, theirs = a.index_select(dim, ours_index), b.index_select(dim, their_index)
    _same(ours, theirs)
    _same(minigrad.index_select(a, dim, ours_index), torch.index_select(b, dim, their_index))
    _backward_same(ours ** 2, theirs ** 2, a, b)


@pytest.mark.parametrize("index", [[-1], [3], [[0]]])
def test_index_select_refuses_what_torch_refuses(index):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(index)
    with pytest.raises((RuntimeError, IndexError)):
        b.index_select(1, their_index)
    with pytest.raises((IndexError, ValueError), match="index_select: index"):
        a.index_select(1, ours_index)


@pytest.mark.parametrize("indices, dim", [
    ([[0, 2], [1, -1]], 1),
    ([[-1, 0, 1]], 0),      # broadcast along dimension 1 of the indices
    ([[0], [2]], 1),
    ([5, 1, 0], None),
    (np.zeros((2, 0), dtype=np.int64), 1),
])
def test_take_along_dim_matches_torch(indices, dim):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(indices, dtype=np.int64))
    ours = a.take_along_dim(ours_index, dim)
    theirs = b.take_along_dim(their_index, dim)
    _same(ours, theirs)
    _same(minigrad.take_along_dim(a, ours_index, dim=dim),
          torch.take_along_dim(b, their_index, dim=dim))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_take_along_dim_refuses_negative_indices_without_dim_as_torch():
    a, b = _pair((2, 3))
    with pytest.raises(RuntimeError):
        b.take_along_dim(torch.tensor([-1]))
    with pytest.raises(IndexError, match=r"index -1 is out of range .*\(expected 0 <= "):
        a.take_along_dim(minigrad.tensor([-1]))


def test_take_along_dim_broadcasts_the_input_too_as_torch():
    a, b = _pair((1, 3))
    ours_index, their_index = _int_pair([[0], [2], [1]])
    ours, theirs = a.take_along_dim(ours_index, 1), b.take_along_dim(their_index, 1)
    _same(ours, theirs)
    _backward_same(ours * 2.0, theirs * 2.0, a, b)


@pytest.mark.parametrize("shape, mask", [
    ((2, 3), [[True, False, True], [False, False, True]]),
    ((2, 3), [True, False, True]),
    ((2, 3), [[True], [False]]),
    ((3,), [[True, False, True], [True, True, False]]),  # the input broadcast to the mask
    ((2, 3), [[False] * 3] * 2),
])
def test_masked_select_matches_torch(shape, mask):
    a, b = _pair(shape)
    ours_mask, their_mask = _int_pair(np.asarray(mask, dtype=bool))
    ours, theirs = a.masked_select(ours_mask), b.masked_select(their_mask)
    _same(ours, theirs)
    _same(minigrad.masked_select(a, ours_mask), torch.masked_select(b, their_mask))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_masked_select_refuses_a_mask_that_is_not_bool_as_torch():
    a, b = _pair((3,))
    with pytest.raises(RuntimeError):
        b.masked_select(torch.tensor([1, 0, 1]))
    with pytest.raises(TypeError, match="mask must be a bool tensor, got int64"):
        a.masked_select(minigrad.tensor([1, 0, 1]))


def _corner(src, index):
    return src[tuple(slice(0, s) for s in index.shape)]


@pytest.mark.parametrize("dim, index", [
    (0, [[1, 0, 1], [0, 1, 0]]),
    (1, [[2, 0], [1, 2]]),
    (-1, [[1]]),
    (0, np.zeros((0, 2), dtype=np.int64)),
])
def test_scatter_with_src_matches_torch(dim, index):
    a, b = _pair((2, 3))
    src_ours, src_theirs = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(index, dtype=np.int64))
    ours = a.scatter(dim, ours_index, src_ours)
    _same(ours, b.scatter(dim, their_index, src_theirs))
    _same(minigrad.scatter(a, dim, ours_index, src=src_ours),
          torch.scatter(b, dim, their_index, src=src_theirs))
    # torch's backward refuses a src larger than index: give it the corner index covers,
    # whose gradient is the same (the rest of src is unused: a zero gradient)
    theirs = b.scatter(dim, their_index, _corner(src_theirs, their_index))
    upstream = RNG.standard_normal((2, 3))
    (ours ** 2).backward(minigrad.tensor(upstream))
    (theirs ** 2).backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(src_ours.grad.numpy(), src_theirs.grad.numpy(), rtol=1e-12,
                               atol=0)


@pytest.mark.parametrize("value", [2.5, -1])
def test_scatter_with_a_value_matches_torch(value):
    a, b = _pair((3, 2))
    ours_index, their_index = _int_pair([[2, 0], [0, 1]])
    ours, theirs = a.scatter(0, ours_index, value), b.scatter(0, their_index, value)
    _same(ours, theirs)
    _same(minigrad.scatter(a, 0, ours_index, value=value),
          torch.scatter(b, 0, their_index, value=value))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_scatter_keeps_the_dtype_of_integer_tensors_as_torch():
    ours = minigrad.zeros(2, 3, dtype=minigrad.int64).scatter(
        1, minigrad.tensor([[2], [0]]), minigrad.tensor([[7], [8]]))
    theirs = torch.zeros(2, 3, dtype=torch.int64).scatter(
        1, torch.tensor([[2], [0]]), torch.tensor([[7], [8]]))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == minigrad.int64


@pytest.mark.parametrize("dim, index", [
    (0, [[1, 1, 1], [1, 0, 1]]),  # repeated positions add up
    (1, [[2, 2], [0, 0]]),
    (-1, [[0]]),
])
def test_scatter_add_matches_torch(dim, index):
    a, b = _pair((2, 3))
    src_ours, src_theirs = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(index, dtype=np.int64))
    ours = a.scatter_add(dim, ours_index, src_ours)
    _same(ours, b.scatter_add(dim, their_index, src_theirs))
    _same(minigrad.scatter_add(a, dim, ours_index, src_ours),
          torch.scatter_add(b, dim, their_index, src_theirs))
    theirs = b.scatter_add(dim, their_index, _corner(src_theirs, their_index))
    upstream = RNG.standard_normal((2, 3))
    (ours ** 2).backward(minigrad.tensor(upstream))
    (theirs ** 2).backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(src_ours.grad.numpy(), src_theirs.grad.numpy(), rtol=1e-12,
                               atol=0)


@pytest.mark.parametrize("name", ["scatter", "scatter_add"])
@pytest.mark.parametrize("index, src_shape", [([[3]], (1, 1)), ([[0, 1, 0, 1]], (1, 4)),
                                              ([[0, 1]], (1, 1)), ([0], (1,))])
def test_scatter_refuses_what_torch_refuses(name, index, src_shape):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(index)
    with pytest.raises(RuntimeError):
        getattr(b, name)(0, their_index, torch.zeros(src_shape, dtype=torch.float64))
    with pytest.raises((IndexError, ValueError), match=f"{name}: (index|src)"):
        getattr(a, name)(0, ours_index, minigrad.zeros(src_shape, dtype=minigrad.float64))


def test_scatter_refuses_a_src_of_another_dtype_as_torch():
    a, b = _pair((2, 3))
    with pytest.raises(RuntimeError):
        b.scatter(0, torch.tensor([[0]]), torch.ones(1, 1))
    with pytest.raises(TypeError, match="src has dtype float32, but input has float64"):
        a.scatter(0, minigrad.tensor([[0]]), minigrad.ones(1, 1))


@pytest.mark.parametrize("dim, index", [(1, [0, 2]), (0, [-1]), (1, 1), (-1, [])])
def test_index_fill_matches_torch(dim, index):
    a, b = _pair((2, 3))
    ours_index, their_index = _int_pair(np.asarray(index, dtype=np.int64))
    ours, theirs = a.index_fill(dim, ours_index, -1.5), b.index_fill(dim, their_index, -1.5)
    _same(ours, theirs)
    _same(minigrad.index_fill(a, dim, ours_index, 2), torch.index_fill(b, dim, their_index, 2))
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_index_fill_with_a_zero_dim_tensor_value_sends_it_the_gradient_as_torch():
    a, b = _pair((3, 2))
    v_ours, v_theirs = _pair(())
    ours = a.index_fill(0, minigrad.tensor([0, 2]), v_ours)
    theirs = b.index_fill(0, torch.tensor([0, 2]), v_theirs)
    _same(ours, theirs)
    _backward_same(ours ** 2, theirs ** 2, a, b)
    np.testing.assert_allclose(v_ours.grad.numpy(), v_theirs.grad.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- item 4: in place


@pytest.mark.parametrize("name, args", [("unsqueeze_", (0,)), ("unsqueeze_", (-1,)),
                                        ("squeeze_", ()), ("squeeze_", (1,)), ("t_", ())])
def test_in_place_view_ops_match_torch(name, args):
    a, b = _pair((3, 1))
    ours, theirs = a * 2.0, b * 2.0
    assert getattr(ours, name)(*args) is ours
    getattr(theirs, name)(*args)
    _same(ours, theirs)
    assert ours._version == theirs._version
    _backward_same(ours ** 2, theirs ** 2, a, b)


def test_in_place_view_ops_refuse_a_leaf_requiring_grad_but_not_under_no_grad_as_torch():
    a, b = _pair((3,))
    with pytest.raises(RuntimeError):
        b.unsqueeze_(0)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        a.unsqueeze_(0)
    with torch.no_grad():
        b.unsqueeze_(0)
    with minigrad.no_grad():
        a.unsqueeze_(0)
    assert a.shape == tuple(b.shape) and a.is_leaf and a.requires_grad


def test_in_place_view_op_after_a_save_is_caught_as_torch():
    a, b = _pair((3,))
    ours, theirs = a * 1.0, b * 1.0
    our_product, their_product = ours * ours, theirs * theirs
    ours.unsqueeze_(0)
    theirs.unsqueeze_(0)
    with pytest.raises(RuntimeError):
        their_product.sum().backward()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        our_product.sum().backward()


def test_t_in_place_refuses_three_dims_as_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(1, 2, 3).t_()
    with pytest.raises(ValueError, match=r"at most 2 dimensions, got shape \(1, 2, 3\)"):
        minigrad.zeros(1, 2, 3).t_()


def _in_place_calls(module):
    index = module.tensor([[1, 0, 1]])
    return {
        "masked_fill_": lambda t: t.masked_fill_(module.tensor([True, False, True]), -2.0),
        "index_fill_": lambda t: t.index_fill_(1, module.tensor([0, -1]), 4.0),
        "scatter_src": lambda t: t.scatter_(0, index, t.detach() * 0 + 5.0),
        "scatter_value": lambda t: t.scatter_(1, module.tensor([[2], [0]]), 7.0),
        "scatter_add_": lambda t: t.scatter_add_(0, index, module.ones(1, 3,
                                                                      dtype=module.float64)),
    }


@pytest.mark.parametrize("name", ["masked_fill_", "index_fill_", "scatter_src",
                                  "scatter_value", "scatter_add_"])
def test_in_place_indexing_ops_match_torch_in_values_versions_and_gradients(name):
    a, b = _pair((2, 3))
    ours, theirs = a * 3.0, b * 3.0
    assert _in_place_calls(minigrad)[name](ours) is ours
    _in_place_calls(torch)[name](theirs)
    _same(ours, theirs)
    assert ours._version == theirs._version == 1
    _backward_same(ours ** 2, theirs ** 2, a, b)


@pytest.mark.parametrize("name", ["masked_fill_", "scatter_src", "scatter_add_"])
def test_in_place_indexing_ops_through_a_view_reach_the_base_as_torch(name):
    values = RNG.standard_normal((4, 3))
    ours, theirs = minigrad.tensor(values), torch.tensor(values)
    _in_place_calls(minigrad)[name](ours.narrow(0, 1, 2))
    _in_place_calls(torch)[name](theirs.narrow(0, 1, 2))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_masked_fill_in_place_refuses_a_mask_larger_than_the_tensor_as_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(3).masked_fill_(torch.ones(2, 3, dtype=torch.bool), 1.0)
    x = minigrad.zeros(3)
    with pytest.raises(ValueError, match=r"result of shape \(2, 3\) does not fit the tensor "
                                         r"of shape \(3,\)"):
        x.masked_fill_(minigrad.ones(2, 3, dtype=minigrad.bool), 1.0)
    assert x.tolist() == [0.0, 0.0, 0.0] and x._version == 0


# --------------------------------------------------------------------------- item 4: random fills


@pytest.mark.parametrize("name, args, check", [
    ("uniform_", (-2.0, 3.0), lambda v: (v.min() >= -2.0) & (v.max() < 3.0)
     & (abs(v.mean() - 0.5) < 0.05)),
    ("normal_", (1.5, 0.5), lambda v: (abs(v.mean() - 1.5) < 0.02) & (abs(v.std() - 0.5) < 0.02)),
    ("bernoulli_", (0.25,), lambda v: set(np.unique(v)) <= {0.0, 1.0}
     and abs(v.mean() - 0.25) < 0.02),
    ("exponential_", (4.0,), lambda v: (v.min() >= 0) & (abs(v.mean() - 0.25) < 0.01)),
])
def test_random_fills_draw_from_torchs_distributions(name, args, check):
    ours, theirs = minigrad.zeros(20000, dtype=minigrad.float64), torch.zeros(20000,
                                                                            dtype=torch.float64)
    assert getattr(ours, name)(*args) is ours
    getattr(theirs, name)(*args)
    assert check(ours.numpy()) and check(theirs.numpy())
    assert ours._version == theirs._version == 1
    assert ours.dtype == minigrad.float64


@pytest.mark.parametrize("name", ["uniform_", "normal_", "bernoulli_", "exponential_"])
def test_random_fills_of_a_leaf_requiring_grad_as_torch(name):
    a, b = _pair((3,))
    with pytest.raises(RuntimeError):
        getattr(b, name)()
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        getattr(a, name)()
    before = a.detach().numpy().copy()
    getattr(a.data, name)()  # allowed, as p.data.uniform_() in torch
    getattr(b.data, name)()
    assert not np.array_equal(a.detach().numpy(), before) or name == "bernoulli_"
    with minigrad.no_grad():
        getattr(a, name)()
    with torch.no_grad():
        getattr(b, name)()
    assert a.is_leaf and a.requires_grad


@pytest.mark.parametrize("name", ["uniform_", "normal_", "exponential_"])
def test_random_fill_of_a_tensor_with_history_gives_it_a_zero_gradient_as_torch(name):
    a, b = _pair((3,))
    ours, theirs = a * 2.0, b * 2.0
    getattr(ours, name)()
    getattr(theirs, name)()
    (ours * 3.0).sum().backward()
    (theirs * 3.0).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    assert a.grad.numpy().tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("call", [
    lambda t: t.uniform_(1.0, 0.0), lambda t: t.normal_(0.0, -1.0),
    lambda t: t.bernoulli_(1.5), lambda t: t.exponential_(0.0), lambda t: t.exponential_(-1.0),
])
def test_random_fills_refuse_bad_parameters_as_torch(call):
    with pytest.raises(RuntimeError):
        call(torch.zeros(3))
    x = minigrad.zeros(3)
    with pytest.raises(ValueError, match="expects"):
        call(x)
    assert x._version == 0


def test_random_fills_of_integer_tensors_as_torch():
    for name in ("uniform_", "normal_"):
        with pytest.raises(NotImplementedError):
            getattr(torch.zeros(3, dtype=torch.int64), name)()
        with pytest.raises(TypeError, match=r"floating point tensor, got dtype int64"):
            getattr(minigrad.zeros(3, dtype=minigrad.int64), name)()
    ours = minigrad.zeros(50, dtype=minigrad.int64).bernoulli_(0.5)
    theirs = torch.zeros(50, dtype=torch.int64).bernoulli_(0.5)
    assert ours.dtype == minigrad.int64 and theirs.dtype == torch.int64
    assert set(np.unique(ours.numpy())) <= {0, 1}


def test_bernoulli_takes_a_tensor_of_probabilities_as_torch():
    p = np.array([0.0, 1.0, 1.0, 0.0])
    ours = minigrad.zeros(2, 4).bernoulli_(minigrad.tensor(p))
    theirs = torch.zeros(2, 4).bernoulli_(torch.tensor(p))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
