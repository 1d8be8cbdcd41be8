"""Making tensors the PyTorch ways: generators, random functions, typed constructors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def test_a_seeded_generator_replays_its_numbers():
    g = minigrad.Generator().manual_seed(3)
    first = minigrad.rand(4, generator=g).tolist()
    state = g.get_state()
    second = minigrad.randn(2, 3, generator=g)
    assert g.manual_seed(3) is g and minigrad.rand(4, generator=g).tolist() == first
    g.set_state(state)
    np.testing.assert_array_equal(minigrad.randn(2, 3, generator=g)._array, second._array)
    assert g.initial_seed() == 3 and g.device == "cpu"


def test_an_own_generator_leaves_the_global_stream_alone():
    minigrad.manual_seed(0)
    expected = minigrad.randint(0, 100, (5,)).tolist()
    minigrad.manual_seed(0)
    minigrad.randint(0, 100, (5,), generator=minigrad.Generator().manual_seed(1))
    assert minigrad.randint(0, 100, (5,)).tolist() == expected


def test_manual_seed_returns_the_default_generator():
    assert minigrad.manual_seed(5) is minigrad.default_generator
    assert minigrad.initial_seed() == 5
    assert minigrad.seed() == minigrad.initial_seed()


def test_generator_errors_name_the_fault():
    with pytest.raises(TypeError, match="rand: generator must be a minigrad.Generator"):
        minigrad.rand(2, generator=0)
    with pytest.raises(ValueError, match="non-negative int"):
        minigrad.Generator().manual_seed(-1)
    with pytest.raises(ValueError, match="CPU only"):
        minigrad.Generator("cuda")


def test_typed_tensor_classes_make_and_recognise_their_dtype():
    assert minigrad.LongTensor([1, 2]).dtype == minigrad.int64
    assert minigrad.FloatTensor([1, 2]).dtype == minigrad.float32
    assert minigrad.DoubleTensor(2, 3).shape == (2, 3)
    assert isinstance(minigrad.ones(2), minigrad.FloatTensor)
    assert not isinstance(minigrad.ones(2), minigrad.LongTensor)
    assert isinstance(minigrad.arange(3), minigrad.LongTensor)


def test_type_names_and_converts():
    x = minigrad.ones(2)
    assert x.type() == "minigrad.FloatTensor"
    assert x.type(minigrad.LongTensor).dtype == minigrad.int64
    assert x.type("torch.DoubleTensor").dtype == minigrad.float64
    assert x.type(minigrad.float64).type() == "minigrad.DoubleTensor"
    with pytest.raises(TypeError, match="not a dtype"):
        x.type("torch.HalfTensor")


def test_new_constructors_keep_the_dtype_unless_told():
    x = minigrad.ones(2, dtype=minigrad.float64)
    assert x.new_zeros(2, 3).dtype == minigrad.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones(4, dtype=minigrad.int64).tolist() == [1, 1, 1, 1]
    assert x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert x.new_empty(3).shape == (3,)
    made = x.new_tensor([1, 2], requires_grad=True)
    assert made.dtype == minigrad.float64 and made.requires_grad


def test_randperm_and_normal():
    g = minigrad.Generator().manual_seed(0)
    order = minigrad.randperm(10, generator=g)
    assert order.dtype == minigrad.int64 and sorted(order.tolist()) == list(range(10))
    draws = minigrad.normal(2.0, 3.0, (20000,), generator=g)
    assert abs(draws.mean().item() - 2.0) < 0.1 and abs(draws.std().item() - 3.0) < 0.1
    means = minigrad.tensor([0.0, 100.0], dtype=minigrad.float64)
    shifted = minigrad.normal(means, 0.5, generator=g)
    assert shifted.dtype == minigrad.float64 and abs(shifted[1].item() - 100.0) < 5
    with pytest.raises(TypeError, match="pass the size"):
        minigrad.normal(0.0, 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        minigrad.normal(means, -1.0)


def test_bernoulli_draws_each_element_with_its_probability():
    g = minigrad.Generator().manual_seed(1)
    p = minigrad.tensor([0.0, 1.0, 0.25]).expand(20000, 3)
    draws = minigrad.bernoulli(p, generator=g)
    assert draws.dtype == minigrad.float32
    frequency = draws.mean(dim=0).tolist()
    assert frequency[0] == 0.0 and frequency[1] == 1.0 and abs(frequency[2] - 0.25) < 0.02
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        minigrad.bernoulli(minigrad.tensor([1.5]))


def test_multinomial_with_and_without_replacement():
    g = minigrad.Generator().manual_seed(2)
    weights = minigrad.tensor([1.0, 0.0, 3.0])
    drawn = minigrad.multinomial(weights, 8000, replacement=True, generator=g)
    counts = np.bincount(drawn.numpy(), minlength=3)
    assert drawn.dtype == minigrad.int64 and counts[1] == 0 and abs(counts[2] / 8000 - 0.75) < 0.03
    rows = minigrad.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 5.0, 1.0, 0.0]])
    unique = minigrad.multinomial(rows, 2, generator=g)
    assert unique.shape == (2, 2) and sorted(unique[1].tolist()) == [1, 2]
    assert len(set(minigrad.multinomial(rows[0], 4, generator=g).tolist())) == 4
    firsts = [minigrad.multinomial(rows[1], 1, generator=g).item() for _ in range(3000)]
    assert abs(firsts.count(1) / 3000 - 5 / 6) < 0.03  # the first draw follows the weights
    with pytest.raises(ValueError, match="replacement=True"):
        minigrad.multinomial(rows, 3)
    with pytest.raises(ValueError, match="non-negative"):
        minigrad.multinomial(minigrad.tensor([1.0, -1.0]), 1)


def test_small_helpers():
    assert minigrad.is_tensor(minigrad.ones(1)) and not minigrad.is_tensor(np.ones(1))
    assert minigrad.numel(minigrad.ones(2, 3)) == 6
    assert minigrad.finfo(minigrad.float32).eps == np.finfo(np.float32).eps
    assert minigrad.finfo().bits == 32 and minigrad.finfo(minigrad.float64).tiny > 0
    assert minigrad.iinfo(minigrad.int32).max == 2**31 - 1
    with pytest.raises(TypeError, match="integer dtype"):
        minigrad.iinfo(minigrad.float32)
    threads = minigrad.get_num_threads()
    minigrad.set_num_threads(1)
    assert minigrad.get_num_threads() == 1
    minigrad.set_num_threads(threads)
    with pytest.raises(ValueError, match="positive int"):
        minigrad.set_num_threads(0)


def test_inference_mode_records_nothing():
    x = minigrad.ones(2, requires_grad=True)
    with minigrad.inference_mode():
        assert minigrad.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    with minigrad.inference_mode(False):
        assert (x * 2).requires_grad

    @minigrad.inference_mode
    def bare():
        return x * 2

    @minigrad.inference_mode()
    def called():
        return x * 2

    assert not bare().requires_grad and not called().requires_grad
    assert minigrad.is_grad_enabled()
