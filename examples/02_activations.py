"""A 20-layer sigmoid MLP loses its gradient (sigmoid's derivative is at most 1/4), and the cures.

The gradient shrinks on its way down a deep stack of saturating layers (Hochreiter 1991;
Glorot & Bengio 2010 measured it in deep feed-forward networks). Measured here for a
20-layer MLP with five activations, and with the fixes that made deep networks trainable:
an initialisation scaled to the activation (He et al. 2015), residual connections (He et
al. 2016) and batch normalisation (Ioffe & Szegedy 2015).

Part 1: sigmoid, tanh, ReLU, leaky ReLU (slope 0.01) and ELU (alpha 1) on a grid of
[-6, 6] in float64, each derivative computed by minigrad's autograd and checked against
its formula (``s (1 - s)``, ``1 - tanh^2``, ``[x > 0]``, ``1 or 0.01``, ``1 or e^x``), with
its largest value: sigmoid's is 1/4 (at 0), the others' 1. At 0 minigrad gives, like
PyTorch, ReLU's derivative as 0 and the leaky ReLU's as 0.01.

Part 2: a 20-layer MLP (32 inputs, 19 hidden layers of 32 units, 10 classes), one batch
of 32 random inputs with random labels, the cross-entropy, and ``loss.backward()`` at
initialisation. For every Linear layer, first to last, the norm of its weight gradient
``||dL/dW_l||`` (what the optimizer gets to work with), as a geometric mean over several
random initialisations, in four set-ups:

* PyTorch's default initialisation (``Linear``'s uniform ``±1/sqrt(fan_in)``);
* ``nn.init.kaiming_normal_`` on every weight with the gain of the activation
  (``calculate_gain``: 1 for sigmoid, 5/3 for tanh, sqrt 2 for ReLU and, as PyTorch's
  table has no ELU, for ELU too; the leaky ReLU's for its slope), biases zero;
* residual connections: the 18 middle layers as ``nn.Residual(Sequential(act, Linear))``,
  ``h + W act(h) + b`` (He et al.'s pre-activation block: the skip path is the identity,
  so the gradient reaches the first layer unchanged through it), default initialisation;
* batch normalisation: ``Linear -> BatchNorm1d -> act`` in every hidden layer (training
  mode, batch statistics), default initialisation.

The summary table is the first layer's gradient norm over the last layer's: 1 when the
layers learn at the same pace, orders of magnitude below 1 when the gradient vanishes, above
1 when it grows on its way down (as batch normalisation makes it do with ReLU at
initialisation: Yang et al. 2019, "A mean field theory of batch normalization").
With matplotlib installed, ``02_activations.png`` shows the functions and their
derivatives and ``02_gradient_norms.png`` the per-layer norms.

Run: ``python examples/02_activations.py`` (seconds) or with ``--quick`` (fewer seeds).
"""

from __future__ import annotations

import argparse
import textwrap
import time

import numpy as np

import minigrad
from minigrad import nn, plots
from minigrad.nn import functional as F


def logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# name: (the function on Tensors, its derivative by formula on NumPy arrays)
DERIVATIVES = {
    "sigmoid": (minigrad.sigmoid, lambda x: logistic(x) * (1 - logistic(x))),
    "tanh": (minigrad.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (F.relu, lambda x: (x > 0).astype(np.float64)),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.01), lambda x: np.where(x > 0, 1.0, 0.01)),
    "elu": (lambda t: F.elu(t, 1.0), lambda x: np.where(x > 0, 1.0, np.exp(x))),
}
FORMULAS = {
    "sigmoid": "s(x) (1 - s(x))",
    "tanh": "1 - tanh(x)^2",
    "relu": "1 if x > 0 else 0",
    "leaky_relu": "1 if x > 0 else 0.01",
    "elu": "1 if x > 0 else e^x",
}
ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,  # negative slope 0.01
    "elu": nn.ELU,
}
# Arguments of nn.init.kaiming_normal_: (nonlinearity, a) for each activation.
KAIMING = {
    "sigmoid": ("sigmoid", 0.0),
    "tanh": ("tanh", 0.0),
    "relu": ("relu", 0.0),
    "leaky_relu": ("leaky_relu", 0.01),
    "elu": ("relu", 0.0),
}
SETUPS = ("default init", "Kaiming init", "residual", "batch norm")
# Products of 32 x 32 x 32 run in minigrad's own serial kernel. Larger ones go to NumPy's
# BLAS, whose threads, on two cores busy with other work, took 10-30 ms here for the products
# of a batch of 250 and a width of 64, which take 40 us on one thread.
DEPTH, WIDTH, INPUTS, CLASSES, BATCH = 20, 32, 32, 10, 32


