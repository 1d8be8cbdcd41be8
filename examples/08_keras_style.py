"""The three Keras programs of the course notes, ported line for line to minigrad.

Keras writes a recurrent model as a stack of layers and trains it with compile/fit.
minigrad's ``training.Model`` takes the same calls; a recurrent layer inside an
``nn.Sequential`` is followed by ``nn.SequenceOutput()`` (Keras's
``return_sequences=True``) or ``nn.LastOutput()`` (the final hidden state, Keras's
default). The data are generated here, so the script runs anywhere:

1. a stacked LSTM classifier: which of three noisy signals was hidden in a sequence
   (``categorical_crossentropy``, softmax output);
2. a prediction at every time step: is the running sum of the input positive so far?
   (``LSTM(50, return_sequences=True) -> Dense(10, relu) -> Dense(1, sigmoid)``);
3. a sequence classifier with dropout: does the sequence's first marked value exceed
   its second? (``LSTM(128) -> Dense(64, relu) -> Dropout(0.5) -> Dense(1, sigmoid)``).

Run ``python examples/08_keras_style.py`` (about a minute on two cores) or with
``--quick`` (seconds). With matplotlib installed, the learning curves are written to
``08_keras_style.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import nn, plots
from minigrad.training import Model


def signals(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of 2 features carrying one of three waves (sine, square, sawtooth)
    under noise; one-hot labels."""
    t = np.linspace(0, 4 * np.pi, steps)
    waves = np.stack([np.sin(t), np.sign(np.sin(t)), (t % (2 * np.pi)) / np.pi - 1])
    labels = rng.integers(0, 3, n)
    phase = rng.integers(0, steps, n)
    clean = np.stack([np.roll(waves[c], p) for c, p in zip(labels, phase)])
    x = np.stack([clean, rng.standard_normal((n, steps))], axis=-1)
    x += 0.5 * rng.standard_normal(x.shape)
    return x.astype(np.float32), np.eye(3, dtype=np.float32)[labels]


def running_sign(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One feature; the target at each step is 1 when the sum so far is positive."""
    x = rng.standard_normal((n, steps, 1)).astype(np.float32)
    return x, (np.cumsum(x, axis=1) > 0).astype(np.float32)


def marked_order(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Feature 0 is noise in [-1, 1]; feature 1 marks two positions. The label says
    whether the value at the first mark exceeds the value at the second."""
    x = np.zeros((n, steps, 2), np.float32)
    x[:, :, 0] = rng.uniform(-1, 1, (n, steps))
    first = rng.integers(0, steps // 2, n)
    second = rng.integers(steps // 2, steps, n)
    rows = np.arange(n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    labels = (x[rows, first, 0] > x[rows, second, 0]).astype(np.float32)
    return x, labels[:, None]


def program_1(data, epochs: int, hidden: int):
    (x, y), (x_val, y_val) = data
    model = Model(
        nn.Sequential(
            nn.LSTM(x.shape[2], hidden, batch_first=True),
            nn.SequenceOutput(),  # return_sequences=True
            nn.LSTM(hidden, hidden // 2, batch_first=True),
            nn.LastOutput(),  # the final step
            nn.Linear(hidden // 2, 3),
            nn.Softmax(dim=-1),
        )
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=64, epochs=epochs, validation_data=(x_val, y_val))
    return model, history


def program_2(data, epochs: int, hidden: int):
    (x, y), (x_val, y_val) = data
    model = Model(
        nn.Sequential(
            nn.LSTM(x.shape[2], hidden, batch_first=True),
            nn.SequenceOutput(),
            nn.Linear(hidden, 10),
            nn.ReLU(),
            nn.Linear(10, 1),
            nn.Sigmoid(),
        )
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=epochs, validation_data=(x_val, y_val))
    return model, history


def program_3(data, epochs: int, hidden: int):
    (x, y), (x_val, y_val) = data
    model = Model(
        nn.Sequential(
            nn.LSTM(x.shape[2], hidden, batch_first=True),
            nn.LastOutput(),
            nn.Linear(hidden, hidden // 2),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(hidden // 2, 1),
            nn.Sigmoid(),
        )
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=epochs, validation_data=(x_val, y_val))
    return model, history


def split(make, n: int, steps: int, rng: np.random.Generator):
    x, y = make(n, steps, rng)
    cut = int(0.8 * n)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, few epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    minigrad.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    n, epochs = (512, 30) if args.quick else (2048, 40)
    hidden = (32, 16, 32) if args.quick else (128, 50, 128)  # the course's sizes in full
    programs = [  # (title, program, data, hidden units)
        ("1. stacked LSTM, 3 classes", program_1, split(signals, n, 30, rng), hidden[0]),
        ("2. a prediction per step", program_2, split(running_sign, n, 20, rng), hidden[1]),
        ("3. LSTM + dropout, 2 classes", program_3, split(marked_order, n, 20, rng), hidden[2]),
    ]
    results: dict[str, dict[str, float]] = {}
    histories = {}
    for title, program, data, units in programs:
        print(f"\n== {title}")
        start = time.perf_counter()
        model, history = program(data, epochs, units)
        loss, accuracy = model.evaluate(*data[1])
        chance = max(float(np.mean(data[1][1] > 0.5)), 0.5) if data[1][1].shape[-1] == 1 else 1 / 3
        results[title] = {
            "val_accuracy": accuracy,
            "first_epoch": history.history["val_accuracy"][0],
            "chance": chance,
            "seconds": time.perf_counter() - start,
        }
        histories[title] = history
    print("\nprogram                        val. accuracy  after epoch 1  chance   time")
    for title, row in results.items():
        print(
            f"{title:<30} {row['val_accuracy']:>13.3f} {row['first_epoch']:>14.3f}"
            f" {row['chance']:>7.2f} {row['seconds']:>5.1f}s"
        )
    print("Each ported Keras program learns its task well above chance.")
    plt = plots.pyplot(required=False)
    if plt is not None:
        figure, axes = plt.subplots(1, 3, figsize=(14, 3.5))
        for axis, (title, history) in zip(axes, histories.items()):
            axis.plot(history.history["accuracy"], label="training")
            axis.plot(history.history["val_accuracy"], label="validation")
            axis.set_title(title)
            axis.set_xlabel("epoch")
            axis.set_ylabel("accuracy")
            axis.legend()
        figure.tight_layout()
        figure.savefig("08_keras_style.png")
        print("learning curves written to 08_keras_style.png")
    return results


if __name__ == "__main__":
    main()
