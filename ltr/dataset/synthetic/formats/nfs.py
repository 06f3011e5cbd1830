"""Need for Speed (NfS) layout, 30 fps version.

    <out>/<seq>/30/<seq>/%05d.jpg   frames from 00001.jpg
    <out>/<seq>/30/<seq>.txt        one line per frame, space-separated, NfS style:
        track_id xmin ymin xmax ymax frame lost occluded generated "label"

track_id is 1; xmax = x + w and ymax = y + h (so w = xmax - xmin); frame is the 1-based index
of the image file; lost = 1 where the target is absent (fully out of view or fully occluded);
occluded = 1 where the occluder hides any part of the target; generated = 0; label = class name.
Coordinates are the generator's box (0 0 0 0 when the target is completely outside the image).
Names are capitalised class names with a number ("Triangle_1").
"""
from typing import Dict, List

import numpy as np

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, make_record, progress, sequence_seed, write_frames,
    write_lines,
)


def write(job: WriteJob) -> List[SequenceRecord]:
    counts: Dict[str, int] = {}
    records = []
    for i in progress(job, "nfs"):
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size)
        counts[sequence.class_name] = counts.get(sequence.class_name, 0) + 1
        name = f"{sequence.class_name.capitalize()}_{counts[sequence.class_name]}"
        base = job.tmp_root / name / "30"
        folder = base / name
        frame_names = write_frames(sequence.frames, folder, "%05d.jpg", 1, job.jpeg_quality)
        n = sequence.num_frames
        occluded = (sequence.target_masks & ~sequence.visible_masks).reshape(n, -1).any(axis=1)
        lines = []
        for t, (x, y, w, h) in enumerate(sequence.boxes.astype(np.int64)):
            lines.append(f"1 {x} {y} {x + w} {y + h} {t + 1} {int(not sequence.visible[t])} "
                         f"{int(occluded[t])} 0 \"{sequence.class_name}\"")
        annotation = base / f"{name}.txt"
        write_lines(annotation, lines)
        records.append(make_record(sequence, name, folder, job, frame_names, annotation, sequence.boxes,
                                   occluded=occluded))
    return records


SPEC = FormatSpec(name="nfs", defaults={}, unit=lambda options: "", write=write)
