"""Exploding gradients (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training
recurrent neural networks"): when the recurrent weight matrix has a spectral radius
above 1, the gradient can grow exponentially with the distance it travels back in time,
and gradient clipping is what lets such a network train at a large learning rate.

Part 1 measures it. A loss computed from the last state h_T sends ``dL/dh_t`` back
through ``T - t`` Jacobians ``W^T diag(act'(.))``. The same random recurrent matrix is
scaled to spectral radius 0.5, 1, 1.5 and 3, and three activations are compared:

* linear (``h = W h + U x``): the Jacobian is ``W^T`` itself, so the gradient grows or
  shrinks by the spectral radius per step, exactly the paper's linear analysis
  (radius > 1 suffices for explosion);
* ReLU: ``act'`` is 0 or 1, about half the units pass the gradient, so the growth per
  step is roughly half the radius: 1.5 still vanishes, 3 explodes;
* tanh: ``act' <= 1`` and the states saturate as the radius grows, which hides most of
  the explosion at initialisation (radius > 1 is necessary, not sufficient, as the paper
  says). The table shows all three regimes.

The measurement runs in float64 so that 3^99 stays representable.

Part 2 trains a tanh RNN (32 units) with plain SGD at a large learning rate, 0.5 with
cosine annealing, to forecast a sum of sines (``minigrad.data.sine_mixture``) five
steps past a 50-step window, with no clipping, with ``nn.utils.clip_grad_norm_(1.0)``
and with ``nn.utils.clip_grad_value_(0.1)``, over several seeds. What happens without
clipping is Pascanu's "cliff": while the network learns, W_hh's spectral radius crosses
1, the gradient with respect to W_hh grows tenfold and more within a few steps, and the
SGD steps along it throw W_hh far out (a spectral radius of tens, then millions); the
tanh units saturate at +-1, and the read-out, fed those large features at this rate,
diverges to inf. Clipping bounds those steps.
A safe learning rate of 0.1 without clipping is shown for reference (not in --quick).

Run: ``python examples/04_exploding_gradients.py`` (about 15 seconds on two quiet
cores) or with ``--quick`` (a few seconds: 50 steps in part 1, two seeds and 300 steps
in part 2). With matplotlib installed, the curves go to ``04_exploding_gradients.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data, nn, plots

RADII = (0.5, 1.0, 1.5, 3.0)
ACTIVATIONS = {
    "linear": lambda pre: pre,
    "relu": lambda pre: pre.relu(),
    "tanh": lambda pre: pre.tanh(),
}


# --------------------------------------------------------------------------- part 1


def scaled(matrix: np.ndarray, radius: float) -> np.ndarray:
    """``matrix`` rescaled so that its largest eigenvalue magnitude is ``radius``."""
    return matrix * (radius / np.abs(np.linalg.eigvals(matrix)).max())


def as_tensor(array: np.ndarray) -> minigrad.Tensor:
    return minigrad.tensor(array, dtype=minigrad.float64)


def gradient_norms(activation: str, radius: float, steps: int, seed: int) -> np.ndarray:
    """``||dL/dh_t|| / ||dL/dh_T||`` for every step t, L a random projection of h_T."""
    hidden, features, batch = 32, 4, 16
    rng = np.random.default_rng(seed)
    recurrent = scaled(rng.standard_normal((hidden, hidden)), radius)
    weight_hh = minigrad.tensor(recurrent, dtype=minigrad.float64, requires_grad=True)
    weight_ih = as_tensor(rng.standard_normal((hidden, features)) / np.sqrt(features))
    x = as_tensor(rng.standard_normal((steps, batch, features)))
    h = minigrad.zeros(batch, hidden, dtype=minigrad.float64)
    states = []
    for t in range(steps):
        h = ACTIVATIONS[activation](x[t] @ weight_ih.T + h @ weight_hh.T)
        h.retain_grad()
        states.append(h)
    (h * as_tensor(rng.standard_normal((batch, hidden)))).sum().backward()
    norms = np.array([np.linalg.norm(state.grad.numpy()) for state in states])
    return norms / norms[-1]


def growth_per_step(relative: np.ndarray) -> float:
    """The geometric mean of the ratio from one step back to the next, past the first
    ten steps (where the transients of a non-normal matrix have died down)."""
    far, near = relative[0], relative[-11]
    if far == 0.0 or near == 0.0:
        return 0.0
    return float((far / near) ** (1.0 / (len(relative) - 11)))


def measure(steps: int, seed: int) -> dict:
    distances = [d for d in (1, 5, 10, 25, 50, 99) if d < steps]
    print(
        f"Part 1. ||dL/dh_t|| / ||dL/dh_T|| at T - t steps back (T = {steps}), and the "
        f"growth per step"
    )
    print(
        f"{'activation':<11}{'radius':>7}"
        + "".join(f"{d:>10}" for d in distances)
        + f"{'per step':>10}"
    )
    results: dict = {}
    for activation in ACTIVATIONS:
        for radius in RADII:
            relative = gradient_norms(activation, radius, steps, seed)
            growth = growth_per_step(relative)
            results[(activation, radius)] = {"relative": relative, "growth": growth}
            print(
                f"{activation:<11}{radius:>7.1f}"
                + "".join(f"{relative[-1 - d]:>10.1e}" for d in distances)
                + f"{growth:>10.3f}"
            )
    return results


# --------------------------------------------------------------------------- part 2


class Forecaster(nn.Module):
    """A tanh RNN read by a linear unit at the last step of the window."""

    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.recurrent = nn.RNN(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        output, _ = self.recurrent(x)
        return self.out(output[:, -1])


def forecasting_data(window: int = 50, horizon: int = 5):
    """Windows of a noisy sum of three sines and the value ``horizon`` steps after each;
    the first 3000 steps of the series for training, the last 1000 for testing."""
    series = data.sine_mixture(4000, noise=0.05, seed=0)
    pairs = []
    for part in (series[:3000], series[3000:]):
        x, y = data.sliding_windows(part, window, horizon)
        pairs.append((x, y[:, -1]))
    return pairs


def gradient_norm(parameters) -> float:
    """The joint 2-norm of the gradients, in float64 (an exploded float32 gradient
    overflows float32 arithmetic before its norm does)."""
    total = sum(float(np.sum(p.grad.numpy().astype(np.float64) ** 2)) for p in parameters)
    return float(np.sqrt(total))


def spectral_radius(model: Forecaster) -> float:
    weight = model.recurrent.weight_hh_l0.detach().numpy().astype(np.float64)
    if not np.isfinite(weight).all():
        return float("inf")
    return float(np.abs(np.linalg.eigvals(weight)).max())


def train(clipping: str, lr: float, seed: int, steps: int, pairs, batch: int = 32) -> dict:
    """SGD with cosine annealing; stops at the first non-finite loss (a divergence)."""
    (x_train, y_train), (x_test, y_test) = pairs
    minigrad.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Forecaster()
    optimizer = minigrad.optim.SGD(model.parameters(), lr=lr)
    scheduler = minigrad.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    mse = nn.MSELoss()
    losses, norms = [], []
    diverged_at = None
    for step in range(steps):
        rows = rng.integers(0, len(x_train), batch)
        loss = mse(model(minigrad.tensor(x_train[rows])), minigrad.tensor(y_train[rows]))
        optimizer.zero_grad()
        loss.backward()
        losses.append(loss.item())
        if not np.isfinite(losses[-1]):
            diverged_at = step
            break
        norms.append(gradient_norm(model.parameters()))
        if clipping == "norm":
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        elif clipping == "value":
            nn.utils.clip_grad_value_(model.parameters(), clip_value=0.1)
        optimizer.step()
        scheduler.step()
    test = float("inf")
    if diverged_at is None:
        with minigrad.no_grad():
            test = mse(model(minigrad.tensor(x_test)), minigrad.tensor(y_test)).item()
        test = test if np.isfinite(test) else float("inf")
    history = np.array(losses)
    spikes = sum(
        history[k] > 10 * np.median(history[max(0, k - 20) : k]) for k in range(5, len(history))
    )
    return {
        "losses": history,
        "max_norm": max(norms) if norms else float("inf"),
        "diverged_at": diverged_at,
        "spikes": int(spikes),
        "test_mse": test,
        "radius": spectral_radius(model),
    }


def block_medians(runs: list, steps: int, blocks: int = 6) -> list:
    """The median over runs of each block's mean training loss (inf once a run has
    diverged), for a short text learning curve."""
    size = steps // blocks
    rows = []
    for run in runs:
        padded = np.full(steps, np.inf)
        padded[: len(run["losses"])] = run["losses"]
        padded[~np.isfinite(padded)] = np.inf
        rows.append([padded[b * size : (b + 1) * size].mean() for b in range(blocks)])
    return list(np.median(np.array(rows), axis=0))


def clipping_experiment(seeds: int, steps: int, reference: bool) -> dict:
    pairs = forecasting_data()
    y_test = pairs[1][1]
    conditions = [
        ("no clipping", "none", 0.5),
        ("clip_grad_norm_(1.0)", "norm", 0.5),
        ("clip_grad_value_(0.1)", "value", 0.5),
    ]
    if reference:
        conditions.append(("no clipping, lr 0.1", "none", 0.1))
    print(
        f"\nPart 2. A tanh RNN forecasting a sum of sines, SGD (cosine-annealed from the "
        f"rate shown), {seeds} seeds x {steps} steps"
    )
    results: dict = {}
    start = time.perf_counter()
    for name, clipping, lr in conditions:
        # A diverging run overflows float32 on its way to inf: expected, and detected.
        with np.errstate(over="ignore", invalid="ignore"):
            runs = [train(clipping, lr, seed, steps, pairs) for seed in range(seeds)]
        results[name] = {"runs": runs, "lr": lr, "curve": block_medians(runs, steps)}
        print(f"  {name} done ({time.perf_counter() - start:.0f} s)", flush=True)
    blocks = len(next(iter(results.values()))["curve"])
    size = steps // blocks
    print(f"\nMedian training loss over the seeds, by blocks of {size} steps (inf: diverged)")
    print(
        f"{'':<22}{'lr':>5}"
        + "".join(f"{f'{b * size}-{(b + 1) * size}':>10}" for b in range(blocks))
    )
    for name, result in results.items():
        print(f"{name:<22}{result['lr']:>5}" + "".join(f"{v:>10.4f}" for v in result["curve"]))
    print(
        f"\nTest MSE (predicting the mean: {y_test.var():.3f}); largest gradient norm seen "
        f"before clipping; spikes: steps whose loss is 10x the median of the previous 20"
    )
    print(
        f"{'':<22}{'lr':>5}{'diverged':>10}{'at steps':>22}{'spikes':>8}"
        f"{'max ||g||':>11}{'test MSE (median)':>19}{'radius':>9}"
    )
    for name, result in results.items():
        runs = result["runs"]
        at = [run["diverged_at"] for run in runs if run["diverged_at"] is not None]
        finished = [run["test_mse"] for run in runs if run["diverged_at"] is None]
        result["diverged"] = len(at)
        result["finished_test_mse"] = finished
        result["median_test_mse"] = float(np.median(finished)) if finished else float("inf")
        result["max_norm"] = max(run["max_norm"] for run in runs)
        radius = float(np.median([run["radius"] for run in runs]))
        steps_text = ",".join(map(str, at)) if at else "-"
        print(
            f"{name:<22}{result['lr']:>5}{f'{len(at)}/{len(runs)}':>10}{steps_text:>22}"
            f"{sum(run['spikes'] for run in runs):>8}{result['max_norm']:>11.2g}"
            f"{result['median_test_mse']:>19.4f}{radius:>9.3g}"
        )
    print("(radius: the median spectral radius of W_hh at the end, or when the run diverged)")
    return results


def plot(gradients: dict, clipping: dict, steps: int) -> None:
    plt = plots.pyplot(required=False)
    if plt is None:
        return
    figure, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for (activation, radius), result in gradients.items():
        relative = result["relative"]
        style = {"linear": "-", "relu": "--", "tanh": ":"}[activation]
        back = np.arange(len(relative))[::-1]
        axes[0].semilogy(back, relative, style, label=f"{activation}, radius {radius}")
    axes[0].set_xlabel("steps back from the loss (T - t)")
    axes[0].set_ylabel("||dL/dh_t|| / ||dL/dh_T||")
    axes[0].legend(fontsize=7, ncol=3)
    for color, (name, result) in zip(("C3", "C0", "C2", "C7"), clipping.items()):
        for index, run in enumerate(result["runs"]):
            losses = np.where(np.isfinite(run["losses"]), run["losses"], np.nan)
            axes[1].semilogy(losses, color=color, alpha=0.6, label=name if index == 0 else None)
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("training loss (one line per seed)")
    axes[1].set_xlim(0, steps)
    axes[1].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig("04_exploding_gradients.png")
    print("curves written to 04_exploding_gradients.png")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="50 steps back; 2 seeds x 300 training steps"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the part 1 matrices")
    args = parser.parse_args(argv)
    steps_back = 50 if args.quick else 100
    seeds, training_steps = (2, 300) if args.quick else (5, 600)
    gradients = measure(steps_back, args.seed)
    clipping = clipping_experiment(seeds, training_steps, reference=not args.quick)
    unclipped = clipping["no clipping"]
    clipped = [clipping["clip_grad_norm_(1.0)"], clipping["clip_grad_value_(0.1)"]]
    linear = {radius: gradients[("linear", radius)]["growth"] for radius in RADII}
    clipped_diverged = sum(result["diverged"] for result in clipped)
    reference = clipping.get("no clipping, lr 0.1")
    print(
        f"\nIn the linear RNN the gradient grows by the spectral radius per step "
        f"({', '.join(f'{linear[r]:.2f}' for r in RADII)} for radii "
        f"{', '.join(f'{r:g}' for r in RADII)}), and ReLU and tanh damp it; at lr 0.5 "
        f"{unclipped['diverged']} of {seeds} unclipped runs diverged and "
        f"{clipped_diverged} of {2 * seeds} clipped ones, which reached a median test MSE "
        f"of {clipped[0]['median_test_mse']:.3f} (norm) and "
        f"{clipped[1]['median_test_mse']:.3f} (value)"
        + (
            f", against {reference['median_test_mse']:.3f} without clipping at the safe lr 0.1."
            if reference
            else "."
        )
    )
    plot(gradients, clipping, training_steps)
    return {
        "gradients": gradients,
        "clipping": clipping,
        "mean_guess_mse": float(forecasting_data()[1][1].var()),
    }


if __name__ == "__main__":
    main()
