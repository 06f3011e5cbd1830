"""Per-frame measures of tracker results against ground truth, following a :class:`Convention`.

Frames are classified into *used* frames (they enter the denominators of all curves) and, among
them, failures; which frames are used and which fail whatever the prediction is the convention's
rule (:func:`pytracking.analysis.conventions.frame_masks`). Padding frames (result too short)
always count as failures. A failure has IoU -1 (not
above any threshold, contributes 0 to the average overlap) and infinite centre errors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pytracking.analysis.conventions import Convention
from pytracking.analysis.metrics import center_error, normalized_center_error


class InvalidPredictionError(ValueError):
    """A result file contains NaN/infinite values or negative sizes."""


@dataclass
class FrameMeasures:
    iou: np.ndarray          # (N,) float, -1 for failures
    center: np.ndarray       # (N,) float, inf for failures
    norm_center: np.ndarray  # (N,) float, inf for failures
    used: np.ndarray         # (N,) bool: frame enters the evaluation


def _fill_zero_size(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Replace zero-size predictions by the last earlier prediction that was not replaced."""
    replace = (pred[:, 2:] == 0.0).any(axis=1) & ~np.isnan(gt).any(axis=1)
    replace[0] = False
    if not replace.any():
        return pred
    src = np.where(replace, 0, np.arange(len(pred)))
    np.maximum.accumulate(src, out=src)
    return pred[src]


def prepare_prediction(pred: np.ndarray, gt: np.ndarray, convention: Convention,
                       source: str = "result") -> tuple[np.ndarray, np.ndarray]:
    """The prediction aligned to the ground truth, and the mask of padded frames."""
    pred = np.asarray(pred, dtype=np.float64)
    if pred.ndim != 2 or pred.shape[1] != 4:
        raise InvalidPredictionError(f"{source}: expected N x 4 boxes, got shape {pred.shape}")
    if not (np.isfinite(pred).all() and (pred[:, 2:] >= 0).all()):
        bad = ~np.isfinite(pred).all(axis=1) | (pred[:, 2:] < 0).any(axis=1)
        row = int(np.flatnonzero(bad)[0])
        raise InvalidPredictionError(f"{source}: invalid box {pred[row].tolist()} on line {row + 1} "
                                     f"(NaN/inf or negative size)")
    n = len(gt)
    pred = pred[:n]
    if convention.fill_zero_size and len(pred) > 0 and (pred[:, 2:] == 0.0).any():
        pred = _fill_zero_size(pred, gt[:len(pred)])
    padded = np.arange(n) >= len(pred)
    if len(pred) == n:
        out = pred.copy()
    else:
        out = np.zeros((n, 4), dtype=np.float64)
        out[:len(pred)] = pred
    out[0] = gt[0]
    padded[0] = False
    return out, padded


def clip_to_image(boxes: np.ndarray, size: tuple[float, float]) -> np.ndarray:
    """Boxes clipped to an image of ``size`` (width, height) as the GOT-10k toolkit does: x, y into
    [0, W], [0, H], then w, h into [0, W - x], [0, H - y] (using the clipped x, y)."""
    out = np.array(boxes, dtype=np.float64)
    width, height = size
    out[:, 0] = np.clip(out[:, 0], 0, width)
    out[:, 1] = np.clip(out[:, 1], 0, height)
    out[:, 2] = np.clip(out[:, 2], 0, width - out[:, 0])
    out[:, 3] = np.clip(out[:, 3], 0, height - out[:, 1])
    return out


def frame_measures(aligned: np.ndarray, gt: np.ndarray, padded: np.ndarray, used: np.ndarray, fail: np.ndarray,
                   convention: Convention) -> FrameMeasures:
    """IoU, centre error and normalized centre error of aligned predictions (one sequence, or several
    concatenated: the measures are per frame); ``used`` and ``fail`` come from
    :func:`pytracking.analysis.conventions.frame_masks`. Frames whose measure is NaN fail."""
    # Column-major copies once: the metrics work on contiguous columns without further copies.
    aligned = np.asfortranarray(aligned, dtype=np.float64)
    gt = np.asfortranarray(gt, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = convention.iou(aligned, gt)
        ce = center_error(aligned, gt)
        nce = normalized_center_error(aligned, gt)
    fail = padded | fail
    iou[fail | np.isnan(iou)] = -1.0
    ce[fail | np.isnan(ce)] = np.inf
    nce[fail | np.isnan(nce)] = np.inf
    return FrameMeasures(iou, ce, nce, np.asarray(used, dtype=bool).copy())
