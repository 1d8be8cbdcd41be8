"""minigrad.viz: the DOT text of a known small graph, node by node and edge by edge."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import minigrad
from minigrad import nn, viz


def parse(source):
    """Nodes {id: label} and edges {(from, to): label} of the DOT text."""
    nodes = dict(re.findall(r"^  (n\d+) \[label=\"((?:[^\"\\]|\\.)*)\"", source, re.M))
    edges = {
        (a, b): label
        for a, b, label in re.findall(r"^  (n\d+) -> (n\d+) \[label=\"([^\"]*)\"", source, re.M)
    }
    return nodes, edges


def test_a_linear_layer_graph():
    minigrad.manual_seed(0)
    model = nn.Linear(3, 1)
    loss = model(minigrad.randn(4, 3)).tanh().sum()
    graph = viz.to_dot(loss, params=dict(model.named_parameters()))
    nodes, edges = parse(graph.source)
    by_label = {label: key for key, label in nodes.items()}
    assert set(by_label) == {"output ()", "SumBackward", "TanhBackward", "LinearBackward",
                             "weight", "bias"}  # fmt: skip
    forward = [
        ("weight", "LinearBackward", "(1, 3)"),
        ("bias", "LinearBackward", "(1,)"),
        ("LinearBackward", "TanhBackward", "(4, 1)"),
        ("TanhBackward", "SumBackward", "(4, 1)"),
        ("SumBackward", "output ()", "()"),
    ]
    assert edges == {(by_label[a], by_label[b]): shape for a, b, shape in forward}
    assert repr(graph) == "<minigrad.viz.Graph: 6 nodes; .source holds the DOT text>"


def test_shared_inputs_and_unnamed_leaves_and_values():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x + x  # x feeds two operations, the mul twice
    y.sum().backward()
    nodes, edges = parse(viz.to_dot(y, show_values=True).source)
    leaves = [key for key, label in nodes.items() if label.startswith("tensor (2,)")]
    assert len(leaves) == 1  # one node for the leaf, however often it is used
    assert "grad [3., 5.]" in nodes[leaves[0]].replace("\\n", "\n")  # 2x + 1
    from_leaf = [pair for pair in edges if pair[0] == leaves[0]]
    assert len(from_leaf) == 2  # to MulBackward (once per distinct consumer) and AddBackward
    assert {nodes[b] for _, b in from_leaf} == {"MulBackward", "AddBackward"}


def test_a_tensor_without_history_and_bad_input():
    nodes, edges = parse(viz.to_dot(minigrad.ones(2)).source)
    assert list(nodes.values()) == ["output (2,)"] and not edges
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.to_dot(np.ones(2))


def test_render(tmp_path):
    loss = (minigrad.randn(2, requires_grad=True) ** 2).sum()
    path = viz.render(loss, str(tmp_path / "graph.dot"))
    assert open(path).read().startswith("digraph minigrad {")
    with pytest.raises(ValueError, match=r"\.svg"):
        viz.render(loss, str(tmp_path / "graph.jpeg"))
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="apt install graphviz"):
            viz.render(loss, str(tmp_path / "graph.svg"))
        assert viz.to_dot(loss)._repr_svg_() is None
    else:
        viz.render(loss, str(tmp_path / "graph.svg"))
        assert "<svg" in (tmp_path / "graph.svg").read_text()
