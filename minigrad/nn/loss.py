"""Loss modules: each one holds its options and calls :mod:`minigrad.nn.functional`.

Constructor arguments follow PyTorch (``reduction``, ``weight``, ``ignore_index``,
``label_smoothing``, ``pos_weight``); ``weight`` and ``pos_weight`` are registered as
buffers, so they appear in the ``state_dict`` and follow ``module.to(dtype)``, as in
PyTorch. PyTorch's deprecated ``size_average`` and ``reduce`` arguments are not accepted.

>>> criterion = CrossEntropyLoss(label_smoothing=0.1)
>>> loss = criterion(logits, labels)
"""

from __future__ import annotations

from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
]


class _Loss(Module):
    """Base of the loss modules: checks and stores ``reduction``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class ``weight`` buffer."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if weight is not None and not isinstance(weight, Tensor):
            raise TypeError(f"{type(self).__name__}: weight must be a Tensor or None")
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: ``loss = (input - target)**2``, reduced by ``reduction``.

    Shapes: ``input`` and ``target`` alike (any); output a scalar, or that shape for
    ``reduction="none"``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ``loss = |input - target|``, reduced by ``reduction``.

    Shapes as :class:`MSELoss`.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return F.l1_loss(input, target, self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: ``loss_n = -w_t * input[n, t_n]``.

    Shapes: ``input`` ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` integer ``(N,)`` or
    ``(N, d1, ...)``; ``weight`` ``(C,)``. Targets equal to ``ignore_index`` count for
    nothing; ``"mean"`` divides by the summed weights of the other targets.
    """

    def __init__(
        self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities ``input`` against class indices ``target``."""
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits: ``loss_n = -w_t * log_softmax(input)[n, t_n]`` for class
    indices, or ``-sum_c w_c * p_nc * log_softmax(input)[n, c]`` for class probabilities
    ``p`` (a floating target of the input's shape).

    Shapes: ``input`` ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` integer ``(N,)`` /
    ``(N, d1, ...)``, or floating like ``input``. ``label_smoothing`` mixes the targets
    with the uniform distribution. See :func:`minigrad.nn.functional.cross_entropy`.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}"
            )
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against ``target``."""
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities:
    ``loss = -w * (t * log(x) + (1 - t) * log(1 - x))`` (logs clamped at -100).

    Shapes: ``input`` (values in [0, 1]) and ``target`` alike; ``weight`` broadcasts to
    them. Prefer :class:`BCEWithLogitsLoss` on logits: it is stable where this one is not.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of probabilities ``input`` against ``target``."""
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, computed stably (never forming the sigmoid):
    ``loss = -w * (p * t * log sigmoid(x) + (1 - t) * log(1 - sigmoid(x)))``.

    Shapes: ``input`` and ``target`` alike; ``weight`` broadcasts to them;
    ``pos_weight`` (the weight of positive examples, one per class) broadcasts along the
    last dimension.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction)
        for value, name in ((weight, "weight"), (pos_weight, "pos_weight")):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"BCEWithLogitsLoss: {name} must be a Tensor or None")
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against ``target``."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class SmoothL1Loss(_Loss):
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``
    (``d = input - target``), reduced. Shapes as :class:`MSELoss`."""

    def __init__(
        self,
        size_average: None = None,
        reduce: None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        F._check_deprecated(size_average, reduce, "SmoothL1Loss")
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``
    (``d = input - target``), reduced. Shapes as :class:`MSELoss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return F.huber_loss(input, target, self.reduction, self.delta)


class KLDivLoss(Module):
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``
    (probabilities, or log-probabilities when ``log_target``); ``reduction`` may also be
    ``"batchmean"`` (the sum divided by the batch size). See
    :func:`minigrad.nn.functional.kl_div`."""

    def __init__(
        self,
        size_average: None = None,
        reduce: None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        F._check_deprecated(size_average, reduce, "KLDivLoss")
        super().__init__()
        if reduction not in F.REDUCTIONS + ("batchmean",):
            raise ValueError(
                f"KLDivLoss: reduction must be one of 'mean', 'sum', 'none', 'batchmean', "
                f"got {reduction!r}"
            )
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The divergence of ``input`` from ``target``."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1.

    Shapes: ``input1``, ``input2`` ``(N, D)`` or ``(D,)``; ``target`` ``(N,)`` or ``()``.
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: None = None,
        reduce: None = None,
        reduction: str = "mean",
    ) -> None:
        F._check_deprecated(size_average, reduce, "CosineEmbeddingLoss")
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss of the pair ``input1``, ``input2`` against ``target``."""
        return F.cosine_embedding_loss(
            input1, input2, target, self.margin, reduction=self.reduction
        )
