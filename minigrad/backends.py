"""``minigrad.backends``: the switches PyTorch programs set or ask about, for backends
minigrad does not have. ``mps.is_available()`` and ``cuda.is_built()`` are False;
``cudnn.deterministic = True`` and ``cudnn.benchmark = False`` may be set and change
nothing (minigrad's kernels are deterministic)."""

from __future__ import annotations


class _Absent:
    """A backend that is not here: not built, not available."""

    def __init__(self, name: str) -> None:
        self.__name__ = f"minigrad.backends.{name}"

    def is_available(self) -> bool:
        return False

    def is_built(self) -> bool:
        return False


class _Cudnn(_Absent):
    """cuDNN's switches, accepted and ignored."""

    def __init__(self) -> None:
        super().__init__("cudnn")
        self.enabled = False
        self.deterministic = False
        self.benchmark = False


mps = _Absent("mps")
cuda = _Absent("cuda")
cudnn = _Cudnn()
