"""Processing of the Siamese trackers: exemplar/search crop pairs and score-map labels.

SiamFC training pairs (Bertinetto et al. 2016): the exemplar is the context crop of the target in
the train frame (side ``s_z``, resized to 127), the search region the crop of side ``s_x`` around
the target in the test frame (resized to 255), randomly shifted by up to ``max_shift`` crop pixels
per axis and rescaled by a factor in ``[1 - scale_jitter, 1 + scale_jitter]``. Labels live on the
``score_sz x score_sz`` (17 x 17) score map: score cell (i, j) looks at the search sub-window
displaced by ``((j - c) * stride, (i - c) * stride)`` crop pixels from the crop centre,
``c = (score_sz - 1) / 2``; a cell is positive (1) when that displacement lies within ``radius``
crop pixels of the target centre, negative (0) otherwise.
"""
from __future__ import annotations

import logging
from typing import Optional

import numpy as np
import torch

import ltr.data.transforms as tfm
from ltr.data.processing import BaseProcessing
from ltr.data.rng import resolve_rng
from ltr.data.siam_crop import (CONTEXT_AMOUNT, EXEMPLAR_SZ, INSTANCE_SZ, box_center, box_to_crop,
                                crop_square, exemplar_crop, exemplar_side,
                                mean_colour)
from pytracking.libs import TensorDict

logger = logging.getLogger(__name__)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def siamfc_labels(target_offset: tuple[float, float], score_sz: int = 17, total_stride: int = 8,
                  radius: float = 16.0) -> torch.Tensor:
    """``score_sz x score_sz`` map: 1 where the cell's displacement is within ``radius`` crop pixels
    of ``target_offset`` = (dx, dy), the target centre minus the search-crop centre, else 0."""
    if score_sz < 1 or total_stride <= 0 or radius < 0:
        raise ValueError(f"siamfc_labels: need score_sz >= 1, total_stride > 0, radius >= 0; got "
                         f"{score_sz}, {total_stride}, {radius}")
    c = (score_sz - 1) / 2
    disp = (torch.arange(score_sz, dtype=torch.float64) - c) * total_stride
    dx, dy = (float(v) for v in target_offset)
    dist2 = (disp.view(1, -1) - dx) ** 2 + (disp.view(-1, 1) - dy) ** 2
    return (dist2 <= radius ** 2).float()


def default_siam_transform() -> tfm.Transform:
    """uint8 crop -> float tensor in [0, 1] -> ImageNet-normalized."""
    return tfm.Transform(tfm.ToTensor(), tfm.Normalize(IMAGENET_MEAN, IMAGENET_STD))


class SiamFCProcessing(BaseProcessing):
    """Turns one train frame and one test frame into an exemplar/search pair with labels.

    Output (one sample): 'train_images' 3 x 127 x 127 exemplar, 'test_images' 3 x 255 x 255 search
    region (both through the per-split transform, default ImageNet normalization), 'train_anno' and
    'test_anno' the boxes in their crops, 'test_label' the score-map labels (see module docstring).
    ``max_shift`` is in search-crop pixels; the default ``max_shift=8``, ``scale_jitter=0.05``
    follow common SiamFC training. Grayscale augmentation goes in ``joint_transform``
    (e.g. ``tfm.Transform(tfm.ToGrayscale(0.25))``) so exemplar and search agree.
    """

    def __init__(self, exemplar_sz: int = EXEMPLAR_SZ, instance_sz: int = INSTANCE_SZ,
                 context_amount: float = CONTEXT_AMOUNT, score_sz: int = 17, total_stride: int = 8,
                 radius: float = 16.0, max_shift: float = 8.0, scale_jitter: float = 0.05,
                 **kwargs) -> None:
        if kwargs.get("transform") is None:
            kwargs["transform"] = default_siam_transform()
        super().__init__(**kwargs)
        if not 0 <= scale_jitter < 1:
            raise ValueError(f"SiamFCProcessing: scale_jitter must be in [0, 1), got {scale_jitter}")
        if max_shift < 0:
            raise ValueError(f"SiamFCProcessing: max_shift must be >= 0, got {max_shift}")
        expected = (instance_sz - exemplar_sz) // total_stride + 1
        if score_sz != expected:
            raise ValueError(f"SiamFCProcessing: score_sz={score_sz} does not fit exemplar_sz="
                             f"{exemplar_sz}, instance_sz={instance_sz}, total_stride={total_stride} "
                             f"(expected {expected})")
        self.exemplar_sz = int(exemplar_sz)
        self.instance_sz = int(instance_sz)
        self.context_amount = float(context_amount)
        self.score_sz = int(score_sz)
        self.total_stride = int(total_stride)
        self.radius = float(radius)
        self.max_shift = float(max_shift)
        self.scale_jitter = float(scale_jitter)

    def _exemplar(self, image: np.ndarray, box: torch.Tensor):
        crop, side = exemplar_crop(image, box, self.exemplar_sz, self.context_amount)
        return crop, box_to_crop(box, box_center(box), side, self.exemplar_sz)

    def _search(self, image: np.ndarray, box: torch.Tensor, rng: np.random.Generator):
        w, h = float(box[2]), float(box[3])
        side = exemplar_side(w, h, self.context_amount) * self.instance_sz / self.exemplar_sz
        side *= float(rng.uniform(1 - self.scale_jitter, 1 + self.scale_jitter))
        shift = rng.uniform(-self.max_shift, self.max_shift, size=2)  # target offset, crop pixels
        cx, cy = box_center(box)
        center = (cx - shift[0] * side / self.instance_sz, cy - shift[1] * side / self.instance_sz)
        crop = crop_square(image, center, side, self.instance_sz, mean_colour(image))
        crop_box = box_to_crop(box, center, side, self.instance_sz)
        offset = (float(crop_box[0] + 0.5 * crop_box[2]) - 0.5 * self.instance_sz,
                  float(crop_box[1] + 0.5 * crop_box[3]) - 0.5 * self.instance_sz)
        return crop, crop_box, offset

    def __call__(self, data: TensorDict, rng: Optional[np.random.Generator] = None) -> TensorDict:
        rng = resolve_rng(rng)
        data = TensorDict(data)
        for s in ("train", "test"):
            if len(data[s + "_images"]) != 1:
                raise ValueError(f"SiamFCProcessing expects one {s} frame per sample, got "
                                 f"{len(data[s + '_images'])} (set num_{s}_frames=1 in the sampler)")
        self.apply_joint_transform(data, rng)
        z_crop, z_box = self._exemplar(data["train_images"][0], data["train_anno"][0])
        x_crop, x_box, offset = self._search(data["test_images"][0], data["test_anno"][0], rng)
        data["train_images"], data["train_anno"] = self.transform["train"](
            image=z_crop, bbox=z_box, rng=rng)
        data["test_images"], data["test_anno"] = self.transform["test"](
            image=x_crop, bbox=x_box, rng=rng)
        data["test_label"] = siamfc_labels(offset, self.score_sz, self.total_stride, self.radius)
        return data
