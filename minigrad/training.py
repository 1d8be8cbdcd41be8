"""A Keras-style training loop on top of minigrad's PyTorch-style API.

The course programs written the Keras way port line for line::

    from minigrad import nn
    from minigrad.training import Model

    model = Model(nn.Sequential(
        nn.LSTM(n_features, 128, batch_first=True), nn.SequenceOutput(),
        nn.LSTM(128, 64, batch_first=True), nn.LastOutput(),
        nn.Linear(64, n_classes), nn.Softmax(dim=-1)))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=10,
                        validation_data=(x_val, y_val))
    loss, accuracy = model.evaluate(x_test, y_test)
    probabilities = model.predict(x_new)

What ``fit`` does is the loop every PyTorch program writes by hand, and it is written
here in those same terms, to be read: for each epoch, shuffle, then for each batch
``optimizer.zero_grad()``, ``loss = loss_fn(module(x), y)``, ``loss.backward()``,
(clip), ``optimizer.step()``; then evaluate the validation data under ``no_grad`` in
``eval()`` mode. Callbacks (:class:`Callback`) are called at the edges of epochs and
batches, as in Keras. The plain PyTorch-style loop remains the primary style of the
README; this module is a convenience for lessons.

Conventions that differ from Keras, deliberately: losses and metrics are called as
``loss(prediction, target)``, the order of minigrad's (and PyTorch's) loss modules, so
those modules can be passed directly; and ``ModelCheckpoint`` saves the ``state_dict`` in
minigrad's safe ``.npz`` format (never a pickled object).
"""

from __future__ import annotations

import csv
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from minigrad import nn, optim
from minigrad.autograd import no_grad
from minigrad.creation import generator
from minigrad.nn.summary import summary as _summary
from minigrad.optim.lr_scheduler import LRScheduler
from minigrad.optim.lr_scheduler import ReduceLROnPlateau as _PlateauScheduler
from minigrad.plots import curves
from minigrad.serialization import save
from minigrad.tensor import Tensor

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "Model",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
]

# --------------------------------------------------------------------------- by name

#: Keras's optimizers by name, with Keras's default learning rates.
OPTIMIZERS: dict[str, tuple[Any, float]] = {
    "adam": (optim.Adam, 1e-3),
    "adamw": (optim.AdamW, 1e-3),
    "sgd": (optim.SGD, 1e-2),
    "rmsprop": (optim.RMSprop, 1e-3),
    "adagrad": (optim.Adagrad, 1e-3),
}

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking their logarithm.
EPSILON = 1e-7


def _match(target: Tensor, prediction: Tensor) -> Tensor:
    """``target`` reshaped to ``prediction``'s shape when only unit axes differ (a (N,)
    target against (N, 1) predictions, as Keras accepts)."""
    if target.shape != prediction.shape and target.numel() == prediction.numel():
        return target.reshape(prediction.shape)
    return target


def _check_same_shape(prediction: Tensor, target: Tensor, name: str) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name}: the target's shape {tuple(target.shape)} does not match the "
            f"prediction's {tuple(prediction.shape)}"
        )


def categorical_crossentropy(prediction: Tensor, target: Tensor) -> Tensor:
    """Keras's categorical cross-entropy of class probabilities ``prediction`` (the
    output of a softmax) against one-hot (or probability) ``target``, both ``(..., C)``:
    the mean over examples of ``-sum_c t_c log p_c``, with ``p`` rescaled to sum to 1
    and clipped away from 0 and 1 so that the logarithm stays finite."""
    _check_same_shape(prediction, target, "categorical_crossentropy")
    p = prediction / prediction.sum(dim=-1, keepdim=True)
    p = p.clamp(EPSILON, 1.0 - EPSILON)
    return -(target.type_as(p) * p.log()).sum(dim=-1).mean()


def sparse_categorical_crossentropy(prediction: Tensor, target: Tensor) -> Tensor:
    """:func:`categorical_crossentropy` with integer class indices ``target`` (shape
    ``prediction.shape[:-1]``)."""
    classes = prediction.shape[-1]
    indices = np.asarray(target._array).astype(np.int64).reshape(prediction.shape[:-1])
    if indices.size and (indices.min() < 0 or indices.max() >= classes):
        raise ValueError(
            f"sparse_categorical_crossentropy: class indices must lie in [0, {classes}), "
            f"got values from {indices.min()} to {indices.max()}"
        )
    one_hot = Tensor._make(np.eye(classes, dtype=prediction._array.dtype)[indices])
    return categorical_crossentropy(prediction, one_hot)


