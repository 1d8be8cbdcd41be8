"""A 1-D convolutional classifier next to an LSTM, on the same sequence task: Hochreiter &
Schmidhuber's temporal-order problem (1997, experiment 6a; ``minigrad.data.temporal_order``).

Each sequence is mostly distractors (``a b c d``); two steps, one early and one in the
middle, hold ``X`` or ``Y``, and the class is their order (XX, XY, YX, YY). The LSTM reads
the sequence step by step and must keep the first symbol in its cell until the end. The
convolutional network (``nn.Conv1d`` -> ReLU -> ``nn.MaxPool1d`` -> ``nn.Conv1d`` ->
``nn.AdaptiveMaxPool1d(4)`` -> ``nn.Linear``) has no memory at all: its filters
recognise the symbols wherever they are, and the adaptive max pool keeps, for each of
four stretches of the sequence, whether a filter fired there — which is enough here,
because the two symbols always fall in different stretches. It is the trade the
Transformer and the temporal convolutional networks later took: position-wise work,
parallel over time, instead of a recurrence.

What to look for: the convolution is right from the first epoch, since nothing has to
be remembered; the LSTM sits at chance (25%) for several epochs, the plateau of
learning to hold one symbol across the distractors, and then jumps to 100% once its
input and forget gates have learned to store ``X``/``Y`` and keep it. The table gives each
model's test accuracy, its number of parameters and its time per epoch (the median
epoch); the plot shows
the accuracy after each epoch.

Run: ``python examples/14_conv_vs_lstm.py`` (about a minute on two cores) or with
``--quick`` (about 15 seconds). With matplotlib installed, the curves go to
``14_conv_vs_lstm.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

CLASSES = 4


class ConvClassifier(nn.Module):
    def __init__(self, features: int, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(features, channels, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(channels, channels, kernel_size=3, padding=1), nn.ReLU(),
            nn.AdaptiveMaxPool1d(4),
            nn.Flatten(), nn.Linear(4 * channels, CLASSES),
        )

    def forward(self, x):  # x (N, T, features): channels first for the convolutions
        return self.body(x.transpose(1, 2))


class LSTMClassifier(nn.Module):
    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.out = nn.Linear(hidden, CLASSES)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])


def evaluate(model, inputs, labels) -> float:
    model.eval()
    with minigrad.no_grad():
        predicted = model(minigrad.tensor(inputs)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == labels).mean())


def train(model, train_set, test_set, epochs: int, lr: float) -> tuple[list[float], float]:
    inputs, labels = train_set
    optimizer = minigrad.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    curve, seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(inputs))
        for begin in range(0, len(order), 32):
            rows = order[begin : begin + 32]
            loss = loss_fn(model(minigrad.tensor(inputs[rows])), minigrad.tensor(labels[rows]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
        curve.append(evaluate(model, *test_set))
    # The median epoch: the first includes compiling kernels not yet in Numba's cache.
    return curve, float(np.median(seconds))


def plot(curves: dict) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axis = plt.subplots(figsize=(7, 4))
    for name, curve in curves.items():
        axis.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
    axis.axhline(1 / CLASSES, color="grey", linestyle=":", label="chance")
    axis.set_xlabel("epoch")
    axis.set_ylabel("test accuracy")
    axis.set_title("Temporal order: Conv1d + pooling vs LSTM")
    axis.legend()
    plots.save("14_conv_vs_lstm.png", figure)
    print("curves written to 14_conv_vs_lstm.png")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sequences and epochs")
    args = parser.parse_args(argv)
    n, length, epochs = (1500, 40, 9) if args.quick else (3000, 60, 14)
    train_set = data.temporal_order(n, length, seed=0)
    test_set = data.temporal_order(500, length, seed=1)
    features = train_set[0].shape[2]
    makers = {
        "Conv1d + pooling": (lambda: ConvClassifier(features, 32), 3e-3),
        "LSTM": (lambda: LSTMClassifier(features, 32), 3e-3),
    }
    results, curves = {}, {}
    for name, (make, lr) in makers.items():
        minigrad.manual_seed(0)
        model = make()
        curve, per_epoch = train(model, train_set, test_set, epochs, lr)
        curves[name] = curve
        results[name] = {
            "accuracy": curve[-1],
            "parameters": sum(p.numel() for p in model.parameters()),
            "seconds_per_epoch": per_epoch,
        }
        print(f"{name}: test accuracy by epoch {[round(a, 2) for a in curve]}", flush=True)
    print(f"\nTemporal order, length {length}, {n} training sequences, {epochs} epochs")
    print(f"{'model':<18}{'test accuracy':>14}{'parameters':>12}{'s / epoch':>11}")
    for name, row in results.items():
        print(f"{name:<18}{row['accuracy']:>14.3f}{row['parameters']:>12}"
              f"{row['seconds_per_epoch']:>11.2f}")
    plot(curves)
    return results


if __name__ == "__main__":
    main()
