"""How a tracker's boxes are turned into per-frame measures and scores: the evaluation conventions.

Each convention is named and reproduces one reference exactly on the same result files:

``pytracking`` (default)
    The original framework's: +1-pixel IoU; a zero-size prediction is replaced by the previous
    one; frames with invalid ground truth (NaN, empty box, target not visible) are left out (or,
    with ``exclude_invalid_frames=False``, count as failures); frame 1 counts; mean over sequences.
``got10k-otb`` (alias ``got10k``)
    The got10k toolkit's ``ExperimentOTB.report``: continuous IoU; every frame counts, frame 1
    included; invalid ground truth is used as written (a NaN row is a failure, an empty box fails
    on IoU but its centre is still compared, visibility flags are ignored); mean over sequences.
``otb-2n``
    The ``got10k-otb`` rules on frames 2..N only (frame 1, the given box, is left out).
``got10k-val``
    The got10k toolkit's ``ExperimentGOT10k.report`` (AO, SR0.50, SR0.75): continuous IoU of
    boxes clipped to the image, frames 2..N where the target is visible (``cover.label`` > 0,
    else the visibility flags), pooled over all frames of all sequences and runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from pytracking.analysis.metrics import iou_continuous, iou_pixel
from pytracking.evaluation.data import valid_rows

#: How frames with invalid ground truth are treated.
INVALID_SETTING = "setting"   # excluded, or failures with exclude_invalid_frames=False
INVALID_AS_WRITTEN = "as-written"   # used as the numbers say (got10k ExperimentOTB)
INVALID_COVER = "cover"       # left out where the target is not visible (got10k ExperimentGOT10k)


@dataclass(frozen=True)
class Convention:
    name: str
    rule: str                           # one line for --help and the README
    iou: Callable[[np.ndarray, np.ndarray], np.ndarray]
    fill_zero_size: bool                # replace zero-size predictions by the previous one
    invalid_frames: str                 # INVALID_SETTING, INVALID_AS_WRITTEN or INVALID_COVER
    first_frame: bool = True            # frame 1 enters the evaluation
    clip_to_image: bool = False         # clip both boxes to the image first (ExperimentGOT10k)
    pool_frames: bool = False           # overall = over all frames (True) or mean of sequences
    main_metric: str = "AUC"            # the column tables are sorted by


CONVENTIONS: dict[str, Convention] = {
    "pytracking": Convention(
        "pytracking", "the original framework's: +1-pixel IoU, zero-size predictions repeat the previous box, "
        "invalid ground-truth frames left out, frames 1..N, mean over sequences",
        iou_pixel, fill_zero_size=True, invalid_frames=INVALID_SETTING),
    "got10k-otb": Convention(
        "got10k-otb", "got10k ExperimentOTB: continuous IoU, every frame 1..N counts, invalid ground truth "
        "used as written (NaN rows fail), mean over sequences",
        iou_continuous, fill_zero_size=False, invalid_frames=INVALID_AS_WRITTEN),
    "otb-2n": Convention(
        "otb-2n", "got10k-otb rules on frames 2..N (frame 1, the given box, left out)",
        iou_continuous, fill_zero_size=False, invalid_frames=INVALID_AS_WRITTEN, first_frame=False),
    "got10k-val": Convention(
        "got10k-val", "got10k ExperimentGOT10k: continuous IoU of boxes clipped to the image, frames 2..N "
        "with the target visible, pooled over all frames (AO, SR0.50, SR0.75)",
        iou_continuous, fill_zero_size=False, invalid_frames=INVALID_COVER, first_frame=False,
        clip_to_image=True, pool_frames=True, main_metric="AO"),
}

#: Other names accepted for a convention.
ALIASES = {"got10k": "got10k-otb"}


def get_convention(name: str) -> Convention:
    conv = CONVENTIONS.get(ALIASES.get(name, name))
    if conv is None:
        raise ValueError(f"Unknown evaluation convention '{name}'; choose one of "
                         f"{', '.join(list(CONVENTIONS) + list(ALIASES))}")
    return conv


def resolve_exclude_invalid(convention: Convention, exclude_invalid_frames: Optional[bool]) -> bool:
    """The invalid-frame setting to use: the given one for ``pytracking`` (default True). The
    toolkit conventions fix their own rule; giving the setting with them is an error."""
    if convention.invalid_frames == INVALID_SETTING:
        return True if exclude_invalid_frames is None else bool(exclude_invalid_frames)
    if exclude_invalid_frames is not None:
        raise ValueError(f"Convention '{convention.name}' fixes how invalid ground-truth frames count "
                         f"({convention.rule}); do not combine it with exclude_invalid_frames="
                         f"{exclude_invalid_frames} (--include-invalid-frames)")
    return False


def frame_masks(gt: np.ndarray, visible: Optional[np.ndarray], cover: Optional[np.ndarray],
                convention: Convention, exclude_invalid_frames: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of one sequence: ``used`` (enters the evaluation) and ``fail`` (counts as a
    failure whatever the prediction), following the convention's rule for invalid ground truth."""
    gt = np.asarray(gt, dtype=np.float64)
    finite = np.isfinite(gt).all(axis=1)
    if convention.invalid_frames == INVALID_SETTING:
        valid = valid_rows(gt, visible)
        used = valid.copy() if exclude_invalid_frames else np.ones(len(gt), dtype=bool)
        fail = ~valid
    elif convention.invalid_frames == INVALID_AS_WRITTEN:
        used = np.ones(len(gt), dtype=bool)
        fail = ~finite
    else:
        if cover is not None:
            used = np.asarray(cover) > 0
        elif visible is not None:
            used = np.asarray(visible, dtype=bool).copy()
        else:
            used = np.ones(len(gt), dtype=bool)
        fail = ~finite
    if not convention.first_frame:
        used[0] = False
    return used, fail
