"""Evaluate trackers on a dataset: load results, compute (or reuse cached) curves, aggregate.

Aggregation: for each tracker, the curves of each sequence are averaged over its runs; the
overall curves are the mean over sequences (pooled over frames under the ``got10k-val`` rules).
Only sequences that every tracker (every run) has results for and that have at least one
evaluated frame are averaged, so trackers are compared on the same sequences. AUC is the mean of
the success curve (thresholds 0, 0.05, ..., 1), precision is read at 20 px, normalized precision
at 0.2; all scores are reported in percent.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence as Seq, Union

import numpy as np
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from ltr.admin.atomic_file import remove_orphans
from pytracking.analysis.cache import file_stamp, fingerprint, load_entry, save_entry
from pytracking.analysis.conventions import (INVALID_COVER, Convention, frame_masks, get_convention,
                                             resolve_exclude_invalid)
from pytracking.analysis.curves import TrackerCurves, compute_curves
from pytracking.analysis.report import AnalysisResults
from pytracking.analysis.sequence_eval import clip_to_image, frame_measures, prepare_prediction
from pytracking.analysis.trackers import TrackerSpec, parse_tracker_spec
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.datasets import benchmark_coverage, get_dataset
from pytracking.evaluation.environment import env_settings
from pytracking.evaluation.results import PathLike, ResultFileError, read_boxes, result_file
from pytracking.utils.image_io import image_size

logger = logging.getLogger(__name__)

#: Part of every cache fingerprint: changes when a convention's rules change.
RULES_VERSION = "rules-2"


def _as_specs(trackers: Iterable[Union[TrackerSpec, str]]) -> list[TrackerSpec]:
    specs = [t if isinstance(t, TrackerSpec) else parse_tracker_spec(t) for t in trackers]
    if not specs:
        raise ValueError("No trackers given")
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"Tracker labels must be unique, got {labels}; give display names "
                         f"(name:param:runs=LABEL on the command line)")
    return specs


@dataclass
class GroundTruth:
    """What the convention needs of each sequence: boxes, used/failed frame masks, image size."""

    names: list[str]
    boxes: list[np.ndarray]
    used: list[np.ndarray]
    fail: list[np.ndarray]
    image_sizes: list[Optional[tuple[int, int]]]

    @classmethod
    def from_sequences(cls, sequences: Seq[Sequence], convention: Convention,
                       exclude_invalid_frames: bool) -> "GroundTruth":
        out = cls([], [], [], [], [])
        for seq in sequences:
            gt = seq.ground_truth_rect
            if len(gt) < len(seq.frames):
                raise ValueError(f"Sequence '{seq.name}' ({seq.dataset}) has ground truth for "
                                 f"{len(gt)} of {len(seq.frames)} frames only; it cannot be "
                                 f"evaluated locally (pack the results for the benchmark server instead)")
            used, fail = frame_masks(gt, seq.target_visible, seq.cover, convention, exclude_invalid_frames)
            if convention.invalid_frames == INVALID_COVER and (used & fail).any():
                row = int(np.flatnonzero(used & fail)[0]) + 1
                raise ValueError(f"Sequence '{seq.name}' ({seq.dataset}): ground-truth row {row} is not finite "
                                 f"but the target is marked visible; convention '{convention.name}' (like the "
                                 f"got10k toolkit, whose AO would be NaN) cannot evaluate it")
            size = None
            if convention.clip_to_image:
                size = seq.image_size or image_size(seq.frames[0])
            out.names.append(seq.name)
            out.boxes.append(gt)
            out.used.append(used)
            out.fail.append(fail)
            out.image_sizes.append(size)
        return out

    def fingerprint(self) -> str:
        sizes = [f"{s[0]}x{s[1]}" if s else "-" for s in self.image_sizes]
        return fingerprint(self.names + sizes, self.boxes + self.used + self.fail)


def load_predictions(spec: TrackerSpec, names: list[str], results_path: Optional[PathLike] = None
                     ) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray]]:
    """Presence mask (R, S) and the boxes of every existing (run, sequence) result file."""
    run_dirs = spec.run_dirs(results_path)
    present = np.zeros((len(run_dirs), len(names)), dtype=bool)
    boxes = {}
    for r, run_dir in enumerate(run_dirs):
        for s, name in enumerate(names):
            path = result_file(run_dir, name)
            if path.is_file():
                present[r, s] = True
                boxes[(r, s)] = read_boxes(path)
    return present, boxes


def curves_from_predictions(spec: TrackerSpec, present: np.ndarray, boxes: dict[tuple[int, int], np.ndarray],
                            truth: GroundTruth, convention: str,
                            results_path: Optional[PathLike] = None) -> TrackerCurves:
    """Curves of loaded predictions (``results_path`` only names files in error messages)."""
    conv = get_convention(convention)
    run_dirs = spec.run_dirs(results_path)
    R, S = present.shape
    keys = list(zip(*np.nonzero(present)))
    aligned = [prepare_prediction(boxes[(r, s)], truth.boxes[s], conv,
                                  source=str(result_file(run_dirs[r], truth.names[s])))
               for r, s in keys]
    gts = [truth.boxes[s] for _, s in keys]
    if conv.clip_to_image:
        aligned = [(clip_to_image(a, truth.image_sizes[s]), p) for (a, p), (_, s) in zip(aligned, keys)]
        gts = [clip_to_image(g, truth.image_sizes[s]) for g, (_, s) in zip(gts, keys)]
    lengths = np.array([len(g) for g in gts], dtype=np.int64)
    boxes4, flags = [np.zeros((0, 4))], [np.zeros(0, dtype=bool)]   # keep concatenation defined when empty
    measures = frame_measures(np.concatenate(boxes4 + [a for a, _ in aligned]), np.concatenate(boxes4 + gts),
                              np.concatenate(flags + [p for _, p in aligned]),
                              np.concatenate(flags + [truth.used[s] for _, s in keys]),
                              np.concatenate(flags + [truth.fail[s] for _, s in keys]), conv)
    curves = compute_curves(measures, lengths)
    out = {"success": np.full((R, S, 21), np.nan), "precision": np.full((R, S, 51), np.nan),
           "norm_precision": np.full((R, S, 51), np.nan), "avg_overlap": np.full((R, S), np.nan),
           "num_frames": np.zeros((R, S))}
    for key in out:
        out[key][present] = getattr(curves, key)
    return TrackerCurves(spec, present=present, **out)


def _compute(spec: TrackerSpec, truth: GroundTruth, convention: str,
             results_path: Optional[PathLike]) -> TrackerCurves:
    present, boxes = load_predictions(spec, truth.names, results_path)
    return curves_from_predictions(spec, present, boxes, truth, convention, results_path)


def tracker_curves(spec: TrackerSpec, sequences: Seq[Sequence], convention: str = "pytracking",
                   exclude_invalid_frames: Optional[bool] = None, results_path: Optional[PathLike] = None,
                   cache_dir: Optional[PathLike] = None, truth: Optional[GroundTruth] = None) -> TrackerCurves:
    """Curves of one tracker spec on ``sequences`` (from the cache when its inputs are unchanged)."""
    conv = get_convention(convention)
    exclude = resolve_exclude_invalid(conv, exclude_invalid_frames)
    if truth is None:
        truth = GroundTruth.from_sequences(sequences, conv, exclude)
    if cache_dir is None:
        return _compute(spec, truth, conv.name, results_path)
    stamps = [file_stamp(result_file(d, n)) for d in spec.run_dirs(results_path) for n in truth.names]
    fp = fingerprint([truth.fingerprint(), conv.name, RULES_VERSION, str(exclude)] + stamps, [])
    remove_orphans(Path(cache_dir))
    cache_file = Path(cache_dir) / f"{spec.key}__{conv.name}__excl{int(exclude)}.npz"
    cached = load_entry(cache_file, fp)
    if cached is not None:
        logger.debug("Curves of %s from cache %s", spec.label, cache_file)
        return TrackerCurves(spec, **cached)
    result = _compute(spec, truth, conv.name, results_path)
    save_entry(cache_file, fp, result.arrays())
    return result


def _dataset_name(sequences: SequenceList) -> str:
    names = sorted({s.dataset for s in sequences})
    return "+".join(names) if names else "empty"


def evaluate(trackers: Iterable[Union[TrackerSpec, str]], dataset: Union[str, Seq[str], SequenceList],
             convention: str = "pytracking", exclude_invalid_frames: Optional[bool] = None,
             skip_missing: bool = False, results_path: Optional[PathLike] = None, report_name: Optional[str] = None,
             plot_path: Optional[PathLike] = None, use_cache: bool = True) -> "AnalysisResults":
    """Analyse ``trackers`` (specs or ``'name:param[:runs]'`` strings) on ``dataset`` (a dataset
    name, several names, or a :class:`SequenceList`).

    ``convention`` names the rules (see :mod:`pytracking.analysis.conventions`);
    ``exclude_invalid_frames`` applies to the ``pytracking`` convention (default True), the
    toolkit conventions fix their own. Missing result files are an error naming the first missing
    file unless ``skip_missing``,
    which drops those sequences for all trackers. Outputs and the curve cache go to
    ``<plot_path or result_plot_path setting>/<report_name or dataset name>/``.
    """
    specs = _as_specs(trackers)
    if isinstance(dataset, str):
        sequences = get_dataset(dataset)
    elif isinstance(dataset, SequenceList) or (dataset and isinstance(dataset[0], Sequence)):
        sequences = SequenceList(dataset)
    else:
        sequences = get_dataset(*dataset)
    if not sequences:
        raise ValueError("The dataset has no sequences")
    report_name = report_name or _dataset_name(sequences)
    out_dir = Path(plot_path if plot_path is not None else env_settings().result_plot_path) / report_name
    conv = get_convention(convention)
    exclude = resolve_exclude_invalid(conv, exclude_invalid_frames)
    truth = GroundTruth.from_sequences(sequences, conv, exclude)
    names = truth.names
    cache_dir = out_dir / "cache" if use_cache else None
    with logging_redirect_tqdm():  # warnings go above the progress bar
        all_curves = [tracker_curves(spec, sequences, conv.name, exclude_invalid_frames, results_path, cache_dir,
                                     truth)
                      for spec in tqdm(specs, desc="Evaluating trackers", disable=len(specs) < 2, leave=False)]
    present = np.stack([c.present.all(axis=0) for c in all_curves]).all(axis=0)
    if not present.all():
        missing = [(c.spec, r, s) for c in all_curves for r, s in zip(*np.nonzero(~c.present))]
        spec, r, s = missing[0]
        first = result_file(spec.run_dirs(results_path)[r], names[s])
        if not skip_missing:
            raise ResultFileError(f"{len(missing)} result file(s) missing, e.g. {first}. Run the trackers on "
                                  f"all sequences, or pass skip_missing=True (--skip-missing) to evaluate "
                                  f"only the sequences every tracker has.")
        logger.warning("Skipping %d sequence(s) without results for every tracker/run (e.g. %s)",
                       int((~present).sum()), first)
    has_frames = np.stack([(c.num_frames > 0).all(axis=0) for c in all_curves]).all(axis=0)
    if (present & ~has_frames).any():
        logger.warning("Skipping %d sequence(s) without any valid ground-truth frame",
                       int((present & ~has_frames).sum()))
    mask = present & has_frames
    if not mask.any():
        raise ValueError("No sequence can be evaluated (no results or no valid ground truth)")
    return AnalysisResults(report_name, names, all_curves, mask, out_dir, conv.name, exclude,
                           coverage=benchmark_coverage(sequences))
