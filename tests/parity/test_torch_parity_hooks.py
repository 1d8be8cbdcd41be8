"""Tensor and module hooks against PyTorch: each program is written once against a
module alias (``lib`` is ``torch`` or ``minigrad``), run with both from the same weights,
and what it records (gradients seen by hooks, the gradients that result, the order of the
calls) must agree. Skipped when PyTorch is not installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402

LIBRARIES = {"torch": torch, "minigrad": minigrad}
RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 3))
W1, B1 = RNG.standard_normal((5, 3)), RNG.standard_normal(5)
W2, B2 = RNG.standard_normal((2, 5)), RNG.standard_normal(2)


def as_array(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, tuple)):
        return value
    return np.asarray(value.detach().numpy())


def model(lib: Any) -> Any:
    net = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2)).double()
    with lib.no_grad():
        for layer, (w, b) in ((net[0], (W1, B1)), (net[2], (W2, B2))):
            layer.weight.copy_(lib.tensor(w))
            layer.bias.copy_(lib.tensor(b))
    return net


def tensor_hooks(lib: Any) -> list[Any]:
    log: list[Any] = []
    x = lib.tensor(X, requires_grad=True)
    x.register_hook(lambda g: log.append(("x", as_array(g))))
    x.register_hook(lambda g: g * 3.0)  # replaces what .grad receives
    h = (x * x).sin()
    h.register_hook(lambda g: log.append(("h", as_array(g))))
    handle = h.register_hook(lambda g: g + 1.0)
    h.retain_grad()  # keeps the gradient after the hooks (PyTorch 2)
    h.sum().backward(retain_graph=True)
    log += [("x.grad", as_array(x.grad)), ("h.grad", as_array(h.grad))]
    handle.remove()
    x.grad = None
    h.sum().backward()
    log += [("x.grad again", as_array(x.grad))]
    z = lib.tensor(X, requires_grad=True)
    z.register_hook(lambda g: g * 0.5)
    (gz,) = lib.autograd.grad((z * 2.0).sum(), z)
    log.append(("grad() through a leaf hook", as_array(gz)))
    t = lib.tensor(X, requires_grad=True)
    y = t.tanh()
    y.register_hook(lambda g: g * y)  # recorded with create_graph, and runs again below
    (gt,) = lib.autograd.grad(y.sum(), t, create_graph=True)
    (second,) = lib.autograd.grad(gt.sum(), t)
    log += [("create_graph through a hook", as_array(gt)), ("second order", as_array(second))]
    return log


def module_hooks(lib: Any) -> list[Any]:
    log: list[Any] = []
    net = model(lib)
    first, last = net[0], net[2]
    first.register_forward_pre_hook(lambda m, args: log.append(("pre", as_array(args[0]))))
    first.register_forward_pre_hook(lambda m, args: (args[0] * 2.0,))
    first.register_forward_pre_hook(
        lambda m, args: log.append(("prepended", as_array(args[0]))), prepend=True
    )
    last.register_forward_hook(lambda m, args, out: out * -1.0)
    last.register_forward_hook(
        lambda m, args, kwargs, out: log.append(("kwargs", tuple(kwargs))), with_kwargs=True
    )

    def backward_hook(module: Any, grad_input: Any, grad_output: Any) -> Any:
        log.append(("grad_input", [as_array(g) for g in grad_input]))
        log.append(("grad_output", [as_array(g) for g in grad_output]))
        return (grad_input[0] * 10.0,)

    handle = last.register_full_backward_hook(backward_hook)
    x = lib.tensor(X, requires_grad=True)
    out = net(x)
    log.append(("out", as_array(out)))
    (out * out).sum().backward()
    log += [("x.grad", as_array(x.grad)), ("w1.grad", as_array(first.weight.grad))]
    log.append(("w2.grad", as_array(last.weight.grad)))
    handle.remove()
    first.register_full_backward_hook(
        lambda m, gi, go: log.append(("no input grad", [g is None for g in gi], as_array(go[0])))
    )
    with pytest.warns(UserWarning, match="(?i)inputs? requires?"):
        net(lib.tensor(X)).sum().backward()  # both libraries warn that grad_input is None
    return log


@pytest.mark.parametrize("program", [tensor_hooks, module_hooks])
def test_hooks_match_pytorch(program):
    ours, theirs = program(minigrad), program(torch)
    assert [entry[0] for entry in ours] == [entry[0] for entry in theirs]
    for mine, reference in zip(ours, theirs):
        for a, b in zip(mine[1:], reference[1:]):
            if isinstance(a, list):
                assert len(a) == len(b), mine[0]
                for p, q in zip(a, b):
                    if p is None or isinstance(p, bool):
                        assert p == q, mine[0]
                    else:
                        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14, err_msg=mine[0])
            elif isinstance(a, np.ndarray):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=mine[0])
            else:
                assert a == b, mine[0]
