"""What the Siamese trackers (SiamFC, SiamRPN) share: checked parameters, the network on its
device, and image crops turned into normalized network input."""
from __future__ import annotations

from abc import abstractmethod
from typing import Any, Optional

import numpy as np
import torch

from pytracking.tracker.base.basetracker import BaseTracker


class SiameseTracker(BaseTracker):
    """Base of the Siamese trackers. Subclasses set :attr:`params_class` and implement
    :meth:`get_network`; their parameters provide ``validate()``, ``use_gpu``, ``normalize_mean``,
    ``normalize_std``, ``pixel_max`` (the network's value of white: 1.0, or 255.0 for the
    published models that take raw pixels) and ``channel_order`` ("RGB", or "BGR" for networks
    trained on OpenCV frames)."""

    params_class: type = object

    def __init__(self, params: Any) -> None:
        if not isinstance(params, self.params_class):
            raise TypeError(f"{type(self).__name__} needs {self.params_class.__name__}, got "
                            f"{type(params).__name__}")
        params.validate()
        super().__init__(params)
        self.net: Optional[torch.nn.Module] = None

    @abstractmethod
    def get_network(self) -> torch.nn.Module:
        """The network the parameters select (weights file, given object or seeded random)."""

    def _set_up_network(self) -> None:
        p = self.params
        self.device = torch.device("cuda" if p.use_gpu and torch.cuda.is_available() else "cpu")
        self.net = self.get_network().to(self.device).eval()
        self.total_stride = int(getattr(self.net, "total_stride", 8))
        self._mean = torch.tensor(p.normalize_mean, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(p.normalize_std, device=self.device).view(1, 3, 1, 1)

    def _to_tensor(self, crops: np.ndarray) -> torch.Tensor:
        """``N x H x W x 3`` (or one ``H x W x 3``) uint8 crops -> normalized ``N x 3 x H x W``."""
        x = torch.from_numpy(np.ascontiguousarray(crops)).to(self.device)
        if x.dim() == 3:
            x = x.unsqueeze(0)
        x = x.permute(0, 3, 1, 2).float().div_(255.0 / self.params.pixel_max)
        if self.params.channel_order == "BGR":
            x = x.flip(1)
        return (x - self._mean) / self._std
