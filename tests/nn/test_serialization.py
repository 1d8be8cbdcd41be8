"""minigrad.save / minigrad.load: round trips, and refusing every bad file clearly."""

from __future__ import annotations

import io
import json
import math
import pathlib
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.nn import Module, Parameter
from minigrad.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from minigrad.serialization import load, save


class Small(Module):
    def __init__(self, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = Parameter(minigrad.tensor(rng.standard_normal((3, 2))))
        self.bias = Parameter(minigrad.tensor(rng.standard_normal(3)))
        self.register_buffer("count", minigrad.tensor(np.array(4, dtype=np.int64)))
        self.register_buffer("mask", minigrad.tensor(np.array([True, False, True])))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class Nested(Module):
    def __init__(self, seed=0):
        super().__init__()
        self.first = Small(seed)
        self.second = Small(seed + 1)


def round_trip(obj, tmp_path=None):
    if tmp_path is None:
        buffer = io.BytesIO()
        save(obj, buffer)
        buffer.seek(0)
        return load(buffer)
    path = tmp_path / "object.npz"
    save(obj, path)
    return load(path)


def assert_same(loaded, original):
    """Deep equality with types and dtypes: Tensors as Tensors, arrays as arrays."""
    if isinstance(original, minigrad.Tensor):
        assert type(loaded) is minigrad.Tensor
        assert loaded.dtype == original.dtype and loaded.shape == original.shape
        np.testing.assert_array_equal(loaded._array, original._array)
        assert loaded._array is not original._array
    elif isinstance(original, np.ndarray):
        assert type(loaded) is np.ndarray and loaded.dtype == original.dtype
        np.testing.assert_array_equal(loaded, original)
    elif isinstance(original, np.generic):
        assert type(loaded) is type(original) and (loaded == original or np.isnan(original))
    elif isinstance(original, dict):
        assert type(loaded) is type(original)
        assert list(loaded) == list(original)
        for key in original:
            assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert type(loaded) is type(original) and len(loaded) == len(original)
        for a, b in zip(loaded, original):
            assert_same(a, b)
    elif isinstance(original, float) and math.isnan(original):
        assert isinstance(loaded, float) and math.isnan(loaded)
    else:
        assert type(loaded) is type(original) and loaded == original


# --------------------------------------------------------------------------- round trips


def test_model_state_dict_round_trip_through_a_path(tmp_path):
    model = Nested()
    state = model.state_dict()
    loaded = round_trip(state, tmp_path)
    assert_same(loaded, state)
    fresh = Nested(seed=5)
    fresh.load_state_dict(loaded)
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=name)


def test_path_is_written_as_given_and_pathlike_or_str_accepted(tmp_path):
    path = tmp_path / "weights.pt"  # no ".npz" appended, unlike numpy.savez(path)
    save({"x": 1}, str(path))
    assert path.exists() and not (tmp_path / "weights.pt.npz").exists()
    assert load(str(path)) == {"x": 1}
    assert load(pathlib.Path(path)) == {"x": 1}


def test_binary_file_objects(tmp_path):
    path = tmp_path / "f.npz"
    with open(path, "wb") as handle:
        save([minigrad.ones(2)], handle)
    with open(path, "rb") as handle:
        (tensor,) = load(handle)
    np.testing.assert_array_equal(tensor._array, [1.0, 1.0])


def test_every_supported_kind_round_trips():
    obj = {
        "float32": minigrad.tensor([[1.5, -2.0]], dtype=minigrad.float32),
        "float64": minigrad.tensor([1e-300, 3.0], dtype=minigrad.float64),
        "int64": minigrad.tensor([1, -(2**62)], dtype=minigrad.int64),
        "int32": minigrad.tensor([7], dtype=minigrad.int32),
        "uint8": minigrad.tensor([255], dtype=minigrad.uint8),
        "bool": minigrad.tensor([True, False]),
        "scalar tensor": minigrad.tensor(3.25),
        "empty tensor": minigrad.zeros(0, 3),
        "array": np.arange(6, dtype=np.int16).reshape(2, 3),
        "fortran array": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "numpy scalars": [np.float32(1.5), np.int64(3), np.bool_(True), np.float64("nan")],
        "python": [0, -5, 2**80, 1.0, -0.0, 1e308, 0.1, math.inf, -math.inf, math.nan],
        "strings": ["", "ünïcødé", '{"json": "looking"}'],
        "flags": (True, False, None),
        "empty": [{}, [], (), OrderedDict()],
        7: "int key",
        2.5: "float key",
        None: "none key",
        False: "bool key",
        "ordered": OrderedDict([("b", 1), ("a", 2)]),
        "nested": {"deeper": {"deepest": [minigrad.ones(1), ({"x": np.zeros(())},)]}},
    }
    assert_same(round_trip(obj), obj)


