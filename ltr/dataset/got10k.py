"""GOT-10k (http://got-10k.aitestunion.com/): the train (or val) folder with list.txt.

Layout: ``<root>/list.txt`` (sequence folder names), ``<root>/<seq>/%08d.jpg`` from 00000001.jpg,
``groundtruth.txt`` (x,y,w,h per frame), ``absence.label``, ``cover.label`` (0..8 visible-ratio bins),
``cut_by_image.label`` and ``meta_info.ini``.

Splits (pytracking conventions; the official GOT-10k val/test folders are used with ``split=None``):
``None`` every sequence of list.txt; ``'train'``/``'val'`` a partition of the official train set,
``'vottrain'``/``'votval'`` the same without the sequences that overlap VOT. Each split is an index
file in ltr/data_specs/ (0-based indices into list.txt); ``split_file`` overrides it and ``seq_ids``
selects indices directly.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Optional, Sequence

import torch

from ltr.data.image_loader import default_image_loader
from ltr.dataset.annotation_io import read_boxes, read_flags
from ltr.dataset.base_video_dataset import (
    BaseVideoDataset,
    ImageLoader,
    empty_object_meta,
    make_sequence_info,
)
from ltr.dataset.errors import AnnotationError, DatasetLayoutError, require_dir
from ltr.dataset.split_files import read_index_list, resolve_split_file
from ltr.dataset.subset import fraction_subset

SPLIT_FILES = {
    "train": "got10k_train_split.txt",
    "val": "got10k_val_split.txt",
    "vottrain": "got10k_vot_train_split.txt",
    "votval": "got10k_vot_val_split.txt",
}

_META_KEYS = {
    "object_class": "object_class_name",
    "motion_class": "motion_class",
    "major_class": "major_class",
    "root_class": "root_class",
    "motion_adverb": "motion_adverb",
}


def read_meta_info(path: str) -> OrderedDict:
    """Object meta from a meta_info.ini ('key: value' lines); missing file or keys give None."""
    meta = empty_object_meta()
    if not os.path.isfile(path):
        return meta
    with open(path) as f:
        for line in f:
            key, sep, value = line.partition(":")
            if sep and key.strip() in _META_KEYS:
                meta[_META_KEYS[key.strip()]] = value.strip()
    return meta


class Got10k(BaseVideoDataset):
    """GOT-10k training data: one sequence per folder listed in list.txt."""

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        split: Optional[str] = None,
        seq_ids: Optional[Sequence[int]] = None,
        data_fraction: Optional[float] = None,
        split_file: Optional[str] = None,
    ) -> None:
        root = require_dir("GOT-10k", root, "got10k_dir")
        super().__init__("got10k", root, image_loader)
        all_sequences = self._read_list(root)
        if split is not None and seq_ids is not None:
            raise ValueError("Got10k: give either split or seq_ids, not both")
        if split is not None:
            if split not in SPLIT_FILES:
                raise ValueError(
                    f"Got10k: unknown split '{split}'; choose one of "
                    f"{sorted(SPLIT_FILES)} or None (all sequences of list.txt)"
                )
            path = resolve_split_file(
                "GOT-10k",
                split,
                SPLIT_FILES[split],
                split_file,
                "Copy it from the ltr/data_specs/ folder of the original pytracking project, or "
                "write your own list of 0-based indices into list.txt.",
            )
            seq_ids = read_index_list(path, len(all_sequences))
        elif split_file is not None:
            raise ValueError("Got10k: split_file needs a split name (e.g. split='vottrain')")
        if seq_ids is None:
            seq_ids = list(range(len(all_sequences)))
        for i in seq_ids:
            if not 0 <= int(i) < len(all_sequences):
                raise ValueError(
                    f"Got10k: sequence index {i} is outside the {len(all_sequences)} "
                    f"sequences of {os.path.join(root, 'list.txt')}"
                )
        self.sequence_list = [all_sequences[int(i)] for i in seq_ids]
        self.sequence_list = fraction_subset(self.sequence_list, data_fraction)
        self.sequence_meta_info = [
            read_meta_info(os.path.join(root, s, "meta_info.ini")) for s in self.sequence_list
        ]
        self.seq_per_class = self._build_class_index()
        self.class_list = sorted(self.seq_per_class)

    @staticmethod
    def _read_list(root: str) -> list[str]:
        list_file = os.path.join(root, "list.txt")
        if not os.path.isfile(list_file):
            raise DatasetLayoutError(
                "GOT-10k",
                root,
                "got10k_dir",
                "there is no list.txt (expected the GOT-10k train folder that "
                "holds list.txt and the GOT-10k_Train_* sequence folders)",
            )
        with open(list_file) as f:
            names = [line.strip() for line in f if line.strip()]
        if not names:
            raise DatasetLayoutError("GOT-10k", root, "got10k_dir", "list.txt is empty")
        return names

    def _build_class_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, meta in enumerate(self.sequence_meta_info):
            if meta["object_class_name"] is not None:
                index.setdefault(meta["object_class_name"], []).append(i)
        return index

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def _sequence_path(self, seq_id: int) -> str:
        return os.path.join(self.root, self.sequence_list[seq_id])

    def get_sequence_info(self, seq_id: int) -> dict:
        path = self._sequence_path(seq_id)
        bbox = read_boxes(os.path.join(path, "groundtruth.txt"))
        absence_file = os.path.join(path, "absence.label")
        cover_file = os.path.join(path, "cover.label")
        if os.path.isfile(absence_file) and os.path.isfile(cover_file):
            absence = read_flags(absence_file, len(bbox))
            cover = read_flags(cover_file, len(bbox))
            if ((cover < 0) | (cover > 8)).any():
                raise AnnotationError(f"Annotation file '{cover_file}' has values outside 0..8")
            visible = (absence == 0) & (cover > 0)
            visible_ratio = cover.float() / 8
        else:
            visible, visible_ratio = None, torch.ones(len(bbox))
        return make_sequence_info(bbox, visible, visible_ratio=visible_ratio)

    def frame_path(self, seq_id: int, frame_id: int) -> str:
        return os.path.join(self._sequence_path(seq_id), f"{frame_id + 1:08d}.jpg")

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        frames = [self.image_loader(self.frame_path(seq_id, f)) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        return (
            frames,
            self.select_frames_anno(anno, frame_ids),
            self.sequence_meta_info[seq_id].copy(),
        )
