"""TrackingNet layout.

    <out>/TRAIN_<k>/anno/<name>.txt         x,y,w,h floats per frame (4 decimals)
    <out>/TRAIN_<k>/frames/<name>/<i>.jpg   frames from 0.jpg, no zero padding

Sequence i goes to chunk TRAIN_<i % num_sets>. Names look like TrackingNet's YouTube-based names
(11 characters of [A-Za-z0-9_-], an underscore and a number). Frames where the target is not
visible carry 0,0,0,0 (readers derive visibility from w, h > 0).
"""
import string
from typing import List

import numpy as np

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines, zero_absent,
)

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def video_name(seed: int, index: int) -> str:
    """Deterministic YouTube-like name of sequence `index`."""
    rng = np.random.default_rng(sequence_seed(seed, index) ^ 0x5EED)
    video_id = "".join(_ID_ALPHABET[k] for k in rng.integers(len(_ID_ALPHABET), size=11))
    return f"{video_id}_{index}"


def write(job: WriteJob) -> List[SequenceRecord]:
    num_sets = job.options["num_sets"]
    if not isinstance(num_sets, int) or num_sets < 1:
        raise ValueError(f"trackingnet option num_sets must be a positive integer, got {num_sets!r}")
    for k in range(num_sets):
        (job.tmp_root / f"TRAIN_{k}" / "anno").mkdir(parents=True, exist_ok=True)
        (job.tmp_root / f"TRAIN_{k}" / "frames").mkdir(parents=True, exist_ok=True)
    records = []
    for i in progress(job, "trackingnet"):
        chunk = job.tmp_root / f"TRAIN_{i % num_sets}"
        name = video_name(job.seed, i)
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size)
        folder = chunk / "frames" / name
        frame_names = write_frames(sequence.frames, folder, "%d.jpg", 0, job.jpeg_quality)
        rows = zero_absent(sequence)
        annotation = chunk / "anno" / f"{name}.txt"
        write_lines(annotation, box_rows(rows, "{:.4f}"))
        records.append(make_record(sequence, name, folder, job, frame_names, annotation, rows,
                                   set_id=i % num_sets))
    return records


SPEC = FormatSpec(name="trackingnet", defaults={"num_sets": 2}, unit=lambda options: "", write=write)
