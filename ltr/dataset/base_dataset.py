"""What the video and the still-image datasets share: name, root, image loader and classes."""

from __future__ import annotations

import abc
from typing import Callable

import numpy as np

from ltr.data.image_loader import default_image_loader

ImageLoader = Callable[[str], np.ndarray]


class BaseDataset(abc.ABC):
    """A dataset read from ``root`` with ``image_loader``; its entries (sequences or images) may
    have classes (``class_list``)."""

    def __init__(
        self, name: str, root: str, image_loader: ImageLoader = default_image_loader
    ) -> None:
        self.name = name
        self.root = root
        self.image_loader = image_loader
        self.class_list: list[str] = []

    def get_name(self) -> str:
        """Short identifier of the dataset (e.g. 'got10k')."""
        return self.name

    def get_num_classes(self) -> int:
        return len(self.class_list)

    def get_class_list(self) -> list[str]:
        return list(self.class_list)

    def has_class_info(self) -> bool:
        return False

    def _entries_in_class(self, per_class: dict[str, list[int]], class_name: str) -> list[int]:
        """The entries of ``class_name`` in ``per_class``; an error without class information."""
        if not self.has_class_info():
            raise ValueError(f"The {self.name} dataset has no class information")
        return list(per_class.get(class_name, []))

    def has_segmentation_info(self) -> bool:
        return False
