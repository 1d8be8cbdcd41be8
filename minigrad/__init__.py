"""minigrad: a small, fast, correct reverse-mode autograd tensor engine.

>>> import minigrad
>>> x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x.tanh() * x).sum()
>>> y.backward()
>>> x.grad
"""

# tensor.py goes first: it ties the knot with ops and autograd once Tensor exists.
from minigrad.tensor import Tensor  # noqa: I001

from typing import TYPE_CHECKING

from minigrad import backends, cuda, utils
from minigrad import ops as _ops
from minigrad.autograd import (
    Function,
    backward,
    enable_grad,
    grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.creation import (
    BoolTensor,
    ByteTensor,
    DoubleTensor,
    FloatTensor,
    Generator,
    IntTensor,
    LongTensor,
    arange,
    bernoulli,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    finfo,
    full_like,
    iinfo,
    initial_seed,
    is_tensor,
    linspace,
    manual_seed,
    multinomial,
    normal,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.devices import device, get_default_device, set_default_device
from minigrad.dtypes import (
    bool_,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from minigrad.kernels._compile import get_num_threads, set_num_threads

# PyTorch's dtype aliases: minigrad.float is float32, minigrad.long is int64, ...
float = float32  # noqa: A001
double = float64
int = int32  # noqa: A001
long = int64
bool = bool_  # noqa: A001

# Dtype conversions are Tensor methods only (x.float()), as in PyTorch, where
# ``torch.float`` names the dtype: the table of ops marks them (ops.METHOD_ONLY).
for _name in _ops.__all__:
    if _name not in _ops.METHOD_ONLY and _name not in {"RECORDS", "TENSOR_METHODS", "register"}:
        globals()[_name] = getattr(_ops, _name)
del _name

__version__ = "0.1.0"

# minigrad.nn, minigrad.optim, minigrad.training, minigrad.data, save and load load on
# first use (PEP 562): a script that only differentiates tensors does not pay for them.
if TYPE_CHECKING:
    from minigrad import data, nn, optim, plots, profiler, training, viz
    from minigrad.serialization import load, save

_LAZY = {"nn": "minigrad.nn", "optim": "minigrad.optim", "training": "minigrad.training",
         "data": "minigrad.data", "viz": "minigrad.viz", "profiler": "minigrad.profiler",
         "plots": "minigrad.plots", "save": "minigrad.serialization",
         "load": "minigrad.serialization"}
_LAZY_MODULES = {"nn", "optim", "training", "data", "viz", "profiler", "plots"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        value = module if name in _LAZY_MODULES else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
