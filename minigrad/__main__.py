"""``python -m minigrad demo``: train a small network on data made in code, and watch the
loss fall.

The demo is a two-layer perceptron (2 -> 16 -> 1, tanh) learning to tell the two arms of
a "two moons"-like spiral apart, trained by full-batch gradient descent with the logistic
loss — every piece written with minigrad's tensors and autograd.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import minigrad
from minigrad.nn import Module, Parameter, init


def two_spirals(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points on two interleaved spiral arms (labels 0 and 1), with a little noise."""
    rng = np.random.default_rng(seed)
    turns = np.sqrt(rng.random(samples)) * 2.5 * np.pi
    labels = rng.integers(0, 2, samples)
    sign = np.where(labels == 1, 1.0, -1.0)
    points = np.stack([sign * turns * np.cos(turns), sign * turns * np.sin(turns)], axis=1)
    points = points / (2.5 * np.pi) + rng.normal(0.0, 0.03, points.shape)
    return points.astype(np.float32), labels.astype(np.float32)


class TwoLayerNet(Module):
    """``logit = W2 tanh(W1 x + b1) + b2``."""

    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.w1 = Parameter(minigrad.zeros(hidden, 2))
        self.b1 = Parameter(minigrad.zeros(hidden))
        self.w2 = Parameter(minigrad.zeros(1, hidden))
        self.b2 = Parameter(minigrad.zeros(1))
        init.xavier_uniform_(self.w1, gain=init.calculate_gain("tanh"))
        init.xavier_uniform_(self.w2)

    def forward(self, x: minigrad.Tensor) -> minigrad.Tensor:
        hidden = (x @ self.w1.T + self.b1).tanh()
        return (hidden @ self.w2.T + self.b2).reshape(-1)


def logistic_loss(logits: minigrad.Tensor, labels: minigrad.Tensor) -> minigrad.Tensor:
    """Mean binary cross-entropy from logits: ``softplus(z) - y z``, stable for any z."""
    return (logits.softplus() - labels * logits).mean()


def demo(steps: int = 400, learning_rate: float = 0.5, every: int = 50) -> float:
    """Train the network and print the loss and accuracy as they improve."""
    minigrad.manual_seed(0)
    points, labels = two_spirals(256)
    x, y = minigrad.tensor(points), minigrad.tensor(labels)
    model = TwoLayerNet()
    start = time.perf_counter()
    print("Training a 2-16-1 tanh network on two spirals (256 points, full batch).")
    print(f"{'step':>6} {'loss':>8} {'accuracy':>9}")
    loss_value = float("nan")
    for step in range(steps + 1):
        logits = model(x)
        loss = logistic_loss(logits, y)
        model.zero_grad()
        loss.backward()
        with minigrad.no_grad():
            for parameter in model.parameters():
                parameter -= learning_rate * parameter.grad
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
    run.add_argument("--steps", type=int, default=400)
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        demo(steps=arguments.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
