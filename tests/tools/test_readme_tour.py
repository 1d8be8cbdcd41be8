"""The README's tour runs as printed, and shows what it says it shows."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _tour_blocks():
    text = README.read_text()
    tour = text[text.index("## A tour\n"):text.index("\n## Tensors\n")]
    return re.findall(r"```python\n(.*?)```", tour, flags=re.DOTALL)


def test_the_tour_runs_and_its_models_learn(capsys):
    blocks = _tour_blocks()
    assert len(blocks) == 4
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["x"].shape == (1024, 20, 2)
    # PyTorch style: the loss ends far under the 1/6 of guessing the mean.
    assert float(namespace["loss"]) < 0.01
    assert "loss 0.00" in capsys.readouterr().out
    # Keras style: validation loss after 20 epochs, also far under 1/6.
    assert namespace["history"].history["val_loss"][-1] < 0.05
    # The property test, run as pytest would run it.
    namespace["test_cube"]()
