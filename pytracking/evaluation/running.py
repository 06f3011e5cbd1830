"""Running trackers over datasets: sequentially or in worker processes, resumable."""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence as Seq

import numpy as np
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from ltr.admin.atomic_file import remove_orphans
from ltr.admin.cli import add_verbose_argument
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.tracker import Tracker
from pytracking.utils.visualization.cli import add_visualization_arguments
from pytracking.utils.visualization.session import VisualizationOptions, VisualizationSession

logger = logging.getLogger(__name__)


@dataclass
class RunRecord:
    """One (tracker, sequence) job: what happened and how fast it went."""

    tracker: str
    sequence: str
    status: str  # 'done', 'skipped' (results existed) or 'failed'
    num_frames: int = 0
    fps: float = float("nan")
    first_frame_time: float = float("nan")
    error: str = ""

    def line(self) -> str:
        if self.status == "done":
            fps = f"{self.fps:7.2f}" if np.isfinite(self.fps) else f"{'-':>7s}"   # '-': first frame only
            return (f"{self.tracker:<24} {self.sequence:<28} {self.num_frames:5d} frames  "
                    f"{fps} FPS  (first frame {self.first_frame_time:.2f} s)")
        if self.status == "skipped":
            return f"{self.tracker:<24} {self.sequence:<28} results exist, skipped"
        return f"{self.tracker:<24} {self.sequence:<28} FAILED: {self.error}"


def frames_per_second(times: np.ndarray) -> float:
    """Frames per second over all frames but the first (initialization is timed apart)."""
    rest = times[1:]
    return float(len(rest) / rest.sum()) if len(rest) and rest.sum() > 0 else float("nan")


def run_sequence_and_save(seq: Sequence, tracker: Tracker, overrides: Seq[str] = (),
                          debug: Optional[int] = None, skip_existing: bool = True,
                          frame_callback=None, debug_sink=None) -> RunRecord:
    """Run ``tracker`` on ``seq`` and write its result files, unless they exist already."""
    if skip_existing and tracker.has_results(seq):
        return RunRecord(tracker.display_name, seq.name, "skipped")
    output = tracker.run_sequence(seq, overrides=overrides, debug=debug,
                                  frame_callback=frame_callback, debug_sink=debug_sink)
    tracker.save_sequence_output(seq, output)
    return RunRecord(tracker.display_name, seq.name, "done", len(output.time),
                     frames_per_second(output.time), float(output.time[0]))


def _run_job(seq: Sequence, tracker: Tracker, overrides: Seq[str], debug: Optional[int],
             skip_existing: bool, vis: Optional[VisualizationSession] = None) -> RunRecord:
    """One job; a failure is logged and reported in the record so the other jobs go on."""
    callbacks = None
    try:
        if skip_existing and tracker.has_results(seq):
            if vis is not None and vis.options.active:
                logger.info("%s: results exist, no visualization made (use --rerun)", seq.name)
            return RunRecord(tracker.display_name, seq.name, "skipped")
        if vis is not None:
            callbacks = vis.sequence_callbacks(seq.name, seq.ground_truth_rect, tracker.results_dir)
        return run_sequence_and_save(seq, tracker, overrides, debug, skip_existing,
                                     frame_callback=callbacks,
                                     debug_sink=vis.sink if vis is not None else None)
    except Exception as exc:  # any tracker error is reported per job
        logger.exception("Tracker %s failed on %s", tracker.display_name, seq.name)
        return RunRecord(tracker.display_name, seq.name, "failed",
                         error=f"{type(exc).__name__}: {exc}")
    finally:
        if callbacks is not None:
            callbacks.close()


def _worker(seq: Sequence, tracker_args: tuple, overrides: Seq[str], debug: Optional[int],
            skip_existing: bool, torch_threads: int,
            visualization: Optional[VisualizationOptions] = None) -> RunRecord:
    import torch
    torch.set_num_threads(torch_threads)
    # worker processes show and save, but do not listen for pause / step keys
    vis = VisualizationSession(visualization, interactive=False) \
        if visualization is not None and visualization.active else None
    try:
        return _run_job(seq, Tracker(*tracker_args), overrides, debug, skip_existing, vis)
    finally:
        if vis is not None:
            vis.close()


def run_dataset(dataset: Iterable[Sequence], trackers: Iterable[Tracker], overrides: Seq[str] = (),
                debug: Optional[int] = None, threads: int = 0, skip_existing: bool = True,
                start_method: str = "spawn",
                visualization: Optional[VisualizationOptions] = None) -> list[RunRecord]:
    """Run every tracker on every sequence; results that exist already are kept and skipped.

    ``threads`` > 0 runs that many worker processes (each job is one tracker on one sequence);
    a failure in one job is reported and does not stop the others. ``start_method`` is the
    multiprocessing start method of the workers. ``visualization`` adds live visdom panes and/or
    saved videos / frames (visdom is contacted once per run, or once per job in worker processes).
    Temporary files that interrupted earlier runs left in the results folders are removed first.
    """
    sequences = list(dataset)
    trackers = list(trackers)
    for trk in trackers:  # temporary files of result writes killed in an earlier run
        remove_orphans(trk.results_dir)
    jobs = [(seq, trk) for seq in sequences for trk in trackers]
    records: list[RunRecord] = []
    if threads <= 0:
        vis = VisualizationSession(visualization) \
            if visualization is not None and visualization.active else None
        try:
            # log lines go above the progress bar instead of being appended to it
            with logging_redirect_tqdm():
                for seq, trk in tqdm(jobs, desc="sequences", unit="seq", disable=len(jobs) < 2):
                    records.append(_run_job(seq, trk, overrides, debug, skip_existing, vis))
                    logger.info(records[-1].line())
        finally:
            if vis is not None:
                vis.close()
        return records
    torch_threads = max(1, (os.cpu_count() or 1) // threads)
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=threads, mp_context=context) as pool, logging_redirect_tqdm():
        futures = [pool.submit(_worker, seq, (trk.name, trk.parameter_name, trk.run_id,
                                              trk.display_name, trk.results_path, trk.results_name),
                               list(overrides), debug, skip_existing, torch_threads,
                               visualization)
                   for seq, trk in jobs]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="sequences", unit="seq"):
            records.append(fut.result())
            logger.info(records[-1].line())
    order = {(trk.display_name, seq.name): i for i, (seq, trk) in enumerate(jobs)}
    records.sort(key=lambda r: order[(r.tracker, r.sequence)])
    return records


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a command that runs trackers on sequences (:func:`run_dataset`): ``--debug``,
    ``--threads``, ``--rerun``, ``--verbose`` and the visualization options."""
    parser.add_argument("--debug", type=int, default=None, help="debug level (0: off)")
    parser.add_argument("--threads", type=int, default=0,
                        help="number of worker processes (0: run in this process)")
    parser.add_argument("--rerun", action="store_true",
                        help="run sequences again even if their results exist")
    add_verbose_argument(parser)
    add_visualization_arguments(parser)


def summary_line(label: str, records: Iterable[RunRecord], tracker: Tracker) -> str:
    """``<label>: N sequences tracked, N skipped (results exist), N failed; results in <folder>`` for
    the records of ``tracker``."""
    mine = [r for r in records if r.tracker == tracker.display_name]
    counts = {status: sum(r.status == status for r in mine) for status in ("done", "skipped", "failed")}
    return (f"{label}: {counts['done']} sequences tracked, {counts['skipped']} skipped (results exist), "
            f"{counts['failed']} failed; results in {tracker.results_dir}")
