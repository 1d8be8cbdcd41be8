"""Training-step benchmark: minigrad's recurrent layers (fused and written-out) next to
PyTorch, each library in its own process.

Usage::

    python bench/train.py                 # every section, 5 rounds
    python bench/train.py --quick         # 2 rounds, shorter repeats: a smoke run
    python bench/train.py --section recurrent --section floor

Sections:

- ``recurrent``: one training step (forward, backward, SGD step, float32) of the nine
  RNN/LSTM/GRU configurations ``(batch, steps, input, hidden)`` of issue 11, for
  minigrad's fused path, its written-out path and PyTorch.
- ``floor``: the GEMM floor of each configuration: NumPy's BLAS doing only the matrix
  products the step needs (input projection, the per-step recurrent products forward and
  backward, the weight gradients and the input gradient), and minigrad's ratio to it.
- ``cell``: an ``LSTMCell`` looped by hand over 100 steps (batch 1 and 32), forward and
  backward.
- ``mlp``: MLP 784-256-256-10, batch 64, cross-entropy, Adam.
- ``conv``: ``Conv1d(64, 64, kernel_size=5, padding=2)`` on (32, 64, 256), one training
  step (issue 15: at most 1.5x PyTorch's time).
- ``transformer``: ``TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0,
  batch_first=True)`` on (32, 64, 128), one training step (issue 15: at most 1.5x).
- ``memory``: peak resident memory growth of LSTM steps at (64, 35, 128, 256).
- ``shared``: both libraries in one process, each import order: each one's step time
  next to its time alone (RNN and LSTM at (64, 35, 128, 256)).
- ``startup``: process start to the end of the first LSTM training step, warm cache.

How it measures: every figure comes from a fresh worker process (``--worker``) that
builds the model, warms up, then times repeated steps (best of several repeats, each at
least ``min_repeat_time`` long). The driver runs the libraries alternately, ``rounds``
times, and keeps the best figure of each. PyTorch runs with 2 threads; without it its
columns are left out. Ratios are minigrad / other: below 1.00 minigrad is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

CONFIGS = [
    (kind, shape)
    for kind in ("lstm", "gru", "rnn")
    for shape in ((32, 50, 64, 128), (1, 100, 32, 64), (64, 35, 128, 256))
]
SECTIONS = (
    "recurrent", "floor", "cell", "mlp", "conv", "transformer", "memory", "shared", "startup"
)
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
HERE = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------- workers


def _import(lib: str) -> Any:
    if lib == "torch":
        import torch

        torch.set_num_threads(2)
        return torch
    sys.path.insert(0, os.path.dirname(HERE))
    import minigrad

    return minigrad


def _best_time(step: Any, repeats: int, min_repeat_time: float) -> float:
    for _ in range(2):
        step()
    best = float("inf")
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_repeat_time:
                break
        best = min(best, elapsed / calls)
    return best


def _recurrent_step(lib: str, kind: str, shape: list[int], fused: bool = True) -> Any:
    torch = _import(lib)
    batch, steps, features, hidden = shape
    layers = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    options = {} if lib == "torch" else {"fused": fused}
    torch.manual_seed(0)
    model = layers[kind](features, hidden, **options)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(steps, batch, features)

    def step() -> None:
        optimizer.zero_grad()
        output, _ = model(x)
        (output * output).mean().backward()
        optimizer.step()

    return step


def _cell_step(lib: str, batch: int) -> Any:
    torch = _import(lib)
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(32, 64)
    xs = [torch.randn(batch, 32) for _ in range(100)]

    def step() -> None:
        cell.zero_grad()
        h = torch.zeros(batch, 64)
        c = torch.zeros(batch, 64)
        for x in xs:
            h, c = cell(x, (h, c))
        (h * h).sum().backward()

    return step


def _mlp_step(lib: str) -> Any:
    torch = _import(lib)
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(64, 784)
    y = torch.randint(0, 10, (64,))
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return step


def _conv_step(lib: str) -> Any:
    torch = _import(lib)
    torch.manual_seed(0)
    model = torch.nn.Conv1d(64, 64, 5, padding=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(32, 64, 256)

    def step() -> None:
        optimizer.zero_grad()
        out = model(x)
        (out * out).mean().backward()
        optimizer.step()

    return step


def _transformer_step(lib: str) -> Any:
    torch = _import(lib)
    torch.manual_seed(0)
    model = torch.nn.TransformerEncoderLayer(
        128, 4, dim_feedforward=512, dropout=0.0, batch_first=True
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(32, 64, 128)

    def step() -> None:
        optimizer.zero_grad()
        out = model(x)
        (out * out).mean().backward()
        optimizer.step()

    return step


def _floor_step(kind: str, shape: list[int]) -> Any:
    """NumPy's BLAS doing only the products of one training step."""
    import numpy as np

    batch, steps, features, hidden = shape
    width = GATES[kind] * hidden
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps * batch, features), dtype=np.float32)
    w_ih = rng.standard_normal((width, features), dtype=np.float32)
    w_hh = rng.standard_normal((width, hidden), dtype=np.float32)
    h = rng.standard_normal((batch, hidden), dtype=np.float32)
    d = rng.standard_normal((steps * batch, width), dtype=np.float32)
    hs = rng.standard_normal((steps * batch, hidden), dtype=np.float32)
    hw = np.empty((batch, width), np.float32)
    dh = np.empty((batch, hidden), np.float32)
    w_hh_t = np.ascontiguousarray(w_hh.T)

    def step() -> None:
        np.matmul(x, w_ih.T)  # input projection
        for _ in range(steps):
            np.matmul(h, w_hh_t, out=hw)  # forward recurrent product
        for _ in range(steps):
            np.matmul(hw, w_hh, out=dh)  # backward recurrent product
        np.matmul(d.T, x)  # dW_ih
        np.matmul(d.T, hs)  # dW_hh
        np.matmul(d, w_ih)  # dx

    return step


