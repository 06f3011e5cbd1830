"""VOT (short-term, as shipped by the VOT toolkit): ``<root>/list.txt`` and
``<root>/<seq>/color/%08d.jpg`` (older editions: ``<root>/<seq>/%08d.jpg``) with
``groundtruth.txt`` rows of either four values (x,y,w,h) or eight (polygon corners).

Polygons become the axis-aligned rectangle that encloses them:
``[min x, min y, max x - min x, max y - min y]``; the first frame's polygon is also given to the
trackers (``init_info()['init_polygon']``), which may convert it their own way
(ATOM's ``vot_anno_conversion_type``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text


def polygons_to_rects(gt: np.ndarray) -> np.ndarray:
    """N x 8 polygons (or N x 4 rectangles, returned unchanged) to N x 4 ``[x, y, w, h]``."""
    gt = np.asarray(gt, dtype=np.float64)
    if gt.shape[1] == 4:
        return gt
    if gt.shape[1] != 8:
        raise ValueError(f"VOT ground truth must have 4 or 8 values per row, got {gt.shape[1]}")
    xs, ys = gt[:, 0::2], gt[:, 1::2]
    x1, y1 = xs.min(axis=1), ys.min(axis=1)
    return np.stack([x1, y1, xs.max(axis=1) - x1, ys.max(axis=1) - y1], axis=1)


class VOTDataset(BaseDataset):
    """VOT from the ``vot_path`` setting (or ``root``)."""

    settings_field = "vot_path"
    name = "vot"

    def _construct(self, root: Path, name: str) -> Sequence:
        seq_dir = self.require_dir(root / name, f"sequence folder of '{name}'")
        raw = np.asarray(load_text(self.require_file(seq_dir / "groundtruth.txt", "ground truth")), dtype=np.float64)
        raw = raw.reshape(1, -1) if raw.ndim == 1 else raw
        gt = polygons_to_rects(raw)
        img_dir = seq_dir / "color" if (seq_dir / "color").is_dir() else seq_dir
        frames = sorted(str(p) for p in img_dir.glob("*.jpg") if p.stem.isdigit())
        if len(frames) < len(gt):
            raise self.layout_error(f"'{name}': {len(gt)} ground-truth rows but {len(frames)} frames in "
                                    f"{img_dir}")
        return Sequence(name, frames[:len(gt)], self.name, gt,
                        init_polygon=raw[0] if raw.shape[1] == 8 else None)

    def get_sequence_list(self) -> SequenceList:
        root = self.root
        list_file = self.require_file(root / "list.txt", "sequence list")
        names = [line.strip() for line in list_file.read_text().splitlines() if line.strip()]
        return SequenceList(self._construct(root, n) for n in names)
