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
# recurrent product has at most this many multiply-adds (B * G*H * H); above, each
# step's product goes to BLAS. Measured on the 2-core Zen 4 (AVX-512), LSTM forward and
# backward loops over 100 steps, float32, compiled vs BLAS, ms: B=1 H=64 0.29 vs 0.98;
# B=2 H=64 0.58 vs 0.77; B=1 H=128 1.13 vs 1.33; B=1 H=256 4.8 vs 4.6; B=2 H=128 2.6
# vs 1.5; B=4 H=64 1.17 vs 0.83. float64 has half the SIMD lanes: half the threshold.
_COMPILED_MAX_WORK = {np.float32: 65536, np.float64: 32768}


def _compiled_recurrence(batch: int, gate_width: int, hidden: int, dtype: np.dtype) -> bool:
    return batch * gate_width * hidden <= _COMPILED_MAX_WORK[dtype.type]


def _contiguous(tensor: Tensor | None, dtype: np.dtype) -> np.ndarray | None:
    if tensor is None:
        return None
    return np.ascontiguousarray(tensor.data, dtype=dtype)


class Recurrence(Function):
    """One layer-direction of an RNN (tanh or ReLU), LSTM or GRU over a whole sequence.

    Arguments of ``apply``: ``kind`` ("rnn", "lstm", "gru"), ``x`` (T, B, I),
    ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,) or
    None, ``h0`` (B, H), ``c0`` (B, H) for the LSTM (else None), ``reverse`` (read the
    steps last to first), ``relu`` (the RNN's nonlinearity) and ``written_out`` (the same
    layer-direction as recorded tensor operations, for a recorded backward). Returns
    ``output`` (T, B, H) and the final ``h`` (B, H), and for the LSTM the final ``c``.
    """

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
        reverse: bool,
        relu: bool,
        written_out: Callable[..., tuple[Tensor, ...]],
    ) -> tuple[Tensor, ...]:
        dtype = weight_hh.data.dtype
        steps, batch, features = x.data.shape
        hidden = weight_hh.data.shape[1]
        width = GATES[kind] * hidden
        rows = np.ascontiguousarray(x.data.reshape(steps * batch, features))
        xw = np.dot(rows, weight_ih.data.T)
        if bias_ih is not None:
            # Both biases in one pass over xw. The GRU's candidate block b_hn is added
            # inside its step instead (the reset gate scales W_hn h + b_hn).
            bias = bias_ih.data + bias_hh.data  # type: ignore[union-attr]
            if kind == "gru":
                bias[2 * hidden :] = bias_ih.data[2 * hidden :]
            xw += bias
        xw = xw.reshape(steps, batch, width)
        h_start = np.ascontiguousarray(h0.data, dtype=dtype)
        # One step (a cell) has one recurrent product: a BLAS call, no compiled loop.
        compiled = steps > 1 and _compiled_recurrence(batch, width, hidden, dtype)
        # The compiled product reads rows of W_hh^T; BLAS takes the transposed view.
        w_hh_t = np.ascontiguousarray(weight_hh.data.T) if compiled else weight_hh.data.T
        hs = np.empty((steps, batch, hidden), dtype=dtype)
        hw = np.empty((batch, width), dtype=dtype)
        last = 0 if reverse else steps - 1
        if kind == "rnn":
            kernels.run_loop("forward", kind, compiled, xw, w_hh_t, h_start, reverse, relu, hs, hw)
            ctx.saved_arrays = ()
            finals: tuple[np.ndarray, ...] = (hs[last].copy(),)
        elif kind == "lstm":
            c_start = _contiguous(c0, dtype)
            gates = np.empty((steps, batch, width), dtype=dtype)
            cs = np.empty((steps, batch, hidden), dtype=dtype)
            kernels.run_loop(
                "forward", kind, compiled, xw, w_hh_t, h_start, c_start, reverse, gates, cs, hs, hw
            )
            ctx.saved_arrays = (gates, cs, c_start)
            finals = (hs[last].copy(), cs[last].copy())
        else:
            b_hn = (
                np.zeros(hidden, dtype)
                if bias_hh is None
                else np.ascontiguousarray(bias_hh.data[2 * hidden :], dtype=dtype)
            )
            gates = np.empty((steps, batch, 4 * hidden), dtype=dtype)
            kernels.run_loop(
                "forward", kind, compiled, xw, w_hh_t, b_hn, h_start, reverse, gates, hs, hw
            )
            ctx.saved_arrays = (gates,)
            finals = (hs[last].copy(),)
        output = Tensor._make(hs)
        ctx.save_for_backward(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, output)
        ctx.options = (kind, reverse, relu, compiled, written_out)
        ctx.rows = rows
        return (output, *[Tensor._make(a) for a in finals])

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        kind, reverse, relu, compiled, written_out = ctx.options
        saved = ctx.saved_tensors
        x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, output = saved
        if autograd.is_grad_enabled():
            return _recorded_backward(ctx, written_out, saved[:7], grads)
        dtype = weight_hh.data.dtype
        hs = output.data
        steps, batch, hidden = hs.shape
        width = GATES[kind] * hidden
        d_out = np.ascontiguousarray(grads[0].data, dtype=dtype)
        dh_n = np.ascontiguousarray(grads[1].data, dtype=dtype)
        w_hh = np.ascontiguousarray(weight_hh.data)
        h_start = np.ascontiguousarray(h0.data, dtype=dtype)
        dh_next = np.empty((batch, hidden), dtype=dtype)
        d_ih = np.empty((steps, batch, width), dtype=dtype)
        d_c0 = None
        if kind == "rnn":
            kernels.run_loop(
                "backward", kind, compiled, d_out, dh_n, w_hh, hs, reverse, relu, d_ih, dh_next
            )
            d_hh = d_ih
        elif kind == "lstm":
            gates, cs, c_start = ctx.saved_arrays
            dc_n = np.ascontiguousarray(grads[2].data, dtype=dtype)
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
                d_ih,
                dh_next,
                d_c0,
            )
            d_hh = d_ih
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
            grad_x = np.dot(d_ih_rows, weight_ih.data).reshape(x.data.shape)
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


def _recorded_backward(
    ctx: Any,
    written_out: Callable[..., tuple[Tensor, ...]],
    inputs: tuple[Tensor | None, ...],
    grads: tuple[Tensor, ...],
) -> tuple[Any, ...]:
    """The backward pass for ``create_graph=True``: recompute the outputs with the
    written-out equations (recorded) and differentiate them, recording that too."""
    needs = ctx.needs_input_grad[1:8]
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
    relu: bool,
    written_out: Callable[..., tuple[Tensor, ...]],
) -> tuple[Tensor, ...]:
    """Run one layer-direction with the fused kernels; see :class:`Recurrence`.

    The caller (:mod:`minigrad.nn.recurrent`) has checked shapes and dtypes.
    """
    return Recurrence.apply(  # type: ignore[no-any-return]
        kind, x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, reverse, relu, written_out
    )