def binary_crossentropy(prediction: Tensor, target: Tensor) -> Tensor:
    """Keras's binary cross-entropy of probabilities ``prediction`` (the output of a
    sigmoid) against 0/1 targets: the mean of ``-(t log p + (1 - t) log(1 - p))``, with
    ``p`` clipped away from 0 and 1. For logits use ``nn.BCEWithLogitsLoss()``."""
    target = _match(target, prediction)
    _check_same_shape(prediction, target, "binary_crossentropy")
    p = prediction.clamp(EPSILON, 1.0 - EPSILON)
    t = target.type_as(p)
    return -(t * p.log() + (1.0 - t) * (1.0 - p).log()).mean()


def mean_squared_error(prediction: Tensor, target: Tensor) -> Tensor:
    """The mean of ``(prediction - target)**2``."""
    target = _match(target, prediction)
    _check_same_shape(prediction, target, "mse")
    return ((prediction - target.type_as(prediction)) ** 2).mean()


def mean_absolute_error(prediction: Tensor, target: Tensor) -> Tensor:
    """The mean of ``|prediction - target|``."""
    target = _match(target, prediction)
    _check_same_shape(prediction, target, "mae")
    return (prediction - target.type_as(prediction)).abs().mean()


#: Keras's losses by name; each is called as ``loss(prediction, target)``.
LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
}


# Metrics work on NumPy arrays (no graph) and return (sum, count) for one batch, so that
# an epoch's value is its total over its count, as Keras's metric objects accumulate.


def _matched(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    if target.shape != prediction.shape and target.size == prediction.size:
        return target.reshape(prediction.shape)
    return target


def binary_accuracy(prediction: np.ndarray, target: np.ndarray, threshold: float = 0.5) -> Any:
    """How often ``prediction > threshold`` agrees with ``target > 0.5``."""
    hits = (prediction > threshold) == (_matched(prediction, target) > 0.5)
    return hits.sum(), hits.size


def categorical_accuracy(prediction: np.ndarray, target: np.ndarray) -> Any:
    """How often the most probable class is the target's (one-hot) class."""
    hits = prediction.argmax(axis=-1) == target.argmax(axis=-1)
    return hits.sum(), hits.size


def sparse_categorical_accuracy(prediction: np.ndarray, target: np.ndarray) -> Any:
    """How often the most probable class is the target's class index."""
    hits = prediction.argmax(axis=-1) == target.reshape(prediction.shape[:-1])
    return hits.sum(), hits.size


def _mae_metric(prediction: np.ndarray, target: np.ndarray) -> Any:
    errors = np.abs(prediction - _matched(prediction, target))
    return errors.sum(), errors.size


def _mse_metric(prediction: np.ndarray, target: np.ndarray) -> Any:
    errors = (prediction - _matched(prediction, target)) ** 2
    return errors.sum(), errors.size


METRICS: dict[str, Callable[..., Any]] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mae": _mae_metric,
    "mse": _mse_metric,
}


def _accuracy_for(loss: Any) -> Callable[[np.ndarray, np.ndarray], Any]:
    """Keras's ``"accuracy"``: the accuracy that fits the loss, else chosen from the
    shapes and the target's dtype of each batch."""
    if loss == "binary_crossentropy" or isinstance(loss, nn.BCELoss):
        return binary_accuracy
    if isinstance(loss, nn.BCEWithLogitsLoss):
        return lambda p, t: binary_accuracy(p, t, threshold=0.0)
    if loss == "categorical_crossentropy":
        return categorical_accuracy
    if loss == "sparse_categorical_crossentropy":
        return sparse_categorical_accuracy

    def by_shape(prediction: np.ndarray, target: np.ndarray) -> Any:
        if target.dtype.kind in "iu" and target.size * prediction.shape[-1] == prediction.size:
            return sparse_categorical_accuracy(prediction, target)
        if prediction.shape[-1] == 1 or prediction.ndim == 0:
            return binary_accuracy(prediction, target)
        return categorical_accuracy(prediction, target)

    return by_shape


