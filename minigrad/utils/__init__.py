"""Utilities that sit beside the tensor library, named as in ``torch.utils``.

``minigrad.utils.data`` holds data sets, samplers and the ``DataLoader``:

>>> from minigrad.utils.data import DataLoader, TensorDataset

The submodule loads on first use (PEP 562), so ``import minigrad`` stays cheap, and
``minigrad.utils.data`` works as an attribute as well as through ``import``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minigrad.utils import data as data

__all__ = ["data"]


def __getattr__(name: str) -> object:
    if name == "data":
        import importlib

        module = importlib.import_module("minigrad.utils.data")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'minigrad.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"data"})
