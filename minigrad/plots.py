"""The pictures of the course: learning curves, gradient norms, heat maps, decision
boundaries.

Each function draws on a matplotlib ``Axes`` (a new figure unless ``ax=`` is given) and
returns it, so plots combine into panels and take matplotlib's own styling afterwards.
matplotlib is not a dependency of minigrad: install it with ``pip install
'minigrad[examples]'``. :func:`pyplot` is the one place that imports it; without a
display it draws off screen, so scripts save PNGs on servers too::

    from minigrad import plots

    plots.curves(history.history)                   # loss and val_loss, accuracy, ...
    plots.gradient_norms({"LSTM": lstm_norms, "RNN": rnn_norms})   # per time step
    plots.parameter_gradient_norms(model)          # after backward(), per parameter
    plots.heatmap(gates, xlabel="time step", ylabel="unit", title="forget gate")
    plots.decision_boundary(predict, x, y)          # 2-D inputs, class labels
    plots.save("figure.png")
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "curves",
    "decision_boundary",
    "gradient_norms",
    "heatmap",
    "parameter_gradient_norms",
    "pyplot",
    "save",
]

_HINT = "pip install 'minigrad[examples]'"


def pyplot(required: bool = True) -> Any:
    """``matplotlib.pyplot``, off screen (the Agg backend) when there is no display.

    Without matplotlib: an ImportError that says how to install it; or, with
    ``required=False`` (a script that prints its results as text anyway), that hint on
    standard output and ``None``."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        if not required:
            print(f"(matplotlib is not installed: no plot; {_HINT})")
            return None
        raise ImportError(f"minigrad.plots needs matplotlib: {_HINT}") from None
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and "matplotlib.pyplot" not in sys.modules and "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    return pyplot().subplots(figsize=figsize)[1]


def save(path: str, figure: Any = None, dpi: int = 120) -> str:
    """Write ``figure`` (the current one by default) to ``path`` with a tight layout and
    close it; returns the path."""
    plt = pyplot()
    figure = plt.gcf() if figure is None else figure
    figure.tight_layout()
    figure.savefig(path, dpi=dpi)
    plt.close(figure)
    return path


def curves(
    history: Mapping[str, Sequence[float]] | Any,
    keys: Iterable[str] | None = None,
    axes: Sequence[Any] | None = None,
    epochs: Sequence[int] | None = None,
) -> list[Any]:
    """Learning curves, one panel per quantity: ``loss`` with ``val_loss``, ``accuracy``
    with ``val_accuracy``, ... against the epoch.

    ``history`` is a dict of per-epoch lists (``History.history`` of
    :meth:`minigrad.training.Model.fit`, or your own) or a ``History``; ``keys`` picks the
    quantities (their ``val_`` partners join them); ``epochs`` numbers the epochs from 0
(``History.epoch``; by default 0, 1, 2, ...), drawn from 1 as Keras prints them. Returns
the axes, one per panel."""
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping) or not values:
        raise ValueError("curves: history must be a non-empty dict of per-epoch lists, "
                         f"such as History.history; got {type(values).__name__}")
    names = list(keys) if keys is not None else [
        key for key in values if not key.startswith("val_")
    ] or [key[4:] for key in values]
    unknown = [key for key in names if key not in values and f"val_{key}" not in values]
    if unknown:
        raise KeyError(f"curves: no {unknown} in the history; it has {sorted(values)}")
    if axes is None:
        plt = pyplot()
        figure, grid = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.5),
                                    squeeze=False)
        axes = list(grid[0])
    if len(axes) != len(names):
        raise ValueError(f"curves: {len(names)} quantities {names} need {len(names)} axes, "
                         f"got {len(axes)}")
    for axis, key in zip(axes, names):
        for name, label in ((key, "training"), (f"val_{key}", "validation")):
            if name in values:
                series = np.asarray(values[name], dtype=float)
                steps = np.arange(len(series)) if epochs is None else np.asarray(epochs)
                axis.plot(steps + 1, series, marker=".", label=label)
        axis.set_xlabel("epoch")
        axis.set_title(key)
        axis.legend()
    return list(axes)


def gradient_norms(
    norms: Mapping[str, Sequence[float]] | Sequence[float],
    ax: Any = None,
    log: bool = True,
    xlabel: str = "time step",
    ylabel: str = "gradient norm",
    title: str | None = None,
) -> Any:
    """Gradient norms along a sequence (``||dL/dh_t||`` per step, say, collected with
    ``register_hook``), one line per entry of ``norms`` (label -> values), on a log scale
    by default: vanishing gradients fall in a straight line."""
    series = dict(norms) if isinstance(norms, Mapping) else {"": norms}
    axis = _axes(ax, (7, 4))
    for label, values in series.items():
        line = np.asarray(values, dtype=float)
        if line.ndim != 1:
            raise ValueError(f"gradient_norms: {label or 'the norms'} must be one value per "
                             f"step, got shape {line.shape}")
        axis.plot(np.arange(len(line)), line, label=label or None)
    if log:
        axis.set_yscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    if title:
        axis.set_title(title)
    if any(series):
        axis.legend(fontsize=8)
    return axis


