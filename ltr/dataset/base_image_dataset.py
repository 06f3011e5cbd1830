"""Common interface of still-image datasets (one annotated object per entry)."""

from __future__ import annotations

import abc
from typing import Optional

import numpy as np

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_dataset import BaseDataset, ImageLoader


class BaseImageDataset(BaseDataset):
    """A set of images, each entry one object with a box (and possibly class information)."""

    def __init__(
        self, name: str, root: str, image_loader: ImageLoader = default_image_loader
    ) -> None:
        super().__init__(name, root, image_loader)
        self.image_list: list = []
        self.im_per_class: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return self.get_num_images()

    def get_num_images(self) -> int:
        return len(self.image_list)

    def get_images_in_class(self, class_name: str) -> list[int]:
        """Indices of the images whose object belongs to ``class_name``."""
        return self._entries_in_class(self.im_per_class, class_name)

    @abc.abstractmethod
    def get_image_info(self, im_id: int) -> dict:
        """{'bbox': (4,) float tensor, 'valid': bool tensor, 'visible': bool tensor, ...}."""

    @abc.abstractmethod
    def get_image(self, im_id: int, anno: Optional[dict] = None) -> tuple[np.ndarray, dict, dict]:
        """The image (RGB uint8), its annotation dict and the object meta."""
