"""MS-COCO objects served as one-frame sequences (still images for the tracking samplers)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional, Sequence

import torch

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import BaseVideoDataset, ImageLoader, make_sequence_info
from ltr.dataset.coco_index import CocoIndex
from ltr.dataset.subset import fraction_subset


class MSCOCOSeq(BaseVideoDataset):
    """Every non-crowd COCO object is a sequence of one frame (``is_video_sequence()`` is False).

    Layout: ``<root>/annotations/instances_<split><version>.json`` and ``<root>/<split><version>/``.
    ``version`` is '2014' or '2017'; None picks whichever is present (2017 first).
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
        self.sequence_list = fraction_subset(list(range(len(index.annotations))), data_fraction)
        self.class_list = index.class_list
        self.seq_per_class = index.entries_per_class(self.sequence_list)

    def is_video_sequence(self) -> bool:
        return False

    def has_class_info(self) -> bool:
        return True

    def has_segmentation_info(self) -> bool:
        return True

    def get_sequences_in_class(self, class_name: str) -> list[int]:
        return list(self.seq_per_class.get(class_name, []))

    def _annotation(self, seq_id: int) -> dict:
        return self.coco.annotations[self.sequence_list[seq_id]]

    def get_sequence_name(self, seq_id: int) -> str:
        ann = self._annotation(seq_id)
        return f"annotation {ann.get('id')} of image {ann['image_id']}"

    def get_sequence_info(self, seq_id: int) -> dict:
        ann = self._annotation(seq_id)
        bbox = torch.tensor(ann["bbox"], dtype=torch.float32).view(1, 4)
        mask = torch.from_numpy(self.coco.mask(ann)).unsqueeze(0)
        return make_sequence_info(bbox, mask=mask)

    def get_meta_info(self, seq_id: int) -> OrderedDict:
        return self.coco.object_meta(self._annotation(seq_id))

    def frame_path(self, seq_id: int, frame_id: int = 0) -> str:
        return self.coco.image_path(self._annotation(seq_id))

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        """The single image, repeated once per requested frame id (every id means frame 0)."""
        frame = self.image_loader(self.frame_path(seq_id))
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        frames = [frame.copy() for _ in frame_ids]
        anno_frames = self.select_frames_anno(anno, [0] * len(frame_ids))
        return frames, anno_frames, self.get_meta_info(seq_id)