def parameter_gradient_norms(module: Any, ax: Any = None, log: bool = True) -> Any:
    """A bar per parameter of ``module`` (after ``backward()``): the norm of its gradient,
    named as in ``named_parameters()``; layers whose gradient vanishes stand out."""
    named = [(name, p) for name, p in module.named_parameters() if p.grad is not None]
    if not named:
        raise ValueError("parameter_gradient_norms: no parameter has a gradient; call "
                         "loss.backward() first")
    values = [float(np.linalg.norm(p.grad.numpy())) for _, p in named]
    axis = _axes(ax, (max(5.0, 0.4 * len(named)), 4))
    axis.bar(np.arange(len(named)), values)
    axis.set_xticks(np.arange(len(named)))
    axis.set_xticklabels([name for name, _ in named], rotation=60, ha="right", fontsize=7)
    if log:
        axis.set_yscale("log")
    axis.set_ylabel("gradient norm")
    return axis


def heatmap(
    values: Any,
    ax: Any = None,
    xlabel: str = "time step",
    ylabel: str = "unit",
    title: str | None = None,
    xticklabels: Sequence[Any] | None = None,
    yticklabels: Sequence[Any] | None = None,
    cmap: str = "RdBu_r",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
) -> Any:
    """A matrix as an image: ``values[i, j]`` is row ``i`` (a unit, say) at column ``j``
    (a time step) — gate activations over a sentence, attention weights. ``xticklabels``
    names the columns (the characters of the sentence), ``yticklabels`` the rows."""
    matrix = np.asarray(values.numpy() if hasattr(values, "numpy") else values, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"heatmap: values must be 2-D (rows, columns), got shape "
                         f"{matrix.shape}")
    axis = _axes(ax, (max(5.0, 0.25 * matrix.shape[1]), max(3.0, 0.2 * matrix.shape[0])))
    image = axis.imshow(matrix, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                        interpolation="nearest")
    for names, count, what, ticks in (
        (xticklabels, matrix.shape[1], "xticklabels for {} columns", axis.set_xticks),
        (yticklabels, matrix.shape[0], "yticklabels for {} rows", axis.set_yticks),
    ):
        if names is not None:
            if len(names) != count:
                raise ValueError(f"heatmap: {len(names)} {what.format(count)}")
            ticks(np.arange(count), [str(name) for name in names], fontsize=7)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    if title:
        axis.set_title(title)
    if colorbar:
        axis.figure.colorbar(image, ax=axis)
    return axis


def decision_boundary(
    predict: Callable[[np.ndarray], Any],
    x: Any,
    y: Any,
    ax: Any = None,
    resolution: int = 200,
    margin: float = 0.5,
    title: str | None = None,
) -> Any:
    """The regions a classifier of 2-D points assigns to each class, with the points.

    ``predict`` maps an ``(n, 2)`` float array to class labels ``(n,)`` or to scores
    ``(n, classes)`` (the largest wins; one column: above 0.5 is class 1) — a model
    wrapped as ``lambda p: model(minigrad.tensor(p, dtype=minigrad.float32))``."""
    points = np.asarray(x, dtype=float)
    labels = np.asarray(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2 or len(labels) != len(points):
        raise ValueError(f"decision_boundary: x must be (n, 2) points and y n labels, got "
                         f"x {points.shape} and y {np.shape(y)}")
    low, high = points.min(axis=0) - margin, points.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    scores = predict(grid)
    scores = np.asarray(scores.detach().numpy() if hasattr(scores, "detach") else scores)
    if scores.ndim == 2 and scores.shape[1] > 1:
        regions = scores.argmax(axis=1)
    elif scores.dtype.kind == "f":
        regions = (scores.reshape(-1) > 0.5).astype(int)
    else:
        regions = scores.reshape(-1)
    if regions.shape != (len(grid),):
        raise ValueError(f"decision_boundary: predict returned shape {scores.shape} for "
                         f"{len(grid)} points; want (n,) labels or (n, classes) scores")
    axis = _axes(ax, (5, 5))
    axis.contourf(gx, gy, regions.reshape(gx.shape), alpha=0.3, cmap="coolwarm")
    axis.scatter(points[:, 0], points[:, 1], c=labels, s=8, cmap="coolwarm",
                 edgecolors="k", linewidths=0.2)
    axis.set_xlim(low[0], high[0])
    axis.set_ylim(low[1], high[1])
    if title:
        axis.set_title(title)
    return axis
