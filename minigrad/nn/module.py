"""``Module`` and ``Parameter``: the building blocks of models, as in ``torch.nn``.

A module owns parameters (tensors to learn), buffers (state that is saved but not
learned, such as BatchNorm's running statistics) and child modules, all registered by
plain attribute assignment (``self.weight = Parameter(...)``,
``self.layer = Linear(...)``). Names follow PyTorch, so a ``state_dict`` moves between the
two unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import in_place, no_grad
from minigrad.tensor import Tensor, _make

__all__ = ["Module", "Parameter"]


class Parameter(Tensor):
    """A tensor that a :class:`Module` registers as learnable (``requires_grad=True``).

    ``Parameter(tensor_or_array)`` shares the given data.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.zeros(0, dtype=dtypes.get_default_dtype())
        if isinstance(data, Tensor):  # shared, not copied, with its version counter
            _make(data.data, data._shared_version(), into=self)
        else:
            _make(dtypes.as_array(data, copy=False), into=self)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model.

    Subclasses set their parameters and sub-modules as attributes in ``__init__`` (after
    calling ``super().__init__()``) and define ``forward``; calling the module runs
    ``forward``.

    >>> class TwoLayer(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(2, 8)
    ...         self.out = Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).tanh())
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() was called: call "
                f"super().__init__() first in {type(self).__name__}.__init__"
            )
        parameters, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self.__dict__.pop(name, None)
            buffers.pop(name, None)
            modules.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            self.__dict__.pop(name, None)
            buffers.pop(name, None)
            parameters.pop(name, None)
            modules[name] = value
        elif name in parameters or name in modules:
            if value is not None:
                kind = "parameter" if name in parameters else "module"
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to the {kind} {name!r}: "
                    f"expected a {'Parameter' if kind == 'parameter' else 'Module'} or None"
                )
            (parameters if name in parameters else modules)[name] = None
        elif name in buffers:
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: parameters, buffers and children live in
        # their own dictionaries.
        for store in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(store)
            if values is not None and name in values:
                return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, parameter: Parameter | None) -> None:
        """Add a parameter (``None`` registers an absent one, like a layer without bias)."""
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"{name}: expected a Parameter, got {type(parameter).__name__}")
        self.__dict__.pop(name, None)
        self._parameters[name] = parameter

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state saved in the ``state_dict`` but not learned."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        self.__dict__.pop(name, None)
        self._modules[name] = module

    # ------------------------------------------------------------------ running

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ traversal

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every descendant, with dotted names ('' for this one)."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop(0)
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._modules.items()
                if child is not None
            ]
            stack[0:0] = children

    def modules(self) -> Iterator[Module]:
        """This module and every descendant."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct children with their names."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, module in self.named_children():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (each shared parameter once)."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, parameter in module._parameters.items():
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (what an optimizer takes)."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name."""
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ------------------------------------------------------------------ modes

    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) on every module."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode on every module (``train(False)``)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Turn gradient recording of every parameter on or off (freezing)."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter (to ``None`` by default, as PyTorch)."""
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            elif parameter.grad is not None:
                parameter.grad = Tensor._make(np.zeros_like(parameter.grad.data))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant and then on this module (e.g. to initialise)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype

    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> Module:
        """Convert every floating parameter and buffer to ``dtype`` in place; device
        arguments (``"cpu"``) are accepted and ignored."""
        if isinstance(dtype, str) and dtype.startswith("cpu"):
            dtype = kwargs.get("dtype")
        dtype = kwargs.get("dtype", dtype)
        if dtype is None:
            return self
        target = dtypes.resolve(dtype)
        if target not in dtypes.FLOATING:
            raise TypeError(f"Module.to: only float32 and float64 are supported, got {target}")
        with no_grad():
            for tensor in list(self.parameters()) + list(self.buffers()):
                if tensor.data.dtype.kind == "f" and tensor.data.dtype != target:
                    with in_place(tensor):  # new memory: saved values no longer match
                        tensor.data = tensor.data.astype(target)
                    if tensor.grad is not None:
                        tensor.grad = Tensor._make(tensor.grad.data.astype(target))
        return self

    def float(self) -> Module:
        """Convert floating parameters and buffers to float32."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """Convert floating parameters and buffers to float64."""
        return self.to(dtypes.float64)

    # ------------------------------------------------------------------ state

    def state_dict(self, prefix: str = "") -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (sharing memory: a snapshot
        needs ``{k: v.clone() ...}`` or :func:`minigrad.save`)."""
        state: OrderedDict[str, Tensor] = OrderedDict()
        for module_name, module in self.named_modules(prefix):
            skip = module.__dict__.get("_non_persistent", set())
            for name, tensor in list(module._parameters.items()) + list(module._buffers.items()):
                if tensor is None or name in skip:
                    continue
                key = f"{module_name}.{name}" if module_name else name
                state[key] = tensor.detach()
        return state

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy values from ``state_dict`` (Tensors or NumPy arrays) into this module.

        Every problem is found before anything changes: with ``strict``, missing and
        unexpected keys raise; a wrongly shaped entry always raises. The error names every
        offending key and shape. Returns ``(missing_keys, unexpected_keys)``.
        """
        own = self.state_dict()
        incoming: dict[str, np.ndarray] = {}
        problems: list[str] = []
        for key, value in state_dict.items():
            array = value.data if isinstance(value, Tensor) else value
            if not isinstance(array, np.ndarray) and not np.isscalar(array):
                problems.append(f"{key}: expected a Tensor or a NumPy array, got "
                                f"{type(value).__name__}")
                continue
            incoming[key] = np.asarray(array)
        missing = [k for k in own if k not in incoming]
        unexpected = [k for k in incoming if k not in own]
        for key, array in incoming.items():
            if key in own and array.shape != own[key].data.shape:
                problems.append(
                    f"{key}: shape {tuple(array.shape)} in the state dict, but the module's "
                    f"is {tuple(own[key].data.shape)}"
                )
            elif key in own and array.dtype.kind not in "fiub":
                problems.append(f"{key}: unsupported dtype {array.dtype}")
        if strict:
            problems += [f"missing key: {k}" for k in missing]
            problems += [f"unexpected key: {k}" for k in unexpected]
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__} (nothing was "
                f"changed):\n  " + "\n  ".join(problems)
            )
        with no_grad():
            for key, array in incoming.items():
                if key in own:
                    target = own[key]
                    with in_place(target):
                        np.copyto(target.data, array, casting="unsafe")
        return missing, unexpected

    # ------------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The text shown inside this module's parentheses in ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"
