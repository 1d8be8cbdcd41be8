"""The process-level settings minigrad makes at import (minigrad/kernels/_compile.py):
Numba's threading layer when an OpenMP runtime is already loaded (PyTorch imported
first), the serial fallback of parallel kernels in that layer, and glibc's malloc
thresholds. Each import case runs in a fresh interpreter."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numba
import numpy as np
import pytest

from minigrad.kernels import _compile

HAVE_TORCH = importlib.util.find_spec("torch") is not None
REPORT = (
    "import numba; from minigrad.kernels import _compile; "
    "print(numba.config.THREADING_LAYER, _compile._SERIAL_BELOW)"
)


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_alone_numba_keeps_its_default_layer():
    assert run_python("import minigrad; " + REPORT) == ["default", "0"]


@pytest.mark.skipif(not HAVE_TORCH, reason="needs PyTorch")
def test_torch_imported_first_selects_the_work_queue_layer():
    assert run_python("import torch; import minigrad; " + REPORT) == [
        "workqueue",
        str(_compile.WORK_QUEUE_MIN_SIZE),
    ]
    # Imported the other way round, our spin setting reaches torch's runtime: no change.
    assert run_python("import minigrad; import torch; " + REPORT) == ["default", "0"]


@pytest.mark.skipif(not HAVE_TORCH, reason="needs PyTorch")
def test_a_users_threading_layer_wins():
    assert run_python("import torch; import minigrad; " + REPORT, NUMBA_THREADING_LAYER="omp") == [
        "omp",
        "0",
    ]


def test_parallel_kernels_hand_small_arrays_to_the_serial_build(monkeypatch):
    calls = []
    serial, parallel = _compile.serial_and_parallel(_double_loop)
    monkeypatch.setattr(parallel, "serial", lambda *args: calls.append(args) or serial(*args))
    monkeypatch.setattr(_compile, "_SERIAL_BELOW", 100)
    small, out = np.arange(10.0), np.empty(10)
    parallel(small, out)
    assert len(calls) == 1
    np.testing.assert_array_equal(out, 2 * small)
    big, out_big = np.arange(200.0), np.empty(200)
    parallel(big, out_big)
    assert len(calls) == 1  # the parallel build ran
    np.testing.assert_array_equal(out_big, 2 * big)
    monkeypatch.setattr(_compile, "_SERIAL_BELOW", 0)
    parallel(small, out)
    assert len(calls) == 1


def _double_loop(x, out):
    for i in numba.prange(x.size):
        out[i] = 2 * x[i]


class _RecordingLibc:
    def __init__(self, calls):
        self.calls = calls

    def mallopt(self, parameter, value):
        self.calls.append((parameter, value))
        return 1


def test_malloc_thresholds_are_set_unless_the_user_set_their_own(monkeypatch):
    calls = []
    monkeypatch.setattr(_compile.ctypes, "CDLL", lambda name: _RecordingLibc(calls))
    for name in _compile._MALLOC_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    _compile._keep_freed_memory_for_reuse()
    glibc = bool(os.confstr("CS_GNU_LIBC_VERSION")) if hasattr(os, "confstr") else False
    expected = [(-3, 32 * 2**20), (-1, 2**30)] if glibc else []
    assert calls == expected
    calls.clear()
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    _compile._keep_freed_memory_for_reuse()
    assert calls == []