def test_empty_dict_and_bare_values():
    assert round_trip({}) == {}
    assert round_trip(None) is None
    assert round_trip("text") == "text"
    tensor = round_trip(minigrad.tensor(2.0, dtype=minigrad.float64))
    assert tensor.shape == () and tensor.dtype == minigrad.float64 and float(tensor) == 2.0


def test_loaded_tensors_are_fresh_writable_and_detached():
    parameter = Parameter(minigrad.ones(3))
    (loaded,) = round_trip([parameter])
    assert type(loaded) is minigrad.Tensor and not loaded.requires_grad
    loaded._array[0] = 5.0
    assert parameter._array[0] == 1.0


def test_a_tensor_saved_twice_comes_back_as_one():
    shared = minigrad.ones(2)
    loaded = round_trip({"a": shared, "b": [shared]})
    assert loaded["a"] is loaded["b"][0]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_drawn_structures_round_trip(obj):
    assert_same(round_trip(obj), obj)


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad])
def test_optimizer_round_trip_continues_exactly_as_uninterrupted(cls, tmp_path):
    options = {
        SGD: dict(lr=0.1, momentum=0.9, nesterov=True),
        Adam: dict(lr=0.05, amsgrad=True),
        AdamW: dict(lr=0.05, betas=[0.8, 0.9]),
        RMSprop: dict(momentum=0.5, centered=True),
        Adagrad: dict(lr_decay=0.1),
    }[cls]
    rng = np.random.default_rng(4)
    batches = [rng.standard_normal((5, 2)) for _ in range(8)]

    def train(model, optimizer, chunk):
        for x in chunk:
            optimizer.zero_grad()
            (model(minigrad.tensor(x)) ** 2).mean().backward()
            optimizer.step()

    whole = Small()
    whole_optimizer = cls(whole.parameters(), **options)
    train(whole, whole_optimizer, batches)

    model = Small()
    optimizer = cls(model.parameters(), **options)
    train(model, optimizer, batches[:4])
    path = tmp_path / "checkpoint.npz"
    save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    checkpoint = load(path)
    assert isinstance(
        checkpoint["optimizer"]["state"][0]["step" if cls is not SGD else "momentum_buffer"],
        minigrad.Tensor,
    )

    resumed = Small(seed=9)
    resumed_optimizer = cls(resumed.parameters(), **options)
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    train(resumed, resumed_optimizer, batches[4:])
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=name)


# --------------------------------------------------------------------------- saving errors


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({"f": print}, r"obj\['f'\] is a builtin_function_or_method"),
        ({"a": {1, 2}}, "set"),
        ({"a": np.array([object()])}, "Python objects"),
        ({(1, 2): 3}, "key of type tuple"),
        ([1 + 2j], "complex"),
    ],
)
def test_unsupported_values_raise_before_writing(obj, match, tmp_path):
    path = tmp_path / "existing.npz"
    save({"keep": 1}, path)
    with pytest.raises(TypeError, match=match):
        save(obj, path)
    assert load(path) == {"keep": 1}


def test_a_container_that_contains_itself_is_refused():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save(loop, io.BytesIO())


# --------------------------------------------------------------------------- bad files


