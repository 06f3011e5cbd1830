"""The cosine (Hann) window with which Siamese trackers penalise large displacements."""
from __future__ import annotations

import torch

from pytracking.libs.dcf import hann2d


def cosine_window(size: int | tuple[int, int], normalize: bool = True) -> torch.Tensor:
    """A centred ``H x W`` Hann window (``pytracking.libs.dcf.hann2d``), summing to 1 if
    ``normalize`` (so it can be blended with a score map that is normalized to sum 1)."""
    window = hann2d(size, centered=True)[0, 0]
    return window / window.sum() if normalize else window
