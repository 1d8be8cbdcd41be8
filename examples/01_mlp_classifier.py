"""A linear classifier cannot separate the two spirals; a multi-layer perceptron can.

The two spirals (Lang & Witbrock 1988) wind around each other, so no straight line splits
them and a linear model is no better than chance; the hidden layers of an MLP trained by
back-propagation (Rumelhart, Hinton & Williams 1986) bend its decision boundary around them.

Two data sets from ``minigrad.data``, each drawn twice with different seeds (a training
and a test set, two balanced classes, so chance is 0.5):

* the two spirals, here with two turns per arm (``data.spirals(n, turns=2.0)``);
* the two moons (scikit-learn's ``make_moons``, Pedregosa et al. 2011): a line gets most
  of them, the tips of the moons need a curve.

On each, two models are trained the PyTorch way (full batch, Adam, cross-entropy): a
linear model ``nn.Linear(2, 2)`` (softmax regression: its boundary is a straight line)
and an MLP with two hidden layers of 32 ReLU units, ``nn.MLP(2, [32, 32], 2)``. The table
gives their accuracy on the training and the test set. With matplotlib installed, the
decision boundaries (the predicted class on a grid, a filled contour under the test
points) are written to ``01_mlp_classifier.png``.

Run: ``python examples/01_mlp_classifier.py`` (seconds) or with ``--quick`` (fewer steps).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

MODELS = {
    "linear (no hidden layer)": lambda: nn.Linear(2, 2),
    "MLP 2-32-32-2 (ReLU)": lambda: nn.MLP(2, [32, 32], 2, activation="relu"),
}


def datasets(train_size: int, test_size: int) -> dict[str, tuple]:
    """``{name: ((x_train, labels_train), (x_test, labels_test))}``, independent draws."""
    return {
        "spirals": (
            data.spirals(train_size, turns=2.0, seed=0),
            data.spirals(test_size, turns=2.0, seed=1),
        ),
        "moons": (data.moons(train_size, seed=0), data.moons(test_size, seed=1)),
    }


def train(model: nn.Module, x: np.ndarray, labels: np.ndarray, steps: int, lr: float) -> list:
    """Full-batch training with Adam on the cross-entropy; the loss at every step."""
    inputs, targets = minigrad.tensor(x), minigrad.tensor(labels)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """The predicted class of every row of ``x``."""
    with minigrad.no_grad():
        return model(minigrad.tensor(x)).numpy().argmax(-1)


def accuracy(model: nn.Module, x: np.ndarray, labels: np.ndarray) -> float:
    return float((predict(model, x) == labels).mean())


def plot_boundaries(plt, trained: dict, sets: dict, results: dict, path: str) -> None:
    """One panel per data set and model: the predicted class on a grid, the test points."""
    figure, axes = plt.subplots(len(sets), len(MODELS), figsize=(10, 4.5 * len(sets)))
    for row, (set_name, (_, (x, labels))) in enumerate(sets.items()):
        for column, model_name in enumerate(MODELS):
            model = trained[set_name][model_name]
            test = results[set_name][model_name]["test_accuracy"]
            axis = plots.decision_boundary(
                lambda grid, model=model: predict(model, grid.astype(np.float32)), x, labels,
                ax=axes[row, column], margin=0.3,
                title=f"{set_name}: {model_name}\ntest accuracy {test:.3f}",
            )
            axis.set_aspect("equal")
    plots.save(path, figure)


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 training steps instead of 1000")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    args = parser.parse_args(argv)
    steps, lr = (300 if args.quick else 1000), 0.02
    # 500 points x 32 hidden units = 16,000 elements, under the 2**14 from which minigrad's
    # elementwise kernels run in parallel: with 600 points a step took ~5 ms instead of ~1-2 ms
    # on two cores busy with other work.
    sets = datasets(train_size=500, test_size=1000)
    results: dict[str, dict[str, dict[str, float]]] = {}
    trained: dict[str, dict[str, nn.Module]] = {}
    for set_name, ((x_train, y_train), (x_test, y_test)) in sets.items():
        results[set_name], trained[set_name] = {}, {}
        for model_name, make in MODELS.items():
            minigrad.manual_seed(args.seed)
            model = make()
            start = time.perf_counter()
            losses = train(model, x_train, y_train, steps, lr)
            seconds = time.perf_counter() - start
            checkpoints = [0, steps // 10, steps // 3, steps - 1]
            print(
                f"{set_name}, {model_name}: loss "
                + " -> ".join(f"{losses[s]:.3f}" for s in checkpoints)
                + f" (steps {', '.join(str(s + 1) for s in checkpoints)}; {seconds:.1f} s)",
                flush=True,
            )
            results[set_name][model_name] = {
                "parameters": sum(p.numel() for p in model.parameters()),
                "train_accuracy": accuracy(model, x_train, y_train),
                "test_accuracy": accuracy(model, x_test, y_test),
                "final_loss": losses[-1],
                "seconds": seconds,
            }
            trained[set_name][model_name] = model
    print(f"\nAccuracy after {steps} full-batch Adam steps (lr {lr}; chance 0.500)")
    print(f"{'data set':<9} {'model':<26} {'parameters':>10} {'train':>7} {'test':>7}")
    for set_name, rows in results.items():
        for model_name, row in rows.items():
            print(
                f"{set_name:<9} {model_name:<26} {row['parameters']:>10} "
                f"{row['train_accuracy']:>7.3f} {row['test_accuracy']:>7.3f}"
            )
    linear, mlp = list(MODELS)
    spirals, moons = results["spirals"], results["moons"]
    print(
        f"A straight line cannot separate the spirals (test accuracy "
        f"{spirals[linear]['test_accuracy']:.3f}, chance 0.5)\nand gets only "
        f"{moons[linear]['test_accuracy']:.3f} of the moons; the MLP's hidden layers bend the "
        f"boundary\nand get {spirals[mlp]['test_accuracy']:.3f} and "
        f"{moons[mlp]['test_accuracy']:.3f}."
    )
    plt = plots.pyplot(required=False)
    if plt is not None:
        plot_boundaries(plt, trained, sets, results, "01_mlp_classifier.png")
        print("decision boundaries written to 01_mlp_classifier.png")
    return results


if __name__ == "__main__":
    main()
