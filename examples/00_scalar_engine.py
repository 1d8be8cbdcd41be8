"""Reverse-mode automatic differentiation on scalars, in one screen, then the same numbers
from minigrad.

Part 1 is the whole idea in one screen, ``minigrad/autograd/scalar.py`` (read it first):
a ``Scalar`` remembers the operation that made it and the local derivative with respect
to each operand; ``backward()`` visits the graph from the output back to the inputs,
newest first, multiplying each incoming gradient by the local derivative and summing
where paths meet (the chain rule). minigrad does exactly this, on arrays, in
``minigrad/autograd/engine.py``.

Part 2 is the classic worked example of backpropagation (a 2-2-2 network with sigmoid
units and a squared-error loss, with the weights and targets used in many lecture notes:
inputs 0.05 and 0.10, targets 0.01 and 0.99): every partial derivative of the loss is
derived by hand with the chain rule and printed next to what the scalar engine and
minigrad compute. All three agree to rounding.

Run: ``python examples/00_scalar_engine.py`` (instant; ``--quick`` is the same).
"""

from __future__ import annotations

import argparse
import math

import numpy as np

import minigrad
from minigrad.autograd.scalar import Scalar

# ----------------------------------------------------------------------------- part 1
# The scalar engine is minigrad/autograd/scalar.py: open it beside this file. Scalar keeps,
# for every operation, the local derivative with respect to each operand; backward() runs
# the chain rule from the output back to the inputs, newest node first.


# ----------------------------------------------------------------------------- part 2

X = (0.05, 0.10)
TARGET = (0.01, 0.99)
W_HIDDEN = ((0.15, 0.20), (0.25, 0.30))  # row j: the weights into hidden unit j
B_HIDDEN = 0.35
W_OUT = ((0.40, 0.45), (0.50, 0.55))  # row k: the weights into output unit k
B_OUT = 0.60


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def by_hand():
    """Forward, then every derivative by the chain rule, written out."""
    h = [sigmoid(sum(W_HIDDEN[j][i] * X[i] for i in range(2)) + B_HIDDEN) for j in range(2)]
    o = [sigmoid(sum(W_OUT[k][j] * h[j] for j in range(2)) + B_OUT) for k in range(2)]
    loss = sum(0.5 * (TARGET[k] - o[k]) ** 2 for k in range(2))
    # dL/dz_k at output unit k: (o_k - t_k) * sigmoid'(z_k) = (o_k - t_k) o_k (1 - o_k).
    delta_out = [(o[k] - TARGET[k]) * o[k] * (1 - o[k]) for k in range(2)]
    grad_w_out = [[delta_out[k] * h[j] for j in range(2)] for k in range(2)]
    # dL/dz_j at hidden unit j: the output deltas sent back through W_OUT, times h_j(1-h_j).
    delta_hidden = [
        sum(delta_out[k] * W_OUT[k][j] for k in range(2)) * h[j] * (1 - h[j]) for j in range(2)
    ]
    grad_w_hidden = [[delta_hidden[j] * X[i] for i in range(2)] for j in range(2)]
    return loss, grad_w_hidden, grad_w_out


def with_scalars():
    w_hidden = [[Scalar(w) for w in row] for row in W_HIDDEN]
    w_out = [[Scalar(w) for w in row] for row in W_OUT]
    h = [(w_hidden[j][0] * X[0] + w_hidden[j][1] * X[1] + B_HIDDEN).sigmoid() for j in range(2)]
    o = [(w_out[k][0] * h[0] + w_out[k][1] * h[1] + B_OUT).sigmoid() for k in range(2)]
    loss = 0.5 * (o[0] - TARGET[0]) ** 2 + 0.5 * (o[1] - TARGET[1]) ** 2
    loss.backward()
    grads = lambda rows: [[w.grad for w in row] for row in rows]  # noqa: E731
    return loss.value, grads(w_hidden), grads(w_out)


def with_minigrad():
    x = minigrad.tensor(X, dtype=minigrad.float64)
    w_hidden = minigrad.tensor(W_HIDDEN, dtype=minigrad.float64, requires_grad=True)
    w_out = minigrad.tensor(W_OUT, dtype=minigrad.float64, requires_grad=True)
    h = (w_hidden @ x + B_HIDDEN).sigmoid()
    o = (w_out @ h + B_OUT).sigmoid()
    loss = (0.5 * (minigrad.tensor(TARGET, dtype=minigrad.float64) - o) ** 2).sum()
    loss.backward()
    return loss.item(), w_hidden.grad.tolist(), w_out.grad.tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the same (it is instant)")
    parser.parse_args(argv)

    print("Part 1: d/dx of f(x, y) = x*y + x**2 at x=3, y=-2 (expected: y + 2x = 4)")
    x, y = Scalar(3.0), Scalar(-2.0)
    f = x * y + x**2
    f.backward()
    print(f"  f = {f.value}, df/dx = {x.grad}, df/dy = {y.grad}")

    print("\nPart 2: the 2-2-2 sigmoid network, squared error")
    results = {"by hand": by_hand(), "scalar engine": with_scalars(), "minigrad": with_minigrad()}
    print("  loss: " + ", ".join(f"{name} {r[0]:.9f}" for name, r in results.items()))
    print(f"  {'derivative':<18}" + "".join(f"{name:>16}" for name in results))
    for layer, name in ((1, "w_hidden"), (2, "w_out")):
        for row in range(2):
            for column in range(2):
                values = [r[layer][row][column] for r in results.values()]
                label = f"dL/d{name}[{row},{column}]"
                print(f"  {label:<18}" + "".join(f"{v:>16.9f}" for v in values))
    reference = np.array([results["by hand"][1], results["by hand"][2]])
    agreement = max(
        float(np.max(np.abs(np.array([r[1], r[2]]) - reference))) for r in results.values()
    )
    print(f"\nLargest disagreement between the three: {agreement:.1e}: backpropagation is the")
    print("chain rule, applied newest node first, and minigrad computes it exactly so.")
    return {"largest_disagreement": agreement, "df_dx": x.grad, "df_dy": y.grad}


if __name__ == "__main__":
    main()
