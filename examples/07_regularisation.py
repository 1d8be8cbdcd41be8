"""Regularisation of an over-parameterised network on a small training set: L1 and L2
penalties, decoupled weight decay, dropout and early stopping each narrow the gap
between training and validation loss that plain training leaves, and each scores a
better mean test accuracy than the unregularised network.

The penalties are the classic ones of the neural-network literature (weight decay:
Hinton 1987, Krogh & Hertz 1992; L1 and its sparsity: Tibshirani 1996), written into the
loss by hand; ``AdamW``'s ``weight_decay`` is the decoupled decay of Loshchilov & Hutter
(2019), applied by the optimizer instead of through the gradient; dropout is Srivastava
et al. (2014), ``nn.MLP(..., dropout=)`` (``nn.Dropout`` after every hidden layer, off in
``eval()``); early stopping (Morgan & Bourlard 1990; Prechelt 1998) keeps the weights of
the epoch with the best validation loss and stops after 100 epochs without improvement
(``minigrad.training.EarlyStopping(patience=100, restore_best_weights=True)`` is the
same rule for ``Model.fit``).

The data are two noisy moons (``minigrad.data.moons``, noise 0.3, so the classes
overlap): 60 training points, 200 for validation, 2000 for testing; the network an MLP
2-128-128-1 with ReLUs (17,000 parameters for 60 points), trained full-batch by Adam at
1e-2 with the binary cross-entropy. Each seed draws new data and a new initialisation;
the tables average over the seeds. The validation set picks early stopping's epoch, so
the test set is the honest judge.

Run: ``python examples/07_regularisation.py`` (about half a minute on two quiet cores) or with
``--quick`` (seconds: two seeds, 200 epochs). With matplotlib installed, the training and
validation curves go to ``07_regularisation.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

L1, L2, WEIGHT_DECAY, DROPOUT, PATIENCE = 1e-3, 1e-3, 1.0, 0.5, 100
METHODS = {
    "none": "plain Adam",
    "L1": f"+ {L1:g} * sum |w| in the loss",
    "L2": f"+ {L2:g} * sum w^2 in the loss",
    "AdamW": f"AdamW, weight_decay={WEIGHT_DECAY:g}",
    "dropout": f"nn.Dropout({DROPOUT:g}) after each hidden layer",
    "early stopping": f"best validation epoch, patience {PATIENCE}",
}


def moons(seed: int):
    """Training, validation and test sets of one seed: (inputs, 0/1 float targets)."""
    sets = []
    for n, offset in ((60, 0), (200, 1000), (2000, 2000)):
        x, labels = data.moons(n, noise=0.3, seed=offset + seed)
        sets.append((minigrad.tensor(x), minigrad.tensor(labels.astype(np.float32))))
    return sets


def weights(model: nn.Module) -> list:
    """The weight matrices (the penalties leave the biases alone, as is usual)."""
    return [p for name, p in model.named_parameters() if name.endswith("weight")]


def evaluate(model: nn.Module, x, y, loss_fn) -> tuple[float, float]:
    """(loss, accuracy) in eval() mode: dropout off, no graph."""
    model.eval()
    with minigrad.no_grad():
        logits = model(x).squeeze(-1)
        loss = loss_fn(logits, y).item()
        accuracy = float(((logits.numpy() > 0) == (y.numpy() > 0.5)).mean())
    model.train()
    return loss, accuracy


def train(method: str, seed: int, epochs: int) -> dict:
    (x, y), (x_val, y_val), (x_test, y_test) = moons(seed)
    minigrad.manual_seed(seed)
    model = nn.MLP(2, [128, 128], 1, dropout=DROPOUT if method == "dropout" else 0.0)
    if method == "AdamW":
        optimizer = minigrad.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=WEIGHT_DECAY)
    else:
        optimizer = minigrad.optim.Adam(model.parameters(), lr=1e-2)
    bce = nn.BCEWithLogitsLoss()
    train_curve, val_curve = [], []
    best_loss, best_state, best_epoch = float("inf"), None, 0
    for epoch in range(epochs):
        loss = bce(model(x).squeeze(-1), y)
        if method == "L1":
            loss = loss + L1 * sum(w.abs().sum() for w in weights(model))
        elif method == "L2":
            loss = loss + L2 * sum((w**2).sum() for w in weights(model))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_curve.append(evaluate(model, x, y, bce)[0])  # the data term, without dropout
        val_curve.append(evaluate(model, x_val, y_val, bce)[0])
        if method == "early stopping":
            if val_curve[-1] < best_loss:
                best_loss, best_epoch = val_curve[-1], epoch
                best_state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
            elif epoch - best_epoch >= PATIENCE:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    train_loss, train_accuracy = evaluate(model, x, y, bce)
    val_loss, val_accuracy = evaluate(model, x_val, y_val, bce)
    return {
        "train_loss": train_loss,
        "val_loss": val_loss,
        "gap": val_loss - train_loss,
        "train_accuracy": train_accuracy,
        "val_accuracy": val_accuracy,
        "accuracy_gap": train_accuracy - val_accuracy,
        "test_accuracy": evaluate(model, x_test, y_test, bce)[1],
        "train_curve": train_curve,
        "val_curve": val_curve,
        "best_epoch": best_epoch if method == "early stopping" else None,
        "stopped": len(val_curve),
    }


def mean_curve(runs: list, key: str, epochs: int) -> np.ndarray:
    """The mean over seeds at each epoch, over the runs still training (NaN when none)."""
    padded = np.full((len(runs), epochs), np.nan)
    for row, run in enumerate(runs):
        padded[row, : len(run[key])] = run[key]
    counts = np.isfinite(padded).sum(axis=0)
    sums = np.nansum(padded, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def closing(results: dict) -> str:
    """The point, stated from the numbers."""
    plain = results["none"]
    others = {name: r for name, r in results.items() if name != "none"}
    gaps = [r["gap"] for r in others.values()]
    tests = [r["test_accuracy"] for r in others.values()]
    smallest = min(others, key=lambda name: others[name]["gap"])
    best = max(others, key=lambda name: others[name]["test_accuracy"])
    parts = []
    if max(gaps) < plain["gap"]:
        parts.append(
            f"Every regulariser narrowed the gap between validation and training loss "
            f"(from {plain['gap']:.2f} to {min(gaps):.2f}-{max(gaps):.2f}; smallest with "
            f"{smallest})"
        )
    else:
        parts.append(f"The smallest loss gap came with {smallest} ({others[smallest]['gap']:.2f})")
    if min(tests) > plain["test_accuracy"]:
        parts.append(
            f"every one raised the mean test accuracy, from {plain['test_accuracy']:.3f} to "
            f"{min(tests):.3f}-{max(tests):.3f} (best: {best})"
        )
    else:
        better = [name for name, r in others.items() if r["test_accuracy"] > plain["test_accuracy"]]
        parts.append(
            f"{len(better)} of {len(others)} raised the mean test accuracy above "
            f"{plain['test_accuracy']:.3f} ({', '.join(better) or 'none'})"
        )
    return ", and ".join(parts) + "."


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="two seeds, 200 epochs")
    args = parser.parse_args(argv)
    seeds, epochs = (2, 200) if args.quick else (8, 600)
    print(
        f"Noisy moons, 60 training points, an MLP 2-128-128-1: {len(METHODS)} ways of "
        f"training x {seeds} seeds x up to {epochs} epochs"
    )
    start = time.perf_counter()
    results: dict = {}
    for method, description in METHODS.items():
        runs = [train(method, seed, epochs) for seed in range(seeds)]
        summary = {
            key: float(np.mean([run[key] for run in runs]))
            for key in (
                "train_loss",
                "val_loss",
                "gap",
                "train_accuracy",
                "val_accuracy",
                "accuracy_gap",
                "test_accuracy",
            )
        }
        summary["runs"] = runs
        summary["train_curve"] = mean_curve(runs, "train_curve", epochs)
        summary["val_curve"] = mean_curve(runs, "val_curve", epochs)
        results[method] = summary
        print(
            f"  {method:<15} {description:<45} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    shown = [e for e in (10, 50, 100, 200, 300, 400, 600) if e <= epochs]
    print("\nMean training / validation loss after ... epochs ('-': every run had stopped)")
    print(f"{'method':<16}" + "".join(f"{e:>14}" for e in shown))
    for method, result in results.items():
        cells = []
        for e in shown:
            train_value, val_value = result["train_curve"][e - 1], result["val_curve"][e - 1]
            cells.append("-" if np.isnan(val_value) else f"{train_value:.3f}/{val_value:.3f}")
        print(f"{method:<16}" + "".join(f"{cell:>14}" for cell in cells))
    print(f"\nAt the end (means over {seeds} seeds; gap = validation - training loss)")
    print(
        f"{'method':<16}{'train loss':>11}{'val loss':>10}{'gap':>8}"
        f"{'train acc':>11}{'val acc':>9}{'acc gap':>9}{'test acc':>10}"
    )
    for method, result in results.items():
        print(
            f"{method:<16}{result['train_loss']:>11.3f}{result['val_loss']:>10.3f}"
            f"{result['gap']:>8.3f}{result['train_accuracy']:>11.3f}"
            f"{result['val_accuracy']:>9.3f}{result['accuracy_gap']:>9.3f}"
            f"{result['test_accuracy']:>10.3f}"
        )
    early = results["early stopping"]["runs"]
    print(
        "Early stopping kept epochs "
        + ", ".join(str(run["best_epoch"] + 1) for run in early)
        + " and stopped after "
        + ", ".join(str(run["stopped"]) for run in early)
        + "."
    )
    print(closing(results))
    plot(results)
    return results


def plot(results: dict) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axes = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True, sharey=True)
    for axis, (method, result) in zip(axes.ravel(), results.items()):
        epochs = np.arange(1, len(result["val_curve"]) + 1)
        axis.semilogy(epochs, result["train_curve"], label="training")
        axis.semilogy(epochs, result["val_curve"], label="validation")
        axis.set_title(f"{method}: test accuracy {result['test_accuracy']:.3f}", fontsize=9)
        axis.set_xlabel("epoch")
    axes[0, 0].set_ylabel("loss (mean over seeds)")
    axes[0, 0].legend()
    figure.tight_layout()
    figure.savefig("07_regularisation.png")
    print("curves written to 07_regularisation.png")


if __name__ == "__main__":
    main()