def _peak_memory(lib: str) -> float:
    """Growth of the peak resident set (MiB) over three LSTM steps at (64, 35, 128, 256)."""
    import resource

    step = _recurrent_step(lib, "lstm", [64, 35, 128, 256])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def _shared(order: list[str], kind: str, repeats: int, min_repeat_time: float) -> dict:
    """Both libraries imported in ``order``; the step time of each."""
    for lib in order:
        _import(lib)
    return {
        lib: _best_time(_recurrent_step(lib, kind, [64, 35, 128, 256]), repeats, min_repeat_time)
        for lib in order
    }


def worker(task: dict) -> Any:
    repeats, min_time = task["repeats"], task["min_repeat_time"]
    name = task["name"]
    if name == "recurrent":
        step = _recurrent_step(task["lib"], task["kind"], task["shape"], task["fused"])
    elif name == "floor":
        step = _floor_step(task["kind"], task["shape"])
    elif name == "cell":
        step = _cell_step(task["lib"], task["batch"])
    elif name == "mlp":
        step = _mlp_step(task["lib"])
    elif name == "conv":
        step = _conv_step(task["lib"])
    elif name == "transformer":
        step = _transformer_step(task["lib"])
    elif name == "memory":
        return _peak_memory(task["lib"])
    elif name == "shared":
        return _shared(task["order"], task["kind"], repeats, min_time)
    elif name == "startup":
        step = _recurrent_step(task["lib"], "lstm", [32, 50, 64, 128])
        step()
        return 0.0
    else:
        raise ValueError(f"unknown task {name!r}")
    return _best_time(step, repeats, min_time)


# ----------------------------------------------------------------------------- driver


def run_worker(task: dict) -> Any:
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"worker {task} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def best_of(tasks: dict[str, dict], rounds: int) -> dict[str, Any]:
    """Run every task once per round, alternating between them; keep each one's best."""
    best: dict[str, Any] = {}
    for _ in range(rounds):
        for label, task in tasks.items():
            value = run_worker(task)
            best[label] = value if label not in best else min(best[label], value)
    return best


