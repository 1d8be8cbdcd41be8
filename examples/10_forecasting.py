"""One-step-ahead forecasts by an LSTM, a GRU and an MLP beat repeating the last value
many times over, on the chaotic Mackey-Glass series (Mackey & Glass 1977; a neural
benchmark since Lapedes & Farber 1987) and on a mixture of sines, each network given the
same window of past values and judged by its mean squared error on a test part.

The series come from ``minigrad.data``: Mackey-Glass with ``tau=17`` (the classic chaotic
case, sampled once per time unit) and ``sine_mixture`` (periods of 50, 22 and 11 steps,
with a little noise). Each is normalised with the mean and standard deviation of its
first 75% (the training part), and ``sliding_windows`` cuts both parts into (window of
24 past values, next value) pairs. The recurrent networks read the window one value at a
time and forecast from their last hidden state; the MLP sees the same 24 values at once,
flattened; the naive forecast repeats the window's last value. All three networks get
the same training budget (Adam with a step-down schedule, gradient clipping,
mini-batches of windows). The table shows each forecaster's mean squared error on the
test part (the last 25%, never seen in training), and for the sines the noise floor no
forecast can beat. With the whole window in view, a recurrent network's memory has
nothing to add here: the MLP does as well. With matplotlib installed,
``10_forecasting.png`` draws the forecasts over the true series.

Run: ``python examples/10_forecasting.py`` (under a minute on two cores) or with
``--quick`` (seconds: shorter series, fewer steps).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

WINDOW = 24


class Recurrent(nn.Module):
    """A recurrent layer over the window, a linear forecast from its last hidden state."""

    def __init__(self, kind: str, hidden: int) -> None:
        super().__init__()
        layer = nn.LSTM if kind == "LSTM" else nn.GRU
        self.recurrent = layer(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, window):  # (B, WINDOW, 1) -> (B, 1)
        output, _ = self.recurrent(window)
        return self.out(output[:, -1])


class Flat(nn.Module):
    """An MLP on the flattened window."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.MLP(WINDOW, [hidden, hidden], 1, activation="tanh")

    def forward(self, window):  # (B, WINDOW, 1) -> (B, 1)
        return self.mlp(window.flatten(1))


NETWORKS = {
    "MLP": lambda hidden: Flat(2 * hidden),
    "LSTM": lambda hidden: Recurrent("LSTM", hidden),
    "GRU": lambda hidden: Recurrent("GRU", hidden),
}