def check_derivatives() -> dict[str, dict]:
    """Each activation's derivative by autograd on [-6, 6] against its formula."""
    grid = np.arange(-600, 601) / 100.0  # step 0.01, contains 0 exactly
    x = minigrad.tensor(grid, dtype=minigrad.float64, requires_grad=True)
    results = {}
    for name, (function, formula) in DERIVATIVES.items():
        (derivative,) = minigrad.grad(function(x).sum(), x)  # elementwise: d sum / dx_i
        autograd = derivative.numpy()
        expected = formula(grid)
        at = {value: autograd[np.flatnonzero(grid == value)[0]] for value in (-3.0, 0.0, 3.0)}
        results[name] = {
            "largest_error": float(np.abs(autograd - expected).max()),
            "maximum": float(autograd.max()),
            "at_minus_3": float(at[-3.0]),
            "at_0": float(at[0.0]),
            "at_3": float(at[3.0]),
            "grid": grid,
            "values": function(x).detach().numpy(),
            "derivative": autograd,
        }
    return results


def build(activation: str, setup: str) -> nn.Sequential:
    """The 20-Linear-layer MLP of one set-up (initialised from minigrad's generator)."""
    act = ACTIVATIONS[activation]
    if setup == "residual":
        layers: list[nn.Module] = [nn.Linear(INPUTS, WIDTH)]
        for _ in range(DEPTH - 2):
            layers.append(nn.Residual(nn.Sequential(act(), nn.Linear(WIDTH, WIDTH))))
        layers.append(act())
    else:
        layers = []
        width = INPUTS
        for _ in range(DEPTH - 1):
            layers.append(nn.Linear(width, WIDTH))
            if setup == "batch norm":
                layers.append(nn.BatchNorm1d(WIDTH))
            layers.append(act())
            width = WIDTH
    layers.append(nn.Linear(WIDTH, CLASSES))
    model = nn.Sequential(*layers)
    if setup == "Kaiming init":
        nonlinearity, slope = KAIMING[activation]
        for layer in linear_layers(model):
            nn.init.kaiming_normal_(layer.weight, a=slope, nonlinearity=nonlinearity)
            nn.init.zeros_(layer.bias)
    return model


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The model's Linear layers, first to last."""
    return [module for module in model.modules() if isinstance(module, nn.Linear)]


