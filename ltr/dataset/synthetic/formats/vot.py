"""VOT (rectangle-polygon era) layout.

    <out>/list.txt                  one sequence name per line
    <out>/<seq>/color/%08d.jpg      frames from 00000001.jpg
    <out>/<seq>/groundtruth.txt     x1,y1,x2,y2,x3,y3,x4,y4 per frame (4 decimals)

Targets are rectangles (every other sequence, starting with the first, rotates); the polygon is
the exact outline of the target (corners in the pixel convention of geometry.py), also behind
the occluder. As in VOT short-term data, the target never leaves the image (no out-of-view event).
"""
from typing import List

import numpy as np

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines,
)


def write(job: WriteJob) -> List[SequenceRecord]:
    names, records = [], []
    for i in progress(job, "vot"):
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size,
                                     shape="rectangle", rotating=(i % 2 == 0), out_of_view=False)
        name = f"{sequence.texture_family}{i + 1}"
        folder = job.tmp_root / name
        frame_names = write_frames(sequence.frames, folder, "color/%08d.jpg", 1, job.jpeg_quality)
        rows = sequence.polygons.reshape(len(sequence.frames), 8)
        write_lines(folder / "groundtruth.txt", box_rows(rows, "{:.4f}"))
        names.append(name)
        records.append(make_record(sequence, name, folder, job, frame_names, folder / "groundtruth.txt",
                                   np.round(rows, 4)))
    write_lines(job.tmp_root / "list.txt", names)
    return records


SPEC = FormatSpec(name="vot", defaults={}, unit=lambda options: "", write=write)
