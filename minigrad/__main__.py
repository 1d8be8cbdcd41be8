"""``python -m minigrad demo``: a plain RNN, an LSTM and a GRU learn the adding problem, and
only the gated ones can.

The adding problem (Hochreiter & Schmidhuber 1997): each input is a sequence of random
numbers in [0, 1), two of them marked; the network must output the sum of the two
marked numbers, which it can only do by remembering them across the steps between. A
network that remembers nothing can only guess the average, 1, for a mean squared error
of 1/6. The three networks are trained the PyTorch way (a hand-written loop, Adam, mean
squared error), with ``minigrad`` in place of ``torch``.

The examples of the repository's ``examples/`` folder show more of the recurrent era's
results (each runs as ``python examples/<name>.py``, with ``--help`` and ``--quick``).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

import minigrad
from minigrad import nn

#: The examples of the repository's examples/ folder, one line each.
EXAMPLES = {
    "00_scalar_engine.py": "reverse-mode autodiff on scalars in one screen; backprop by hand",
    "01_mlp_classifier.py": "spirals and moons: a line against an MLP, decision boundaries",
    "02_activations.py": "activations, their derivatives, gradients through 20 layers",
    "03_vanishing_gradients.py": "||dL/dh_t|| over 100 steps: RNNs, LSTM forget biases, GRU",
    "04_exploding_gradients.py": "spectral radius and exploding gradients; clipping fixes it",
    "05_long_memory.py": "adding problem, copy task, embedded Reber: who learns what",
    "06_lstm_variants.py": "LSTM variants and the GRU on the temporal order problem",
    "07_regularisation.py": "L1, L2, weight decay, dropout, early stopping on noisy moons",
    "08_keras_style.py": "the course's three Keras programs, ported line for line",
    "09_char_language_model.py": "a character-level LSTM and GRU; samples; what cells track",
    "10_forecasting.py": "Mackey-Glass and sines: LSTM, GRU, MLP and the naive forecast",
    "11_property_test_your_op.py": "your own Function, property-tested; a wrong one caught",
    "12_to_pytorch.py": "a model trained here, moved to PyTorch and back, exactly",
}


class Regressor(nn.Module):
    """A recurrent layer read at its last step, then one linear unit."""

    def __init__(self, layer: Any, hidden: int) -> None:
        super().__init__()
        self.recurrent = layer(2, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x: minigrad.Tensor) -> minigrad.Tensor:
        output, _ = self.recurrent(x)
        return self.out(output[:, -1])  # type: ignore[no-any-return]


def demo(length: int = 30, steps: int = 1500, hidden: int = 32, every: int = 250) -> dict:
    """Train the three networks; print progress and a table; return the test errors."""
    from minigrad.data import adding_problem

    minigrad.manual_seed(0)
    rng = np.random.default_rng(0)
    test_x, test_y = adding_problem(1000, length, rng=rng)
    test_inputs, test_targets = minigrad.tensor(test_x), minigrad.tensor(test_y)
    loss_fn = nn.MSELoss()
    print(
        f"The adding problem, {length} steps: output the sum of the two marked numbers.\n"
        f"Guessing the average scores a mean squared error of {1 / 6:.3f}. Training RNN, "
        f"LSTM and GRU ({hidden} units, Adam, batches of 64, {steps} steps)."
    )
    results = {}
    live = sys.stdout.isatty()  # a progress line that rewrites itself; else one per report
    for name, layer in (("RNN", nn.RNN), ("LSTM", nn.LSTM), ("GRU", nn.GRU)):
        minigrad.manual_seed(0)
        model = Regressor(layer, hidden)
        optimizer = minigrad.optim.Adam(model.parameters(), lr=5e-3)
        start = time.perf_counter()
        running = None
        for step in range(1, steps + 1):
            x, y = adding_problem(64, length, rng=rng)
            loss = loss_fn(model(minigrad.tensor(x)), minigrad.tensor(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            if step % every == 0 or step == steps:
                line = f"  {name:<4} step {step:>5}/{steps}  training loss {running:.4f}"
                print(line, end="\r" if live else "\n", flush=True)
        with minigrad.no_grad():
            error = loss_fn(model(test_inputs), test_targets).item()
        results[name] = {"test_mse": error, "seconds": time.perf_counter() - start}
        print(f"  {name:<4} done in {results[name]['seconds']:.1f} s, test error {error:.4f}      ")
    print(f"\n{'network':<8} {'test MSE':>9} {'vs guessing':>12} {'solved':>7}")
    for name, row in results.items():
        solved = "yes" if row["test_mse"] < 0.01 else "no"
        print(f"{name:<8} {row['test_mse']:>9.4f} {row['test_mse'] * 6:>11.1%} {solved:>7}")
    print(
        "The gated networks (LSTM, GRU) carry the two marked numbers across the sequence\n"
        "and add them; the plain RNN's gradient fades over the steps between, and it does\n"
        "little better than guessing."
    )
    return results


def main(argv: list[str] | None = None) -> int:
    listing = "\n".join(f"  {name:<28} {text}" for name, text in EXAMPLES.items())
    parser = argparse.ArgumentParser(
        prog="python -m minigrad",
        description=__doc__.split("\n\n")[0],
        epilog="examples (in the repository's examples/ folder):\n" + listing,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo", help="RNN, LSTM and GRU on the adding problem (~20 s)")
    run.add_argument("--length", type=int, default=30, help="steps per sequence (30)")
    run.add_argument("--steps", type=int, default=1500, help="training steps per network")
    run.add_argument("--quick", action="store_true", help="fewer training steps (1100)")
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        if arguments.quick:
            demo(length=30, steps=1100)
        else:
            demo(length=arguments.length, steps=arguments.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
