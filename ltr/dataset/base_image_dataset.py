"""Common interface of still-image datasets (one annotated object per entry)."""

from __future__ import annotations

import abc
from typing import Optional

import numpy as np

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import ImageLoader


class BaseImageDataset(abc.ABC):
    """A set of images, each entry one object with a box (and possibly class information)."""

    def __init__(
        self, name: str, root: str, image_loader: ImageLoader = default_image_loader
    ) -> None:
        self.name = name
        self.root = root
        self.image_loader = image_loader
        self.image_list: list = []
        self.class_list: list[str] = []

    def __len__(self) -> int:
        return self.get_num_images()

    def get_name(self) -> str:
        return self.name

    def get_num_images(self) -> int:
        return len(self.image_list)

    def has_class_info(self) -> bool:
        return False

    def has_segmentation_info(self) -> bool:
        return False

    def get_num_classes(self) -> int:
        return len(self.class_list)

    def get_class_list(self) -> list[str]:
        return list(self.class_list)

    def get_images_in_class(self, class_name: str) -> list[int]:
        raise ValueError(f"The {self.name} dataset has no class information")

    @abc.abstractmethod
    def get_image_info(self, im_id: int) -> dict:
        """{'bbox': (4,) float tensor, 'valid': bool tensor, 'visible': bool tensor, ...}."""

    @abc.abstractmethod
    def get_image(self, im_id: int, anno: Optional[dict] = None) -> tuple[np.ndarray, dict, dict]:
        """The image (RGB uint8), its annotation dict and the object meta."""
