"""How a tracker's boxes are turned into per-frame measures: the evaluation conventions.

``pytracking`` (default; the original framework's convention)
    IoU with the +1-pixel convention; a prediction with zero width or height is replaced by the
    previous frame's prediction (only where the ground truth is not NaN), as the original framework
    does for trackers that report "lost" as an empty box.
``got10k`` (the GOT-10k toolkit's OTB experiment)
    IoU of continuous boxes, ``inter / (union + eps)`` clipped to [0, 1]; predictions are used
    as written.

Common to both (see :func:`pytracking.analysis.sequence_eval.frame_measures`): the first frame's
prediction is replaced by the ground truth; a result longer than the ground truth is truncated,
a shorter one padded with frames that count as failures (IoU 0 and infinite centre error);
success means IoU > threshold over 0, 0.05, ..., 1, precision means centre error <= threshold.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from pytracking.analysis.metrics import iou_continuous, iou_pixel


@dataclass(frozen=True)
class Convention:
    name: str
    iou: Callable[[np.ndarray, np.ndarray], np.ndarray]
    fill_zero_size: bool


CONVENTIONS = {
    "pytracking": Convention("pytracking", iou_pixel, fill_zero_size=True),
    "got10k": Convention("got10k", iou_continuous, fill_zero_size=False),
}


def get_convention(name: str) -> Convention:
    if name not in CONVENTIONS:
        raise ValueError(f"Unknown evaluation convention '{name}'; choose one of {', '.join(CONVENTIONS)}")
    return CONVENTIONS[name]
