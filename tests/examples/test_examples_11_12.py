"""Examples 11 (property-testing your own op) and 12 (to PyTorch and back) run with
``--quick`` and show their point at that scale."""

from __future__ import annotations

import re
import sys

import pytest
from test_examples import load  # the one loader of examples/ scripts

import minigrad  # noqa: F401  (before torch: see DESIGN.md, two runtimes in one process)


def analytic_over_numeric(message: str) -> float:
    found = re.search(r"analytic (\S+), numeric (\S+) ", message)
    assert found, message
    return float(found.group(1).rstrip(",")) / float(found.group(2))


def test_property_test_passes_the_right_backward_and_catches_both_wrong_ones(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # Hypothesis's cache directory lands here
    results = load("11_property_test_your_op.py").main(["--quick"])
    assert results["inputs_from"] == "Hypothesis"
    assert results["right_passed"] and results["right"]["inputs_tried"] == 20
    # The missing 1 / sum(exp(x - max)): gradcheck fails, on the input Hypothesis shrank
    # to, two zeros, where the analytic gradient is exactly twice the true one.
    assert results["wrong_caught"]
    wrong = results["without the sum"]
    assert wrong["caught_by"] == "gradcheck"
    assert results["wrong_message"].startswith("gradcheck: input 0 (shape (2,)), v^T J")
    assert wrong["failing_input"] == ([0.0, 0.0], 0)
    assert analytic_over_numeric(results["wrong_message"]) == pytest.approx(2.0, rel=1e-6)
    # The backward on NumPy arrays: first derivatives right, second ones missing.
    arrays = results["on NumPy arrays"]
    assert arrays["caught_by"] == "gradgradcheck"
    assert "analytic 0.0, numeric" in arrays["message"]
    out = capsys.readouterr().out
    assert "How to read it" in out and "lacks a factor 1 / sum(exp(x - max))" in out
    assert "naive log(sum(exp(x))) inf" in out
    assert "The right backward passed on all 20 inputs" in out


def test_property_test_runs_without_hypothesis(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as if it were not installed
    results = load("11_property_test_your_op.py").main(["--quick"])
    assert results["inputs_from"].startswith("seeded NumPy")
    assert results["right_passed"]
    assert results["without the sum"]["caught_by"] == "gradcheck"
    assert results["on NumPy arrays"]["caught_by"] == "gradgradcheck"
    # The ratio the message shows is the missing sum over the failing slice (> 1).
    ratio = analytic_over_numeric(results["wrong_message"])
    assert ratio > 1.05


def test_to_pytorch_runs_without_torch(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch were not installed
    results = load("12_to_pytorch.py").main(["--quick"])
    assert results["torch"] is False
    assert results["numpy_round_trip_difference"] == 0.0
    assert results["minigrad"]["accuracy"] > results["chance"] + 0.1
    assert "PyTorch is not installed" in capsys.readouterr().out


def test_to_pytorch_and_back_is_exact(capsys):
    example = load("12_to_pytorch.py")
    pytest.importorskip("torch")
    results = example.main(["--quick"])
    assert results["torch"] is True
    for direction in ("to_torch", "back"):
        assert results[direction]["float32"] < 1e-5, direction
        assert results[direction]["float64"] < 1e-12, direction
        assert results[direction]["same_predictions"], direction
    # Training went on in PyTorch, and minigrad reads the result as PyTorch does.
    assert results["torch_trained"]["loss"] < results["minigrad"]["loss"] - 0.3
    assert results["back"]["accuracy"] == results["torch_trained"]["accuracy"]
    assert results["back"]["loss"] == pytest.approx(results["torch_trained"]["loss"], abs=1e-5)
    # The controls: the same steps in minigrad end at about the same accuracy, and taken
    # in float64 by both libraries they agree to rounding: the same computation.
    control = results["minigrad_continued"]
    assert abs(control["accuracy"] - results["torch_trained"]["accuracy"]) < 0.05
    assert control["float64_weights"] < 1e-9
    assert "Both ways the two libraries' outputs agree" in capsys.readouterr().out
