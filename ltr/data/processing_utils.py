"""Crops around a target, box mapping into crops, box jitter and IoU-labelled box proposals.

Coordinate convention: continuous pixel coordinates, pixel (row i, column j) covers
[j, j+1) x [i, i+1), so its centre is (j + 0.5, i + 0.5); a box [x, y, w, h] covering pixel columns
10..19 has x = 10, w = 10. A crop is the square region of side ``s = sqrt(w*h) * search_area_factor``
centred on a box centre (cx, cy), i.e. [cx - s/2, cx + s/2) x [cy - s/2, cy + s/2), resampled
(bilinear) to ``output_sz x output_sz`` pixels; image point p maps to ``(p - (c - s/2)) * output_sz / s``.
Where the region leaves the image, the image is padded (edge replication by default).
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import cv2
import numpy as np
import torch

from ltr.data.bounding_box_utils import iou_xywh

_BORDERS = {
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
}


def crop_region(box: torch.Tensor, search_area_factor: float) -> tuple[float, float, float]:
    """Centre (cx, cy) and side of the square crop around ``box`` [x, y, w, h]."""
    x, y, w, h = [float(v) for v in box]
    side = math.sqrt(w * h) * search_area_factor if w > 0 and h > 0 else float("nan")
    if not math.isfinite(side) or side <= 0 or not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(
            f"Cannot crop around the box {[x, y, w, h]}: it needs a finite position "
            f"and positive width and height"
        )
    return x + 0.5 * w, y + 0.5 * h, side


def crop_matrix(center: tuple[float, float], side: float, output_sz: int) -> np.ndarray:
    """2x3 matrix taking output pixel indices (u, v) to source pixel indices (for cv2.warpAffine)."""
    k = side / output_sz
    cx, cy = center
    return np.array(
        [[k, 0.0, cx - 0.5 * side + 0.5 * k - 0.5], [0.0, k, cy - 0.5 * side + 0.5 * k - 0.5]],
        dtype=np.float64,
    )


def warp_crop(
    image: np.ndarray,
    center: tuple[float, float],
    side: float,
    output_sz: int,
    border_mode: str = "replicate",
    nearest: bool = False,
) -> np.ndarray:
    """Resample the square region (centre, side) of an H x W (x C) array to output_sz x output_sz."""
    if border_mode not in _BORDERS:
        raise ValueError(f"Unknown border_mode '{border_mode}'; choose one of {sorted(_BORDERS)}")
    matrix = crop_matrix(center, side, output_sz)
    flags = (cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(
        image,
        matrix,
        (int(output_sz), int(output_sz)),
        flags=flags,
        borderMode=_BORDERS[border_mode],
        borderValue=0,
    )


def _mask_to_numpy(mask) -> np.ndarray:
    array = mask.numpy() if torch.is_tensor(mask) else np.asarray(mask)
    return array.astype(np.uint8) if array.dtype == bool else array


def sample_target(
    im: np.ndarray,
    target_bb: torch.Tensor,
    search_area_factor: float,
    output_sz: int,
    mask=None,
    border_mode: str = "replicate",
):
    """Crop the square region of area ``search_area_factor**2 * w * h`` around ``target_bb``.

    Returns ``(crop, resize_factor, mask_crop)``: the output_sz x output_sz crop, the scale from
    image to crop pixels (output_sz / side) and the cropped mask (None without a mask; masks use
    nearest-neighbour sampling and zero padding).
    """
    cx, cy, side = crop_region(target_bb, search_area_factor)
    crop = warp_crop(im, (cx, cy), side, output_sz, border_mode)
    mask_crop = None
    if mask is not None:
        mask_crop = warp_crop(
            _mask_to_numpy(mask), (cx, cy), side, output_sz, "constant", nearest=True
        )
        mask_crop = torch.from_numpy(mask_crop.astype(np.float32))
    return crop, output_sz / side, mask_crop


def transform_image_to_crop(
    box_in: torch.Tensor,
    box_extract: torch.Tensor,
    resize_factor: float,
    crop_sz: Union[float, torch.Tensor],
) -> torch.Tensor:
    """Map ``box_in`` (image coordinates) into the crop made around ``box_extract``.

    The centre of ``box_extract`` goes to the crop centre ``crop_sz / 2`` and distances scale by
    ``resize_factor``. (The original pytracking code put it at ``(crop_sz - 1) / 2``, a pixel-index
    convention half a pixel away from the crop it cut; here crop and mapping use the same
    continuous coordinates, see the module docstring.)
    """
    box_in = box_in.float()
    extract_center = box_extract[0:2].float() + 0.5 * box_extract[2:4].float()
    in_center = box_in[0:2] + 0.5 * box_in[2:4]
    crop_sz = torch.as_tensor(crop_sz, dtype=torch.float32)
    out_center = 0.5 * crop_sz + (in_center - extract_center) * resize_factor
    out_wh = box_in[2:4] * resize_factor
    return torch.cat((out_center - 0.5 * out_wh, out_wh))


def jittered_center_crop(
    frames: Sequence[np.ndarray],
    box_extract: Sequence[torch.Tensor],
    box_gt: Sequence[torch.Tensor],
    search_area_factor: float,
    output_sz: int,
    masks: Optional[Sequence] = None,
    border_mode: str = "replicate",
):
    """Crop every frame around its ``box_extract`` and map its ``box_gt`` into the crop.

    Returns (crops, boxes) or, when masks are given, (crops, boxes, mask crops).
    """
    crops, boxes, mask_crops = [], [], []
    for i, (frame, extract, gt) in enumerate(zip(frames, box_extract, box_gt)):
        mask = None if masks is None else masks[i]
        crop, factor, mask_crop = sample_target(
            frame, extract, search_area_factor, output_sz, mask, border_mode
        )
        crops.append(crop)
        boxes.append(transform_image_to_crop(gt, extract, factor, output_sz))
        mask_crops.append(mask_crop)
    if masks is None:
        return crops, boxes
    return crops, boxes, mask_crops


def jittered_box(
    box: torch.Tensor,
    scale_jitter_factor: float,
    center_jitter_factor: float,
    rng: np.random.Generator,
) -> torch.Tensor:
    """ATOM's box jitter.

    Width and height are each multiplied by exp(N(0, 1) * scale_jitter_factor); the centre moves by
    U(-0.5, 0.5) * sqrt(jittered w * h) * center_jitter_factor per axis, i.e. at most half of
    sqrt(area) * center_jitter_factor (the behaviour of the original ATOM code).
    """
    box = box.double()
    size = box[2:4] * torch.from_numpy(np.exp(rng.standard_normal(2) * scale_jitter_factor))
    max_offset = float(size.prod().sqrt()) * center_jitter_factor
    center = box[0:2] + 0.5 * box[2:4] + max_offset * (torch.from_numpy(rng.random(2)) - 0.5)
    return torch.cat((center - 0.5 * size, size)).float()


def perturb_box(
    box: torch.Tensor, min_iou: float, sigma_factor, rng: np.random.Generator, max_tries: int = 100
) -> tuple[torch.Tensor, float]:
    """A Gaussian perturbation of ``box`` with IoU > ``min_iou`` (rejection sampling).

    ``sigma_factor`` (a number, a 4-vector, or a list of either to pick from at random) times
    sqrt(w*h) gives the standard deviations of the centre x, y and of w, h. Proposals are rounded to
    whole pixels; a width or height <= 1 is replaced by w (h) * U(0.15, 0.5). After each rejection
    the deviations shrink by 10%; if ``max_tries`` draws all fail, the box itself is returned (IoU 1).
    """
    if isinstance(sigma_factor, (list, tuple)):
        sigma_factor = sigma_factor[int(rng.integers(len(sigma_factor)))]
    sigma = np.broadcast_to(np.asarray(sigma_factor, dtype=np.float64), (4,)).copy()
    x, y, w, h = [float(v) for v in box]
    sigma *= math.sqrt(w * h)
    mean = np.array([x + 0.5 * w, y + 0.5 * h, w, h])
    for _ in range(max_tries):
        cx_p, cy_p, w_p, h_p = rng.normal(mean, sigma).tolist()
        if w_p <= 1:
            w_p = w * rng.uniform(0.15, 0.5)
        if h_p <= 1:
            h_p = h * rng.uniform(0.15, 0.5)
        candidate = [round(cx_p - 0.5 * w_p), round(cy_p - 0.5 * h_p), round(w_p), round(h_p)]
        if candidate[2] <= 1:
            candidate[2] = w * rng.uniform(0.15, 0.5)
        if candidate[3] <= 1:
            candidate[3] = h * rng.uniform(0.15, 0.5)
        iou = iou_xywh((x, y, w, h), candidate)
        if iou > min_iou:
            return torch.tensor(candidate, dtype=torch.float32), iou
        sigma *= 0.9
    return box.clone().float(), 1.0


def generate_proposals(
    box: torch.Tensor, num_proposals: int, min_iou: float, sigma_factor, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``num_proposals`` perturbed boxes (num_proposals, 4) and their IoU with ``box``."""
    proposals = torch.zeros(num_proposals, 4)
    ious = torch.zeros(num_proposals)
    for i in range(num_proposals):
        proposals[i], ious[i] = perturb_box(box, min_iou, sigma_factor, rng)
    return proposals, ious
