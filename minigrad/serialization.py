"""Saving and loading state dicts in a format that cannot run code: NumPy's ``.npz``.

``save(obj, path)`` writes a zip archive of ``.npy`` members: one per array (Tensors and
NumPy arrays), plus one member holding the structure (the nested dicts, lists and
numbers, with references to the array members) as UTF-8 JSON. ``load(path)`` reads it
back with ``numpy.load(..., allow_pickle=False)``, so a file from an untrusted source can
at worst fail to load: it can never make Python build arbitrary objects.

What can be saved: dicts (keys: str, int, float, bool or None), lists, tuples, Tensors,
NumPy arrays and scalars, Python numbers, strings, bools and None, nested freely. That
covers ``model.state_dict()``, ``optimizer.state_dict()``, scheduler state dicts and
checkpoints made of them. A Tensor saved twice in one call comes back as one Tensor.

The archive's layout (version 1)::

    __minigrad_structure__.npy   uint8 array: JSON {"format", "version", "arrays", "root"}
    a0.npy, a1.npy, ...          the arrays, referenced from "root" by name

In "root", JSON strings, numbers, true/false and null stand for themselves, and objects
mark everything else: ``{"dict": [[key, value], ...], "ordered": bool}``,
``{"list": [...]}``, ``{"tuple": [...]}``, ``{"tensor": name}``, ``{"ndarray": name}``,
``{"scalar": name}`` (a NumPy scalar) and ``{"float": "nan" | "inf" | "-inf"}``.
"arrays" records each member's dtype and shape, checked on loading.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from minigrad import dtypes
from minigrad.devices import resolve_device
from minigrad.tensor import Tensor

__all__ = ["load", "save"]

_FORMAT = "minigrad"
_VERSION = 1
_STRUCTURE = "__minigrad_structure__"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_NPY_MAGIC = b"\x93NUMPY"

PathOrFile = str | os.PathLike | IO[bytes]


# --------------------------------------------------------------------------- saving


class _Encoder:
    """Turns an object into the JSON structure, collecting its arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.names: dict[int, str] = {}
        self.keep_alive: list[Any] = []  # so ids stay unique while encoding
        self.open_containers: set[int] = set()

    def array_name(self, owner: Any, array: np.ndarray, where: str) -> str:
        name = self.names.get(id(owner))
        if name is not None:
            return name
        if array.dtype.hasobject:
            raise TypeError(
                f"minigrad.save: {where} is an array of Python objects "
                f"(dtype {array.dtype}), which cannot be saved without pickle"
            )
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        self.names[id(owner)] = name
        self.keep_alive.append(owner)
        return name

    def encode(self, value: Any, where: str) -> Any:
        if isinstance(value, np.generic):
            # Before the Python types: numpy.float64 is a subclass of float.
            scalar = np.asarray(value)
            return {"scalar": self.array_name(scalar, scalar, where)}
        if value is None or isinstance(value, (bool, str, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, Tensor):
            return {"tensor": self.array_name(value, value._array, where)}
        if isinstance(value, np.ndarray):
            return {"ndarray": self.array_name(value, value, where)}
        if isinstance(value, (dict, list, tuple)):
            if id(value) in self.open_containers:
                raise ValueError(f"minigrad.save: {where} contains itself")
            self.open_containers.add(id(value))
            try:
                if isinstance(value, dict):
                    items = []
                    for key, item in value.items():
                        if key is not None and not isinstance(key, (str, int, float, bool)):
                            raise TypeError(
                                f"minigrad.save: {where} has a key of type "
                                f"{type(key).__name__}; keys must be str, int, float, bool "
                                f"or None"
                            )
                        items.append(
                            [self.encode(key, where), self.encode(item, f"{where}[{key!r}]")]
                        )
                    return {"dict": items, "ordered": isinstance(value, OrderedDict)}
                kind = "list" if isinstance(value, list) else "tuple"
                return {kind: [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
            finally:
                self.open_containers.discard(id(value))
        hint = ""
        if callable(getattr(value, "state_dict", None)):  # a module or an optimizer
            hint = (
                f"; a whole {type(value).__name__} would need pickle: save its state dict, "
                f"minigrad.save(obj.state_dict(), path), and load_state_dict it back"
            )
        raise TypeError(
            f"minigrad.save: {where} is a {type(value).__name__}, which cannot be saved; "
            f"supported: dicts, lists, tuples, Tensors, NumPy arrays, numbers, strings, "
            f"bools and None{hint}"
        )


def save(obj: Any, f: PathOrFile) -> None:
    """Save ``obj`` (typically a state dict) to ``f`` in minigrad's ``.npz`` format.

    Args:
        obj: dicts, lists and tuples of Tensors, NumPy arrays, Python numbers, strings,
            bools and None, nested to any depth.
        f: a path (``str`` or ``os.PathLike``; written as given, no extension added) or
            a binary file object open for writing.

    The whole object is checked before the file is opened, so an unsupported value
    raises a TypeError naming where it is and leaves any existing file untouched.

    >>> minigrad.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, "ckpt.npz")
    """
    encoder = _Encoder()
    root = encoder.encode(obj, "obj")
    header = {
        "format": _FORMAT,
        "version": _VERSION,
        "arrays": {
            name: {"dtype": array.dtype.str, "shape": list(array.shape)}
            for name, array in encoder.arrays.items()
        },
        "root": root,
    }
    text = json.dumps(header, allow_nan=False, separators=(",", ":"))
    members: dict[str, Any] = {_STRUCTURE: np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}
    members.update(encoder.arrays)
    if isinstance(f, (str, os.PathLike)):
        # Through a file object: given a path, numpy.savez would append ".npz" to it.
        with open(f, "wb") as handle:
            np.savez(handle, **members)
    else:
        np.savez(f, **members)


# --------------------------------------------------------------------------- loading


class _Decoder:
    """Rebuilds the object from the JSON structure, checking every node."""

    def __init__(self, arrays: dict[str, np.ndarray], fail: Any) -> None:
        self.arrays = arrays
        self.fail = fail
        self.tensors: dict[str, Tensor] = {}

    def array(self, name: Any, where: str) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            self.fail(f"{where} refers to an array {name!r} that the archive does not hold")
        return self.arrays[name]

    def decode(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if not isinstance(node, dict) or len(node) == 0:
            self.fail(f"{where}: unexpected {type(node).__name__} in the structure")
        if "dict" in node:
            if set(node) != {"dict", "ordered"} or not isinstance(node["dict"], list):
                self.fail(f"{where}: malformed dict entry")
            result: dict[Any, Any] = OrderedDict() if node["ordered"] is True else {}
            for pair in node["dict"]:
                if not isinstance(pair, list) or len(pair) != 2:
                    self.fail(f"{where}: malformed dict item {pair!r}")
                key = self.decode(pair[0], where)
                if key is not None and not isinstance(key, (str, int, float, bool)):
                    self.fail(f"{where}: a dict key must be a scalar, got {type(key).__name__}")
                result[key] = self.decode(pair[1], f"{where}[{key!r}]")
            return result
        if len(node) != 1:
            self.fail(f"{where}: malformed entry with keys {sorted(node)}")
        ((kind, body),) = node.items()
        if kind in ("list", "tuple"):
            if not isinstance(body, list):
                self.fail(f"{where}: malformed {kind}")
            items = [self.decode(item, f"{where}[{i}]") for i, item in enumerate(body)]
            return items if kind == "list" else tuple(items)
        if kind == "tensor":
            tensor = self.tensors.get(body)
            if tensor is None:
                array = self.array(body, where)
                if array.dtype not in dtypes.SUPPORTED:
                    self.fail(f"{where}: a tensor cannot have dtype {array.dtype}")
                tensor = self.tensors[body] = Tensor._make(array)
            return tensor
        if kind == "ndarray":
            return self.array(body, where)
        if kind == "scalar":
            array = self.array(body, where)
            if array.ndim != 0:
                self.fail(f"{where}: a scalar's array has shape {array.shape}")
            return array[()]
        if kind == "float" and body in ("nan", "inf", "-inf"):
            return float(body)
        self.fail(f"{where}: unknown entry {kind!r}")


def load(
    f: PathOrFile, map_location: Any = None, *, weights_only: Any = None, mmap: Any = None
) -> Any:
    """Load an object written by :func:`save`, without ever unpickling anything.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a seekable binary file object.
        map_location: as PyTorch's, for the common loading lines: the CPU (``"cpu"``,
            ``minigrad.device("cpu")``) or None; a dict or a function (remapping
            storages) is accepted and has nothing to do, as everything is on the CPU.
            Any other device is refused.
        weights_only, mmap: accepted and ignored: the format holds only arrays and plain
            containers, never code, so every load is already weights-only.

    Returns:
        A new object: Tensors come back as Tensors (``requires_grad=False``) and NumPy
        arrays as arrays, with their dtypes and shapes; dicts, lists, tuples and scalars
        as saved.

    Raises:
        ValueError: naming the file and the problem, for anything that is not an intact
            minigrad archive: a truncated or corrupted file, a plain ``.npy``, an
            ``.npz`` written by other means, a PyTorch checkpoint, a member holding
            pickled Python objects, or a structure that does not match the arrays.
        OSError: when the file cannot be opened.

    Since nothing outside the returned object is touched, a failing load changes no
    model: ``model.load_state_dict(minigrad.load(path))`` either loads or raises.
    """
    if map_location is not None and not (callable(map_location) or isinstance(map_location, dict)):
        resolve_device(map_location, "minigrad.load: map_location")
    if isinstance(f, (str, os.PathLike)):
        label = repr(os.fspath(f))
        with open(f, "rb") as handle:
            return _load_from(handle, label)
    label = repr(getattr(f, "name", None) or f"<{type(f).__name__}>")
    return _load_from(f, label)


def _load_from(handle: IO[bytes], label: str) -> Any:
    def fail(problem: str, cause: BaseException | None = None) -> Any:
        raise ValueError(f"minigrad.load({label}): {problem}") from cause

    try:
        start = handle.tell()
        magic = handle.read(len(_NPY_MAGIC))
        handle.seek(start)
    except (OSError, AttributeError, io.UnsupportedOperation) as error:
        return fail(f"the file object must be readable and seekable ({error})", error)
    if magic.startswith(_NPY_MAGIC):
        return fail(
            "this is a single NumPy array (.npy), not a minigrad archive: read it "
            "with numpy.load(path, allow_pickle=False)"
        )
    if not (magic.startswith(_ZIP_MAGIC) or magic.startswith(_EMPTY_ZIP_MAGIC)):
        return fail(
            f"not a minigrad archive (it is not a zip/.npz file: it starts with {magic[:4]!r})"
            if magic
            else "the file is empty"
        )
    try:
        archive = np.load(handle, allow_pickle=False)
    except Exception as error:  # whatever a damaged zip makes zipfile raise
        return fail(f"the archive is truncated or corrupted ({error})", error)
    with archive:
        members = list(archive.files)
        if _STRUCTURE not in members:
            hint = ""
            if any(m.endswith("data.pkl") for m in members):
                hint = " It looks like a PyTorch checkpoint, which holds pickled data."
            shown = ", ".join(sorted(members)[:8]) + (", ..." if len(members) > 8 else "")
            return fail(
                f"not a minigrad archive: it has no {_STRUCTURE!r} member (members: "
                f"{shown or 'none'}).{hint}"
            )
        structure = _read_member(archive, _STRUCTURE, fail)
        if structure.dtype != np.uint8 or structure.ndim != 1:
            return fail(
                f"the structure member has dtype {structure.dtype} and shape "
                f"{structure.shape}; expected 1-D uint8 (UTF-8 JSON)"
            )
        try:
            header = json.loads(structure.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            return fail(f"the structure member is not valid UTF-8 JSON ({error})", error)
        if not isinstance(header, dict) or header.get("format") != _FORMAT:
            return fail("the structure member is not a minigrad header")
        if header.get("version") != _VERSION:
            return fail(
                f"format version {header.get('version')!r} is not supported (this "
                f"minigrad reads version {_VERSION})"
            )
        table = header.get("arrays")
        if not isinstance(table, dict) or "root" not in header:
            return fail("the header lacks its 'arrays' table or its 'root'")
        stored = set(members) - {_STRUCTURE}
        missing = sorted(set(table) - stored)
        unexpected = sorted(stored - set(table))
        if missing or unexpected:
            return fail(
                "the structure does not match the archive's members"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unexpected: {', '.join(unexpected)}" if unexpected else "")
            )
        arrays = {}
        for name, record in table.items():
            array = _read_member(archive, name, fail)
            if (
                not isinstance(record, dict)
                or array.dtype.str != record.get("dtype")
                or list(array.shape) != record.get("shape")
            ):
                return fail(
                    f"member {name!r} holds an array of dtype {array.dtype.str} and shape "
                    f"{list(array.shape)}, but the structure records {record!r}"
                )
            if not array.flags.writeable:
                array = array.copy()
            arrays[name] = array
    try:
        return _Decoder(arrays, fail).decode(header["root"], "obj")
    except RecursionError as error:
        return fail("the structure is nested too deeply", error)


def _read_member(archive: Any, name: str, fail: Any) -> np.ndarray:
    try:
        value = archive[name]
    except ValueError as error:
        if "pickle" in str(error).lower() or "object" in str(error).lower():
            return fail(
                f"member {name!r} holds Python objects, which could only be read by "
                f"unpickling, and minigrad never unpickles (numpy: {error})",
                error,
            )
        return fail(f"member {name!r} is not a valid .npy array ({error})", error)
    except Exception as error:  # zipfile.BadZipFile (bad CRC), EOFError, zlib.error, ...
        return fail(f"member {name!r} is truncated or corrupted ({error})", error)
    if not isinstance(value, np.ndarray):
        return fail(f"member {name!r} is not a .npy array")
    return value
