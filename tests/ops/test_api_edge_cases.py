"""Edge cases of the API that the torch parity files do not reach: dtype promotion of
mixed tensors (and the gradients flowing back), the bitwise operators, the forms of
randint and arange, PyTorch's keyword names, and 0-d tensors in the shape functions.

Tests that compare with PyTorch skip themselves when it is not installed; the others
state the expected values directly.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.ops._common import promote_types

DTYPES = [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_]


def _torch():
    return pytest.importorskip("torch")


# --------------------------------------------------------------------------- promotion


@pytest.mark.parametrize("right", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("left", DTYPES, ids=lambda d: np.dtype(d).name)
def test_promote_types_is_torch_promote_types(left, right):
    torch = _torch()
    as_torch = {np.dtype(d): getattr(torch, np.dtype(d).name) for d in DTYPES}
    as_torch[np.dtype(np.bool_)] = torch.bool
    expected = torch.promote_types(as_torch[np.dtype(left)], as_torch[np.dtype(right)])
    ours = promote_types(np.dtype(left), np.dtype(right))
    assert as_torch[ours] == expected, f"{ours} != torch's {expected}"


def test_category_decides_before_width():
    ints = minigrad.tensor([1, 2])  # int64
    floats = minigrad.tensor([0.5, 1.5])  # float32
    assert (ints + floats).dtype == minigrad.float32
    assert (floats * ints).dtype == minigrad.float32
    assert (ints / floats).dtype == minigrad.float32
    flags = minigrad.tensor([True, False])
    assert (flags + minigrad.tensor([1, 2], dtype=minigrad.int32)).dtype == minigrad.int32
    assert (flags * minigrad.tensor([1, 2], dtype=minigrad.uint8)).dtype == minigrad.uint8
    # Within a category the wider type, whatever the ranks (the README's rule).
    wide = minigrad.tensor(2.0, dtype=minigrad.float64)
    assert (floats * wide).dtype == minigrad.float64


def test_gradient_keeps_the_float_input_dtype_with_an_integer_operand():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)  # float32
    counts = minigrad.tensor([3, 4])  # int64
    y = x * counts
    assert y.dtype == minigrad.float32
    y.sum().backward()
    assert x.grad.dtype == minigrad.float32
    np.testing.assert_array_equal(x.grad._array, [3.0, 4.0])


def test_cat_and_stack_promote_as_binary_ops_and_send_each_piece_its_own_dtype():
    ints = minigrad.tensor([1, 2])
    floats = minigrad.tensor([0.5], requires_grad=True)
    joined = minigrad.cat([ints, floats])
    assert joined.dtype == minigrad.float32
    np.testing.assert_array_equal(joined._array, [1.0, 2.0, 0.5])
    narrow = minigrad.tensor([1.0, 2.0], requires_grad=True)
    wide = minigrad.tensor([3.0, 4.0], dtype=minigrad.float64, requires_grad=True)
    stacked = minigrad.stack([narrow, wide])
    assert stacked.dtype == minigrad.float64
    (stacked * minigrad.tensor([[1.0], [2.0]], dtype=minigrad.float64)).sum().backward()
    assert narrow.grad.dtype == minigrad.float32 and wide.grad.dtype == minigrad.float64
    np.testing.assert_array_equal(narrow.grad._array, [1.0, 1.0])
    np.testing.assert_array_equal(wide.grad._array, [2.0, 2.0])


def test_matmul_promotes_as_binary_ops_and_sends_each_input_its_own_dtype():
    ints = minigrad.tensor([[1, 2]])
    floats = minigrad.tensor([[0.5], [1.0]], requires_grad=True)
    product = ints @ floats
    assert product.dtype == minigrad.float32  # NumPy's rule would give float64
    np.testing.assert_array_equal(product._array, [[2.5]])
    product.sum().backward()
    assert floats.grad.dtype == minigrad.float32
    np.testing.assert_array_equal(floats.grad._array, [[1.0], [2.0]])


# --------------------------------------------------------------------------- bitwise


BITWISE = [
    ("~x", lambda x, y: ~x),
    ("x & y", lambda x, y: x & y),
    ("x | y", lambda x, y: x | y),
    ("x ^ y", lambda x, y: x ^ y),
    ("x & 6", lambda x, y: x & 6),
    ("6 | x", lambda x, y: 6 | x),
    ("x ^ True", lambda x, y: x ^ True),
    ("True & x", lambda x, y: True & x),
]
OPERANDS = [
    ("int64", [5, -3, 12], np.int64, [3, 6, -1], np.int64),
    ("uint8", [5, 200, 0], np.uint8, [3, 6, 255], np.uint8),
    ("int32_int64", [5, -3, 12], np.int32, [3, 6, -1], np.int64),
    ("bool", [True, False, True], np.bool_, [True, True, False], np.bool_),
    ("bool_int32", [True, False, True], np.bool_, [3, 6, -1], np.int32),
]


@pytest.mark.parametrize("name, op", BITWISE, ids=[b[0] for b in BITWISE])
@pytest.mark.parametrize(
    "left, left_dtype, right, right_dtype",
    [o[1:] for o in OPERANDS],
    ids=[o[0] for o in OPERANDS],
)
def test_bitwise_operators_match_torch(name, op, left, left_dtype, right, right_dtype):
    torch = _torch()
    a, b = np.array(left, dtype=left_dtype), np.array(right, dtype=right_dtype)
    ours = op(minigrad.tensor(a), minigrad.tensor(b))
    theirs = op(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
    expected = theirs.numpy()
    assert ours.dtype == expected.dtype, f"{name}: {ours.dtype} != torch's {expected.dtype}"
    np.testing.assert_array_equal(ours._array, expected)


def test_bitwise_operators_are_bitwise_on_integers():
    x = minigrad.tensor([1, 2, 6])
    assert (~x).tolist() == [-2, -3, -7] == minigrad.bitwise_not(x).tolist()
    assert minigrad.bitwise_and(x, 3).tolist() == x.bitwise_and(3).tolist() == [1, 2, 2]
    assert (x & 3).tolist() == [1, 2, 2]
    assert (x | 1).tolist() == [1, 3, 7]
    assert (x ^ x).tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    "op, message",
    [
        (lambda f, i: ~f, r"bitwise_not .*float32"),
        (lambda f, i: f & f, r"bitwise_and .*float32 and float32"),
        (lambda f, i: i | f, r"bitwise_or .*int64 and float32"),
        (lambda f, i: f ^ 1, r"bitwise_xor .*float32 and int"),
        (lambda f, i: i & 1.5, r"bitwise_and .*int64 and float"),
        (lambda f, i: 2.5 | i, r"bitwise_or .*float and int64"),
    ],
)
def test_bitwise_operators_refuse_floats_naming_the_dtypes(op, message):
    floats, ints = minigrad.tensor([1.0, 2.0]), minigrad.tensor([1, 2])
    with pytest.raises(TypeError, match=message):
        op(floats, ints)


def test_bitwise_operators_name_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        minigrad.tensor([1, 2]) & minigrad.tensor([1, 2, 3])


def test_inplace_bitwise_operators_change_the_tensor_and_its_views():
    x = minigrad.tensor([6, 5, 12])
    view = x[1:]
    original = x
    x &= minigrad.tensor([3, 1, 4])
    assert x is original and x.tolist() == [2, 1, 4] and view.tolist() == [1, 4]
    x |= 8
    assert x is original and x.tolist() == [10, 9, 12]
    x ^= minigrad.tensor([True, False, True])
    assert x is original and x.tolist() == [11, 9, 13] and x.dtype == minigrad.int64
    flags = minigrad.tensor([True, False])
    with pytest.raises(TypeError):
        flags &= minigrad.tensor([1.0, 0.0])
    assert flags.tolist() == [True, False]


# --------------------------------------------------------------------------- randint


def test_randint_forms_and_range():
    minigrad.manual_seed(0)
    for draw, (low, high) in [
        (minigrad.randint(10, (50,)), (0, 10)),
        (minigrad.randint(3, 10, (50,)), (3, 10)),
        (minigrad.randint(4, size=(50,)), (0, 4)),
        (minigrad.randint(high=4, size=[50]), (0, 4)),
        (minigrad.randint(low=-2, high=2, size=(5, 10)), (-2, 2)),
    ]:
        assert draw.dtype == minigrad.int64
        assert draw._array.min() >= low and draw._array.max() < high
        assert set(np.unique(draw._array)) == set(range(low, high))
    assert minigrad.randint(0, 3, (4,), dtype=minigrad.int32).dtype == minigrad.int32
    assert minigrad.randint(0, 3, ()).shape == ()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: minigrad.randint(10), TypeError, "size"),
        (lambda: minigrad.randint(10, 3), TypeError, "size"),
        (lambda: minigrad.randint(0, 10, 3), TypeError, "size"),
        (lambda: minigrad.randint(2.5, (2,)), TypeError, "high must be an int, got 2.5"),
        (lambda: minigrad.randint(0.5, 3, (2,)), TypeError, "low must be an int, got 0.5"),
        (lambda: minigrad.randint(5, 2, (2,)), ValueError, r"high \(2\).*low \(5\)"),
    ],
)
def test_randint_refuses_bad_arguments_before_drawing(call, error, message):
    minigrad.manual_seed(1)
    with pytest.raises(error, match=message):
        call()
    after_error = minigrad.randint(0, 1000, (5,)).tolist()
    minigrad.manual_seed(1)
    assert minigrad.randint(0, 1000, (5,)).tolist() == after_error


# --------------------------------------------------------------------------- arange


ARANGES = [
    ((-1.0, 2.0, 0.3), {}),
    ((0, 3, 0.1), {}),
    ((0, 1, 0.1), {"dtype": np.float64}),
    ((10.0, 0, -3), {}),
    ((0, 10, 2.5), {}),
    ((0.5, 7), {}),
    ((0, 7, 7), {}),
    ((5, 5), {}),
    ((1e20, 1e20 + 1), {}),
    ((10, 0, -3), {}),
    ((True,), {}),
    ((-2.5, 2.5), {"dtype": np.int64}),
    ((0.0, 5), {"dtype": np.int64}),
    ((-3, 0), {"dtype": np.uint8}),
    ((0, 5), {"dtype": np.float64}),
]


@pytest.mark.parametrize("args, kwargs", ARANGES, ids=[str(a[0]) for a in ARANGES])
def test_arange_matches_torch_length_dtype_and_values(args, kwargs):
    torch = _torch()
    ours = minigrad.arange(*args, **kwargs)
    their_kwargs = {"dtype": getattr(torch, np.dtype(kwargs["dtype"]).name)} if kwargs else {}
    theirs = torch.arange(*args, **their_kwargs).numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.dtype.kind == "f":
        np.testing.assert_array_max_ulp(ours._array, theirs, maxulp=1)
    else:
        np.testing.assert_array_equal(ours._array, theirs)


def test_arange_values_are_start_plus_i_step_rounded_once():
    values = minigrad.arange(-1.0, 2.0, 0.3)
    expected = (-1.0 + 0.3 * np.arange(10)).astype(np.float32)
    np.testing.assert_array_equal(values._array, expected)
    assert values._array[3] == np.float32(-0.1)
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert minigrad.arange(0, 1, 0.5).dtype == minigrad.float64
    finally:
        minigrad.set_default_dtype(minigrad.float32)
    assert minigrad.arange(end=3).tolist() == [0, 1, 2]
    assert minigrad.arange(minigrad.tensor(3)).tolist() == [0, 1, 2]
    assert minigrad.arange(0, 2, 0.5, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: minigrad.arange(1, 0), ValueError, r"end \(0\).*start \(1\).*step 1"),
        (lambda: minigrad.arange(0, 1, -0.5), ValueError, "wrong side"),
        (lambda: minigrad.arange(0, 1, 0), ValueError, "step must not be zero"),
        (lambda: minigrad.arange(0, 1, 0.3, dtype=minigrad.int64), ValueError, "zero"),
        (lambda: minigrad.arange(float("inf")), ValueError, "inf"),
        (lambda: minigrad.arange(0, float("nan")), ValueError, "nan"),
        (lambda: minigrad.arange(3, dtype=minigrad.bool), TypeError, "bool"),
        (lambda: minigrad.arange("3"), TypeError, "end must be a number, got str"),
    ],
)
def test_arange_refuses_what_torch_refuses(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- keywords


def test_torch_keyword_names_in_function_and_method_forms():
    x = minigrad.ones(2, 3, 4)
    assert minigrad.view(x, size=(4, 6)).shape == (4, 6)
    assert minigrad.expand(x[:, :1], size=(2, 3, 4)).shape == (2, 3, 4)
    assert x[0, 0].broadcast_to(size=[2, 4]).shape == (2, 4)
    assert minigrad.split(x, split_size=[1, 2], dim=1)[1].shape == (2, 2, 4)
    assert x.split(split_size_or_sections=3, dim=1)[0].shape == (2, 3, 4)
    for make in (minigrad.zeros, minigrad.ones, minigrad.empty, minigrad.rand, minigrad.randn):
        made = make(size=(2, 3), dtype=minigrad.float64)
        assert made.shape == (2, 3) and made.dtype == minigrad.float64


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: x.reshape(4, 6, shape=(4, 6)), "pass one"),
        (lambda x: x.view(4, 6, size=(4, 6)), "pass one"),
        (lambda x: x.permute(2, 0, 1, dims=(2, 0, 1)), "pass one"),
        (lambda x: x.expand(2, 3, 4, size=(2, 3, 4)), "pass one"),
        (lambda x: minigrad.zeros(2, size=(2,)), "pass one"),
        (lambda x: x.reshape(), "missing the shape"),
        (lambda x: x.permute(), "missing the dims"),
        (lambda x: x.split(2, split_size=2), "exactly one"),
        (lambda x: x.split(), "exactly one"),
        (lambda x: x.split(1.5), r"int or a list of ints, got 1\.5"),
        (lambda x: x.chunk(1.5), r"chunks must be an int, got 1\.5"),
    ],
)
def test_sizes_given_twice_or_not_at_all_are_refused(call, message):
    with pytest.raises(TypeError, match=message):
        call(minigrad.ones(2, 3, 4))


# --------------------------------------------------------------------------- 0-d tensors


ZERO_D = [
    ("stack", lambda m, s: m.stack([s, s])),
    ("stack_minus_one", lambda m, s: m.stack([s, s], -1)),
    ("flatten", lambda m, s: s.flatten()),
    ("flatten_0_minus_1", lambda m, s: s.flatten(0, -1)),
    ("transpose_0_0", lambda m, s: s.transpose(0, 0)),
    ("transpose_0_minus_1", lambda m, s: m.transpose(s, 0, -1)),
    ("squeeze_0", lambda m, s: s.squeeze(0)),
    ("squeeze_minus_1", lambda m, s: s.squeeze(-1)),
    ("unsqueeze_0", lambda m, s: s.unsqueeze(0)),
    ("unsqueeze_minus_1", lambda m, s: s.unsqueeze(-1)),
    ("permute_empty", lambda m, s: s.permute(())),
    ("expand", lambda m, s: s.expand(3)),
    ("reshape_1_1", lambda m, s: s.reshape(1, 1)),
]


@pytest.mark.parametrize("fn", [z[1] for z in ZERO_D], ids=[z[0] for z in ZERO_D])
def test_zero_d_tensors_in_shape_functions_match_torch(fn):
    torch = _torch()
    s = minigrad.tensor(2.0, dtype=minigrad.float64, requires_grad=True)
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ours, theirs = fn(minigrad, s), fn(torch, t)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours._array, theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    assert s.grad.item() == t.grad.item()


ZERO_D_REFUSED = [
    ("cat", lambda m, s: m.cat([s, s]), ValueError, r"zero-dimensional.*\[\(\), \(\)\]"),
    ("cat_mixed", lambda m, s: m.cat([s.reshape(1), s]), ValueError, r"tensor 1.*\(1,\), \(\)"),
    ("split", lambda m, s: s.split(1), ValueError, r"split: .*shape \(\)"),
    ("split_list", lambda m, s: m.split(s, [1]), ValueError, r"split: .*shape \(\)"),
    ("chunk", lambda m, s: s.chunk(1), ValueError, r"chunk: .*shape \(\)"),
    ("unbind", lambda m, s: s.unbind(), ValueError, r"unbind: .*shape \(\)"),
    ("flatten_1", lambda m, s: s.flatten(1), IndexError, "dimension 1"),
    ("flatten_minus_2", lambda m, s: s.flatten(-2), IndexError, "dimension -2"),
    ("transpose_0_1", lambda m, s: s.transpose(0, 1), IndexError, "dimension 1"),
    ("stack_1", lambda m, s: m.stack([s, s], 1), IndexError, "dimension 1"),
    ("size_0", lambda m, s: s.size(0), IndexError, "0-d tensor has no dimensions"),
    ("size_minus_1", lambda m, s: s.size(-1), IndexError, "0-d tensor has no dimensions"),
]


@pytest.mark.parametrize(
    "fn, error, message",
    [z[1:] for z in ZERO_D_REFUSED],
    ids=[z[0] for z in ZERO_D_REFUSED],
)
def test_zero_d_tensors_are_refused_where_torch_refuses_them(fn, error, message):
    with pytest.raises(error, match=message):
        fn(minigrad, minigrad.tensor(2.0))
    torch = _torch()
    with pytest.raises((RuntimeError, IndexError, ValueError)):
        fn(torch, torch.tensor(2.0))


def test_mT_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"mT .*shape \(2,\)"):
        _ = minigrad.ones(2).mT
    assert minigrad.ones(2, 3, 4).mT.shape == (2, 4, 3)


EMPTY_SPLITS = [
    ("chunk_3_of_0", lambda m: m.ones(0).chunk(3)),
    ("chunk_2_of_0_rows", lambda m: m.ones(0, 3).chunk(2)),
    ("split_0_of_0", lambda m: m.ones(0).split(0)),
    ("split_2_of_0", lambda m: m.ones(0).split(2)),
    ("split_with_zero_size", lambda m: m.ones(3).split([3, 0])),
]


@pytest.mark.parametrize("fn", [e[1] for e in EMPTY_SPLITS], ids=[e[0] for e in EMPTY_SPLITS])
def test_splitting_empty_dimensions_matches_torch(fn):
    torch = _torch()
    ours, theirs = fn(minigrad), fn(torch)
    assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: x.split(0), r"positive, got 0 .*size 3"),
        (lambda x: x.split(-1), "positive, got -1"),
        (lambda x: x.split([4, -1]), r"non-negative, got \[4, -1\]"),
        (lambda x: x.chunk(0), "positive, got 0"),
    ],
)
def test_split_sizes_that_torch_refuses_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(minigrad.ones(3))
