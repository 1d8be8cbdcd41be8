"""``minigrad.cuda``: there is no GPU backend, and programs that ask find out politely.

``is_available()`` is False and ``device_count()`` 0, so the usual
``"cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU. The seeding calls do
nothing, as PyTorch's do on a machine without CUDA; anything else is not here.
"""

from __future__ import annotations

__all__ = ["device_count", "is_available", "manual_seed", "manual_seed_all", "synchronize"]


def is_available() -> bool:
    """False: minigrad runs on the CPU only."""
    return False


def device_count() -> int:
    """0: there are no CUDA devices."""
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing (there is no CUDA generator to seed); ``minigrad.manual_seed`` seeds
    minigrad's generator."""


def manual_seed_all(seed: int) -> None:
    """Does nothing, as :func:`manual_seed`."""


def synchronize(device: object = None) -> None:
    """Does nothing: every operation has finished when it returns."""
