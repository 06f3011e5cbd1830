"""MS-COCO objects as a still-image dataset (one entry per non-crowd object)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import numpy as np
import torch

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.base_video_dataset import ImageLoader, box_validity
from ltr.dataset.coco_index import CocoIndex
from ltr.dataset.subset import fraction_subset


class MSCOCO(BaseImageDataset):
    """Every non-crowd COCO object is an image entry with its box, mask and category.

    Layout as for :class:`ltr.dataset.MSCOCOSeq`.
    """

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        data_fraction: Optional[float] = None,
        min_area: Optional[float] = None,
        split: str = "train",
        version: Optional[str] = None,
    ) -> None:
        index = CocoIndex(root, split, version, min_area)
        super().__init__("coco", index.root, image_loader)
        self.coco = index
        self.image_list = fraction_subset(list(range(len(index.annotations))), data_fraction)
        self.class_list = index.class_list
        self.im_per_class = index.entries_per_class(self.image_list)

    def has_class_info(self) -> bool:
        return True

    def has_segmentation_info(self) -> bool:
        return True

    def get_images_in_class(self, class_name: str) -> list[int]:
        return list(self.im_per_class.get(class_name, []))

    def _annotation(self, im_id: int) -> dict:
        return self.coco.annotations[self.image_list[im_id]]

    def get_image_info(self, im_id: int) -> dict:
        ann = self._annotation(im_id)
        bbox = torch.tensor(ann["bbox"], dtype=torch.float32)
        valid = box_validity(bbox.view(1, 4))[0]
        mask = torch.from_numpy(self.coco.mask(ann))
        return {"bbox": bbox, "mask": mask, "valid": valid, "visible": valid.clone()}

    def get_meta_info(self, im_id: int) -> OrderedDict:
        return self.coco.object_meta(self._annotation(im_id))

    def get_image(
        self, im_id: int, anno: Optional[dict] = None
    ) -> tuple[np.ndarray, dict, OrderedDict]:
        image = self.image_loader(self.coco.image_path(self._annotation(im_id)))
        if anno is None:
            anno = self.get_image_info(im_id)
        return image, anno, self.get_meta_info(im_id)
