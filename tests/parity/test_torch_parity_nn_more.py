"""Parity with PyTorch for the later nn additions: values and gradients (float64) of the
new functional forms and losses, the containers' names, and the Embedding/LazyLinear
options. Skipped when torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as tnn  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

import minigrad  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad.testing import gradcheck  # noqa: E402

RNG = np.random.default_rng(2026)


def run_both(ours, theirs, *arrays, grads=None, atol=1e-12, rtol=1e-10):
    """Apply both functions to the same float64 arrays; compare outputs and the gradients
    of every floating input for one random upstream gradient."""
    grads = [a.dtype.kind == "f" for a in arrays] if grads is None else grads
    xs = [minigrad.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    txs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    out, tout = ours(*xs), theirs(*txs)
    assert out.shape == tuple(tout.shape)
    assert out.dtype == np.dtype(str(tout.dtype).replace("torch.", ""))
    np.testing.assert_allclose(out._array, tout.detach().numpy(), atol=atol, rtol=rtol)
    if any(grads) and out.dtype.kind == "f":
        upstream = RNG.standard_normal(out.shape)
        out.backward(minigrad.tensor(upstream))
        tout.backward(torch.tensor(upstream))
        for x, tx, g in zip(xs, txs, grads):
            if g:
                np.testing.assert_allclose(x.grad._array, tx.grad.numpy(), atol=atol, rtol=rtol)
    return out


# ----------------------------------------------------------------------------- item 1


def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 1]], dtype=np.int64)
    for classes in (-1, 6):
        run_both(lambda t, c=classes: F.one_hot(t, c),
                 lambda t, c=classes: TF.one_hot(t, c), labels)


def test_one_hot_errors_like_torch():
    with pytest.raises(TypeError, match="int64"):
        F.one_hot(minigrad.tensor([1, 2], dtype=minigrad.int32))
    with pytest.raises(RuntimeError):
        TF.one_hot(torch.tensor([1, 2], dtype=torch.int32))
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(minigrad.tensor([-1, 2]))
    with pytest.raises(ValueError, match="smaller than num_classes=2"):
        F.one_hot(minigrad.tensor([0, 2]), 2)
    with pytest.raises(RuntimeError):
        TF.one_hot(torch.tensor([0, 2]), 2)
    with pytest.raises(ValueError, match="empty tensor"):
        F.one_hot(minigrad.tensor(np.zeros(0, dtype=np.int64)))
    assert F.one_hot(minigrad.tensor(np.zeros(0, dtype=np.int64)), 3).shape == (0, 3)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch(approximate):
    x = RNG.standard_normal((3, 5)) * 3
    run_both(lambda t: F.gelu(t, approximate=approximate),
             lambda t: TF.gelu(t, approximate=approximate), x)
    run_both(nn.GELU(approximate), tnn.GELU(approximate), x)


def test_gelu_second_derivative_matches_torch():
    x = RNG.standard_normal(7) * 2
    ours = minigrad.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    (g,) = minigrad.autograd.grad(F.gelu(ours).sum(), ours, create_graph=True)
    (tg,) = torch.autograd.grad(TF.gelu(theirs).sum(), theirs, create_graph=True)
    np.testing.assert_allclose(g._array, tg.detach().numpy(), rtol=1e-12, atol=1e-12)
    g.sum().backward()
    tg.sum().backward()
    np.testing.assert_allclose(ours.grad._array, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_silu_matches_torch():
    x = RNG.standard_normal((4, 3)) * 4
    run_both(F.silu, TF.silu, x)
    run_both(nn.SiLU(), tnn.SiLU(), x)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize_matches_torch(p, dim):
    x = RNG.standard_normal((3, 4))
    x[1] = 0.0  # a zero row: divided by eps
    run_both(lambda t: F.normalize(t, p=p, dim=dim), lambda t: TF.normalize(t, p=p, dim=dim), x)


def test_cosine_similarity_matches_torch():
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    run_both(F.cosine_similarity, TF.cosine_similarity, a, b)
    run_both(lambda x, y: F.cosine_similarity(x, y, dim=0),
             lambda x, y: TF.cosine_similarity(x, y, dim=0), a, b)
    # Broadcasting, and a tiny vector whose norm is clamped at eps on its own.
    small = np.full((1, 4), 1e-10)
    run_both(F.cosine_similarity, TF.cosine_similarity, a, small)
    run_both(lambda x, y: F.cosine_similarity(x, y, eps=0.5),
             lambda x, y: TF.cosine_similarity(x, y, eps=0.5), a * 0.1, b)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("width", [0.0, 0.5, 2.0])
def test_smooth_l1_and_huber_match_torch(reduction, width):
    a, b = RNG.standard_normal((4, 3)) * 2, RNG.standard_normal((4, 3))
    run_both(lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=width),
             lambda x, y: TF.smooth_l1_loss(x, y, reduction=reduction, beta=width), a, b)
    run_both(nn.SmoothL1Loss(reduction=reduction, beta=width),
             tnn.SmoothL1Loss(reduction=reduction, beta=width), a, b)
    if width > 0:
        run_both(lambda x, y: F.huber_loss(x, y, reduction=reduction, delta=width),
                 lambda x, y: TF.huber_loss(x, y, reduction=reduction, delta=width), a, b)
        run_both(nn.HuberLoss(reduction, width), tnn.HuberLoss(reduction, width), a, b)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    logits = RNG.standard_normal((4, 5))
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    q = RNG.dirichlet(np.ones(5), size=4)
    q[0, 2] = 0.0  # a zero target contributes 0
    target = np.log(q + 1e-3) if log_target else q
    # The target's gradient is compared only for log targets: at a probability of 0
    # PyTorch's is log(0) + 1 - input = -inf, ours is masked out with the term itself.
    grads = [True, log_target]
    run_both(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
             lambda x, t: TF.kl_div(x, t, reduction=reduction, log_target=log_target),
             log_p, target, grads=grads)
    run_both(nn.KLDivLoss(reduction=reduction, log_target=log_target),
             tnn.KLDivLoss(reduction=reduction, log_target=log_target),
             log_p, target, grads=grads)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cosine_embedding_loss_matches_torch(reduction):
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    target = np.array([1, -1, 1, -1, -1], dtype=np.int64)
    for margin in (0.0, 0.3):
        run_both(lambda x, y, t, m=margin: F.cosine_embedding_loss(x, y, t, m, reduction=reduction),
                 lambda x, y, t, m=margin: TF.cosine_embedding_loss(x, y, t, m,
                                                                     reduction=reduction),
                 a, b, target)
        run_both(nn.CosineEmbeddingLoss(margin, reduction=reduction),
                 tnn.CosineEmbeddingLoss(margin, reduction=reduction), a, b, target)
    run_both(lambda x, y, t: F.cosine_embedding_loss(x, y, t),
             lambda x, y, t: TF.cosine_embedding_loss(x, y, t),
             a[0], b[0], np.array(-1, dtype=np.int64))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize("shape,widths", [((2, 5), (2, 1)), ((1, 2, 4, 5), (1, 2, 3, 0)),
                                          ((2, 3, 3, 4), (0, 2, 1, 1, 2, 1))])
def test_pad_matches_torch(mode, shape, widths):
    if mode == "reflect" and len(widths) == 6:
        widths = (0, 2, 1, 1, 2, 1)  # all below every size
    x = RNG.standard_normal(shape)
    if len(widths) == 6 and mode != "constant":
        x = RNG.standard_normal((1,) + shape)
    run_both(lambda t: F.pad(t, widths, mode=mode), lambda t: TF.pad(t, widths, mode=mode), x)


def test_pad_errors():
    x = minigrad.randn(1, 2, 3)
    with pytest.raises(ValueError, match="smaller than the padded dimension"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="trailing dimensions"):
        F.pad(minigrad.randn(3), (1, 1), mode="replicate")
    assert F.pad(x, (1, 1), value=2.0)._array[0, 0, 0] == 2.0


def test_gumbel_softmax_seeded():
    logits = minigrad.tensor(RNG.standard_normal((4, 6)), requires_grad=True)
    minigrad.manual_seed(0)
    soft = F.gumbel_softmax(logits, tau=0.5)
    assert soft.shape == (4, 6)
    np.testing.assert_allclose(soft._array.sum(-1), 1.0, rtol=1e-12)
    minigrad.manual_seed(0)
    again = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_array_equal(soft._array, again._array)
    minigrad.manual_seed(0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(hard._array)) <= {0.0, 1.0}
    np.testing.assert_array_equal(hard._array.sum(-1), 1.0)
    np.testing.assert_array_equal(hard._array.argmax(-1), soft._array.argmax(-1))
    # Straight-through: the gradient of the hard sample is the soft sample's.
    weights = minigrad.tensor(RNG.standard_normal((4, 6)))
    (hard * weights).sum().backward()
    hard_grad = logits.grad._array.copy()
    logits.grad = None
    (soft * weights).sum().backward()
    np.testing.assert_allclose(hard_grad, logits.grad._array, rtol=1e-12, atol=1e-14)
    minigrad.manual_seed(0)
    along0 = F.gumbel_softmax(logits, hard=True, dim=0)
    np.testing.assert_array_equal(along0._array.sum(0), 1.0)


# ----------------------------------------------------------------------------- containers


def _pair_of_models():
    """The same model in both libraries: a ParameterList and a ParameterDict (holding a
    non-tensor entry each) beside a layer with buffers, and one shared module."""

    def build(lib, mod):
        class Model(mod.Module):
            def __init__(self):
                super().__init__()
                self.scales = mod.ParameterList([lib.ones(3), lib.zeros(2, 2)])
                self.scales.append("not a parameter")
                self.scales.append(mod.Parameter(lib.ones(1)))
                self.table = mod.ParameterDict({"right": lib.ones(4), "left": lib.zeros(1)})
                self.table["note"] = 7
                self.table.update([("z", lib.ones(2)), ("a", lib.ones(3))])
                self.norm = mod.BatchNorm1d(3)
                self.shared = mod.Linear(2, 2)
                self.alias = self.shared

        return Model()

    return build(minigrad, nn), build(torch, tnn)


def test_parameter_containers_names_match_torch():
    ours, theirs = _pair_of_models()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours.table.keys()) == list(theirs.table.keys())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    ours_all = [n for n, _ in ours.named_modules(remove_duplicate=False)]
    assert ours_all == [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    ours_all = [n for n, _ in ours.named_parameters(remove_duplicate=False)]
    assert ours_all == [n for n, _ in theirs.named_parameters(remove_duplicate=False)]
    assert len(ours.scales) == len(theirs.scales) == 4
    assert ours.scales[2] == theirs.scales[2] == "not a parameter"
    assert ours.table["note"] == theirs.table["note"] == 7
    assert repr(ours.scales).splitlines()[3] == repr(theirs.scales).splitlines()[3]


def test_parameter_containers_load_and_convert_like_torch():
    ours, theirs = _pair_of_models()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    first = ours.scales[0]
    ours.to(minigrad.float64)
    theirs.to(torch.float64)
    assert ours.scales[0] is first and first.dtype == np.float64
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and p.dtype == np.dtype(str(tp.dtype).replace("torch.", ""))
        assert p.requires_grad == tp.requires_grad
        np.testing.assert_array_equal(p._array, tp.detach().numpy())


def test_get_submodule_parameter_buffer_match_torch():
    ours, theirs = _pair_of_models()
    for target in ("", "norm", "shared", "scales"):
        ours_type = type(ours.get_submodule(target)).__name__
        assert ours_type == type(theirs.get_submodule(target)).__name__
    for target in ("scales.1", "table.right", "norm.weight", "alias.bias"):
        assert ours.get_parameter(target).shape == tuple(theirs.get_parameter(target).shape)
    assert ours.get_buffer("norm.running_var").shape == (3,)
    cases = [
        ("get_submodule", "norm.missing"),
        ("get_submodule", "norm.weight"),
        ("get_submodule", "scales.2"),
        ("get_parameter", "norm.running_mean"),
        ("get_parameter", "nothing.weight"),
        ("get_parameter", "table.note"),
        ("get_buffer", "norm.weight"),
        ("get_buffer", "norm.absent"),
    ]
    for method, target in cases:
        with pytest.raises(AttributeError) as theirs_error:
            getattr(theirs, method)(target)
        with pytest.raises(AttributeError) as ours_error:
            getattr(ours, method)(target)
        assert str(ours_error.value) == str(theirs_error.value)


def test_registration_errors_like_torch():
    cases = [
        ("register_buffer", ("a.b", None), KeyError),
        ("register_buffer", ("", None), KeyError),
        ("register_buffer", (3, None), TypeError),
        ("register_buffer", ("training", None), KeyError),
        ("register_parameter", ("a.b", None), KeyError),
        ("register_parameter", ("forward", None), KeyError),
        ("add_module", ("a.b", None), KeyError),
        ("add_module", ("x", 3), TypeError),
    ]
    for method, args, error in cases:
        with pytest.raises(error):
            getattr(tnn.Module(), method)(*args)
        module = nn.Module()
        with pytest.raises(error):
            getattr(module, method)(*args)
        assert not module._parameters and not module._buffers and not module._modules
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter 'w'"):
        nn.Module().register_parameter("w", minigrad.zeros(2))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        nn.Module().register_buffer("b", 3)
    module = nn.Module()
    module.register_buffer("b", minigrad.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'b'"):
        module.b = 3


def test_buffer_persistence_and_requires_grad_like_torch():
    for lib, mod in ((minigrad, nn), (torch, tnn)):
        module = mod.Linear(2, 2)
        module.register_buffer("scratch", lib.zeros(2), persistent=False)
        module.register_buffer("kept", lib.zeros(1))
        assert list(module.state_dict()) == ["weight", "bias", "kept"]
        module.register_buffer("scratch", lib.ones(2))  # now persistent
        assert list(module.state_dict()) == ["weight", "bias", "scratch", "kept"]
        module.register_buffer("gone", lib.zeros(1), persistent=False)
        del module.gone
        module.gone = mod.Parameter(lib.zeros(1))  # a parameter, saved
        assert list(module.state_dict()) == ["weight", "bias", "gone", "scratch", "kept"]
        module.register_buffer("swap", lib.zeros(1), persistent=False)
        module.swap = mod.Parameter(lib.zeros(1))  # replaces the buffer: saved now
        assert "swap" in module.state_dict() and "swap" not in dict(module.named_buffers())
        assert module.requires_grad_(False) is module
        assert not any(p.requires_grad for p in module.parameters())
        assert [n for n, _ in module.named_buffers()] == ["scratch", "kept"]


# ----------------------------------------------------------------------------- Embedding


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_embedding_max_norm_and_frequency_scaling_match_torch(norm_type, scale_grad_by_freq):
    table = RNG.standard_normal((7, 4)) * 2
    table[3] *= 0.01  # a row shorter than max_norm stays as it is
    indices = np.array([[0, 2, 2, 3], [6, 0, 0, 1]])
    options = dict(padding_idx=1, max_norm=1.25, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq)
    ours_weight = minigrad.tensor(table.copy(), requires_grad=True)
    theirs_weight = torch.tensor(table.copy(), requires_grad=True)
    out = F.embedding(minigrad.tensor(indices), ours_weight, **options)
    tout = TF.embedding(torch.tensor(indices), theirs_weight, **options)
    np.testing.assert_allclose(out._array, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    # The renormalisation wrote into the weights themselves, the rows looked up only.
    np.testing.assert_allclose(ours_weight._array, theirs_weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours_weight._array[[3, 4, 5]], table[[3, 4, 5]])
    assert ours_weight.grad_fn is None and ours_weight.is_leaf
    upstream = RNG.standard_normal(out.shape)
    out.backward(minigrad.tensor(upstream))
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours_weight.grad._array, theirs_weight.grad.numpy(), rtol=1e-12)


def test_embedding_frequency_scaling_gradient_with_graph():
    """The scaled gradient (create_graph=True) matches torch's, and so does its own
    derivative, which is exact (finite differences of the scaled gradient): the scale
    is applied once on every path."""
    table = RNG.standard_normal((5, 3))
    indices = np.array([1, 1, 4, 1, 0])

    def gradient(weight, lib, functional):
        out = functional.embedding(lib.tensor(indices), weight, scale_grad_by_freq=True)
        return lib.autograd.grad((out**3).sum(), weight, create_graph=True)[0]

    ours_weight = minigrad.tensor(table, requires_grad=True)
    theirs_weight = torch.tensor(table, requires_grad=True)
    ours, theirs = gradient(ours_weight, minigrad, F), gradient(theirs_weight, torch, TF)
    np.testing.assert_allclose(ours._array, theirs.detach().numpy(), rtol=1e-12)
    (ours**2).sum().backward()
    (theirs**2).sum().backward()
    np.testing.assert_allclose(ours_weight.grad._array, theirs_weight.grad.numpy(), rtol=1e-12)
    assert gradcheck(lambda w: gradient(w, minigrad, F), (ours_weight,))


def test_embedding_max_norm_is_an_in_place_change_like_torch():
    table = RNG.standard_normal((4, 2)) * 3
    for lib, mod in ((minigrad, nn), (torch, tnn)):
        layer = mod.Embedding.from_pretrained(lib.tensor(table.copy()), freeze=False, max_norm=0.5)
        saved = (layer.weight * layer.weight).sum()  # saves the weights
        layer(lib.tensor([0, 1]))
        with pytest.raises(RuntimeError, match="modified by an in-?place operation"):
            saved.backward()


def test_embedding_from_pretrained_matches_torch():
    table = RNG.standard_normal((5, 3))
    for freeze in (True, False):
        ours_source = minigrad.tensor(table.copy())
        theirs_source = torch.tensor(table.copy())
        ours = nn.Embedding.from_pretrained(ours_source, freeze=freeze, padding_idx=-1)
        theirs = tnn.Embedding.from_pretrained(theirs_source, freeze=freeze, padding_idx=-1)
        assert repr(ours) == repr(theirs) == "Embedding(5, 3, padding_idx=4)"
        assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
        assert type(ours.weight) is nn.Parameter
        # The weights share the given tensor's memory; the padding row is not zeroed.
        ours.weight._array[0, 0] = 42.0
        theirs.weight.data[0, 0] = 42.0
        assert ours_source._array[0, 0] == theirs_source[0, 0].item() == 42.0
        np.testing.assert_array_equal(ours.weight._array[4], theirs.weight.detach().numpy()[4])
        indices = np.array([[4, 0], [2, 4]])
        np.testing.assert_array_equal(
            ours(minigrad.tensor(indices))._array, theirs(torch.tensor(indices)).detach().numpy()
        )
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    options = dict(max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)
    ours = nn.Embedding.from_pretrained(minigrad.tensor(table), **options)
    theirs = tnn.Embedding.from_pretrained(torch.tensor(table), **options)
    assert repr(ours) == repr(theirs)
    assert repr(nn.Embedding(3, 2, max_norm=1)) == repr(tnn.Embedding(3, 2, max_norm=1))


# ----------------------------------------------------------------------------- LazyLinear


def _lazy_pair():
    ours = nn.Sequential(nn.LazyLinear(5), nn.Tanh(), nn.LazyLinear(2, bias=False))
    theirs = tnn.Sequential(tnn.LazyLinear(5), tnn.Tanh(), tnn.LazyLinear(2, bias=False))
    return ours.double(), theirs.double()


@pytest.mark.parametrize("optimizer_first", [True, False])
def test_lazy_linear_dry_run_then_training_matches_torch(optimizer_first):
    ours, theirs = _lazy_pair()
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours_parameters, theirs_parameters = list(ours.parameters()), list(theirs.parameters())
    make = lambda: (  # noqa: E731
        minigrad.optim.Adam(ours.parameters(), lr=0.05),
        torch.optim.Adam(theirs.parameters(), lr=0.05),
    )
    if optimizer_first:
        ours_optimizer, theirs_optimizer = make()
    x = RNG.standard_normal((6, 3))
    ours(minigrad.tensor(x))
    theirs(torch.tensor(x))
    if not optimizer_first:
        ours_optimizer, theirs_optimizer = make()
    assert repr(ours) == repr(theirs)  # now plain Linear layers
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert all(a is b for a, b in zip(ours.parameters(), ours_parameters))
    assert all(a is b for a, b in zip(theirs.parameters(), theirs_parameters))
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and p.shape == tuple(tp.shape) and p.dtype == np.float64
        assert type(p) is nn.Parameter
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    target = RNG.standard_normal((6, 2))
    for _ in range(3):
        for model, optimizer, lib in ((ours, ours_optimizer, minigrad),
                                      (theirs, theirs_optimizer, torch)):
            optimizer.zero_grad()
            ((model(lib.tensor(x)) - lib.tensor(target)) ** 2).mean().backward()
            optimizer.step()
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p._array, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_lazy_linear_load_state_dict_before_the_first_call_matches_torch():
    source = tnn.Sequential(tnn.Linear(4, 5), tnn.Tanh(), tnn.Linear(5, 2, bias=False)).double()
    state = source.state_dict()
    ours, theirs = _lazy_pair()
    ours.load_state_dict({k: v.numpy() for k, v in state.items()})
    theirs.load_state_dict(state)
    assert repr(ours) == repr(theirs)  # still lazy: in_features=0 until the first call
    assert ours[0].weight.shape == tuple(theirs[0].weight.shape) == (5, 4)
    x = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(
        ours(minigrad.tensor(x))._array, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12
    )
    assert repr(ours) == repr(theirs)
    assert "in_features=4" in repr(ours[0])


def test_set_submodule_matches_torch():
    def build(mod):
        return mod.Sequential(mod.Linear(2, 3), mod.Sequential(mod.ReLU(), mod.Linear(3, 1)))

    ours, theirs = build(nn), build(tnn)
    ours.set_submodule("1.0", nn.Tanh())
    theirs.set_submodule("1.0", tnn.Tanh())
    ours.set_submodule("1.extra", nn.Identity())
    theirs.set_submodule("1.extra", tnn.Identity())
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    cases = [
        (("", nn.ReLU()), ("", tnn.ReLU()), ValueError),
        (("0.weight", nn.ReLU()), ("0.weight", tnn.ReLU()), AttributeError),
        (("2.x", nn.ReLU()), ("2.x", tnn.ReLU()), AttributeError),
        (("1.new", nn.ReLU(), True), ("1.new", tnn.ReLU(), True), AttributeError),
        (("0", 3), ("0", 3), ValueError),
    ]
    for ours_args, theirs_args, error in cases:
        with pytest.raises(error) as theirs_error:
            theirs.set_submodule(*theirs_args)
        with pytest.raises(error) as ours_error:
            ours.set_submodule(*ours_args)
        if error is AttributeError:
            assert str(ours_error.value) == str(theirs_error.value)
    assert repr(ours) == repr(theirs)
