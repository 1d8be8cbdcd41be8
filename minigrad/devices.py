"""Devices: minigrad runs on the CPU, and says so when a program asks for anything else.

PyTorch programs name their device everywhere (``torch.device("cuda" if
torch.cuda.is_available() else "cpu")``, ``x.to(device)``, ``zeros(3, device=device)``).
minigrad accepts every spelling of the CPU (``"cpu"``, ``"cpu:0"``, ``device("cpu")``,
``None``) and refuses any other device with an error that says why, so such programs run
unchanged on a machine without a GPU, which is where ``cuda.is_available()`` sends them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["device", "get_default_device", "resolve_device", "set_default_device"]


class device:  # noqa: N801 (PyTorch's name)
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cpu", 0)``,
    ``device("cpu:0")``. Only the CPU exists; ``type`` is ``"cpu"``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index  # noqa: A001
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise ValueError(f"device: {type!r} already names an index; index={index}")
            if not number.isdigit():
                raise ValueError(f"device: invalid device string {type!r}")
            index = int(number)
        if name != "cpu":
            raise RuntimeError(
                f"device {type!r}: minigrad runs on the CPU only (there is no {name!r} "
                f"backend); use 'cpu', or pick the device with minigrad.cuda.is_available(), "
                f"which is False"
            )
        if index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"device: the index must be a non-negative int, got {index!r}")
        self.type: str = name
        self.index: int | None = index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def resolve_device(value: Any, owner: str) -> device:
    """The device a ``device=`` argument names: the CPU, for None, ``"cpu"``, ``"cpu:N"``
    or a :class:`device`; the error of :class:`device` for any other device, prefixed by
    ``owner``; a TypeError for anything that is no device."""
    if value is None or value is CPU:
        return CPU
    if isinstance(value, (str, device)):
        try:
            return device(value)
        except (RuntimeError, ValueError) as error:
            raise type(error)(f"{owner}: {error}") from None
    if isinstance(value, int) and not isinstance(value, bool):  # an accelerator's index
        raise RuntimeError(
            f"{owner}: device {value} names an accelerator; minigrad runs on the CPU only"
        )
    raise TypeError(f"{owner}: expected a device such as 'cpu', got {type(value).__name__}")


def set_default_device(value: Any) -> None:
    """Set the device new tensors are made on: only the CPU (or None) is accepted."""
    resolve_device(value, "set_default_device")


def get_default_device() -> device:
    """The device new tensors are made on: always ``device(type='cpu')``."""
    return CPU
