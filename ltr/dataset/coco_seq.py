"""MS-COCO objects served as one-frame sequences (still images for the tracking samplers)."""

from __future__ import annotations

from typing import Optional, Sequence

import torch

from ltr.dataset.base_video_dataset import BaseVideoDataset, make_sequence_info
from ltr.dataset.coco_objects import CocoObjects


class MSCOCOSeq(CocoObjects, BaseVideoDataset):
    """Every non-crowd COCO object is a sequence of one frame (``is_video_sequence()`` is False).

    Layout and arguments: see :class:`~ltr.dataset.coco_objects.CocoObjects`.
    """

    def _use_objects(self, objects: list[int], per_class: dict[str, list[int]]) -> None:
        self.sequence_list, self.seq_per_class = objects, per_class

    def is_video_sequence(self) -> bool:
        return False

    def get_sequence_name(self, seq_id: int) -> str:
        ann = self._annotation(seq_id)
        return f"annotation {ann.get('id')} of image {ann['image_id']}"

    def get_sequence_info(self, seq_id: int) -> dict:
        ann = self._annotation(seq_id)
        bbox = torch.tensor(ann["bbox"], dtype=torch.float32).view(1, 4)
        mask = torch.from_numpy(self.coco.mask(ann)).unsqueeze(0)
        return make_sequence_info(bbox, mask=mask)

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
