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

import types
from typing import Any, Callable

import numba

__all__ = ["jit", "serial_and_parallel"]


# NumPy's error model: a division by zero gives inf or nan, as in NumPy, instead of a
# check that raises ZeroDivisionError, which also stops LLVM from vectorising the loop.
_OPTIONS = {"cache": True, "error_model": "numpy"}


def jit(py_func: Callable[..., Any]) -> Any:
    """Compile ``py_func`` lazily with Numba and cache the result on disk."""
    return numba.njit(**_OPTIONS)(py_func)


def inline(py_func: Callable[..., Any]) -> Any:
    """A scalar helper that Numba inlines into the kernels calling it."""
    return numba.njit(inline="always", **_OPTIONS)(py_func)


def _renamed_copy(py_func: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    # Numba names its cache files after the function's qualified name and keys them by
    # argument types only, so the serial and parallel builds of one source must carry
    # different names or they would load each other's machine code.
    copy = types.FunctionType(
        py_func.__code__, py_func.__globals__, py_func.__name__ + suffix, py_func.__defaults__
    )
    copy.__qualname__ = py_func.__qualname__ + suffix
    copy.__doc__ = py_func.__doc__
    return copy


def serial_and_parallel(py_func: Callable[..., Any]) -> tuple[Any, Any]:
    """Compile one loop written with ``numba.prange`` twice: serially and in parallel.

    ``prange`` behaves as ``range`` in the serial build.
    """
    serial = numba.njit(**_OPTIONS)(py_func)
    parallel = numba.njit(parallel=True, **_OPTIONS)(_renamed_copy(py_func, "_parallel"))
    return serial, parallel
