"""LaSOT layout.

    <out>/<class>/<class>-<n>/img/%08d.jpg   frames from 00000001.jpg, n from 1
        groundtruth.txt     x,y,w,h integers per frame; 0,0,0,0 where the target is absent
        full_occlusion.txt  one line, comma-separated 0/1 per frame
        out_of_view.txt     one line, comma-separated 0/1 per frame
        nlp.txt             one sentence describing the target

Classes are shape kinds (geometry.SHAPES, in order); `sequences_per_class` sequences are made per
class, so the default 4 sequences give 2 classes with 2 sequences each. "Absent" means not
visible: fully out of view or fully occluded.
"""
from typing import List

from ..geometry import SHAPES
from ..scene import generate_sequence
from .common import (
    FormatSpec, SequenceRecord, WriteJob, box_rows, make_record, progress, sequence_seed,
    write_frames, write_lines, zero_absent,
)


def write(job: WriteJob) -> List[SequenceRecord]:
    per_class = job.options["sequences_per_class"]
    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"lasot option sequences_per_class must be a positive integer, got {per_class!r}")
    num_classes = -(-job.num_sequences // per_class)
    if num_classes > len(SHAPES):
        raise ValueError(f"lasot: {job.num_sequences} sequences with sequences_per_class={per_class} need "
                         f"{num_classes} classes, but only {len(SHAPES)} exist ({', '.join(SHAPES)}); "
                         f"raise sequences_per_class")
    records = []
    for i in progress(job, "lasot"):
        class_name = SHAPES[i // per_class]
        name = f"{class_name}-{i % per_class + 1}"
        sequence = generate_sequence(sequence_seed(job.seed, i), job.num_frames, job.image_size, shape=class_name)
        folder = job.tmp_root / class_name / name
        frame_names = write_frames(sequence.frames, folder, "img/%08d.jpg", 1, job.jpeg_quality)
        rows = zero_absent(sequence)
        write_lines(folder / "groundtruth.txt", box_rows(rows, "{:d}"))
        write_lines(folder / "full_occlusion.txt", [",".join(str(int(v)) for v in sequence.full_occlusion)])
        write_lines(folder / "out_of_view.txt", [",".join(str(int(v)) for v in sequence.out_of_view)])
        write_lines(folder / "nlp.txt", [sequence.description])
        records.append(make_record(sequence, name, folder, job, frame_names, folder / "groundtruth.txt", rows))
    return records


SPEC = FormatSpec(name="lasot", defaults={"sequences_per_class": 2}, unit=lambda options: "", write=write)
