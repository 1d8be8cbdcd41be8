"""The lines PyTorch programs open with, run against both libraries: devices, typed
tensors, the new_* constructors, random draws' shapes and dtypes, dtype facts."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402


def _program(lib):
    device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
    x = lib.ones(2, 3, device=device, dtype=lib.float64)
    model = lib.nn.Linear(3, 2).to(device)
    generator = lib.Generator().manual_seed(0)
    facts = {
        "device": str(device),
        "x.device": str(x.device),
        "new_zeros": (tuple(x.new_zeros(4).shape), str(x.new_zeros(4).dtype)),
        "new_full": x.new_full((2,), 3.0).tolist(),
        "new_tensor": str(x.new_tensor([1, 2]).dtype),
        "long": (str(lib.LongTensor([1, 2]).dtype), isinstance(x, lib.DoubleTensor)),
        "type": x.type(lib.LongTensor).dtype == lib.int64,
        "randperm": (str(lib.randperm(5, generator=generator).dtype),
                     sorted(lib.randperm(5).tolist())),
        "multinomial": [
            (tuple(m.shape), str(m.dtype)) for m in (
                lib.multinomial(lib.tensor([0.2, 0.8]), 3, replacement=True),
                lib.multinomial(lib.tensor([[1.0, 1.0, 2.0]] * 2), 2),
            )
        ],
        "bernoulli": str(lib.bernoulli(lib.full((3,), 0.5)).dtype),
        "normal": tuple(lib.normal(lib.zeros(2, 2), 1.0).shape),
        "finfo": (lib.finfo(lib.float32).eps, lib.finfo(lib.float64).max,
                  lib.finfo(lib.float32).tiny, lib.finfo(lib.float32).bits),
        "iinfo": (lib.iinfo(lib.int64).max, lib.iinfo(lib.int32).min),
        "is_tensor": (lib.is_tensor(x), lib.is_tensor(3)),
        "numel": lib.numel(x),
        "module": str(next(model.parameters()).device),
        "cpu": x.cpu().shape == x.shape,
    }
    with lib.inference_mode():
        facts["inference"] = (model(lib.ones(1, 3)).requires_grad, lib.is_grad_enabled())
    return facts


def test_opening_lines_give_the_same_facts():
    ours, theirs = _program(minigrad), _program(torch)
    theirs["new_zeros"] = (theirs["new_zeros"][0], theirs["new_zeros"][1].replace("torch.", ""))
    for key in ("new_tensor", "long", "randperm", "bernoulli"):
        theirs[key] = _strip(theirs[key])
    theirs["multinomial"] = [(shape, _strip(dtype)) for shape, dtype in theirs["multinomial"]]
    for key, value in theirs.items():
        assert ours[key] == value, key


def _strip(value):
    if isinstance(value, str):
        return value.replace("torch.", "")
    if not isinstance(value, (tuple, list)):
        return value
    return type(value)(_strip(v) for v in value)


def test_finfo_matches_numpy_and_torch():
    for dtype in ("float32", "float64"):
        ours, theirs = minigrad.finfo(getattr(minigrad, dtype)), torch.finfo(getattr(torch, dtype))
        assert (ours.eps, ours.max, ours.min, ours.tiny, ours.resolution) == (
            theirs.eps, theirs.max, theirs.min, theirs.tiny, theirs.resolution
        )
        assert ours.eps == float(np.finfo(dtype).eps)


@pytest.mark.parametrize(
    "args",
    [([1, 2],), ([[1.5, 2.0]],), ([True, False],), (np.arange(3),), (np.ones(2),), ((2, 3),),
     (2, 3), (4,), (0,), ()],
    ids=repr,
)
def test_the_legacy_tensor_constructor(args):
    """``Tensor(data)`` copies data in the default float dtype; ``Tensor(2, 3)`` is a shape
    (uninitialised in torch, so only its shape and dtype are compared)."""
    ours, theirs = minigrad.Tensor(*args), torch.Tensor(*args)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    if args and not isinstance(args[0], int):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_the_legacy_constructor_follows_the_default_dtype_and_refuses_a_number():
    previous = minigrad.get_default_dtype()
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert minigrad.Tensor([1, 2]).dtype == minigrad.float64
    finally:
        minigrad.set_default_dtype(previous)
    with pytest.raises(TypeError, match="must be a sequence"):
        torch.Tensor(2.5)
    with pytest.raises(TypeError, match=r"must be a sequence.*minigrad.tensor\(2.5\)"):
        minigrad.Tensor(2.5)
    with pytest.raises(TypeError, match="non-negative ints"):
        minigrad.Tensor(2, -1)


LAYERS_WITH_DEVICE = [
    ("Linear", (3, 2)), ("LSTM", (3, 2)), ("GRU", (3, 2)), ("RNN", (3, 2)),
    ("LSTMCell", (3, 2)), ("GRUCell", (3, 2)), ("RNNCell", (3, 2)), ("LayerNorm", (3,)),
    ("BatchNorm1d", (3,)), ("Embedding", (4, 3)), ("Conv1d", (3, 2, 2)),
    ("MultiheadAttention", (4, 2)), ("TransformerEncoderLayer", (4, 2)),
]


@pytest.mark.parametrize("name, args", LAYERS_WITH_DEVICE, ids=[n for n, _ in LAYERS_WITH_DEVICE])
def test_layers_take_device_as_pytorch(name, args):
    """``nn.Linear(3, 2, device=device)`` runs as in PyTorch; a device other than the CPU
    is refused at construction, with the reason."""
    for lib in (torch, minigrad):
        layer = getattr(lib.nn, name)(*args, device=lib.device("cpu"))
        assert {str(p.device) for p in layer.parameters()} == {"cpu"}
    with pytest.raises(RuntimeError, match="CPU"):
        getattr(minigrad.nn, name)(*args, device="cuda")
