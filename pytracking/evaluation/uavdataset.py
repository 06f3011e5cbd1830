"""UAV123: ``<root>/anno/UAV123/<seq>.txt`` (comma-separated, ``NaN`` rows where the target is
absent) and ``<root>/data_seq/UAV123/<folder>/%06d.jpg``.

Several sequences share one image folder (bird1_1, bird1_2, ...); their folder and frame range
come from ``uav123_sequences.tsv`` (the benchmark's published ranges). A sequence not listed
there uses the folder of its own name, starting at its lowest image number (a warning is logged
when the folder holds more images than the annotation has rows). NaN rows stay NaN:
the analysis treats them as frames without ground truth.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.evaluation.otbdataset import image_index, warn_if_shortened
from pytracking.utils.load_text import load_text

SEQUENCE_TABLE = Path(__file__).with_name("uav123_sequences.tsv")


def load_sequence_table(path: Path = SEQUENCE_TABLE) -> dict[str, tuple[str, int, int]]:
    """name -> (image folder, first frame, last frame)."""
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path}, line {lineno}: expected 4 tab-separated fields, got {line!r}")
        table[parts[0]] = (parts[1], int(parts[2]), int(parts[3]))
    return table


class UAVDataset(BaseDataset):
    """UAV123 from the ``uav_path`` setting (or ``root``)."""

    settings_field = "uav_path"
    name = "uav"

    def __init__(self, root=None, table: Optional[dict[str, tuple[str, int, int]]] = None) -> None:
        super().__init__(root)
        self.table = load_sequence_table() if table is None else table

    def _construct(self, root: Path, anno: Path) -> Sequence:
        name = anno.stem
        gt = load_text(anno, ncols=4)
        folder, start, end = self.table.get(name, (name, None, None))
        img_dir = self.require_dir(root / "data_seq" / "UAV123" / folder, f"image folder of '{name}'")
        images = image_index(img_dir)
        if start is None:
            if not images:
                raise self.layout_error(f"no numbered images in {img_dir}")
            start, end = min(images), min(images) + len(gt) - 1
            warn_if_shortened(self.name, name, images, img_dir, anno, start, end)
        if end - start + 1 != len(gt):
            raise self.layout_error(f"{anno} has {len(gt)} rows but '{name}' spans frames {start}..{end}")
        missing = [i for i in range(start, end + 1) if i not in images]
        if missing:
            raise self.layout_error(f"'{name}' needs frames {start}..{end}; frame {missing[0]} missing in "
                                    f"{img_dir}")
        frames = [str(images[i]) for i in range(start, end + 1)]
        return Sequence(name, frames, self.name, gt)

    def get_sequence_list(self) -> SequenceList:
        root = self.root
        anno_dir = self.require_dir(root / "anno" / "UAV123", "annotation folder")
        annos = sorted(anno_dir.glob("*.txt"))
        if not annos:
            raise self.layout_error(f"no annotation files in {anno_dir}")
        return SequenceList(self._construct(root, a) for a in annos)
