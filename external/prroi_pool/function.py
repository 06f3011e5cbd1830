"""Functional PrRoIPool: argument checks, backend dispatch, and the autograd wrapper of the
compiled kernels.

A compiled module that sets `checks_batch_indices` (the C++ one) validates the batch indices
itself, so they are not inspected in Python on every call; when it rejects them, the same
ValueError naming the bad roi row as for the other backends is raised."""
from types import ModuleType
from typing import Optional, Tuple

import torch
from torch.autograd.function import once_differentiable

from .backend import select_extension
from .reference import pool_reference
from .validation import batch_index_error, check_batch_indices, check_pool_args, check_tensors

__all__ = ["prroi_pool2d"]


class _CompiledPrRoIPool2D(torch.autograd.Function):
    """Autograd wrapper of a compiled module: forward, and either one fused `backward` for both
    gradients or backward_features / backward_rois."""

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
        want_features, want_rois = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        batch, channels, height, width = ctx.feature_shape
        fused = getattr(ctx.extension, "backward", None)
        if fused is not None:
            grad_features, grad_rois = fused(
                grad_output, features if want_rois else None, rois, batch, channels, height, width,
                ctx.spatial_scale, want_features, want_rois,
            )
            return grad_features, grad_rois, None, None, None, None
        grad_features = grad_rois = None
        if want_features:
            grad_features = ctx.extension.backward_features(
                grad_output, rois, batch, channels, height, width, ctx.spatial_scale
            )
        if want_rois:
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
    check_tensors(features, rois)
    extension = select_extension(features.device.type, backend)
    if extension is None:
        check_batch_indices(features, rois)
        return pool_reference(features, rois, pooled_height, pooled_width, spatial_scale)
    args = (features, rois, pooled_height, pooled_width, float(spatial_scale), extension)
    if not getattr(extension, "checks_batch_indices", False):
        check_batch_indices(features, rois)
        return _CompiledPrRoIPool2D.apply(*args)
    try:
        return _CompiledPrRoIPool2D.apply(*args)
    except RuntimeError as err:
        # The kernel rejected the input: name the bad roi row as the other backends do.
        message = batch_index_error(features, rois)
        if message is not None:
            raise ValueError(message) from err
        raise
