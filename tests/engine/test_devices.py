"""Devices: every spelling of the CPU is accepted, any other device is refused clearly."""

from __future__ import annotations

import pytest

import minigrad


def test_the_cpu_in_every_spelling():
    cpu = minigrad.device("cpu")
    assert cpu == "cpu" and cpu == minigrad.device("cpu") and str(cpu) == "cpu"
    assert minigrad.device("cpu:0").index == 0 and minigrad.device("cpu", 0) == "cpu:0"
    assert repr(cpu) == "device(type='cpu')" and cpu.type == "cpu"
    assert minigrad.get_default_device() == cpu
    minigrad.set_default_device("cpu")
    assert minigrad.ones(2).device == cpu and not minigrad.ones(2).is_cuda


def test_device_arguments_are_accepted_on_the_cpu():
    cpu = minigrad.device("cpu")
    for make in (
        lambda: minigrad.zeros(2, device=cpu),
        lambda: minigrad.tensor([1.0], device="cpu"),
        lambda: minigrad.randn(2, device="cpu:0"),
        lambda: minigrad.arange(3, device=cpu),
        lambda: minigrad.full((2,), 1.0, device=None),
        lambda: minigrad.ones(2).new_zeros(3, device="cpu"),
    ):
        assert make().device == cpu
    x = minigrad.ones(2, requires_grad=True)
    assert x.to(cpu) is x and x.cpu() is x and x.to("cpu", minigrad.float64).dtype == "float64"
    model = minigrad.nn.Linear(2, 2)
    assert model.to(cpu) is model and model.cpu() is model
    model.to("cpu", minigrad.float64)
    assert model.weight.dtype == minigrad.float64


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_other_devices_are_refused_naming_the_cpu(name):
    with pytest.raises(RuntimeError, match="CPU only"):
        minigrad.device(name)
    with pytest.raises(RuntimeError, match="zeros|new tensor"):
        minigrad.zeros(2, device=name)
    with pytest.raises(RuntimeError, match="to: .*CPU only"):
        minigrad.ones(2).to(name)
    with pytest.raises(RuntimeError, match="Module.to: .*CPU only"):
        minigrad.nn.Linear(1, 1).to(name)


def test_cuda_and_backends_report_nothing_available():
    assert minigrad.cuda.is_available() is False and minigrad.cuda.device_count() == 0
    minigrad.cuda.manual_seed_all(0)  # does nothing, as PyTorch without CUDA
    assert not minigrad.backends.mps.is_available()
    minigrad.backends.cudnn.deterministic = True
    with pytest.raises(RuntimeError, match="CPU only"):
        minigrad.ones(1).cuda()


def test_load_accepts_the_common_loading_arguments(tmp_path):
    path = tmp_path / "weights.npz"
    minigrad.save(minigrad.nn.Linear(2, 3).state_dict(), path)
    for kwargs in (
        {"map_location": "cpu"},
        {"map_location": minigrad.device("cpu"), "weights_only": True},
        {"map_location": lambda storage, location: storage},
        {"map_location": {"cuda:0": "cpu"}},
    ):
        assert list(minigrad.load(path, **kwargs)) == ["weight", "bias"]
    with pytest.raises(RuntimeError, match="CPU only"):
        minigrad.load(path, map_location="cuda")
    with pytest.raises(TypeError, match=r"save its state dict"):
        minigrad.save(minigrad.nn.Linear(2, 3), path)
