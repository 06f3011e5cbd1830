"""Pieces shared by the format writers: the write job, truth records, JPEG and text output."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import cv2
import numpy as np
from tqdm import tqdm

from ..scene import SyntheticSequence


@dataclass
class WriteJob:
    """Everything a format writer needs. Files go under `tmp_root`; `final_root` is where that
    folder will be renamed to once everything is written (used for the paths in the records)."""

    tmp_root: Path
    final_root: Path
    num_sequences: int
    num_frames: int
    seed: int
    image_size: Tuple[int, int]
    jpeg_quality: int
    options: Dict[str, Any]


@dataclass
class SequenceRecord:
    """Truth of one written sequence. `boxes` and the flags are the generator's ground truth
    (see scene.py); `written_boxes` are the rows exactly as the annotation file stores them."""

    name: str
    class_name: str
    seed: int
    sequence_dir: Path
    frame_paths: List[Path]
    annotation_path: Path
    boxes: np.ndarray
    written_boxes: np.ndarray
    visible: np.ndarray
    visible_ratio: np.ndarray
    out_of_view: np.ndarray
    full_occlusion: np.ndarray
    cut_by_image: np.ndarray
    description: str
    polygons: Optional[np.ndarray] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FormatSpec:
    """A dataset layout: its option defaults, the folder it owns below the output folder (the
    unit that is written atomically and refused when non-empty) and its writer."""

    name: str
    defaults: Mapping[str, Any]
    unit: Callable[[Mapping[str, Any]], str]
    write: Callable[[WriteJob], list]
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)


def progress(job: WriteJob, fmt: str) -> Iterable[int]:
    """Indices 0..num_sequences-1 with a progress bar on interactive terminals."""
    return tqdm(range(job.num_sequences), desc=f"writing {fmt}", unit="seq", disable=None, leave=False)


def sequence_seed(seed: int, index: int) -> int:
    """Seed of sequence/image `index` of a dataset generated with `seed` (independent streams)."""
    return int(np.random.SeedSequence(entropy=int(seed), spawn_key=(int(index),)).generate_state(1)[0])


def write_jpeg(path: Path, image: np.ndarray, quality: int) -> None:
    """Write an RGB uint8 image as JPEG (OpenCV expects BGR)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise OSError(f"OpenCV could not write the JPEG file {path}")


def write_frames(frames: Iterable[np.ndarray], folder: Path, pattern: str, first_index: int, quality: int) -> List[str]:
    """Write frames as folder/(pattern % index), indices from first_index; returns the file names."""
    names = []
    for k, frame in enumerate(frames):
        name = pattern % (first_index + k)
        write_jpeg(folder / name, frame, quality)
        names.append(name)
    return names


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write text lines, each terminated by a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")


def box_rows(boxes: np.ndarray, fmt: str) -> List[str]:
    """Comma-separated rows of a (N, K) array, each value formatted with `fmt` (e.g. '{:.4f}', '{:d}')."""
    if fmt == "{:d}":
        return [",".join(str(int(round(v))) for v in row) for row in boxes]
    return [",".join(fmt.format(float(v)) for v in row) for row in boxes]


def zero_absent(sequence: SyntheticSequence) -> np.ndarray:
    """Boxes with [0, 0, 0, 0] wherever the target is not visible (LaSOT/TrackingNet convention)."""
    boxes = sequence.boxes.copy()
    boxes[~sequence.visible] = 0.0
    return boxes


def make_record(sequence: SyntheticSequence, name: str, sequence_dir_tmp: Path, job: WriteJob,
                frame_names: List[str], annotation_tmp: Path, written_boxes: np.ndarray,
                class_name: Optional[str] = None, **extra: Any) -> SequenceRecord:
    """Record of a sequence written under job.tmp_root, with paths translated to job.final_root."""
    final_dir = job.final_root / sequence_dir_tmp.relative_to(job.tmp_root)
    return SequenceRecord(
        name=name,
        class_name=class_name or sequence.class_name,
        seed=sequence.seed,
        sequence_dir=final_dir,
        frame_paths=[final_dir / f for f in frame_names],
        annotation_path=job.final_root / annotation_tmp.relative_to(job.tmp_root),
        boxes=sequence.boxes.copy(),
        written_boxes=np.asarray(written_boxes, dtype=np.float64),
        visible=sequence.visible.copy(),
        visible_ratio=sequence.visible_ratio.copy(),
        out_of_view=sequence.out_of_view.copy(),
        full_occlusion=sequence.full_occlusion.copy(),
        cut_by_image=sequence.cut_by_image.copy(),
        description=sequence.description,
        polygons=None if sequence.polygons is None else sequence.polygons.copy(),
        extra=dict(extra),
    )