def have_torch() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--section", action="append", choices=SECTIONS)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    rounds = args.rounds or (2 if args.quick else 5)
    timing = {"repeats": 3 if args.quick else 5, "min_repeat_time": 0.1 if args.quick else 0.3}
    sections = args.section or list(SECTIONS)
    torch_here = have_torch()
    libs = ["minigrad", "torch"] if torch_here else ["minigrad"]
    print(f"rounds {rounds}, PyTorch {'present' if torch_here else 'absent'}")
    fused_times: dict[tuple, float] = {}

    if "recurrent" in sections or "floor" in sections:
        print("\n== one training step, ms (ratio = minigrad / other; below 1 is faster)")
        print(
            f"{'layer (B, T, I, H)':28} {'fused':>8} {'written':>8} {'torch':>8} "
            f"{'fused/torch':>11} {'fused/written':>13} {'floor':>8} {'fused/floor':>11}"
        )
        for kind, shape in CONFIGS:
            tasks = {
                "fused": {"name": "recurrent", "lib": "minigrad", "kind": kind,
                          "shape": shape, "fused": True, **timing},
                "floor": {"name": "floor", "kind": kind, "shape": shape, **timing},
            }  # fmt: skip
            if "recurrent" in sections:
                tasks["written"] = {**tasks["fused"], "fused": False}
                if torch_here:
                    tasks["torch"] = {**tasks["fused"], "lib": "torch"}
            found = best_of(tasks, rounds)
            fused_times[kind, shape] = found["fused"]
            torch_time = found.get("torch")
            written = found.get("written")
            print(
                f"{kind.upper() + ' ' + str(shape):28} {ms(found['fused'])} "
                f"{ms(written) if written else '     -  '} "
                f"{ms(torch_time) if torch_time else '     -  '} "
                f"{found['fused'] / torch_time if torch_time else float('nan'):11.2f} "
                f"{found['fused'] / written if written else float('nan'):13.3f} "
                f"{ms(found['floor'])} {found['fused'] / found['floor']:11.2f}"
            )

    if "cell" in sections:
        print("\n== LSTMCell(32, 64) looped by hand, 100 steps, forward + backward, ms")
        for batch in (1, 32):
            tasks = {lib: {"name": "cell", "lib": lib, "batch": batch, **timing} for lib in libs}
            found = best_of(tasks, rounds)
            line = f"batch {batch:3}: minigrad {ms(found['minigrad'])}"
            if torch_here:
                ratio = found["minigrad"] / found["torch"]
                line += f"  torch {ms(found['torch'])}  ratio {ratio:.2f}"
            print(line)

    if "mlp" in sections:
        print("\n== MLP 784-256-256-10, batch 64, cross-entropy, Adam: one step, ms")
        found = best_of({lib: {"name": "mlp", "lib": lib, **timing} for lib in libs}, rounds)
        line = f"minigrad {ms(found['minigrad'])}"
        if torch_here:
            line += f"  torch {ms(found['torch'])}  ratio {found['minigrad'] / found['torch']:.2f}"
        print(line)

    for section, title in (
        ("conv", "Conv1d(64, 64, 5) on (32, 64, 256): one training step, ms"),
        ("transformer", "TransformerEncoderLayer(128, 4, 512) on (32, 64, 128): one step, ms"),
    ):
        if section not in sections:
            continue
        print(f"\n== {title}")
        found = best_of({lib: {"name": section, "lib": lib, **timing} for lib in libs}, rounds)
        line = f"minigrad {ms(found['minigrad'])}"
        if torch_here:
            ratio = found["minigrad"] / found["torch"]
            line += f"  torch {ms(found['torch'])}  ratio {ratio:.2f} (target <= 1.5)"
        print(line)

    if "memory" in sections:
        print("\n== peak resident memory growth, 3 LSTM steps at (64, 35, 128, 256), MiB")
        found = {lib: run_worker({"name": "memory", "lib": lib, **timing}) for lib in libs}
        print("  ".join(f"{lib} {value:7.1f}" for lib, value in found.items()))

    if "shared" in sections and torch_here:
        print("\n== both libraries in one process, (64, 35, 128, 256), ms (ratio to alone)")
        for kind in ("rnn", "lstm"):
            alone = best_of(
                {lib: {"name": "recurrent", "lib": lib, "kind": kind, "shape": [64, 35, 128, 256],
                       "fused": True, **timing} for lib in libs},
                rounds,
            )  # fmt: skip
            for order in (["torch", "minigrad"], ["minigrad", "torch"]):
                shared = run_worker({"name": "shared", "order": order, "kind": kind, **timing})
                print(
                    f"{kind.upper()} imported {' then '.join(order)}: "
                    + "  ".join(
                        f"{lib} {ms(shared[lib])} ({shared[lib] / alone[lib]:.2f}x)"
                        for lib in order
                    )
                )

    if "startup" in sections:
        print("\n== process start to the end of the first LSTM step (32, 50, 64, 128), s")
        task = {"name": "startup", "lib": "minigrad", **timing}
        run_worker(task)  # warms the Numba cache
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            run_worker(task)
            times.append(time.perf_counter() - start)
        print(f"minigrad, warm cache: best {min(times):.2f} s, worst {max(times):.2f} s")


if __name__ == "__main__":
    main()
