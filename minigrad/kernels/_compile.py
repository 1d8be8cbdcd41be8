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

import ctypes
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


def _openmp_already_loaded() -> bool:
    """Whether an OpenMP runtime is already in the process (PyTorch imported first)."""
    try:
        with open("/proc/self/maps") as maps:
            return any("libgomp" in line or "libiomp" in line for line in maps)
    except OSError:  # not Linux: nothing to see
        return False


# The spin setting above reaches only an OpenMP runtime loaded after it. PyTorch loads
# its own libgomp globally at import, so with torch imported first Numba's OpenMP layer
# joins that runtime, whose idle threads spin at its default and fight OpenBLAS's
# threads for the two cores: measured, an RNN step at (64, 35, 128, 256) took 17-19 ms
# instead of 9.5 ms alone. Numba's work-queue layer, whose threads sleep when idle, then
# takes its place (9.6-11 ms). Starting its threads costs ~70 µs per call (OpenMP:
# ~6 µs), so in that layer arrays below WORK_QUEUE_MIN_SIZE elements run on the serial
# build instead (break-even measured near 1e5 float32 for exp). A user's own
# NUMBA_THREADING_LAYER wins.
WORK_QUEUE_MIN_SIZE = 2**17
_SERIAL_BELOW = 0  # parallel builds hand arrays smaller than this to their serial twin
if "NUMBA_THREADING_LAYER" not in os.environ and _openmp_already_loaded():
    numba.config.THREADING_LAYER = "workqueue"  # type: ignore[attr-defined]
    _SERIAL_BELOW = WORK_QUEUE_MIN_SIZE


def _keep_freed_memory_for_reuse() -> None:
    """Let glibc's malloc keep large freed blocks for the next allocation.

    A training step allocates and frees the same large arrays every time (activations,
    gradients, the fused recurrent layers' gates). glibc by default returns such blocks
    to the kernel (mmap for blocks above its threshold, trimming the heap top above
    twice that), so the next step's arrays page-fault again on every 4 KiB page, and on
    these virtual machines a fault costs microseconds: measured, an LSTM step at
    (64, 35, 128, 256) took 43-54 ms by default and 36 ms with blocks up to 32 MiB
    served from the heap and the heap trimmed only above 1 GiB. Memory then stays with
    the process after a step instead of going back to the system (the peak is
    unchanged). A user's own MALLOC_* settings win; other C libraries are left alone.
    """
    if any(name in os.environ for name in _MALLOC_VARIABLES):
        return
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):  # glibc answers "glibc 2.36"
            return
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)
        libc.mallopt(_M_TRIM_THRESHOLD, 2**30)
    except (OSError, ValueError, AttributeError):  # not glibc, or no mallopt
        pass


_MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h> parameter numbers
_M_MMAP_THRESHOLD = -3
_keep_freed_memory_for_reuse()

# Numba's work-queue threading layer (its fallback without OpenMP or TBB, or by choice)
# must not be entered by two threads at once: it ends the process. So parallel kernels
# run one at a time; serial kernels, most calls, are not held up.
_PARALLEL_LOCK = threading.Lock()


class _OneAtATime:
    """A parallel kernel that waits for any other parallel kernel to finish first (and
    that runs its serial twin when the threads would cost more than they save: see
    ``_SERIAL_BELOW``; the first argument's size decides)."""

    def __init__(self, dispatcher: Any, serial: Any) -> None:
        self.dispatcher = dispatcher
        self.serial = serial
        self.__name__ = dispatcher.__name__
        self.__doc__ = dispatcher.__doc__

    def __call__(self, *args: Any) -> Any:
        if _SERIAL_BELOW and getattr(args[0], "size", _SERIAL_BELOW) < _SERIAL_BELOW:
            return self.serial(*args)
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
    return serial, _OneAtATime(parallel, serial)


def set_num_threads(count: int) -> None:
    """Use at most ``count`` threads in the parallel kernels (``torch.set_num_threads``);
    capped at the number Numba started with. Matrix products follow NumPy's BLAS, whose
    threads are set by ``OPENBLAS_NUM_THREADS`` before the program starts."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {count!r}")
    numba.set_num_threads(min(count, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]


def get_num_threads() -> int:
    """How many threads the parallel kernels use."""
    return int(numba.get_num_threads())
