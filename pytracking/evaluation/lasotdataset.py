"""LaSOT test split: ``<root>/<class>/<class>-<n>/img/%08d.jpg`` with ``groundtruth.txt``,
``full_occlusion.txt`` and ``out_of_view.txt`` (one comma-separated 0/1 line each).

The split is read from ``<root>/testing_set.txt`` (one sequence name per line, as in the LaSOT
toolkit) when present; otherwise every sequence under the root is used, which is the test split
for the test-only download. ``target_visible`` is ``not full_occlusion and not out_of_view``.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text

logger = logging.getLogger(__name__)


class LaSOTDataset(BaseDataset):
    """LaSOT test split from the ``lasot_path`` setting (or ``root``)."""

    settings_field = "lasot_path"
    name = "lasot"

    def _sequence_names(self, root: Path) -> list[str]:
        split_file = root / "testing_set.txt"
        if split_file.is_file():
            return [line.strip() for line in split_file.read_text().splitlines() if line.strip()]
        names = sorted(s.name for c in root.iterdir() if c.is_dir()
                       for s in c.iterdir() if s.is_dir() and s.name.startswith(c.name + "-"))
        if not names:
            raise self.layout_error("no sequence folders <class>/<class>-<n> and no testing_set.txt")
        logger.info("LaSOT: no testing_set.txt in %s, using all %d sequences found", root, len(names))
        return names

    def _flags(self, path: Path) -> np.ndarray:
        self.require_file(path, "flag file")
        return load_text(path).reshape(-1).astype(bool)

    def _construct(self, root: Path, name: str) -> Sequence:
        class_name = name.rsplit("-", 1)[0]
        seq_dir = self.require_dir(root / class_name / name, f"sequence folder of '{name}'")
        gt_path = self.require_file(seq_dir / "groundtruth.txt", "ground truth")
        gt = load_text(gt_path, ncols=4)
        occluded = self._flags(seq_dir / "full_occlusion.txt")
        out_of_view = self._flags(seq_dir / "out_of_view.txt")
        if not (len(occluded) == len(out_of_view) == len(gt)):
            raise self.layout_error(f"'{name}': {len(gt)} ground-truth rows, {len(occluded)} occlusion and "
                                    f"{len(out_of_view)} out-of-view flags")
        frames = [str(seq_dir / "img" / f"{i:08d}.jpg") for i in range(1, len(gt) + 1)]
        self.require_file(Path(frames[0]), f"first image of '{name}'")
        return Sequence(name, frames, self.name, gt, object_class=class_name,
                        target_visible=~occluded & ~out_of_view)

    def get_sequence_list(self) -> SequenceList:
        root = self.root
        return SequenceList(self._construct(root, n) for n in self._sequence_names(root))
