"""Success, precision and normalized-precision curves of many (run, sequence) pairs at once.

The frames of all pairs are concatenated (one segment per pair); each curve point is a
thresholded count per segment divided by the segment's number of used frames.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pytracking.analysis.metrics import NORM_PRECISION_THRESHOLDS, PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS
from pytracking.analysis.sequence_eval import FrameMeasures
from pytracking.analysis.trackers import TrackerSpec


@dataclass
class Curves:
    """Per-segment curves; rows with no used frame are NaN."""

    success: np.ndarray         # (S, 21)
    precision: np.ndarray       # (S, 51)
    norm_precision: np.ndarray  # (S, 51)
    avg_overlap: np.ndarray     # (S,)
    num_frames: np.ndarray      # (S,) used frames


@dataclass
class TrackerCurves:
    """Curves of one tracker spec on a dataset: arrays indexed (run, sequence[, threshold])."""

    spec: TrackerSpec
    success: np.ndarray         # (R, S, 21)
    precision: np.ndarray       # (R, S, 51)
    norm_precision: np.ndarray  # (R, S, 51)
    avg_overlap: np.ndarray     # (R, S)
    num_frames: np.ndarray      # (R, S) evaluated frames
    present: np.ndarray         # (R, S) bool: the result file exists

    ARRAYS = ("success", "precision", "norm_precision", "avg_overlap", "num_frames", "present")

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in self.ARRAYS}


def count_below(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """For each value, the number of thresholds strictly below it (``searchsorted(side='left')``).

    ``thresholds`` must be a uniform grid starting at 0; a first guess from the grid step is
    corrected against the actual threshold values, so the comparisons are exact.
    """
    k = thresholds.size
    step = thresholds[1] - thresholds[0]
    padded = np.concatenate([[-np.inf], thresholds, [np.inf]])   # padded[c] = thresholds[c - 1]
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.clip(np.ceil(values / step), 0, k)
    count = guess.astype(np.int64)
    count -= (count > 0) & (padded[count] >= values)   # thresholds[count - 1] is not below: one fewer
    count += padded[count + 1] < values                 # thresholds[count] is below: one more
    return count


def _exceed_counts(values: np.ndarray, thresholds: np.ndarray, seg: np.ndarray, num_seg: int) -> np.ndarray:
    """Per segment, how many frames have ``value > t`` for each threshold t: (S, K)."""
    k = thresholds.size
    passed = count_below(values, thresholds)
    hist = np.bincount(seg * (k + 1) + passed, minlength=num_seg * (k + 1)).reshape(num_seg, k + 1)
    # frames with passed > j exceed threshold j
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]


def _within_counts(values: np.ndarray, thresholds: np.ndarray, seg: np.ndarray, num_seg: int) -> np.ndarray:
    """Per segment, how many frames have ``value <= t`` for each threshold t: (S, K)."""
    k = thresholds.size
    first = count_below(values, thresholds)   # index of the first threshold >= value (k: none)
    hist = np.bincount(seg * (k + 1) + first, minlength=num_seg * (k + 1)).reshape(num_seg, k + 1)
    return np.cumsum(hist, axis=1)[:, :k]


def compute_curves(measures: FrameMeasures, lengths: np.ndarray) -> Curves:
    """Curves of consecutive segments of ``measures`` (one per run/sequence pair, ``lengths`` frames each).

    Thresholded counts come from one histogram per segment of the index of each frame's value
    among the (sorted) thresholds, so the cost is linear in the number of frames.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    num_seg = len(lengths)
    if lengths.sum() != len(measures.iou):
        raise ValueError(f"segment lengths sum to {lengths.sum()} but there are {len(measures.iou)} frames")
    seg = np.repeat(np.arange(num_seg), lengths)
    used = measures.used
    # Frames not used are removed from numerators by turning them into failures (NaN too).
    iou = np.where(used & ~np.isnan(measures.iou), measures.iou, -1.0)
    ce = np.where(used & ~np.isnan(measures.center), measures.center, np.inf)
    nce = np.where(used & ~np.isnan(measures.norm_center), measures.norm_center, np.inf)
    denom = np.bincount(seg, weights=used, minlength=num_seg)
    denom_nan = np.where(denom > 0, denom, np.nan)[:, None]
    success = _exceed_counts(iou, SUCCESS_THRESHOLDS, seg, num_seg) / denom_nan
    precision = _within_counts(ce, PRECISION_THRESHOLDS, seg, num_seg) / denom_nan
    norm_precision = _within_counts(nce, NORM_PRECISION_THRESHOLDS, seg, num_seg) / denom_nan
    ao = np.bincount(seg, weights=np.maximum(iou, 0.0), minlength=num_seg) / denom_nan[:, 0]
    return Curves(success, precision, norm_precision, ao, denom)
