"""Character-level LSTM and GRU language models learn to spell Python's documentation:
reading it one character at a time (Elman 1990; Sutskever, Martens & Hinton 2011;
Karpathy 2015), they fall from 6.6 bits per character (a uniform guess over 96
characters) well below the 4.6 bits of a model that knows only how often each character
occurs, and the LSTM's samples turn from noise into English words.

The text is ``minigrad.data.text_corpus()``: the docstrings of 24 standard-library
modules (about 230,000 characters), the last tenth held out for validation. Training is
truncated backpropagation through time (Williams & Peng 1990): the text is cut into 32
contiguous streams, each step reads the next 64 characters of every stream, and the
hidden state is carried from one step to the next (detached, so the gradient stops at
the step's start). The loss is the cross-entropy of each next character, trained with
Adam and gradient clipping; bits per character = cross-entropy / ln 2.

At a few points in training the LSTM writes samples at temperatures 0.5 and 1.0 (each
next character drawn from ``softmax(logits / temperature)`` by a seeded NumPy
generator); the share of their words that occur in the training text measures how well
they spell. Finally an ``nn.LSTMCell`` given the trained layer's weights steps through
held-out text, to find the cell units that follow the position in the line, the letters
into a word and being inside parentheses (as Karpathy, Johnson & Fei-Fei 2015 found
cells that count and cells that track quotes), and through a sentence, to look at them:
as text here, and with the gates and hidden units as heat maps in
``09_char_language_model.png`` when matplotlib is installed.

Run: ``python examples/09_char_language_model.py`` (about 1-2 minutes on two cores) or
with ``--quick`` (seconds: a tiny model, 300 steps).
"""

from __future__ import annotations

import argparse
import math
import re
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

LAYERS = {"LSTM": nn.LSTM, "GRU": nn.GRU}
PRIME = "Return the "
SENTENCE = "Return the number of items (or None, if the list is empty) in the given list."
SHADES = " .:-=+*#%@"
# Streams, characters a step, model sizes, training steps and learning rate; characters
# sampled at each checkpoint, held-out characters to validate on and to look inside with.
SIZES = {
    "default": dict(batch=32, length=64, embedding=32, hidden=128, steps=1500, lr=3e-3),
    "quick": dict(batch=16, length=32, embedding=16, hidden=48, steps=300, lr=1e-2),
}
SIZES["default"].update(sample=160, validation=None, passage=3000)
SIZES["quick"].update(sample=80, validation=4096, passage=1000)


class CharModel(nn.Module):
    """Embedding -> one recurrent layer -> a linear read-out of the next character's
    scores, at every step."""

    def __init__(self, kind: str, vocabulary: int, embedding: int, hidden: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, embedding)
        self.recurrent = LAYERS[kind](embedding, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocabulary)

    def forward(self, codes, state=None):
        output, state = self.recurrent(self.embed(codes), state)
        return self.out(output), state


def detach(state):
    """The state's values without its history: an LSTM's ``(h, c)`` or a GRU's ``h``."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def streams(codes: np.ndarray, batch: int) -> np.ndarray:
    """``codes`` cut into ``batch`` contiguous rows: row b continues where the text left
    off at row b's start, so a state carried along a row has read the text before it."""
    length = len(codes) // batch
    return codes[: length * batch].reshape(batch, length)


def bits_per_character(model, rows: np.ndarray, length: int) -> float:
    """Mean cross-entropy of every next character in ``rows``, in bits, reading each
    row in chunks of ``length`` with the state carried across chunks."""
    cross_entropy = nn.CrossEntropyLoss(reduction="sum")
    state, total, count = None, 0.0, 0
    vocabulary = model.out.out_features
    with minigrad.no_grad():
        for start in range(0, rows.shape[1] - 1, length):
            x = rows[:, start : start + length]
            y = rows[:, start + 1 : start + length + 1]
            x = x[:, : y.shape[1]]
            logits, state = model(minigrad.tensor(x), state)
            flat = logits.reshape(-1, vocabulary)
            total += cross_entropy(flat, minigrad.tensor(y.reshape(-1))).item()
            count += y.size
    return total / count / math.log(2)


