"""From minigrad to PyTorch and back: a model trained in minigrad loads into the same
PyTorch model unchanged, gives the same outputs (to float32 rounding, and to 1e-12 in
float64), goes on training in PyTorch and comes back, still agreeing.

The task is the temporal order problem of Hochreiter & Schmidhuber (1997, experiment
6a): a sequence of distractor symbols holds an X or a Y in each of two windows, and the
class (XX, XY, YX, YY) is known only from their order. The model is an ``nn.LSTM`` and an
``nn.Linear`` read-out at the last step, written once as a class over a library's ``nn``
and built from ``minigrad.nn`` and from ``torch.nn``: minigrad keeps PyTorch's parameter
names, shapes and gate order (i, f, g, o), so a ``state_dict`` moves between the two as
it is. Tensors cross as NumPy arrays (``tensor.numpy()`` and ``torch.from_numpy`` one
way, ``tensor.numpy()`` and ``load_state_dict``, which takes arrays, the other). The
Adam optimizer's state moves too, both ways (``optimizer.state_dict()`` has PyTorch's
layout), so PyTorch continues the same run instead of restarting it.

The training loop is one function for both libraries (``import minigrad as torch``
style): training starts in minigrad, continues in PyTorch (the way to larger machines:
GPUs, distributed training), and the result is checked back in minigrad. As controls,
the same steps on the same batches are also taken in minigrad, and by both libraries in
float64: there the two runs agree to about 1e-11, so what differs in float32 is
rounding, which training amplifies. Without PyTorch installed the script trains in
minigrad, shows the NumPy round trip within minigrad, and says so.

Run: ``python examples/12_to_pytorch.py`` (under half a minute on two cores) or with
``--quick`` (seconds, most of them importing PyTorch).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad
from minigrad import data


def classifier_class(nn):
    """The model, written once over a library's ``nn`` (``minigrad.nn`` or ``torch.nn``)."""

    class LSTMClassifier(nn.Module):
        def __init__(self, features: int, hidden: int, classes: int):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True)
            self.out = nn.Linear(hidden, classes)

        def forward(self, x):
            output, _ = self.lstm(x)
            return self.out(output[:, -1])

    return LSTMClassifier


def train(library, model, optimizer, batches, steps: int, report_every: int) -> None:
    """The PyTorch loop, for ``library`` = minigrad or torch: the same code runs on both."""
    loss_fn = library.nn.CrossEntropyLoss()
    for step in range(1, steps + 1):
        x, labels = batches()
        loss = loss_fn(model(library.tensor(x)), library.tensor(labels))
        optimizer.zero_grad()
        loss.backward()
        library.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % report_every == 0 or step == steps:
            print(f"  step {step:>4}: training loss {loss.item():.4f}", flush=True)