def series(name: str, steps: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The series, and its noise (None for the noiseless Mackey-Glass series)."""
    if name == "Mackey-Glass":
        return data.mackey_glass(steps, tau=17.0, seed=0), None
    noisy = data.sine_mixture(steps, noise=0.05, seed=0)
    # The same seed draws the same phases first, so this is the signal without the noise.
    clean = data.sine_mixture(steps, noise=0.0, seed=0)
    return noisy, noisy - clean


def prepare(values: np.ndarray, train_share: float = 0.75):
    """Normalise by the training part, then cut each part into windows and next values;
    also returns the cut and the normalising scale."""
    cut = int(train_share * len(values))
    mean, std = values[:cut].mean(), values[:cut].std()
    normalised = ((values - mean) / std).astype(np.float32)
    train = data.sliding_windows(normalised[:cut], WINDOW)
    test = data.sliding_windows(normalised[cut:], WINDOW)
    # targets (N, 1, 1) -> (N, 1): the one next value of each window.
    return (train[0], train[1][:, 0]), (test[0], test[1][:, 0]), cut, std


def fit(model, windows, targets, steps: int, batch: int, seed: int) -> list[float]:
    """The PyTorch loop over random mini-batches of windows; returns the loss per step."""
    rng = np.random.default_rng(seed)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = minigrad.optim.lr_scheduler.StepLR(optimizer, step_size=steps // 3, gamma=0.3)
    mse = nn.MSELoss()
    losses = []
    for _ in range(steps):
        rows = rng.integers(0, len(windows), batch)
        loss = mse(model(minigrad.tensor(windows[rows])), minigrad.tensor(targets[rows]))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


def forecast(model, windows: np.ndarray) -> np.ndarray:
    model.eval()
    with minigrad.no_grad():
        return model(minigrad.tensor(windows)).numpy()[:, 0]


def plot(forecasts: dict, truths: dict, shown: int) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axes = plt.subplots(len(truths), 1, figsize=(12, 3.5 * len(truths)))
    for axis, (name, truth) in zip(np.atleast_1d(axes), truths.items()):
        axis.plot(truth[:shown], color="black", linewidth=2.5, alpha=0.35, label="true series")
        for model, values in forecasts[name].items():
            style = ":" if model == "naive" else "-"
            axis.plot(values[:shown], style, linewidth=1, label=model)
        axis.set_title(f"{name}: one-step-ahead forecasts on the test part (normalised)")
        axis.set_xlabel("test step")
        axis.legend(ncol=5, fontsize=8)
    figure.tight_layout()
    figure.savefig("10_forecasting.png")
    print("forecasts written to 10_forecasting.png")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter series, fewer steps")
    args = parser.parse_args(argv)
    length, steps, hidden = (800, 300, 16) if args.quick else (2000, 1500, 32)
    batch = 64
    results: dict = {}
    forecasts: dict = {}
    truths: dict = {}
    start = time.perf_counter()
    for name in ("Mackey-Glass", "sine mixture"):
        values, noise = series(name, length)
        (windows, targets), (test_windows, test_targets), cut, std = prepare(values)
        truth = test_targets[:, 0]
        truths[name] = truth
        forecasts[name] = {"naive": test_windows[:, -1, 0]}
        for kind, make in NETWORKS.items():
            minigrad.manual_seed(0)
            model = make(hidden)
            losses = fit(model, windows, targets, steps, batch, seed=1)
            forecasts[name][kind] = forecast(model, test_windows)
            print(
                f"{name}, {kind}: training MSE {np.mean(losses[:20]):.4f} -> "
                f"{np.mean(losses[-50:]):.5f} ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
        results[name] = {
            model: float(np.mean((predicted - truth) ** 2))
            for model, predicted in forecasts[name].items()
        }
        # A forecast of the noiseless signal would still be off by the noise itself.
        floor = 0.0 if noise is None else float(np.mean((noise[cut + WINDOW :] / std) ** 2))
        results[name]["noise_floor"] = floor
        results[name]["train_windows"] = len(windows)
        results[name]["test_windows"] = len(test_windows)

    names = list(results)
    models = list(forecasts[names[0]])
    print(
        f"\nTest MSE of the one-step forecast (normalised series, window {WINDOW}; "
        f"{results[names[0]]['train_windows']} training and "
        f"{results[names[0]]['test_windows']} test windows each; {steps} steps of {batch})"
    )
    print(f"{'forecaster':<12}" + "".join(f"{n:>16}{'x naive':>9}" for n in names))
    for model in models:
        cells = "".join(
            f"{results[n][model]:>16.2e}{results[n]['naive'] / results[n][model]:>8.0f}x"
            for n in names
        )
        print(f"{model:<12}{cells}")
    floors = "".join(
        f"{results[n]['noise_floor']:>16.2e}" if results[n]["noise_floor"] else f"{'none':>16}"
        for n in names
    )
    print(f"{'noise floor':<12}{floors}   (a perfect forecast of the signal without its noise)")
    trained = [model for model in models if model != "naive"]
    worst = min(results[n]["naive"] / results[n][model] for n in names for model in trained)
    best = {n: min(trained, key=lambda model: results[n][model]) for n in names}
    if set(best.values()) == {"MLP"}:
        verdict = (
            "with the whole window in view, the recurrent networks' memory adds nothing "
            "here: the MLP is the best on both"
        )
    else:
        verdict = "the best is " + " and ".join(f"the {best[n]} on {n}" for n in names)
    print(
        f"On both series every trained network forecasts the next value at least "
        f"{worst:.0f} times better than repeating the last one; {verdict}."
    )
    plot(forecasts, truths, shown=200)
    return results


if __name__ == "__main__":
    main()
