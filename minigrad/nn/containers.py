"""Containers of modules: ``Sequential``, ``ModuleList`` and ``ModuleDict`` (as PyTorch).

Children are registered under their position (``"0"``, ``"1"``, ...) or their key, so
parameter names read ``layers.0.weight`` exactly as in PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from minigrad.nn.module import Module

__all__ = ["ModuleDict", "ModuleList", "Sequential"]


def _check_module(value: Any, where: str) -> Module:
    if not isinstance(value, Module):
        raise TypeError(f"{where}: expected a Module, got {type(value).__name__}")
    return value


def _position(index: Any, length: int, name: str) -> int:
    """A position in ``range(length)`` from a possibly negative int index."""
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"{name} indices must be ints or slices, got {type(index).__name__}")
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a {name} of length {length}")
    return index % length


class Sequential(Module):
    """Modules applied one after another: ``y = m_k(... m_1(m_0(x)))``.

    Built from positional modules (named ``"0"``, ``"1"``, ...) or from one
    ``OrderedDict`` of named modules. Supports ``len``, iteration, ``append``,
    ``extend``, ``insert``, indexing by int (a module) and by slice (a ``Sequential``
    keeping the original names, as PyTorch).

    >>> model = Sequential(Linear(2, 8), Tanh(), Linear(8, 1))
    >>> model[0].weight.shape
    (8, 2)
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(str(name), _check_module(module, f"Sequential[{name!r}]"))
        else:
            for number, module in enumerate(modules):
                self.add_module(str(number), _check_module(module, f"Sequential[{number}]"))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[_position(index, len(items), "Sequential")][1]

    def __setitem__(self, index: int, module: Module) -> None:
        keys = list(self._modules)
        key = keys[_position(index, len(keys), "Sequential")]
        self._modules[key] = _check_module(module, f"Sequential[{index}]")

    def __delitem__(self, index: int | slice) -> None:
        keys = list(self._modules)
        doomed = (
            keys[index]
            if isinstance(index, slice)
            else [keys[_position(index, len(keys), "Sequential")]]
        )
        for key in doomed:
            del self._modules[key]

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position) and return this container."""
        self.add_module(str(len(self)), _check_module(module, "Sequential.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append every module of ``modules``."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index``; later modules are renumbered."""
        _check_module(module, "Sequential.insert")
        modules = list(self._modules.values())
        if not -len(modules) <= index <= len(modules):
            raise IndexError(f"index {index} is out of range for inserting into {len(modules)}")
        modules.insert(index, module)
        self._modules.clear()
        for number, child in enumerate(modules):
            self.add_module(str(number), child)
        return self

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through every module in order."""
        previous = None
        for module in self._modules.values():
            try:
                output = module(input)
            except (TypeError, AttributeError) as error:
                if isinstance(input, tuple) and getattr(previous, "_returns_state", False):
                    raise TypeError(
                        f"{type(previous).__name__} returns a tuple (output, state), which "
                        f"{type(module).__name__} could not take ({error}): put "
                        f"nn.SequenceOutput() (the output at every step) or nn.LastOutput() "
                        f"(the final hidden state) between them"
                    ) from error
                raise
            input, previous = output, module
        return input


class ModuleList(Module):
    """A list of modules, registered under ``"0"``, ``"1"``, ... so that their parameters
    are found. It has no ``forward``: the owner decides how to use the modules.

    Supports ``len``, iteration, indexing (a slice gives a ``ModuleList``), assignment,
    deletion (later modules are renumbered), ``append``, ``extend``, ``insert`` and ``+=``.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: list[Module]) -> None:
        self._modules.clear()
        for number, module in enumerate(modules):
            self.add_module(str(number), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[_position(index, len(modules), "ModuleList")]

    def __setitem__(self, index: int, module: Module) -> None:
        position = _position(index, len(self), "ModuleList")
        self._modules[str(position)] = _check_module(module, f"ModuleList[{index}]")

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_position(index, len(modules), "ModuleList")]
        self._renumber(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end and return this list."""
        self.add_module(str(len(self)), _check_module(module, "ModuleList.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of ``modules``."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend expects an iterable of modules, got a Module")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        modules = list(self._modules.values())
        modules.insert(index, _check_module(module, "ModuleList.insert"))
        self._renumber(modules)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "ModuleList has no forward(): iterate over it and call its modules instead"
        )


class ModuleDict(Module):
    """A dictionary of modules keyed by name, in insertion order (as a ``dict``).

    Supports ``[key]`` access, assignment and deletion, ``in``, ``len``, iteration over
    the keys, ``keys``, ``values``, ``items``, ``update``, ``pop`` and ``clear``.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(key)
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict keys must be strings, got {type(key).__name__}")
        self.add_module(key, _check_module(module, f"ModuleDict[{key!r}]"))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Iterable[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping or from ``(key, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for entry in pairs:
            if not isinstance(entry, (tuple, list)) or len(entry) != 2:
                raise TypeError(
                    f"ModuleDict.update expects a mapping or (key, module) pairs, got {entry!r}"
                )
            key, module = entry
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the entry ``key`` and return its module."""
        module = self[key]
        del self._modules[key]
        return module

    def clear(self) -> None:
        """Remove every entry."""
        self._modules.clear()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "ModuleDict has no forward(): look its modules up by key and call them instead"
        )
