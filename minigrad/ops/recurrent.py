"""Fused recurrent layers: one RNN, LSTM or GRU layer-direction, or one cell step, as a
single differentiable operation.

The written-out cells of :mod:`minigrad.nn.recurrent` are the definition: a few tensor
expressions per step, one graph node each. The Functions here compute the same thing with
the engine's fused kernels (:mod:`minigrad.kernels.recurrent`) and a hand-derived
backward pass, so a whole sequence costs one node:

* forward: the input product of every step as one matrix product ``x W_ih^T + b``, then
  the recurrence, the gate arithmetic of each step fused in one pass. The activated gates
  (and the LSTM's cell states) are kept for the backward pass.
* backward (backpropagation through time): the recurrence run backwards gives the
  gradient of every step's gate pre-activations ``d_pre`` (T, B, G*H); the weight
  gradients are then one large product each: ``dW_ih = d_pre^T x``,
  ``dW_hh = d_pre^T h_prev``, ``dx = d_pre W_ih``, and the bias gradients sums of
  ``d_pre``.

Every product is a 2-D ``np.dot``: it always reaches BLAS, where ``np.matmul`` with a
transposed operand of one row runs NumPy's own loop (measured 20 µs against 3.4 µs for
``d^T h`` at batch 1, a cell's weight gradient).

Small batches run each recurrence in one Numba call, products included; large ones loop
in Python with BLAS products (``_compiled_recurrence`` chooses, by measured sizes).

The backward pass is written on arrays, so it is not itself differentiable. When a
backward pass must be recorded (``create_graph=True``, for higher derivatives), it runs
the written-out equations instead (the ``written_out`` argument, supplied by the layer):
recomputes them from the saved inputs and differentiates them with recording on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import Function
from minigrad.kernels import recurrent as kernels
from minigrad.tensor import Tensor

__all__ = ["GATES", "fused_recurrence"]

#: Gate blocks stacked in the weights of each kind.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}

# A recurrence runs in one Numba call (products by the in-kernel loop) while one step's
# recurrent product has at most _COMPILED_MAX_WORK multiply-adds (B * G*H * H), or, at
# batch 1, at most _COMPILED_MAX_WORK_ROW; above, each step's product goes to BLAS (on
# W_hh^T made contiguous). Measured on the 2-core Zen 4 (AVX-512): LSTM forward and
# backward loops over 100 steps, compiled vs BLAS, ms.
#   float32: B=1 H=256 2.80 vs 3.29 | B=2 H=64 0.47 vs 0.60 | B=2 H=128 1.20 vs 1.05
#            B=4 H=32 0.30 vs 0.55 | B=4 H=64 0.93 vs 0.72 | B=8 H=32 0.58 vs 0.79
#   float64: B=1 H=256 6.89 vs 6.92 | B=2 H=64 0.70 vs 0.81 | B=2 H=128 2.65 vs 2.59
#            B=4 H=32 0.63 vs 0.60 | B=4 H=64 1.80 vs 1.09
# Batch 1 is a matrix-vector product, which BLAS cannot split into much work per call.
_COMPILED_MAX_WORK = 32768
_COMPILED_MAX_WORK_ROW = 262144


def _compiled_recurrence(batch: int, gate_width: int, hidden: int) -> bool:
    work = batch * gate_width * hidden
    return work <= _COMPILED_MAX_WORK or (batch == 1 and work <= _COMPILED_MAX_WORK_ROW)


def _contiguous(tensor: Tensor | None, dtype: np.dtype) -> np.ndarray | None:
    if tensor is None:
        return None
    return np.ascontiguousarray(tensor._array, dtype=dtype)


class Recurrence(Function):
    """One layer-direction of an RNN (tanh or ReLU), LSTM or GRU over a whole sequence.

    Arguments of ``apply``: ``kind`` ("rnn", "lstm", "gru"), ``x`` (T, B, I),
    ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,) or
    None, ``h0`` (B, H), ``c0`` (B, H) for the LSTM (else None), the LSTM's peephole
    weights ``weight_ci``, ``weight_cf``, ``weight_co`` (H,) or None, ``reverse`` (read
    the steps last to first), ``activations`` (the RNN's nonlinearity as a 1-tuple, the
    LSTM's gate, candidate and cell-output activations, by the names of
    ``kernels.recurrent.GATE_CODES`` and ``SQUASH_CODES``; empty for the GRU) and
    ``written_out`` (the same layer-direction as recorded tensor operations, for a
    recorded backward). Returns ``output`` (T, B, H) and the final ``h`` (B, H), and for
    the LSTM the final ``c``.
    """

    # Its forward computes on arrays and records nothing, so apply() may leave grad mode on
    # around it (what op(...) declares for the classes it names; no registration names this).
    _forward_on_arrays = True

    @staticmethod
    def forward(
        ctx: Any,
        kind: str,
        x: Tensor,
        weight_ih: Tensor,
        weight_hh: Tensor,
        bias_ih: Tensor | None,
        bias_hh: Tensor | None,
        h0: Tensor,
        c0: Tensor | None,
        weight_ci: Tensor | None,
        weight_cf: Tensor | None,
        weight_co: Tensor | None,
        reverse: bool,
        activations: tuple[str, ...],
        written_out: Callable[..., tuple[Tensor, ...]],
    ) -> tuple[Tensor, ...]:
        dtype = weight_hh._array.dtype
        steps, batch, features = x._array.shape
        hidden = weight_hh._array.shape[1]
        width = GATES[kind] * hidden
        rows = np.ascontiguousarray(x._array.reshape(steps * batch, features))
        xw = np.dot(rows, weight_ih._array.T)
        if bias_ih is not None:
            # Both biases in one pass over xw. The GRU's candidate block b_hn is added
            # inside its step instead (the reset gate scales W_hn h + b_hn).
            bias = bias_ih._array + bias_hh._array  # type: ignore[union-attr]
            if kind == "gru":
                bias[2 * hidden :] = bias_ih._array[2 * hidden :]
            xw += bias
        xw = xw.reshape(steps, batch, width)
        h_start = np.ascontiguousarray(h0._array, dtype=dtype)
        # One step (a cell) has one recurrent product: a BLAS call, no compiled loop.
        compiled = steps > 1 and _compiled_recurrence(batch, width, hidden)
        # Both loops read W_hh^T contiguous: the compiled product streams its rows, and
        # OpenBLAS multiplies by it faster than by the transposed view (B=32 H=128
        # float32: 34 against 46 us a step). A single step takes the view: the copy
        # would cost what it saves.
        w_hh_t = np.ascontiguousarray(weight_hh._array.T) if steps > 1 else weight_hh._array.T
        hs = np.empty((steps, batch, hidden), dtype=dtype)
        hw = np.empty((batch, width), dtype=dtype)
        last = 0 if reverse else steps - 1
        relu = kind == "rnn" and activations[0] == "relu"
        if kind == "rnn":
            kernels.run_loop("forward", kind, compiled, xw, w_hh_t, h_start, reverse, relu, hs, hw)
            ctx.saved_arrays = ()
            finals: tuple[np.ndarray, ...] = (hs[last].copy(),)
        elif kind == "lstm":
            c_start = _contiguous(c0, dtype)
            codes = _lstm_codes(activations)
            peepholes = _peepholes(weight_ci, weight_cf, weight_co, hidden, dtype)
            gates = np.empty((steps, batch, width), dtype=dtype)
            cs = np.empty((steps, batch, hidden), dtype=dtype)
            kernels.run_loop(
                "forward",
                kind,
                compiled,
                xw,
                w_hh_t,
                h_start,
                c_start,
                reverse,
                codes,
                peepholes,
                gates,
                cs,
                hs,
                hw,
            )
            ctx.saved_arrays = (gates, cs, c_start, codes, peepholes)
            finals = (hs[last].copy(), cs[last].copy())
        else:
            b_hn = (
                np.zeros(hidden, dtype)
                if bias_hh is None
                else np.ascontiguousarray(bias_hh._array[2 * hidden :], dtype=dtype)
            )
            gates = np.empty((steps, batch, 4 * hidden), dtype=dtype)
            kernels.run_loop(
                "forward", kind, compiled, xw, w_hh_t, b_hn, h_start, reverse, gates, hs, hw
            )
            ctx.saved_arrays = (gates,)
            finals = (hs[last].copy(),)
        output = Tensor._make(hs)
        ctx.save_for_backward(
            x,
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
            h0,
            c0,
            weight_ci,
            weight_cf,
            weight_co,
            output,
        )
        ctx.options = (kind, reverse, relu, compiled, written_out)
        ctx.rows = rows
        return (output, *[Tensor._make(a) for a in finals])

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        kind, reverse, relu, compiled, written_out = ctx.options
        saved = ctx.saved_tensors
        x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0 = saved[:7]
        output = saved[-1]
        if autograd.is_grad_enabled():
            return _recorded_backward(ctx, written_out, saved[:-1], grads)
        dtype = weight_hh._array.dtype
        hs = output._array
        steps, batch, hidden = hs.shape
        width = GATES[kind] * hidden
        d_out = np.ascontiguousarray(grads[0]._array, dtype=dtype)
        dh_n = np.ascontiguousarray(grads[1]._array, dtype=dtype)
        w_hh = np.ascontiguousarray(weight_hh._array)
        h_start = np.ascontiguousarray(h0._array, dtype=dtype)
        dh_next = np.empty((batch, hidden), dtype=dtype)
        d_ih = np.empty((steps, batch, width), dtype=dtype)
        d_c0 = None
        grad_peepholes: list[np.ndarray | None] = [None, None, None]
        if kind == "rnn":
            kernels.run_loop(
                "backward", kind, compiled, d_out, dh_n, w_hh, hs, reverse, relu, d_ih, dh_next
            )
            d_hh = d_ih
        elif kind == "lstm":
            gates, cs, c_start, codes, peepholes = ctx.saved_arrays
            dc_n = np.ascontiguousarray(grads[2]._array, dtype=dtype)
            d_c0 = np.empty((batch, hidden), dtype=dtype)
            kernels.run_loop(
                "backward",
                kind,
                compiled,
                d_out,
                dh_n,
                dc_n,
                w_hh,
                gates,
                cs,
                c_start,
                reverse,
                codes,
                peepholes,
                d_ih,
                dh_next,
                d_c0,
            )
            d_hh = d_ih
            if peepholes.shape[0]:
                grad_peepholes = _peephole_grads(d_ih, cs, c_start, reverse)
        else:
            (gates,) = ctx.saved_arrays
            d_hh = np.empty((steps, batch, width), dtype=dtype)
            dh_direct = np.empty((batch, hidden), dtype=dtype)
            kernels.run_loop(
                "backward",
                kind,
                compiled,
                d_out,
                dh_n,
                w_hh,
                gates,
                hs,
                h_start,
                reverse,
                d_ih,
                d_hh,
                dh_next,
                dh_direct,
            )
        needs = ctx.needs_input_grad
        d_ih_rows = d_ih.reshape(steps * batch, width)
        grad_x = grad_w_ih = grad_w_hh = grad_b_ih = grad_b_hh = None
        if needs[1]:
            grad_x = np.dot(d_ih_rows, weight_ih._array).reshape(x._array.shape)
        if needs[2]:
            grad_w_ih = np.dot(d_ih_rows.T, ctx.rows)
        if needs[3]:
            grad_w_hh = _recurrent_weight_grad(d_hh, hs, h_start, reverse)
        if needs[4]:
            grad_b_ih = d_ih_rows.sum(axis=0)
        if needs[5]:
            if d_hh is d_ih and grad_b_ih is not None:  # the same sum (RNN, LSTM)
                grad_b_hh = grad_b_ih.copy()
            else:
                grad_b_hh = d_hh.reshape(steps * batch, width).sum(axis=0)
        return (
            None,
            grad_x,
            grad_w_ih,
            grad_w_hh,
            grad_b_ih,
            grad_b_hh,
            dh_next if needs[6] else None,
            d_c0 if needs[7] else None,
            *[grad if need else None for grad, need in zip(grad_peepholes, needs[8:11])],
            None,
            None,
            None,
        )


def _recurrent_weight_grad(
    d_hh: np.ndarray, hs: np.ndarray, h_start: np.ndarray, reverse: bool
) -> np.ndarray:
    """``sum_t d_hh[t]^T h_prev[t]``, where ``h_prev[t]`` is the state step ``t`` read:
    ``h0`` for the run's first step, else the neighbouring step's output. Two products,
    without building the shifted copy of ``hs``."""
    steps, batch, width = d_hh.shape
    hidden = hs.shape[2]
    first, rest, previous = (
        (d_hh[-1], d_hh[:-1], hs[1:]) if reverse else (d_hh[0], d_hh[1:], hs[:-1])
    )
    grad = np.dot(first.T, h_start)
    if steps > 1:
        grad += np.dot(
            rest.reshape((steps - 1) * batch, width).T,
            previous.reshape((steps - 1) * batch, hidden),
        )
    return grad


def _lstm_codes(activations: tuple[str, ...]) -> tuple[int, int, int]:
    gate, cell, hidden = activations
    return (
        kernels.GATE_CODES[gate],
        kernels.SQUASH_CODES[cell],
        kernels.SQUASH_CODES[hidden],
    )


def _peepholes(
    weight_ci: Tensor | None,
    weight_cf: Tensor | None,
    weight_co: Tensor | None,
    hidden: int,
    dtype: np.dtype,
) -> np.ndarray:
    """The peephole weights as one (3, H) array, or (0, H) for an LSTM without them."""
    if weight_ci is None:
        return np.zeros((0, hidden), dtype)
    return np.stack([w._array for w in (weight_ci, weight_cf, weight_co)]).astype(dtype, copy=False)  # type: ignore[union-attr]


def _peephole_grads(
    d_pre: np.ndarray, cs: np.ndarray, c_start: np.ndarray, reverse: bool
) -> list[np.ndarray | None]:
    """``sum_t,b`` of ``d_i c_prev``, ``d_f c_prev`` and ``d_o c``: the gradients of the
    peephole weights, ``c_prev[t]`` the cell state step ``t`` read (``c0`` for the
    run's first step)."""
    hidden = cs.shape[2]
    d_i, d_f, d_o = d_pre[..., :hidden], d_pre[..., hidden : 2 * hidden], d_pre[..., 3 * hidden :]
    first, rest, previous = (
        (-1, slice(None, -1), cs[1:]) if reverse else (0, slice(1, None), cs[:-1])
    )

    def against_previous(grad: np.ndarray) -> np.ndarray:
        return (grad[first] * c_start).sum(axis=0) + (grad[rest] * previous).sum(axis=(0, 1))

    return [against_previous(d_i), against_previous(d_f), (d_o * cs).sum(axis=(0, 1))]


def _recorded_backward(
    ctx: Any,
    written_out: Callable[..., tuple[Tensor, ...]],
    inputs: tuple[Tensor | None, ...],
    grads: tuple[Tensor, ...],
) -> tuple[Any, ...]:
    """The backward pass for ``create_graph=True``: recompute the outputs with the
    written-out equations (recorded) and differentiate them, recording that too."""
    needs = ctx.needs_input_grad[1 : 1 + len(inputs)]
    outputs = written_out(*inputs)
    wanted = [tensor for tensor, need in zip(inputs, needs) if need and tensor is not None]
    computed = iter(autograd.grad(outputs, wanted, grads, create_graph=True, allow_unused=True))
    result = [next(computed) if need else None for need in needs]
    return (None, *result, None, None, None)


def fused_recurrence(
    kind: str,
    x: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    h0: Tensor,
    c0: Tensor | None,
    reverse: bool,
    activations: tuple[str, ...],
    written_out: Callable[..., tuple[Tensor, ...]],
    peepholes: tuple[Tensor, Tensor, Tensor] | None = None,
) -> tuple[Tensor, ...]:
    """Run one layer-direction with the fused kernels; see :class:`Recurrence`.
    ``peepholes``: the LSTM's ``(weight_ci, weight_cf, weight_co)``, or None.

    The caller (:mod:`minigrad.nn.recurrent`) has checked shapes and dtypes.
    """
    w_ci, w_cf, w_co = (None, None, None) if peepholes is None else peepholes
    return Recurrence.apply(  # type: ignore[no-any-return]
        kind,
        x,
        weight_ih,
        weight_hh,
        bias_ih,
        bias_hh,
        h0,
        c0,
        w_ci,
        w_cf,
        w_co,
        reverse,
        activations,
        written_out,
    )
