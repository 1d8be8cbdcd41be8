"""Differentiable operations, grouped by kind; each one's forward and backward side by side.

Every public function here is also ``minigrad.<name>``, and those listed in
``TENSOR_METHODS`` are also methods of :class:`~minigrad.Tensor` (``x.exp()``).
"""

from minigrad.ops._registry import RECORDS, OpInfo, register
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
    pad,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    to,
    transpose,
    type_as,
    unbind,
    unsqueeze,
    view,
)

#: The functions that are also Tensor methods (``x.exp()`` is ``exp(x)``).
TENSOR_METHODS: list[str] = (
    "abs add bitwise_and bitwise_not bitwise_or bitwise_xor "
    "clamp clip cos div elu eq exp ge gt isfinite isinf isnan le leaky_relu log "
    "logical_and logical_not logical_or lt masked_fill maximum minimum mul ne neg pow "
    "reciprocal relu rsqrt sigmoid sign sin softplus sqrt square sub tanh where matmul all "
    "amax amin any argmax argmin logsumexp log_softmax max mean min norm softmax std sum "
    "sum_to_size var "
    "bool broadcast_to chunk clone contiguous double expand expand_as flatten float int long "
    "permute reshape split squeeze to transpose type_as unbind unsqueeze view"
).split()

__all__ = [
    "RECORDS",
    "OpInfo",
    "TENSOR_METHODS",
    "ValuesIndices",
    "register",
    "cat",
    "concatenate",
    "copy_into",
    "index",
    "index_put",
    "linear",
    "pad",
    "stack",
    *TENSOR_METHODS,
]
