"""Examples 01 (MLP classifier) and 02 (activations) show their point with ``--quick``."""

from __future__ import annotations

import numpy as np
import pytest
from test_examples import load  # the one loader of examples/ scripts


def test_an_mlp_separates_the_spirals_that_a_linear_model_cannot(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the plot, if matplotlib is installed, lands here
    example = load("01_mlp_classifier.py")
    results = example.main(["--quick"])
    linear, mlp = list(example.MODELS)
    spirals, moons = results["spirals"], results["moons"]
    # No straight line does better than chance (0.5) on the spirals; the MLP gets them.
    assert abs(spirals[linear]["train_accuracy"] - 0.5) < 0.05
    assert abs(spirals[linear]["test_accuracy"] - 0.5) < 0.05
    assert spirals[mlp]["train_accuracy"] > 0.98 and spirals[mlp]["test_accuracy"] > 0.97
    # On the moons a line gets most points (about 87%), the MLP nearly all.
    assert 0.8 < moons[linear]["test_accuracy"] < 0.92
    assert moons[mlp]["test_accuracy"] > 0.97
    assert moons[mlp]["test_accuracy"] > moons[linear]["test_accuracy"] + 0.05
    for rows in results.values():
        assert rows[mlp]["final_loss"] < rows[linear]["final_loss"]
    assert spirals[linear]["parameters"] == 6 and spirals[mlp]["parameters"] == 1218
    out = capsys.readouterr().out
    assert "A straight line cannot separate the spirals" in out


def test_sigmoid_gradients_vanish_and_the_fixes_work(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    result = load("02_activations.py").main(["--quick"])
    derivatives = result["derivatives"]
    for name, row in derivatives.items():
        assert row["largest_error"] < 1e-12, name  # autograd agrees with the formula
    assert derivatives["sigmoid"]["maximum"] == pytest.approx(0.25, abs=1e-15)
    for name in ("tanh", "relu", "leaky_relu", "elu"):
        assert derivatives[name]["maximum"] == pytest.approx(1.0, abs=1e-15), name
    # PyTorch's conventions at the kink.
    assert derivatives["relu"]["at_0"] == 0.0 and derivatives["leaky_relu"]["at_0"] == 0.01

    ratios = result["ratios"]  # ||dL/dW_1|| / ||dL/dW_20||
    default, kaiming = ratios["default init"], ratios["Kaiming init"]
    others = ("tanh", "relu", "leaky_relu", "elu")
    # With PyTorch's default initialisation every activation's gradient vanishes,
    # sigmoid's by far the most, and it shrinks layer after layer on the way down.
    assert max(default.values()) < 1e-3
    assert default["sigmoid"] < 1e-12
    assert default["sigmoid"] < 1e-6 * min(default[name] for name in others)
    sigmoid_norms = result["norms"]["default init"]["sigmoid"]
    assert np.all(np.diff(sigmoid_norms[:-1]) > 0)
    # Kaiming initialisation repairs everything but sigmoid.
    assert kaiming["sigmoid"] < 1e-9
    for name in others:
        assert 0.1 < kaiming[name] < 10, name
    # Residual connections and batch normalisation rescue sigmoid too; batch normalisation
    # overshoots with ReLU (the first layer's gradient exceeds the last one's).
    for name in ratios["residual"]:
        assert 0.1 < ratios["residual"][name] < 10, name
        assert 0.1 < ratios["batch norm"][name] < 100, name
    assert ratios["batch norm"]["relu"] > 10
    out = capsys.readouterr().out
    assert "Sigmoid's largest derivative is 0.2500 = 1/4" in out
