"""MS-COCO objects as a still-image dataset (one entry per non-crowd object)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import numpy as np
import torch

from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.base_video_dataset import box_validity
from ltr.dataset.coco_objects import CocoObjects


class MSCOCO(CocoObjects, BaseImageDataset):
    """Every non-crowd COCO object is an image entry with its box, mask and category.

    Layout and arguments: see :class:`~ltr.dataset.coco_objects.CocoObjects`.
    """

    def _use_objects(self, objects: list[int], per_class: dict[str, list[int]]) -> None:
        self.image_list, self.im_per_class = objects, per_class

    def get_image_info(self, im_id: int) -> dict:
        ann = self._annotation(im_id)
        bbox = torch.tensor(ann["bbox"], dtype=torch.float32)
        valid = box_validity(bbox.view(1, 4))[0]
        mask = torch.from_numpy(self.coco.mask(ann))
        return {"bbox": bbox, "mask": mask, "valid": valid, "visible": valid.clone()}

    def get_image(
        self, im_id: int, anno: Optional[dict] = None
    ) -> tuple[np.ndarray, dict, OrderedDict]:
        image = self.image_loader(self.coco.image_path(self._annotation(im_id)))
        if anno is None:
            anno = self.get_image_info(im_id)
        return image, anno, self.get_meta_info(im_id)
