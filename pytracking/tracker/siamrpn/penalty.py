"""SiamRPN's penalties on the proposals of a frame: change of scale and of aspect ratio.

For a box of size (w, h) the scale is ``sz(w, h) = sqrt((w + p) (h + p))`` with
``p = (w + h) / 2``; with ``change(r) = max(r, 1 / r)``, a proposal of size (w, h) against the
previous target size (tw, th) (both in search-crop pixels) gets
``sc = change(sz(w, h) / sz(tw, th))``, ``rc = change((tw / th) / (w / h))`` and the penalty
``exp(-(rc * sc - 1) * penalty_k)``, which is 1 for an unchanged box and falls with any change.
"""
from __future__ import annotations

import numpy as np


def change(ratio: np.ndarray) -> np.ndarray:
    """``max(r, 1 / r)``: how far a positive ratio is from 1, symmetric in r and 1 / r."""
    ratio = np.asarray(ratio, dtype=np.float64)
    return np.maximum(ratio, 1.0 / ratio)


def padded_scale(w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``sqrt((w + p) (h + p))`` with ``p = (w + h) / 2``."""
    w, h = np.asarray(w, dtype=np.float64), np.asarray(h, dtype=np.float64)
    p = 0.5 * (w + h)
    return np.sqrt((w + p) * (h + p))


def scale_aspect_penalty(sizes: np.ndarray, target_size: np.ndarray, penalty_k: float) -> np.ndarray:
    """Penalty of every proposal size (``A x 2`` (w, h)) against ``target_size`` (w, h)."""
    sizes = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    tw, th = (float(v) for v in np.asarray(target_size, dtype=np.float64).reshape(2))
    if tw <= 0 or th <= 0 or (sizes <= 0).any():
        raise ValueError(f"scale_aspect_penalty: sizes must be positive (target {tw} x {th})")
    sc = change(padded_scale(sizes[:, 0], sizes[:, 1]) / padded_scale(tw, th))
    rc = change((tw / th) / (sizes[:, 0] / sizes[:, 1]))
    return np.exp(-(rc * sc - 1.0) * penalty_k)
