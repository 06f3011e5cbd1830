"""GOT-10k: ``<root>/<split>/list.txt`` and ``<root>/<split>/<seq>/%08d.jpg`` + ``groundtruth.txt``.

Splits: ``test`` (ground truth of the first frame only), ``val``, and ``ltrval`` — the part of
the train split that ltr holds out for validation, listed (as indices into ``train/list.txt``)
in ``ltr/data_specs/got10k_val_split.txt``. ``meta_info.ini`` (when present) gives the object
class and the image ``resolution``; ``absence.label`` (when present) gives ``target_visible`` and
``cover.label`` the visible-ratio classes (both used by the ``got10k-val`` analysis convention).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Optional

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
LTRVAL_SPLIT_FILE = REPO_ROOT / "ltr" / "data_specs" / "got10k_val_split.txt"

_CLASS_LINE = re.compile(r"^\s*object_class\s*:\s*(.+?)\s*$", re.MULTILINE)
_RESOLUTION_LINE = re.compile(r"^\s*resolution\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*$", re.MULTILINE)


def _meta(seq_dir: Path) -> tuple[Optional[str], Optional[tuple[int, int]]]:
    """Object class and ``(width, height)`` from ``meta_info.ini`` (None where absent)."""
    meta = seq_dir / "meta_info.ini"
    if not meta.is_file():
        return None, None
    text = meta.read_text(errors="replace")
    m = _CLASS_LINE.search(text)
    r = _RESOLUTION_LINE.search(text)
    return (m.group(1) if m else None), ((int(r.group(1)), int(r.group(2))) if r else None)


class GOT10kDataset(BaseDataset):
    """One GOT-10k split (``test``, ``val`` or ``ltrval``) from the ``got10k_path`` setting."""

    settings_field = "got10k_path"

    def __init__(self, split: str, root=None) -> None:
        if split not in ("test", "val", "ltrval"):
            raise ValueError(f"GOT-10k split must be 'test', 'val' or 'ltrval', got '{split}'")
        super().__init__(root)
        self.split = split
        self.name = "got10k"

    def _split_dir(self) -> Path:
        sub = "train" if self.split == "ltrval" else self.split
        return self.require_dir(self.root / sub, f"'{sub}' split folder")

    def _sequence_names(self, split_dir: Path) -> list[str]:
        list_file = self.require_file(split_dir / "list.txt", "sequence list")
        names = [line.strip() for line in list_file.read_text().splitlines() if line.strip()]
        if self.split != "ltrval":
            return names
        if not LTRVAL_SPLIT_FILE.is_file():
            raise FileNotFoundError(f"got10k_ltrval needs the split file {LTRVAL_SPLIT_FILE} "
                                    f"(indices into train/list.txt)")
        ids = [int(x) for x in LTRVAL_SPLIT_FILE.read_text().split()]
        bad = [i for i in ids if not 0 <= i < len(names)]
        if bad:
            raise self.layout_error(f"{LTRVAL_SPLIT_FILE} has indices outside train/list.txt "
                                    f"({len(names)} sequences): {bad[:5]}")
        return [names[i] for i in ids]

    def _construct(self, split_dir: Path, name: str) -> Sequence:
        seq_dir = self.require_dir(split_dir / name, f"sequence folder of '{name}'")
        gt = load_text(self.require_file(seq_dir / "groundtruth.txt", "ground truth"), ncols=4)
        frames = sorted(str(p) for p in seq_dir.glob("*.jpg"))
        if not frames:
            raise self.layout_error(f"no .jpg frames in {seq_dir}")
        if self.split != "test" and len(gt) != len(frames):
            logger.warning("GOT-10k sequence '%s': %d frames but %d ground-truth rows in %s", name, len(frames),
                           len(gt), seq_dir / "groundtruth.txt")
        visible = cover = None
        absence, cover_file = seq_dir / "absence.label", seq_dir / "cover.label"
        if absence.is_file() and len(gt) == len(frames):
            visible = ~load_text(absence).reshape(-1).astype(bool)
        if cover_file.is_file() and len(gt) == len(frames):
            cover = load_text(cover_file).reshape(-1)
        object_class, image_size = _meta(seq_dir)
        return Sequence(name, frames, self.name, gt, object_class=object_class, target_visible=visible,
                        cover=cover, image_size=image_size)

    def get_sequence_list(self) -> SequenceList:
        split_dir = self._split_dir()
        return SequenceList(self._construct(split_dir, n) for n in self._sequence_names(split_dir))