def evaluate(library, model, x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Logits (as a NumPy array), mean cross-entropy and accuracy on a test set."""
    with library.no_grad():
        logits = model(library.tensor(x)).detach().numpy()
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probabilities[np.arange(len(labels)), labels].mean())
    return logits, loss, float((logits.argmax(axis=1) == labels).mean())


def to_torch(torch, value):
    """A minigrad state (a state_dict, or an optimizer's nested dicts) with every Tensor
    converted to a torch tensor through a NumPy array."""
    if isinstance(value, minigrad.Tensor):
        return torch.from_numpy(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {key: to_torch(torch, item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_torch(torch, item) for item in value]
    return value


def to_numpy(torch, value):
    """A torch state with every tensor converted to a NumPy array (what minigrad's
    ``load_state_dict`` methods take)."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, dict):
        return {key: to_numpy(torch, item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_numpy(torch, item) for item in value]
    return value


def max_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def print_table(stages: list, length: int, count: int) -> None:
    print(
        f"\nTemporal order (4 classes, chance 0.25), length {length}, {count} test "
        f"sequences; float32, float64: the largest |difference| between the test logits "
        f"and those of the model the weights came from"
    )
    print(f"{'stage':<30}{'in':<10}{'test loss':>10}{'accuracy':>10}{'float32':>10}{'float64':>10}")
    for stage, library, loss, accuracy, float32, float64 in stages:
        float32_text = "" if float32 is None else f"{float32:.1e}"
        float64_text = "" if float64 is None else f"{float64:.1e}"
        print(
            f"{stage:<30}{library:<10}{loss:>10.4f}{accuracy:>10.3f}{float32_text:>10}"
            f"{float64_text:>10}"
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short sequences, few steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    length, hidden, lr = (20, 24, 1e-2) if args.quick else (30, 32, 3e-3)
    minigrad_steps, torch_steps = (40, 40) if args.quick else (150, 150)
    every = 10 if args.quick else 50  # steps between progress lines
    features, classes = 8, 4
    minigrad.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)  # one stream of batches for the whole run
    x_test, y_test = data.temporal_order(500, length, seed=12345)
    x_test64 = x_test.astype(np.float64)

    def batches():
        return data.temporal_order(32, length, rng=rng)

    def timed(message: str):
        print(f"{message} ({time.perf_counter() - start:.1f} s)", flush=True)

    start = time.perf_counter()
    results: dict = {"length": length, "chance": 1 / classes}
    stages = []  # (stage, library, test loss, accuracy, float32 difference, float64 one)

    Classifier = classifier_class(minigrad.nn)
    model = Classifier(features, hidden, classes)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=lr)
    print(f"Temporal order, length {length}: {minigrad_steps} steps of Adam (lr {lr}) in minigrad")
    train(minigrad, model, optimizer, batches, minigrad_steps, every)
    logits, loss, accuracy = evaluate(minigrad, model, x_test, y_test)
    stages.append((f"after {minigrad_steps} steps", "minigrad", loss, accuracy, None, None))
    results["minigrad"] = {"loss": loss, "accuracy": accuracy}
    timed("trained in minigrad")

    try:
        import torch
    except ImportError:
        torch = None
    results["torch"] = torch is not None
    if torch is None:
        # The same state, as NumPy arrays, into a fresh minigrad model: the form in which
        # it would go to torch.from_numpy.
        arrays = {key: value.numpy() for key, value in model.state_dict().items()}
        copy = Classifier(features, hidden, classes)
        copy.load_state_dict(arrays)
        copy_logits, copy_loss, copy_accuracy = evaluate(minigrad, copy, x_test, y_test)
        difference = max_difference(copy_logits, logits)
        results["numpy_round_trip_difference"] = difference
        stages.append(
            ("as NumPy arrays, into a copy", "minigrad", copy_loss, copy_accuracy, difference, None)
        )
        print_table(stages, length, len(y_test))
        print(
            f"PyTorch is not installed, so nothing went to PyTorch: the state dict as NumPy "
            f"arrays, loaded into a fresh minigrad model, gives outputs within "
            f"{difference:.1e} of the original; with PyTorch installed (pip install torch) "
            f"this script loads them into torch.nn, trains on there and brings the weights "
            f"back."
        )
        return results

    TorchClassifier = classifier_class(torch.nn)

    def copy_of(library, Class, double=False):
        """A new model and Adam optimizer in ``library`` with the minigrad run's state."""
        # minigrad's load_state_dict methods copy what they are given: no conversion.
        convert = (lambda state: to_torch(torch, state)) if library is torch else (lambda s: s)
        new = Class(features, hidden, classes)
        if double:
            new = new.double()
        new.load_state_dict(convert(model.state_dict()))
        new_optimizer = library.optim.Adam(new.parameters(), lr=lr)
        new_optimizer.load_state_dict(convert(optimizer.state_dict()))
        return new, new_optimizer

    def largest_weight_difference(minigrad_model, torch_model) -> float:
        weights = minigrad_model.state_dict()
        return max(
            max_difference(weights[key].numpy(), value.numpy())
            for key, value in torch_model.state_dict().items()
        )

    torch_model, torch_optimizer = copy_of(torch, TorchClassifier)
    torch_logits, torch_loss, torch_accuracy = evaluate(torch, torch_model, x_test, y_test)

    def float64_difference() -> float:
        """Both models' current weights, widened to float64, on the same float64 input."""
        wide = Classifier(features, hidden, classes).double()
        wide.load_state_dict(model.state_dict())
        torch_wide = TorchClassifier(features, hidden, classes).double()
        torch_wide.load_state_dict(torch_model.state_dict())
        return max_difference(
            evaluate(minigrad, wide, x_test64, y_test)[0],
            evaluate(torch, torch_wide, x_test64, y_test)[0],
        )

    there = {
        "float32": max_difference(torch_logits, logits),
        "float64": float64_difference(),
        "same_predictions": bool((torch_logits.argmax(1) == logits.argmax(1)).all()),
    }
    results["to_torch"] = there
    row = (torch_loss, torch_accuracy, there["float32"], there["float64"])
    stages.append(("loaded into PyTorch", "torch", *row))
    timed("loaded into PyTorch and compared")

    # The controls, taken at this point: the same steps on the same batches in minigrad,
    # and in both libraries in float64 (where rounding is 1e-16 instead of 1e-7).
    continuation = [batches() for _ in range(torch_steps)]
    twin, twin_optimizer = copy_of(minigrad, Classifier)
    wide, wide_optimizer = copy_of(minigrad, Classifier, double=True)
    torch_wide, torch_wide_optimizer = copy_of(torch, TorchClassifier, double=True)

    print(f"{torch_steps} more steps of Adam in PyTorch (the optimizer state came along)")
    train(torch, torch_model, torch_optimizer, iter(continuation).__next__, torch_steps, every)
    torch_logits, torch_loss, torch_accuracy = evaluate(torch, torch_model, x_test, y_test)
    stages.append(
        (f"after {torch_steps} more steps", "torch", torch_loss, torch_accuracy, None, None)
    )
    results["torch_trained"] = {"loss": torch_loss, "accuracy": torch_accuracy}
    timed("trained in PyTorch")

    model.load_state_dict(to_numpy(torch, torch_model.state_dict()))
    optimizer.load_state_dict(to_numpy(torch, torch_optimizer.state_dict()))
    logits, loss, accuracy = evaluate(minigrad, model, x_test, y_test)
    back = {
        "float32": max_difference(logits, torch_logits),
        "float64": float64_difference(),
        "same_predictions": bool((torch_logits.argmax(1) == logits.argmax(1)).all()),
        "loss": loss,
        "accuracy": accuracy,
    }
    results["back"] = back
    stages.append(
        ("loaded back into minigrad", "minigrad", loss, accuracy, back["float32"], back["float64"])
    )
    timed("loaded back into minigrad and compared")

    print(f"Controls: the same {torch_steps} steps in minigrad; then in float64 in both")
    train(minigrad, twin, twin_optimizer, iter(continuation).__next__, torch_steps, torch_steps)
    wide_batches = [(x.astype(np.float64), labels) for x, labels in continuation]
    for library, network, network_optimizer in (
        (minigrad, wide, wide_optimizer),
        (torch, torch_wide, torch_wide_optimizer),
    ):
        wide_next = iter(wide_batches).__next__
        train(library, network, network_optimizer, wide_next, torch_steps, torch_steps)
    twin_logits, twin_loss, twin_accuracy = evaluate(minigrad, twin, x_test, y_test)
    control = {
        "loss": twin_loss,
        "accuracy": twin_accuracy,
        "weights": largest_weight_difference(twin, torch_model),
        "float64_weights": largest_weight_difference(wide, torch_wide),
    }
    results["minigrad_continued"] = control
    timed("controls trained")

    print_table(stages, length, len(y_test))
    print(
        f"The same {torch_steps} steps taken in minigrad instead: test loss {twin_loss:.4f}, "
        f"accuracy {twin_accuracy:.3f}, weights within {control['weights']:.1e} of "
        f"PyTorch's; taken in float64 by both libraries, within "
        f"{control['float64_weights']:.1e}: the same computation, whose float32 rounding "
        f"(1e-7) training amplifies."
    )
    exact = all(r["float32"] < 1e-5 and r["float64"] < 1e-12 for r in (there, back))
    improved = results["torch_trained"]["loss"] < results["minigrad"]["loss"]
    if exact and there["same_predictions"] and back["same_predictions"]:
        print(
            "Both ways the two libraries' outputs agree to float32 rounding (within 1e-5) "
            "and to 1e-12 in float64, with identical predictions"
            + (", and the training begun in minigrad went on in PyTorch." if improved else ".")
        )
    else:
        print("Unexpected: the two libraries' outputs differ by more than rounding.")
    return results


if __name__ == "__main__":
    main()
