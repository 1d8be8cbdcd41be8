"""The gradient-testing kit minigrad uses on itself, shipped for your own ops.

* :func:`gradcheck` / :func:`gradgradcheck`: first and second derivatives against
  central finite differences.
* :mod:`minigrad.testing.strategies` (needs ``hypothesis``, in the ``test`` extra):
  strategies for tensors, shapes and op inputs, to build property tests.
* :class:`OpInfo`: describe an op once and reuse minigrad's own property test on it.
"""

from minigrad.ops._registry import OpInfo
from minigrad.testing.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "OpInfo", "gradcheck", "gradgradcheck"]
