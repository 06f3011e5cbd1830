"""Argument checks shared by every PrRoIPool backend."""
import math
from typing import Optional

import torch

__all__ = ["check_pool_args", "check_tensors", "batch_index_error", "check_batch_indices", "check_inputs"]

_OP = "prroi_pool2d"


def check_pool_args(pooled_height: int, pooled_width: int, spatial_scale: float) -> None:
    """Raise ValueError/TypeError unless the pooled size is a positive int pair and the scale a
    positive finite number."""
    for name, value in (("pooled_height", pooled_height), ("pooled_width", pooled_width)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{_OP}: {name} must be an int, got {type(value).__name__} {value!r}")
        if value <= 0:
            raise ValueError(f"{_OP}: {name} must be positive, got {value}")
    if isinstance(spatial_scale, bool) or not isinstance(spatial_scale, (int, float)):
        raise TypeError(
            f"{_OP}: spatial_scale must be a number, got {type(spatial_scale).__name__} {spatial_scale!r}"
        )
    if not math.isfinite(spatial_scale) or spatial_scale <= 0:
        raise ValueError(f"{_OP}: spatial_scale must be positive and finite, got {spatial_scale}")


def check_tensors(features: torch.Tensor, rois: torch.Tensor) -> None:
    """Raise TypeError/ValueError unless features is [B, C, H, W] float32/float64 and rois is
    [K, 5] of the same dtype and device (the batch indices are not looked at)."""
    if not isinstance(features, torch.Tensor) or not isinstance(rois, torch.Tensor):
        raise TypeError(
            f"{_OP}: features and rois must be tensors, got {type(features).__name__} and "
            f"{type(rois).__name__}"
        )
    if features.dim() != 4:
        raise ValueError(f"{_OP}: features must have shape [B, C, H, W], got {tuple(features.shape)}")
    if features.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"{_OP}: features must be float32 or float64, got {features.dtype}")
    if rois.dim() != 2 or rois.shape[1] != 5:
        raise ValueError(
            f"{_OP}: rois must have shape [K, 5] = (batch index, x1, y1, x2, y2), got {tuple(rois.shape)}"
        )
    if rois.dtype != features.dtype:
        raise TypeError(f"{_OP}: rois dtype {rois.dtype} does not match features dtype {features.dtype}")
    if rois.device != features.device:
        raise ValueError(f"{_OP}: rois are on {rois.device} but features are on {features.device}")


def batch_index_error(features: torch.Tensor, rois: torch.Tensor) -> Optional[str]:
    """None when every batch index rois[k, 0] is an integer in [0, B), else a message naming the
    first bad row. Expects tensors that passed check_tensors."""
    if rois.shape[0] == 0:
        return None
    batch_index = rois[:, 0].detach()
    lowest, highest = (v.item() for v in torch.aminmax(batch_index))
    if lowest >= 0 and highest < features.shape[0] and torch.equal(batch_index, batch_index.trunc()):
        return None
    bad = (batch_index != batch_index.round()) | (batch_index < 0) | (batch_index >= features.shape[0])
    row = int(bad.nonzero()[0, 0])
    return (
        f"{_OP}: rois[{row}, 0] = {float(batch_index[row])} is not a batch index in "
        f"[0, {features.shape[0] - 1}] (features have batch size {features.shape[0]})"
    )


def check_batch_indices(features: torch.Tensor, rois: torch.Tensor) -> None:
    """Raise ValueError naming the first roi row whose batch index is not an integer in [0, B)."""
    message = batch_index_error(features, rois)
    if message is not None:
        raise ValueError(message)


def check_inputs(features: torch.Tensor, rois: torch.Tensor) -> None:
    """Raise TypeError/ValueError unless features is [B, C, H, W] float32/float64 and rois is
    [K, 5] = (batch index, x1, y1, x2, y2) of the same dtype and device, with every batch index
    an integer in [0, B)."""
    check_tensors(features, rois)
    check_batch_indices(features, rois)
