"""Differentiable operations, grouped by kind; each one's forward and backward side by side.

Every public function here is also ``minigrad.<name>``, except the Tensor-method-only ones
in ``METHOD_ONLY`` (``x.float()``), and those listed in ``TENSOR_METHODS`` are also
methods of :class:`~minigrad.Tensor` (``x.exp()``). Each op is defined in one place, in
its module: its Function classes, then its function, registered with ``op(...)`` (see
:mod:`minigrad.ops._registry`). ``TENSOR_METHODS``, ``METHOD_ONLY`` and ``__all__`` are
derived from that table; ``tests/ops/test_op_table.py`` checks the imports below, the
``minigrad`` namespace and the Tensor method stubs for type checkers against it.

The table below lists the Function classes and the functions that apply them. A
*primitive*'s backward is written from scratch; a *fused* class computes a composition of
other ops in one graph node (one kernel, instead of a node per step), and its backward is
that composition's derivative written out. The fused ones are speed-ups: their values and
gradients are the composition's, up to rounding and the conventions their comments give
(at kinks, NaN, overflow thresholds). ``y`` is the output of the forward op, ``grad`` the
upstream gradient.

=================  ==================================================  =============================
Function           primitive, or the composition it fuses              public functions
=================  ==================================================  =============================
Add                primitive                                           add
Sub                primitive                                           sub
Mul                primitive                                           mul
Div                primitive                                           div, true_divide
Pow                primitive                                           pow, square
Maximum            primitive                                           maximum
Minimum            primitive                                           minimum
Exp                primitive                                           exp
Log                primitive                                           log
Sqrt               ``pow(x, 0.5)``                                     sqrt
Sin                primitive                                           sin
Cos                primitive                                           cos
Reciprocal         ``pow(x, -1)``                                      reciprocal
Rsqrt              ``pow(x, -0.5)``                                    rsqrt
Neg                primitive                                           neg
Abs                primitive                                           abs
Sign               primitive                                           sign
RoundedDiv         primitive (zero gradient)                           div, floor_divide, fmod,
                                                                       remainder
Remainder          ``a - b * div(a, b, rounding_mode=...)``            fmod, remainder
Rounded            primitive (zero gradient)                           floor, ceil, round,
                                                                       trunc, fix
Frac               ``x - trunc(x)``                                    frac
Sinh               primitive                                           sinh
Cosh               primitive                                           cosh
Asin               primitive                                           asin, arcsin
Acos               primitive                                           acos, arccos
Atan               primitive                                           atan, arctan
Log1p              ``log(1 + x)``                                      log1p
Expm1              ``exp(x) - 1``                                      expm1
Log2               ``log(x) / log(2)``                                 log2
Log10              ``log(x) / log(10)``                                log10
Erf                primitive                                           erf
Erfc               ``1 - erf(x)``                                      erfc
Atan2              primitive                                           atan2, arctan2
Hypot              ``sqrt(a * a + b * b)``                             hypot
Lerp               ``start + weight * (end - start)``                  lerp
Tanh               ``1 - 2 / (exp(2 * x) + 1)``                        tanh
TanhBackward       ``grad * (1 - y * y)``                              tanh
Sigmoid            ``1 / (1 + exp(-x))``                               sigmoid
SigmoidBackward    ``grad * y * (1 - y)``                              sigmoid
Relu               ``where(x > 0, x, 0)``                              relu
ReluBackward       ``where(y <= 0, 0, grad)``                          relu
LeakyRelu          ``where(x > 0, x, slope * x)``                      leaky_relu
LeakyReluBackward  ``where(x > 0, grad, slope * grad)``                leaky_relu
Elu                ``where(x > 0, x, alpha * (exp(x) - 1))``           elu
EluBackward        ``where(x <= 0, grad * alpha * exp(x), grad)``      elu
Softplus           ``log(1 + exp(beta * x)) / beta``                   softplus
SoftplusBackward   ``grad * sigmoid(beta * x)``                        softplus
Clamp              ``minimum(maximum(x, min), max)``                   clamp, clip
Where              primitive                                           where, masked_fill,
                                                                       index_fill, masked_fill_,
                                                                       index_fill_
Matmul             primitive                                           matmul, linear, mm, bmm, mv,
                                                                       dot, vdot, outer, ger, addmm,
                                                                       addmv, baddbmm
Linear             ``matmul(x, weight.T) + bias``                      linear
Sum                primitive                                           sum
SpreadReduced      primitive: Sum's backward, whose backward is Sum    sum, mean
SumToSize          ``sum`` over the broadcast dimensions, ``reshape``  sum_to_size
Mean               ``sum(x) / n``                                      mean, var
Amax               primitive                                           amax, amin, max, min, norm
MaxDim             primitive                                           max, min
Var                ``sum((x - mean(x)) ** 2) / (n - correction)``      var, std
StdFromVar         ``sqrt(var(x))``, with gradient 0 where it is 0     std
LogSumExp          ``log(sum(exp(x - m))) + m``, ``m = amax(x)``       logsumexp
Softmax            ``exp(x - logsumexp(x))``                           softmax
LogSoftmax         ``x - logsumexp(x)``                                log_softmax
Norm               ``sum(abs(x) ** p) ** (1 / p)``                     norm
Reshape            primitive                                           reshape, view, flatten,
                                                                       squeeze, unsqueeze,
                                                                       view_as, reshape_as,
                                                                       repeat, repeat_interleave,
                                                                       meshgrid, unsqueeze_,
                                                                       squeeze_
Permute            primitive                                           permute, transpose,
                                                                       t, swapaxes, swapdims, t_
BroadcastTo        primitive                                           broadcast_to, expand,
                                                                       expand_as, repeat, meshgrid,
                                                                       masked_select, take_along_dim
Cat                primitive                                           cat, concatenate, stack
Split              primitive                                           split, chunk, unbind
Index              primitive                                           index, index_put,
                                                                       narrow, repeat_interleave,
                                                                       index_select, masked_select
IndexAdd           primitive: Index's backward, whose backward is      index,
                   Index                                               narrow, repeat_interleave,
                                                                       index_select, masked_select
IndexPut           primitive                                           index_put
CopyInto           primitive                                           copy_into
Pad                primitive                                           pad
Flip               primitive                                           flip
Roll               primitive                                           roll
Triangle           primitive                                           tril, triu
Gather             primitive                                           gather, take_along_dim,
                                                                       scatter, scatter_add,
                                                                       scatter_, scatter_add_
ScatterAdd         primitive: Gather's backward, whose backward is     gather, take_along_dim,
                   Gather                                              scatter_add, scatter_add_
Scatter            primitive                                           scatter, scatter_
Clone              primitive                                           clone, contiguous, repeat
Cast               primitive                                           to, float, double, long, int,
                                                                       bool, type_as
Conv1d             primitive                                           conv1d
Conv1dInputGrad    primitive: Conv1d's input gradient                  conv1d, conv_transpose1d
Conv1dWeightGrad   primitive: Conv1d's weight gradient                 conv1d
Recurrence         ``minigrad.nn.recurrent``'s cells over a sequence   fused_recurrence
TakeAlong          primitive                                           sort, msort, topk, kthvalue,
                                                                       cummax, cummin
ScatterAlong       primitive: TakeAlong's backward, whose backward is  sort, msort, topk, kthvalue,
                   TakeAlong                                           cummax, cummin
Cumsum             primitive (``reverse``: from the end)               cumsum, cumprod, prod
Cumprod            primitive                                           cumprod, prod
Prod               primitive                                           prod
Cross              primitive                                           cross
Einsum             primitive                                           einsum
=================  ==================================================  =============================
"""

