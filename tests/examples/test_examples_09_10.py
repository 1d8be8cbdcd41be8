"""The character-level language model and the forecasting examples show their point with
``--quick``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_examples import load  # the one loader of examples/ scripts

import minigrad


def test_char_language_model_learns_to_spell(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the plot, if matplotlib is installed, lands here
    example = load("09_char_language_model.py")
    results = example.main(["--quick"])
    uniform = results["uniform_bits"]
    assert uniform == pytest.approx(math.log2(results["vocabulary"]))
    assert results["unigram_bits"] < uniform - 1  # character frequencies alone help
    for kind, network in results["networks"].items():
        bits = [validation for _, _, validation in network["curve"]]
        assert bits == sorted(bits, reverse=True), kind  # falls at every checkpoint
        # Well below the uniform guess, and a full bit below the character frequencies.
        assert network["validation_bits"] < 0.6 * uniform, kind
        assert network["validation_bits"] < results["unigram_bits"] - 1, kind
    samples = results["networks"]["LSTM"]["samples"]
    known = {(step, temperature): share for step, temperature, _, share in samples}
    steps = sorted({step for step, _ in known})
    assert known[steps[-1], 0.5] > known[steps[0], 0.5]  # the words get better
    assert known[steps[-1], 0.5] > known[steps[-1], 1.0]  # a cooler sample spells better
    for _, _, text, _ in samples:
        assert text.startswith(example.PRIME)
    inside = results["inside"]
    assert inside["agreement"] < 1e-5  # the LSTMCell runs the layer's own equations
    assert inside["forget"].shape == (len(example.SENTENCE), 48)
    assert 0 < inside["forget"].min() and inside["forget"].max() < 1
    assert all(abs(r) > 0.2 for _, r in inside["trackers"].values())
    out = capsys.readouterr().out
    assert "bits per character on the held-out text" in out and "T=0.5" in out


def test_char_language_model_needs_detach_between_batches():
    """The comment in the training loop: carrying the state without ``.detach()`` makes
    the second backward run into the first step's freed graph."""
    example = load("09_char_language_model.py")
    minigrad.manual_seed(0)
    model = example.CharModel("LSTM", 10, 4, 8)
    codes = minigrad.tensor(np.random.default_rng(0).integers(0, 10, (2, 6)))
    logits, state = model(codes)
    logits.sum().backward()
    logits, _ = model(codes, state)
    with pytest.raises(RuntimeError, match="detach"):
        logits.sum().backward()
    logits, _ = model(codes, example.detach(state))
    logits.sum().backward()  # fine once detached


def test_bits_per_character_of_a_uniform_model_is_log2_of_the_vocabulary():
    example = load("09_char_language_model.py")
    model = example.CharModel("GRU", 12, 4, 8)
    with minigrad.no_grad():
        model.out.weight.zero_()
        model.out.bias.zero_()
    rows = example.streams(np.random.default_rng(1).integers(0, 12, 300), 4)
    assert rows.shape == (4, 75)
    bits = example.bits_per_character(model, rows, 16)
    assert bits == pytest.approx(math.log2(12), rel=1e-5)


def test_forecasters_beat_repeating_the_last_value(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    results = load("10_forecasting.py").main(["--quick"])
    assert set(results) == {"Mackey-Glass", "sine mixture"}
    for name, row in results.items():
        for model in ("MLP", "LSTM", "GRU"):
            improvement = row["naive"] / row[model]
            assert improvement > (10 if name == "Mackey-Glass" else 2.5), (name, model)
    # Nothing forecasts the noise: every model stays above the sine mixture's floor.
    noisy = results["sine mixture"]
    assert noisy["noise_floor"] > 0.01
    assert min(noisy[model] for model in ("MLP", "LSTM", "GRU")) > noisy["noise_floor"]
    assert results["Mackey-Glass"]["noise_floor"] == 0.0
    out = capsys.readouterr().out
    assert "Test MSE of the one-step forecast" in out and "noise floor" in out
