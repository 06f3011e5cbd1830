"""The integer-pixel crops of the published Siamese trackers (pysot, DaSiamRPN, siamfc-pytorch).

These differ from :mod:`ltr.data.siam_crop` (continuous coordinates, one affine warp): the crop
side is rounded to whole pixels, the corners are rounded in each project's way, the area outside
the image is filled with the first frame's mean colour, and the pixel block is resized with
``cv2.resize`` (bilinear). Reproducing a published tracker's boxes needs its exact crop.

Positions are in the pixel-index coordinates the published code works in (pixel j centred at j).
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import cv2
import numpy as np

RoundFn = Callable[[float], float]


def round_half_even(x: float) -> float:
    """Python 3's ``round(x)`` (ties to even)."""
    return float(round(float(x)))


def round_half_away(x: float) -> float:
    """Python 2's ``round(x)`` (ties away from zero)."""
    x = float(x)
    return math.copysign(math.floor(abs(x) + 0.5), x)


def floor_half_up(x: float) -> float:
    """pysot's ``np.floor(x + 0.5)`` (ties towards +infinity)."""
    return float(np.floor(float(x) + 0.5))


def crop_subwindow(image: np.ndarray, pos: Sequence[float], model_sz: int, original_sz: float,
                   avg_chans: np.ndarray, corner_round: RoundFn) -> np.ndarray:
    """pysot's ``get_subwindow`` / DaSiamRPN's ``get_subwindow_tracking``: the square of
    ``original_sz`` pixels (a whole number) whose left/top corner is
    ``corner_round(pos - (original_sz + 1) / 2)``, padded where it leaves the image with
    ``avg_chans`` (stored into uint8, i.e. truncated), resized to ``model_sz`` unless it has that
    size already. Returns ``model_sz x model_sz x C`` uint8."""
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"crop_subwindow: expected an H x W x C image, got shape {image.shape}")
    sz = original_sz
    if not (math.isfinite(float(sz)) and sz >= 1):
        raise ValueError(f"crop_subwindow: the crop side must be >= 1, got {original_sz}")
    rows, cols, channels = image.shape
    c = (sz + 1) / 2
    xmin = corner_round(pos[0] - c)
    ymin = corner_round(pos[1] - c)
    xmax, ymax = xmin + sz - 1, ymin + sz - 1
    left, top = int(max(0.0, -xmin)), int(max(0.0, -ymin))
    right, bottom = int(max(0.0, xmax - cols + 1)), int(max(0.0, ymax - rows + 1))
    xmin, xmax, ymin, ymax = xmin + left, xmax + left, ymin + top, ymax + top
    if any((top, bottom, left, right)):
        padded = np.zeros((rows + top + bottom, cols + left + right, channels), np.uint8)
        padded[top:top + rows, left:left + cols, :] = image
        if top:
            padded[0:top, left:left + cols, :] = avg_chans
        if bottom:
            padded[rows + top:, left:left + cols, :] = avg_chans
        if left:
            padded[:, 0:left, :] = avg_chans
        if right:
            padded[:, cols + left:, :] = avg_chans
        patch = padded[int(ymin):int(ymax + 1), int(xmin):int(xmax + 1), :]
    else:
        patch = image[int(ymin):int(ymax + 1), int(xmin):int(xmax + 1), :]
    if model_sz != original_sz:
        patch = cv2.resize(patch, (int(model_sz), int(model_sz)))
    return np.ascontiguousarray(patch)


def crop_and_resize(image: np.ndarray, center_yx: np.ndarray, size: float, out_size: int,
                    border_value: Sequence[float]) -> np.ndarray:
    """siamfc-pytorch's ``ops.crop_and_resize``: side ``round(size)``, corners
    ``np.round(center - (side - 1) / 2)`` (computed in ``center_yx``'s dtype, float32 in that
    tracker), the image padded by the largest overhang on all sides with ``cv2.copyMakeBorder``
    (``border_value`` rounded by OpenCV), the block resized to ``out_size`` (bilinear)."""
    side = round(float(size))
    if side < 1:
        raise ValueError(f"crop_and_resize: the crop side must be >= 1, got {size}")
    low = np.round(center_yx - (side - 1) / 2)
    corners = np.round(np.concatenate((low, low + side))).astype(int)
    pads = np.concatenate((-corners[:2], corners[2:] - np.asarray(image.shape[:2])))
    npad = max(0, int(pads.max()))
    if npad > 0:
        image = cv2.copyMakeBorder(image, npad, npad, npad, npad, cv2.BORDER_CONSTANT,
                                   value=[float(v) for v in border_value])
    corners = corners + npad
    patch = image[corners[0]:corners[2], corners[1]:corners[3]]
    return cv2.resize(patch, (int(out_size), int(out_size)), interpolation=cv2.INTER_LINEAR)
