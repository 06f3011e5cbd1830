"""Composing visualization images: frames with boxes, colour-mapped score maps and insets.

Shared by the saved visualizations (video / PNG frames), ``run_video`` and the visdom panes, so all
of them draw the same picture. Everything here works on RGB ``uint8`` arrays and needs no display.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import cv2
import numpy as np

from pytracking.utils.drawing import draw_box

PRED_COLOR = (0, 255, 0)  # predicted box: green
GT_COLOR = (255, 0, 0)  # ground truth: red
ANCHOR_COLOR = (255, 255, 0)  # chosen anchor (Siamese RPN trackers): yellow
PROPOSAL_COLOR = (0, 160, 255)  # IoU-Net proposals before refinement: blue
REFINED_COLOR = (255, 0, 255)  # IoU-Net proposals after refinement: magenta
INSET_FRACTION = 0.3  # an inset is at most this fraction of the frame's width and height


def to_numpy(data: Any) -> np.ndarray:
    """An array from a numpy array, a (CPU or GPU, possibly grad-tracking) torch tensor or a list."""
    if hasattr(data, "detach"):  # torch tensor, imported lazily by whoever made it
        data = data.detach().cpu().numpy()
    return np.asarray(data)


def as_score_map(data: Any, what: str = "score map") -> np.ndarray:
    """A 2-D float array from ``data`` (leading singleton dimensions are dropped).

    Raises ``ValueError`` naming ``what`` when the data is not 2-D after squeezing.
    """
    arr = to_numpy(data).astype(np.float64)
    while arr.ndim > 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{what} must be a 2-D array (H x W, optionally 1 x ... x H x W), "
                         f"got shape {to_numpy(data).shape}")
    return arr


def as_boxes(data: Any, what: str = "boxes") -> np.ndarray:
    """An ``N x 4`` float array of ``[x, y, w, h]`` boxes (a single box becomes ``1 x 4``)."""
    arr = to_numpy(data).astype(np.float64)
    if arr.ndim == 1 and arr.size == 4:
        arr = arr.reshape(1, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{what} must be N x 4 [x, y, w, h] boxes, got shape {arr.shape}")
    return arr


def colorize(score: Any) -> np.ndarray:
    """A score map as an RGB ``uint8`` image (viridis, min..max of the map; NaN shown as min)."""
    arr = as_score_map(score)
    finite = np.isfinite(arr)
    if not finite.any():
        arr = np.zeros_like(arr)
    else:
        lo, hi = arr[finite].min(), arr[finite].max()
        arr = np.where(finite, arr, lo)
        arr = (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
    gray = np.round(arr * 255).astype(np.uint8)
    return np.ascontiguousarray(cv2.applyColorMap(gray, cv2.COLORMAP_VIRIDIS)[:, :, ::-1])


def add_inset(image: np.ndarray, inset: np.ndarray, fraction: float = INSET_FRACTION) -> np.ndarray:
    """A copy of ``image`` with ``inset`` scaled to fit ``fraction`` of it, in the top-right corner."""
    out = np.ascontiguousarray(image.copy())
    height, width = out.shape[:2]
    ih, iw = inset.shape[:2]
    scale = min(fraction * width / iw, fraction * height / ih)
    new_w, new_h = max(1, int(round(iw * scale))), max(1, int(round(ih * scale)))
    resized = cv2.resize(inset, (new_w, new_h), interpolation=cv2.INTER_NEAREST)
    x0 = width - new_w
    out[:new_h, x0:] = resized
    cv2.rectangle(out, (x0, 0), (width - 1, new_h - 1), (255, 255, 255), 1)
    return out


def render_frame(image: np.ndarray, box: Optional[Sequence[float]] = None,
                 ground_truth: Optional[Sequence[float]] = None,
                 score_map: Any = None, anchor_box: Optional[Sequence[float]] = None,
                 thickness: int = 2) -> np.ndarray:
    """The frame with the ground truth (red), the chosen anchor (yellow), the predicted box (green,
    drawn last so it stays visible) and, when given, the colour-mapped score map as an inset."""
    out = np.ascontiguousarray(image)
    if ground_truth is not None:
        out = draw_box(out, ground_truth, color=GT_COLOR, thickness=thickness)
    if anchor_box is not None:
        out = draw_box(out, anchor_box, color=ANCHOR_COLOR, thickness=1)
    if box is not None:
        out = draw_box(out, box, color=PRED_COLOR, thickness=thickness)
    if score_map is not None:
        out = add_inset(out, colorize(score_map))
    return out if out is not image else out.copy()


def draw_boxes(image: np.ndarray, boxes: Any, color: tuple[int, int, int],
               thickness: int = 1) -> np.ndarray:
    """A copy of ``image`` with every ``[x, y, w, h]`` row of ``boxes`` outlined."""
    out = np.ascontiguousarray(image.copy())
    for row in as_boxes(boxes):
        out = draw_box(out, row, color=color, thickness=thickness)
    return out
