"""Every example runs with ``--quick`` and shows its point at that scale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace(".py", ""), EXAMPLES / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_keras_style_programs_learn(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the plot, if matplotlib is installed, lands here
    results = load("08_keras_style.py").main(["--quick"])
    assert len(results) == 3
    for title, row in results.items():
        # Well above chance after training, and better than after the first epoch.
        assert row["val_accuracy"] > row["chance"] + 0.15, title
        assert row["val_accuracy"] > row["first_epoch"], title
    out = capsys.readouterr().out
    assert "Epoch 1/" in out and "val. accuracy" in out


def test_examples_have_help():
    for path in sorted(EXAMPLES.glob("[0-9][0-9]_*.py")):
        module = load(path.name)
        assert module.__doc__ and len(module.__doc__.splitlines()) > 3, path.name
        with pytest.raises(SystemExit) as stop:
            module.main(["--help"])
        assert stop.value.code == 0


def test_scalar_engine_agrees_with_the_hand_derivation_and_minigrad():
    result = load("00_scalar_engine.py").main(["--quick"])
    assert result["largest_disagreement"] < 1e-15
    assert (result["df_dx"], result["df_dy"]) == (4.0, 3.0)


def test_vanishing_gradients_show_the_forget_gate_at_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    norms = load("03_vanishing_gradients.py").main(["--quick"])
    first = {name: values[0] / values[-1] for name, values in norms.items()}
    assert first["RNN, tanh"] < 1e-5 and first["LSTM, forget bias 0"] < 1e-5
    assert first["RNN, sigmoid"] < first["RNN, tanh"]
    biases = [first[f"LSTM, forget bias {b}"] for b in (0, 1, 3)]
    assert biases == sorted(biases)  # the wider the forget gate opens, the more survives
    assert first["LSTM, forget bias 3"] > 1e-2
    assert _plotted(tmp_path / "03_vanishing_gradients.png")


def test_the_demo_shows_the_gated_networks_remember(capsys):
    from minigrad.__main__ import main

    assert main(["demo", "--quick"]) == 0
    out = capsys.readouterr().out
    table = [line.split() for line in out.splitlines() if line.endswith((" yes", " no"))]
    rows = {cells[0]: float(cells[1]) for cells in table}  # network, test MSE, ..., solved
    assert rows["RNN"] > 0.1  # about 1/6: no better than guessing the mean
    assert rows["LSTM"] < 0.02 and rows["GRU"] < 0.02


def _plotted(path):
    """The example wrote its PNG, when matplotlib is there to draw it."""
    return importlib.util.find_spec("matplotlib") is None or (
        path.exists() and path.stat().st_size > 0
    )


def test_long_memory_quick_shows_the_gated_networks_learn_the_adding_problem(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    results = load("05_long_memory.py").main(["--quick"])
    assert _plotted(tmp_path / "05_long_memory.png")
    mse = {kind: values[0] for kind, values in results["adding"].items()}
    assert mse["LSTM"] < 0.01 and mse["GRU"] < 0.01
    assert mse["RNN"] > 3 * max(mse["LSTM"], mse["GRU"])
