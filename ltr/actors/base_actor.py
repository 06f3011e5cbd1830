"""Actor: a network together with its training objective."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
import torch.nn as nn

from pytracking.libs import TensorDict


class BaseActor(ABC):
    """Runs the network on a batch and computes the loss. Subclasses implement ``__call__``."""

    def __init__(self, net: nn.Module, objective: Any) -> None:
        self.net = net
        self.objective = objective

    @abstractmethod
    def __call__(self, data: TensorDict) -> tuple[torch.Tensor, dict[str, float]]:
        """Return (loss, stats) for a batch; stats maps names like 'Loss/total' to floats."""

    def to(self, device: torch.device | str) -> "BaseActor":
        """Move the network to ``device``."""
        self.net.to(device)
        return self

    def train(self, mode: bool = True) -> None:
        """Set the network to training (``mode=True``) or evaluation mode."""
        self.net.train(mode)

    def eval(self) -> None:
        """Set the network to evaluation mode."""
        self.train(False)
