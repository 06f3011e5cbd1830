"""GOT-10k layout.

    <out>/<split>/list.txt                      one sequence name per line
    <out>/<split>/GOT-10k_<Split>_%06d/%08d.jpg  frames from 00000001.jpg
        groundtruth.txt   x,y,w,h per frame, 4 decimals (test split: first frame only)
        absence.label     1 where the target is absent (fully out of view or fully occluded)
        cover.label       visible-ratio bins 0..8 (see `cover_label`)
        cut_by_image.label 1 where part of the target lies outside the image
        meta_info.ini     [METAINFO] with fields in the real line order (object_class on line 5)

Box rows: the generator's box (bounding box of the whole silhouette inside the image, a fully
occluded target keeps its hidden box); frames where the target is completely outside the image
repeat the last box that had a silhouette inside the image, so every row has w, h > 0 as in the
real data. Readers should use absence.label / cover.label to know whether the target is visible.
The test split carries only groundtruth.txt with the first frame, like the real test set.
"""
from typing import List

import numpy as np

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines,
)

SPLITS = ("train", "val", "test")

#: Upper edges of cover bins 1..6; bin 7 is (0.9, 1), bin 8 exactly 1, bin 0 exactly 0.
COVER_EDGES = np.array([0.15, 0.30, 0.45, 0.60, 0.75, 0.90])


def cover_label(visible_ratio: np.ndarray) -> np.ndarray:
    """GOT-10k cover bins: 0 absent, 1 (0,15%], 2 (15,30], ..., 6 (75,90], 7 (90,100), 8 100%."""
    ratio = np.asarray(visible_ratio, dtype=np.float64)
    labels = np.searchsorted(COVER_EDGES, ratio, side="left") + 1
    labels[ratio <= 0.0] = 0
    labels[ratio >= 1.0] = 8
    return labels.astype(np.int64)


def fill_out_of_view(boxes: np.ndarray, out_of_view: np.ndarray) -> np.ndarray:
    """Replace rows of out-of-view frames with the last in-view row (the next one at the start)."""
    filled = boxes.copy()
    known = np.flatnonzero(~out_of_view)
    if known.size == 0:
        return filled
    for t in np.flatnonzero(out_of_view):
        before = known[known < t]
        filled[t] = boxes[before[-1]] if before.size else boxes[known[0]]
    return filled


def _meta_lines(sequence, seq_index: int, num_frames: int) -> List[str]:
    seconds = int(np.ceil(num_frames / 10.0))
    major = "round shape" if sequence.class_name == "ellipse" else "polygon"
    return [
        "[METAINFO]",
        f"url: synthetic://ltr.dataset.synthetic/seed/{sequence.seed}/{seq_index}",
        "begin: 00:00:00",
        f"end: {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}",
        "anno_fps: 10Hz",
        f"object_class: {sequence.class_name}",
        f"motion_class: {'rotating' if sequence.rotating else 'translating'}",
        f"major_class: {major}",
        "root_class: synthetic object",
        f"motion_adverb: {sequence.motion_adverb}",
        f"resolution: ({sequence.image_size[0]}, {sequence.image_size[1]})",
    ]


def write(job: WriteJob) -> List[SequenceRecord]:
    split = job.options["split"]
    prefix = f"GOT-10k_{split.capitalize()}_"
    names, records = [], []
    for i in progress(job, "got10k"):
        name = f"{prefix}{i + 1:06d}"
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size)
        folder = job.tmp_root / name
        frame_names = write_frames(sequence.frames, folder, "%08d.jpg", 1, job.jpeg_quality)
        rows = fill_out_of_view(sequence.boxes, sequence.out_of_view)
        absence = (~sequence.visible).astype(np.int64)
        cover = cover_label(sequence.visible_ratio)
        cut = sequence.cut_by_image.astype(np.int64)
        written = rows[:1] if split == "test" else rows
        write_lines(folder / "groundtruth.txt", box_rows(written, "{:.4f}"))
        if split != "test":
            write_lines(folder / "absence.label", [str(v) for v in absence])
            write_lines(folder / "cover.label", [str(v) for v in cover])
            write_lines(folder / "cut_by_image.label", [str(v) for v in cut])
            write_lines(folder / "meta_info.ini", _meta_lines(sequence, i, job.num_frames))
        names.append(name)
        records.append(make_record(sequence, name, folder, job, frame_names, folder / "groundtruth.txt", written,
                                   absence=absence, cover=cover, cut_by_image_label=cut))
    write_lines(job.tmp_root / "list.txt", names)
    return records


SPEC = FormatSpec(name="got10k", defaults={"split": "train"}, unit=lambda options: options["split"],
                  write=write, choices={"split": SPLITS})
