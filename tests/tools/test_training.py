"""The Keras-style training loop (minigrad.training) and the two adapters that put a
recurrent layer into a Sequential (nn.SequenceOutput, nn.LastOutput).

* The three course programs port line for line and learn their tasks.
* The Keras losses equal their formulas (clipping included) and pass gradcheck; the
  metrics and the epoch figures add up over batches exactly as evaluate computes them.
* Callbacks follow Keras's rules (EarlyStopping, ReduceLROnPlateau, LearningRateScheduler,
  ModelCheckpoint, CSVLogger), checked against scripted sequences of figures.
* Progress output, summary, reprs and the errors a student meets.
"""

from __future__ import annotations

import csv
import io
import sys

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.testing import gradcheck
from minigrad.training import (
    LOSSES,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    Model,
    ModelCheckpoint,
    ReduceLROnPlateau,
)


def sequence_task(n=192, steps=8, features=3, seed=0):
    """Class = which of the first two features has the larger sum over time (2 classes),
    one-hot targets."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, steps, features)).astype(np.float32)
    labels = (x[:, :, 0].sum(1) > x[:, :, 1].sum(1)).astype(np.int64)
    return x, labels


# ----------------------------------------------------------------------- the programs


def test_stacked_lstm_classifier_learns():
    minigrad.manual_seed(0)
    x, labels = sequence_task()
    y = np.eye(2, dtype=np.float32)[labels]
    model = Model(
        nn.Sequential(
            nn.LSTM(3, 16, batch_first=True),
            nn.SequenceOutput(),
            nn.LSTM(16, 8, batch_first=True),
            nn.LastOutput(),
            nn.Linear(8, 2),
            nn.Softmax(dim=-1),
        )
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:160], y[:160], batch_size=16, epochs=12, verbose=0,
                        validation_data=(x[160:], y[160:]))  # fmt: skip
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 12 and history.epoch == list(range(12))
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    loss, accuracy = model.evaluate(x[160:], y[160:])
    assert accuracy > 0.75
    probabilities = model.predict(x[:5])
    assert probabilities.shape == (5, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_per_step_binary_predictions_learn():
    # LSTM(50, return_sequences=True) -> Dense(10, relu) -> Dense(1, sigmoid)
    minigrad.manual_seed(1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((128, 10, 2)).astype(np.float32)
    y = (np.cumsum(x[:, :, 0], axis=1) > 0).astype(np.float32)[..., None]  # (N, T, 1)
    model = Model(
        nn.Sequential(
            nn.LSTM(2, 50, batch_first=True),
            nn.SequenceOutput(),
            nn.Linear(50, 10),
            nn.ReLU(),
            nn.Linear(10, 1),
            nn.Sigmoid(),
        )
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=30, verbose=0)
    assert history.history["accuracy"][0] < 0.7 < 0.9 < history.history["accuracy"][-1]
    assert model.predict(x[:4]).shape == (4, 10, 1)


def test_lstm_dense_dropout_classifier_learns():
    # LSTM(128) -> Dense(64, relu) -> Dropout(0.5) -> Dense(1, sigmoid)
    minigrad.manual_seed(2)
    x, labels = sequence_task(seed=2)
    model = Model(
        nn.Sequential(
            nn.LSTM(3, 32, batch_first=True),
            nn.LastOutput(),
            nn.Linear(32, 16),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(16, 1),
            nn.Sigmoid(),
        )
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels, batch_size=32, epochs=15, verbose=0, validation_split=0.25)
    assert "val_accuracy" in history.history
    assert history.history["val_accuracy"][-1] > 0.75


# ----------------------------------------------------------------------- adapters


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sequence_and_last_output(kind, bidirectional):
    layer = kind(3, 4, num_layers=2, batch_first=True, bidirectional=bidirectional)
    x = minigrad.randn(5, 7, 3)
    output, state = layer(x)
    h_n = state[0] if isinstance(state, tuple) else state
    assert nn.SequenceOutput()((output, state)) is output
    last = nn.LastOutput()((output, state))
    directions = 2 if bidirectional else 1
    assert last.shape == (5, directions * 4)
    np.testing.assert_array_equal(last._array[:, :4], h_n._array[-directions])
    if bidirectional:
        np.testing.assert_array_equal(last._array[:, 4:], h_n._array[-1])
    else:  # the top layer's last step
        np.testing.assert_allclose(last._array, output._array[:, -1], rtol=1e-6)


def test_adapters_reject_a_tensor():
    with pytest.raises(TypeError, match=r"\(output, state\) tuple"):
        nn.LastOutput()(minigrad.randn(2, 3))


def test_sequential_names_the_adapters_when_a_tuple_reaches_a_layer():
    model = nn.Sequential(nn.LSTM(3, 4, batch_first=True), nn.Linear(4, 2))
    with pytest.raises(TypeError, match="SequenceOutput.*LastOutput"):
        model(minigrad.randn(2, 5, 3))


# ----------------------------------------------------------------------- losses


def test_losses_equal_their_formulas():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((6, 4))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p[0, 1] = 0.0  # clipped: the logarithm stays finite
    labels = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[labels]
    eps = 1e-7
    expected = -(one_hot * np.log(np.clip(p / p.sum(1, keepdims=True), eps, 1 - eps))).sum(1)
    got = LOSSES["categorical_crossentropy"](minigrad.tensor(p), minigrad.tensor(one_hot))
    np.testing.assert_allclose(got.item(), expected.mean(), rtol=1e-12)
    got = LOSSES["sparse_categorical_crossentropy"](minigrad.tensor(p), minigrad.tensor(labels))
    np.testing.assert_allclose(got.item(), expected.mean(), rtol=1e-12)
    q = np.array([[0.0], [0.3], [1.0], [0.9]])
    t = np.array([0.0, 1.0, 1.0, 0.0])  # (N,) against (N, 1), as Keras accepts
    qc = np.clip(q[:, 0], eps, 1 - eps)
    bce = -(t * np.log(qc) + (1 - t) * np.log(1 - qc)).mean()
    np.testing.assert_allclose(
        LOSSES["binary_crossentropy"](minigrad.tensor(q), minigrad.tensor(t)).item(), bce
    )
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    np.testing.assert_allclose(
        LOSSES["mse"](minigrad.tensor(a), minigrad.tensor(b)).item(), ((a - b) ** 2).mean()
    )
    np.testing.assert_allclose(
        LOSSES["mae"](minigrad.tensor(a), minigrad.tensor(b)).item(), np.abs(a - b).mean()
    )


@pytest.mark.parametrize("name", ["categorical_crossentropy", "binary_crossentropy", "mse"])
def test_loss_gradients(name):
    rng = np.random.default_rng(4)
    prediction = minigrad.tensor(rng.uniform(0.1, 0.9, (3, 4)), requires_grad=True)
    target = minigrad.tensor(np.eye(4)[[0, 2, 3]] if name != "mse" else rng.random((3, 4)))
    assert gradcheck(lambda p: LOSSES[name](p, target), (prediction,))


def test_loss_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3, 4\)"):
        LOSSES["categorical_crossentropy"](minigrad.ones(3, 4), minigrad.ones(3, 2))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        LOSSES["sparse_categorical_crossentropy"](minigrad.ones(2, 4), minigrad.tensor([0, 4]))


# ----------------------------------------------------------------------- epoch figures


def frozen_model(loss, metrics, module=None):
    """A model whose optimizer does not move (lr 0): fit's figures must equal evaluate's."""
    minigrad.manual_seed(5)
    module = module or nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=-1))
    model = Model(module)
    model.compile(optimizer=optim.SGD(module.parameters(), lr=0.0), loss=loss, metrics=metrics)
    return model


def test_epoch_figures_add_up_over_uneven_batches():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((50, 3)).astype(np.float32)
    labels = rng.integers(0, 4, 50)
    model = frozen_model("sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(x, labels, batch_size=16, epochs=1, verbose=0)  # 16+16+16+2
    loss, accuracy = model.evaluate(x, labels, batch_size=50)
    np.testing.assert_allclose(history.history["loss"][0], loss, rtol=1e-6)
    expected = (model.predict(x).argmax(1) == labels).mean()
    assert history.history["accuracy"][0] == pytest.approx(expected)
    assert accuracy == pytest.approx(expected)


@pytest.mark.parametrize(
    "loss,target_kind",
    [
        ("categorical_crossentropy", "one_hot"),
        (nn.CrossEntropyLoss(), "indices"),
        ("binary_crossentropy", "binary"),
        (nn.BCEWithLogitsLoss(), "binary_logits"),
    ],
)
def test_accuracy_follows_the_loss_and_shapes(loss, target_kind):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 3)).astype(np.float32)
    if target_kind in ("binary", "binary_logits"):
        last = [nn.Sigmoid()] if target_kind == "binary" else []
        module = nn.Sequential(nn.Linear(3, 1), *last)
        y = rng.integers(0, 2, (40, 1)).astype(np.float32)
        model = frozen_model(loss, ["accuracy"], module)
        scores = model.predict(x)
        expected = ((scores > (0.5 if target_kind == "binary" else 0.0)) == (y > 0.5)).mean()
    else:
        module = nn.Sequential(nn.Linear(3, 4))
        labels = rng.integers(0, 4, 40)
        y = np.eye(4, dtype=np.float32)[labels] if target_kind == "one_hot" else labels
        if target_kind == "one_hot":
            module.append(nn.Softmax(dim=-1))
        model = frozen_model(loss, ["accuracy"], module)
        expected = (model.predict(x).argmax(1) == labels).mean()
    _, accuracy = model.evaluate(x, y)
    assert accuracy == pytest.approx(expected)


def test_user_metric_and_named_metrics():
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((30, 3)).astype(np.float32), rng.random((30, 4)).astype(np.float32)

    def largest_error(prediction, target):
        return np.abs(prediction - target).max(axis=-1).mean()

    model = frozen_model("mse", ["mae", "mse", largest_error])
    loss, mae, mse, largest = model.evaluate(x, y, batch_size=7)
    prediction = model.predict(x)
    assert mae == pytest.approx(np.abs(prediction - y).mean(), rel=1e-5)
    assert mse == pytest.approx(((prediction - y) ** 2).mean(), rel=1e-5)
    assert loss == pytest.approx(mse, rel=1e-5)
    assert largest == pytest.approx(np.abs(prediction - y).max(axis=-1).mean(), rel=1e-5)


def test_validation_split_holds_out_the_last_examples():
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.zeros((20, 4), np.float32)
    model = frozen_model("mse", [], nn.Sequential(nn.Linear(2, 4)))
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[15:], y[15:]))


def test_shuffling_follows_the_seed():
    def train():
        minigrad.manual_seed(9)
        x, labels = sequence_task(n=64)
        model = Model(nn.Sequential(nn.Flatten(), nn.Linear(24, 2)))
        model.compile(optimizer="sgd", loss=nn.CrossEntropyLoss())
        return model.fit(x, labels, batch_size=8, epochs=2, verbose=0).history["loss"]

    assert train() == train()


def test_gradient_clipping_bounds_the_step():
    minigrad.manual_seed(10)
    module = nn.Linear(2, 1)
    before = module.weight._array.copy()
    model = Model(module)
    model.compile(optimizer=optim.SGD(module.parameters(), lr=1.0), loss="mse", clip_grad_norm=0.5)
    model.fit(np.full((4, 2), 100.0, np.float32), np.zeros((4, 1), np.float32), epochs=1,
              batch_size=4, verbose=0, shuffle=False)  # fmt: skip
    assert np.linalg.norm(module.weight._array - before) <= 0.5 + 1e-6


# ----------------------------------------------------------------------- callbacks


class Scripted:
    """A stand-in model for callbacks driven by scripted figures."""

    def __init__(self, lr=1.0):
        self.stop_training = False
        self.learning_rate = lr
        self.module = nn.Linear(1, 1)


def drive(callback, values, monitor="val_loss", model=None):
    model = model or Scripted()
    callback.set_model(model)
    callback.on_train_begin()
    stopped = None
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            stopped = epoch
            break
    return model, stopped


def test_early_stopping_waits_patience_epochs():
    _, stopped = drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.91, 0.5])
    assert stopped == 3  # no improvement at epochs 2 and 3
    _, stopped = drive(EarlyStopping(patience=1, min_delta=0.2), [1.0, 0.9, 0.7])
    assert stopped == 1  # 0.9 is not better by more than 0.2
    _, stopped = drive(EarlyStopping(monitor="val_accuracy", patience=1), [0.5, 0.6, 0.55],
                       monitor="val_accuracy")  # fmt: skip
    assert stopped == 2  # "auto" maximises accuracies


def test_early_stopping_restores_the_best_weights():
    model = Scripted()
    callback = EarlyStopping(patience=1, restore_best_weights=True)
    callback.set_model(model)
    callback.on_train_begin()
    weights = []
    for epoch, value in enumerate([1.0, 0.5, 0.7, 0.8]):
        model.module.weight._array[...] = epoch
        weights.append(epoch)
        callback.on_epoch_end(epoch, {"val_loss": value})
        if model.stop_training:
            break
    assert model.stop_training and model.module.weight._array.item() == 1.0


def test_reduce_lr_on_plateau():
    # Reduced after two epochs without improvement (epoch 2); the count then restarts.
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=2), [1.0] * 4)
    assert model.learning_rate == 0.5
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=2), [1.0] * 5)
    assert model.learning_rate == 0.25
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 1.0, 0.5, 0.4, 0.3])
    assert model.learning_rate == 1.0  # improving by more than min_delta every epoch
    # Keras's cooldown counts down at the start of each epoch's check: with cooldown=2,
    # epoch 1 reduces, epoch 2 is skipped, epoch 3 counts (and reduces, patience 1).
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2), [1.0] * 3)
    assert model.learning_rate == 0.5
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2), [1.0] * 4)
    assert model.learning_rate == 0.25
    model, _ = drive(ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.3), [1.0] * 6)
    assert model.learning_rate == 0.3


def test_learning_rate_scheduler_with_a_function_and_with_a_scheduler():
    minigrad.manual_seed(11)
    x, y = np.zeros((8, 2), np.float32), np.zeros((8, 1), np.float32)
    model = Model(nn.Linear(2, 1))
    model.compile(optimizer="sgd", loss="mse")
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return 0.1 / (epoch + 1)

    model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert seen == pytest.approx([0.01, 0.1, 0.05]) and model.learning_rate == pytest.approx(
        0.1 / 3
    )
    module = nn.Linear(2, 1)
    optimizer = optim.SGD(module.parameters(), lr=1.0)
    model = Model(module)
    model.compile(optimizer=optimizer, loss="mse")
    steps = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(steps)])
    assert model.learning_rate == pytest.approx(0.125)


def test_model_checkpoint_and_csv_logger(tmp_path):
    minigrad.manual_seed(12)
    x, labels = sequence_task(n=32)
    module = nn.Sequential(nn.Flatten(), nn.Linear(24, 2))
    model = Model(module)
    model.compile(optimizer="adam", loss=nn.CrossEntropyLoss(), metrics=["accuracy"])
    pattern = str(tmp_path / "weights-{epoch:02d}.npz")
    log = tmp_path / "log.csv"
    model.fit(x, labels, epochs=2, verbose=0, validation_data=(x, labels),
              callbacks=[ModelCheckpoint(pattern), CSVLogger(str(log))])  # fmt: skip
    saved = minigrad.load(str(tmp_path / "weights-02.npz"))
    for name, tensor in module.state_dict().items():
        np.testing.assert_array_equal(saved[name]._array, tensor._array)
    assert (tmp_path / "weights-01.npz").exists()
    rows = list(csv.DictReader(log.open()))
    assert [row["epoch"] for row in rows] == ["0", "1"]
    assert set(rows[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}


# ----------------------------------------------------------------------- output, errors


def test_progress_lines(capsys):
    x, y = np.zeros((10, 2), np.float32), np.zeros((10, 1), np.float32)
    model = Model(nn.Linear(2, 1))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, batch_size=4, verbose=1)  # not a terminal: a line per epoch
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("3/3 - ") and "loss: " in lines[1] and "mae: " in lines[1]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_bar_is_live(monkeypatch):
    x, y = np.zeros((10, 2), np.float32), np.zeros((10, 1), np.float32)
    model = Model(nn.Linear(2, 1))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    model.fit(x, y, epochs=1, batch_size=4, verbose=1)
    text = terminal.getvalue()
    assert text.startswith("Epoch 1/1\n")
    updates = text[len("Epoch 1/1\n"):].split("\r")[1:]
    # One rewrite of the line per step, then the finished bar on its own line.
    assert [u.split(" ")[0] for u in updates] == ["1/3", "2/3", "3/3", "3/3"]
    assert "[=========>" in updates[0] and "ETA: " in updates[0] and "loss: " in updates[0]
    assert updates[-1].startswith("3/3 [" + "=" * 30 + "]") and updates[-1].endswith("\n")
    assert text.count("\n") == 2

    terminal.seek(0)
    terminal.truncate()
    predictions = model.predict(x, batch_size=5, verbose=1)
    assert predictions.shape == (10, 1)
    updates = terminal.getvalue().split("\r")[1:]
    assert [u.split(" ")[0] for u in updates] == ["1/2", "2/2", "2/2"]
    assert updates[-1].endswith("\n")

    terminal.seek(0)
    terminal.truncate()
    model.predict(x, verbose=0)
    assert terminal.getvalue() == ""


def test_predict_verbose_off_a_terminal_prints_one_line(capsys):
    model = Model(nn.Linear(2, 1))
    model.compile(optimizer="sgd", loss="mse")
    model.predict(np.zeros((10, 2), np.float32), batch_size=4, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("3/3 - ")


def test_summary_counts_parameters(capsys):
    module = nn.Sequential(nn.LSTM(3, 4, batch_first=True), nn.LastOutput(), nn.Linear(4, 2))
    text = Model(module).summary(input_shape=(5, 3))
    total = sum(p._array.size for p in module.parameters())
    assert f"Total params: {total:,}" in text and "(1, 2)" in text
    assert "LastOutput" in capsys.readouterr().out


def test_errors_a_student_meets():
    model = Model(nn.Sequential(nn.LSTM(3, 4, batch_first=True)))
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 5, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(loss="mse", metrics=["precision"])
    model.compile(loss="mse")
    with pytest.raises(TypeError, match="SequenceOutput.*LastOutput"):
        model.fit(np.zeros((2, 5, 3)), np.zeros((2, 4)), verbose=0)
    linear = Model(nn.Linear(3, 1))
    linear.compile(loss="mse")
    with pytest.raises(ValueError, match="3 and 2"):
        linear.fit(np.zeros((3, 3)), np.zeros((2, 1)), verbose=0)
    with pytest.raises(TypeError, match="nn.Module"):
        Model(lambda x: x)
    assert repr(linear) == "Model(Linear, optimizer=RMSprop, metrics=[])"


def test_history_plot(tmp_path):
    model = Model(nn.Linear(2, 1))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = np.zeros((8, 2), np.float32), np.ones((8, 1), np.float32)
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y))
    assert history.history["loss"][1] < history.history["loss"][0]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"minigrad\[examples\]"):
            history.plot()
    else:
        figure = history.plot(str(tmp_path / "curves.png"))
        assert (tmp_path / "curves.png").exists()
        assert len(figure.axes) == 2  # loss and mae, each with its val_ curve


def test_messages_a_student_meets():
    module = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        optim.Adam(module)
    optimizer = optim.SGD(module.parameters(), lr=0.1)
    assert repr(optim.lr_scheduler.StepLR(optimizer, 2, gamma=0.5)) == (
        "StepLR(step_size=2, gamma=0.5, last_epoch=0, lr=[0.1])"
    )
    # Truncated BPTT without detaching the carried state: the error says what to do.
    cell = nn.RNNCell(2, 3)
    h = cell(minigrad.randn(1, 2))
    h.sum().backward()
    with pytest.raises(RuntimeError, match=r"detach it between batches"):
        cell(minigrad.randn(1, 2), h).sum().backward()


def test_fit_evaluate_and_predict_take_a_data_loader():
    from minigrad.utils.data import DataLoader, TensorDataset

    minigrad.manual_seed(13)
    x, labels = sequence_task(n=64)
    data = TensorDataset(minigrad.tensor(x), minigrad.tensor(labels))
    model = Model(nn.Sequential(nn.GRU(3, 8, batch_first=True), nn.LastOutput(), nn.Linear(8, 2)))
    model.compile(optimizer="adam", loss=nn.CrossEntropyLoss(), metrics=["accuracy"])
    history = model.fit(DataLoader(data, batch_size=16, shuffle=True), epochs=3, verbose=0,
                        validation_data=DataLoader(data, batch_size=32))  # fmt: skip
    assert len(history.history["val_accuracy"]) == 3
    loss, accuracy = model.evaluate(DataLoader(data, batch_size=10))
    assert loss == pytest.approx(model.evaluate(x, labels, batch_size=64)[0], rel=1e-5)
    assert model.predict(DataLoader(data, batch_size=20)).shape == (64, 2)
    with pytest.raises(ValueError, match="y=None"):
        model.fit(DataLoader(data, batch_size=16), labels)
