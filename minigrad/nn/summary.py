"""``summary(module, input_shape)``: a table of a model's layers, their output shapes and
their parameter counts, as Keras's ``model.summary()`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.creation import zeros
from minigrad.nn.containers import Sequential
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

__all__ = ["summary"]


def _shape_of(value: Any) -> str:
    """The shape shown for a layer's output; a recurrent layer's (output, state) shows
    the output's shape and the state's."""
    if isinstance(value, Tensor):
        return str(tuple(value.shape))
    if isinstance(value, tuple):
        return "(" + ", ".join(_shape_of(v) for v in value) + ")"
    return type(value).__name__


def _count(module: Module) -> tuple[int, int]:
    parameters = list(module.parameters())
    total = sum(int(p._array.size) for p in parameters)
    trainable = sum(int(p._array.size) for p in parameters if p.requires_grad)
    return total, trainable


def _dtype_of(module: Module) -> Any:
    for parameter in module.parameters():
        if parameter._array.dtype.kind == "f":
            return parameter._array.dtype
    return np.float32


def summary(
    module: Module, input_shape: Sequence[int] | None = None, *, print_fn: Any = print
) -> str:
    """Print (with ``print_fn``) and return a table of ``module``'s layers: for a
    ``Sequential``, each of its modules; otherwise each direct child.

    ``input_shape`` is the shape of one example, without the batch dimension (Keras's
    convention): with it, a batch of one zero example runs through a ``Sequential``
    (recording nothing) and each layer's output shape is shown, with ``1`` for the batch
    dimension. Without it, or for a module that is not a ``Sequential``, only the
    parameter counts are shown.
    """
    if not isinstance(module, Module):
        raise TypeError(f"summary: expected a Module, got {type(module).__name__}")
    layers = list(module.named_children())
    shapes: list[str] = [""] * len(layers)
    if input_shape is not None and isinstance(module, Sequential):
        value: Any = zeros(1, *[int(n) for n in input_shape], dtype=_dtype_of(module))
        was_training = module.training
        module.eval()
        try:
            with no_grad():
                for index, (_, layer) in enumerate(layers):
                    value = layer(value)
                    shapes[index] = _shape_of(value)
        finally:
            module.train(was_training)
    rows = [("Layer (type)", "Output shape", "Param #")]
    for (name, layer), shape in zip(layers, shapes):
        rows.append((f"{name} ({type(layer).__name__})", shape, f"{_count(layer)[0]:,}"))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    rule = "-" * (sum(widths) + 4)

    def line(row: tuple[str, str, str]) -> str:
        return f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}"

    total, trainable = _count(module)
    text = "\n".join(
        [
            f"Model: {type(module).__name__}",
            rule,
            line(rows[0]),
            rule,
            *[line(row) for row in rows[1:]],
            rule,
            f"Total params: {total:,}",
            f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}",
        ]
    )
    print_fn(text)
    return text
