"""``python -m minigrad demo``: train a small network on data made in code, and watch the
loss fall.

The demo is a multi-layer perceptron (2 -> 32 -> 32 -> 1, tanh) learning to tell the two
arms of a spiral apart, trained with Adam on the logistic loss — the same few lines a
PyTorch user would write, with ``minigrad`` in place of ``torch``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import minigrad
from minigrad import nn


def two_spirals(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points on two interleaved spiral arms (labels 0 and 1), with a little noise."""
    rng = np.random.default_rng(seed)
    turns = np.sqrt(rng.random(samples)) * 2.5 * np.pi
    labels = rng.integers(0, 2, samples)
    sign = np.where(labels == 1, 1.0, -1.0)
    points = np.stack([sign * turns * np.cos(turns), sign * turns * np.sin(turns)], axis=1)
    points = points / (2.5 * np.pi) + rng.normal(0.0, 0.03, points.shape)
    return points.astype(np.float32), labels.astype(np.float32)


def demo(steps: int = 300, every: int = 30) -> float:
    """Train the network and print the loss and accuracy as they improve."""
    minigrad.manual_seed(0)
    points, labels = two_spirals(512)
    x, y = minigrad.tensor(points), minigrad.tensor(labels)
    model = nn.MLP(2, [32, 32], 1, activation="tanh")
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.02)
    print(f"Training {model.__class__.__name__}(2 -> 32 -> 32 -> 1, tanh) on two spirals "
          f"(512 points, full batch, Adam).")
    print(f"{'step':>6} {'loss':>8} {'accuracy':>9}")
    start = time.perf_counter()
    loss_value = float("nan")
    for step in range(steps + 1):
        logits = model(x).squeeze(-1)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        if step % every == 0:
            accuracy = float(((logits.data > 0) == (labels > 0.5)).mean())
            print(f"{step:>6} {loss_value:>8.4f} {accuracy:>9.1%}")
    print(f"done in {time.perf_counter() - start:.2f} s")
    return loss_value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minigrad", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo", help="train a small network and print the loss falling")
    run.add_argument("--steps", type=int, default=300)
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        demo(steps=arguments.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
