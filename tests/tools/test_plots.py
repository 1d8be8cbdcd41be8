"""minigrad.plots: each picture draws what it says, and refuses what it cannot draw.

matplotlib is optional (the ``examples`` extra): without it, only the install hint is
checked."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import minigrad
from minigrad import nn, plots


def test_without_matplotlib_the_error_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install 'minigrad\[examples\]'"):
        plots.pyplot()
    assert plots.pyplot(required=False) is None
    assert "matplotlib is not installed: no plot" in capsys.readouterr().out


plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_curves_pair_each_quantity_with_its_validation_twin():
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.4],
               "accuracy": [0.5, 0.7, 0.9]}
    axes = plots.curves(history)
    assert [axis.get_title() for axis in axes] == ["loss", "accuracy"]
    loss_lines = axes[0].get_lines()
    assert [line.get_label() for line in loss_lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_lines[1].get_ydata(), [1.2, 0.7, 0.4])
    np.testing.assert_array_equal(loss_lines[0].get_xdata(), [1, 2, 3])
    shifted = plots.curves({"loss": [3.0, 2.0]}, epochs=[4, 5])
    np.testing.assert_array_equal(shifted[0].get_lines()[0].get_xdata(), [5, 6])
    with pytest.raises(KeyError, match="no \\['mae'\\] in the history"):
        plots.curves(history, keys=["mae"])
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.curves({})


def test_gradient_norms_one_line_per_series_on_a_log_scale():
    axis = plots.gradient_norms({"RNN": 0.5 ** np.arange(10), "LSTM": np.ones(10)})
    assert axis.get_yscale() == "log"
    assert [line.get_label() for line in axis.get_lines()] == ["RNN", "LSTM"]
    np.testing.assert_allclose(axis.get_lines()[0].get_ydata()[-1], 0.5 ** 9)
    with pytest.raises(ValueError, match=r"one value per step, got shape \(2, 2\)"):
        plots.gradient_norms({"bad": np.ones((2, 2))})


def test_parameter_gradient_norms_names_every_parameter_with_a_gradient():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    with pytest.raises(ValueError, match="call loss.backward"):
        plots.parameter_gradient_norms(model)
    model(minigrad.randn(5, 3)).sum().backward()
    axis = plots.parameter_gradient_norms(model)
    labels = [label.get_text() for label in axis.get_xticklabels()]
    assert labels == ["0.weight", "0.bias", "2.weight", "2.bias"]
    heights = [bar.get_height() for bar in axis.patches]
    np.testing.assert_allclose(heights[3], np.linalg.norm(model[2].bias.grad.numpy()),
                               rtol=1e-6)


def test_heatmap_shows_the_matrix_and_names_the_columns():
    values = np.arange(12.0).reshape(3, 4)
    axis = plots.heatmap(minigrad.tensor(values), xticklabels=list("abcd"),
                         yticklabels=[7, 8, 9], title="gates")
    np.testing.assert_array_equal(axis.images[0].get_array(), values)
    assert [t.get_text() for t in axis.get_xticklabels()] == list("abcd")
    assert [t.get_text() for t in axis.get_yticklabels()] == ["7", "8", "9"]
    assert axis.get_title() == "gates"
    with pytest.raises(ValueError, match=r"must be 2-D .* got shape \(4,\)"):
        plots.heatmap(np.ones(4))
    with pytest.raises(ValueError, match="3 xticklabels for 4 columns"):
        plots.heatmap(values, xticklabels=list("abc"))


def test_decision_boundary_colours_each_region_by_the_prediction(tmp_path):
    points = np.array([[-1.0, 0.0], [1.0, 0.0]])
    labels = np.array([0, 1])
    seen = []

    def predict(grid):
        seen.append(grid.shape)
        return minigrad.tensor(np.stack([-grid[:, 0], grid[:, 0]], axis=1))  # scores

    axis = plots.decision_boundary(predict, points, labels, resolution=20)
    assert seen == [(400, 2)]
    assert axis.get_xlim() == (-1.5, 1.5)
    plots.decision_boundary(lambda g: (g[:, 0] > 0).astype(int), points, labels, ax=axis)
    path = plots.save(str(tmp_path / "boundary.png"), axis.figure)
    assert (tmp_path / "boundary.png").stat().st_size > 0 and path.endswith(".png")
    with pytest.raises(ValueError, match=r"x must be \(n, 2\) points"):
        plots.decision_boundary(predict, np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="predict returned shape"):
        plots.decision_boundary(lambda g: np.ones(3, dtype=int), points, labels)
