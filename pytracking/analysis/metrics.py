"""Per-frame measures between predicted and ground-truth boxes ``[x, y, w, h]`` (vectorized).

Two IoU conventions exist:

* ``iou_pixel`` (pytracking/OTB): a box covers the pixels ``x .. x + w - 1``; the intersection
  width is ``min(x1 + w1 - 1, x2 + w2 - 1) - max(x1, x2) + 1`` clipped at 0, the union uses
  ``w * h`` of each box.
* ``iou_continuous`` (GOT-10k toolkit): a box is the continuous region ``[x, x + w]``; the
  intersection width is ``min(x1 + w1, x2 + w2) - max(x1, x2)`` clipped at 0, IoU is
  ``inter / (union + eps)`` clipped to [0, 1] (``eps`` = float64 machine epsilon).

Centre error uses the centre ``x + (w - 1) / 2`` for both boxes (the -1 cancels in the
difference, so both conventions agree). The normalized centre error divides each centre by the
ground-truth size before taking the distance.
"""
from __future__ import annotations

import numpy as np

#: Success-plot thresholds on IoU: 0, 0.05, ..., 1 (success means IoU > threshold).
SUCCESS_THRESHOLDS = np.linspace(0.0, 1.0, 21)
#: Precision-plot thresholds on centre error in pixels: 0, 1, ..., 50 (success means error <= threshold).
PRECISION_THRESHOLDS = np.arange(0, 51, dtype=np.float64)
#: Normalized-precision thresholds: 0, 0.01, ..., 0.5 (success means error <= threshold).
NORM_PRECISION_THRESHOLDS = np.arange(0, 51, dtype=np.float64) / 100.0
#: Index of the reported precision (20 px) and normalized precision (0.2) in their curves.
REPORT_INDEX = 20


def _columns(boxes: np.ndarray) -> np.ndarray:
    """``(4, N)`` contiguous columns x, y, w, h (column arithmetic is faster than strided views)."""
    return np.ascontiguousarray(np.asarray(boxes, dtype=np.float64).T)


def _intersection(pred: np.ndarray, gt: np.ndarray, offset: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intersection area with far edges at ``x + w - offset``, and both areas ``w * h``."""
    px, py, pw, ph = _columns(pred)
    gx, gy, gw, gh = _columns(gt)
    iw = np.minimum(px + (pw - offset), gx + (gw - offset)) - np.maximum(px, gx) + offset
    ih = np.minimum(py + (ph - offset), gy + (gh - offset)) - np.maximum(py, gy) + offset
    inter = np.clip(iw, 0.0, None) * np.clip(ih, 0.0, None)
    return inter, pw * ph, gw * gh


def iou_pixel(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU with the +1-pixel convention (``x2 = x + w - 1``), per row; 0 where the union is empty."""
    inter, area_p, area_g = _intersection(pred, gt, 1.0)
    union = area_p + area_g - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / union
    return np.where(union > 0, iou, 0.0)


def iou_continuous(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU of continuous boxes as the GOT-10k toolkit computes it, per row."""
    inter, area_p, area_g = _intersection(pred, gt, 0.0)
    return np.clip(inter / (area_p + area_g - inter + np.finfo(float).eps), 0.0, 1.0)


def center_offset(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre of ``pred`` minus centre of ``gt`` (centre ``x + (w - 1) / 2``): (dx, dy)."""
    px, py, pw, ph = _columns(pred)
    gx, gy, gw, gh = _columns(gt)
    return (px - gx) + 0.5 * (pw - gw), (py - gy) + 0.5 * (ph - gh)


def center_error(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Euclidean distance between box centres in pixels, per row."""
    dx, dy = center_offset(pred, gt)
    return np.sqrt(dx * dx + dy * dy)


def normalized_center_error(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Distance between centres after dividing each by the ground-truth ``(w, h)``, per row."""
    dx, dy = center_offset(pred, gt)
    gt = np.asarray(gt, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = dx / gt[:, 2]
        dy = dy / gt[:, 3]
    return np.sqrt(dx * dx + dy * dy)
