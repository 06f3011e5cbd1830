"""TrackingNet (https://tracking-net.org/) training chunks.

Layout: ``<root>/TRAIN_<k>/anno/<video>.txt`` (x,y,w,h per frame) and
``<root>/TRAIN_<k>/frames/<video>/<i>.jpg`` from 0.jpg. A frame is visible when its box is finite
with positive size. ``set_ids`` picks chunks (default: every TRAIN_<k> folder present).
"""

from __future__ import annotations

import os
import re
from typing import Optional, Sequence

from ltr.data.image_loader import default_image_loader
from ltr.dataset.annotation_io import read_boxes
from ltr.dataset.base_video_dataset import (
    BaseVideoDataset,
    ImageLoader,
    empty_object_meta,
    make_sequence_info,
)
from ltr.dataset.errors import DatasetLayoutError, require_dir
from ltr.dataset.subset import fraction_subset

_CHUNK = re.compile(r"^TRAIN_(\d+)$")


class TrackingNet(BaseVideoDataset):
    """TrackingNet: sequences are (set_id, video name) pairs."""

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        set_ids: Optional[Sequence[int]] = None,
        data_fraction: Optional[float] = None,
    ) -> None:
        root = require_dir("TrackingNet", root, "trackingnet_dir")
        super().__init__("trackingnet", root, image_loader)
        present = sorted(int(m.group(1)) for m in map(_CHUNK.match, os.listdir(root)) if m)
        if set_ids is None:
            if not present:
                raise DatasetLayoutError(
                    "TrackingNet", root, "trackingnet_dir", "no TRAIN_<k> folders were found"
                )
            set_ids = present
        sequences = []
        for set_id in set_ids:
            anno_dir = os.path.join(root, f"TRAIN_{int(set_id)}", "anno")
            if not os.path.isdir(anno_dir):
                raise DatasetLayoutError(
                    "TrackingNet",
                    root,
                    "trackingnet_dir",
                    f"set {set_id} is missing (no folder {anno_dir})",
                )
            names = sorted(f[:-4] for f in os.listdir(anno_dir) if f.endswith(".txt"))
            sequences.extend((int(set_id), name) for name in names)
        if not sequences:
            raise DatasetLayoutError(
                "TrackingNet",
                root,
                "trackingnet_dir",
                f"the sets {list(set_ids)} hold no anno/<video>.txt files",
            )
        self.set_ids = [int(s) for s in set_ids]
        self.sequence_list = fraction_subset(sequences, data_fraction)

    def get_sequence_name(self, seq_id: int) -> str:
        set_id, name = self.sequence_list[seq_id]
        return f"TRAIN_{set_id}/{name}"

    def get_sequence_info(self, seq_id: int) -> dict:
        set_id, name = self.sequence_list[seq_id]
        bbox = read_boxes(os.path.join(self.root, f"TRAIN_{set_id}", "anno", f"{name}.txt"))
        return make_sequence_info(bbox)

    def frame_path(self, seq_id: int, frame_id: int) -> str:
        set_id, name = self.sequence_list[seq_id]
        return os.path.join(self.root, f"TRAIN_{set_id}", "frames", name, f"{frame_id}.jpg")

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        frames = [self.image_loader(self.frame_path(seq_id, f)) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        return frames, self.select_frames_anno(anno, frame_ids), empty_object_meta()
