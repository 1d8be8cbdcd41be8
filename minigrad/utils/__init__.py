"""Utilities that sit beside the tensor library, named as in ``torch.utils``.

``minigrad.utils.data`` holds data sets, samplers and the ``DataLoader``, and
``minigrad.utils.hooks`` the ``RemovableHandle`` that hook registrations return:

>>> from minigrad.utils.data import DataLoader, TensorDataset

The submodules load on first use (PEP 562), so ``import minigrad`` stays cheap, and
each works as an attribute as well as through ``import``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minigrad.utils import data as data
    from minigrad.utils import hooks as hooks

__all__ = ["data", "hooks"]
_SUBMODULES = frozenset(__all__)


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        import importlib

        module = importlib.import_module(f"minigrad.utils.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'minigrad.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
