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
