"""``torch.utils.hooks``'s name for the handle every ``register_*_hook`` returns.

The handle lives with the tensor hooks in :mod:`minigrad.autograd.hooks`; it is named here
too so that ``from torch.utils.hooks import RemovableHandle`` ports unchanged.
"""

from minigrad.autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
