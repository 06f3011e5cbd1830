"""The crop geometry of the published SiamRPN trackers (pysot's ``SiamRPNTracker``, DaSiamRPN's
``SiamRPN_init`` / ``SiamRPN_track``), for reproducing their boxes with their weights.

Both work in pixel-index coordinates on the numbers they are given: pysot uses a benchmark's box
numbers as they are (centre ``x + w / 2``), DaSiamRPN first converts OTB's 1-based boxes to
0-based (centre ``x - 1 + w / 2``). With this framework's box centre ``x + w / 2``, the published
code's position is the centre minus :attr:`PublishedGeometry.offset` (0 for pysot, 1 for
DaSiamRPN); the centre is clamped to the image in those coordinates.

Exemplar side ``s_z = round(sqrt((w + p)(h + p)))``, ``p = context (w + h)``; search side
``round(s_x)`` with ``s_x = s_z' * instance / exemplar`` (pysot) or
``s_z' + 2 ((instance - exemplar) / 2) / scale_z`` (DaSiamRPN), ``s_z'`` unrounded and
``scale_z = exemplar / s_z'``. Crops: :func:`ltr.data.published_crops.crop_subwindow`.
"""
from __future__ import annotations

import numpy as np

from ltr.data.published_crops import (crop_subwindow, floor_half_up, round_half_away,
                                      round_half_even)


class PublishedGeometry:
    """Exemplar and search crops, and the clamping, of pysot ("pysot") or DaSiamRPN
    ("dasiamrpn", with Python 2's or 3's ``round``: ``round_half`` "away" / "even")."""

    def __init__(self, convention: str, round_half: str, context_amount: float,
                 exemplar_sz: int) -> None:
        if convention not in ("pysot", "dasiamrpn"):
            raise ValueError(f"PublishedGeometry: unknown convention {convention!r}")
        self.pysot = convention == "pysot"
        self.offset = 0.0 if self.pysot else 1.0
        if self.pysot:
            self.side_round, self.corner_round = round_half_even, floor_half_up
        else:
            rounding = round_half_away if round_half == "away" else round_half_even
            self.side_round = self.corner_round = rounding
        self.context = float(context_amount)
        self.exemplar_sz = int(exemplar_sz)
        self.avg_chans: np.ndarray | None = None

    def _context_side(self, size: np.ndarray) -> float:
        total = size[0] + size[1]
        if self.pysot:
            return np.sqrt((size[0] + self.context * total) * (size[1] + self.context * total))
        return np.sqrt((size[1] + self.context * total) * (size[0] + self.context * total))

    def exemplar(self, image: np.ndarray, center: np.ndarray, size: np.ndarray) -> np.ndarray:
        """The exemplar crop; remembers the frame's mean colour for all later crops."""
        self.avg_chans = np.mean(image, axis=(0, 1))
        s_z = self.side_round(self._context_side(size))
        return crop_subwindow(image, center - self.offset, self.exemplar_sz, s_z, self.avg_chans,
                              self.corner_round)

    def search(self, image: np.ndarray, center: np.ndarray, size: np.ndarray,
               instance_sz: int) -> tuple[np.ndarray, float]:
        """(search crop, crop pixels per image pixel ``scale_z``)."""
        s_z = self._context_side(size)
        scale_z = self.exemplar_sz / s_z
        if self.pysot:
            s_x = s_z * (instance_sz / self.exemplar_sz)
        else:
            s_x = s_z + 2 * (((instance_sz - self.exemplar_sz) / 2) / scale_z)
        crop = crop_subwindow(image, center - self.offset, instance_sz, self.side_round(s_x),
                              self.avg_chans, self.corner_round)
        return crop, scale_z

    def clamp(self, center: np.ndarray, size: np.ndarray, image_hw: tuple[int, int],
              min_size: float) -> tuple[np.ndarray, np.ndarray]:
        """Centre clamped to ``[0, width] x [0, height]`` (published coordinates), each side to
        ``[min_size, image side]``."""
        limit = np.array([float(image_hw[1]), float(image_hw[0])])
        position = np.minimum(np.maximum(center - self.offset, 0.0), limit)
        size = np.maximum(min_size, np.minimum(limit, size))
        return position + self.offset, size


def published_window(score_size: int, num_anchors: int) -> np.ndarray:
    """``outer(hanning(S), hanning(S))`` (zero at the border), flattened and tiled per anchor."""
    window = np.outer(np.hanning(score_size), np.hanning(score_size))
    return np.tile(window.flatten(), num_anchors)


def anchor_origin_shift(score_size: int, total_stride: int, anchor_origin: str) -> float:
    """Shift of the anchor grid from ``-(S // 2) * stride``: 0 for "floor", and
    ``(S // 2 - S / 2) * stride`` (-4 for an odd S and stride 8) for "true_division"."""
    if anchor_origin == "floor":
        return 0.0
    return (score_size // 2 - score_size / 2) * total_stride
