"""One-hot encoding of integer labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.data import _checks


def one_hot(
    labels: ArrayLike, classes: int | None = None, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """One-hot rows for integer ``labels``: ``out[..., k] = 1`` where ``labels == k``.

    ``labels`` of any shape ``S`` (non-negative integers) give an array of shape
    ``S + (classes,)``. ``classes`` defaults to ``labels.max() + 1``; pass it when a batch
    may not contain the highest class, so every batch has the same width. (PyTorch's
    ``torch.nn.functional.one_hot`` with ``num_classes``, returning a NumPy array.)

    >>> one_hot([2, 0], classes=3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    array = np.asarray(labels)
    if array.size == 0 and array.dtype.kind == "f":
        array = array.astype(np.int64)  # np.asarray([]) is float64; nothing to misread
    if array.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {array.dtype}")
    if classes is not None:
        classes = _checks.integer("classes", classes)
    if array.size:
        lowest, highest = int(array.min()), int(array.max())
        if lowest < 0:
            raise ValueError(f"labels must be non-negative, got {lowest}")
        if classes is None:
            classes = highest + 1
        elif highest >= classes:
            raise ValueError(f"label {highest} is out of range for classes={classes}")
    elif classes is None:
        raise ValueError("cannot infer classes from empty labels; pass classes")
    out = np.zeros((*array.shape, classes), dtype=dtype)
    np.put_along_axis(out, array[..., None].astype(np.intp), 1, axis=-1)
    return out
