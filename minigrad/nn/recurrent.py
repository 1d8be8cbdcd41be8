"""Recurrent networks: the RNN, LSTM and GRU cells and the layers that run them over time.

The API is ``torch.nn``'s: the same class names, arguments, shapes, gate order and
parameter names, so a ``state_dict`` saved from one library loads into the other.

* A **cell** computes one time step. Its ``forward`` *is* its equations, written as
  tensor expressions to read next to a textbook: the input and hidden projections are
  one matrix product each against the stacked weights (``weight_ih`` is
  ``[W_i*; W_f*; ...]``) and ``chunk`` cuts the result into the gates.
* A **sequence layer** (``RNN``, ``LSTM``, ``GRU``) loops a cell over time, for every
  layer and direction. The loop (:func:`_run_over_time`) is written once and shared by
  the three layers; the layer's parameters (``weight_ih_l0``, ``..._reverse``) are lent
  to a cell for the duration of a call, so the layer runs exactly the cell's equations.

Shapes (``T`` time steps, ``B`` batch, ``I`` input features, ``H`` hidden features,
``D`` = 2 if bidirectional else 1, ``L`` layers): cells take ``(B, I)`` or unbatched
``(I,)``; layers take ``(T, B, I)``, ``(B, T, I)`` with ``batch_first`` or unbatched
``(T, I)``, and return ``output`` of shape ``(T, B, D*H)`` and ``h_n`` of shape
``(D*L, B, H)`` (the LSTM: ``(h_n, c_n)``). Layers also take a
:class:`~minigrad.nn.utils.rnn.PackedSequence` of variable-length sequences.

The LSTM variants of the literature are options of :class:`LSTMCell` and :class:`LSTM`,
all off by default (which is PyTorch's LSTM): peephole connections (Gers & Schmidhuber
2000), a hard-sigmoid gate, the squashing functions of the original LSTM (Hochreiter &
Schmidhuber 1997) and a forget-gate bias (Gers et al. 2000; Jozefowicz et al. 2015).

>>> import minigrad
>>> from minigrad.nn.recurrent import LSTM
>>> lstm = LSTM(input_size=8, hidden_size=16, num_layers=2)
>>> x = minigrad.randn(5, 3, 8)               # (T, B, I)
>>> output, (h_n, c_n) = lstm(x)              # (5, 3, 16), (2, 3, 16), (2, 3, 16)
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import in_place
from minigrad.creation import zeros
from minigrad.devices import resolve_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.module import Module, Parameter
from minigrad.nn.utils.rnn import PackedSequence
from minigrad.ops import cat, elu, leaky_relu, linear, relu, sigmoid, stack, tanh, unbind
from minigrad.ops.recurrent import fused_recurrence
from minigrad.tensor import Tensor

__all__ = [
    "GATE_ACTIVATIONS",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNCell",
    "SQUASHING_ACTIVATIONS",
    "LastOutput",
    "SequenceOutput",
    "is_fused_enabled",
    "set_fused_enabled",
]


# --------------------------------------------------------------------------- activations


def scaled_sigmoid_2(input: Tensor) -> Tensor:
    """``2 sigmoid(x) - 1``, in ``(-1, 1)``: the original LSTM's output squashing ``h``
    (Hochreiter & Schmidhuber 1997)."""
    return sigmoid(input) * 2.0 - 1.0


def scaled_sigmoid_4(input: Tensor) -> Tensor:
    """``4 sigmoid(x) - 2``, in ``(-2, 2)``: the original LSTM's input squashing ``g``
    (Hochreiter & Schmidhuber 1997)."""
    return sigmoid(input) * 4.0 - 2.0


#: The functions a gate may use: they map into ``[0, 1]``.
GATE_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": sigmoid,
    # PyTorch's hardsigmoid, clamp(x/6 + 1/2, 0, 1): piecewise linear, cheap.
    "hard_sigmoid": F.hardsigmoid,
}

#: The functions an LSTM may use for the candidate ``g`` and for ``h = o * act(c)``.
SQUASHING_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "scaled_sigmoid_2": scaled_sigmoid_2,
    "scaled_sigmoid_4": scaled_sigmoid_4,
}

#: The nonlinearities of the Elman RNN (PyTorch's two).
RNN_NONLINEARITIES: dict[str, Callable[[Tensor], Tensor]] = {"tanh": tanh, "relu": relu}


def _choice(value: Any, table: dict[str, Any], what: str, owner: str) -> Any:
    """The entry of ``table`` named ``value``, or a ValueError listing the choices."""
    if not isinstance(value, str) or value not in table:
        raise ValueError(
            f"{owner}: unknown {what} {value!r}; expected one of {', '.join(map(repr, table))}"
        )
    return table[value]


# --------------------------------------------------------------------------- fused or written out

# The recurrent layers and cells run on fused kernels by default (minigrad.ops.recurrent:
# a whole layer-direction, or a cell step, as one graph node); this switch, and each
# module's ``fused`` attribute, select the written-out equations instead.
_FUSED = {"enabled": True}


def set_fused_enabled(enabled: bool) -> None:
    """Choose, for every recurrent layer and cell, between the fused kernels (``True``,
    the default) and the written-out equations (``False``: one graph node per tensor
    expression, slower, for teaching and debugging). A module's own ``fused=False``
    always selects the written-out equations."""
    _FUSED["enabled"] = bool(enabled)


def is_fused_enabled() -> bool:
    """Whether recurrent modules may use their fused kernels (see :func:`set_fused_enabled`)."""
    return _FUSED["enabled"]


def _written_out(
    cell_class: type[_CellBase],
    sizes: tuple[int, int, bool],
    options: dict[str, Any],
    reverse: bool,
) -> Callable[..., tuple[Tensor, ...]]:
    """The written-out equations of one layer-direction as a function of its tensors,
    ``(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, weight_ci, weight_cf, weight_co)
    -> (output, h_n[, c_n])``: what the fused operation computes, for its recorded
    (``create_graph``) backward pass."""

    def run(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, *peepholes):  # type: ignore[no-untyped-def]
        parameters = {
            "weight_ih": weight_ih,
            "weight_hh": weight_hh,
            "bias_ih": bias_ih,
            "bias_hh": bias_hh,
        }
        if options.get("peephole"):
            parameters.update(zip(_PEEPHOLE_NAMES, peepholes))
        cell = cell_class._sharing(*sizes, parameters, options)
        outputs, final = _run_over_time(
            cell, list(unbind(x, 0)), h0 if c0 is None else (h0, c0), reverse
        )
        return (stack(outputs, 0), *(final if isinstance(final, tuple) else (final,)))

    return run


# --------------------------------------------------------------------------- parameters


_PEEPHOLE_NAMES = ("weight_ci", "weight_cf", "weight_co")


def _check_size(value: Any, name: str, owner: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be at least {minimum}, got {value}")
    return int(value)


def _float_dtype(dtype: Any, owner: str) -> np.dtype:
    resolved = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
    if resolved not in dtypes.FLOATING:
        raise TypeError(f"{owner}: dtype must be float32 or float64, got {resolved}")
    return resolved


def _register_cell_parameters(
    module: Module,
    suffix: str,
    input_size: int,
    hidden_size: int,
    gates: int,
    bias: bool,
    peephole: bool,
    dtype: np.dtype,
    projection: int = 0,
) -> None:
    """Register one cell's parameters on ``module``, PyTorch's names plus ``suffix``:
    ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,),
    with a ``projection`` of size P > 0 ``weight_hh`` (G*H, P) and ``weight_hr`` (P, H),
    and with ``peephole`` the diagonal ``weight_ci``, ``weight_cf``, ``weight_co`` (H,).
    Values are filled by :func:`_reset_parameters`."""

    def new(*shape: int) -> Parameter:
        return Parameter(np.zeros(shape, dtype=dtype))

    recurrent = projection or hidden_size
    module.register_parameter("weight_ih" + suffix, new(gates * hidden_size, input_size))
    module.register_parameter("weight_hh" + suffix, new(gates * hidden_size, recurrent))
    module.register_parameter("bias_ih" + suffix, new(gates * hidden_size) if bias else None)
    module.register_parameter("bias_hh" + suffix, new(gates * hidden_size) if bias else None)
    if projection:
        module.register_parameter("weight_hr" + suffix, new(projection, hidden_size))
    if peephole:
        for name in _PEEPHOLE_NAMES:
            module.register_parameter(name + suffix, new(hidden_size))


def _reset_parameters(module: Module, hidden_size: int, forget_bias: float = 0.0) -> None:
    """PyTorch's initialisation: every parameter uniform in ``±1/sqrt(H)``; then
    ``forget_bias`` is added to the forget-gate slice ``[H:2H]`` of every ``bias_ih``."""
    bound = 1.0 / math.sqrt(hidden_size)
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)
    if forget_bias:
        for name, parameter in module.named_parameters():
            if name.startswith("bias_ih"):
                with in_place(parameter):
                    parameter._array[hidden_size : 2 * hidden_size] += forget_bias


def _affine(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``W x + b`` for a batch of row vectors ``x``: ``x @ W^T + b``, as one graph node
    (:func:`minigrad.linear`)."""
    return linear(input, weight, bias)


