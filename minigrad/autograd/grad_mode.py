"""Grad mode: whether operations on this thread are recorded for differentiation.

``no_grad()`` turns recording off (inference, parameter updates), ``enable_grad()`` turns
it back on inside such a block, ``set_grad_enabled(mode)`` sets it either way. Each works
as a context manager and as a decorator (of functions and of generator functions). The
mode is thread-local: every thread starts with recording on.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode(threading.local):
    # threading.local runs __init__ once per thread, so every thread starts with
    # gradients enabled whatever another thread is doing.
    def __init__(self) -> None:
        self.enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations on this thread are recorded for differentiation."""
    return _mode.enabled


class set_grad_enabled:
    """Enable or disable gradient recording on this thread.

    Usable as a function call, a context manager (restoring the previous mode on exit) or
    a decorator.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self.previous

    def __call__(self, func: F) -> F:
        _mode.enabled = self.previous  # as a decorator, creating it changes nothing
        return _in_mode(func, self.mode)


def _run_in_mode(mode: bool, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    previous = _mode.enabled
    _mode.enabled = mode
    try:
        return action(*args, **kwargs)
    finally:
        _mode.enabled = previous


def _in_mode(func: F, mode: bool) -> F:
    """``func`` running with grad mode ``mode``; for a generator function, every step of
    the generator runs in that mode (and the caller's mode is back between steps)."""
    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            generator = func(*args, **kwargs)
            step, argument = generator.send, None
            while True:
                try:
                    value = _run_in_mode(mode, step, argument)
                except StopIteration as stop:
                    return stop.value
                try:
                    argument, step = (yield value), generator.send
                except GeneratorExit:
                    generator.close()
                    raise
                except BaseException as error:  # thrown in: hand it to the generator
                    argument, step = error, generator.throw

        return generator_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _run_in_mode(mode, func, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __new__(cls, func: Any = None) -> Any:
        # @no_grad without parentheses decorates func directly (as PyTorch 2 allows).
        instance = super().__new__(cls)
        if func is None:
            return instance
        if not callable(func):
            raise TypeError(f"{cls.__name__}() takes no arguments, got {func!r}")
        instance.previous = []
        return instance(func)

    def __init__(self, func: Any = None) -> None:
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _mode.enabled = self.previous.pop()

    def __call__(self, func: F) -> F:
        return _in_mode(func, self.mode)


class no_grad(_GradModeContext):
    """Context manager and decorator that stops recording operations (inference, updates).

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that re-enables recording inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """Context manager and decorator for inference: nothing is recorded inside
    (``inference_mode(False)`` changes nothing). As ``no_grad`` in minigrad, which has no
    separate inference tensors: a tensor made inside can later be used in a recorded
    operation (PyTorch refuses that)."""

    mode = False

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):
            return super().__new__(cls, mode)  # @inference_mode without parentheses
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode: mode must be a bool, got {mode!r}")
        instance = super().__new__(cls)
        instance.enabled = mode
        return instance

    def __init__(self, mode: Any = True) -> None:
        super().__init__()

    def __enter__(self) -> None:
        self.previous.append(_mode.enabled)
        if getattr(self, "enabled", True):
            _mode.enabled = False

    def __call__(self, func: F) -> F:
        if not getattr(self, "enabled", True):
            return func
        return _in_mode(func, False)


def is_inference_mode_enabled() -> bool:
    """Whether recording is off inside an ``inference_mode`` block (as ``not
    is_grad_enabled()`` in minigrad)."""
    return not _mode.enabled
