"""The Tensor: one NumPy array, and the link to the operation that made it.

Read ``minigrad/autograd/scalar.py`` first: a Tensor is its ``Scalar`` with an array in
place of the float. It holds its values in ``._array`` (a NumPy array; the public
``.data`` is the same memory as a detached Tensor, as in PyTorch), its gradient in
``.grad`` (a Tensor, filled by ``backward``) and, when it was computed from tensors that
require gradients, the graph node that made it in ``.grad_fn`` (``minigrad.autograd``'s
``Function``). Every method that computes something is a function of ``minigrad.ops``;
this file holds the data structure, the Python operator protocol and the in-place
methods, whose machinery is in ``minigrad/autograd/history.py``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import devices as _devices
from minigrad import dtypes

if TYPE_CHECKING:
    from minigrad import ops as _ops_for_typing
    from minigrad.autograd import Function
    from minigrad.autograd.history import VersionCounter

__all__ = ["Tensor"]

_new = object.__new__


def _is_size(value: Any) -> builtins.bool:
    return isinstance(value, (builtins.int, np.integer)) and not isinstance(value, builtins.bool)


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    Create tensors with :func:`minigrad.tensor`, :func:`minigrad.zeros`,
    :func:`minigrad.randn` and the other constructors. ``Tensor(data)`` is PyTorch's
    legacy constructor: ``data`` copied in the default float dtype (``Tensor([1, 2])`` is
    float32, where ``minigrad.tensor([1, 2])`` is int64), ``Tensor(2, 3)`` a tensor of
    that shape (uninitialised in PyTorch, zeros here), ``Tensor()`` an empty one;
    minigrad's ``dtype=`` keyword picks another dtype.

    Attributes:
        data: the values as a detached Tensor sharing this one's memory (as PyTorch's
            ``.data``); ``.numpy()`` or ``np.asarray(t)`` give the NumPy array.
        grad: the accumulated gradient (a Tensor of the same shape) or ``None``.
        requires_grad: whether operations on this tensor are recorded.
        grad_fn: the graph node that produced this tensor (``None`` for leaves).
    """

    __slots__ = (
        "_array",
        "grad",
        "requires_grad",
        "grad_fn",
        "_output_nr",
        "_version_counter",
        "_is_view",
        "_base",
        "__weakref__",
    )
    # NumPy defers to Tensor's reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    _array: np.ndarray
    grad: Tensor | None
    requires_grad: builtins.bool
    grad_fn: Function | None
    # Machinery (minigrad/autograd/history.py): which output of grad_fn this is; the
    # counter of in-place changes, shared by the tensors that view the same memory (None
    # until the first change or view); whether this tensor views another's memory, and
    # the tensor it is a view of (None for a detached alias such as ``detach()``).
    _output_nr: builtins.int
    _version_counter: VersionCounter | None
    _is_view: builtins.bool
    _base: Tensor | None

    if TYPE_CHECKING:
        # For type checkers and IDEs only: the methods attached from minigrad.ops at the
        # bottom of this file (x.exp() is minigrad.ops.exp(x)). Since some are named
        # float, int and bool, annotations in this class spell those builtins.float etc.
        abs = _ops_for_typing.abs
        add = _ops_for_typing.add
        bitwise_and = _ops_for_typing.bitwise_and
        bitwise_not = _ops_for_typing.bitwise_not
        bitwise_or = _ops_for_typing.bitwise_or
        bitwise_xor = _ops_for_typing.bitwise_xor
        clamp = _ops_for_typing.clamp
        clip = _ops_for_typing.clip
        cos = _ops_for_typing.cos
        div = _ops_for_typing.div
        elu = _ops_for_typing.elu
        eq = _ops_for_typing.eq
        exp = _ops_for_typing.exp
        ge = _ops_for_typing.ge
        gt = _ops_for_typing.gt
        index_put = _ops_for_typing.index_put
        isfinite = _ops_for_typing.isfinite
        isinf = _ops_for_typing.isinf
        isnan = _ops_for_typing.isnan
        le = _ops_for_typing.le
        leaky_relu = _ops_for_typing.leaky_relu
        log = _ops_for_typing.log
        logical_and = _ops_for_typing.logical_and
        logical_not = _ops_for_typing.logical_not
        logical_or = _ops_for_typing.logical_or
        lt = _ops_for_typing.lt
        masked_fill = _ops_for_typing.masked_fill
        maximum = _ops_for_typing.maximum
        minimum = _ops_for_typing.minimum
        mul = _ops_for_typing.mul
        ne = _ops_for_typing.ne
        neg = _ops_for_typing.neg
        pow = _ops_for_typing.pow
        reciprocal = _ops_for_typing.reciprocal
        relu = _ops_for_typing.relu
        rsqrt = _ops_for_typing.rsqrt
        sigmoid = _ops_for_typing.sigmoid
        sign = _ops_for_typing.sign
        sin = _ops_for_typing.sin
        softplus = _ops_for_typing.softplus
        sqrt = _ops_for_typing.sqrt
        square = _ops_for_typing.square
        sub = _ops_for_typing.sub
        tanh = _ops_for_typing.tanh
        where = _ops_for_typing.where
        # Elementwise math for PyTorch programs (issue 13).
        floor_divide = _ops_for_typing.floor_divide
        fmod = _ops_for_typing.fmod
        remainder = _ops_for_typing.remainder
        true_divide = _ops_for_typing.true_divide
        # Rounding and more unary math (issue 13).
        acos = _ops_for_typing.acos
        arccos = _ops_for_typing.arccos
        arcsin = _ops_for_typing.arcsin
        arctan = _ops_for_typing.arctan
        arctan2 = _ops_for_typing.arctan2
        asin = _ops_for_typing.asin
        atan = _ops_for_typing.atan
        atan2 = _ops_for_typing.atan2
        ceil = _ops_for_typing.ceil
        cosh = _ops_for_typing.cosh
        erf = _ops_for_typing.erf
        erfc = _ops_for_typing.erfc
        expm1 = _ops_for_typing.expm1
        fix = _ops_for_typing.fix
        floor = _ops_for_typing.floor
        frac = _ops_for_typing.frac
        hypot = _ops_for_typing.hypot
        lerp = _ops_for_typing.lerp
        log10 = _ops_for_typing.log10
        log1p = _ops_for_typing.log1p
        log2 = _ops_for_typing.log2
        round = _ops_for_typing.round
        sinh = _ops_for_typing.sinh
        trunc = _ops_for_typing.trunc
        allclose = _ops_for_typing.allclose
        equal = _ops_for_typing.equal
        isclose = _ops_for_typing.isclose
        matmul = _ops_for_typing.matmul
        all = _ops_for_typing.all
        amax = _ops_for_typing.amax
        amin = _ops_for_typing.amin
        any = _ops_for_typing.any
        argmax = _ops_for_typing.argmax
        argmin = _ops_for_typing.argmin
        logsumexp = _ops_for_typing.logsumexp
        log_softmax = _ops_for_typing.log_softmax
        max = _ops_for_typing.max
        mean = _ops_for_typing.mean
        min = _ops_for_typing.min
        norm = _ops_for_typing.norm
        softmax = _ops_for_typing.softmax
        std = _ops_for_typing.std
        sum = _ops_for_typing.sum
        sum_to_size = _ops_for_typing.sum_to_size
        var = _ops_for_typing.var
        # sorting, scans, products and linear algebra of issue 13
        argsort = _ops_for_typing.argsort
        kthvalue = _ops_for_typing.kthvalue
        msort = _ops_for_typing.msort
        sort = _ops_for_typing.sort
        topk = _ops_for_typing.topk
        cumprod = _ops_for_typing.cumprod
        cumsum = _ops_for_typing.cumsum
        prod = _ops_for_typing.prod
        cummax = _ops_for_typing.cummax
        cummin = _ops_for_typing.cummin
        addmm = _ops_for_typing.addmm
        addmv = _ops_for_typing.addmv
        baddbmm = _ops_for_typing.baddbmm
        bmm = _ops_for_typing.bmm
        cross = _ops_for_typing.cross
        dot = _ops_for_typing.dot
        ger = _ops_for_typing.ger
        mm = _ops_for_typing.mm
        mv = _ops_for_typing.mv
        outer = _ops_for_typing.outer
        vdot = _ops_for_typing.vdot
        bool = _ops_for_typing.bool
        broadcast_to = _ops_for_typing.broadcast_to
        chunk = _ops_for_typing.chunk
        clone = _ops_for_typing.clone
        contiguous = _ops_for_typing.contiguous
        double = _ops_for_typing.double
        expand = _ops_for_typing.expand
        expand_as = _ops_for_typing.expand_as
        flatten = _ops_for_typing.flatten
        float = _ops_for_typing.float
        int = _ops_for_typing.int
        long = _ops_for_typing.long
        permute = _ops_for_typing.permute
        reshape = _ops_for_typing.reshape
        split = _ops_for_typing.split
        squeeze = _ops_for_typing.squeeze
        to = _ops_for_typing.to
        transpose = _ops_for_typing.transpose
        type_as = _ops_for_typing.type_as
        unbind = _ops_for_typing.unbind
        unsqueeze = _ops_for_typing.unsqueeze
        view = _ops_for_typing.view
        # the views and shape ops of issue 13
        narrow = _ops_for_typing.narrow
        reshape_as = _ops_for_typing.reshape_as
        swapaxes = _ops_for_typing.swapaxes
        swapdims = _ops_for_typing.swapdims
        t = _ops_for_typing.t
        view_as = _ops_for_typing.view_as
        # shape and indexing ops of issue 13: rearranging, gather/scatter
        flip = _ops_for_typing.flip
        repeat = _ops_for_typing.repeat
        repeat_interleave = _ops_for_typing.repeat_interleave
        roll = _ops_for_typing.roll
        tril = _ops_for_typing.tril
        triu = _ops_for_typing.triu
        gather = _ops_for_typing.gather
        index_fill = _ops_for_typing.index_fill
        index_select = _ops_for_typing.index_select
        masked_select = _ops_for_typing.masked_select
        scatter = _ops_for_typing.scatter
        scatter_add = _ops_for_typing.scatter_add
        take_along_dim = _ops_for_typing.take_along_dim
        squeeze_ = _ops_for_typing.squeeze_
        t_ = _ops_for_typing.t_
        unsqueeze_ = _ops_for_typing.unsqueeze_
        index_fill_ = _ops_for_typing.index_fill_
        masked_fill_ = _ops_for_typing.masked_fill_
        scatter_ = _ops_for_typing.scatter_
        scatter_add_ = _ops_for_typing.scatter_add_
        bernoulli_ = _ops_for_typing.bernoulli_
        exponential_ = _ops_for_typing.exponential_
        normal_ = _ops_for_typing.normal_
        uniform_ = _ops_for_typing.uniform_

        def __add__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...

    if TYPE_CHECKING:
        # The in-place forms attached from IN_PLACE_OPS at the bottom of this file
        # (x.exp_() makes exp(x) the new content of x): typed as the ops they apply.
        abs_ = _ops_for_typing.abs
        acos_ = _ops_for_typing.acos
        arccos_ = _ops_for_typing.arccos
        arcsin_ = _ops_for_typing.arcsin
        arctan_ = _ops_for_typing.arctan
        arctan2_ = _ops_for_typing.arctan2
        asin_ = _ops_for_typing.asin
        atan_ = _ops_for_typing.atan
        atan2_ = _ops_for_typing.atan2
        ceil_ = _ops_for_typing.ceil
        cos_ = _ops_for_typing.cos
        cosh_ = _ops_for_typing.cosh
        erf_ = _ops_for_typing.erf
        erfc_ = _ops_for_typing.erfc
        exp_ = _ops_for_typing.exp
        expm1_ = _ops_for_typing.expm1
        fix_ = _ops_for_typing.fix
        floor_ = _ops_for_typing.floor
        floor_divide_ = _ops_for_typing.floor_divide
        fmod_ = _ops_for_typing.fmod
        frac_ = _ops_for_typing.frac
        hypot_ = _ops_for_typing.hypot
        lerp_ = _ops_for_typing.lerp
        log_ = _ops_for_typing.log
        log10_ = _ops_for_typing.log10
        log1p_ = _ops_for_typing.log1p
        log2_ = _ops_for_typing.log2
        neg_ = _ops_for_typing.neg
        pow_ = _ops_for_typing.pow
        reciprocal_ = _ops_for_typing.reciprocal
        relu_ = _ops_for_typing.relu
        remainder_ = _ops_for_typing.remainder
        round_ = _ops_for_typing.round
        rsqrt_ = _ops_for_typing.rsqrt
        sigmoid_ = _ops_for_typing.sigmoid
        sign_ = _ops_for_typing.sign
        sin_ = _ops_for_typing.sin
        sinh_ = _ops_for_typing.sinh
        sqrt_ = _ops_for_typing.sqrt
        square_ = _ops_for_typing.square
        tanh_ = _ops_for_typing.tanh
        true_divide_ = _ops_for_typing.true_divide
        trunc_ = _ops_for_typing.trunc

    def __init__(
        self,
        *data: Any,
        dtype: Any = None,
        requires_grad: builtins.bool = False,
        device: Any = None,
    ) -> None:
        _devices.resolve_device(device, "Tensor")
        if len(data) == 1 and not _is_size(data[0]):
            values = data[0]._array if isinstance(data[0], Tensor) else data[0]
            if dtype is None and np.ndim(values) == 0 and not isinstance(values, np.ndarray):
                raise TypeError(
                    f"Tensor(): data must be a sequence, an array or a tensor, got "
                    f"{type(values).__name__} {values!r} (use minigrad.tensor({values!r}) "
                    f"for a 0-d tensor; Tensor(n) with an int n makes n elements)"
                )
            array = dtypes.as_array(values, dtype or dtypes.get_default_dtype(), copy=True)
        else:  # Tensor(2, 3), Tensor(): PyTorch's uninitialised tensor, zeros here
            for size in data:
                if not _is_size(size) or size < 0:
                    raise TypeError(
                        f"Tensor(): sizes must be non-negative ints, got {data!r} (pass data "
                        f"as one sequence: Tensor([1, 2]))"
                    )
            shape = tuple(int(n) for n in data) if data else (0,)
            array = np.zeros(shape, dtypes.resolve(dtype or dtypes.get_default_dtype()))
        _make(array, into=self)
        if requires_grad:
            self.requires_grad_(True)

    # Wrap an array without copying or checking it: Tensor._make(array) is how
    # minigrad's own code makes a tensor (the function _make below).
    _make: staticmethod

    # ------------------------------------------------------------------ properties

    @property
    def shape(self) -> tuple[builtins.int, ...]:
        """The size of each dimension, as a tuple."""
        return self._array.shape

    @property
    def dtype(self) -> np.dtype:
        """The element type (``minigrad.float32``, ``minigrad.float64``, ...)."""
        return self._array.dtype

    @property
    def ndim(self) -> builtins.int:
        """The number of dimensions."""
        return self._array.ndim

    def dim(self) -> builtins.int:
        """The number of dimensions (as ``torch.Tensor.dim``)."""
        return self._array.ndim

    def size(self, dim: builtins.int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return self._array.shape
        if self._array.ndim == 0:  # normalize_dim would accept 0 and -1 for it
            raise IndexError(f"size: dimension {dim} given, but a 0-d tensor has no dimensions")
        return self._array.shape[dtypes.normalize_dim(dim, self._array.ndim)]

    def numel(self) -> builtins.int:
        """The number of elements."""
        return self._array.size

    # ------------------------------------------------------------------ device and type

    @property
    def device(self) -> _devices.device:
        """Where the values live: always ``device(type='cpu')``."""
        return _devices.CPU

    is_cuda = False

    def cpu(self) -> Tensor:
        """This tensor (it is on the CPU already)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Refused: minigrad runs on the CPU only."""
        raise RuntimeError(
            "Tensor.cuda: minigrad runs on the CPU only; pick the device with "
            "minigrad.cuda.is_available(), which is False"
        )

    def type(self, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
        """With no argument, the type name (``'minigrad.FloatTensor'`` for float32); with a
        dtype, a type name (``'torch.LongTensor'`` or ``'minigrad.LongTensor'``) or a
        typed class (``minigrad.LongTensor``), this tensor converted to it."""
        if dtype is None:
            return f"minigrad.{dtypes.tensor_type_name(self._array.dtype)}"
        return _ops.to(self, dtypes.resolve_type(dtype))

    def _new(self, array: np.ndarray, requires_grad: builtins.bool, device: Any) -> Tensor:
        _devices.resolve_device(device, "new tensor")
        tensor = _make(array)
        if requires_grad:
            tensor.requires_grad_(True)
        return tensor

    def _new_dtype(self, dtype: Any) -> np.dtype:
        return self._array.dtype if dtype is None else dtypes.resolve(dtype)

    def new_tensor(
        self, data: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False
    ) -> Tensor:
        """A copy of ``data`` as a tensor of this tensor's dtype (unless ``dtype`` says)."""
        if isinstance(data, Tensor):
            data = data._array
        array = np.array(data, dtype=self._new_dtype(dtype), copy=True)
        return self._new(array, requires_grad, device)

    def new_zeros(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """Zeros of shape ``size``, with this tensor's dtype (unless ``dtype`` says)."""
        shape = dtypes.shape_argument(size, "new_zeros")
        return self._new(np.zeros(shape, self._new_dtype(dtype)), requires_grad, device)

    def new_ones(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """Ones of shape ``size``, with this tensor's dtype (unless ``dtype`` says)."""
        shape = dtypes.shape_argument(size, "new_ones")
        return self._new(np.ones(shape, self._new_dtype(dtype)), requires_grad, device)

    def new_empty(
        self,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """An uninitialised tensor of shape ``size`` (zeros here), with this dtype."""
        shape = dtypes.shape_argument(size, "new_empty")
        return self._new(np.zeros(shape, self._new_dtype(dtype)), requires_grad, device)

    def new_full(
        self,
        size: Any,
        fill_value: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """``fill_value`` everywhere in shape ``size``, with this dtype (unless ``dtype``)."""
        shape = dtypes.shape_argument((size,), "new_full")
        array = np.full(shape, fill_value, self._new_dtype(dtype))
        return self._new(array, requires_grad, device)

    @property
    def data(self) -> Tensor:
        """The same memory as a detached tensor whose in-place changes are not recorded.

        As PyTorch's ``.data``: ``p.data.add_(p.grad, alpha=-lr)`` updates ``p`` without
        counting a change, so a graph that saved ``p`` does not notice it (``detach()``
        shares the version counter and does). ``t.data = other`` makes ``t`` hold
        ``other``'s values (a Tensor or an array, not copied).
        """
        return _make(self._array)

    @data.setter
    def data(self, value: Any) -> None:
        if isinstance(value, Tensor):
            array = value._array
        elif isinstance(value, np.ndarray):
            array = dtypes.as_array(value, copy=False)
        else:
            raise TypeError(
                f"tensor.data must be set to a Tensor or a NumPy array, got {type(value).__name__}"
            )
        if self._is_view:  # it now holds other memory: no longer a view of its base
            self._is_view, self._version_counter, self._base = False, None, None
        self._array = array

    @property
    def _version(self) -> builtins.int:
        """How many times this tensor's memory was changed in place (as PyTorch's)."""
        counter = self._version_counter
        return 0 if counter is None else counter.count

    @property
    def is_leaf(self) -> builtins.bool:
        """True for tensors not produced by a recorded operation."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the matrix transpose for 2-D tensors)."""
        return _ops.permute(self, tuple(range(self._array.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of transposed matrices)."""
        if self._array.ndim < 2:
            raise ValueError(
                f"mT needs a matrix or a batch of matrices, got a tensor of shape {self.shape}"
            )
        return _ops.transpose(self, -2, -1)

    # ------------------------------------------------------------------ conversion

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array sharing memory with this tensor."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad: use tensor.detach().numpy()"
            )
        return self._array

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise ValueError(
                f"only a tensor with one element can be converted to a Python scalar; this "
                f"one has shape {self.shape}"
            )
        return self._array.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._array.tolist()

    def __array__(self, dtype: Any = None, copy: builtins.bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._array.dtype:
            return self._array.astype(dtype)
        return self._array.copy() if copy else self._array

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        if self._array.dtype.kind not in "iu" or self._array.size != 1:
            raise TypeError(
                f"only integer tensors of one element can be used as an index, "
                f"got dtype {self.dtype} and shape {self.shape}"
            )
        return int(self.item())

    def __bool__(self) -> builtins.bool:
        if self._array.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with more than one element is ambiguous "
                f"(shape {self.shape}): use .any() or .all()"
            )
        return bool(self._array)

    def __format__(self, format_spec: str) -> str:
        """``format(tensor, spec)`` and f-strings such as ``f"{loss:.4f}"``.

        A 0-d tensor formats as its Python number (``item()``) with any spec, the empty
        one included, as in PyTorch (``f"{minigrad.tensor(5)}"`` is ``"5"``). Another
        tensor with one element does the same for a non-empty spec (PyTorch refuses
        it). Any other tensor gives ``str(tensor)`` for the empty spec and a TypeError
        for any other.
        """
        if self._array.ndim == 0 or (format_spec and self._array.size == 1):
            return format(self._array.item(), format_spec)
        if not format_spec:
            return str(self)
        raise TypeError(
            f"unsupported format string {format_spec!r} passed to Tensor.__format__: only "
            f"a tensor with one element can be formatted with a spec, but this one has "
            f"shape {self.shape}; format its elements (tensor.tolist()) instead"
        )

    def __len__(self) -> builtins.int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(
            self._array, separator=", ", prefix="tensor(", precision=4, suppress_small=True
        )
        extras = []
        if self._array.size == 0 and self._array.shape != (0,):
            extras.append(f"size={self._array.shape}")  # "[]" alone does not say (0, 3)
        dtype = self._array.dtype
        if dtype not in (dtypes.get_default_dtype(), np.dtype(np.int64), np.dtype(bool)):
            extras.append(f"dtype=minigrad.{dtype.name}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ------------------------------------------------------------------ autograd

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
    ) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf.

        ``gradient`` is the upstream gradient (required unless this tensor has one
        element). The graph's saved values are freed afterwards unless ``retain_graph``;
        ``create_graph=True`` records the backward pass so it can be differentiated.
        """
        retain = create_graph if retain_graph is None else retain_graph
        _engine.run_backward((self,), (gradient,), retain, create_graph)

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return this tensor."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "requires_grad can only be turned off on leaf tensors; use .detach() for a "
                "tensor that is the result of an operation"
            )
        if requires_grad and self._array.dtype.kind != "f":
            raise RuntimeError(
                f"only floating point tensors can require gradients, got dtype {self.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` with this tensor's gradient each time backward computes it;
        a tensor the hook returns (of the same shape) replaces the gradient. Returns a
        handle whose ``remove()`` takes the hook out. See :mod:`minigrad.autograd.hooks`."""
        return _hooks.register_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward``."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        node = self.grad_fn
        if node is None:
            return
        if node._retained is None:
            node._retained = {}
            node._prepare_gradients = True
        node._retained[self._output_nr] = self

    def detach(self) -> Tensor:
        """A new tensor sharing this one's data, cut from the graph."""
        return Tensor._make(self._array, version=self._shared_version(), is_view=True)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    # ------------------------------------------------------------------ in place
    # Each is computed out of place and copied into this tensor's memory; the change is
    # counted and the graph keeps what the tensor was (minigrad/autograd/history.py).

    def _shared_version(self) -> VersionCounter:
        """This tensor's version counter, made on first use, to share with a new tensor
        viewing its memory. (A counter for every tensor would cost more than the rest of
        a small op's bookkeeping: most tensors are never changed nor viewed.)"""
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = _history.VersionCounter()
        return counter

    def _root(self) -> Tensor:
        """The tensor whose memory a new view of this one shows: its own base when this
        is a view of another tensor, else itself."""
        return self if self._base is None else self._base

    def add_(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """In place: ``self += alpha * other``."""
        return _history.change_in_place(
            self, lambda s, o: _ops.add(s, o if alpha == 1 else o * alpha), other
        )

    def sub_(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """In place: ``self -= alpha * other``."""
        return _history.change_in_place(
            self, lambda s, o: _ops.sub(s, o if alpha == 1 else o * alpha), other
        )

    def mul_(self, other: Any) -> Tensor:
        """In place: ``self *= other``."""
        return _history.change_in_place(self, _ops.mul, other)

    def div_(self, other: Any) -> Tensor:
        """In place: ``self /= other``."""
        return _history.change_in_place(self, _ops.div, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In place: clamp every element into ``[min, max]``."""
        return _history.change_in_place(self, lambda s: _ops.clamp(s, min, max))

    def copy_(self, source: Any) -> Tensor:
        """In place: overwrite the values with ``source`` (broadcast to this shape)."""
        source = source if isinstance(source, Tensor) else Tensor(source, dtype=self.dtype)
        _history.check_in_place_allowed(self)
        return _history.commit(self, _ops.copy_into(self, source))

    def fill_(self, value: Any) -> Tensor:
        """In place: set every element to ``value`` (a number, or a 0-d tensor, which then
        receives the gradient of every element)."""
        return _history.fill(self, value, _ops.masked_fill)

    def zero_(self) -> Tensor:
        """In place: set every element to zero."""
        return self.fill_(0)

    def __setitem__(self, index: Any, value: Any) -> None:
        _history.check_in_place_allowed(self)
        if not isinstance(value, Tensor):
            value = _make(dtypes.as_array(value, self._array.dtype, copy=True))
        _history.commit(self, _ops.index_put(_history.snapshot(self), index, value))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    # ------------------------------------------------------------------ operators
    # x + y, x - y, x * y, x / y, x @ y and -x are the functions of minigrad.ops
    # themselves, attached at the bottom of this file (one call fewer per operation).

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _ops.pow(base, self)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.index(self, index)

    # A comparison with an object minigrad cannot compare with (pytest.approx, None, a
    # string) returns NotImplemented, as in PyTorch, so Python asks the other object or,
    # for == and !=, falls back to identity.

    def __eq__(self, other: Any) -> Any:
        return _ops.eq(self, other) if _comparable(other) else NotImplemented

    def __ne__(self, other: Any) -> Any:
        return _ops.ne(self, other) if _comparable(other) else NotImplemented

    def __lt__(self, other: Any) -> Any:
        return _ops.lt(self, other) if _comparable(other) else NotImplemented

    def __le__(self, other: Any) -> Any:
        return _ops.le(self, other) if _comparable(other) else NotImplemented

    def __gt__(self, other: Any) -> Any:
        return _ops.gt(self, other) if _comparable(other) else NotImplemented

    def __ge__(self, other: Any) -> Any:
        return _ops.ge(self, other) if _comparable(other) else NotImplemented

    # ~ & | ^ are bitwise, as in PyTorch: on integers ~5 is -6 and 6 & 3 is 2; on bools
    # the same operations are the logical ones. Floats are refused; nothing has a gradient.

    def __invert__(self) -> Tensor:
        return _ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self)

    def __iand__(self, other: Any) -> Tensor:
        return _history.change_in_place(self, _ops.bitwise_and, other)

    def __ior__(self, other: Any) -> Tensor:
        return _history.change_in_place(self, _ops.bitwise_or, other)

    def __ixor__(self, other: Any) -> Tensor:
        return _history.change_in_place(self, _ops.bitwise_xor, other)

    # // and % are floor_divide and remainder, as in PyTorch (Python's rounding down).

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return _history.change_in_place(self, _ops.floor_divide, other)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __imod__(self, other: Any) -> Tensor:
        return _history.change_in_place(self, _ops.remainder, other)


def _make(
    array: np.ndarray,
    version: VersionCounter | None = None,
    is_view: bool = False,
    grad_fn: Function | None = None,
    output_nr: int = 0,
    into: Tensor | None = None,
    base: Tensor | None = None,
) -> Tensor:
    """A tensor wrapping ``array`` (not copied, not checked): the one place where a
    tensor's fields are set. ``Tensor(...)`` and ``nn.Parameter`` fill themselves
    (``into``); ``Tensor._make``, the outputs of ``Function.apply`` (with their
    ``grad_fn``), views (sharing a ``version`` counter) and the engine's saved-output
    twins are made here. ``base`` is the tensor a view shows part of (its root: never
    itself a view with a base)."""
    tensor = _new(Tensor) if into is None else into
    tensor._array = array
    tensor.grad = None
    tensor.requires_grad = grad_fn is not None
    tensor.grad_fn = grad_fn
    tensor._output_nr = output_nr
    tensor._version_counter = version
    tensor._is_view = is_view
    tensor._base = base
    return tensor


Tensor._make = staticmethod(_make)  # type: ignore[assignment]


# The knot between the data structure and what computes with it, tied in one place:
# the ops and the engine create Tensors, and Tensor's methods call them. Both modules
# import this one, so they are imported last, once Tensor exists.
from minigrad import ops as _ops  # noqa: E402
from minigrad.autograd import engine as _engine  # noqa: E402
from minigrad.autograd import history as _history  # noqa: E402
from minigrad.autograd import hooks as _hooks  # noqa: E402

# Methods named like the functions of minigrad.ops (x.exp() is minigrad.exp(x)) are those
# very functions, attached from one list so the two can never drift apart.
for _name in _ops.TENSOR_METHODS:
    setattr(Tensor, _name, getattr(_ops, _name))
Tensor.__add__ = _ops.add  # type: ignore[method-assign]
Tensor.__sub__ = _ops.sub  # type: ignore[method-assign]
Tensor.__mul__ = _ops.mul  # type: ignore[method-assign]
Tensor.__truediv__ = _ops.div  # type: ignore[method-assign]
Tensor.__matmul__ = _ops.matmul  # type: ignore[method-assign]
Tensor.__neg__ = _ops.neg  # type: ignore[method-assign]

# In-place forms of elementwise ops (issue 13): x.name_(*args) is
# _history.change_in_place(x, ops.name, *args), as mul_ above; one list, so no form can
# drift from its op.
IN_PLACE_OPS: tuple[str, ...] = (
    "abs", "acos", "arccos", "arcsin", "arctan", "arctan2", "asin", "atan", "atan2",
    "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1", "fix", "floor", "floor_divide",
    "fmod", "frac", "hypot", "lerp", "log", "log10", "log1p", "log2", "neg", "pow",
    "reciprocal", "relu", "remainder", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh",
    "sqrt", "square", "tanh", "true_divide", "trunc",
)


def _in_place_form(name: str) -> Any:
    operation = getattr(_ops, name)

    def in_place(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        def checked(source: Tensor, *arguments: Any) -> Tensor:
            # The errors PyTorch raises, before anything is written.
            result = operation(source, *arguments, **kwargs)
            if result._array.shape != self._array.shape:
                raise RuntimeError(
                    f"{name}_: the result's shape {result.shape} differs from this tensor's "
                    f"{self.shape} (an operand broadcasts it); use the out-of-place {name}"
                )
            if not np.can_cast(result._array.dtype, self._array.dtype, "same_kind"):
                raise RuntimeError(
                    f"{name}_: result type {result.dtype} can't be cast to this tensor's "
                    f"dtype {self.dtype}; use the out-of-place {name}"
                )
            return result

        return _history.change_in_place(self, checked, *args)

    in_place.__name__ = in_place.__qualname__ = f"{name}_"
    in_place.__doc__ = f"In place: ``{name}(self, ...)`` becomes this tensor's values."
    return in_place


for _name in IN_PLACE_OPS:
    setattr(Tensor, f"{_name}_", _in_place_form(_name))


def _comparable(other: Any) -> bool:
    """Whether ``tensor <comparison> other`` is computed (a tensor, an array, a number)."""
    return isinstance(other, (Tensor, np.ndarray, int, float, bool, np.number, np.bool_))
