"""OTB layout.

    <out>/<Name>/img/%04d.jpg       frames from 0001.jpg
    <out>/<Name>/groundtruth_rect.txt  x,y,w,h integers per frame, comma-separated

Names are capitalised words from the target's look (e.g. "CheckeredTriangle"); repeated names
get a number ("CheckeredTriangle2"), as OTB does with "Car1", "Car2". Rows: the generator's box;
0,0,0,0 where the target is completely outside the image (a fully occluded target keeps its
hidden box, as OTB annotators mark an occluded target's estimated position).
"""
from typing import Dict, List

from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines,
)


def write(job: WriteJob) -> List[SequenceRecord]:
    counts: Dict[str, int] = {}
    records = []
    for i in progress(job, "otb"):
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size)
        stem = sequence.texture_family.capitalize() + sequence.class_name.capitalize()
        counts[stem] = counts.get(stem, 0) + 1
        name = stem if counts[stem] == 1 else f"{stem}{counts[stem]}"
        folder = job.tmp_root / name
        frame_names = write_frames(sequence.frames, folder, "img/%04d.jpg", 1, job.jpeg_quality)
        rows = sequence.boxes.copy()
        rows[sequence.out_of_view] = 0.0
        write_lines(folder / "groundtruth_rect.txt", box_rows(rows, "{:d}"))
        records.append(make_record(sequence, name, folder, job, frame_names, folder / "groundtruth_rect.txt", rows))
    return records


SPEC = FormatSpec(name="otb", defaults={}, unit=lambda options: "", write=write)
