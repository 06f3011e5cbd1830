"""Per-frame measures of tracker results against ground truth, following a :class:`Convention`.

Frames are classified into *used* frames (they enter the denominators of all curves) and, among
them, failures. A frame whose ground truth is invalid (NaN, zero or negative size, or
``target_visible`` False) is excluded from the evaluation when ``exclude_invalid_frames`` is
True (default: LaSOT's absent targets, UAV123's NaN rows); with False it stays and counts as a
failure. Padding frames (result too short) always count as failures. A failure has IoU -1 (not
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


def frame_measures(aligned: np.ndarray, gt: np.ndarray, padded: np.ndarray, valid: np.ndarray,
                   convention: Convention, exclude_invalid_frames: bool = True) -> FrameMeasures:
    """IoU, centre error, normalized centre error and the used-frame mask of aligned predictions
    (one sequence, or several concatenated: the measures are per frame)."""
    # Column-major copies once: the metrics work on contiguous columns without further copies.
    aligned = np.asfortranarray(aligned, dtype=np.float64)
    gt = np.asfortranarray(gt, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        iou = convention.iou(aligned, gt)
        ce = center_error(aligned, gt)
        nce = normalized_center_error(aligned, gt)
    fail = padded | ~valid
    iou[fail] = -1.0
    ce[fail] = np.inf
    nce[fail] = np.inf
    used = valid.copy() if exclude_invalid_frames else np.ones(len(gt), dtype=bool)
    return FrameMeasures(iou, ce, nce, used)
