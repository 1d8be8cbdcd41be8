"""``Module`` and ``Parameter``: the building blocks of models, as in ``torch.nn``.

A module owns parameters (tensors to learn), buffers (state that is saved but not
learned, such as BatchNorm's running statistics) and child modules, all registered by
plain attribute assignment (``self.weight = Parameter(...)``,
``self.layer = Linear(...)``). Names follow PyTorch, so a ``state_dict`` moves between the
two unchanged.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import Function, in_place, no_grad
from minigrad.autograd.hooks import RemovableHandle
from minigrad.devices import device, resolve_device
from minigrad.tensor import Tensor, _make

__all__ = ["Module", "Parameter", "UninitializedParameter"]


class Parameter(Tensor):
    """A tensor that a :class:`Module` registers as learnable (``requires_grad=True``).

    ``Parameter(tensor_or_array)`` shares the given data.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.zeros(0, dtype=dtypes.get_default_dtype())
        if isinstance(data, Tensor):  # shared, not copied, with its version counter
            _make(data._array, data._shared_version(), into=self)
        else:
            _make(dtypes.as_array(data, copy=False), into=self)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        """A new parameter with a copy of the values and the same ``requires_grad``, and
        no ``.grad`` (as PyTorch's: a copied layer starts without gradients)."""
        if id(self) in memo:
            return memo[id(self)]
        result = type(self).__new__(type(self))
        _make(self._array.copy(), into=result)
        result.requires_grad = self.requires_grad
        memo[id(self)] = result
        return result


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet, as PyTorch's: what a lazy module
    (:class:`~minigrad.nn.LazyLinear`) holds until its first call infers the shape.

    It has a dtype (``dtype``, or the default float dtype) but no shape: reading
    ``shape``, ``size()``, ``numel()``, ``ndim`` or ``dim()`` raises. An optimizer may
    already hold it. :meth:`materialize` gives it a shape, in place: the same object
    then is a plain :class:`Parameter` (uninitialised memory, to be filled).
    """

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        resolve_device(device, "UninitializedParameter")
        resolved = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
        if resolved not in dtypes.FLOATING:
            raise TypeError(f"UninitializedParameter: dtype must be floating, got {resolved}")
        super().__init__(np.empty(0, dtype=resolved), requires_grad)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give this parameter the shape ``shape`` (an int or a sequence of ints) and,
        optionally, a new floating ``dtype``; it becomes a :class:`Parameter` (the same
        object) whose values are uninitialised."""
        resolve_device(device, "UninitializedParameter.materialize")
        sizes = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
                   for n in sizes):
            raise ValueError(
                f"UninitializedParameter.materialize: shape must be non-negative ints, got "
                f"{shape!r}"
            )
        target = self._array.dtype if dtype is None else dtypes.resolve(dtype)
        if target not in dtypes.FLOATING:
            raise TypeError(
                f"UninitializedParameter.materialize: dtype must be floating, got {target}"
            )
        with in_place(self):
            self._array = np.empty(tuple(int(n) for n in sizes), dtype=target)
        self.__class__ = Parameter  # type: ignore[assignment]

    def _no_shape(self) -> RuntimeError:
        return RuntimeError(
            "can't access the shape of an uninitialized parameter: run the lazy module on "
            "an example input first (a dry run), which infers the shapes; loading a "
            "state_dict into the module also gives them"
        )

    @property
    def shape(self) -> tuple[int, ...]:
        raise self._no_shape()

    @property
    def ndim(self) -> int:
        raise self._no_shape()

    def size(self, dim: int | None = None) -> Any:
        raise self._no_shape()

    def numel(self) -> int:
        raise self._no_shape()

    def dim(self) -> int:
        raise self._no_shape()

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


