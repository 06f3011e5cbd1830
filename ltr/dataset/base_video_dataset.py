"""Common interface of the video (and image-as-video) datasets used by the samplers."""

from __future__ import annotations

import abc
from collections import OrderedDict
from typing import Optional, Sequence

import torch

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_dataset import BaseDataset, ImageLoader


def box_validity(bbox: torch.Tensor) -> torch.Tensor:
    """True where a box [x, y, w, h] is finite and has positive width and height."""
    return torch.isfinite(bbox).all(dim=1) & (bbox[:, 2] > 0) & (bbox[:, 3] > 0)


def make_sequence_info(
    bbox: torch.Tensor, visible: Optional[torch.Tensor] = None, **extra: torch.Tensor
) -> dict:
    """Build the dict returned by ``get_sequence_info``.

    ``valid`` marks finite boxes with positive size; ``visible`` is the dataset's visibility flag
    (all True when None) and-ed with ``valid``, so a frame with a NaN/empty box is never visible.
    """
    bbox = bbox.float()
    valid = box_validity(bbox)
    if visible is None:
        visible = torch.ones_like(valid)
    visible = visible.bool() & valid
    info = {"bbox": bbox, "valid": valid, "visible": visible}
    info.update(extra)
    return info


def empty_object_meta(object_class_name: Optional[str] = None) -> OrderedDict:
    """Object meta information with the keys every dataset returns (unknown values are None)."""
    return OrderedDict(
        object_class_name=object_class_name,
        motion_class=None,
        major_class=None,
        root_class=None,
        motion_adverb=None,
    )


class BaseVideoDataset(BaseDataset):
    """A set of sequences, each with per-frame boxes and visibility, read from ``root``."""

    def __init__(
        self, name: str, root: str, image_loader: ImageLoader = default_image_loader
    ) -> None:
        super().__init__(name, root, image_loader)
        self.sequence_list: list = []
        self.seq_per_class: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return self.get_num_sequences()

    def is_video_sequence(self) -> bool:
        """True for real videos; False for still images served as one-frame sequences."""
        return True

    def is_synthetic_video_dataset(self) -> bool:
        return False

    def get_num_sequences(self) -> int:
        return len(self.sequence_list)

    def has_occlusion_info(self) -> bool:
        return False

    def get_sequences_in_class(self, class_name: str) -> list[int]:
        """Indices of the sequences whose object belongs to ``class_name``."""
        return self._entries_in_class(self.seq_per_class, class_name)

    def get_sequence_name(self, seq_id: int) -> str:
        return str(self.sequence_list[seq_id])

    @abc.abstractmethod
    def get_sequence_info(self, seq_id: int) -> dict:
        """Per-frame annotations: {'bbox': (N,4) float, 'valid': (N,) bool, 'visible': (N,) bool, ...}."""

    @abc.abstractmethod
    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        """Frames (RGB uint8 arrays), per-frame annotations {key: [value per frame]}, object meta."""

    @staticmethod
    def select_frames_anno(anno: dict, frame_ids: Sequence[int]) -> dict:
        """Pick the entries of every per-frame annotation for ``frame_ids``."""
        return {key: [value[f].clone() for f in frame_ids] for key, value in anno.items()}