def weight_gradient_norms(activation: str, setup: str, seed: int) -> np.ndarray:
    """``||dL/dW_l||`` for l = 1..20 at initialisation, for one seed."""
    minigrad.manual_seed(seed)
    inputs = minigrad.randn(BATCH, INPUTS)
    labels = minigrad.randint(0, CLASSES, (BATCH,))
    model = build(activation, setup)  # the same weights for every activation of a set-up
    loss = nn.CrossEntropyLoss()(model(inputs), labels)
    loss.backward()
    layers = linear_layers(model)
    assert len(layers) == DEPTH
    return np.array([float(layer.weight.grad.norm()) for layer in layers])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 initialisations instead of 20")
    args = parser.parse_args(argv)
    seeds = range(3 if args.quick else 20)

    derivatives = check_derivatives()
    print("Part 1: derivatives by autograd on [-6, 6] (float64), checked against the formulas")
    print(
        f"{'activation':<11} {'formula':<21} {'max |error|':>11} {'max deriv.':>10}"
        f" {'at -3':>7} {'at 0':>7} {'at 3':>7}"
    )
    for name, row in derivatives.items():
        print(
            f"{name:<11} {FORMULAS[name]:<21} {row['largest_error']:>11.1e} {row['maximum']:>10.4f}"
            f" {row['at_minus_3']:>7.4f} {row['at_0']:>7.4f} {row['at_3']:>7.4f}"
        )
    print(
        f"Sigmoid's largest derivative is {derivatives['sigmoid']['maximum']:.4f} = 1/4: through "
        f"{DEPTH - 1} sigmoid layers\nits factors alone multiply a gradient by at most "
        f"4^-{DEPTH - 1} = {0.25 ** (DEPTH - 1):.1e}."
    )

    print(
        f"\nPart 2: ||dL/dW_l|| per layer of a {DEPTH}-layer MLP at initialisation (width "
        f"{WIDTH}, batch {BATCH},\ngeometric mean over {len(seeds)} initialisations)"
    )
    start = time.perf_counter()
    norms: dict[str, dict[str, np.ndarray]] = {}
    ratios: dict[str, dict[str, float]] = {}
    for setup in SETUPS:
        norms[setup], ratios[setup] = {}, {}
        for activation in ACTIVATIONS:
            runs = np.array([weight_gradient_norms(activation, setup, s) for s in seeds])
            norms[setup][activation] = np.exp(np.log(runs).mean(axis=0))
            ratios[setup][activation] = float(np.exp(np.log(runs[:, 0] / runs[:, -1]).mean()))
        print(f"  {setup} done ({time.perf_counter() - start:.1f} s)", flush=True)
    shown = [1, 2, 5, 10, 15, 19, 20]
    print(f"{'set-up':<13} {'activation':<11}" + "".join(f"{f'layer {n}':>10}" for n in shown))
    for setup in SETUPS:
        for activation, values in norms[setup].items():
            print(
                f"{setup:<13} {activation:<11}" + "".join(f"{values[n - 1]:>10.1e}" for n in shown)
            )

    print("\n||dL/dW_1|| / ||dL/dW_20||: the first layer's gradient over the last layer's")
    print(f"{'activation':<11}" + "".join(f"{setup:>14}" for setup in SETUPS))
    for activation in ACTIVATIONS:
        print(
            f"{activation:<11}" + "".join(f"{ratios[setup][activation]:>14.1e}" for setup in SETUPS)
        )
    default, kaiming = ratios["default init"], ratios["Kaiming init"]
    others = [kaiming[name] for name in ACTIVATIONS if name != "sigmoid"]
    residual, batch_norm = ratios["residual"].values(), ratios["batch norm"].values()
    closing = (
        f"With PyTorch's default initialisation the gradient vanishes on its way down for every "
        f"activation, sigmoid's most ({default['sigmoid']:.0e}). Kaiming initialisation brings "
        f"tanh and the ReLU family within a factor of 10 ({min(others):.2g}-{max(others):.2g}) "
        f"but not sigmoid ({kaiming['sigmoid']:.0e}: its derivative is at most 1/4); residual "
        f"connections ({min(residual):.2g}-{max(residual):.2g}) and batch normalisation "
        f"({min(batch_norm):.2g}-{max(batch_norm):.2g}) rescue sigmoid too, though batch "
        f"normalisation overshoots with ReLU, whose first layer gets "
        f"{ratios['batch norm']['relu']:.0f} times the last one's gradient."
    )
    print(textwrap.fill(closing, width=92))
    plt = plots.pyplot(required=False)
    if plt is not None:
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        for name, row in derivatives.items():
            left.plot(row["grid"], row["values"], label=name)
            right.plot(row["grid"], row["derivative"], label=name)
        left.set_ylim(-2, 3)
        left.set_title("activation f(x)")
        right.set_title("f'(x) by autograd")
        for axis in (left, right):
            axis.set_xlabel("x")
            axis.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig("02_activations.png")
        figure, axes = plt.subplots(1, len(SETUPS), figsize=(16, 4), sharey=True)
        for axis, setup in zip(axes, SETUPS):
            for activation, values in norms[setup].items():
                axis.semilogy(np.arange(1, DEPTH + 1), values, marker=".", label=activation)
            axis.set_title(setup)
            axis.set_xlabel("layer (first to last)")
        axes[0].set_ylabel("||dL/dW_l||")
        axes[0].legend(fontsize=8)
        figure.tight_layout()
        figure.savefig("02_gradient_norms.png")
        print("plots written to 02_activations.png and 02_gradient_norms.png")
    return {"derivatives": derivatives, "norms": norms, "ratios": ratios}


if __name__ == "__main__":
    main()
