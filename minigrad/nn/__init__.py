"""Neural-network building blocks: modules, layers, losses and initialisation."""

from minigrad.nn import init
from minigrad.nn.module import Module, Parameter

__all__ = ["Module", "Parameter", "init"]