def _is_lazy(tensor: Any) -> bool:
    return isinstance(tensor, UninitializedParameter)


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
            self.__dict__.get("_non_persistent", set()).discard(name)
            parameters[name] = value
        elif isinstance(value, Module):
            self.__dict__.pop(name, None)
            buffers.pop(name, None)
            parameters.pop(name, None)
            self.__dict__.get("_non_persistent", set()).discard(name)
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
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    f"(minigrad Tensor or None expected)"
                )
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
                self.__dict__.get("_non_persistent", set()).discard(name)
                return
        object.__delattr__(self, name)

    def _check_new_name(self, name: Any, kind: str, store: str) -> None:
        """PyTorch's checks on a name about to be registered (nothing changed yet)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot register the {kind} {name!r} before Module.__init__() was called: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[store]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (``None`` registers an absent one, like a layer without bias).

        As PyTorch: the name must be a non-empty string without ``"."`` that is not
        already another attribute, and ``param`` a :class:`Parameter` or None."""
        self._check_new_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                f"(minigrad.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is not learned (such as running statistics), saved in
        the ``state_dict`` unless ``persistent=False``. ``None`` registers an absent one.
        The name follows :meth:`register_parameter`'s rules."""
        self._check_new_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                f"(minigrad Tensor or None required)"
            )
        self._buffers[name] = tensor
        non_persistent = self.__dict__.setdefault("_non_persistent", set())
        if persistent:
            non_persistent.discard(name)
        else:
            non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (``None`` registers an absent one)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module", "_modules")
        self._modules[name] = module

    def register_module(self, name: str, module: Module | None) -> None:
        """The same as :meth:`add_module`."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> Module:
        """The descendant module at the dotted path ``target`` (``"encoder.layers.0"``;
        ``""`` is this module). Raises ``AttributeError`` naming the first step of the
        path that does not exist or is not a Module."""
        if target == "":
            return self
        module: Module = self
        for step in target.split("."):
            if not hasattr(module, step):
                raise AttributeError(f"{type(module).__name__} has no attribute `{step}`")
            found = getattr(module, step)
            if not isinstance(found, Module):
                raise AttributeError(f"`{step}` is not an nn.Module")
            module = found
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (``"encoder.layers.0"``), replacing
        the module there, as PyTorch. The path up to the last name must lead to modules;
        the last name may be new unless ``strict``, but must not name something that is
        not a Module. Raises before anything changes."""
        if target == "":
            raise ValueError("set_submodule: cannot set the submodule without a target name")
        if not isinstance(module, Module):
            raise ValueError(f"set_submodule: `module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        exists = hasattr(parent, name)
        if strict and not exists:
            raise AttributeError(f"{type(parent).__name__} has no attribute `{name}`")
        if exists and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"encoder.weight"``). Raises
        ``AttributeError`` if the path does not exist or ends at something that is not a
        Parameter (an absent ``bias`` is None, so not one)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        parameter = getattr(module, name)
        if not isinstance(parameter, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return parameter

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``"norm.running_mean"``). Raises
        ``AttributeError`` if the path does not exist or ends at something that is not a
        registered buffer."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        buffer: Tensor = module._buffers[name]  # type: ignore[assignment]
        return buffer

    # ------------------------------------------------------------------ running

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ hooks
    # Empty class-level tables until a hook is registered (then the module gets its own),
    # so a call without hooks costs one test. Entries: handle id -> (hook, with_kwargs).
    _forward_pre_hooks: dict[int, tuple[Callable[..., Any], bool]] = {}
    _forward_hooks: dict[int, tuple[Callable[..., Any], bool]] = {}
    _backward_hooks: dict[int, tuple[Callable[..., Any], bool]] = {}

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before each ``forward`` (``hook(module, args,
        kwargs)`` with ``with_kwargs=True``). A result other than None replaces the
        arguments: a tuple (or a single value) for ``args``, or ``(args, kwargs)`` with
        ``with_kwargs``. ``prepend`` runs it before the hooks already registered."""
        return self._add_hook("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each ``forward`` (``hook(module,
        args, kwargs, output)`` with ``with_kwargs=True``); a result other than None
        replaces the output."""
        return self._add_hook("_forward_hooks", hook, prepend, with_kwargs)

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when backward has computed the
        gradients with respect to the module's inputs, as PyTorch.

        ``grad_output`` holds the gradients of the tensors ``forward`` returned (a tensor,
        or the tensors of a tuple); ``grad_input`` one entry per positional argument of
        the call, None for an argument that is not a tensor or needs no gradient. A
        tuple the hook returns replaces ``grad_input``. When no input needs a gradient,
        the hook runs once the output gradients are known, with ``grad_input`` all None.
        """
        return self._add_hook("_backward_hooks", hook, prepend, False)

    def _add_hook(
        self, table_name: str, hook: Callable[..., Any], prepend: bool, with_kwargs: bool
    ) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
        table = self.__dict__.get(table_name)
        if table is None:
            table = {}
            object.__setattr__(self, table_name, table)
        handle = RemovableHandle(table)
        if prepend:
            entries = list(table.items())
            table.clear()
            table[handle.id] = (hook, with_kwargs)
            table.update(entries)
        else:
            table[handle.id] = (hook, with_kwargs)
        return handle

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "a forward pre-hook registered with with_kwargs=True must return "
                            f"None or a tuple (args, kwargs), got {type(result).__name__}"
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hooks = _BackwardHooks(self) if self._backward_hooks else None
        if backward_hooks is not None:
            args = backward_hooks.wrap_inputs(args)
        output = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self._forward_hooks.values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        if backward_hooks is not None:
            output = backward_hooks.wrap_outputs(output)
        return output

    # ------------------------------------------------------------------ traversal

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, with dotted names (``prefix``, '' by
        default, for this one), parents before children. A module reachable by several
        paths comes once (at its first) unless ``remove_duplicate=False``; ``memo`` is the
        set of modules already seen (skipped), as PyTorch."""
        seen: set[int] = {id(module) for module in memo} if memo is not None else set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop(0)
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
                if memo is not None:
                    memo.add(module)
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

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = iter([(prefix, self)])
        for module_name, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (a shared one once, at its first name,
        unless ``remove_duplicate=False``); only this module's own with
        ``recurse=False``."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (what an optimizer takes)."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name (a shared one once unless
        ``remove_duplicate=False``); only this module's own with ``recurse=False``."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

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
                parameter.grad = Tensor._make(np.zeros_like(parameter.grad._array))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant and then on this module (e.g. to initialise)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype

    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> Module:
        """Convert every floating parameter and buffer to ``dtype`` in place; the CPU as
        a device (``"cpu"``, ``minigrad.device("cpu")``) is accepted, any other refused."""
        resolve_device(kwargs.get("device"), "Module.to")
        if isinstance(dtype, (str, device)):  # to("cpu"), to(device, dtype)
            resolve_device(dtype, "Module.to")
            dtype = None
        for arg in args:
            if isinstance(arg, (str, device)):
                resolve_device(arg, "Module.to")
            elif dtype is None:
                dtype = arg
        dtype = kwargs.get("dtype", dtype)
        if dtype is None:
            return self
        target = dtypes.resolve(dtype)
        if target not in dtypes.FLOATING:
            raise TypeError(f"Module.to: only float32 and float64 are supported, got {target}")
        with no_grad():
            for tensor in list(self.parameters()) + list(self.buffers()):
                if tensor._array.dtype.kind == "f" and tensor._array.dtype != target:
                    with in_place(tensor):  # new memory: saved values no longer match
                        tensor._array = tensor._array.astype(target)
                    if tensor.grad is not None:
                        tensor.grad = Tensor._make(tensor.grad._array.astype(target))
        return self

    def cpu(self) -> Module:
        """This module (its tensors are on the CPU already)."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Refused: minigrad runs on the CPU only."""
        raise RuntimeError("Module.cuda: minigrad runs on the CPU only")

    def float(self) -> Module:
        """Convert floating parameters and buffers to float32."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """Convert floating parameters and buffers to float64."""
        return self.to(dtypes.float64)

    # ------------------------------------------------------------------ state

    def _state_tensors(self, prefix: str = "") -> OrderedDict[str, Tensor]:
        """The parameters and persistent buffers themselves, by dotted name."""
        state: OrderedDict[str, Tensor] = OrderedDict()
        # Every path to a shared module or tensor gets its key, as in PyTorch.
        for module_name, module in self.named_modules(prefix=prefix, remove_duplicate=False):
            skip = module.__dict__.get("_non_persistent", set())
            for name, tensor in list(module._parameters.items()) + list(module._buffers.items()):
                if tensor is None or name in skip:
                    continue
                key = f"{module_name}.{name}" if module_name else name
                state[key] = tensor
        return state

    def state_dict(self, prefix: str = "") -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (sharing memory: a snapshot
        needs ``{k: v.clone() ...}`` or :func:`minigrad.save`). Refused while a lazy
        module has not inferred its parameters' shapes yet."""
        state = self._state_tensors(prefix)
        lazy = [key for key, tensor in state.items() if _is_lazy(tensor)]
        if lazy:
            raise RuntimeError(
                f"state_dict: {', '.join(lazy)} {'is' if len(lazy) == 1 else 'are'} not "
                "initialized yet (a lazy module, such as LazyLinear, infers the shapes at "
                "its first call): run the model once on an example input first"
            )
        return OrderedDict((key, tensor.detach()) for key, tensor in state.items())

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy values from ``state_dict`` (Tensors or NumPy arrays) into this module.

        Every problem is found before anything changes: with ``strict``, missing and
        unexpected keys raise; a wrongly shaped entry always raises. The error names every
        offending key and shape. An uninitialized parameter of a lazy module takes the
        shape of its entry (as PyTorch). Returns ``(missing_keys, unexpected_keys)``.
        """
        own = self._state_tensors()
        incoming: dict[str, np.ndarray] = {}
        problems: list[str] = []
        for key, value in state_dict.items():
            array = value._array if isinstance(value, Tensor) else value
            if not isinstance(array, np.ndarray) and not np.isscalar(array):
                problems.append(f"{key}: expected a Tensor or a NumPy array, got "
                                f"{type(value).__name__}")
                continue
            incoming[key] = np.asarray(array)
        missing = [k for k in own if k not in incoming]
        unexpected = [k for k in incoming if k not in own]
        for key, array in incoming.items():
            if key not in own:
                continue
            if not _is_lazy(own[key]) and array.shape != own[key]._array.shape:
                problems.append(
                    f"{key}: shape {tuple(array.shape)} in the state dict, but the module's "
                    f"is {tuple(own[key]._array.shape)}"
                )
            elif array.dtype.kind not in "fiub":
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
                    if isinstance(target, UninitializedParameter):
                        target.materialize(array.shape)
                    with in_place(target):
                        np.copyto(target._array, array, casting="unsafe")
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


class _BackwardHooks:
    """One call's full backward hooks: identity nodes around the module's inputs and
    outputs, so the engine hands this object the gradients of both."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.grad_output: tuple[Any, ...] | None = None
        self.input_count = 0
        self.inputs_wrapped = False

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.input_count = len(args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not positions:
            return args
        self.inputs_wrapped = True
        chosen = [args[i] for i in positions]
        wrapped = _HookIdentity.apply(self, "inputs", tuple(positions), *chosen)
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        result = list(args)
        for position, tensor in zip(positions, wrapped):
            result[position] = tensor
        return tuple(result)

    def wrap_outputs(self, output: Any) -> Any:
        several = isinstance(output, tuple)
        items = list(output) if several else [output]
        positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return output
        chosen = [items[i] for i in positions]
        wrapped = _HookIdentity.apply(self, "outputs", tuple(positions), *chosen)
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        for position, tensor in zip(positions, wrapped):
            items[position] = tensor
        self.output_positions, self.output_count = positions, len(items)
        return tuple(items) if several else items[0]

    def outputs_done(self, gradients: tuple[Any, ...]) -> None:
        grad_output: list[Any] = [None] * self.output_count
        for position, gradient in zip(self.output_positions, gradients):
            grad_output[position] = gradient
        self.grad_output = tuple(grad_output)
        if not self.inputs_wrapped:  # no input needs a gradient: the hooks run now
            warnings.warn(
                f"the full backward hook of {type(self.module).__name__} runs with the "
                "gradients of its outputs, and grad_input all None: none of its inputs "
                "requires a gradient",
                stacklevel=2,
            )
            self.run((None,) * self.input_count)

    def inputs_done(self, positions: tuple[int, ...], gradients: tuple[Any, ...]) -> tuple:
        grad_input: list[Any] = [None] * self.input_count
        for position, gradient in zip(positions, gradients):
            grad_input[position] = gradient
        result = self.run(tuple(grad_input))
        return tuple(result[position] for position in positions)

    def run(self, grad_input: tuple[Any, ...]) -> tuple[Any, ...]:
        for hook, _ in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(
                    f"backward hook returned {len(result)} gradients, but the module has "
                    f"{len(grad_input)} inputs: return None or one value per input"
                )
            grad_input = result
        return grad_input


class _HookIdentity(Function):
    """The identity on the tensors given, whose backward hands their gradients to the
    module's backward hooks (inputs: the hooks may replace them)."""

    _forward_on_arrays = True  # its forward records nothing: it returns its inputs

    @staticmethod
    def forward(ctx: Any, hooks: _BackwardHooks, side: str, positions: tuple, *tensors: Tensor):
        ctx.hooks, ctx.side, ctx.positions = hooks, side, positions
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx: Any, *gradients: Any) -> tuple[Any, ...]:
        if ctx.side == "outputs":
            ctx.hooks.outputs_done(gradients)
        else:
            gradients = ctx.hooks.inputs_done(ctx.positions, gradients)
        return (None, None, None, *gradients)
