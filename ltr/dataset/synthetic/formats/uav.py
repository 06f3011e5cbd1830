"""UAV123 layout.

    <out>/data_seq/UAV123/<seq>/%06d.jpg   frames from 000001.jpg
    <out>/anno/UAV123/<seq>.txt            x,y,w,h integers per frame; NaN,NaN,NaN,NaN where the
                                           target is absent (fully out of view or fully occluded)

Names are lowercase class names with a number, like UAV123's "car1" ("triangle1", "ellipse2").
"""
from typing import Dict, List

import numpy as np

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines,
)


def write(job: WriteJob) -> List[SequenceRecord]:
    counts: Dict[str, int] = {}
    records = []
    for i in progress(job, "uav"):
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size)
        counts[sequence.class_name] = counts.get(sequence.class_name, 0) + 1
        name = f"{sequence.class_name}{counts[sequence.class_name]}"
        folder = job.tmp_root / "data_seq" / "UAV123" / name
        frame_names = write_frames(sequence.frames, folder, "%06d.jpg", 1, job.jpeg_quality)
        rows = sequence.boxes.copy()
        rows[~sequence.visible] = np.nan
        integer_rows = box_rows(np.nan_to_num(rows), "{:d}")
        lines = ["NaN,NaN,NaN,NaN" if np.isnan(row[0]) else line for row, line in zip(rows, integer_rows)]
        annotation = job.tmp_root / "anno" / "UAV123" / f"{name}.txt"
        write_lines(annotation, lines)
        records.append(make_record(sequence, name, folder, job, frame_names, annotation, rows))
    return records


SPEC = FormatSpec(name="uav", defaults={}, unit=lambda options: "", write=write)
