"""LaSOT (https://cis.temple.edu/lasot/).

Layout: ``<root>/<class>/<class>-<n>/img/%08d.jpg`` from 00000001.jpg, ``groundtruth.txt``
(x,y,w,h per frame, 0,0,0,0 where the target is absent), ``full_occlusion.txt`` and
``out_of_view.txt`` (one line of comma-separated 0/1), ``nlp.txt``.

Splits (protocol II): ``'test'`` is the 280 sequences listed in ltr/data_specs/lasot_test_split.txt;
``'train'`` is the sequences in ltr/data_specs/lasot_train_split.txt when that file exists, else every
sequence under the root that is not in the test list; ``None`` is every sequence found.
``split_file`` replaces the list with a user file of sequence names.
"""

from __future__ import annotations

import os
import re
from typing import Optional, Sequence

from ltr.data.image_loader import default_image_loader
from ltr.dataset.annotation_io import read_boxes, read_flags
from ltr.dataset.base_video_dataset import (
    BaseVideoDataset,
    ImageLoader,
    empty_object_meta,
    make_sequence_info,
)
from ltr.dataset.errors import DatasetLayoutError, SplitFileError, require_dir
from ltr.dataset.split_files import read_name_list, resolve_split_file, spec_path
from ltr.dataset.subset import fraction_subset

TEST_SPLIT_FILE = "lasot_test_split.txt"
TRAIN_SPLIT_FILE = "lasot_train_split.txt"
_SEQ_NAME = re.compile(r"^(?P<cls>.+)-(?P<num>\d+)$")


def find_sequences(root: str) -> list[str]:
    """Every '<class>-<n>' folder inside a '<class>' folder, ordered by class, then n."""
    found = []
    for class_name in sorted(os.listdir(root)):
        class_dir = os.path.join(root, class_name)
        if not os.path.isdir(class_dir):
            continue
        for seq in os.listdir(class_dir):
            match = _SEQ_NAME.match(seq)
            if (
                match
                and match.group("cls") == class_name
                and os.path.isdir(os.path.join(class_dir, seq))
            ):
                found.append((class_name, int(match.group("num")), seq))
    return [seq for _, _, seq in sorted(found)]


def _shipped_names(split: str, file_name: str) -> list[str]:
    """The sequence names of a split file in ltr/data_specs/."""
    path = resolve_split_file(
        "LaSOT", split, file_name, None, "It should list one LaSOT sequence name per line."
    )
    return read_name_list(path)


class Lasot(BaseVideoDataset):
    """LaSOT: 70 classes x 20 sequences; one sequence per '<class>-<n>' folder."""

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        vid_ids: Optional[Sequence[int]] = None,
        split: Optional[str] = None,
        data_fraction: Optional[float] = None,
        split_file: Optional[str] = None,
    ) -> None:
        root = require_dir("LaSOT", root, "lasot_dir")
        super().__init__("lasot", root, image_loader)
        available = find_sequences(root)
        if not available:
            raise DatasetLayoutError(
                "LaSOT", root, "lasot_dir", "no '<class>/<class>-<n>' sequence folders were found"
            )
        sequences = self._select(available, split, vid_ids, split_file)
        self.sequence_list = fraction_subset(sequences, data_fraction)
        self.seq_per_class: dict[str, list[int]] = {}
        for i, seq in enumerate(self.sequence_list):
            self.seq_per_class.setdefault(self._class_of(seq), []).append(i)
        self.class_list = sorted(self.seq_per_class)

    def _select(self, available: list[str], split: Optional[str], vid_ids, split_file) -> list[str]:
        if vid_ids is not None:
            if split is not None or split_file is not None:
                raise ValueError("Lasot: give either vid_ids or split/split_file, not both")
            wanted = {int(v) for v in vid_ids}
            return [s for s in available if int(_SEQ_NAME.match(s).group("num")) in wanted]
        if split is None and split_file is None:
            return available
        if split not in (None, "train", "test"):
            raise ValueError(f"Lasot: unknown split '{split}'; choose 'train', 'test' or None")
        if split_file is not None:
            listed = read_name_list(resolve_split_file("LaSOT", str(split), "", split_file, ""))
        elif split == "test":
            listed = _shipped_names("test", TEST_SPLIT_FILE)
        elif spec_path(TRAIN_SPLIT_FILE).is_file():
            listed = _shipped_names("train", TRAIN_SPLIT_FILE)
        else:
            test = set(_shipped_names("test", TEST_SPLIT_FILE))
            return [s for s in available if s not in test]
        present = set(available)
        missing = [s for s in listed if s not in present]
        if missing:
            raise SplitFileError(
                f"LaSOT split '{split}': {len(missing)} of the {len(listed)} listed sequences are not "
                f"under '{self.root}' (first: {', '.join(missing[:5])}); check lasot_dir or the split file"
            )
        return listed

    @staticmethod
    def _class_of(seq_name: str) -> str:
        return _SEQ_NAME.match(seq_name).group("cls")

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def _sequence_path(self, seq_id: int) -> str:
        seq = self.sequence_list[seq_id]
        return os.path.join(self.root, self._class_of(seq), seq)

    def get_sequence_info(self, seq_id: int) -> dict:
        path = self._sequence_path(seq_id)
        bbox = read_boxes(os.path.join(path, "groundtruth.txt"))
        occlusion = read_flags(os.path.join(path, "full_occlusion.txt"), len(bbox))
        out_of_view = read_flags(os.path.join(path, "out_of_view.txt"), len(bbox))
        visible = (occlusion == 0) & (out_of_view == 0)
        return make_sequence_info(bbox, visible)

    def frame_path(self, seq_id: int, frame_id: int) -> str:
        return os.path.join(self._sequence_path(seq_id), "img", f"{frame_id + 1:08d}.jpg")

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        frames = [self.image_loader(self.frame_path(seq_id, f)) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        meta = empty_object_meta(self._class_of(self.sequence_list[seq_id]))
        return frames, self.select_frames_anno(anno, frame_ids), meta
