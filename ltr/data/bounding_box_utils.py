"""Box helpers on [x, y, w, h] boxes (continuous pixel coordinates)."""

from __future__ import annotations

from typing import Sequence

import torch


def rect_to_corners(boxes: torch.Tensor) -> torch.Tensor:
    """[x, y, w, h] -> [x1, y1, x2, y2] (last dimension)."""
    return torch.cat((boxes[..., :2], boxes[..., :2] + boxes[..., 2:]), dim=-1)


def corners_to_rect(corners: torch.Tensor) -> torch.Tensor:
    """[x1, y1, x2, y2] -> [x, y, w, h] (last dimension)."""
    return torch.cat((corners[..., :2], corners[..., 2:] - corners[..., :2]), dim=-1)


def box_iou(reference: torch.Tensor, proposals: torch.Tensor) -> torch.Tensor:
    """Intersection over union of boxes [x, y, w, h], broadcast over the leading dimensions."""
    tl = torch.max(reference[..., :2], proposals[..., :2])
    br = torch.min(reference[..., :2] + reference[..., 2:], proposals[..., :2] + proposals[..., 2:])
    intersection = (br - tl).clamp(min=0).prod(dim=-1)
    union = reference[..., 2:].prod(dim=-1) + proposals[..., 2:].prod(dim=-1) - intersection
    return intersection / union


def enclosing_box(points: torch.Tensor) -> torch.Tensor:
    """The axis-aligned [x, y, w, h] box of points (N, 2) given as [x, y]."""
    low = points.min(dim=0).values
    high = points.max(dim=0).values
    return torch.cat((low, high - low))


def box_corners(box: torch.Tensor) -> torch.Tensor:
    """The four corners (4, 2) of a box [x, y, w, h] as [x, y] points."""
    x, y, w, h = box.tolist()
    return torch.tensor([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], dtype=box.dtype)


def iou_xywh(a: Sequence[float], b: Sequence[float]) -> float:
    """IoU of two single boxes [x, y, w, h] given as Python numbers (fast scalar version)."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    intersection = iw * ih
    return intersection / (a[2] * a[3] + b[2] * b[3] - intersection)
