"""Image patches around the target, cropped and resized on the uint8 frame (only the pixels needed)."""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from pytracking.libs.cpu_kernels import compiled_op


def crop_replicate(image: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """Rows ``top .. top+height-1`` and columns ``left .. left+width-1`` of ``image`` (``H x W x C``),
    the border pixels repeated where they lie outside it."""
    h, w = image.shape[:2]
    y0, y1 = min(max(top, 0), h - 1), min(max(top + height, 1), h)
    x0, x1 = min(max(left, 0), w - 1), min(max(left + width, 1), w)
    y1, x1 = max(y1, y0 + 1), max(x1, x0 + 1)
    crop = image[y0:y1, x0:x1]
    pad_top, pad_bottom, pad_left, pad_right = y0 - top, top + height - y1, x0 - left, left + width - x1
    if max(pad_top, pad_bottom, pad_left, pad_right) <= 0:
        return crop
    crop = cv2.copyMakeBorder(crop, max(pad_top, 0), max(pad_bottom, 0), max(pad_left, 0), max(pad_right, 0),
                              cv2.BORDER_REPLICATE)
    if crop.ndim == 2:
        crop = crop[:, :, None]
    return crop[max(-pad_top, 0):, max(-pad_left, 0):][:height, :width]


def subsample_factor(size: Sequence[float], out_sz: Sequence[int]) -> int:
    """The original ``sample_patch``'s ``df = max(floor(min(size / out_sz) - 0.1), 1)``: how many
    pixels a large patch is subsampled by before it is resized."""
    return max(int(math.floor(min(float(size[0]) / int(out_sz[0]), float(size[1]) / int(out_sz[1])) - 0.1)), 1)


def resized_patch(image: np.ndarray, centre: Sequence[float], size: Sequence[float],
                  out_sz: Sequence[int]) -> Tuple[np.ndarray, Tuple[float, float]]:
    """The ``size`` (h, w) pixels of ``image`` centred as near as possible at ``centre`` (y, x),
    resized bilinearly to ``out_sz`` (h, w) (OpenCV's resize, as the original ECO's ``sample_patch``),
    and the exact centre (y, x) of the cropped pixels.
    As in the original ECO, a patch over ``df = floor(min(size / out_sz) - 0.1) > 1`` times larger
    than the output is first subsampled: every ``df``-th pixel, on the grid through the rounded
    centre."""
    oh, ow = int(out_sz[0]), int(out_sz[1])
    df = subsample_factor(size, out_sz)
    if df > 1:
        oy, ox = int(round(float(centre[0]))) % df, int(round(float(centre[1]))) % df
        patch, (cy, cx) = resized_patch(image[oy::df, ox::df],
                                        ((float(centre[0]) - oy) / df, (float(centre[1]) - ox) / df),
                                        (float(size[0]) / df, float(size[1]) / df), out_sz)
        return patch, (oy + cy * df, ox + cx * df)
    eh, ew = max(int(round(float(size[0]))), 1), max(int(round(float(size[1]))), 1)
    top = int(round(float(centre[0]) - (eh - 1) / 2))
    left = int(round(float(centre[1]) - (ew - 1) / 2))
    crop = _resize(crop_replicate(image, top, left, eh, ew), (oh, ow), cv2.INTER_LINEAR)
    return crop, (top + (eh - 1) / 2, left + (ew - 1) / 2)


def matlab_round(x: float) -> int:
    """MATLAB's ``round``: halves away from zero (Python's ``round`` takes 0.5 to 0)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def original_patch(image: np.ndarray, sample_pos: Sequence[int], size: Sequence[float],
                   out_sz: Sequence[int]) -> np.ndarray:
    """The original ECO's ``sample_patch`` (0-based: its 1-based ``pos`` is ``sample_pos + 1``):
    with ``df = max(floor(min(size / out_sz) - 0.1), 1)`` the frame is subsampled every ``df``-th
    pixel on the grid through ``sample_pos``; ``round(size / df)`` (at least 2) pixels are taken
    from ``floor((n + 1) / 2) - 1`` before the position, border pixels repeated, and resized
    bilinearly to ``out_sz``. For an even pixel count the patch centre lies ``df / 2`` pixels past
    ``sample_pos``, which the original does not correct for."""
    oh, ow = int(out_sz[0]), int(out_sz[1])
    py, px = int(sample_pos[0]), int(sample_pos[1])
    df = subsample_factor(size, out_sz)
    sh, sw = float(size[0]), float(size[1])
    if df > 1:
        oy, ox = py % df, px % df
        image = image[oy::df, ox::df]
        py, px = (py - oy) // df, (px - ox) // df
        sh, sw = sh / df, sw / df
    nh, nw = max(matlab_round(sh), 2), max(matlab_round(sw), 2)
    crop = crop_replicate(image, py + 1 - (nh + 1) // 2, px + 1 - (nw + 1) // 2, nh, nw)
    return _resize(crop, (oh, ow), cv2.INTER_LINEAR)


def _resize(crop: np.ndarray, out_sz: Sequence[int], interpolation: int) -> np.ndarray:
    """``crop`` (``h x w x C`` uint8, row-strided views are fine) resized to ``out_sz`` (h, w) by
    OpenCV, keeping the channel axis; unchanged when it has that size."""
    oh, ow = int(out_sz[0]), int(out_sz[1])
    if crop.shape[:2] == (oh, ow):
        return crop
    out = cv2.resize(crop, (ow, oh), interpolation=interpolation)
    return out[:, :, None] if out.ndim == 2 else out


def resize_auto(crop: np.ndarray, out_sz: Sequence[int]) -> np.ndarray:
    """``crop`` resized to ``out_sz`` (h, w) as the original's ``mexResize(..., 'auto')``: bilinear
    when the output is wider than the input is high, OpenCV's area averaging otherwise.
    (mexResize meant to compare the widths, but its image arrives in OpenCV's orientation, not
    transposed as its comment assumes, so it compares the new width with the old height.)"""
    zooms = int(out_sz[1]) > crop.shape[0]
    return _resize(crop, out_sz, cv2.INTER_LINEAR if zooms else cv2.INTER_AREA)


def takes_general_area_path(in_hw: Sequence[Sequence[int]], out_hw: Sequence[int]) -> np.ndarray:
    """For each input size (h, w) of ``in_hw``: whether OpenCV's ``INTER_AREA`` resize to ``out_hw``
    takes its general area-averaging path: both scale factors ``1 / (out / in)`` at least 1 and not
    both whole numbers (whole numbers take its integer fast path, a factor under 1 its interpolation)."""
    factors = 1.0 / (np.asarray(out_hw, dtype=np.float64) / np.asarray(in_hw, dtype=np.float64).reshape(-1, 2))
    whole = np.abs(factors - np.rint(factors)) < np.finfo(np.float64).eps
    return (factors >= 1.0).all(axis=1) & ~whole.all(axis=1)


def resize_boxes_auto(region: np.ndarray, boxes: np.ndarray, out_sz: Sequence[int],
                      use_kernel: Optional[bool] = None) -> np.ndarray:
    """``S x h x w x C``: each box (top, left, height, width) of ``region`` (``H x W x C`` uint8, inside
    it) resized to ``out_sz`` (h, w) by :func:`resize_auto`. The boxes that OpenCV area-averages on its
    general path go through the compiled ``resize_area_u8`` in one call, which gives OpenCV's result
    (``use_kernel`` as in :func:`pytracking.libs.cpu_kernels.compiled_op`; OpenCV without the build)."""
    oh, ow = int(out_sz[0]), int(out_sz[1])
    boxes = np.asarray(boxes, dtype=np.int64).reshape(-1, 4)
    # resize_auto area-averages where the output is no wider than the box is high
    compiled = (boxes[:, 2] >= ow) & takes_general_area_path(boxes[:, 2:], (oh, ow))
    op = compiled_op("resize_area_u8", use_kernel, fallback="OpenCV resize") if compiled.any() else None
    if op is None:
        compiled[:] = False
    else:
        patches = op(torch.from_numpy(np.ascontiguousarray(region)), torch.from_numpy(boxes[compiled]), oh, ow).numpy()
        if compiled.all():
            return patches
    out = np.empty((len(boxes), oh, ow, region.shape[2]), dtype=np.uint8)
    if compiled.any():
        out[compiled] = patches
    for i in np.flatnonzero(~compiled):
        top, left, h, w = (int(v) for v in boxes[i])
        out[i] = resize_auto(region[top:top + h, left:left + w], out_sz)
    return out


def to_tensor(patches: np.ndarray) -> torch.Tensor:
    """``N x H x W x C`` (or ``H x W x C``) uint8 patches -> ``N x C x H x W`` float32 tensor."""
    if patches.ndim == 3:
        patches = patches[None]
    return torch.from_numpy(np.ascontiguousarray(patches.transpose(0, 3, 1, 2))).float()
