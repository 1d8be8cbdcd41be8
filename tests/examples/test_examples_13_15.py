"""The attention, convolution and Transformer examples show their point with ``--quick``."""

from __future__ import annotations

from test_examples import _plotted, load  # the one loader of examples/ scripts


def test_attention_keeps_long_reversals_right(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    results = load("13_attention_seq2seq.py").main(["--quick"])
    plain, attended = results["accuracy"]["no attention"], results["accuracy"]["additive attention"]
    assert plain[0] > 0.9 and attended[0] > 0.9  # short sequences: both fine
    assert plain[-1] < plain[0] - 0.3  # the bottleneck shows as the sequences grow
    assert attended[-1] > plain[-1] + 0.2  # attention looks the digits up instead
    assert all(a >= p - 0.02 for a, p in zip(attended, plain))
    assert results["anti_diagonal"] > 0.6  # it attends to the mirrored source step
    assert "mirrored source step" in capsys.readouterr().out
    assert _plotted(tmp_path / "13_attention_seq2seq.png")


def test_convolution_and_lstm_both_solve_temporal_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = load("14_conv_vs_lstm.py").main(["--quick"])
    for name, row in results.items():
        assert row["accuracy"] > 0.95, name
        assert 1000 < row["parameters"] < 20000 and row["seconds_per_epoch"] > 0
    assert _plotted(tmp_path / "14_conv_vs_lstm.png")


def test_the_transformer_learns_to_look_a_period_back(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = load("15_transformer.py").main(["--quick"])
    transformer, lstm = results["Transformer"], results["LSTM"]
    assert transformer["accuracy"] > 0.95 and transformer["accuracy"] > lstm["accuracy"]
    for row in (transformer, lstm):  # the first block cannot be predicted: chance
        assert row["first_block"] < 0.2
    assert transformer["looks_back"] > 0.6
    assert _plotted(tmp_path / "15_transformer.png")