# --------------------------------------------------------------------------- input checks


def _check_tensor(value: Any, what: str, owner: str, dtype: np.dtype) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{owner}: {what} must be a Tensor, got {type(value).__name__}")
    if value.dtype != dtype:
        raise TypeError(
            f"{owner}: {what} has dtype {value.dtype}, but the parameters are {dtype}; "
            f"convert one of them (tensor.to(...) or module.to(...))"
        )
    return value


def _state_tuple(hx: Any, count: int, owner: str) -> tuple[Any, ...]:
    """The initial state as a tuple of ``count`` entries (each a Tensor or None)."""
    if count == 1:
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{owner}: hx must be a Tensor or None, got a {type(hx).__name__}")
        return (hx,)
    if hx is None:
        return (None,) * count
    if not isinstance(hx, (tuple, list)) or len(hx) != count:
        raise TypeError(
            f"{owner}: hx must be None or a tuple (h_0, c_0) of two Tensors, got "
            f"{type(hx).__name__}"
        )
    if any(h is None for h in hx):
        raise TypeError(f"{owner}: hx must give both h_0 and c_0, or be None")
    return tuple(hx)


# --------------------------------------------------------------------------- cells


class _CellBase(Module):
    """What the three cells share: sizes, parameters, input checks, ``extra_repr``."""

    gates = 1
    state_count = 1  # 2 for the LSTM's (h, c)
    kind = ""  # "rnn", "lstm" or "gru": which fused kernels compute this cell
    fused = True
    input_size: int
    hidden_size: int
    bias: bool
    # Checks and stores the cell's options (nonlinearity, activations); each cell has one.
    _configure: Callable[..., None]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        dtype: Any,
        peephole: bool = False,
        fused: bool = True,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", owner)
        self.hidden_size = _check_size(hidden_size, "hidden_size", owner)
        self.bias = bool(bias)
        self.fused = bool(fused)
        _register_cell_parameters(
            self,
            "",
            self.input_size,
            self.hidden_size,
            self.gates,
            self.bias,
            peephole,
            _float_dtype(dtype, owner),
        )

    @classmethod
    def _sharing(
        cls,
        input_size: int,
        hidden_size: int,
        bias: bool,
        parameters: dict[str, Tensor | None],
        options: dict[str, Any],
    ) -> _CellBase:
        """A cell that uses the given parameters (a sequence layer's, lent for one call)
        instead of creating its own."""
        cell = cls.__new__(cls)
        Module.__init__(cell)
        cell.input_size, cell.hidden_size, cell.bias = input_size, hidden_size, bias
        cell.fused = False  # a lent cell is the written-out definition
        cell._configure(**options)
        # Lent, not registered: the fused layers' recorded backward lends plain tensors.
        cell._parameters.update(parameters)
        return cell

    def reset_parameters(self) -> None:
        """Draw every parameter uniformly from ``±1/sqrt(hidden_size)`` (PyTorch's)."""
        _reset_parameters(self, self.hidden_size)

    def _prepare(self, input: Any, hx: Any) -> tuple[Tensor, tuple[Tensor, ...], bool]:
        """Check the input and state; return them batched, with zero states for None."""
        owner = type(self).__name__
        dtype = self.weight_ih.dtype
        states = _state_tuple(hx, self.state_count, owner)
        _check_tensor(input, "input", owner, dtype)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{owner}: expected input of shape (batch, {self.input_size}) or "
                f"({self.input_size},), got {input.shape}"
            )
        unbatched = input.ndim == 1
        batch = 1 if unbatched else input.shape[0]
        expected = (self.hidden_size,) if unbatched else (batch, self.hidden_size)
        names = ("h_0", "c_0") if self.state_count == 2 else ("hx",)
        for name, state in zip(names, states):
            if state is None:
                continue
            _check_tensor(state, name, owner, dtype)
            if state.shape != expected:
                raise ValueError(
                    f"{owner}: expected {name} of shape {expected} for input of shape "
                    f"{input.shape}, got {state.shape}"
                )
        if unbatched:
            input = input.unsqueeze(0)
            states = tuple(None if s is None else s.unsqueeze(0) for s in states)
        states = tuple(
            zeros(batch, self.hidden_size, dtype=dtype) if s is None else s for s in states
        )
        return input, states, unbatched

    def _takes_fused_path(self) -> bool:
        return self.fused and _FUSED["enabled"]

    def _fused_step(self, x: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        """One step through the fused kernels: the new state(s), batched."""
        written_out = _written_out(
            type(self), (self.input_size, self.hidden_size, self.bias), self._options(), False
        )
        results = fused_recurrence(
            self.kind,
            x.unsqueeze(0),
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            states[0],
            states[1] if len(states) == 2 else None,
            False,
            _activations(self),
            written_out,
            _peephole_weights(self, ""),
        )
        return results[1:]

    def _options(self) -> dict[str, Any]:
        return {}

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        return text


def _unbatch(unbatched: bool, state: Tensor) -> Tensor:
    return state.squeeze(0) if unbatched else state


class RNNCell(_CellBase):
    r"""An Elman RNN cell: one time step of :class:`RNN`.

    .. math::
        h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    (``nonlinearity="relu"`` uses ReLU instead of tanh).

    Args:
        input_size: ``I``, the features of ``x_t``.
        hidden_size: ``H``, the features of ``h_t``.
        bias: use ``b_ih`` and ``b_hh``.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        dtype: of the parameters (default: the default dtype).

    Parameters: ``weight_ih`` (H, I), ``weight_hh`` (H, H), ``bias_ih`` (H,),
    ``bias_hh`` (H,), all drawn from ``U(-1/sqrt(H), 1/sqrt(H))``.

    Shapes: ``input`` (B, I) or (I,); ``hx`` (B, H) or (H,), zeros when omitted;
    returns ``h_t`` (B, H) or (H,).
    """

    gates = 1
    kind = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
        *,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        _choice(nonlinearity, RNN_NONLINEARITIES, "nonlinearity", "RNNCell")
        super().__init__(input_size, hidden_size, bias, dtype, fused=fused)
        self._configure(nonlinearity=nonlinearity)
        self.reset_parameters()

    def _configure(self, nonlinearity: str = "tanh") -> None:
        self.nonlinearity = nonlinearity
        self._activation = _choice(nonlinearity, RNN_NONLINEARITIES, "nonlinearity", "RNNCell")

    def _options(self) -> dict[str, Any]:
        return {"nonlinearity": self.nonlinearity}

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``."""
        x, (h,), unbatched = self._prepare(input, hx)
        if self._takes_fused_path():
            (h_next,) = self._fused_step(x, (h,))
            return _unbatch(unbatched, h_next)
        h_next = self._activation(
            _affine(x, self.weight_ih, self.bias_ih) + _affine(h, self.weight_hh, self.bias_hh)
        )
        return _unbatch(unbatched, h_next)

    def extra_repr(self) -> str:
        text = super().extra_repr()
        if self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class LSTMCell(_CellBase):
    r"""A long short-term memory cell: one time step of :class:`LSTM`.

    .. math::
        i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    The gates are stacked in PyTorch's order ``i, f, g, o``: ``weight_ih`` is
    ``[W_ii; W_if; W_ig; W_io]`` of shape (4H, I), ``weight_hh`` (4H, H), ``bias_ih`` and
    ``bias_hh`` (4H,), all drawn from ``U(-1/sqrt(H), 1/sqrt(H))``.

    Variants (the defaults give PyTorch's LSTM):

    * ``peephole=True`` (Gers & Schmidhuber 2000, "Recurrent nets that time and count"):
      the gates also look at the cell through diagonal weights ``weight_ci``,
      ``weight_cf``, ``weight_co`` (each (H,), initialised like the others). The input
      and forget gates see the previous cell, the output gate the new one:
      ``i_t = σ(... + w_ci ⊙ c_{t-1})``, ``f_t = σ(... + w_cf ⊙ c_{t-1})``,
      ``o_t = σ(... + w_co ⊙ c_t)``.
    * ``gate_activation``: ``"sigmoid"`` or ``"hard_sigmoid"`` (PyTorch's hardsigmoid,
      ``clamp(x/6 + 1/2, 0, 1)``), for ``σ`` in the three gates.
    * ``cell_activation`` (the candidate ``g_t``) and ``hidden_activation`` (the ``tanh``
      in ``h_t = o_t ⊙ tanh(c_t)``): one of ``"tanh"``, ``"relu"``, ``"leaky_relu"``,
      ``"elu"``, ``"scaled_sigmoid_2"`` (``2σ(x) - 1``) and ``"scaled_sigmoid_4"``
      (``4σ(x) - 2``). The original LSTM (Hochreiter & Schmidhuber 1997, "Long short-term
      memory") squashes the cell input with ``4σ - 2`` and the cell output with
      ``2σ - 1``: ``cell_activation="scaled_sigmoid_4",
      hidden_activation="scaled_sigmoid_2"``.
    * ``forget_bias``: added at initialisation to the forget-gate slice of ``bias_ih``
      (``bias_ih[H:2H]``), so the cell starts out remembering (Gers, Schmidhuber &
      Cummins 2000; Jozefowicz, Zaremba & Sutskever 2015 recommend 1). Only ``bias_ih``
      gets it, so the total forget bias ``b_if + b_hf`` moves by exactly
      ``forget_bias``. Needs ``bias=True``.

    Shapes: ``input`` (B, I) or (I,); ``hx`` a tuple ``(h_0, c_0)`` of (B, H) or (H,),
    zeros when omitted; returns ``(h_t, c_t)`` of the same shapes.
    """

    gates = 4
    state_count = 2
    kind = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        peephole: bool = False,
        gate_activation: str = "sigmoid",
        cell_activation: str = "tanh",
        hidden_activation: str = "tanh",
        forget_bias: float = 0.0,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        options = _lstm_options(
            "LSTMCell",
            bias,
            peephole,
            gate_activation,
            cell_activation,
            hidden_activation,
            forget_bias,
        )
        super().__init__(
            input_size, hidden_size, bias, dtype, peephole=options["peephole"], fused=fused
        )
        self._configure(**options)
        self.reset_parameters()

    def _configure(
        self,
        peephole: bool = False,
        gate_activation: str = "sigmoid",
        cell_activation: str = "tanh",
        hidden_activation: str = "tanh",
        forget_bias: float = 0.0,
    ) -> None:
        owner = "LSTMCell"
        self.peephole = peephole
        self.gate_activation = gate_activation
        self.cell_activation = cell_activation
        self.hidden_activation = hidden_activation
        self.forget_bias = forget_bias
        self._gate = _choice(gate_activation, GATE_ACTIVATIONS, "gate_activation", owner)
        self._squash_input = _choice(
            cell_activation, SQUASHING_ACTIVATIONS, "cell_activation", owner
        )
        self._squash_output = _choice(
            hidden_activation, SQUASHING_ACTIVATIONS, "hidden_activation", owner
        )

    def reset_parameters(self) -> None:
        """PyTorch's uniform initialisation, then ``forget_bias`` added to ``bias_ih``'s
        forget-gate slice."""
        _reset_parameters(self, self.hidden_size, self.forget_bias)

    def _options(self) -> dict[str, Any]:
        return _lstm_variant(self)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """One step: ``(h_t, c_t)`` from ``x_t`` and ``(h_{t-1}, c_{t-1})``."""
        x, (h, c), unbatched = self._prepare(input, hx)
        if self._takes_fused_path():
            h_next, c_next = self._fused_step(x, (h, c))
        else:
            h_next, c_next = self._equations(x, h, c)
        return _unbatch(unbatched, h_next), _unbatch(unbatched, c_next)

    def _equations(self, x: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        """The written-out step on batched ``x``, ``h``, ``c``: ``(h_t, c_t)``."""
        gate, squash_input, squash_output = self._gate, self._squash_input, self._squash_output

        # W_i* x + b_i* + W_h* h + b_h*, for the four gates at once, then cut in four.
        i, f, g, o = (
            _affine(x, self.weight_ih, self.bias_ih) + _affine(h, self.weight_hh, self.bias_hh)
        ).chunk(4, dim=1)
        if self.peephole:
            i = i + self.weight_ci * c
            f = f + self.weight_cf * c
        i = gate(i)
        f = gate(f)
        g = squash_input(g)
        c_next = f * c + i * g
        if self.peephole:
            o = o + self.weight_co * c_next
        o = gate(o)
        h_next = o * squash_output(c_next)
        return h_next, c_next

    def extra_repr(self) -> str:
        return super().extra_repr() + _lstm_repr(self)


def _lstm_options(
    owner: str,
    bias: bool,
    peephole: bool,
    gate_activation: str,
    cell_activation: str,
    hidden_activation: str,
    forget_bias: float,
) -> dict[str, Any]:
    """Check the LSTM variant options (before anything is built) and return them."""
    _choice(gate_activation, GATE_ACTIVATIONS, "gate_activation", owner)
    _choice(cell_activation, SQUASHING_ACTIVATIONS, "cell_activation", owner)
    _choice(hidden_activation, SQUASHING_ACTIVATIONS, "hidden_activation", owner)
    if not isinstance(forget_bias, numbers.Real) or not math.isfinite(forget_bias):
        raise ValueError(f"{owner}: forget_bias must be a finite number, got {forget_bias!r}")
    if forget_bias != 0 and not bias:
        raise ValueError(
            f"{owner}: forget_bias={forget_bias} is added to bias_ih, which bias=False removes"
        )
    return {
        "peephole": bool(peephole),
        "gate_activation": gate_activation,
        "cell_activation": cell_activation,
        "hidden_activation": hidden_activation,
        "forget_bias": float(forget_bias),
    }


def _lstm_variant(module: Any) -> dict[str, Any]:
    """The variant options of an LSTM module, as ``_configure`` takes them."""
    return {
        "peephole": module.peephole,
        "gate_activation": module.gate_activation,
        "cell_activation": module.cell_activation,
        "hidden_activation": module.hidden_activation,
        "forget_bias": module.forget_bias,
    }


def _activations(module: Any) -> tuple[str, ...]:
    """The activation names the fused kernels take: the RNN's nonlinearity, the LSTM's
    gate, candidate and cell-output functions, none for the GRU."""
    kind = module.cell_class.kind if hasattr(module, "cell_class") else module.kind
    if kind == "rnn":
        return (module.nonlinearity,)
    if kind == "lstm":
        return (module.gate_activation, module.cell_activation, module.hidden_activation)
    return ()


def _peephole_weights(module: Any, suffix: str) -> tuple[Tensor, Tensor, Tensor] | None:
    """An LSTM's peephole weights of one layer-direction (``suffix``), or None."""
    if not getattr(module, "peephole", False):
        return None
    return tuple(module._parameters[name + suffix] for name in _PEEPHOLE_NAMES)  # type: ignore[return-value]


def _lstm_repr(module: Any) -> str:
    text = ""
    if module.peephole:
        text += ", peephole=True"
    if module.gate_activation != "sigmoid":
        text += f", gate_activation={module.gate_activation}"
    if module.cell_activation != "tanh":
        text += f", cell_activation={module.cell_activation}"
    if module.hidden_activation != "tanh":
        text += f", hidden_activation={module.hidden_activation}"
    if module.forget_bias != 0:
        text += f", forget_bias={module.forget_bias}"
    return text


class GRUCell(_CellBase):
    r"""A gated recurrent unit cell (Cho et al. 2014): one time step of :class:`GRU`.

    .. math::
        r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    As PyTorch (and cuDNN), the reset gate scales ``W_hn h + b_hn``, not ``h`` itself.
    The gates are stacked in the order ``r, z, n``: ``weight_ih`` (3H, I),
    ``weight_hh`` (3H, H), ``bias_ih`` and ``bias_hh`` (3H,), all drawn from
    ``U(-1/sqrt(H), 1/sqrt(H))``.

    Shapes: ``input`` (B, I) or (I,); ``hx`` (B, H) or (H,), zeros when omitted;
    returns ``h_t`` (B, H) or (H,).
    """

    gates = 3
    kind = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__(input_size, hidden_size, bias, dtype, fused=fused)
        self.reset_parameters()

    def _configure(self) -> None:
        """The GRU has no options."""

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: ``h_t`` from ``x_t`` and ``h_{t-1}``."""
        x, (h,), unbatched = self._prepare(input, hx)
        if self._takes_fused_path():
            (h_next,) = self._fused_step(x, (h,))
            return _unbatch(unbatched, h_next)
        x_r, x_z, x_n = _affine(x, self.weight_ih, self.bias_ih).chunk(3, dim=1)
        h_r, h_z, h_n = _affine(h, self.weight_hh, self.bias_hh).chunk(3, dim=1)
        r = sigmoid(x_r + h_r)
        z = sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)
        h_next = (1.0 - z) * n + z * h
        return _unbatch(unbatched, h_next)


# --------------------------------------------------------------------------- the time loop


def _run_over_time(
    cell: _CellBase, inputs: Sequence[Tensor], state: Any, reverse: bool
) -> tuple[list[Tensor], Any]:
    """Run ``state = cell(x_t, state)`` for ``t = 1 .. T`` (``T .. 1`` when ``reverse``).

    ``inputs`` are the T steps, each (B, features); ``state`` is ``h`` (or ``(h, c)``
    for the LSTM; None for zeros). Returns the hidden state of every step, in time order
    (so a reversed run's outputs line up with the forward run's), and the final state.
    """
    outputs: list[Tensor] = [None] * len(inputs)  # type: ignore[list-item]
    steps = range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs))
    for t in steps:
        state = cell(inputs[t], state)
        outputs[t] = state[0] if isinstance(state, tuple) else state
    return outputs, state


def _run_packed(
    run_segment: Callable[..., tuple[Tensor, tuple[Tensor, ...]]],
    data: Tensor,
    batch_sizes: Sequence[int],
    initial: tuple[Tensor, ...],
    reverse: bool,
) -> tuple[Tensor, list[Tensor]]:
    """Run one layer-direction over packed ``data``: step ``t`` is ``batch_sizes[t]``
    (non-increasing) rows, the sequences still running, longest first; ``initial`` holds
    the states ``(B, features)`` of all ``B`` sequences.

    Forward, the running batch shrinks: when sequences end their rows leave the state
    and are their final states. In reverse the batch grows: a sequence joins, with its
    initial state, at its own last step. Between such changes the batch is constant, so
    each run of equal batch sizes is one ``run_segment(x, states, reverse)`` call on
    ``x`` of shape ``(steps, batch, features)``, returning its outputs ``(steps, batch,
    H)`` and final states. Returns the outputs as packed data (every step's ``h``, in
    time order) and the final states ``(B, features)``.
    """
    starts = np.concatenate([[0], np.cumsum(batch_sizes)]).tolist()
    segments: list[list[int]] = []  # [first step, end step, batch size]
    for t, size in enumerate(batch_sizes):
        if segments and segments[-1][2] == size:
            segments[-1][1] = t + 1
        else:
            segments.append([t, t + 1, size])

    def rows(first: int, end: int, size: int) -> Tensor:
        return data[starts[first] : starts[end]].reshape(end - first, size, data.shape[1])

    outputs: list[Tensor] = []
    if reverse:
        states: tuple[Tensor, ...] = tuple(s[:0] for s in initial)
        for first, end, size in reversed(segments):
            running = states[0].shape[0]
            # The sequences of length `end` start here, from their initial states.
            states = tuple(cat([s, i[running:size]], dim=0) for s, i in zip(states, initial))
            output, states = run_segment(rows(first, end, size), states, True)
            outputs.insert(0, output.reshape(-1, output.shape[2]))
        return cat(outputs, dim=0), list(states)
    ended: list[tuple[Tensor, ...]] = []  # the rows of sequences that ended, last first
    states = initial
    for first, end, size in segments:
        if size < states[0].shape[0]:
            ended.insert(0, tuple(s[size:] for s in states))
            states = tuple(s[:size] for s in states)
        output, states = run_segment(rows(first, end, size), states, False)
        outputs.append(output.reshape(-1, output.shape[2]))
    pieces = [states, *ended]
    return cat(outputs, dim=0), [
        cat([piece[k] for piece in pieces], dim=0) if ended else states[k]
        for k in range(len(states))
    ]


def _size_name(module: Any, size: int) -> str:
    return "proj_size" if size != module.hidden_size else "hidden_size"


# --------------------------------------------------------------------------- sequence layers


class _RecurrentLayer(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: PyTorch's signature and parameter
    layout, the input checks, and the loop over layers and directions."""

    _returns_state = True  # (output, state): Sequential's error message names the fix

    cell_class: type[_CellBase] = _CellBase
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bias: bool,
        batch_first: bool,
        dropout: float,
        bidirectional: bool,
        dtype: Any,
        peephole: bool = False,
        fused: bool = True,
        proj_size: int = 0,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.proj_size = proj_size
        self.input_size = _check_size(input_size, "input_size", owner)
        self.hidden_size = _check_size(hidden_size, "hidden_size", owner)
        self.num_layers = _check_size(num_layers, "num_layers", owner)
        self.fused = bool(fused)
        if (
            not isinstance(dropout, numbers.Real)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{owner}: dropout should be a number in range [0, 1] representing the "
                f"probability of an element being zeroed, got {dropout!r}"
            )
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"{owner}: dropout acts between stacked layers (after every layer but the "
                f"last), so dropout={dropout} with num_layers=1 does nothing",
                UserWarning,
                stacklevel=3,
            )
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        resolved = _float_dtype(dtype, owner)
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self._output_size() * directions
            for direction in range(directions):
                _register_cell_parameters(
                    self,
                    self._suffix(layer, direction),
                    layer_input,
                    self.hidden_size,
                    self.cell_class.gates,
                    self.bias,
                    peephole,
                    resolved,
                    self.proj_size,
                )

    @staticmethod
    def _suffix(layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    def _cell_options(self) -> dict[str, Any]:
        return {}

    def reset_parameters(self) -> None:
        """Draw every parameter uniformly from ``±1/sqrt(hidden_size)`` (PyTorch's)."""
        _reset_parameters(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch's call to pack weights for cuDNN, kept so that code
        written for PyTorch runs unchanged."""

    def _cell(self, layer: int, direction: int) -> _CellBase:
        """The cell of one layer and direction, using this module's parameters."""
        suffix = self._suffix(layer, direction)
        names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        if self._cell_options().get("peephole"):
            names += list(_PEEPHOLE_NAMES)
        directions = 2 if self.bidirectional else 1
        return self.cell_class._sharing(
            self.input_size if layer == 0 else self._output_size() * directions,
            self.hidden_size,
            self.bias,
            {name: self._parameters[name + suffix] for name in names},
            self._cell_options(),
        )

    def _prepare(self, input: Any, hx: Any) -> tuple[Tensor, tuple[Any, ...], bool]:
        """Check the input and initial states; return the input as (T, B, I), the
        states as (D*L, B, H) (or None) and whether the input was unbatched."""
        owner = type(self).__name__
        count = self.cell_class.state_count
        dtype = self.weight_ih_l0.dtype
        states = _state_tuple(hx, count, owner)
        _check_tensor(input, "input", owner, dtype)
        layout = "(batch, seq_len, " if self.batch_first else "(seq_len, batch, "
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{owner}: expected input of shape {layout}{self.input_size}) or unbatched "
                f"(seq_len, {self.input_size}), got {input.shape}"
            )
        given_shape = input.shape
        unbatched = input.ndim == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        if steps == 0 or batch == 0:
            raise ValueError(f"{owner}: expected a non-empty input, got shape {input.shape}")
        stacked = self.num_layers * (2 if self.bidirectional else 1)
        names = ("h_0", "c_0") if count == 2 else ("hx",)
        for name, state, size in zip(names, states, self._state_sizes()):
            if state is None:
                continue
            expected = (stacked, size) if unbatched else (stacked, batch, size)
            _check_tensor(state, name, owner, dtype)
            if state.shape != expected:
                raise ValueError(
                    f"{owner}: expected {name} of shape {expected} (num_layers * num_directions"
                    f"{'' if unbatched else ', batch'}, {_size_name(self, size)}) for input "
                    f"of shape {given_shape}, got {state.shape}"
                )
        if unbatched:
            states = tuple(None if s is None else s.unsqueeze(1) for s in states)
        return input, states, unbatched

    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """Run the cells over the sequence, layer by layer; see the class docstring."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, states, unbatched = self._prepare(input, hx)
        if self.proj_size:
            output, final_states = self._run_stepwise(x, states)
        elif self.fused and _FUSED["enabled"]:
            output, final_states = self._run_fused(x, states)
        else:
            output, final_states = self._run_written_out(x, states)
        if unbatched:
            output = output.squeeze(1)
            final_states = [s.squeeze(1) for s in final_states]
        elif self.batch_first:
            output = output.transpose(0, 1)
        if len(final_states) == 2:
            return output, (final_states[0], final_states[1])
        return output, final_states[0]

    def _output_size(self) -> int:
        """The features of ``h``: ``proj_size`` when the LSTM projects, else ``H``."""
        return self.proj_size or self.hidden_size

    def _state_sizes(self) -> tuple[int, ...]:
        """The features of each state: ``(H,)``, or ``(P or H, H)`` for the LSTM's
        ``(h, c)``."""
        if self.cell_class.state_count == 2:
            return (self._output_size(), self.hidden_size)
        return (self.hidden_size,)

    def _segment_runner(
        self, layer: int, direction: int
    ) -> Callable[..., tuple[Tensor, tuple[Tensor, ...]]]:
        """Run one layer-direction over a stretch of steps with a constant batch:
        ``(x (S, B, I), states, reverse) -> (outputs (S, B, H), final states)``. One
        fused operation when the layer is fused; otherwise the cell's written-out
        equations step by step, with a projection ``h_t = W_hr (o_t * tanh(c_t))``."""
        suffix = self._suffix(layer, direction)
        if self.fused and _FUSED["enabled"] and not self.proj_size:
            kind = self.cell_class.kind
            activations = _activations(self)
            options = self._cell_options()
            parameters = self._parameters
            peepholes = _peephole_weights(self, suffix)

            def fused(x: Tensor, states: tuple[Tensor, ...], reverse: bool) -> Any:
                results = fused_recurrence(
                    kind,
                    x,
                    parameters["weight_ih" + suffix],  # type: ignore[arg-type]
                    parameters["weight_hh" + suffix],  # type: ignore[arg-type]
                    parameters["bias_ih" + suffix],
                    parameters["bias_hh" + suffix],
                    states[0],
                    states[1] if len(states) == 2 else None,
                    reverse,
                    activations,
                    _written_out(
                        self.cell_class, (x.shape[2], self.hidden_size, self.bias), options, reverse
                    ),
                    peepholes,
                )
                return results[0], tuple(results[1:])

            return fused
        cell = self._cell(layer, direction)
        projection = self._parameters.get("weight_hr" + suffix)

        def step(x: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
            if projection is not None:
                h_full, c_next = cell._equations(x, *states)  # type: ignore[attr-defined]
                return linear(h_full, projection), c_next
            result = cell(x, states if len(states) == 2 else states[0])
            return result if isinstance(result, tuple) else (result,)

        def written_out(x: Tensor, states: tuple[Tensor, ...], reverse: bool) -> Any:
            inputs = unbind(x, 0)
            outputs: list[Tensor] = [None] * len(inputs)  # type: ignore[list-item]
            for t in range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs)):
                states = step(inputs[t], states)
                outputs[t] = states[0]
            return stack(outputs, 0), states

        return written_out

    def _run_stepwise(self, x: Tensor, states: tuple[Any, ...]) -> tuple[Tensor, list[Tensor]]:
        """A padded ``(T, B, I)`` input run step by step (the LSTM with projections):
        packed data whose batch never shrinks."""
        steps, batch = x.shape[0], x.shape[1]
        stacked = self.num_layers * (2 if self.bidirectional else 1)
        initial = [
            list(unbind(zeros(stacked, batch, size, dtype=x.dtype) if s is None else s, 0))
            for s, size in zip(states, self._state_sizes())
        ]
        output, final_states = self._run_steps(
            x.reshape(steps * batch, x.shape[2]), [batch] * steps, initial
        )
        return output.reshape(steps, batch, output.shape[1]), final_states

    def _run_steps(
        self, data: Tensor, batch_sizes: list[int], initial: list[list[Tensor]]
    ) -> tuple[Tensor, list[Tensor]]:
        """Packed ``data`` through every layer and direction from the ``initial`` states
        (per state, one ``(B, features)`` per layer-direction): the top layer's packed
        output and the final states ``(D*L, B, features)``, in sorted order."""
        directions = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in initial]
        layer_input = data
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                output, final = _run_packed(
                    self._segment_runner(layer, direction),
                    layer_input,
                    batch_sizes,
                    tuple(store[index] for store in initial),
                    reverse=direction == 1,
                )
                outputs.append(output)
                for store, value in zip(finals, final):
                    store.append(value)
            layer_input = outputs[0] if directions == 1 else cat(outputs, dim=1)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, [stack(store, 0) for store in finals]

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """A PackedSequence through every layer and direction (``batch_first`` does not
        apply). Step ``t`` runs on the ``batch_sizes[t]`` sequences still going, so every
        sequence's final state is taken after its own last step, and the reverse
        direction starts at each sequence's own end. ``hx`` and the final states are in
        the original batch order (permuted by ``sorted_indices`` as PyTorch)."""
        owner = type(self).__name__
        dtype = self.weight_ih_l0.dtype
        data = _check_tensor(input.data, "input.data", owner, dtype)
        if data.ndim != 2 or data.shape[1] != self.input_size:
            raise ValueError(
                f"{owner}: expected packed data of shape (sum of lengths, {self.input_size}), "
                f"got {data.shape}"
            )
        batch_sizes = [int(size) for size in input.batch_sizes._array]
        batch = batch_sizes[0]
        directions = 2 if self.bidirectional else 1
        stacked = self.num_layers * directions
        count = self.cell_class.state_count
        states = _state_tuple(hx, count, owner)
        names = ("h_0", "c_0") if count == 2 else ("hx",)
        sorted_indices = input.sorted_indices
        initial: list[list[Tensor]] = []
        for name, state, size in zip(names, states, self._state_sizes()):
            if state is None:
                state = zeros(stacked, batch, size, dtype=dtype)
            _check_tensor(state, name, owner, dtype)
            if state.shape != (stacked, batch, size):
                raise ValueError(
                    f"{owner}: expected {name} of shape {(stacked, batch, size)} "
                    f"(num_layers * num_directions, batch, {_size_name(self, size)}) for a "
                    f"PackedSequence of "
                    f"{batch} sequences, got {state.shape}"
                )
            if sorted_indices is not None:
                state = state[:, sorted_indices._array]
            initial.append(list(unbind(state, 0)))
        output, final_states = self._run_steps(data, batch_sizes, initial)
        unsorted = input.unsorted_indices
        if unsorted is not None:
            final_states = [state[:, unsorted._array] for state in final_states]
        packed = PackedSequence(output, input.batch_sizes, sorted_indices, unsorted)
        if count == 2:
            return packed, (final_states[0], final_states[1])
        return packed, final_states[0]

    def _run_fused(self, x: Tensor, states: tuple[Any, ...]) -> tuple[Tensor, list[Tensor]]:
        """Every layer-direction as one fused operation (minigrad.ops.recurrent)."""
        directions = 2 if self.bidirectional else 1
        kind = self.cell_class.kind
        activations = _activations(self)
        zero = zeros(x.shape[1], self.hidden_size, dtype=x.dtype)
        initial = [None if s is None else unbind(s, 0) for s in states]
        finals: list[list[Tensor]] = [[] for _ in states]
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            sizes = (layer_input.shape[2], self.hidden_size, self.bias)
            for direction in range(directions):
                index = layer * directions + direction
                suffix = self._suffix(layer, direction)
                start = [zero if s is None else s[index] for s in initial]
                results = fused_recurrence(
                    kind,
                    layer_input,
                    self._parameters["weight_ih" + suffix],  # type: ignore[arg-type]
                    self._parameters["weight_hh" + suffix],  # type: ignore[arg-type]
                    self._parameters["bias_ih" + suffix],
                    self._parameters["bias_hh" + suffix],
                    start[0],
                    start[1] if len(start) == 2 else None,
                    direction == 1,
                    activations,
                    _written_out(self.cell_class, sizes, self._cell_options(), direction == 1),
                    _peephole_weights(self, suffix),
                )
                outputs.append(results[0])
                for store, value in zip(finals, results[1:]):
                    store.append(value)
            layer_input = outputs[0] if directions == 1 else cat(outputs, dim=2)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        # One layer-direction: a view with a leading axis (stack costs ~35 µs more).
        return layer_input, [
            store[0].unsqueeze(0) if len(store) == 1 else stack(store, 0) for store in finals
        ]

    def _run_written_out(self, x: Tensor, states: tuple[Any, ...]) -> tuple[Tensor, list[Tensor]]:
        """The cells' own equations, step by step (one graph node per expression)."""
        directions = 2 if self.bidirectional else 1
        # One (B, H) initial state per layer and direction, or None (zeros).
        initial = [
            [None] * (self.num_layers * directions) if s is None else list(unbind(s, 0))
            for s in states
        ]
        finals: list[list[Tensor]] = [[] for _ in states]
        layer_input = list(unbind(x, 0))
        for layer in range(self.num_layers):
            per_direction = []
            for direction in range(directions):
                index = layer * directions + direction
                start = tuple(i[index] for i in initial)
                outputs, final = _run_over_time(
                    self._cell(layer, direction),
                    layer_input,
                    None if start[0] is None else start if len(start) == 2 else start[0],
                    reverse=direction == 1,
                )
                per_direction.append(outputs)
                for store, value in zip(finals, final if len(start) == 2 else (final,)):
                    store.append(value)
            layer_input = (
                per_direction[0]
                if directions == 1
                else [cat(pair, dim=1) for pair in zip(*per_direction)]
            )
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                layer_input = [F.dropout(step, self.dropout, True) for step in layer_input]
        return stack(layer_input, 0), [stack(store, 0) for store in finals]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


_LAYER_SHAPES = """
    Shapes (``D`` = 2 if bidirectional else 1, ``L`` = num_layers):

    * ``input``: (T, B, I), or (B, T, I) with ``batch_first``, or unbatched (T, I).
    * ``{state}``: (D*L, B, H), or (D*L, H) for unbatched input; zeros when omitted.
    * returns ``output``, the last layer's ``h_t`` for every step (directions
      concatenated): (T, B, D*H) (or (B, T, D*H), or (T, D*H)); and ``{final}``, the
      final state of every layer and direction: (D*L, B, H) (``h_n`` is never
      batch-first, as in PyTorch). The backward direction's final state is its state
      after reading ``x_1``, and its outputs are stored at the step they were computed
      for.
    * ``input`` may be a :class:`~minigrad.nn.utils.rnn.PackedSequence` (sequences of
      different lengths, ``batch_first`` does not apply): ``output`` is then a
      PackedSequence, every sequence's final state is taken after its own last step
      (the backward direction starts at each sequence's own end), and ``{state}`` and
      ``{final}`` are in the original batch order, as in PyTorch.

    Parameters, for layer ``k`` (and ``..._reverse`` for the backward direction), all
    drawn from ``U(-1/sqrt(H), 1/sqrt(H))``: ``weight_ih_l{{k}}`` (G*H, I) for ``k = 0``
    and (G*H, D*H) after, ``weight_hh_l{{k}}`` (G*H, H), ``bias_ih_l{{k}}`` and
    ``bias_hh_l{{k}}`` (G*H,), with G = {gates}. These are PyTorch's names and shapes:
    ``load_state_dict`` takes a ``torch.nn.{name}``'s state dict and vice versa.

    ``dropout`` zeroes the outputs of every layer but the last (inverted dropout, in
    training mode only), as PyTorch does.
"""


class RNN(_RecurrentLayer):
    r"""A multi-layer Elman RNN: :class:`RNNCell` run over a sequence.

    For each layer, each time step ``t``:

    .. math::
        h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    where ``x_t`` is the input for the first layer and the previous layer's ``h_t``
    after. ``nonlinearity="relu"`` uses ReLU.

    Args:
        input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout,
        bidirectional: as ``torch.nn.RNN``.
        dtype: of the parameters (default: the default dtype).
    """

    __doc__ = (__doc__ or "") + _LAYER_SHAPES.format(state="hx", final="h_n", gates=1, name="RNN")
    cell_class = RNNCell

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        _choice(nonlinearity, RNN_NONLINEARITIES, "nonlinearity", "RNN")
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            fused=fused,
        )
        self.nonlinearity = nonlinearity
        self.reset_parameters()

    def _cell_options(self) -> dict[str, Any]:
        return {"nonlinearity": self.nonlinearity}

    def forward(
        self, input: Tensor | PackedSequence, hx: Tensor | None = None
    ) -> tuple[Any, Tensor]:
        """``(output, h_n)``; see the class docstring for shapes. For a PackedSequence
        ``output`` is a PackedSequence too."""
        return super().forward(input, hx)

    def extra_repr(self) -> str:
        text = super().extra_repr()
        if self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class LSTM(_RecurrentLayer):
    r"""A multi-layer long short-term memory network: :class:`LSTMCell` run over a
    sequence.

    For each layer, each time step ``t``:

    .. math::
        i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    with the gates stacked ``i, f, g, o`` in the weights, as PyTorch.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            as ``torch.nn.LSTM``.
        proj_size: if > 0, an LSTM with projections (Sak et al. 2014), as PyTorch's:
            ``h_t = W_hr (o_t * tanh(c_t))`` of size ``P = proj_size < H``, with
            ``weight_hr_l{k}`` (P, H), ``weight_hh_l{k}`` (4H, P), ``weight_ih_l{k}``
            (4H, D*P) for ``k > 0``; ``h_0``, ``h_n`` are (D*L, B, P), ``c_0``, ``c_n``
            (D*L, B, H) and ``output`` (T, B, D*P). Runs the written-out equations step
            by step (there is no fused kernel for it).
        dtype: of the parameters (default: the default dtype).
        peephole, gate_activation, cell_activation, hidden_activation, forget_bias: the
            variants of :class:`LSTMCell`, off by default. Peephole weights are named
            ``weight_ci_l{k}``, ``weight_cf_l{k}``, ``weight_co_l{k}`` (H,), and
            ``forget_bias`` goes into every ``bias_ih_l{k}[H:2H]``.
    """

    __doc__ = (__doc__ or "") + _LAYER_SHAPES.format(
        state="hx = (h_0, c_0)", final="(h_n, c_n)", gates=4, name="LSTM"
    )
    cell_class = LSTMCell

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
        *,
        peephole: bool = False,
        gate_activation: str = "sigmoid",
        cell_activation: str = "tanh",
        hidden_activation: str = "tanh",
        forget_bias: float = 0.0,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        if not isinstance(proj_size, numbers.Integral) or isinstance(proj_size, bool):
            raise TypeError(f"LSTM: proj_size must be an int, got {type(proj_size).__name__}")
        if proj_size < 0:
            raise ValueError(
                f"LSTM: proj_size should be a positive integer or zero to disable "
                f"projections, got {proj_size}"
            )
        if proj_size and isinstance(hidden_size, numbers.Integral) and proj_size >= hidden_size:
            raise ValueError(
                f"LSTM: proj_size has to be smaller than hidden_size, got proj_size="
                f"{proj_size} and hidden_size={hidden_size}"
            )
        options = _lstm_options(
            "LSTM",
            bias,
            peephole,
            gate_activation,
            cell_activation,
            hidden_activation,
            forget_bias,
        )
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            peephole=options["peephole"],
            fused=fused,
            proj_size=int(proj_size),
        )
        for name, value in options.items():
            setattr(self, name, value)
        self.reset_parameters()

    def _cell_options(self) -> dict[str, Any]:
        return _lstm_variant(self)

    def reset_parameters(self) -> None:
        """PyTorch's uniform initialisation, then ``forget_bias`` added to the forget
        slice of every ``bias_ih_l{k}``."""
        _reset_parameters(self, self.hidden_size, self.forget_bias)

    def forward(
        self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Any, tuple[Tensor, Tensor]]:
        """``(output, (h_n, c_n))``; see the class docstring for shapes. For a
        PackedSequence ``output`` is a PackedSequence too."""
        return super().forward(input, hx)

    def extra_repr(self) -> str:
        return super().extra_repr() + _lstm_repr(self)


