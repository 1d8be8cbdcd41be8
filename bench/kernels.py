"""Benchmark minigrad's kernels against NumPy (and PyTorch, when installed) in one run.

Usage::

    python bench/kernels.py                       # every section, 9 repeats per figure
    python bench/kernels.py --quick               # 3 repeats, shorter repeats: a smoke run
    python bench/kernels.py --section matmul      # one section (repeatable)
    python bench/kernels.py --statistic median    # report medians instead of best times

Sections: ``elementwise``, ``matmul``, ``graph``, ``startup``. The machine facts (CPU,
cores, library versions, BLAS, load average) are always printed first.

How to read the tables:

- Times are per call, the best of the repeats unless ``--statistic median``: on a shared
  machine the best is the figure least disturbed by other work. Every timed block starts
  after a short idle gap, so spinning BLAS/OpenMP threads of the previous runtime do not
  slow the next (see ``bench/_timing.py``).
- A ratio is a *speedup*: reference time / minigrad time. Above 1.00x minigrad is faster.
  For matmul the ratio of GFLOP/s is the same number.
- Every engine allocates its own output in every call (none is preallocated), as a user's
  ``np.exp(x)`` or ``torch.exp(t)`` would: large fresh outputs page-fault, and that cost is
  charged to all engines alike. ``matmul_tiled`` takes an ``out`` argument; it is given a
  freshly allocated one inside the timed call.
- PyTorch runs with ``torch.set_num_threads(<cores>)`` (2 here, as Numba and OpenBLAS).
  Without PyTorch its columns are left out; it is never required.
- Targets from the issue are marked PASS/FAIL next to the figure they concern.
- Before it is timed, each minigrad result is checked against NumPy's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from _timing import idle, measure

SECTIONS = ("elementwise", "matmul", "graph", "startup")
ELEMENTWISE_SIZES = (10**3, 10**4, 10**5, 10**6, 10**7)
MATMUL_SIZES = (64, 128, 256, 512, 1024)
DTYPES = (np.float32, np.float64)

# The targets.
DISPATCHER_MIN_RATIO = 0.9  # matmul dispatcher vs np.matmul, for n >= 256
DISPATCHER_TARGET_MIN_N = 256
TILED_MIN_RATIO = 0.5  # matmul_tiled vs np.matmul at n = 512 float32
TILED_TARGET = (512, np.float32)
GRAPH_MIN_SPEEDUP = 2.0  # minigrad's forward+backward at most half PyTorch's time
IMPORT_MAX_EXTRA_SECONDS = 0.15  # import minigrad vs import numpy, numba
# exp, tanh, sigmoid (issue 11, section 3): never slower than NumPy from 1e3 elements, and
# from 1e6 within this factor of the memory floor.
TRANSCENDENTAL_MAX_FLOOR_RATIO = 1.35
TRANSCENDENTAL_FLOOR_MIN_SIZE = 10**6
TRANSCENDENTAL = ("exp", "tanh", "sigmoid")
# Elements of the in-cache run that measures a kernel's arithmetic alone (L1/L2-resident).
COMPUTE_PROBE_SIZE = 2**13

# A 1-minute load average from this value up means other work competes for the cores.
BUSY_LOAD = 0.5


@dataclass(frozen=True)
class Settings:
    """How hard to measure."""

    repeats: int
    min_repeat_time: float
    statistic: str
    process_runs: int  # fresh processes per startup figure (median)
    cold_runs: int  # fresh cache directories for the cold first-call figures

    def time(self, func: Callable[..., Any], *args: Any) -> float:
        """Seconds per call of ``func(*args)`` (best or median of the repeats)."""
        timing = measure(func, *args, repeats=self.repeats, min_repeat_time=self.min_repeat_time)
        return timing.statistic(self.statistic)


# --------------------------------------------------------------------------------------
# Output


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print ``rows`` under ``header``: first column left-aligned, the others right."""
    columns = list(zip(header, *rows, strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    print(f"\n{title}\n{'-' * len(title)}")
    print(line(header))
    for row in rows:
        print(line(row))


def note(text: str) -> None:
    """Print an explanatory line under a table."""
    print(f"  * {text}")


def microseconds(seconds: float) -> str:
    """A time in µs, with about three significant digits."""
    us = seconds * 1e6
    return f"{us:.0f}" if us >= 100 else f"{us:.1f}" if us >= 10 else f"{us:.2f}"


def ratio(value: float) -> str:
    """A speedup or a ratio of rates, as ``1.23x``."""
    return f"{value:.2f}x"


def verdict(passed: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


def check_close(actual: Any, expected: Any, dtype: Any, scale: float = 1.0) -> None:
    """Stop the benchmark if a minigrad result disagrees with the reference."""
    tolerance = (1e-4 if np.dtype(dtype) == np.float32 else 1e-10) * scale
    np.testing.assert_allclose(
        np.asarray(actual), np.asarray(expected), rtol=tolerance, atol=tolerance
    )


# --------------------------------------------------------------------------------------
# Machine facts


def import_torch() -> Any:
    """PyTorch with one intra-op thread per core, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(available_cores())
    return torch


def available_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what ``platform`` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for row in cpuinfo:
                if row.startswith("model name"):
                    return row.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_description() -> str:
    """The BLAS NumPy uses: threadpoolctl's live view if installed, else NumPy's build."""
    try:
        import threadpoolctl
    except ImportError:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')} (NumPy build info)"
    pools = threadpoolctl.threadpool_info()
    return "; ".join(
        f"{pool.get('internal_api')} {pool.get('version')} {pool.get('threading_layer', '')}"
        f" {pool.get('num_threads')} threads ({pool.get('user_api')})"
        for pool in pools
    )


def print_machine_facts(torch: Any, settings: Settings) -> None:
    """CPU, cores, versions, BLAS, load: what the figures below depend on."""
    import numba

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    facts = [
        ("CPU", cpu_model()),
        ("cores", f"{available_cores()} available ({os.cpu_count()} online)"),
        ("load average", f"{load} (1, 5, 15 min; > 0 means other work shares the cores)"),
        ("Python", platform.python_version()),
        ("NumPy", np.__version__),
        ("Numba", f"{numba.__version__}, {numba.config.NUMBA_NUM_THREADS} threads"),
        (
            "PyTorch",
            f"{torch.__version__}, {torch.get_num_threads()} threads" if torch else "not installed",
        ),
        ("OPENBLAS_CORETYPE", os.environ.get("OPENBLAS_CORETYPE", "not set")),
        ("BLAS", blas_description()),
        ("timing", f"{settings.statistic} of {settings.repeats} repeats per figure"),
    ]
    print("Machine")
    print("-------")
    for name, value in facts:
        print(f"{name + ':':<19}{value}")
    if os.getloadavg()[0] >= BUSY_LOAD:
        print(
            "WARNING: other processes are using the cores. A parallel call (Numba prange,\n"
            "         OpenBLAS, torch) then waits for a busy core, often a whole scheduler\n"
            "         tick (4 ms quanta here): figures of ~4, 8, 12 ms are such waits."
        )


# --------------------------------------------------------------------------------------
# 1. Elementwise kernels


def numpy_sigmoid(x: np.ndarray) -> np.ndarray:
    """The sigmoid as NumPy users write it: ``1 / (1 + np.exp(-x))`` (three temporaries)."""
    return 1 / (1 + np.exp(-x))


def elementwise_cases() -> list[tuple[str, int, Callable[..., Any], Callable[..., Any], str]]:
    """(name, number of inputs, minigrad kernel, NumPy function, name of torch function)."""
    from minigrad.kernels import binary, unary

    return [
        ("add", 2, binary.add, np.add, "add"),
        ("mul", 2, binary.mul, np.multiply, "mul"),
        ("exp", 1, unary.exp, np.exp, "exp"),
        ("tanh", 1, unary.tanh, np.tanh, "tanh"),
        ("sigmoid", 1, unary.sigmoid, numpy_sigmoid, "sigmoid"),
    ]


def memory_floor(settings: Settings, x: np.ndarray) -> float:
    """Seconds to read ``x`` and write a new array of its size with no arithmetic: the
    faster of ``np.copy`` and minigrad's ``neg`` kernel (same allocation and threads as
    the other unary kernels). No unary kernel returning a new array can beat it."""
    from minigrad.kernels import unary

    return min(settings.time(np.copy, x), settings.time(unary.neg, x))


def compute_bound(settings: Settings, name: str, dtype: Any, size: int) -> float:
    """Seconds the arithmetic of ``size`` elements takes on every core: the serial
    kernel's time per element on a small array held in cache, times ``size``, divided by
    the cores. Neither memory nor threads cost anything here, so no kernel computing the
    same function the same way can be faster."""
    from minigrad.kernels import unary

    serial = getattr(unary, f"_{name}_kernels")[0]
    x = np.random.default_rng(0).uniform(-4, 4, COMPUTE_PROBE_SIZE).astype(dtype)
    out = np.empty_like(x)
    per_element = settings.time(serial, x, out) / COMPUTE_PROBE_SIZE
    return per_element * size / available_cores()


def transcendental_target(
    name: str, size: int, vs_numpy: float, vs_floor: float, bound: float
) -> str:
    """PASS/FAIL of section 3's targets that apply here; "(compute-bound)" where even the
    kernel's arithmetic alone takes longer than the floor target allows."""
    if name not in TRANSCENDENTAL:
        return ""
    verdicts = [f"vs NumPy {verdict(vs_numpy >= 1.0)}"]
    if size >= TRANSCENDENTAL_FLOOR_MIN_SIZE:
        text = f"floor {verdict(vs_floor <= TRANSCENDENTAL_MAX_FLOOR_RATIO)}"
        if bound > TRANSCENDENTAL_MAX_FLOOR_RATIO:
            text += " (compute-bound)"
        verdicts.append(text)
    return ", ".join(verdicts)


def elementwise_row(
    settings: Settings, torch: Any, case: tuple[Any, ...], dtype: Any, size: int
) -> list[str]:
    """One row of the elementwise table: times and speedups for one op, dtype and size."""
    name, arity, kernel, numpy_function, torch_name = case
    rng = np.random.default_rng(size)
    # Within [-4, 4) nothing overflows, and tanh and sigmoid are not saturated.
    inputs = [rng.uniform(-4, 4, size).astype(dtype) for _ in range(arity)]
    check_close(kernel(*inputs), numpy_function(*inputs), dtype)
    ours = settings.time(kernel, *inputs)
    numpy_time = settings.time(numpy_function, *inputs)
    references = [numpy_time]
    if torch:
        tensors = [torch.from_numpy(array) for array in inputs]
        references.append(settings.time(getattr(torch, torch_name), *tensors))
    row = [name, np.dtype(dtype).name, f"{size:.0e}", microseconds(ours)]
    row += [microseconds(seconds) for seconds in references]
    row += [ratio(seconds / ours) for seconds in references]
    if arity == 1:
        floor = memory_floor(settings, inputs[0])
        bound = compute_bound(settings, name, dtype, size) / floor
        target = transcendental_target(name, size, numpy_time / ours, ours / floor, bound)
        row += [microseconds(floor), ratio(ours / floor), ratio(bound), target]
    else:
        row += ["", "", "", ""]
    return row


def bench_elementwise(settings: Settings, torch: Any) -> None:
    """minigrad's elementwise kernels vs NumPy's ufuncs (vs torch), new output each call."""
    header = ["op", "dtype", "elements", "minigrad µs", "NumPy µs"]
    header += ["torch µs", "vs NumPy", "vs torch"] if torch else ["vs NumPy"]
    header += ["floor µs", "/ floor", "compute / floor", "targets"]
    rows = []
    for case in elementwise_cases():
        for dtype in DTYPES:
            for size in ELEMENTWISE_SIZES:
                rows.append(elementwise_row(settings, torch, case, dtype, size))
                print(".", end="", flush=True)
    print_table("1. Elementwise: a new output array per call (none preallocated)", header, rows)
    note("minigrad: minigrad.kernels.binary.add/mul, minigrad.kernels.unary.exp/tanh/sigmoid")
    note("NumPy: np.add, np.multiply, np.exp, np.tanh; sigmoid as 1 / (1 + np.exp(-x))")
    if torch:
        note("torch: torch.add, torch.mul, torch.exp, torch.tanh, torch.sigmoid")
    note("inputs uniform in [-4, 4), C-contiguous; 'vs' = reference time / minigrad time")
    note("floor: the faster of np.copy(x) and minigrad's neg(x), a new array written with no")
    note("  arithmetic; '/ floor' = minigrad time / floor (1.00x: as fast as a copy)")
    note(f"compute: the serial kernel's time per element on {COMPUTE_PROBE_SIZE} elements in")
    note("  cache, times the size, over the cores: the arithmetic alone, no memory traffic")
    note("targets (issue 11, section 3): exp, tanh, sigmoid never slower than NumPy from 1e3")
    note(f"  elements; from 1e6, '/ floor' <= {TRANSCENDENTAL_MAX_FLOOR_RATIO}x; '(compute-bound)'")
    note("  where the arithmetic alone already takes longer than that")


# --------------------------------------------------------------------------------------
# 2. Matrix product


def gflops(n: int, seconds: float) -> float:
    """GFLOP/s of an n x n x n product (2 n^3 floating-point operations)."""
    return 2 * n**3 / seconds / 1e9


def matmul_targets(n: int, dtype: Any, dispatcher_ratio: float, tiled_ratio: float) -> str:
    """PASS/FAIL for the issue's targets that apply to this size and dtype."""
    verdicts = []
    if n >= DISPATCHER_TARGET_MIN_N:
        passed = dispatcher_ratio >= DISPATCHER_MIN_RATIO
        verdicts.append(f"dispatch>={DISPATCHER_MIN_RATIO}x {verdict(passed)}")
    if (n, dtype) == TILED_TARGET:
        verdicts.append(f"tiled>={TILED_MIN_RATIO}x {verdict(tiled_ratio >= TILED_MIN_RATIO)}")
    return ", ".join(verdicts)


def tiled_with_new_output(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``matmul_tiled`` into a freshly allocated output, as the other engines do."""
    from minigrad.kernels.matmul import matmul_tiled

    return matmul_tiled(a, b, np.empty((a.shape[0], b.shape[1]), a.dtype))


def matmul_row(settings: Settings, torch: Any, n: int, dtype: Any) -> list[str]:
    """One row of the matmul table: GFLOP/s, ratios and targets for one size and dtype."""
    from minigrad.kernels.matmul import matmul

    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    expected = np.matmul(a, b)
    check_close(matmul(a, b), expected, dtype, scale=n)
    check_close(tiled_with_new_output(a, b), expected, dtype, scale=n)
    rates = {
        "dispatch": gflops(n, settings.time(matmul, a, b)),
        "tiled": gflops(n, settings.time(tiled_with_new_output, a, b)),
        "NumPy": gflops(n, settings.time(np.matmul, a, b)),
    }
    if torch:
        tensors = torch.from_numpy(a), torch.from_numpy(b)
        rates["torch"] = gflops(n, settings.time(torch.matmul, *tensors))
    row = [str(n), np.dtype(dtype).name] + [f"{rate:.1f}" for rate in rates.values()]
    for reference in ["NumPy", "torch"] if torch else ["NumPy"]:
        row += [ratio(rates[ours] / rates[reference]) for ours in ("dispatch", "tiled")]
    dispatcher_ratio = rates["dispatch"] / rates["NumPy"]
    tiled_ratio = rates["tiled"] / rates["NumPy"]
    row.append(matmul_targets(n, dtype, dispatcher_ratio, tiled_ratio))
    return row


def bench_matmul(settings: Settings, torch: Any) -> None:
    """GFLOP/s of square products: the dispatcher, our tiled kernel alone, NumPy, torch."""
    header = ["n", "dtype", "dispatch", "tiled", "NumPy"]
    header += ["torch"] if torch else []
    header += ["dispatch/NumPy", "tiled/NumPy"]
    header += ["dispatch/torch", "tiled/torch"] if torch else []
    header += ["targets"]
    rows = []
    for dtype in DTYPES:
        for n in MATMUL_SIZES:
            rows.append(matmul_row(settings, torch, n, dtype))
            print(".", end="", flush=True)
    print_table("2. Matmul: GFLOP/s of an n x n @ n x n product (higher is better)", header, rows)
    note("dispatch: minigrad.kernels.matmul.matmul (our kernel for tiny products, else BLAS)")
    note("tiled: minigrad.kernels.matmul.matmul_tiled(a, b, out), out allocated in each call")
    note("NumPy: np.matmul (OpenBLAS); torch: torch.matmul; every engine allocates its output")
    note(
        f"targets: dispatch >= {DISPATCHER_MIN_RATIO}x NumPy for n >= {DISPATCHER_TARGET_MIN_N};"
        f" tiled >= {TILED_MIN_RATIO}x NumPy at n = 512 float32"
    )


# --------------------------------------------------------------------------------------
# 3. A tiny graph


def tiny_graph_steps(library: Any) -> dict[str, Callable[[], Any]]:
    """Forward, backward and both, of ``(x @ w).tanh().sum()`` with 4x4 float32 x and w.

    ``library`` is ``minigrad`` or ``torch``, whose APIs agree here. Only ``w`` (a
    parameter) requires a gradient. Its ``.grad`` is reset before every backward pass so
    that each pass stores a fresh gradient rather than adding to the last one. The
    backward-only step reruns ``backward(retain_graph=True)`` on one recorded graph.
    """
    x = library.randn(4, 4, dtype=library.float32)
    w = library.randn(4, 4, dtype=library.float32, requires_grad=True)

    def forward() -> Any:
        return (x @ w).tanh().sum()

    def forward_and_backward() -> None:
        w.grad = None
        forward().backward()

    recorded = forward()

    def backward() -> None:
        w.grad = None
        recorded.backward(retain_graph=True)

    return {
        "forward + backward": forward_and_backward,
        "forward only": forward,
        "backward only": backward,
    }


def bench_graph(settings: Settings, torch: Any) -> None:
    """µs per step of a tiny graph: the per-op overhead of the engine, not its kernels."""
    import minigrad

    ours = {name: settings.time(step) for name, step in tiny_graph_steps(minigrad).items()}
    header = ["step", "minigrad µs"]
    rows = [[name, microseconds(seconds)] for name, seconds in ours.items()]
    if torch:
        theirs = {name: settings.time(step) for name, step in tiny_graph_steps(torch).items()}
        header += ["torch µs", "speedup", "target"]
        for row, name in zip(rows, ours, strict=True):
            speedup = theirs[name] / ours[name]
            target = ""
            if name == "forward + backward":
                target = f">= {GRAPH_MIN_SPEEDUP:.1f}x {verdict(speedup >= GRAPH_MIN_SPEEDUP)}"
            row += [microseconds(theirs[name]), ratio(speedup), target]
    print_table("3. Tiny graph: (x @ w).tanh().sum().backward(), 4x4 float32", header, rows)
    note("only w requires a gradient; w.grad is reset to None before each backward")
    note("backward only: backward(retain_graph=True) rerun on one recorded graph")
    if torch:
        note("target: minigrad's forward + backward at most half of PyTorch's time")
    else:
        note("PyTorch not installed: the target (half of PyTorch's time) cannot be checked")


# --------------------------------------------------------------------------------------
# 4. Start-up: import time, and the first call of each kernel with a cold and a warm cache


def run_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``python -c code`` in a fresh process after an idle gap; return its stdout."""
    idle()
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the child process failed:\n{completed.stderr}")
    return completed.stdout


def import_seconds(modules: str) -> float:
    """Seconds ``import <modules>`` takes in a fresh interpreter (start-up itself excluded)."""
    code = (
        "import time; start = time.perf_counter(); "
        f"import {modules}; print(time.perf_counter() - start)"
    )
    return float(run_python(code))


def first_call_cases() -> list[tuple[str, Callable[[], Any]]]:
    """The kernels a first session calls, on 64x64 float32 arrays (4x4 for ``matmul``).

    These sizes run the serial builds; the parallel build of a kernel compiles (or loads)
    the first time it sees a large array.
    """
    from minigrad.kernels import binary, reduce, unary
    from minigrad.kernels.matmul import matmul, matmul_tiled

    x = np.linspace(-2, 2, 64 * 64, dtype=np.float32).reshape(64, 64)
    positive = x * x + 1
    small = x[:4, :4].copy()
    return [
        ("exp", lambda: unary.exp(x)),
        ("log", lambda: unary.log(positive)),
        ("tanh", lambda: unary.tanh(x)),
        ("sigmoid", lambda: unary.sigmoid(x)),
        ("relu", lambda: unary.relu(x)),
        ("tanh_backward", lambda: unary.tanh_backward(x, x)),
        ("add", lambda: binary.add(x, x)),
        ("mul", lambda: binary.mul(x, x)),
        ("sum", lambda: reduce.sum(x, ())),
        ("max_with_indices", lambda: reduce.max_with_indices(x, (1,))),
        ("matmul (4x4, dispatcher)", lambda: matmul(small, small)),
        ("matmul_tiled (64x64)", lambda: matmul_tiled(x, x, np.empty_like(x))),
    ]


def first_calls_child() -> None:
    """In a fresh process: print, as JSON, the seconds of the first call of each kernel."""
    import time

    import minigrad  # noqa: F401  (imported first, as a user would)

    seconds = {}
    for name, call in first_call_cases():
        start = time.perf_counter()
        call()
        seconds[name] = time.perf_counter() - start
    print(json.dumps(seconds))


def first_call_seconds(cache_dir: str) -> dict[str, float]:
    """Run :func:`first_calls_child` in a fresh process whose Numba cache is ``cache_dir``."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
        "import kernels; kernels.first_calls_child()"
    )
    return json.loads(run_python(code, env))


def median_per_kernel(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median over runs of each kernel's seconds."""
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def bench_startup(settings: Settings, torch: Any) -> None:
    """Import time of minigrad vs numpy + numba; first kernel calls, cold and warm cache."""
    del torch  # the child processes never import it
    baseline_runs, minigrad_runs = [], []
    for _ in range(settings.process_runs):  # interleaved, so both see the same load
        baseline_runs.append(import_seconds("numpy, numba"))
        minigrad_runs.append(import_seconds("minigrad"))
    baseline = statistics.median(baseline_runs)
    ours = statistics.median(minigrad_runs)
    extra = ours - baseline
    rows = [
        ["import numpy, numba", f"{baseline:.3f}", ""],
        ["import minigrad", f"{ours:.3f}", ""],
        [
            "difference",
            f"{extra:+.3f}",
            f"<= {IMPORT_MAX_EXTRA_SECONDS} s {verdict(extra <= IMPORT_MAX_EXTRA_SECONDS)}",
        ],
    ]
    print_table("4a. Start-up: import time in a fresh interpreter", ["import", "s", "target"], rows)
    note(f"median of {settings.process_runs} fresh processes each; interpreter start excluded")
    note("import minigrad imports numpy and numba itself: the difference is minigrad's own")

    cold_runs, warm_runs = [], []
    with tempfile.TemporaryDirectory(prefix="minigrad-bench-") as root:
        for run in range(settings.cold_runs):
            cache_dir = os.path.join(root, f"cache{run}")
            os.mkdir(cache_dir)
            cold_runs.append(first_call_seconds(cache_dir))  # compiles, fills the cache
            warm_runs.append(first_call_seconds(cache_dir))  # loads what the first one stored
            print(".", end="", flush=True)
    cold = median_per_kernel(cold_runs)
    warm = median_per_kernel(warm_runs)
    rows = [[name, f"{cold[name] * 1e3:.1f}", f"{warm[name] * 1e3:.1f}"] for name in cold]
    rows.append(["total", f"{sum(cold.values()) * 1e3:.0f}", f"{sum(warm.values()) * 1e3:.0f}"])
    header = ["first call (float32)", "cold cache ms", "warm cache ms"]
    print_table("4b. Start-up: first call of each kernel in a fresh process", header, rows)
    note("cold: NUMBA_CACHE_DIR is a new empty directory (every kernel compiles);")
    note("warm: a second process on the same directory (every kernel loads from disk)")
    note("the first row also pays Numba's one-time initialisation of the process")
    note(f"median of {settings.cold_runs} cold/warm pairs; called in the order listed")


# --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    parser.add_argument(
        "--section",
        action="append",
        choices=SECTIONS,
        help="run only this section (may be given more than once); default: all",
    )
    parser.add_argument(
        "--statistic",
        choices=("best", "median"),
        default="best",
        help="which figure of the repeats to report (default: best)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the machine facts, then each selected section's table."""
    args = parse_args(argv)
    if args.quick:
        settings = Settings(3, 0.005, args.statistic, process_runs=3, cold_runs=1)
    else:
        settings = Settings(9, 0.02, args.statistic, process_runs=7, cold_runs=3)
    torch = import_torch()
    print_machine_facts(torch, settings)
    benchmarks = {
        "elementwise": bench_elementwise,
        "matmul": bench_matmul,
        "graph": bench_graph,
        "startup": bench_startup,
    }
    for name in args.section or SECTIONS:
        benchmarks[name](settings, torch)


if __name__ == "__main__":
    main()