def good_archive_members(obj=None):
    buffer = io.BytesIO()
    save({"w": minigrad.ones(2), "n": 3} if obj is None else obj, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def structure_bytes(header):
    buffer = io.BytesIO()
    np.save(buffer, np.frombuffer(json.dumps(header).encode(), dtype=np.uint8))
    return buffer.getvalue()


def header_of(members):
    raw = members["__minigrad_structure__.npy"]
    array = np.load(io.BytesIO(raw), allow_pickle=False)
    return json.loads(array.tobytes())


def make_bad_files(tmp_path):
    """Bad files by name, each with a fragment its error message must contain."""
    good = tmp_path / "good.npz"
    save({"w": minigrad.ones(2), "n": 3}, good)
    raw = good.read_bytes()
    members = good_archive_members()
    cases = {}

    def add(name, content, match):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write_zip(path, content)
        cases[name] = (path, match)

    add("empty", b"", "empty")
    add("random", np.random.default_rng(0).bytes(500), "not a zip")
    add("text", b"hello, I am not an archive", "not a zip")
    add("pickle", b"\x80\x04\x95\x00cos\nsystem\n", "not a zip")
    add("truncated_start", raw[:40], "truncated or corrupted")
    add("truncated_end", raw[:-30], "truncated or corrupted")
    corrupted = bytearray(raw)
    at = raw.index(b"\x93NUMPY", 200)  # inside the second member's data
    corrupted[at + 120] ^= 0xFF
    add("flipped_byte", bytes(corrupted), "corrupted|not a valid|does not match|dtype")
    npy = io.BytesIO()
    np.save(npy, np.arange(3))
    add("plain.npy", npy.getvalue(), r"single NumPy array \(.npy\)")
    foreign = io.BytesIO()
    np.savez(foreign, weights=np.ones(3), bias=np.zeros(1))
    add("foreign.npz", foreign.getvalue(), "no '__minigrad_structure__' member.*bias, weights")
    add(
        "torch_like",
        {"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3"},
        "PyTorch checkpoint",
    )

    object_member = io.BytesIO()
    np.save(object_member, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    add(
        "object_array",
        {**members, "a0.npy": object_member.getvalue()},
        "Python objects.*never unpickles",
    )
    header = header_of(members)
    add("missing_member", {k: v for k, v in members.items() if k != "a0.npy"}, "missing: a0")
    add("extra_member", {**members, "a9.npy": members["a0.npy"]}, "unexpected: a9")
    add("not_npy_member", {**members, "a0.npy": b"raw bytes"}, "a0")
    wrong_shape = dict(header, arrays={"a0": {"dtype": "<f4", "shape": [5]}})
    add(
        "wrong_shape",
        {**members, "__minigrad_structure__.npy": structure_bytes(wrong_shape)},
        "records",
    )
    dangling = dict(header, root={"tensor": "a7"})
    add(
        "dangling_reference",
        {**members, "__minigrad_structure__.npy": structure_bytes(dangling)},
        "refers to an array 'a7'",
    )
    unknown = dict(header, root={"pickle": "cos\nsystem"})
    add(
        "unknown_entry",
        {**members, "__minigrad_structure__.npy": structure_bytes(unknown)},
        "unknown entry 'pickle'",
    )
    add(
        "future_version",
        {**members, "__minigrad_structure__.npy": structure_bytes(dict(header, version=99))},
        "version 99",
    )
    bad_json = io.BytesIO()
    np.save(bad_json, np.frombuffer(b"{not json", dtype=np.uint8))
    add(
        "bad_json",
        {**members, "__minigrad_structure__.npy": bad_json.getvalue()},
        "not valid UTF-8 JSON",
    )
    float_structure = io.BytesIO()
    np.save(float_structure, np.zeros(3))
    add(
        "structure_wrong_dtype",
        {**members, "__minigrad_structure__.npy": float_structure.getvalue()},
        "uint8",
    )
    return cases


BAD_FILES = [
    "empty",
    "random",
    "text",
    "pickle",
    "truncated_start",
    "truncated_end",
    "flipped_byte",
    "plain.npy",
    "foreign.npz",
    "torch_like",
    "object_array",
    "missing_member",
    "extra_member",
    "not_npy_member",
    "wrong_shape",
    "dangling_reference",
    "unknown_entry",
    "future_version",
    "bad_json",
    "structure_wrong_dtype",
]


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_raise_a_clear_error_naming_the_path(name, tmp_path):
    path, match = make_bad_files(tmp_path)[name]
    with pytest.raises(ValueError, match=match) as info:
        load(path)
    assert str(path) in str(info.value) and "minigrad.load(" in str(info.value)


@pytest.mark.parametrize("name", ["random", "truncated_end", "object_array", "wrong_shape"])
def test_a_failing_load_never_touches_the_model(name, tmp_path):
    model = Small()
    before = {k: v._array.copy() for k, v in model.state_dict().items()}
    path, _ = make_bad_files(tmp_path)[name]
    with pytest.raises(ValueError):
        model.load_state_dict(load(path))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value._array, before[key])


def test_loading_never_unpickles(tmp_path, monkeypatch):
    """Even with a pickle-bearing member, loading goes nowhere near pickle."""
    import pickle

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    path, _ = make_bad_files(tmp_path)["object_array"]
    with pytest.raises(ValueError, match="Python objects"):
        load(path)
    good = tmp_path / "good.npz"
    assert load(good)["w"]._array.tolist() == [1.0, 1.0]  # NumPy only: Numba caches use pickle


def test_unseekable_or_closed_file_objects():
    class NoSeek(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            return 0

        def seekable(self):
            return False

        def tell(self):
            raise io.UnsupportedOperation("tell")

    with pytest.raises(ValueError, match="seekable"):
        load(NoSeek())


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")
