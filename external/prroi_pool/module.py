"""nn.Module form of Precise RoI Pooling (no parameters, no state-dict entries)."""
from typing import Optional

import torch
from torch import nn

from .backend import resolve_backend
from .function import prroi_pool2d
from .validation import check_pool_args

__all__ = ["PrRoIPool2D"]


class PrRoIPool2D(nn.Module):
    """PrRoIPool2D(pooled_height, pooled_width, spatial_scale)(features, rois): see prroi_pool2d."""

    def __init__(self, pooled_height: int, pooled_width: int, spatial_scale: float, backend: Optional[str] = None):
        super().__init__()
        check_pool_args(pooled_height, pooled_width, spatial_scale)
        if backend is not None:
            resolve_backend(backend)
        self.pooled_height = pooled_height
        self.pooled_width = pooled_width
        self.spatial_scale = float(spatial_scale)
        self.backend = backend

    def forward(self, features: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return prroi_pool2d(
            features, rois, self.pooled_height, self.pooled_width, self.spatial_scale, backend=self.backend
        )

    def extra_repr(self) -> str:
        text = f"pooled_height={self.pooled_height}, pooled_width={self.pooled_width}, spatial_scale={self.spatial_scale}"
        return text if self.backend is None else f"{text}, backend={self.backend!r}"
