"""Exemplar and search-region crops of the Siamese trackers (SiamFC, SiamRPN), with context.

For a target of size (w, h) the context margin is ``p = context_amount * (w + h)`` (0.5 in the
papers, i.e. p = (w + h) / 2); the exemplar is the square of side ``s_z = sqrt((w + p) * (h + p))``
around the target centre, resized to ``exemplar_sz`` (127) pixels, and the search region is the
square of side ``s_x = s_z * instance_sz / exemplar_sz`` (255 / 127) around the same centre, resized
to ``instance_sz`` pixels, so both crops share one scale (``exemplar_sz / s_z``).
Outside the image, crops are filled with the image's mean colour.

Coordinates follow :mod:`ltr.data.processing_utils`: continuous pixel coordinates, pixel j spans
[j, j + 1); a box [x, y, w, h] has its centre at (x + w / 2, y + h / 2); the square of side ``s``
centred at c becomes the crop, and image point q maps to crop point ``(q - c) * out / s + out / 2``.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import cv2
import numpy as np
import torch

from ltr.data.processing_utils import crop_matrix

EXEMPLAR_SZ = 127
INSTANCE_SZ = 255
CONTEXT_AMOUNT = 0.5


def _check_size(w: float, h: float, where: str) -> None:
    if not (math.isfinite(w) and math.isfinite(h)) or w <= 0 or h <= 0:
        raise ValueError(f"{where}: the target size must be finite and positive, got w={w}, h={h}")


def exemplar_side(w: float, h: float, context_amount: float = CONTEXT_AMOUNT) -> float:
    """Side ``s_z = sqrt((w + p) (h + p))`` with ``p = context_amount * (w + h)`` (image pixels)."""
    w, h = float(w), float(h)
    _check_size(w, h, "exemplar_side")
    p = context_amount * (w + h)
    return math.sqrt((w + p) * (h + p))


def search_side(
    w: float,
    h: float,
    context_amount: float = CONTEXT_AMOUNT,
    exemplar_sz: int = EXEMPLAR_SZ,
    instance_sz: int = INSTANCE_SZ,
) -> float:
    """Side ``s_x = s_z * instance_sz / exemplar_sz`` of the search region (image pixels)."""
    return exemplar_side(w, h, context_amount) * instance_sz / exemplar_sz


def box_center(box: Sequence[float]) -> tuple[float, float]:
    """Centre (cx, cy) of an ``[x, y, w, h]`` box (continuous coordinates)."""
    x, y, w, h = (float(v) for v in box)
    return x + 0.5 * w, y + 0.5 * h


def mean_colour(image: np.ndarray) -> tuple[float, ...]:
    """Per-channel mean of an ``H x W x C`` (or ``H x W``) image, the padding value of the crops."""
    array = np.asarray(image)
    if array.ndim == 2:
        return (float(array.mean()),)
    return tuple(float(v) for v in array.reshape(-1, array.shape[2]).mean(axis=0))


def crop_square(
    image: np.ndarray,
    center: tuple[float, float],
    side: float,
    output_sz: int,
    pad_value: Optional[Sequence[float]] = None,
) -> np.ndarray:
    """Bilinear resample of the square (``center`` (cx, cy), ``side``) to ``output_sz`` pixels.

    Parts outside the image are filled with ``pad_value`` (default: the image's mean colour).
    Returns an ``output_sz x output_sz (x C)`` array of the image's dtype.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(
            f"crop_square: expected a non-empty H x W (x C) image, got shape {image.shape}"
        )
    side = float(side)
    if not math.isfinite(side) or side <= 0:
        raise ValueError(f"crop_square: the crop side must be finite and positive, got {side}")
    if not all(math.isfinite(float(c)) for c in center):
        raise ValueError(f"crop_square: the crop centre must be finite, got {tuple(center)}")
    if pad_value is None:
        pad_value = mean_colour(image)
    border = tuple(float(v) for v in pad_value)
    border = border + (0.0,) * (4 - len(border))
    matrix = crop_matrix((float(center[0]), float(center[1])), side, int(output_sz))
    return cv2.warpAffine(
        image,
        matrix,
        (int(output_sz), int(output_sz)),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def crop_multiscale(
    image: np.ndarray,
    center: tuple[float, float],
    sides: Sequence[float],
    output_sz: int,
    pad_value: Optional[Sequence[float]] = None,
) -> np.ndarray:
    """One :func:`crop_square` per side, stacked: ``len(sides) x output_sz x output_sz x C``."""
    if pad_value is None:
        pad_value = mean_colour(image)
    return np.stack([crop_square(image, center, s, output_sz, pad_value) for s in sides])


def image_to_crop(
    points: np.ndarray, center: tuple[float, float], side: float, output_sz: int
) -> np.ndarray:
    """Map image points (..., 2) [x, y] into the crop (``center``, ``side``) -> ``output_sz``."""
    points = np.asarray(points, dtype=np.float64)
    scale = output_sz / float(side)
    return (points - np.asarray(center, dtype=np.float64)) * scale + 0.5 * output_sz


def box_to_crop(
    box: Sequence[float], center: tuple[float, float], side: float, output_sz: int
) -> torch.Tensor:
    """Map an ``[x, y, w, h]`` image box into the crop (``center``, ``side``) -> ``output_sz``."""
    x, y, w, h = (float(v) for v in box)
    scale = output_sz / float(side)
    top_left = image_to_crop(np.array([x, y]), center, side, output_sz)
    return torch.tensor([top_left[0], top_left[1], w * scale, h * scale], dtype=torch.float32)


def exemplar_crop(
    image: np.ndarray,
    box: Sequence[float],
    exemplar_sz: int = EXEMPLAR_SZ,
    context_amount: float = CONTEXT_AMOUNT,
    pad_value: Optional[Sequence[float]] = None,
) -> tuple[np.ndarray, float]:
    """The exemplar crop of ``box`` and its side ``s_z`` in image pixels."""
    s_z = exemplar_side(float(box[2]), float(box[3]), context_amount)
    return crop_square(image, box_center(box), s_z, exemplar_sz, pad_value), s_z
