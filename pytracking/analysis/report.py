"""The result of an analysis: overall table, per-sequence table, CSV files and plots."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ltr.admin.atomic_file import atomic_open
from pytracking.analysis.conventions import get_convention
from pytracking.analysis.curves import TrackerCurves
from pytracking.analysis.metrics import (NORM_PRECISION_THRESHOLDS, PRECISION_THRESHOLDS, REPORT_INDEX,
                                         SUCCESS_THRESHOLDS)
from pytracking.analysis.plots import plot_curves
from pytracking.evaluation.datasets import describe_coverage

logger = logging.getLogger(__name__)

#: Indices of the success curve at IoU thresholds 0.5 and 0.75 (overlap precision OP50, OP75).
_OP50, _OP75 = 10, 15


@dataclass
class AnalysisResults:
    """Curves of several trackers on one dataset; ``sequence_mask`` marks the averaged sequences;
    ``coverage`` is ``dataset -> (sequences present, full benchmark size)`` for known benchmarks."""

    name: str
    sequence_names: list[str]
    trackers: list[TrackerCurves]
    sequence_mask: np.ndarray
    out_dir: Path
    convention: str
    exclude_invalid_frames: bool
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [t.spec.label for t in self.trackers]

    def _per_sequence(self, key: str) -> np.ndarray:
        """(T, S[, K]) run-averaged values."""
        return np.stack([getattr(t, key).mean(axis=0) for t in self.trackers])

    def _overall(self, key: str) -> np.ndarray:
        """(T[, K]) mean over the evaluated sequences: plain, or weighted by their evaluated frames
        where the convention pools all frames (GOT-10k)."""
        values = self._per_sequence(key)[:, self.sequence_mask]
        if not get_convention(self.convention).pool_frames:
            return values.mean(axis=1)
        frames = np.stack([t.num_frames.sum(axis=0) for t in self.trackers])[:, self.sequence_mask]
        weights = frames / frames.sum(axis=1, keepdims=True)
        if values.ndim == 3:
            weights = weights[:, :, None]
        return (values * weights).sum(axis=1)

    def curve(self, key: str) -> np.ndarray:
        """Overall (T, K) curve ``key`` in [0, 1]: 'success', 'precision' or 'norm_precision'."""
        return self._overall(key)

    def scores(self) -> dict[str, np.ndarray]:
        """Overall scores per tracker, in percent."""
        success = self.curve("success")
        return {
            "AUC": 100.0 * success.mean(axis=1),
            "OP50": 100.0 * success[:, _OP50],
            "OP75": 100.0 * success[:, _OP75],
            "Precision": 100.0 * self.curve("precision")[:, REPORT_INDEX],
            "Norm Precision": 100.0 * self.curve("norm_precision")[:, REPORT_INDEX],
            "AO": 100.0 * self._overall("avg_overlap"),
        }

    @property
    def main_metric(self) -> str:
        """The column tables are sorted by: AUC, or AO for the GOT-10k rules."""
        return get_convention(self.convention).main_metric

    def table(self) -> pd.DataFrame:
        """One row per tracker, best first by :attr:`main_metric`: AUC, OP50, OP75, Precision,
        Norm Precision, AO (percent), runs, sequences. Under the GOT-10k rules the columns are AO,
        SR0.50, SR0.75 first (SR = OP: the fraction of frames with IoU above the threshold)."""
        df = pd.DataFrame(self.scores(), index=pd.Index(self.labels, name="Tracker"))
        if self.main_metric == "AO":
            df = df.rename(columns={"OP50": "SR0.50", "OP75": "SR0.75"})
            df = df[["AO", "SR0.50", "SR0.75", "AUC", "Precision", "Norm Precision"]]
        df["Runs"] = [len(t.spec.run_ids) for t in self.trackers]
        df["Sequences"] = int(self.sequence_mask.sum())
        return df.sort_values(self.main_metric, ascending=False, kind="stable")

    def sequence_table(self) -> pd.DataFrame:
        """One row per (tracker, evaluated sequence) with run-averaged scores in percent."""
        success = self._per_sequence("success")
        prec = self._per_sequence("precision")
        nprec = self._per_sequence("norm_precision")
        ao = self._per_sequence("avg_overlap")
        frames = self._per_sequence("num_frames")
        rows = []
        for t, label in enumerate(self.labels):
            for s in np.flatnonzero(self.sequence_mask):
                rows.append({"Tracker": label, "Sequence": self.sequence_names[s],
                             "AUC": 100.0 * success[t, s].mean(), "Precision": 100.0 * prec[t, s, REPORT_INDEX],
                             "Norm Precision": 100.0 * nprec[t, s, REPORT_INDEX], "AO": 100.0 * ao[t, s],
                             "Frames": int(frames[t, s])})
        return pd.DataFrame(rows)

    def format_table(self) -> str:
        """The overall table as text, with the dataset name and sequence count."""
        with pd.option_context("display.float_format", "{:.2f}".format, "display.width", 200):
            partial = describe_coverage(self.coverage)
            partial = f"; {partial}" if partial else ""
            return (f"Report: {self.name} ({int(self.sequence_mask.sum())} sequences{partial}, convention "
                    f"'{self.convention}', sorted by {self.main_metric})\n{self.table().to_string()}")

    def save_csv(self, out_dir: Optional[Path] = None) -> list[Path]:
        """Write ``overall.csv`` and ``per_sequence.csv``."""
        out_dir = Path(out_dir) if out_dir is not None else self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        overall, per_seq = out_dir / "overall.csv", out_dir / "per_sequence.csv"
        with atomic_open(overall, "w") as f:
            self.table().to_csv(f, float_format="%.4f")
        with atomic_open(per_seq, "w") as f:
            self.sequence_table().to_csv(f, index=False, float_format="%.4f")
        return [overall, per_seq]

    def plot(self, out_dir: Optional[Path] = None, formats: Sequence[str] = ("png", "pdf"),
             plot_types: Sequence[str] = ("success", "precision", "norm_precision")) -> list[Path]:
        """Write the success / precision / normalized-precision plots; returns the files."""
        out_dir = Path(out_dir) if out_dir is not None else self.out_dir
        scores = self.scores()
        specs = {
            "success": (SUCCESS_THRESHOLDS, self.main_metric, "Overlap threshold", "Overlap Precision [%]",
                        f"Success plot ({self.name})", "lower left"),
            "precision": (PRECISION_THRESHOLDS, "Precision", "Location error threshold [pixels]",
                          "Distance Precision [%]", f"Precision plot ({self.name})", "lower right"),
            "norm_precision": (NORM_PRECISION_THRESHOLDS, "Norm Precision", "Location error threshold",
                               "Distance Precision [%]", f"Normalized precision plot ({self.name})",
                               "lower right"),
        }
        written = []
        for kind in plot_types:
            if kind not in specs:
                raise ValueError(f"Unknown plot type '{kind}'; choose from {', '.join(specs)}")
            x, score_name, xlabel, ylabel, title, loc = specs[kind]
            short = {"AUC": "AUC", "AO": "AO", "Precision": "Prec@20", "Norm Precision": "NPrec@0.2"}[score_name]
            written += plot_curves(x, self.curve(kind), self.labels, scores[score_name],
                                   out_dir / f"{kind}_plot", title, xlabel, ylabel, short, formats, loc)
        logger.info("Wrote %d plot files to %s", len(written), out_dir)
        return written
