"""Property-test an op of your own: minigrad's gradient kit passes a correct backward on
every generated input and catches two wrong ones on the smallest input that shows each.

The op is log-sum-exp along one dimension, ``y = log(sum_j exp(x_j))``, written as a
``minigrad.Function`` with its forward and backward side by side: the forward in the
stable form (shift by the maximum m, ``y = m + log(sum_j exp(x_j - m))``: finite at
x = 1000, where ``exp`` overflows), the backward ``dy/dx_j = exp(x_j - y)``, the softmax.
It is checked the way minigrad checks its own ops: ``gradcheck`` (the analytic Jacobian
and ``v^T J`` against central finite differences) and ``gradgradcheck`` (the same for the
gradient of the gradient), in float64, over inputs that Hypothesis draws (the
``minigrad.testing.strategies``: shapes of rank 1-3, contiguous, transposed and strided
memory, any dimension). That is property-based testing (QuickCheck: Claessen & Hughes
2000; Hypothesis: MacIver, Hatfield-Dodds et al. 2019) applied to derivatives, which
is how minigrad and PyTorch (``torch.autograd.gradcheck``) prove their backward passes.

Two wrong backward passes, each a classic slip, are then put through the same property:

* the softmax without its denominator (``exp(x - m)``, the factor ``1 / sum exp(x - m)``
  forgotten): ``gradcheck`` fails, and Hypothesis shrinks the failure to two zeros;
* the right formula computed on NumPy arrays: the values are right, so ``gradcheck``
  passes, but nothing is recorded through the backward, so ``gradgradcheck`` fails.

The script prints each ``GradcheckError`` message and reads it. Without Hypothesis
installed (it is in the ``test`` extra) the same checks run on seeded random inputs.

Run: ``python examples/11_property_test_your_op.py`` (seconds: 300 generated inputs per
op) or with ``--quick`` (20).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np

import minigrad
from minigrad.testing import GradcheckError, gradcheck, gradgradcheck


class LogSumExp(minigrad.Function):
    """``log(sum(exp(x)))`` over ``dim`` (removed from the shape), computed stably."""

    @staticmethod
    def forward(ctx, x, dim):
        values = x._array  # forward works on the NumPy array
        peak = values.max(axis=dim, keepdims=True)  # the shift that keeps exp finite
        total = np.exp(values - peak).sum(axis=dim, keepdims=True)
        out = minigrad.from_numpy(np.squeeze(np.log(total) + peak, axis=dim))
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # dy/dx_j = exp(x_j - y) = softmax(x)_j, written with Tensor ops so that it can be
        # differentiated again; the upstream gradient gets back the summed-out dimension.
        # One gradient per argument of forward: None for dim, which is not a tensor.
        return grad.unsqueeze(ctx.dim) * (x - out.unsqueeze(ctx.dim)).exp(), None


class LogSumExpWithoutTheSum(LogSumExp):
    """Wrong: the shifted exponentials ``exp(x - m)`` without dividing by their sum."""

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        shifted = (x - x.amax(ctx.dim, keepdim=True)).exp()
        return grad.unsqueeze(ctx.dim) * shifted, None  # missing: / shifted.sum(dim)


class LogSumExpOnArrays(LogSumExp):
    """Wrong for second derivatives: the right values, computed on NumPy arrays, so the
    backward pass records nothing that could be differentiated again."""

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        softmax = np.exp(x._array - np.expand_dims(out._array, dim))
        return minigrad.from_numpy(np.expand_dims(grad._array, dim) * softmax), None


OPS = {
    "right": LogSumExp,
    "without the sum": LogSumExpWithoutTheSum,
    "on NumPy arrays": LogSumExpOnArrays,
}


def check(op, x: minigrad.Tensor, dim: int) -> None:
    """The property: the forward agrees with minigrad's own logsumexp, and first and
    second derivatives agree with finite differences (a failure raises GradcheckError)."""
    expected = minigrad.logsumexp(x.detach(), dim).numpy()
    np.testing.assert_allclose(op.apply(x.detach(), dim).numpy(), expected, rtol=1e-12)
    gradcheck(lambda t: op.apply(t, dim), x)
    gradgradcheck(lambda t: op.apply(t, dim), x)


def run_with_hypothesis(op, examples: int, seen: list) -> None:
    """Hypothesis draws ``examples`` inputs; on a failure it shrinks the input to the
    simplest it can find, replays it last and raises its error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from minigrad.testing import strategies as mgst

    @st.composite
    def cases(draw):
        x = draw(mgst.tensors(shape=mgst.shapes(min_rank=1, max_rank=3), requires_grad=True))
        return x, draw(st.integers(-x.ndim, x.ndim - 1))

    @settings(
        max_examples=examples,
        derandomize=True,  # the same inputs on every run
        database=None,  # keep no failures between runs: derandomize repeats them
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(cases())
    def property_holds(case):
        seen.append(case)
        check(op, *case)

    property_holds()


def run_with_seeded_inputs(op, examples: int, seen: list) -> None:
    """The same property on seeded random inputs, smallest shapes first (no shrinking)."""
    rng = np.random.default_rng(0)
    for number in range(examples):
        rank = 1 + number % 3
        shape = tuple(int(s) for s in rng.integers(1, 2 + number * 4 // examples, rank))
        x = minigrad.tensor(rng.uniform(-2, 2, shape), requires_grad=True)
        case = (x, int(rng.integers(-rank, rank)))
        seen.append(case)
        check(op, *case)


def read_message(message: str, x: np.ndarray, dim: int) -> list[str]:
    """What a GradcheckError says, and, for a first-derivative mismatch, the factor the
    two values differ by."""
    header = re.search(r"input (\d+) \(shape (.*?)\), (.*?),? at ", message)
    values = re.search(r"\(([-\d, ]*)\): analytic (\S+), numeric (\S+) ", message)
    if header is None or values is None:
        return ["(the message is not in the form this script reads)"]
    number, shape, check_name = header.groups()
    index, analytic, numeric = values.groups()
    analytic_value, numeric_value = float(analytic.rstrip(",")), float(numeric)
    which = "x" if number == "0" else "the upstream gradient v (gradgradcheck's extra input)"
    lines = [f"which check: {check_name}, on input {number}: {which}, of shape {shape}"]
    if message.startswith("gradgradcheck"):
        lines.append(
            "the function checked is f's first derivative, (x, v) -> v^T J(x), which runs "
            "f's backward; the check handed it a random upstream gradient of its own and "
            "compared what came back with finite differences"
        )
    elif "v^T J" in check_name:
        lines.append(
            "backward was handed a random upstream gradient v (one entry per output entry) "
            "and returned v^T J; finite differences of sum(v * f(x)) give the same numbers "
            "when the backward is right"
        )
    lines += [
        f"at index ({index}) the backward gave {analytic_value:.6g}, finite differences "
        f"{numeric_value:.6g}; the last part counts the entries that disagree",
    ]
    if shape == "()":
        lines.append("a 0-d input has one entry, at the empty index ()")
    if message.startswith("gradcheck") and number == "0" and numeric_value != 0:
        shifted = np.exp(x - x.max(axis=dim, keepdims=True))
        total = np.broadcast_to(shifted.sum(axis=dim, keepdims=True), x.shape)
        position = tuple(int(i) for i in index.split(",") if i.strip())[-x.ndim :]
        lines.append(
            f"analytic / numeric = {analytic_value / numeric_value:.6g}, and sum(exp(x - max)) "
            f"over that slice is {float(total[position]):.6g}: the backward lacks a factor "
            f"1 / sum(exp(x - max))"
        )
    elif analytic_value == 0:
        lines.append(
            "an analytic 0 where the numeric value is not: the gradient that backward "
            "returned is not connected to its inputs (it was computed outside Tensor ops), "
            "so differentiating it again gives nothing"
        )
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 generated inputs per op")
    parser.add_argument(
        "--examples", type=int, default=None, help="inputs per op (default 300, quick 20)"
    )
    args = parser.parse_args(argv)
    examples = args.examples or (20 if args.quick else 300)
    try:
        import hypothesis  # noqa: F401

        runner, source = run_with_hypothesis, "Hypothesis"
    except ImportError:
        runner, source = run_with_seeded_inputs, "seeded NumPy (Hypothesis is not installed)"
        print(
            "Hypothesis is not installed (pip install 'minigrad[test]'): the checks run "
            "on seeded random inputs instead, without shrinking."
        )

    big = minigrad.tensor([1000.0, 1000.0], dtype=minigrad.float64, requires_grad=True)
    value = LogSumExp.apply(big, 0)
    value.backward()
    with np.errstate(over="ignore"):
        naive = float(np.log(np.exp(big._array).sum()))
    print(
        f"x = [1000, 1000]: stable forward {value.item():.6f} (1000 + log 2), naive "
        f"log(sum(exp(x))) {naive}; gradient {np.round(big.grad.numpy(), 12).tolist()}"
    )

    results: dict = {"examples": examples, "inputs_from": source}
    rows = []
    for name, op in OPS.items():
        seen: list = []
        start = time.perf_counter()
        try:
            runner(op, examples, seen)
            message = None
        except AssertionError as error:  # GradcheckError is one; the forward check too
            message = str(error)
            if not isinstance(error, GradcheckError):
                message = "forward: " + message
        seconds = time.perf_counter() - start
        x, dim = seen[-1]  # after a failure, the one shown (Hypothesis replays it last)
        failed = None if message is None else re.match(r"\w+", message).group()
        results[name] = {
            "passed": message is None,
            "caught_by": failed,
            "message": message,
            "failing_input": None if message is None else (x._array.tolist(), dim),
            "inputs_tried": len(seen),
            "seconds": seconds,
        }
        rows.append((name, len(seen), failed, seconds))
        print(f"\n== {op.__name__} ({name}): {len(seen)} inputs in {seconds:.1f} s")
        if message is None:
            print(f"   gradcheck and gradgradcheck passed on all {len(seen)} inputs")
            continue
        print(f"   caught on x = {x._array.tolist()}, dim = {dim}; the message:\n")
        print("   " + message)
        print("\n   How to read it:")
        for line in read_message(message, x._array, dim):
            print("   - " + line)

    results["right_passed"] = results["right"]["passed"]
    results["wrong_caught"] = not results["without the sum"]["passed"]
    results["wrong_message"] = results["without the sum"]["message"]
    print(f"\nInputs from {source}, float64.")
    if runner is run_with_hypothesis:
        print("(inputs tried: after a failure Hypothesis goes on, shrinking the input)")
    print(f"{'backward':<18}{'tried':>8}{'gradcheck':>12}{'gradgradcheck':>15}{'time':>8}")
    for name, count, failed, seconds in rows:
        first = "FAIL" if failed == "gradcheck" else "pass"
        second = "FAIL" if failed == "gradgradcheck" else ("-" if failed else "pass")
        print(f"{name:<18}{count:>8}{first:>12}{second:>15}{seconds:>7.1f}s")
    arrays = results["on NumPy arrays"]
    if (
        results["right_passed"]
        and results["without the sum"]["caught_by"] == "gradcheck"
        and arrays["caught_by"] == "gradgradcheck"
    ):
        print(
            f"The right backward passed on all {examples} inputs; the missing factor was "
            f"caught by gradcheck, and the backward on arrays, whose first derivatives are "
            f"right, only by gradgradcheck."
        )
    else:
        print("Unexpected: the checks did not separate the right backward from the wrong ones.")
    return results


if __name__ == "__main__":
    main()
