"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` and
``ParameterDict`` (as PyTorch).

Entries are registered under their position (``"0"``, ``"1"``, ...) or their key, so
parameter names read ``layers.0.weight`` or ``scales.1`` exactly as in PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]


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


# --------------------------------------------------------------------------- parameters


def _as_parameter(value: Any) -> Any:
    """A Tensor that is not a Parameter becomes one (sharing its memory); anything else
    is kept as it is, as PyTorch's parameter containers do."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe_entry(value: Any) -> str:
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(length) for length in value.shape)
        return f"{kind} containing: [{value.type()} of size {size}]"
    return f"Object of type: {type(value).__name__}"


def _entries_repr(container: Module) -> str:
    lines = container.extra_repr().splitlines()
    if not lines:
        return f"{type(container).__name__}()"
    body = "".join(f"  {line}\n" for line in lines)
    return f"{type(container).__name__}(\n{body})"


class ParameterList(Module):
    """A list of parameters, registered under ``"0"``, ``"1"``, ... so that
    ``parameters()``, ``named_parameters()`` (``"params.0"``), ``state_dict`` and ``to``
    see them, as PyTorch's.

    A Tensor given to the constructor, ``append``, ``extend`` or ``[i] =`` becomes a
    :class:`Parameter` sharing its memory; other objects are stored as they are (and
    are not parameters). Supports ``len``, iteration, indexing (a slice gives a new
    ``ParameterList``), assignment, ``append``, ``extend`` and ``+=``. It cannot be
    called.

    >>> scales = ParameterList([minigrad.ones(3) for _ in range(2)])
    >>> [name for name, _ in scales.named_parameters()]
    ['0', '1']
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _key(self, index: Any) -> str:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"ParameterList indices must be ints or slices, got {type(index).__name__}"
            )
        return str(_position(int(index), self._size, "ParameterList"))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(self[i] for i in range(*index.indices(self._size)))
        return getattr(self, self._key(index))

    def __setitem__(self, index: int, value: Any) -> None:
        setattr(self, self._key(index), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end (a Tensor as a Parameter) and return this list."""
        value = _as_parameter(value)
        # Set before the size grows, so a refused value leaves the list as it was.
        setattr(self, str(self._size), value)
        self._size += 1
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append every element of the iterable ``values`` (not a Tensor: a Tensor is
        never unpacked into its rows)."""
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe_entry(value)}" for i, value in enumerate(self))

    def __repr__(self) -> str:
        return _entries_repr(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dictionary of parameters keyed by strings, registered under their keys so that
    ``named_parameters()`` reads ``"params.left"``, as PyTorch's.

    A Tensor stored (by the constructor, ``[key] =``, ``update`` or ``setdefault``)
    becomes a :class:`Parameter` sharing its memory; other objects are kept as they
    are. Ordered by insertion, except that a plain ``dict`` given to the constructor
    or ``update`` is added in sorted key order (PyTorch does the same; an
    ``OrderedDict``, a ``ParameterDict`` or ``(key, value)`` pairs keep their order).
    Supports ``[key]``, ``in``, ``len``, iteration over the keys, ``keys``, ``values``,
    ``items``, ``get``, ``pop``, ``popitem``, ``setdefault``, ``update``, ``clear``,
    ``copy``, ``fromkeys`` and ``|``. It cannot be called.
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _check_key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "ParameterDict keys must be strings, got "
                f"{key!r} of type {type(key).__name__}"
            )
        return key

    def __getitem__(self, key: str) -> Any:
        if self._check_key(key) not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, self._check_key(key), _as_parameter(value))
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        if self._check_key(key) not in self._keys:
            raise KeyError(key)
        delattr(self, key)
        del self._keys[key]

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        """The keys, in order."""
        return self._keys.keys()

    def values(self) -> Iterator[Any]:
        """The values, in key order."""
        return (self[key] for key in self._keys)

    def items(self) -> Iterator[tuple[str, Any]]:
        """``(key, value)`` pairs, in order."""
        return ((key, self[key]) for key in self._keys)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when it is absent."""
        return self[key] if key in self._keys else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, first storing ``default`` under it when absent."""
        if key not in self._keys:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        """Remove ``key`` and return its value."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the last inserted ``(key, value)`` pair."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same values (the same Parameters)."""
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with every key of ``keys`` set to ``default``."""
        return ParameterDict((key, default) for key in keys)

    def update(self, parameters: Any) -> None:
        """Add or replace entries from a mapping or an iterable of ``(key, value)``
        pairs (a plain ``dict`` in sorted key order, as PyTorch). Every entry is
        checked before any is stored."""
        if not isinstance(parameters, Iterable):
            raise TypeError(
                "ParameterDict.update should be called with an iterable of key/value "
                f"pairs, but got {type(parameters).__name__}"
            )
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = []
            for number, pair in enumerate(parameters):
                if not isinstance(pair, Iterable) or isinstance(pair, (str, Tensor)):
                    raise TypeError(
                        f"ParameterDict update sequence element #{number} should be a "
                        f"(key, value) pair, got {type(pair).__name__}"
                    )
                pair = tuple(pair)
                if len(pair) != 2:
                    raise ValueError(
                        f"ParameterDict update sequence element #{number} has length "
                        f"{len(pair)}; 2 is required"
                    )
                pairs.append(pair)
        for key, _ in pairs:
            self._check_key(key)
        for key, value in pairs:
            self[key] = value

    def __or__(self, other: ParameterDict) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({key}): {_describe_entry(value)}" for key, value in self.items())

    def __repr__(self) -> str:
        return _entries_repr(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")
