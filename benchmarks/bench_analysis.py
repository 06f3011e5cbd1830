"""Speed of the results analysis: 3 trackers x 5 runs x 100 sequences x 1,000 frames.

Prints the time to compute the curves of each tracker once its results are in memory (the
target is well under a second per tracker), the time to load the result files, a full cold
``evaluate`` (loading + curves + cache write) and a warm one (from the curve cache).

    python benchmarks/bench_analysis.py [--sequences 100] [--frames 1000] [--runs 5] [--trackers 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from pytracking.analysis import TrackerSpec, evaluate
from pytracking.analysis.conventions import get_convention
from pytracking.analysis.evaluator import GroundTruth, curves_from_predictions, load_predictions
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result


def make_data(root: Path, num_seq: int, num_frames: int, runs: int, trackers: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    seqs = SequenceList()
    for s in range(num_seq):
        xy = np.cumsum(rng.normal(0, 2, (num_frames, 2)), axis=0) + 200
        wh = np.abs(rng.normal(50, 5, (num_frames, 2))) + 5
        gt = np.column_stack([xy, wh])
        visible = rng.random(num_frames) > 0.05
        seqs.append(Sequence(f"seq{s:03d}", [f"{i}.jpg" for i in range(num_frames)], "bench", gt,
                             target_visible=visible))
    specs = [TrackerSpec(f"tracker{t}", "default", tuple(range(runs))) for t in range(trackers)]
    for t, spec in enumerate(specs):
        for run in spec.run_ids:
            d = tracker_results_dir(spec.name, spec.parameter_name, run, root)
            for seq in seqs:
                noise = rng.normal(0, 3 + 3 * t, (num_frames, 4))
                pred = seq.ground_truth_rect + noise
                pred[:, 2:] = np.abs(pred[:, 2:])
                write_sequence_result(d, seq.name, pred)
    return seqs, specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequences", type=int, default=100)
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trackers", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        seqs, specs = make_data(root / "results", args.sequences, args.frames, args.runs, args.trackers)
        print(f"wrote {len(specs) * args.runs * len(seqs)} result files in {time.perf_counter() - t0:.1f} s")
        names = seqs.names()
        truth = GroundTruth.from_sequences(seqs, get_convention("pytracking"), True)
        for spec in specs:
            t0 = time.perf_counter()
            present, boxes = load_predictions(spec, names, root / "results")
            t_load = time.perf_counter() - t0
            t0 = time.perf_counter()
            curves = curves_from_predictions(spec, present, boxes, truth, "pytracking")
            t_curves = time.perf_counter() - t0
            auc = 100 * np.nanmean(curves.success.mean(axis=2))
            print(f"{spec.label}: analysis after loading {t_curves * 1000:.0f} ms "
                  f"({args.runs} runs x {len(seqs)} sequences x {args.frames} frames), loading {t_load:.2f} s, "
                  f"AUC {auc:.1f}")
        kw = dict(results_path=root / "results", plot_path=root / "plots")
        t0 = time.perf_counter()
        evaluate(specs, seqs, **kw)
        print(f"evaluate, cold (load + curves + cache write): {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        res = evaluate(specs, seqs, **kw)
        print(f"evaluate, warm (curve cache): {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        res.plot()
        print(f"plots (3 kinds, PNG + PDF): {time.perf_counter() - t0:.2f} s")
        print(res.format_table())


if __name__ == "__main__":
    main()
