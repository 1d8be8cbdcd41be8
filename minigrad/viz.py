"""Pictures of the graph that produced a tensor, in Graphviz's DOT language.

>>> import minigrad
>>> from minigrad import nn, viz
>>> model = nn.Linear(3, 1)
>>> loss = model(minigrad.randn(4, 3)).tanh().sum()
>>> graph = viz.to_dot(loss, params=dict(model.named_parameters()))
>>> print(graph.source)           # DOT text: paste it into any Graphviz viewer
>>> graph.render("loss.svg")      # needs the Graphviz program ``dot``

Each recorded operation is a box with its name (``TanhBackward``, as ``grad_fn``
shows it); each leaf tensor that receives a gradient is an oval, named after the module
parameter it is when ``params`` maps names to tensors (``model.named_parameters()``),
else after its shape; the output is a double oval. Edges run from inputs to the
operations that used them, in the forward direction, labelled with the shape that flows
along them. With ``show_values=True``, tensors of at most ``max_values`` elements also
show their values and, once ``backward`` has run, their gradients.

In a notebook a :class:`Graph` draws itself (``_repr_svg_``) when ``dot`` is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.autograd.function import AccumulateGrad
from minigrad.tensor import Tensor

__all__ = ["Graph", "to_dot", "render"]

_INSTALL_HINT = (
    "the Graphviz program 'dot' is not installed (apt install graphviz, brew install "
    "graphviz, or conda install graphviz); the DOT text is in graph.source"
)


class Graph:
    """A graph in DOT form: ``source`` is the text, ``render`` draws it to a file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        nodes = sum(
            1 for line in self.source.splitlines() if "[label=" in line and "->" not in line
        )
        return f"<minigrad.viz.Graph: {nodes} nodes; .source holds the DOT text>"

    def pipe(self, format: str = "svg") -> bytes:
        """The picture in ``format`` (``"svg"``, ``"png"``, ``"pdf"``), drawn by ``dot``."""
        program = shutil.which("dot")
        if program is None:
            raise RuntimeError(_INSTALL_HINT)
        done = subprocess.run(
            [program, f"-T{format}"], input=self.source.encode(), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def render(self, path: str) -> str:
        """Write the picture to ``path``, its format taken from the suffix (``.svg``,
        ``.png``, ``.pdf``; ``.dot`` or ``.gv`` writes the DOT text itself and needs no
        Graphviz). Returns the path."""
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix in ("dot", "gv"):
            with open(path, "w") as file:
                file.write(self.source)
        elif suffix in ("svg", "png", "pdf"):
            with open(path, "wb") as file:
                file.write(self.pipe(suffix))
        else:
            raise ValueError(
                f"render: cannot tell the format from {path!r}; end it in .svg, .png, .pdf or .dot"
            )
        return path

    def _repr_svg_(self) -> str | None:  # a notebook's display hook
        if shutil.which("dot") is None:
            return None
        return self.pipe("svg").decode()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(tensor: Tensor) -> str:
    return str(tuple(tensor.shape))


def _values(tensor: Tensor, show: bool, limit: int) -> str:
    if not show or tensor._array.size > limit:
        return ""
    text = "\n" + np.array2string(tensor._array, precision=4, separator=", ")
    if tensor.grad is not None:
        text += "\ngrad " + np.array2string(tensor.grad._array, precision=4, separator=", ")
    return text


def to_dot(
    tensor: Tensor,
    params: Mapping[str, Tensor] | None = None,
    *,
    show_values: bool = False,
    max_values: int = 6,
) -> Graph:
    """The graph that produced ``tensor`` as a :class:`Graph` (see the module docstring).
    ``params`` names the leaves (e.g. ``dict(model.named_parameters())``)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(tensor).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}
    lines = [
        "digraph minigrad {",
        '  graph [rankdir=TB, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    ids: dict[int, str] = {}

    def node_id(obj: Any) -> str:
        return ids.setdefault(id(obj), f"n{len(ids)}")

    def leaf(t: Tensor) -> str:
        key = node_id(t)
        if key not in declared:
            declared.add(key)
            label = names.get(id(t), "tensor " + _shape(t)) + _values(t, show_values, max_values)
            color = "lightblue" if id(t) in names else "lightyellow"
            lines.append(
                f"  {key} [label={_quote(label)}, shape=oval, style=filled, fillcolor={color}];"
            )
        return key

    declared: set[str] = set()
    output = node_id(tensor)
    declared.add(output)
    label = "output " + _shape(tensor) + _values(tensor, show_values, max_values)
    lines.append(
        f"  {output} [label={_quote(label)}, shape=doubleoctagon, style=filled, "
        f"fillcolor=palegreen];"
    )
    root = tensor.grad_fn
    if root is None:
        lines.append("}")
        return Graph("\n".join(lines))
    stack = [root]
    lines.append(f"  {node_id(root)} -> {output} [label={_quote(_shape(tensor))}];")
    while stack:
        current = stack.pop()
        key = node_id(current)
        if key in declared:
            continue
        declared.add(key)
        lines.append(f"  {key} [label={_quote(current.name())}, shape=box, style=rounded];")
        for given, (parent, _) in zip(current._inputs, current.next_functions):
            if given is None:
                continue
            if parent is None or isinstance(parent, AccumulateGrad):  # a leaf
                source = leaf(given)
            else:
                source = node_id(parent)
                stack.append(parent)
            lines.append(f"  {source} -> {key} [label={_quote(_shape(given))}];")
    lines.append("}")
    return Graph("\n".join(lines))


def render(
    tensor: Tensor, path: str, params: Mapping[str, Tensor] | None = None, **options: Any
) -> str:
    """``to_dot(tensor, params, **options).render(path)``: draw the graph to a file."""
    return to_dot(tensor, params, **options).render(path)