def sample(model, chars, index, length: int, temperature: float, seed: int) -> str:
    """``PRIME`` continued by ``length`` characters, each drawn from the model's
    ``softmax(logits / temperature)`` with a seeded NumPy generator."""
    rng = np.random.default_rng(seed)
    codes = list(data.encode(PRIME, index))
    with minigrad.no_grad():
        logits, state = model(minigrad.tensor(np.array([codes])))
        for _ in range(length):
            scores = logits.numpy()[0, -1].astype(np.float64) / temperature
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            codes.append(int(rng.choice(len(chars), p=probabilities)))
            logits, state = model(minigrad.tensor(np.array([[codes[-1]]])), state)
    return data.decode(np.array(codes), chars)


def known_words(text: str, vocabulary: set[str]) -> float:
    """The share of words (runs of 3 or more letters) in ``text`` that occur in
    ``vocabulary``; NaN when there are none."""
    words = re.findall(r"[A-Za-z]{3,}", text)
    return sum(word in vocabulary for word in words) / len(words) if words else float("nan")


def train(kind, rows, validation, chars, index, words, options) -> dict:
    """Truncated backpropagation through time over the rows; returns the learning curve,
    the final validation bits per character and (for the LSTM) the samples."""
    minigrad.manual_seed(0)
    model = CharModel(kind, len(chars), options.embedding, options.hidden)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=options.lr)
    cross_entropy = nn.CrossEntropyLoss()
    length, checkpoints = options.length, set(options.checkpoints)
    state, position, running = None, 0, []
    curve, samples = [], []
    start = time.perf_counter()
    for step in range(1, options.steps + 1):
        if position + length + 1 > rows.shape[1]:  # the end of the text: start again
            state, position = None, 0
        x = minigrad.tensor(rows[:, position : position + length])
        y = minigrad.tensor(rows[:, position + 1 : position + length + 1])
        position += length
        if state is not None:
            # Keep the state's values but cut its history: the previous step's graph was
            # freed by its backward, so without .detach() this step's backward would
            # run into it and raise a RuntimeError (and if it were kept, every step
            # would backpropagate through the whole text read so far).
            state = detach(state)
        logits, state = model(x, state)
        loss = cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running.append(loss.item() / math.log(2))
        if step in checkpoints:
            model.eval()
            bits = bits_per_character(model, validation, length)
            curve.append((step, float(np.mean(running[-50:])), bits))
            print(
                f"  {kind} step {step:>5}: training {curve[-1][1]:.3f}, validation "
                f"{bits:.3f} bits/char ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
            if kind == "LSTM":
                for temperature in (0.5, 1.0):
                    text = sample(model, chars, index, options.sample, temperature, step)
                    share = known_words(text[len(PRIME) :], words)
                    samples.append((step, temperature, text, share))
                    shown = text.replace("\n", " / ")
                    print(f"    T={temperature}: {shown!r}  ({share:.0%} known words)")
            model.train()
    return {
        "model": model,
        "curve": curve,
        "validation_bits": curve[-1][2],
        "samples": samples,
        "seconds": time.perf_counter() - start,
    }


def step_through(model, cell, codes: np.ndarray) -> dict[str, np.ndarray]:
    """Run ``cell`` (an ``nn.LSTMCell`` with the model's weights) over ``codes`` from a
    zero state; the input, forget and output gates, the cell state and the hidden state
    at every character, each (T, H)."""
    hidden = cell.hidden_size
    weights = {name: p.detach().numpy().astype(np.float64) for name, p in cell.named_parameters()}
    record: dict[str, list] = {name: [] for name in ("input", "forget", "output", "cell", "hidden")}
    with minigrad.no_grad():
        inputs = model.embed(minigrad.tensor(codes[None]))  # (1, T, E)
        h, c = minigrad.zeros(1, hidden), minigrad.zeros(1, hidden)
        for t in range(len(codes)):
            x = inputs[:, t]
            # The gates, from the cell's equations (the fused cell returns only h and c).
            pre = (
                x.numpy() @ weights["weight_ih"].T
                + weights["bias_ih"]
                + h.numpy() @ weights["weight_hh"].T
                + weights["bias_hh"]
            )[0]
            i, f, _, o = np.split(pre, 4)
            h, c = cell(x, (h, c))
            record["input"].append(1 / (1 + np.exp(-i)))
            record["forget"].append(1 / (1 + np.exp(-f)))
            record["output"].append(1 / (1 + np.exp(-o)))
            record["cell"].append(c.numpy()[0])
            record["hidden"].append(h.numpy()[0])
    return {name: np.array(values) for name, values in record.items()}


def text_features(text: str) -> dict[str, np.ndarray]:
    """Properties of each character's position that a language model could track."""
    line, word, depth = [], [], []
    column = letters = inside = 0
    for char in text:
        column = 0 if char == "\n" else column + 1
        letters = letters + 1 if char.isalpha() else 0
        inside = inside + (char == "(") - (char == ")" and inside > 0)
        line.append(column)
        word.append(letters)
        depth.append(inside > 0 or char == ")")
    return {
        "position in the line": np.array(line, float),
        "letters into the word": np.array(word, float),
        "inside parentheses": np.array(depth, float),
    }


def look_inside(model, chars, index, passage: str) -> dict:
    """Step an ``nn.LSTMCell`` holding the trained LSTM layer's weights through a held-out
    ``passage`` (to find the cell units that follow properties of the text) and through
    ``SENTENCE`` (to look at them)."""
    layer = model.recurrent
    cell = nn.LSTMCell(layer.input_size, layer.hidden_size)
    # One LSTM layer and an LSTMCell have the same parameters under shorter names.
    cell.load_state_dict(
        {name: getattr(layer, f"{name}_l0") for name, _ in cell.named_parameters()}
    )
    inside = step_through(model, cell, data.encode(SENTENCE, index))
    with minigrad.no_grad():
        layer_output, _ = layer(model.embed(minigrad.tensor(data.encode(SENTENCE, index)[None])))
    inside["agreement"] = float(np.abs(inside["hidden"] - layer_output.numpy()[0]).max())
    states = step_through(model, cell, data.encode(passage, index))["cell"]
    trackers = {}
    for name, feature in text_features(passage).items():
        centred = states - states.mean(axis=0)
        wanted = feature - feature.mean()
        scale = np.sqrt((centred**2).sum(axis=0) * (wanted**2).sum()) + 1e-12
        correlation = (centred * wanted[:, None]).sum(axis=0) / scale
        unit = int(np.abs(correlation).argmax())
        trackers[name] = (unit, float(correlation[unit]))
    inside["trackers"] = trackers
    return inside


def shade(values: np.ndarray) -> str:
    """A row of values as characters from light (its smallest value) to dark (its
    largest)."""
    scaled = (values - values.min()) / (values.max() - values.min() + 1e-12)
    levels = np.minimum((scaled * len(SHADES)).astype(int), len(SHADES) - 1)
    return "".join(SHADES[level] for level in levels)


def plot(results: dict, inside: dict, uniform: float, unigram: float) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axes = plt.subplots(4, 1, figsize=(14, 12), height_ratios=(1.2, 0.6, 1.3, 1.3))
    for kind, result in results.items():
        steps, _, bits = zip(*result["curve"])
        axes[0].plot(steps, bits, marker="o", label=f"{kind} (validation)")
    axes[0].axhline(uniform, color="grey", linestyle=":", label="uniform guess")
    axes[0].axhline(unigram, color="grey", linestyle="--", label="character frequencies")
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel("bits per character")
    axes[0].legend()
    units = [unit for unit, _ in inside["trackers"].values()]
    signs = np.sign([correlation for _, correlation in inside["trackers"].values()])
    tracked = signs * inside["cell"][:, units]
    tracked /= np.abs(tracked).max(axis=0) + 1e-12
    busiest = np.argsort(inside["hidden"].var(axis=0))[::-1][:24]
    panels = [
        (
            tracked,
            [f"{unit}: {name}" for name, (unit, _) in inside["trackers"].items()],
            -1,
            "cell state c of the tracking units (signed to follow the property, scaled to 1)",
        ),
        (
            inside["hidden"][:, busiest],
            busiest.tolist(),
            -1,
            "hidden state h of the 24 most active units",
        ),
        (inside["forget"][:, busiest], busiest.tolist(), 0, "forget gate f of the same units"),
    ]
    for axis, (values, labels, low, title) in zip(axes[1:], panels):
        plots.heatmap(values.T, ax=axis, xticklabels=list(SENTENCE), yticklabels=labels,
                      vmin=low, vmax=1, title=f"LSTM, {title}", xlabel="", ylabel="")
    plots.save("09_char_language_model.png", figure)
    print("learning curves and heat maps written to 09_char_language_model.png")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny model, 300 steps")
    args = parser.parse_args(argv)
    options = argparse.Namespace(**SIZES["quick" if args.quick else "default"])
    options.checkpoints = [options.steps // 6, options.steps // 2, options.steps]

    text = data.text_corpus()
    chars, index = data.char_vocabulary(text)
    codes = data.encode(text, index)
    cut = int(0.9 * len(codes))
    rows = streams(codes[:cut], options.batch)
    held_out = codes[cut:][: options.validation]
    validation = streams(held_out, options.batch)
    words = set(re.findall(r"[A-Za-z]{3,}", text[:cut]))
    frequencies = np.bincount(codes[:cut], minlength=len(chars)) / cut
    uniform = math.log2(len(chars))
    # Cross-entropy of the held-out text under the training text's character frequencies.
    seen = np.maximum(frequencies, 1 / cut)
    unigram = float(-np.log2(seen[held_out]).mean())
    print(
        f"{len(text):,} characters, {len(chars)} distinct; training on {rows.size:,} in "
        f"{options.batch} streams, {options.length} characters a step; validation on "
        f"{validation.size:,}"
    )
    print(
        f"uniform guess {uniform:.2f} bits/char, character frequencies {unigram:.2f}; the "
        f"samples continue {PRIME!r} (line breaks shown as ' / ')"
    )

    results = {}
    for kind in LAYERS:
        print(f"\n{kind}, {options.hidden} units, {options.steps} steps:")
        results[kind] = train(kind, rows, validation, chars, index, words, options)

    passage = text[cut : cut + options.passage]
    inside = look_inside(results["LSTM"]["model"], chars, index, passage)
    print(
        f"\nInside the LSTM: an nn.LSTMCell with the trained layer's weights steps through\n"
        f"the text (its h agrees with the layer's output to {inside['agreement']:.1e}).\n"
        f"Mean gates over a sentence: input {inside['input'].mean():.2f}, forget "
        f"{inside['forget'].mean():.2f}, output {inside['output'].mean():.2f}; forget gates "
        f"above 0.9: {(inside['forget'] > 0.9).mean():.0%}.\n"
        f"The cell units that best follow properties of the text (correlation of c with\n"
        f"each over {len(passage):,} held-out characters), shaded along the sentence from\n"
        f"{SHADES[0]!r} to {SHADES[-1]!r} (c's sign turned to follow the property):"
    )
    print(f"{'':<40}{SENTENCE}")
    for name, (unit, correlation) in inside["trackers"].items():
        label = f"{name}: unit {unit}, r={correlation:+.2f}"
        print(f"{label:<39} {shade(np.sign(correlation) * inside['cell'][:, unit])}")

    print(
        f"\nbits per character on the held-out text (uniform {uniform:.2f}, frequencies "
        f"{unigram:.2f})"
    )
    steps = [step for step, _, _ in results["LSTM"]["curve"]]
    print(f"{'network':<8}" + "".join(f"{f'step {s}':>11}" for s in steps) + "       time")
    for kind, result in results.items():
        print(
            f"{kind:<8}"
            + "".join(f"{bits:>11.3f}" for _, _, bits in result["curve"])
            + f"{result['seconds']:>10.0f} s"
        )
    first, last = results["LSTM"]["samples"][0], results["LSTM"]["samples"][-2]
    print(
        f"The LSTM ends at {results['LSTM']['validation_bits']:.2f} and the GRU at "
        f"{results['GRU']['validation_bits']:.2f} bits per character, under the "
        f"{unigram:.2f} of the character frequencies (uniform: {uniform:.2f}), and the known "
        f"words in the LSTM's samples at T=0.5 rise from {first[3]:.0%} at step {first[0]} "
        f"to {last[3]:.0%} at step {last[0]}."
    )
    plot(results, inside, uniform, unigram)
    return {
        "vocabulary": len(chars),
        "uniform_bits": uniform,
        "unigram_bits": unigram,
        "networks": {
            kind: {key: value for key, value in result.items() if key != "model"}
            for kind, result in results.items()
        },
        "inside": inside,
    }


if __name__ == "__main__":
    main()
