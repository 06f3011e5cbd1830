"""OTB-100 (and any folder in its layout): ``<root>/<Name>/img/<number>.jpg`` + ``groundtruth_rect*.txt``.

The sequences are discovered from the folder. Irregularities of the benchmark are handled as follows:

* image numbering: the digit count and extension come from the files themselves (Board uses
  five digits), the first frame defaults to the lowest image number present;
* sequences whose ground truth does not start at the first image (David: frame 300) or that
  leave out early frames (Tiger1) come from :data:`OTB_FRAME_RANGES`, the frame ranges the
  benchmark publishes; a sequence whose ground truth is shorter than its image folder ends after
  its last annotated frame (Football1, Freeman3, Freeman4, Diving); elsewhere such shortening
  is logged as a warning;
* two targets: ``groundtruth_rect.1.txt`` / ``.2.txt`` give sequences ``<Name>-1`` / ``<Name>-2``
  (Jogging, Skating2); empty ground-truth files are ignored (Human4's ``.1``);
* ground-truth delimiters may be commas, tabs or spaces;
* attributes: an optional ``<Name>/attributes.txt`` (tags such as ``IV, SV, OCC``, separated by
  commas or whitespace). The official OTB download has no such file, so attribute filtering
  works only for folders that provide one.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameRange:
    """Frame numbers of a sequence's ground truth: first annotated frame, optional last frame,
    and the number of leading frames (and ground-truth rows) left out of the evaluation."""

    start: int
    end: Optional[int] = None
    omit: int = 0


#: Published frame ranges of OTB-100 sequences that do not simply run over their image folder.
OTB_FRAME_RANGES: dict[str, FrameRange] = {
    "David": FrameRange(300, 770),
    "Tiger1": FrameRange(6, 354, omit=5),
    "BlurCar1": FrameRange(247, 988),
    "BlurCar3": FrameRange(3, 359),
    "BlurCar4": FrameRange(18, 397),
    "Football1": FrameRange(1, 74),
    "Freeman3": FrameRange(1, 460),
    "Freeman4": FrameRange(1, 283),
    "Diving": FrameRange(1, 215),
}

_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp")
_GT_NAME = re.compile(r"^groundtruth_rect(?:\.(\d+))?\.txt$")


def image_index(img_dir: Path) -> dict[int, Path]:
    """Map frame number -> image path for the numbered images of a folder (any digit count)."""
    return {int(p.stem): p for p in img_dir.iterdir()
            if p.suffix.lower() in _IMAGE_EXTS and p.stem.isdigit()}


def warn_if_shortened(dataset: str, name: str, images: dict[int, Path], img_dir: Path, gt_path: Path,
                      start: int, end: int) -> None:
    """Log a warning when the image folder holds frames after the last annotated one (``end``)."""
    beyond = sum(1 for i in images if i > end)
    if beyond:
        logger.warning("%s sequence '%s': %d images in %s but %s has %d rows; the sequence is shortened to "
                       "its ground truth (frames %d..%d, %d images left out)", dataset, name, len(images),
                       img_dir, gt_path.name, end - start + 1, start, end, beyond)


def _read_attributes(seq_dir: Path) -> list[str]:
    path = seq_dir / "attributes.txt"
    if not path.is_file():
        return []
    return [t for t in re.split(r"[,\s]+", path.read_text()) if t]


class OTBDataset(BaseDataset):
    """OTB-100 from the ``otb_path`` setting (or ``root``)."""

    settings_field = "otb_path"
    name = "otb"

    def __init__(self, root=None, frame_ranges: Optional[dict[str, FrameRange]] = None) -> None:
        super().__init__(root)
        self.frame_ranges = OTB_FRAME_RANGES if frame_ranges is None else frame_ranges

    def get_sequence_list(self) -> SequenceList:
        root = self.root
        seqs = SequenceList()
        for seq_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if not (seq_dir / "img").is_dir():
                logger.debug("Skipping %s: no img/ folder", seq_dir)
                continue
            seqs.extend(self._sequences_in(seq_dir))
        if not seqs:
            raise self.layout_error("no sequence folders <Name>/img with groundtruth_rect*.txt found")
        return seqs

    def _gt_files(self, seq_dir: Path) -> list[tuple[Optional[int], Path]]:
        found = []
        for p in seq_dir.iterdir():
            m = _GT_NAME.match(p.name)
            if m and p.is_file():
                if not p.read_text().strip():
                    logger.info("Ignoring empty ground-truth file %s", p)
                    continue
                found.append((int(m.group(1)) if m.group(1) else None, p))
        return sorted(found, key=lambda t: -1 if t[0] is None else t[0])

    def _sequences_in(self, seq_dir: Path) -> list[Sequence]:
        gt_files = self._gt_files(seq_dir)
        if not gt_files:
            raise self.layout_error(f"no non-empty groundtruth_rect*.txt in {seq_dir}")
        images = image_index(seq_dir / "img")
        if not images:
            raise self.layout_error(f"no numbered images in {seq_dir / 'img'}")
        attributes = _read_attributes(seq_dir)
        out = []
        for target_id, gt_path in gt_files:
            name = seq_dir.name if len(gt_files) == 1 else f"{seq_dir.name}-{target_id}"
            gt = load_text(gt_path, ncols=4)
            rng = self.frame_ranges.get(name, self.frame_ranges.get(seq_dir.name))
            start = rng.start if rng is not None else min(images)
            end = rng.end if rng is not None and rng.end is not None else start + len(gt) - 1
            omit = rng.omit if rng is not None else 0
            if end - start + 1 != len(gt):
                raise self.layout_error(f"{gt_path} has {len(gt)} rows but sequence '{name}' spans frames "
                                        f"{start}..{end} ({end - start + 1} frames)")
            missing = [i for i in range(start, end + 1) if i not in images]
            if missing:
                raise self.layout_error(f"sequence '{name}' needs frames {start}..{end} but "
                                        f"{len(missing)} are missing in {seq_dir / 'img'} "
                                        f"(first missing: frame {missing[0]})")
            if rng is None or rng.end is None:
                warn_if_shortened(self.name, name, images, seq_dir / "img", gt_path, start, end)
            frames = [str(images[i]) for i in range(start + omit, end + 1)]
            out.append(Sequence(name, frames, self.name, gt[omit:], attributes=attributes))
        return out
