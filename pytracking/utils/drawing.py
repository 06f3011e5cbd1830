"""Drawing boxes on frames for saved visualizations (no display needed)."""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np


def draw_box(image: np.ndarray, box: Sequence[float], color: tuple[int, int, int] = (0, 255, 0),
             thickness: int = 2) -> np.ndarray:
    """A copy of RGB ``image`` with the ``[x, y, w, h]`` box outlined (pixels x..x+w-1, y..y+h-1)."""
    out = np.ascontiguousarray(image.copy())
    x, y, w, h = (float(v) for v in box)
    if not np.isfinite([x, y, w, h]).all() or w <= 0 or h <= 0:
        return out
    top_left = (int(round(x)), int(round(y)))
    bottom_right = (int(round(x + w - 1)), int(round(y + h - 1)))
    cv2.rectangle(out, top_left, bottom_right, color, thickness)
    return out
