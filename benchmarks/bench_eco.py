"""ECO-HC (``eco default``, no weight file) against OpenCV's CSRT, on one thread.

Sequences: the six real ones in ../shared (``data/otb_crossing`` and ``data/sequences/*``, OTB
layout) when present, and the built-in synthetic benchmark. For each sequence ECO runs in this
process and CSRT in a subprocess (``benchmarks/csrt_worker.py``) in its own virtual environment
with ``opencv-contrib-python-headless`` (pinned in ``benchmarks/csrt_constraints.txt``; created once
under ``benchmarks/.cache/csrt-venv``, git-ignored), one sequence after the other for both
(interleaved), each with one thread (``torch.set_num_threads(1)``, ``cv2.setNumThreads(1)``).

Printed per sequence and as means over the real sequences: success AUC (mean over IoU thresholds
0, 0.05, ..., 1 of the fraction of frames with IoU > threshold; frames 2..N; rows whose ground
truth is not a valid box left out), precision at 20 px, and frames per second (tracker time only,
images decoded beforehand, first frame included in the time, frames 2..N counted; the fastest of
``--repeats`` interleaved runs), by wall clock ('fps') and by process CPU time ('cpu', which a busy
shared machine disturbs less). The stored peer results in ../shared/reference/peers/ (CSRT and the
pyECO ECO-HC) are scored the same way.

    python benchmarks/bench_eco.py [--no-csrt] [--sequence NAME ...] [--repeats 3] [--jitter] [--parameters default]
                                   [--more-synthetic N]

``--jitter`` adds a robustness table: both trackers again from the initial box shifted by
+-1 px (8 shifts besides the exact box), AUC mean, min and max per sequence. On hard sequences a
tracker's result can hinge on such a shift (one run loses the target on a fast motion, the next
does not), so the mean over shifts is the steadier figure to compare. It also prints the range of
ECO's real-sequence mean when each sequence is run from one of these boxes (every combination
equally likely), and how likely that mean reaches the stored ECO-HC run's, itself one run per
sequence from the exact boxes.

``--more-synthetic N`` adds N synthetic sequences (150 frames each) that no setting was chosen on,
with occlusion, out-of-view frames and a distractor: a larger set than the six real sequences for
checking that a change generalizes (synthetic, so it proves robustness to those events, not
tracking on real video).

Targets (issue 16): mean real-sequence AUC >= CSRT's and >= the stored ECO-HC's; fps >= 2x CSRT's.
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import torch

from pytracking.analysis.metrics import center_error, iou_continuous
from pytracking.evaluation import get_dataset
from pytracking.evaluation.data import Sequence
from pytracking.tracker.eco.params import ECOParams
from pytracking.tracker.eco import ECO
from pytracking.utils.image_io import read_frame
from pytracking.utils.load_text import load_text

logger = logging.getLogger("bench_eco")
HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
VENV = HERE / ".cache" / "csrt-venv"
THRESHOLDS = np.linspace(0.0, 1.0, 21)


def real_sequences() -> list[Sequence]:
    dirs = [("Crossing", SHARED / "data" / "otb_crossing")]
    seq_root = SHARED / "data" / "sequences"
    if seq_root.is_dir():
        dirs += [(d.name, d) for d in sorted(seq_root.iterdir()) if (d / "img").is_dir()]
    return otb_folder_sequences(dirs)


def more_synthetic_sequences(count: int) -> list[Sequence]:
    """``count`` synthetic sequences beside the built-in benchmark (150 frames of 480 x 360, seed
    12345; generated once under ``benchmarks/.cache``): occlusion, out-of-view frames, a distractor."""
    from ltr.dataset.synthetic import ensure_dataset

    root = ensure_dataset("otb", HERE / ".cache" / f"synthetic-{count}x150-seed12345", count, 150, 12345, (480, 360))
    return otb_folder_sequences([(d.name, d) for d in sorted(root.iterdir()) if (d / "img").is_dir()])


def otb_folder_sequences(dirs: list[tuple[str, Path]]) -> list[Sequence]:
    """Sequences of (name, folder) pairs in the OTB layout (``img/*.jpg``, ``groundtruth_rect.txt``)."""
    out = []
    for name, d in dirs:
        if not (d / "img").is_dir():
            continue
        gt = load_text(d / "groundtruth_rect.txt", ncols=4)
        frames = sorted(str(p) for p in (d / "img").glob("*.jpg"))[:len(gt)]
        out.append(Sequence(name, frames, "otb", gt))
    return out


def score(boxes: np.ndarray, gt: np.ndarray) -> tuple[float, float]:
    """(success AUC %, precision at 20 px %) over frames 2..N with a valid ground-truth box."""
    boxes, gt = np.asarray(boxes, dtype=np.float64)[1:len(gt)], gt[1:]
    valid = np.isfinite(gt).all(1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
    iou = iou_continuous(boxes[valid], gt[valid])
    auc = float(np.mean([(iou > t).mean() for t in THRESHOLDS])) * 100
    prec = float((center_error(boxes[valid], gt[valid]) <= 20).mean()) * 100
    return auc, prec


def csrt_python() -> Path:
    """The CSRT venv's python, created (once) with the pinned opencv-contrib-python-headless."""
    py = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    constraints = HERE / "csrt_constraints.txt"
    if stamp.is_file() and stamp.read_text() == constraints.read_text():
        return py
    logger.info("Creating the CSRT environment in %s (once)", VENV)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "-c", str(constraints),
                    "opencv-contrib-python-headless", "numpy"], check=True)
    stamp.write_text(constraints.read_text())
    return py


class CSRT:
    """The CSRT worker subprocess."""

    def __init__(self) -> None:
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen([str(csrt_python()), str(HERE / "csrt_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)

    def run(self, seq: Sequence, box: Optional[list[float]] = None) -> tuple[np.ndarray, float, float]:
        box = init_box(seq) if box is None else box
        self.proc.stdin.write(json.dumps({"frames": list(seq.frames), "init": box}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the CSRT worker stopped (see its error output above)")
        out = json.loads(line)
        return np.asarray(out["boxes"]), float(out["seconds"]), float(out["cpu_seconds"])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# whole pixels: CSRT takes an integer box
JITTER = [(0.0, 0.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0), (1.0, 1.0), (-1.0, -1.0), (1.0, -1.0),
          (-1.0, 1.0)]


def init_box(seq: Sequence, shift: tuple[float, float] = (0.0, 0.0)) -> list[float]:
    """The first ground-truth box (x, y, w, h), its corner moved by ``shift`` (dx, dy) pixels."""
    box = [float(v) for v in seq.ground_truth_rect[0]]
    return [box[0] + shift[0], box[1] + shift[1], box[2], box[3]]


def eco_parameters(name: str) -> ECOParams:
    """The ECO parameter set ``pytracking/parameter/eco/<name>.py``."""
    return importlib.import_module(f"pytracking.parameter.eco.{name}").parameters()


def run_eco(seq: Sequence, box: Optional[list[float]] = None,
            parameter_set: str = "default") -> tuple[np.ndarray, float, float]:
    images = [read_frame(f) for f in seq.frames]
    box = init_box(seq) if box is None else box
    start, cpu_start = time.perf_counter(), time.process_time()
    tracker = ECO(eco_parameters(parameter_set))
    tracker.initialize(images[0], {"init_bbox": box})
    boxes = [box] + [tracker.track(im)["target_bbox"] for im in images[1:]]
    return np.asarray(boxes), time.perf_counter() - start, time.process_time() - cpu_start


def peer_boxes(kind: str, name: str) -> Optional[np.ndarray]:
    path = SHARED / "reference" / "peers" / kind / f"{name}.txt"
    return load_text(path, ncols=4) if path.is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-csrt", action="store_true", help="skip CSRT (no venv needed)")
    parser.add_argument("--sequence", action="append", default=None, help="only these sequences")
    parser.add_argument("--parameters", default="default", metavar="NAME",
                        help="ECO parameter set, a module of pytracking/parameter/eco (default: default)")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic benchmark")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each tracker per sequence, interleaved; the fastest is timed (default 3: "
                        "one run's time on a shared machine varies by 10-20 %%)")
    parser.add_argument("--jitter", action="store_true",
                        help="also run from initial boxes shifted by +-1 px (robustness table)")
    parser.add_argument("--more-synthetic", type=int, default=0, metavar="N",
                        help="also N further synthetic sequences (150 frames, 480 x 360, generated once under "
                        "benchmarks/.cache), nothing was tuned on: their mean and ECO's paired difference "
                        "to CSRT (not in the --jitter table)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats {args.repeats}: must be at least 1")
    if args.more_synthetic < 0:
        parser.error(f"--more-synthetic {args.more_synthetic}: must be at least 0")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    cv2.setNumThreads(1)

    seqs = [(s, True) for s in real_sequences()]
    if not args.no_synthetic:
        seqs += [(s, False) for s in get_dataset("synthetic")]
    more = more_synthetic_sequences(args.more_synthetic) if args.more_synthetic else []
    if args.sequence:
        seqs = [(s, r) for s, r in seqs if s.name in args.sequence]
    try:
        eco_parameters(args.parameters)
    except ModuleNotFoundError:
        parser.error(f"--parameters {args.parameters}: no module pytracking/parameter/eco/{args.parameters}.py")
    print(f"ECO parameters: eco {args.parameters}")
    csrt = None if args.no_csrt else CSRT()

    header = (f"{'sequence':18s} {'frames':>6s} | {'ECO AUC/P20':>12s} {'fps':>6s} {'cpu':>6s} | {'CSRT AUC/P20':>12s} "
              f"{'fps':>6s} {'cpu':>6s}"
              f" | {'peer CSRT':>11s} | {'peer ECO-HC':>11s}")
    print(header)
    print("-" * len(header))
    rows = []
    for seq, real, extra in [(s, r, False) for s, r in seqs] + [(s, False, True) for s in more]:
        n = len(seq.frames) - 1
        eco_t, csrt_t = [float("inf")] * 2, [float("inf")] * 2
        for _ in range(args.repeats):
            eco_boxes, t, c = run_eco(seq, parameter_set=args.parameters)
            eco_t = [min(eco_t[0], t), min(eco_t[1], c)]
            if csrt is not None:
                csrt_boxes, t, c = csrt.run(seq)
                csrt_t = [min(csrt_t[0], t), min(csrt_t[1], c)]
        gt = seq.ground_truth_rect
        row = {"name": seq.name, "real": real, "more": extra, "eco": score(eco_boxes, gt), "eco_fps": n / eco_t[0],
               "eco_cpu_fps": n / eco_t[1]}
        if csrt is not None:
            row.update(csrt=score(csrt_boxes, gt), csrt_fps=n / csrt_t[0], csrt_cpu_fps=n / csrt_t[1])
        for kind in ("csrt", "eco_hc"):
            pb = peer_boxes(kind, seq.name) if real else None
            if pb is not None:
                row["peer_" + kind] = score(pb, gt)
        rows.append(row)
        print(format_row(row, len(seq.frames)), flush=True)

    print("-" * len(header))
    real_rows = [r for r in rows if r["real"]]
    if real_rows:
        print(format_mean("mean (real)", real_rows))
    synth_rows = [r for r in rows if not r["real"] and not r["more"]]
    if synth_rows:
        print(format_mean("mean (synthetic)", synth_rows))
    more_rows = [r for r in rows if r["more"]]
    if more_rows:
        print(format_mean("mean (more synth.)", more_rows))
        if csrt is not None:
            diff = np.array([r["eco"][0] - r["csrt"][0] for r in more_rows])
            spread = f" +- {diff.std(ddof=1) / np.sqrt(len(diff)):.1f} (standard error)" if len(diff) > 1 else ""
            print(f"more synthetic sequences ({len(diff)}): ECO's AUC minus CSRT's {diff.mean():.1f}{spread}; "
                  f"ECO higher on {(diff > 0).sum()}, CSRT higher on {(diff < 0).sum()}")
    if args.jitter:
        jitter_table(seqs, csrt, args.parameters)
    if csrt is not None:
        csrt.close()
        timed = [r for r in rows if not r["more"]] or rows   # the target's sequences: real and built-in synthetic
        for kind, label in (("fps", "wall-clock"), ("cpu_fps", "process CPU time")):
            eco_fps = np.mean([r["eco_" + kind] for r in timed])
            csrt_fps = np.mean([r["csrt_" + kind] for r in timed])
            print(f"frames/s on one thread ({label}), mean over {len(timed)} sequences: ECO {eco_fps:.1f}, CSRT "
                  f"{csrt_fps:.1f} (ratio {eco_fps / csrt_fps:.2f}; target >= 2)")
    return 0


def mean_distribution(aucs: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Distribution of the mean over sequences when each sequence contributes one of its runs, each
    equally likely: ``(values, probabilities)``, values sorted (sums kept to 1e-3)."""
    values, probs = np.zeros(1), np.ones(1)
    for runs in aucs:
        sums = np.round((values[:, None] + np.asarray(runs, dtype=np.float64)[None, :]).ravel(), 3)
        weights = (probs[:, None] * np.full(len(runs), 1.0 / len(runs))[None, :]).ravel()
        values, index = np.unique(sums, return_inverse=True)
        probs = np.bincount(index, weights=weights)
    return values / max(len(aucs), 1), probs


def jitter_table(seqs: list[tuple[Sequence, bool]], csrt: Optional[CSRT], parameter_set: str) -> None:
    """AUC over the shifted initial boxes (:data:`JITTER`): mean, min, max per sequence and tracker;
    then where the stored ECO-HC run's real-sequence mean falls among the means ECO reaches when
    each real sequence is run from one of the shifted boxes."""
    print(f"\nrobustness: success AUC from {len(JITTER)} initial boxes (exact, and shifted by +-1 px)")
    header = f"{'sequence':18s} | {'ECO mean   min   max':>20s} | {'CSRT mean   min   max':>21s}"
    print(header)
    print("-" * len(header))
    means = {"eco": [], "csrt": []}
    eco_runs, peer = [], []
    for seq, real in seqs:
        if real:
            peer_eco = peer_boxes("eco_hc", seq.name)
            peer.append(None if peer_eco is None else score(peer_eco, seq.ground_truth_rect)[0])
        cells = []
        for name in ("eco", "csrt"):
            if name == "csrt" and csrt is None:
                cells.append(f"{'-':>21s}")
                continue
            def runner(box: list[float], name: str = name) -> np.ndarray:
                return run_eco(seq, box, parameter_set)[0] if name == "eco" else csrt.run(seq, box)[0]
            aucs = [score(runner(init_box(seq, shift)), seq.ground_truth_rect)[0] for shift in JITTER]
            if real:
                means[name].append(np.mean(aucs))
                if name == "eco":
                    eco_runs.append(aucs)
            cells.append(f"{np.mean(aucs):9.1f} {min(aucs):5.1f} {max(aucs):5.1f}")
        print(f"{seq.name:18s} | {cells[0]:>20s} | {cells[1]:>21s}", flush=True)
    print("-" * len(header))
    print("mean (real)        | " + " | ".join(f"{np.mean(v):9.1f}" if v else f"{'-':>9s}"
                                             for v in means.values()))
    if eco_runs:
        values, probs = mean_distribution(eco_runs)
        cdf = np.cumsum(probs)
        lo, hi = values[np.searchsorted(cdf, 0.05)], values[np.searchsorted(cdf, 0.95)]
        print(f"ECO's real-sequence mean with one of the {len(JITTER)} initial boxes per sequence: "
              f"5-95 % range {lo:.1f}-{hi:.1f}", end="")
        if peer and all(p is not None for p in peer):
            target = float(np.mean(peer))
            print(f"\n  the stored ECO-HC run's mean {target:.1f} (one run from the exact boxes) is reached "
                  f"with probability {probs[values >= target - 5e-4].sum():.2f}")
        else:
            print()


def _pair(v: Optional[tuple]) -> str:
    return f"{v[0]:5.1f}/{v[1]:5.1f}" if v is not None else f"{'-':>11s}"


def _num(r: dict, key: str) -> str:
    return f"{r[key]:6.1f}" if key in r else f"{'-':>6s}"


def format_row(r: dict, frames: int) -> str:
    return (f"{r['name']:18s} {frames:6d} | {_pair(r['eco'])} {_num(r, 'eco_fps')} {_num(r, 'eco_cpu_fps')} | "
            f"{_pair(r.get('csrt'))} {_num(r, 'csrt_fps')} {_num(r, 'csrt_cpu_fps')} | {_pair(r.get('peer_csrt'))} | "
            f"{_pair(r.get('peer_eco_hc'))}")


def format_mean(label: str, rows: list[dict]) -> str:
    def mean(key: str) -> Optional[tuple]:
        vals = [r[key] for r in rows if key in r]
        return tuple(np.mean(vals, axis=0)) if len(vals) == len(rows) else None

    def fps(key: str) -> str:
        return f"{np.mean([r[key] for r in rows]):6.1f}" if all(key in r for r in rows) else f"{'-':>6s}"
    return (f"{label:18s} {'':6s} | {_pair(mean('eco'))} {fps('eco_fps')} {fps('eco_cpu_fps')} | {_pair(mean('csrt'))} "
            f"{fps('csrt_fps')} {fps('csrt_cpu_fps')} | {_pair(mean('peer_csrt'))} | {_pair(mean('peer_eco_hc'))}")


if __name__ == "__main__":
    sys.exit(main())
