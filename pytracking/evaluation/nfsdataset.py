"""Need for Speed, 30 fps version, as the benchmark ships it: ``<root>/<seq>/30/<seq>/%05d.jpg``
with annotations ``<root>/<seq>/30/<seq>.txt``.

Annotation rows are ``track_id xmin ymin xmax ymax frame lost occluded generated "label"``,
converted to ``[x, y, w, h]`` with ``w = xmax - xmin``. Some 30 fps folders carry the 240 fps
annotation (eight times as many rows); it is then subsampled every eighth row. A remaining
difference of one row between images and annotation is resolved by truncating to the shorter.
"""
from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList


def read_nfs_annotation(path: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """Boxes ``[x, y, w, h]``, occlusion flags and the label of an NfS annotation file."""
    boxes, occluded, label = [], [], ""
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = shlex.split(line)
        if len(parts) < 8:
            raise ValueError(f"{path}, line {lineno}: expected at least 8 fields, got {line!r}")
        try:
            x1, y1, x2, y2 = (float(v) for v in parts[1:5])
            occluded.append(int(parts[7]) != 0)
        except ValueError as exc:
            raise ValueError(f"{path}, line {lineno}: {exc}") from exc
        boxes.append([x1, y1, x2 - x1, y2 - y1])
        label = parts[9] if len(parts) > 9 else label
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(occluded, dtype=bool), label


class NFSDataset(BaseDataset):
    """NfS (30 fps) from the ``nfs_path`` setting (or ``root``)."""

    settings_field = "nfs_path"
    name = "nfs"

    def _construct(self, seq_dir: Path) -> Sequence:
        name = seq_dir.name
        anno = self.require_file(seq_dir / "30" / f"{name}.txt", f"30 fps annotation of '{name}'")
        img_dir = self.require_dir(seq_dir / "30" / name, f"30 fps frames of '{name}'")
        frames = sorted(str(p) for p in img_dir.glob("*.jpg"))
        boxes, _, label = read_nfs_annotation(anno)
        if len(boxes) != len(frames) and abs(len(boxes) / max(len(frames), 1) - 8) < 1:
            boxes = boxes[::8]
        if abs(len(boxes) - len(frames)) == 1:
            n = min(len(boxes), len(frames))
            boxes, frames = boxes[:n], frames[:n]
        if len(boxes) != len(frames) or not frames:
            raise self.layout_error(f"'{name}': {len(frames)} frames in {img_dir} but {len(boxes)} rows in "
                                    f"{anno}")
        return Sequence(f"nfs_{name}", frames, self.name, boxes, object_class=label or None)

    def get_sequence_list(self) -> SequenceList:
        root = self.root
        seq_dirs = sorted(p for p in root.iterdir() if (p / "30").is_dir())
        if not seq_dirs:
            raise self.layout_error("no sequence folders <seq>/30/ found")
        return SequenceList(self._construct(d) for d in seq_dirs)
