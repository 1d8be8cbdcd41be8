"""LSTM variants on one timing task (Gers & Schmidhuber 2000-2002; Greff et al. 2017,
"LSTM: a search space odyssey"): which parts of the LSTM matter? Under one training
budget, the forget gate's initial opening decides most: with PyTorch's forget bias 0
no seed learns the task, with a bias of 1 every seed does. Peepholes, ReLU candidates
and the GRU change how fast it learns; the 1997 squashing functions and hard-sigmoid
gates solve only some of the seeds in the budget.

The task is the temporal order problem of Hochreiter & Schmidhuber (1997, experiment
6a; ``minigrad.data.temporal_order``): a sequence of random distractor symbols holds an
X or a Y at two widely separated, random times, and at the end the network must say in
which order they came (XX, XY, YX or YY: chance is 1/4). Every network has 32 units and
a linear read-out of its last state, and is trained the same way (Adam at 3e-3, batches
of 32 fresh sequences, gradient norm clipped at 1) for several seeds.

As in Greff et al., each variant changes one thing from a reference LSTM, here PyTorch's
LSTM with its forget-gate bias set to 1 (Gers, Schmidhuber & Cummins 2000; Jozefowicz et
al. 2015):

* forget bias 0: PyTorch's own initialisation, the gate starts half closed;
* peepholes (Gers & Schmidhuber 2000): the gates also see the cell state;
* ReLU or leaky-ReLU candidates ``g`` (``cell_activation=``): unbounded cell input;
* the 1997 LSTM's scaled sigmoids: ``g = 4 sigma(x) - 2`` and ``h = o (2 sigma(c) - 1)``;
* hard-sigmoid gates (``clamp(x / 6 + 1/2, 0, 1)``, piecewise linear);
* and a GRU (Cho et al. 2014), the gated network with one gate fewer.

All of them run on minigrad's fused recurrent kernels. The tables give the test
accuracy over training (the mean over seeds), how many seeds solved the task (test
accuracy above 95%), after how many batches, the parameter count and the time.

Run: ``python examples/06_lstm_variants.py`` (about a minute and a half on two quiet
cores) or with ``--quick`` (seconds: one seed, shorter sequences and training). With
matplotlib installed, the learning curves go to ``06_lstm_variants.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

CLASSES, SYMBOLS, HIDDEN = 4, len(data.TEMPORAL_ORDER_SYMBOLS), 32
REFERENCE = {"batch_first": True, "forget_bias": 1.0}

#: Each network as a function of (input size, hidden size).
VARIANTS = {
    "LSTM, forget bias 1": lambda i, h: nn.LSTM(i, h, **REFERENCE),
    "forget bias 0": lambda i, h: nn.LSTM(i, h, batch_first=True),
    "peepholes": lambda i, h: nn.LSTM(i, h, **REFERENCE, peephole=True),
    "relu candidate": lambda i, h: nn.LSTM(i, h, **REFERENCE, cell_activation="relu"),
    "leaky-relu candidate": lambda i, h: nn.LSTM(i, h, **REFERENCE, cell_activation="leaky_relu"),
    "1997 scaled sigmoids": lambda i, h: nn.LSTM(
        i,
        h,
        **REFERENCE,
        cell_activation="scaled_sigmoid_4",
        hidden_activation="scaled_sigmoid_2",
    ),
    "hard-sigmoid gates": lambda i, h: nn.LSTM(i, h, **REFERENCE, gate_activation="hard_sigmoid"),
    "GRU": lambda i, h: nn.GRU(i, h, batch_first=True),
}


class Classifier(nn.Module):
    """A recurrent layer read by a linear layer at the last step."""

    def __init__(self, variant: str) -> None:
        super().__init__()
        self.recurrent = VARIANTS[variant](SYMBOLS, HIDDEN)
        self.out = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        output, _ = self.recurrent(x)
        return self.out(output[:, -1])


def accuracy(model: Classifier, x: minigrad.Tensor, labels: np.ndarray) -> float:
    with minigrad.no_grad():
        return float((model(x).numpy().argmax(-1) == labels).mean())


def train(variant: str, seed: int, length: int, steps: int, every: int, test) -> dict:
    """The PyTorch loop on fresh batches; the test accuracy every ``every`` batches."""
    minigrad.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Classifier(variant)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=3e-3)
    cross_entropy = nn.CrossEntropyLoss()
    curve = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, labels = data.temporal_order(32, length, rng=rng)
        loss = cross_entropy(model(minigrad.tensor(x)), minigrad.tensor(labels))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        if step % every == 0:
            curve.append(accuracy(model, *test))
    solved_at = next((every * (k + 1) for k, a in enumerate(curve) if a > 0.95), None)
    return {
        "curve": curve,
        "final": curve[-1],
        "solved_at": solved_at if curve[-1] > 0.95 else None,
        "seconds": time.perf_counter() - start,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def summarise(runs: list) -> dict:
    solved = [run["solved_at"] for run in runs if run["solved_at"] is not None]
    return {
        "runs": runs,
        "curve": list(np.mean([run["curve"] for run in runs], axis=0)),
        "final": float(np.mean([run["final"] for run in runs])),
        "solved": len(solved),
        "median_solved_at": float(np.median(solved)) if solved else None,
        "parameters": runs[0]["parameters"],
        "seconds": sum(run["seconds"] for run in runs),
    }


def closing(results: dict, seeds: int) -> str:
    """The point, stated from the numbers."""
    reference, closed = results["LSTM, forget bias 1"], results["forget bias 0"]
    stated = ("LSTM, forget bias 1", "forget bias 0")
    others = {name: r for name, r in results.items() if name not in stated}
    every_seed = [name for name, r in others.items() if r["solved"] == seeds]
    fewer = [f"{name} ({r['solved']})" for name, r in others.items() if r["solved"] < seeds]
    text = (
        f"The LSTM with forget bias 1 solved {reference['solved']} of {seeds} seed(s), with "
        f"PyTorch's forget bias 0 it solved {closed['solved']}"
    )
    if every_seed:
        text += f"; {', '.join(every_seed)} solved every seed"
    if fewer:
        text += (
            f"; fewer with {', '.join(fewer[:-1])}{' and ' if len(fewer) > 1 else ''}{fewer[-1]}"
        )
    text += "."
    worst = min(result["solved"] for result in results.values())
    if closed["solved"] == worst and closed["solved"] < reference["solved"]:
        text += (
            " Opening the forget gate at the start mattered most here (Greff et al. found "
            "the forget gate and the output activation the LSTM's most critical parts)."
        )
    return text


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed, length 40, 200 batches")
    args = parser.parse_args(argv)
    if args.quick:
        seeds, length, steps, every = 1, 40, 200, 50
    else:
        seeds, length, steps, every = 4, 50, 800, 50
    x_test, labels_test = data.temporal_order(500, length, seed=12345)
    test = (minigrad.tensor(x_test), labels_test)
    print(
        f"Temporal order, {length} steps (4 classes, chance 0.25): {len(VARIANTS)} networks "
        f"x {seeds} seed(s) x {steps} batches of 32"
    )
    results: dict = {}
    for variant in VARIANTS:
        runs = [train(variant, seed, length, steps, every, test) for seed in range(seeds)]
        results[variant] = summarise(runs)
        print(
            f"  {variant:<22} final test accuracy per seed: "
            + " ".join(f"{run['final']:.2f}" for run in runs)
            + f"  ({results[variant]['seconds']:.1f} s)",
            flush=True,
        )
    shown = [k for k in range(steps // every) if (k + 1) * every % (2 * every) == 0] or [0]
    print(f"\nTest accuracy after ... batches (mean over {seeds} seed(s))")
    print(f"{'network':<22}" + "".join(f"{(k + 1) * every:>7}" for k in shown))
    for variant, result in results.items():
        print(f"{variant:<22}" + "".join(f"{result['curve'][k]:>7.2f}" for k in shown))
    print(
        f"\n{'network':<22}{'final acc.':>11}{'solved':>8}{'at batch':>10}{'params':>8}{'time':>8}"
    )
    for variant, result in results.items():
        at = result["median_solved_at"]
        solved = f"{result['solved']}/{seeds}"
        print(
            f"{variant:<22}{result['final']:>11.3f}{solved:>8}"
            f"{(f'{at:.0f}' if at is not None else '-'):>10}{result['parameters']:>8}"
            f"{result['seconds']:>7.1f}s"
        )
    print(
        "(solved: test accuracy > 0.95 at the end; at batch: the median first check above "
        f"0.95, checked every {every}; time: all seeds)"
    )
    print(closing(results, seeds))
    plot(results, every, length)
    return results


def plot(results: dict, every: int, length: int) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for variant, result in results.items():
        batches = every * np.arange(1, len(result["curve"]) + 1)
        axis.plot(batches, result["curve"], label=variant)
    axis.axhline(0.25, color="grey", linestyle=":", label="chance")
    axis.set_xlabel("batches of 32")
    axis.set_ylabel("test accuracy (mean over seeds)")
    axis.set_title(f"Temporal order, {length} steps")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig("06_lstm_variants.png")
    print("learning curves written to 06_lstm_variants.png")


if __name__ == "__main__":
    main()