class GRU(_RecurrentLayer):
    r"""A multi-layer gated recurrent unit network: :class:`GRUCell` run over a sequence.

    For each layer, each time step ``t``:

    .. math::
        r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    with the gates stacked ``r, z, n`` in the weights, as PyTorch.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            as ``torch.nn.GRU``.
        dtype: of the parameters (default: the default dtype).
    """

    __doc__ = (__doc__ or "") + _LAYER_SHAPES.format(state="hx", final="h_n", gates=3, name="GRU")
    cell_class = GRUCell

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        fused: bool = True,
    ) -> None:
        resolve_device(device, type(self).__name__)  # the CPU, or a clear error
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            fused=fused,
        )
        self.reset_parameters()

    def forward(
        self, input: Tensor | PackedSequence, hx: Tensor | None = None
    ) -> tuple[Any, Tensor]:
        """``(output, h_n)``; see the class docstring for shapes. For a PackedSequence
        ``output`` is a PackedSequence too."""
        return super().forward(input, hx)


# --------------------------------------------------------------------------- in a Sequential


class SequenceOutput(Module):
    """Keep the ``output`` of a recurrent layer's ``(output, state)``: the top layer's
    hidden state at every step, ``(T, B, D*H)`` (``(B, T, D*H)`` with ``batch_first``).

    Keras's ``return_sequences=True``, for a recurrent layer inside a ``Sequential``::

        Sequential(LSTM(8, 32, batch_first=True), SequenceOutput(), Linear(32, 1))
    """

    def forward(self, input: Any) -> Tensor:
        return _recurrent_result(input, "SequenceOutput")[0]


class LastOutput(Module):
    """Keep the final hidden state of a recurrent layer's top layer, ``(B, D*H)``: ``h_n``
    of the last layer (of an LSTM's ``(h_n, c_n)``), both directions concatenated for a
    bidirectional layer.

    Keras's default (``return_sequences=False``), for a recurrent layer inside a
    ``Sequential``::

        Sequential(LSTM(8, 32, batch_first=True), LastOutput(), Linear(32, 1))
    """

    def forward(self, input: Any) -> Tensor:
        _, state = _recurrent_result(input, "LastOutput")
        h_n = state[0] if isinstance(state, tuple) else state
        # h_n is (L*D, B, H), or (L*D, H) for unbatched input; the top layer's D rows last.
        # The output's features are D*H: that gives D.
        directions = input[0].shape[-1] // h_n.shape[-1]
        top = list(unbind(h_n[h_n.shape[0] - directions :], 0))
        return top[0] if directions == 1 else cat(top, dim=-1)


def _recurrent_result(value: Any, owner: str) -> tuple[Any, Any]:
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Tensor)):
        raise TypeError(
            f"{owner} takes the (output, state) tuple that a recurrent layer (RNN, LSTM, "
            f"GRU) returns; got {type(value).__name__}"
        )
    return value
