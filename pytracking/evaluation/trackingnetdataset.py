"""TrackingNet: ``<root>/<SET>/frames/<seq>/<i>.jpg`` (0-based, no zero padding) and
``<root>/<SET>/anno/<seq>.txt`` (comma-separated; the TEST set gives the first frame only)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence as Seq

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text


class TrackingNetDataset(BaseDataset):
    """TrackingNet sets (default: ``TEST``) from the ``trackingnet_path`` setting (or ``root``)."""

    settings_field = "trackingnet_path"
    name = "trackingnet"

    def __init__(self, root=None, sets: Seq[str] = ("TEST",)) -> None:
        super().__init__(root)
        self.sets = tuple(sets)

    def _construct(self, set_dir: Path, name: str) -> Sequence:
        gt = load_text(set_dir / "anno" / f"{name}.txt", ncols=4)
        frame_dir = self.require_dir(set_dir / "frames" / name, f"frames of '{name}'")
        numbered = [p for p in frame_dir.glob("*.jpg") if p.stem.isdigit()]
        frames = [str(p) for p in sorted(numbered, key=lambda p: int(p.stem))]
        if not frames:
            raise self.layout_error(f"no numbered .jpg frames in {frame_dir}")
        return Sequence(name, frames, self.name, gt)

    def get_sequence_list(self) -> SequenceList:
        seqs = SequenceList()
        for set_name in self.sets:
            set_dir = self.require_dir(self.root / set_name, f"set folder '{set_name}'")
            anno_dir = self.require_dir(set_dir / "anno", f"annotation folder of '{set_name}'")
            for anno in sorted(anno_dir.glob("*.txt")):
                seqs.append(self._construct(set_dir, anno.stem))
        return seqs
