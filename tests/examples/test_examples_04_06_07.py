"""The exploding-gradients, LSTM-variants and regularisation examples show their point
with ``--quick``."""

from __future__ import annotations

import pytest
from test_examples import load  # the one loader of examples/ scripts


def test_exploding_gradients_grow_with_the_radius_and_clipping_tames_them(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # the plot, if matplotlib is installed, lands here
    results = load("04_exploding_gradients.py").main(["--quick"])
    growth = {key: value["growth"] for key, value in results["gradients"].items()}
    for radius in (0.5, 1.0, 1.5, 3.0):
        # Linear: the gradient is multiplied by W^T each step, so it grows by the radius.
        assert growth[("linear", radius)] == pytest.approx(radius, rel=0.02)
    for activation in ("relu", "tanh"):
        for radius in (1.5, 3.0):
            assert growth[(activation, radius)] < growth[("linear", radius)] - 0.3
        assert growth[(activation, 3.0)] > 1.0  # still explodes at radius 3
    # Radius > 1 is necessary, not sufficient: at 1.5 ReLU and tanh still vanish.
    assert growth[("relu", 1.5)] < 1.0 and growth[("tanh", 1.5)] < 1.0
    linear = results["gradients"][("linear", 1.5)]["relative"]
    assert linear[-26] > 1e3  # 25 steps back: about 1.5 ** 25

    clipping = results["clipping"]
    unclipped = clipping["no clipping"]
    assert unclipped["diverged"] == len(unclipped["runs"]) == 2
    assert unclipped["max_norm"] > 1e10
    for name in ("clip_grad_norm_(1.0)", "clip_grad_value_(0.1)"):
        clipped = clipping[name]
        assert clipped["diverged"] == 0, name
        assert clipped["max_norm"] > 1.0, name  # the clipping did act
        assert clipped["median_test_mse"] < 0.7 * results["mean_guess_mse"], name
    assert "no clipping, lr 0.1" not in clipping  # the reference runs only by default
    assert "unclipped runs diverged" in capsys.readouterr().out


def test_lstm_variants_the_forget_bias_decides(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    example = load("06_lstm_variants.py")
    results = example.main(["--quick"])
    assert list(results) == list(example.VARIANTS)
    assert results["LSTM, forget bias 1"]["final"] > 0.95
    assert results["forget bias 0"]["final"] < 0.35  # chance is 0.25
    for variant in ("peepholes", "relu candidate", "leaky-relu candidate"):
        assert results[variant]["solved"] == 1, variant
    # Parameters: the LSTM's four gate blocks, three peephole vectors, the GRU's three
    # blocks, and the same read-out for all.
    inputs, hidden, classes = 8, 32, 4
    read_out = hidden * classes + classes
    lstm = 4 * hidden * (inputs + hidden + 2) + read_out
    assert results["LSTM, forget bias 1"]["parameters"] == lstm
    assert results["peepholes"]["parameters"] == lstm + 3 * hidden
    assert results["GRU"]["parameters"] == 3 * hidden * (inputs + hidden + 2) + read_out
    out = capsys.readouterr().out
    assert "Opening the forget gate at the start mattered most" in out


def test_regularisation_narrows_the_gap_and_helps_the_test_score(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    results = load("07_regularisation.py").main(["--quick"])
    plain = results.pop("none")
    assert plain["train_accuracy"] == 1.0  # the unregularised network memorises
    assert set(results) == {"L1", "L2", "AdamW", "dropout", "early stopping"}
    for method, result in results.items():
        assert result["gap"] < plain["gap"], method
        assert result["test_accuracy"] > plain["test_accuracy"], method
    assert min(results, key=lambda method: results[method]["gap"]) == "early stopping"
    for run in results["early stopping"]["runs"]:
        assert run["stopped"] == run["best_epoch"] + 1 + 100  # patience 100, then stop
    assert "Every regulariser narrowed the gap" in capsys.readouterr().out
