"""A small Transformer encoder (Vaswani et al. 2017, "Attention is all you need") next to
an LSTM on the same next-step prediction task, with a causal mask, and what its
attention looks at.

Each sequence repeats a random block of ``PERIOD`` digits (``3 7 1 9 4 3 7 1 9 4 ...``);
the model reads it left to right and predicts every next digit. The first block cannot
be predicted (chance is 10%); every later digit is the one ``PERIOD`` steps back. The LSTM
must carry the last block in its state; the Transformer has no state at all: a causal
mask (``nn.Transformer.generate_square_subsequent_mask``) lets position t attend to
positions 0..t only, sinusoidal position encodings (``nn.PositionalEncoding``) tell it
where each digit sits, and one self-attention layer can learn to look exactly
``PERIOD - 1`` steps back (the digit found there is the one that comes next), or whole
periods further back, where the same digit sits. The heat map shows those attention
weights: stripes below the diagonal.

Both models get the same embedding width, optimiser and number of steps; the table
gives the accuracy on the predictable steps and on the first block, the parameters and
the time per step.

Run: ``python examples/15_transformer.py`` (about 40 seconds on two cores) or with
``--quick`` (about 10 seconds). With matplotlib installed, the accuracy curves and the
attention map go to ``15_transformer.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import nn, plots

DIGITS, PERIOD, WIDTH = 10, 5, 32


def sequences(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    block = rng.integers(0, DIGITS, (n, PERIOD))
    return np.tile(block, (1, -(-length // PERIOD)))[:, :length]


class TinyTransformer(nn.Module):
    def __init__(self, length: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(DIGITS, WIDTH)
        self.position = nn.PositionalEncoding(WIDTH, max_len=length, batch_first=True)
        layer = nn.TransformerEncoderLayer(
            WIDTH, nhead=2, dim_feedforward=64, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.out = nn.Linear(WIDTH, DIGITS)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(length))

    def forward(self, tokens):
        x = self.position(self.embed(tokens))
        steps = tokens.shape[1]
        mask = self.mask[:steps, :steps]
        return self.out(self.encoder(x, mask=mask, is_causal=True))

    def attention(self, tokens):
        """The first layer's attention weights (averaged over heads), ``(N, L, L)``."""
        x = self.position(self.embed(tokens))
        steps = tokens.shape[1]
        _, weights = self.encoder.layers[0].self_attn(
            x, x, x, attn_mask=self.mask[:steps, :steps], need_weights=True
        )
        return weights


class TinyLSTM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(DIGITS, WIDTH)
        self.lstm = nn.LSTM(WIDTH, WIDTH, batch_first=True)
        self.out = nn.Linear(WIDTH, DIGITS)

    def forward(self, tokens):
        output, _ = self.lstm(self.embed(tokens))
        return self.out(output)


def accuracies(model, tokens: np.ndarray) -> tuple[float, float]:
    """Accuracy of the next-digit predictions after the first block, and within it."""
    model.eval()
    with minigrad.no_grad():
        guess = model(minigrad.tensor(tokens[:, :-1])).argmax(dim=2).numpy()
    model.train()
    right = guess == tokens[:, 1:]
    return float(right[:, PERIOD - 1 :].mean()), float(right[:, : PERIOD - 1].mean())


def train(model, steps: int, length: int, test: np.ndarray) -> tuple[list[float], float]:
    rng = np.random.default_rng(1)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    curve, seconds = [], []
    for step in range(steps):
        tokens = sequences(rng, 32, length)
        start = time.perf_counter()
        logits = model(minigrad.tensor(tokens[:, :-1]))
        loss = loss_fn(logits.reshape(-1, DIGITS), minigrad.tensor(tokens[:, 1:].reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - start)
        if (step + 1) % 25 == 0:
            curve.append(accuracies(model, test)[0])
    return curve, float(np.median(seconds))


def plot(curves: dict, every: int, weights: np.ndarray, example: np.ndarray) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, curve in curves.items():
        left.plot(np.arange(1, len(curve) + 1) * every, curve, label=name)
    left.set_xlabel("training step")
    left.set_ylabel("accuracy after the first block")
    left.set_title(f"Next-digit prediction, period {PERIOD}")
    left.legend()
    labels = [str(d) for d in example]
    plots.heatmap(
        weights, ax=right, xlabel="attended position (digit)", ylabel="query position",
        xticklabels=labels, yticklabels=labels, cmap="viridis", vmin=0.0, vmax=1.0,
        title="causal self-attention weights",
    )
    plots.save("15_transformer.png", figure)
    print("curves and attention written to 15_transformer.png")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer training steps")
    args = parser.parse_args(argv)
    steps, length = (300, 21) if args.quick else (1000, 31)
    test = sequences(np.random.default_rng(2), 256, length)
    results, curves, models = {}, {}, {}
    for name, make in (("LSTM", TinyLSTM), ("Transformer", lambda: TinyTransformer(length))):
        minigrad.manual_seed(0)
        model = make()
        curve, per_step = train(model, steps, length, test)
        later, first = accuracies(model, test)
        curves[name], models[name] = curve, model
        results[name] = {
            "accuracy": later, "first_block": first, "seconds_per_step": per_step,
            "parameters": sum(p.numel() for p in model.parameters()),
        }
        print(f"{name}: accuracy after the first block, every 25 steps: "
              f"{[round(a, 2) for a in curve]}", flush=True)
    print(f"\nNext-digit prediction, period {PERIOD}, length {length - 1}, {steps} steps of 32")
    print(f"{'model':<13}{'predictable':>12}{'first block':>12}{'parameters':>12}{'ms / step':>11}")
    for name, row in results.items():
        print(f"{name:<13}{row['accuracy']:>12.3f}{row['first_block']:>12.3f}"
              f"{row['parameters']:>12}{row['seconds_per_step'] * 1e3:>11.1f}")
    example = test[:1, :-1]
    with minigrad.no_grad():
        weights = models["Transformer"].attention(minigrad.tensor(example)).numpy()[0]
    rows = np.arange(PERIOD - 1, weights.shape[0])
    # The digit to predict follows each earlier copy of the current block position:
    # PERIOD - 1 steps back, or a whole number of periods further.
    back = rows - weights[rows].argmax(axis=1)
    looked_back = float(np.mean((back >= PERIOD - 1) & (back % PERIOD == PERIOD - 1)))
    print(f"The Transformer's attention peaks {PERIOD - 1} steps back, or whole periods "
          f"further, for {looked_back:.0%} of the predictable positions: at an earlier "
          f"copy of the digit that comes next.")
    results["Transformer"]["looks_back"] = looked_back
    plot(curves, 25, weights, example[0])
    return results


if __name__ == "__main__":
    main()