# --------------------------------------------------------------------------- callbacks


class Callback:
    """Base class of the callbacks: override any of the hooks. ``self.model`` is the
    :class:`Model` being trained; setting ``self.model.stop_training = True`` ends
    training after the current epoch. ``logs`` holds the epoch's figures by name
    (``"loss"``, ``"accuracy"``, ``"val_loss"``, ...)."""

    model: Model

    def set_model(self, model: Model) -> None:
        self.model = model

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None: ...

    def on_train_end(self, logs: dict[str, float] | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None: ...


class History(Callback):
    """What ``fit`` returns: ``history`` maps each figure's name to its value per epoch
    (Keras's dict), ``epoch`` lists the epochs run."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def plot(self, path: str | None = None) -> Any:
        """Draw each figure against the epoch (a ``val_`` figure with its training twin,
        one panel per figure; :func:`minigrad.plots.curves`) with matplotlib; save to
        ``path`` if given. Returns the matplotlib figure."""
        axes = curves(self.history, epochs=self.epoch)
        figure = axes[0].figure
        if path is not None:
            figure.tight_layout()
            figure.savefig(path)
        return figure

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _better(mode: str, monitor: str) -> Callable[[float, float, float], bool]:
    """``better(value, best, min_delta)`` for Keras's ``mode`` ("auto": higher is
    better for accuracies, lower for everything else)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return lambda value, best, delta: value > best + delta
    return lambda value, best, delta: value < best - delta


