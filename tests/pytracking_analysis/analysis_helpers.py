"""Hand-made sequences and result files shared by the analysis tests."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence as Seq

import numpy as np

from pytracking.evaluation.data import Sequence
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result

#: AUC (%) of a perfect tracker: IoU 1 > t for the 20 thresholds below 1, not at t = 1.
PERFECT_AUC = 100 * 20 / 21


def constant_gt(n: int, box: Seq[float] = (0.0, 0.0, 10.0, 10.0)) -> np.ndarray:
    """``n`` rows of the same ``[x, y, w, h]`` box."""
    return np.tile(np.asarray(box, dtype=float), (n, 1))


def make_sequence(name: str, gt, visible: Optional[Seq[bool]] = None, dataset: str = "toy") -> Sequence:
    """A sequence ``name`` with ground truth ``gt`` (frame paths are never read)."""
    gt = np.asarray(gt, dtype=float)
    return Sequence(name, [f"{name}/{i:04d}.jpg" for i in range(len(gt))], dataset, gt, target_visible=visible)


def write_result(results_path: Path, tracker: str, param: str, run_id: Optional[int], seq_name: str,
                 boxes) -> None:
    """Write ``boxes`` as the result of ``tracker``/``param`` (run ``run_id``) on ``seq_name``."""
    write_sequence_result(tracker_results_dir(tracker, param, run_id, results_path), seq_name, np.asarray(boxes, float))
