"""How minigrad compiles its kernels.

Every kernel is a module-level Python function compiled with ``numba.njit(cache=True)``.
No signatures are given: Numba then compiles a kernel the first time it is called with a
new argument type (so ``import minigrad`` compiles nothing) and stores the machine code on
disk, so later processes load it in milliseconds instead of compiling again. The callers
in this package only ever pass C-contiguous float32 or float64 arrays, so each kernel has
at most a couple of specialisations.

Parallel kernels cost a few microseconds per call to start and join their threads, so
elementwise work below a measured size runs on a serial twin of the same source.
"""

from __future__ import annotations

import os
import threading
import types
from collections.abc import Callable
from typing import Any

import numba

# Numba's OpenMP threads spin for a long while after each parallel kernel, as OpenBLAS's
# threads do after each product; on two cores the two runtimes then take turns by the
# scheduler's 4 ms tick. Measured on the demo (300 Adam steps of a 2-32-32-1 MLP, idle
# machine): 7.3 s with GNU OpenMP's default spinning, 0.6 s when it spins 1000 times
# before sleeping, while a parallel exp of 1e5 float32 still takes 59 µs (serial: 82).
# The setting must be in place before the OpenMP runtime loads, at the first parallel
# call; a user's own GOMP_SPINCOUNT wins.
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

# Numba's work-queue threading layer (its fallback without OpenMP or TBB, or by choice)
# must not be entered by two threads at once: it ends the process. So parallel kernels
# run one at a time; serial kernels, most calls, are not held up.
_PARALLEL_LOCK = threading.Lock()


class _OneAtATime:
    """A parallel kernel that waits for any other parallel kernel to finish first."""

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self.__name__ = dispatcher.__name__
        self.__doc__ = dispatcher.__doc__

    def __call__(self, *args: Any) -> Any:
        with _PARALLEL_LOCK:
            return self.dispatcher(*args)

__all__ = ["inline", "jit", "serial_and_parallel", "specialise"]


# NumPy's error model: a division by zero gives inf or nan, as in NumPy, instead of a
# check that raises ZeroDivisionError, which also stops LLVM from vectorising the loop.
_OPTIONS: dict[str, Any] = {"cache": True, "error_model": "numpy"}


def jit(py_func: Callable[..., Any]) -> Any:
    """Compile ``py_func`` lazily with Numba and cache the result on disk."""
    return numba.njit(**_OPTIONS)(py_func)


def inline(py_func: Callable[..., Any]) -> Any:
    """A scalar helper that Numba inlines into the kernels calling it."""
    return numba.njit(inline="always", **_OPTIONS)(py_func)


def _renamed_copy(
    py_func: Callable[..., Any], suffix: str, bindings: dict[str, Any] | None = None
) -> Callable[..., Any]:
    # Numba names its cache files after the function's qualified name and keys them by
    # argument types only, so two builds of one source must carry different names or they
    # would load each other's machine code.
    namespace = py_func.__globals__ if bindings is None else {**py_func.__globals__, **bindings}
    copy = types.FunctionType(
        py_func.__code__, namespace, py_func.__name__ + suffix, py_func.__defaults__
    )
    copy.__qualname__ = py_func.__qualname__ + suffix
    copy.__doc__ = py_func.__doc__
    return copy


def specialise(py_func: Callable[..., Any], suffix: str, **bindings: Any) -> Any:
    """Compile a copy of a loop skeleton with some of its global names bound differently.

    One skeleton then serves several kernels: ``specialise(_binary_loop, "_add",
    OPERATION=add_scalar)`` compiles the loop with ``OPERATION`` inlined as addition.
    Numba reads globals at compile time, so the bound function is inlined and the loop
    vectorises as if written out by hand; each copy is cached under its own name.
    """
    return numba.njit(**_OPTIONS)(_renamed_copy(py_func, suffix, bindings))


def serial_and_parallel(py_func: Callable[..., Any]) -> tuple[Any, Any]:
    """Compile one loop written with ``numba.prange`` twice: serially and in parallel.

    ``prange`` behaves as ``range`` in the serial build.
    """
    serial = numba.njit(**_OPTIONS)(py_func)
    parallel = numba.njit(parallel=True, **_OPTIONS)(_renamed_copy(py_func, "_parallel"))
    return serial, _OneAtATime(parallel)
