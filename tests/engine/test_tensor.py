"""The Tensor data structure, constructors, dtypes, and the errors bad input gets."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import Tensor


@pytest.fixture(autouse=True)
def default_dtype_restored():
    yield
    minigrad.set_default_dtype(minigrad.float32)


# --------------------------------------------------------------------------- basics


def test_attributes():
    t = minigrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.dim() == 2
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.numel() == 6 and len(t) == 2
    assert t.dtype == minigrad.float32 and t.dtype == np.float32
    assert t.grad is None and not t.requires_grad and t.is_leaf
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t[1, 2].item() == 6.0
    assert [row.tolist() for row in t] == t.tolist()
    np.testing.assert_array_equal(np.asarray(t), t._array)
    assert t.T.shape == (3, 2) and t.mT.shape == (3, 2)


def test_python_numbers_pick_dtypes_like_pytorch():
    assert minigrad.tensor(1.5).dtype == minigrad.float32
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64
    assert minigrad.tensor([True]).dtype == minigrad.bool
    assert minigrad.tensor(np.zeros(2)).dtype == minigrad.float64  # arrays keep theirs
    minigrad.set_default_dtype(minigrad.float64)
    assert minigrad.tensor(1.5).dtype == minigrad.float64
    assert minigrad.zeros(2).dtype == minigrad.float64
    assert minigrad.get_default_dtype() == minigrad.float64


def test_scalars_do_not_widen_tensors():
    t = minigrad.tensor([1.0, 2.0])
    assert (t * 2.5).dtype == minigrad.float32
    assert (2 ** t).dtype == minigrad.float32
    assert (minigrad.tensor([1, 2]) * 0.5).dtype == minigrad.float32
    assert (minigrad.tensor([1, 2]) / minigrad.tensor([2, 4])).dtype == minigrad.float32
    assert (np.float64(2.0) * t).dtype == minigrad.float32


def test_unsupported_data_is_refused():
    with pytest.raises(TypeError, match="float16"):
        minigrad.tensor(np.zeros(2, dtype=np.float16))
    with pytest.raises(TypeError, match="cannot make a tensor"):
        minigrad.tensor(["a", "b"])
    with pytest.raises(TypeError, match="complex128"):
        minigrad.tensor([1.0], dtype=np.complex128)
    with pytest.raises(TypeError, match="float32 or float64"):
        minigrad.set_default_dtype(minigrad.int64)


def test_tensor_copies_and_from_numpy_shares():
    array = np.zeros(3, dtype=np.float32)
    copied, shared = minigrad.tensor(array), minigrad.from_numpy(array)
    array[0] = 1.0
    assert copied._array[0] == 0.0 and shared._array[0] == 1.0


def test_numpy_refuses_tensors_that_require_grad():
    t = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        t.numpy()
    assert t.detach().numpy() is t._array


def test_data_is_a_detached_tensor_on_the_same_memory():
    p = minigrad.ones(3, requires_grad=True)
    data = p.data
    assert isinstance(data, minigrad.Tensor) and not data.requires_grad and data.grad_fn is None
    data[0] = 5.0  # shared memory: p sees it
    assert p._array[0] == 5.0
    assert np.shares_memory(p.data._array, p._array)


def test_an_update_through_data_is_not_recorded():
    # the classic training step p.data.add_(p.grad, alpha=-lr): allowed on a leaf that
    # requires grad, and not counted as a change of p, so a graph that saved p still runs
    p = minigrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (p * p).sum()
    p.data.add_(minigrad.tensor([1.0, 1.0]), alpha=-0.5)
    assert p._version == 0
    loss.backward()
    np.testing.assert_array_equal(p.grad._array, [1.0, 3.0])  # 2 * the changed values
    with pytest.raises(RuntimeError, match="in-place"):
        p.add_(1.0)  # the same change on p itself is refused


def test_setting_data_swaps_the_values():
    p = minigrad.zeros(2, requires_grad=True)
    p.data = minigrad.tensor([3.0, 4.0, 5.0])
    assert p.shape == (3,) and p.requires_grad
    p.data = np.arange(2, dtype=np.float64)
    np.testing.assert_array_equal(p._array, [0.0, 1.0])
    with pytest.raises(TypeError, match="Tensor or a NumPy array, got list"):
        p.data = [1.0, 2.0]


def test_comparison_with_foreign_objects_defers_to_them():
    t = minigrad.tensor([1.0, 2.0])
    assert (t == None) is False and (t != "a") is True  # noqa: E711
    assert t[1] == pytest.approx(2.0)
    with pytest.raises(TypeError, match="not supported"):
        t < "a"  # noqa: B015


def test_scalar_conversions():
    assert float(minigrad.tensor(2.5)) == 2.5 and int(minigrad.tensor(3)) == 3
    assert bool(minigrad.tensor([1.0]))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        minigrad.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(minigrad.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="0-d"):
        len(minigrad.tensor(1.0))


def test_repr():
    assert repr(minigrad.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "requires_grad=True" in repr(minigrad.ones(2, requires_grad=True))
    assert "grad_fn=<MulBackward>" in repr(minigrad.ones(2, requires_grad=True) * 2)
    assert "dtype=minigrad.float64" in repr(minigrad.zeros(1, dtype=minigrad.float64))


def test_numpy_arrays_on_the_left_defer_to_tensors():
    result = np.ones(2, dtype=np.float32) + minigrad.tensor([1.0, 2.0])
    assert isinstance(result, Tensor)
    np.testing.assert_array_equal(result._array, [2.0, 3.0])


def test_comparisons_give_bool_tensors_and_tensors_stay_hashable():
    a, b = minigrad.tensor([1.0, 2.0]), minigrad.tensor([2.0, 2.0])
    assert (a < b).tolist() == [True, False] and (a == b).tolist() == [False, True]
    assert (a >= 2).dtype == minigrad.bool
    assert ((a < b) & (a > 0)).tolist() == [True, False]
    assert len({a, b}) == 2


# --------------------------------------------------------------------------- constructors


def test_constructors():
    assert minigrad.zeros(2, 3).shape == (2, 3) and minigrad.zeros((2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(minigrad.ones(2)._array, [1.0, 1.0])
    full = minigrad.full((2,), 7)
    assert full.dtype == minigrad.int64 and full.tolist() == [7, 7]
    assert minigrad.full((1,), 0.5).dtype == minigrad.float32
    assert minigrad.empty(4, dtype=minigrad.float64).dtype == minigrad.float64
    assert minigrad.arange(4).tolist() == [0, 1, 2, 3]
    assert minigrad.arange(4).dtype == minigrad.int64
    np.testing.assert_allclose(minigrad.arange(0, 1, 0.25)._array, [0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(minigrad.linspace(0, 1, 5)._array, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(minigrad.eye(2, 3)._array, np.eye(2, 3))
    like = minigrad.zeros(2, 2, dtype=minigrad.float64)
    assert minigrad.ones_like(like).dtype == minigrad.float64
    assert minigrad.zeros_like(like, dtype=minigrad.float32).dtype == minigrad.float32
    assert minigrad.full_like(like, 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert minigrad.randn_like(like).shape == (2, 2)
    assert minigrad.rand(3, requires_grad=True).requires_grad


def test_random_numbers_are_reproducible_after_manual_seed():
    minigrad.manual_seed(42)
    first = (minigrad.rand(3).tolist(), minigrad.randn(2).tolist(), minigrad.randint(0, 9, (4,)))
    minigrad.manual_seed(42)
    second = (minigrad.rand(3).tolist(), minigrad.randn(2).tolist(), minigrad.randint(0, 9, (4,)))
    assert first[:2] == second[:2] and first[2].tolist() == second[2].tolist()
    values = minigrad.randint(3, 5, size=(1000,))
    assert set(values.tolist()) == {3, 4}
    uniform = minigrad.rand(1000, dtype=minigrad.float64)
    assert 0.0 <= uniform._array.min() and uniform._array.max() < 1.0


def test_constructor_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="-1"):
        minigrad.zeros(2, -1)
    with pytest.raises(ValueError, match="high"):
        minigrad.randint(5, 5, (2,))
    with pytest.raises(ValueError, match="step"):
        minigrad.arange(0, 1, 0)


# --------------------------------------------------------------------------- op errors


def test_broadcast_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        minigrad.ones(2, 3) + minigrad.ones(4)
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        minigrad.maximum(minigrad.ones(2), minigrad.ones(3))


def test_matmul_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 3\)"):
        minigrad.ones(2, 3) @ minigrad.ones(2, 3)
    with pytest.raises(ValueError, match=r"\(\) and \(2,\)"):
        minigrad.tensor(1.0) @ minigrad.ones(2)
    with pytest.raises(TypeError, match="ndarray"):
        minigrad.matmul(minigrad.ones(2), np.ones(2))


def test_shape_errors():
    t = minigrad.ones(2, 3)
    with pytest.raises(ValueError, match=r"\[4, 2\].*\(2, 3\)"):
        t.reshape(4, 2)
    with pytest.raises(RuntimeError, match="reshape"):
        t.T.view(6)
    assert t.T.reshape(6).shape == (6,)
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(2, 3\)"):
        minigrad.cat([t, minigrad.ones(2, 2)], dim=0)
    with pytest.raises(ValueError, match="permutation"):
        t.permute(0, 0)
    with pytest.raises(IndexError, match=r"dimension 2 .* 2 dimensions"):
        t.sum(dim=2)
    with pytest.raises(IndexError, match=r"out of bounds.*\(2, 3\)"):
        t[5]
    with pytest.raises(IndexError, match="float"):
        t[0.5]
    with pytest.raises(ValueError, match="do not add up"):
        t.split([1, 1], dim=1)
    with pytest.raises(ValueError, match="broadcast"):
        t.expand(3, 3)


def test_other_op_errors():
    with pytest.raises(TypeError, match="bool"):
        minigrad.where(minigrad.ones(2), minigrad.ones(2), 0.0)
    with pytest.raises(TypeError, match="floating"):
        minigrad.softmax(minigrad.tensor([1, 2]), dim=0)
    with pytest.raises(ValueError, match="p must"):
        minigrad.ones(2).norm(p="nuc")
    with pytest.raises(RuntimeError, match="empty"):
        minigrad.zeros(0).max()
    with pytest.raises(TypeError, match="str"):
        minigrad.ones(2) + "a"
    with pytest.raises(ValueError, match="min and max"):
        minigrad.ones(2).clamp()


def test_shape_ops_values():
    x = minigrad.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    assert x.unsqueeze(-1).shape == (2, 3, 4, 1) and x[:, :1].squeeze(1).shape == (2, 4)
    assert x[:1].expand(5, -1, -1).shape == (5, 3, 4)
    parts = x.chunk(3, dim=2)
    assert [p.shape for p in parts] == [(2, 3, 2), (2, 3, 2)]
    assert [p.shape for p in x.split([1, 2], dim=1)] == [(2, 1, 4), (2, 2, 4)]
    assert [p.shape for p in x.unbind(1)] == [(2, 4)] * 3
    assert minigrad.stack([x, x], dim=-1).shape == (2, 3, 4, 2)
    padded = minigrad.pad(x, (1, 2, 0, -1))
    assert padded.shape == (2, 2, 7)
    np.testing.assert_array_equal(padded._array[..., 1:5], x._array[:, :2])
    mask = x > 20
    assert x[mask].tolist() == [21.0, 22.0, 23.0]
    assert x[minigrad.tensor([1, 0]), 0, 0].tolist() == [12.0, 0.0]
    assert x.reshape(-1, 4).shape == (6, 4) and x.view(6, -1).shape == (6, 4)