def _monitored(logs: dict[str, float] | None, monitor: str, owner: str) -> float | None:
    value = (logs or {}).get(monitor)
    if value is None:
        print(
            f"{owner}: {monitor!r} is not among the logged figures {sorted(logs or {})}; "
            f"skipped this epoch",
            file=sys.stderr,
        )
    return value


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs (Keras's semantics). ``restore_best_weights`` puts back the
    weights of the best epoch when training stops; ``baseline`` is a value to beat;
    epochs before ``start_from_epoch`` are not counted."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.baseline = verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self._better = _better(mode, monitor)
        self.stopped_epoch = 0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = self.baseline
        self.best_weights: dict[str, np.ndarray] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _weights(self.model)  # so that there is always one to restore
        self.wait += 1
        if self.best is None or self._better(value, self.best, self.min_delta):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = _weights(self.model)
            # Keras: beating the baseline restarts the count; merely matching it does not.
            self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                _restore(self.model, self.best_weights)
            if self.verbose:
                print(f"Epoch {epoch + 1}: early stopping (best epoch {self.best_epoch + 1})")


def _weights(model: Model) -> dict[str, np.ndarray]:
    return {name: tensor._array.copy() for name, tensor in model.module.state_dict().items()}


def _restore(model: Model, weights: dict[str, np.ndarray]) -> None:
    model.module.load_state_dict(dict(weights))  # arrays: kept in their dtypes


class ModelCheckpoint(Callback):
    """Save the module's ``state_dict`` at the end of every epoch (or, with
    ``save_best_only``, when ``monitor`` improves) to ``filepath``, which may hold
    ``str.format`` fields: ``epoch`` (counted from 1) and any logged figure, e.g.
    ``"weights-{epoch:02d}-{val_loss:.3f}.npz"``. The format is minigrad's ``.npz``
    (arrays only, no code): load it with ``module.load_state_dict(minigrad.load(path))``."""

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only = save_best_only
        self._better = _better(mode, monitor)
        self.best: float | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if value is None or not (self.best is None or self._better(value, self.best, 0.0)):
                return
            self.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        save(self.model.module.state_dict(), path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the weights to {path}")


class LearningRateScheduler(Callback):
    """Set the learning rate each epoch: ``schedule`` is a function ``(epoch, lr) ->
    new lr`` called at the start of each epoch (Keras's), or any scheduler of
    :mod:`minigrad.optim.lr_scheduler`, stepped at the end of each epoch (a
    ``ReduceLROnPlateau`` scheduler with the epoch's ``monitor`` figure)."""

    def __init__(self, schedule: Any, verbose: int = 0, monitor: str = "val_loss") -> None:
        if not (callable(schedule) or isinstance(schedule, LRScheduler)):
            raise TypeError(
                "LearningRateScheduler: schedule must be a function (epoch, lr) -> lr or "
                f"a minigrad.optim.lr_scheduler scheduler, got {type(schedule).__name__}"
            )
        self.schedule, self.verbose, self.monitor = schedule, verbose, monitor

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if isinstance(self.schedule, LRScheduler):
            return
        rate = float(self.schedule(epoch, self.model.learning_rate))
        if not math.isfinite(rate) or rate < 0:
            raise ValueError(
                f"LearningRateScheduler: the schedule returned {rate} at epoch {epoch}"
            )
        self.model.learning_rate = rate
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {rate:.6g}")

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if isinstance(self.schedule, _PlateauScheduler):
            value = _monitored(logs, self.monitor, "LearningRateScheduler")
            if value is not None:
                self.schedule.step(value)
        elif isinstance(self.schedule, LRScheduler):
            self.schedule.step()


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by more
    than ``min_delta`` for ``patience`` epochs; then wait ``cooldown`` epochs; never go
    below ``min_lr`` (Keras's semantics and defaults)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self._better = _better(mode, monitor)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.best: float | None = None
        self.wait = 0
        self.cooldown_left = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        value = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if value is None:
            return
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.wait = 0
        if self.best is None or self._better(value, self.best, self.min_delta):
            self.best, self.wait = value, 0
        elif self.cooldown_left <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.model.learning_rate
                new = max(old * self.factor, self.min_lr)
                if old - new > 1e-12 * max(old, 1.0):
                    self.model.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau: learning rate {new:.6g}")
                self.cooldown_left, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Write the epoch number and every logged figure to a CSV file, one row per epoch
    (``append=True`` keeps an existing file's rows)."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        self.filename, self.separator, self.append = str(filename), separator, append

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer: Any = None
        self._write_header = not self.append or self._file.tell() == 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self._writer is None:
            fields = ["epoch", *logs]
            self._writer = csv.DictWriter(self._file, fieldnames=fields, delimiter=self.separator)
            if self._write_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **logs})
        self._file.flush()

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self._file.close()


# --------------------------------------------------------------------------- progress


class _Progress:
    """Keras's progress output: a live bar per epoch on a terminal (verbose=1), a line
    per epoch otherwise (or with verbose=2), nothing with verbose=0."""

    def __init__(self, verbose: int, steps: int | None, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.verbose, self.steps = verbose, steps
        self.live = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()

    @staticmethod
    def _figures(logs: dict[str, float]) -> str:
        return "".join(f" - {name}: {value:.4f}" for name, value in logs.items())

    def update(self, step: int, logs: dict[str, float]) -> None:
        if not self.live:
            return
        elapsed = time.perf_counter() - self.start
        if self.steps:
            done = int(30 * step / self.steps)
            bar = "=" * max(done - 1, 0) + (">" if done < 30 else "=") + "." * (30 - done)
            eta = elapsed / step * (self.steps - step)
            text = f"\r{step:>{len(str(self.steps))}}/{self.steps} [{bar}] - ETA: {eta:.0f}s"
        else:
            text = f"\r{step} steps - {elapsed:.0f}s"
        self.stream.write(text + self._figures(logs))
        self.stream.flush()

    def finish(self, step: int, logs: dict[str, float]) -> None:
        if self.verbose == 0:
            return
        elapsed = time.perf_counter() - self.start
        per_step = 1000 * elapsed / max(step, 1)
        count = f"{step}/{self.steps}" if self.steps else f"{step}"
        prefix = "\r" if self.live else ""
        bar = " [" + "=" * 30 + "]" if self.live else ""
        self.stream.write(
            f"{prefix}{count}{bar} - {elapsed:.0f}s {per_step:.0f}ms/step"
            + self._figures(logs)
            + "\n"
        )
        self.stream.flush()


# --------------------------------------------------------------------------- the model


def _float_dtype(module: nn.Module) -> Any:
    for parameter in module.parameters():
        if parameter._array.dtype.kind == "f":
            return parameter._array.dtype
    return np.float32


class Model:
    """A module with Keras's ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

    ``Model(module)`` keeps the module as ``model.module`` (calling the model calls it).
    Arrays passed to ``fit``, ``evaluate`` and ``predict`` may be NumPy arrays or
    tensors; floating arrays are converted to the dtype of the module's parameters (as
    Keras casts to float32), integer arrays (class indices, token ids) stay integers.
    """

    def __init__(self, module: nn.Module) -> None:
        if not isinstance(module, nn.Module):
            raise TypeError(f"Model: expected an nn.Module, got {type(module).__name__}")
        self.module = module
        self.optimizer: optim.Optimizer | None = None
        self.loss: Callable[[Tensor, Tensor], Tensor] | None = None
        self.metrics: dict[str, Callable[..., Any]] = {}
        self.clip_grad_norm: float | None = None
        self.stop_training = False
        self.history: History | None = None
        self._example_shape: tuple[int, ...] | None = None

    # -- setting up

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] = (),
        clip_grad_norm: float | None = None,
    ) -> None:
        """Choose the optimizer (an ``optim.Optimizer`` or a name of ``OPTIMIZERS``),
        the loss (a name of ``LOSSES``, a loss module such as ``nn.CrossEntropyLoss()``,
        or any callable ``(prediction, target) -> scalar tensor``), the metrics (names
        of ``METRICS``, ``"accuracy"``, or callables ``(prediction, target) -> number``
        on NumPy arrays) and an optional gradient-norm clip applied before every step."""
        if loss is None:
            raise ValueError("compile: a loss is needed, e.g. loss='mse'")
        if isinstance(optimizer, str):
            if optimizer.lower() not in OPTIMIZERS:
                raise ValueError(
                    f"compile: unknown optimizer {optimizer!r}; choose one of "
                    f"{sorted(OPTIMIZERS)} or pass an optim.Optimizer"
                )
            kind, rate = OPTIMIZERS[optimizer.lower()]
            optimizer = kind(self.module.parameters(), lr=rate)
        if not isinstance(optimizer, optim.Optimizer):
            raise TypeError(
                f"compile: optimizer must be a name or an optim.Optimizer, got "
                f"{type(optimizer).__name__}"
            )
        if isinstance(loss, str):
            if loss not in LOSSES:
                raise ValueError(f"compile: unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
            loss_function = LOSSES[loss]
        elif callable(loss):
            loss_function = loss
        else:
            raise TypeError(
                f"compile: loss must be a name or a callable, got {type(loss).__name__}"
            )
        chosen: dict[str, Callable[..., Any]] = {}
        for metric in metrics:
            if metric in ("accuracy", "acc"):
                chosen["accuracy"] = _accuracy_for(loss)
            elif isinstance(metric, str):
                if metric not in METRICS:
                    raise ValueError(
                        f"compile: unknown metric {metric!r}; choose 'accuracy' or one of "
                        f"{sorted(METRICS)}, or pass a callable"
                    )
                chosen[metric] = METRICS[metric]
            elif callable(metric):
                chosen[getattr(metric, "__name__", f"metric_{len(chosen)}")] = _as_total(metric)
            else:
                raise TypeError(f"compile: a metric must be a name or a callable, got {metric!r}")
        if clip_grad_norm is not None and not clip_grad_norm > 0:
            raise ValueError(f"compile: clip_grad_norm must be positive, got {clip_grad_norm}")
        self.optimizer, self.loss, self.metrics = optimizer, loss_function, chosen
        self.clip_grad_norm = clip_grad_norm

    @property
    def learning_rate(self) -> float:
        """The first parameter group's learning rate (setting it sets every group's)."""
        return float(self._compiled().param_groups[0]["lr"])

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        for group in self._compiled().param_groups:
            group["lr"] = float(value)

    def _compiled(self) -> optim.Optimizer:
        if self.optimizer is None or self.loss is None:
            raise RuntimeError("call model.compile(optimizer=..., loss=...) first")
        return self.optimizer

    # -- data

    def _tensor(self, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            return value
        array = np.asarray(value)
        if array.dtype.kind == "f":
            array = array.astype(_float_dtype(self.module), copy=False)
        elif array.dtype.kind == "b":
            array = array.astype(_float_dtype(self.module))
        return Tensor._make(np.array(array))

    def _batches(
        self, x: Any, y: Any, batch_size: int, shuffle: bool
    ) -> tuple[Iterable[tuple[Tensor, Tensor | None]], int | None]:
        """Batches of (input, target) and how many there are."""
        if hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, Tensor, list, tuple)):
            if y is not None:
                raise ValueError("a DataLoader yields its own targets: pass y=None with it")
            loader = x
            count = len(loader) if hasattr(loader, "__len__") else None
            return (
                (self._tensor(b[0]), self._tensor(b[1]) if len(b) > 1 else None) for b in loader
            ), count
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        inputs = self._tensor(x)
        targets = None if y is None else self._tensor(y)
        total = inputs.shape[0]
        if targets is not None and targets.shape[0] != total:
            raise ValueError(
                f"x and y have different numbers of examples: {total} and {targets.shape[0]}"
            )
        order = generator().permutation(total) if shuffle else np.arange(total)
        count = math.ceil(total / batch_size)

        def batches() -> Iterable[tuple[Tensor, Tensor | None]]:
            for start in range(0, total, batch_size):
                rows = order[start : start + batch_size]
                chosen = rows if shuffle else slice(start, start + batch_size)
                yield inputs[chosen], None if targets is None else targets[chosen]

        return batches(), count

    # -- one batch

    def _measure(
        self, prediction: Tensor, target: Tensor | None, totals: dict[str, list[float]]
    ) -> None:
        if target is None:
            return
        predicted, wanted = prediction._array, target._array
        for name, metric in self.metrics.items():
            total, count = metric(predicted, wanted)
            pair = totals.setdefault(name, [0.0, 0.0])
            pair[0] += float(total)
            pair[1] += float(count)

    def _forward(self, inputs: Tensor) -> Tensor:
        output = self.module(inputs)
        if isinstance(output, tuple):
            raise TypeError(
                "the module returned a tuple: a recurrent layer returns (output, state); "
                "end the model with nn.SequenceOutput() or nn.LastOutput() and the layers "
                "after it"
            )
        return output  # type: ignore[no-any-return]

    def _train_batch(self, inputs: Tensor, target: Tensor | None) -> tuple[Tensor, float]:
        optimizer = self._compiled()
        if target is None:
            raise ValueError("fit needs targets: pass y, or a DataLoader yielding (x, y)")
        optimizer.zero_grad()
        prediction = self._forward(inputs)
        loss = self.loss(prediction, target)  # type: ignore[misc]
        loss.backward()
        if self.clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.module.parameters(), self.clip_grad_norm)
        optimizer.step()
        return prediction.detach(), float(loss.item())

    @staticmethod
    def _logs(
        loss_total: float, examples: float, totals: dict[str, list[float]], prefix: str = ""
    ) -> dict[str, float]:
        logs = {prefix + "loss": loss_total / max(examples, 1)}
        for name, (total, count) in totals.items():
            logs[prefix + name] = total / max(count, 1)
        return logs

    # -- the loops

    def fit(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 1,
        validation_data: Any = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        callbacks: Sequence[Callback] = (),
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` epochs (counting from ``initial_epoch``); see the module
        docstring for the loop. ``validation_data`` is ``(x_val, y_val)`` or a
        DataLoader; ``validation_split`` instead holds out that fraction of ``x, y``
        (the last examples, before shuffling, as Keras). Returns the :class:`History`."""
        self._compiled()
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
        if validation_split and validation_data is None:
            if y is None or not hasattr(x, "__len__"):
                raise ValueError("validation_split needs arrays x and y (not a DataLoader)")
            keep = len(x) - int(len(x) * validation_split)
            x, y, validation_data = x[:keep], y[:keep], (x[keep:], y[keep:])
        history = History()
        history.params = {"epochs": epochs, "batch_size": batch_size, "verbose": verbose}
        everyone = [history, *callbacks]
        for callback in everyone:
            callback.set_model(self)
        self.stop_training = False
        self.history = history
        for callback in everyone:
            callback.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            for callback in everyone:
                callback.on_epoch_begin(epoch)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
            self.module.train()
            batches, count = self._batches(x, y, batch_size, shuffle)
            progress = _Progress(verbose, count)
            loss_total, examples = 0.0, 0.0
            totals: dict[str, list[float]] = {}
            step = 0
            for step, (inputs, target) in enumerate(batches, start=1):
                self._example_shape = tuple(inputs.shape[1:])
                for callback in everyone:
                    callback.on_train_batch_begin(step - 1)
                prediction, loss = self._train_batch(inputs, target)
                loss_total += loss * inputs.shape[0]
                examples += inputs.shape[0]
                self._measure(prediction, target, totals)
                logs = self._logs(loss_total, examples, totals)
                for callback in everyone:
                    callback.on_train_batch_end(step - 1, logs)
                progress.update(step, logs)
            logs = self._logs(loss_total, examples, totals)
            if validation_data is not None:
                logs.update(self._evaluate(validation_data, batch_size, prefix="val_"))
            progress.finish(step, logs)
            for callback in everyone:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in everyone:
            callback.on_train_end()
        return history

    def _evaluate(self, data: Any, batch_size: int, prefix: str = "") -> dict[str, float]:
        x, y = (data, None) if not isinstance(data, (tuple, list)) else data
        batches, _ = self._batches(x, y, batch_size, shuffle=False)
        loss_total, examples = 0.0, 0.0
        totals: dict[str, list[float]] = {}
        self.module.eval()
        try:
            with no_grad():
                for inputs, target in batches:
                    if target is None:
                        raise ValueError(
                            "evaluate needs targets: pass y, or a DataLoader of (x, y)"
                        )
                    prediction = self._forward(inputs)
                    loss_total += float(self.loss(prediction, target).item()) * inputs.shape[0]  # type: ignore[misc]
                    examples += inputs.shape[0]
                    self._measure(prediction, target, totals)
        finally:
            self.module.train()
        return self._logs(loss_total, examples, totals, prefix)

    def evaluate(self, x: Any, y: Any = None, batch_size: int = 32, verbose: int = 0) -> Any:
        """The loss and the metrics on ``x, y`` (or a DataLoader), in ``eval()`` mode
        under ``no_grad``: ``[loss, *metrics]``, or the loss alone without metrics."""
        self._compiled()
        logs = self._evaluate((x, y), batch_size)
        if verbose:
            print(" - ".join(f"{name}: {value:.4f}" for name, value in logs.items()))
        values = list(logs.values())
        return values if len(values) > 1 else values[0]

    def predict(self, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """The module's outputs for ``x`` (or a DataLoader's inputs) as one NumPy array,
        in ``eval()`` mode under ``no_grad``."""
        batches, count = self._batches(x, None, batch_size, shuffle=False)
        outputs = []
        progress = _Progress(verbose, count)
        self.module.eval()
        step = 0
        try:
            with no_grad():
                for step, (inputs, _) in enumerate(batches, start=1):
                    outputs.append(self._forward(inputs).numpy())
                    progress.update(step, {})
        finally:
            self.module.train()
        progress.finish(step, {})
        return np.concatenate(outputs) if outputs else np.empty((0,))

    # -- the rest

    def summary(self, input_shape: Sequence[int] | None = None) -> str:
        """Print the table of ``nn.summary``; ``input_shape`` (one example's shape)
        defaults to that of the last batch ``fit`` saw."""
        shape = input_shape if input_shape is not None else self._example_shape
        return _summary(self.module, shape)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def parameters(self) -> Any:
        return self.module.parameters()

    def state_dict(self) -> Any:
        return self.module.state_dict()

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> Any:
        return self.module.load_state_dict(state_dict, strict=strict)

    def __repr__(self) -> str:
        compiled = (
            f", optimizer={type(self.optimizer).__name__}, metrics={list(self.metrics)}"
            if self.optimizer is not None
            else ", not compiled"
        )
        return f"Model({type(self.module).__name__}{compiled})"


def _as_total(metric: Callable[[np.ndarray, np.ndarray], Any]) -> Callable[..., Any]:
    """A user's metric, returning a batch mean, as the (sum, count) the loop adds up
    (weighted by the batch's examples)."""

    def total(prediction: np.ndarray, target: np.ndarray) -> tuple[float, int]:
        count = prediction.shape[0] if prediction.ndim else 1
        return float(metric(prediction, target)) * count, count

    return total
