"""Every example runs with ``--quick`` and shows its point at that scale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
