"""Functional PrRoIPool: argument checks, backend dispatch, and the autograd wrapper of the
compiled kernels."""
from types import ModuleType
from typing import Optional, Tuple

import torch
from torch.autograd.function import once_differentiable

from .backend import select_extension
from .reference import pool_reference
from .validation import check_inputs, check_pool_args

__all__ = ["prroi_pool2d"]


class _CompiledPrRoIPool2D(torch.autograd.Function):
    """Autograd wrapper of a compiled module (forward, backward_features, backward_rois)."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx,
        features: torch.Tensor,
        rois: torch.Tensor,
        pooled_height: int,
        pooled_width: int,
        spatial_scale: float,
        extension: ModuleType,
    ) -> torch.Tensor:
        ctx.extension = extension
        ctx.spatial_scale = spatial_scale
        ctx.feature_shape = tuple(features.shape)
        ctx.save_for_backward(features, rois)
        return extension.forward(features, rois, pooled_height, pooled_width, spatial_scale)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output: torch.Tensor) -> Tuple[Optional[torch.Tensor], ...]:  # type: ignore[override]
        features, rois = ctx.saved_tensors
        grad_output = grad_output.contiguous()
        grad_features = grad_rois = None
        if ctx.needs_input_grad[0]:
            batch, channels, height, width = ctx.feature_shape
            grad_features = ctx.extension.backward_features(
                grad_output, rois, batch, channels, height, width, ctx.spatial_scale
            )
        if ctx.needs_input_grad[1]:
            grad_rois = ctx.extension.backward_rois(grad_output, features, rois, ctx.spatial_scale)
        return grad_features, grad_rois, None, None, None, None


def prroi_pool2d(
    features: torch.Tensor,
    rois: torch.Tensor,
    pooled_height: int,
    pooled_width: int,
    spatial_scale: float,
    backend: Optional[str] = None,
) -> torch.Tensor:
    """Precise RoI pooling: features [B, C, H, W], rois [K, 5] = (batch index, x1, y1, x2, y2) in
    image coordinates (multiplied by spatial_scale) -> [K, C, pooled_height, pooled_width].

    Each bin is the integral of the bilinearly interpolated map over the bin divided by its area;
    differentiable w.r.t. features and the four box coordinates. backend: 'auto' (compiled kernel
    of the tensors' device, reference if not built), 'compiled', 'reference'; None reads
    $PRROI_POOL_BACKEND (default 'auto')."""
    check_pool_args(pooled_height, pooled_width, spatial_scale)
    check_inputs(features, rois)
    extension = select_extension(features.device.type, backend)
    if extension is None:
        return pool_reference(features, rois, pooled_height, pooled_width, spatial_scale)
    return _CompiledPrRoIPool2D.apply(
        features, rois, pooled_height, pooled_width, float(spatial_scale), extension
    )