from minigrad.ops._registry import OPS, RECORDS, OpInfo, register
from minigrad.ops.conv import conv1d, conv_transpose1d
from minigrad.ops.elementwise import (
    abs,
    add,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clamp,
    clip,
    cos,
    div,
    elu,
    eq,
    exp,
    ge,
    gt,
    isfinite,
    isinf,
    isnan,
    le,
    leaky_relu,
    log,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softplus,
    sqrt,
    square,
    sub,
    tanh,
    where,
)

# isort: split
# Elementwise math for PyTorch programs (issue 13): rounding division, remainders.
from minigrad.ops.elementwise import (
    floor_divide,
    fmod,
    remainder,
    true_divide,
)

# isort: split
# Rounding and more unary math, atan2, hypot, lerp (issue 13).
from minigrad.ops.elementwise import (
    acos,
    arccos,
    arcsin,
    arctan,
    arctan2,
    asin,
    atan,
    atan2,
    ceil,
    cosh,
    erf,
    erfc,
    expm1,
    fix,
    floor,
    frac,
    hypot,
    lerp,
    log1p,
    log2,
    log10,
    round,
    sinh,
    trunc,
)

# isort: split
# Closeness tests (issue 13).
from minigrad.ops.elementwise import allclose, equal, isclose
from minigrad.ops.linalg import linear, matmul
from minigrad.ops.reduce import (
    ValuesIndices,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    softmax,
    std,
    sum,
    sum_to_size,
    var,
)
from minigrad.ops.shape import as_bool as bool
from minigrad.ops.shape import as_float32 as float
from minigrad.ops.shape import as_float64 as double
from minigrad.ops.shape import as_int32 as int
from minigrad.ops.shape import as_int64 as long
from minigrad.ops.shape import (
    broadcast_to,
    cat,
    chunk,
    clone,
    concatenate,
    contiguous,
    copy_into,
    expand,
    expand_as,
    flatten,
    index,
    index_put,
    narrow,
    pad,
    permute,
    reshape,
    reshape_as,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    to,
    transpose,
    type_as,
    unbind,
    unsqueeze,
    view,
    view_as,
)

# isort: split
# Sorting, scans, products and linear algebra for PyTorch programs (issue 13).
# Shape and indexing ops for PyTorch programs (issue 13): rearranging, gather/scatter.
from minigrad.ops.indexing import (
    gather,
    index_fill,
    index_fill_,
    index_select,
    masked_fill_,
    masked_select,
    scatter,
    scatter_,
    scatter_add,
    scatter_add_,
    take_along_dim,
)
from minigrad.ops.linalg import (
    addmm,
    addmv,
    baddbmm,
    bmm,
    cross,
    dot,
    einsum,
    ger,
    mm,
    mv,
    outer,
    vdot,
)
from minigrad.ops.reduce import cumprod, cumsum, prod
from minigrad.ops.sampling import bernoulli_, exponential_, normal_, uniform_
from minigrad.ops.shape import (
    flip,
    meshgrid,
    repeat,
    repeat_interleave,
    roll,
    squeeze_,
    t_,
    tril,
    triu,
    unsqueeze_,
)
from minigrad.ops.sorting import argsort, cummax, cummin, kthvalue, msort, sort, topk

#: The functions that are also Tensor methods (``x.exp()`` is ``exp(x)``), by method name.
TENSOR_METHODS: list[str] = [entry.method for entry in OPS.values() if entry.method]

#: The ops that are Tensor methods only, not also ``minigrad.<name>`` (``x.float()``, where
#: ``minigrad.float`` is the dtype, as in PyTorch).
METHOD_ONLY: frozenset[str] = frozenset(name for name, entry in OPS.items() if entry.method_only)

__all__ = ["RECORDS", "OpInfo", "TENSOR_METHODS", "ValuesIndices", "register", *OPS]
