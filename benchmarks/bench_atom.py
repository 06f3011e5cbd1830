"""Speed of the ATOM tracker (``atom default``) on the CPU.

Runs whole sequences (the real OTB Crossing sequence from ../shared/data/otb_crossing when present,
plus the built-in synthetic benchmark's sequences) with the same network for every run (the
trained weights if ``atom_default.pth`` is in the network_path folder, otherwise the seeded random
network) and prints

* frames per second over whole sequences (first frame excluded) and the first-frame time;
* the first frame's parts (backbone on the augmented samples, IoU modulation, joint
  Gauss-Newton/CG optimisation, everything else);
* per sequence, the frames in which the classifier found the target: only those run the IoU-Net
  box refinement, so a run that loses the target spends less time per frame;
* the mean time per frame of each part: backbone (patch + ResNet features), IoU features,
  classifier CG, box refinement, everything else; and the ratio of the whole per-frame time to the
  backbone-only time.

For scale, the original implementation on this kind of machine with a random-weight network:
9.6 frames/s with 2 threads (6.0 with 1), ~3 s first frame, ~25 ms backbone per frame, ~30 ms box
refinement per frame, ~190 ms per CG update.

    python benchmarks/bench_atom.py [--threads 2] [--frames 0] [--synthetic 3] [--repeats 1]

The machine's speed can drift by 10-20% between runs (a shared host): compare figures from
interleaved runs, or use --repeats and look at the spread.
"""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import torch

from pytracking.evaluation import get_dataset
from pytracking.evaluation.data import Sequence
from pytracking.parameter.atom.default import parameters
from pytracking.tracker.atom import ATOM
from pytracking.tracker.atom.atom import TIMING_PARTS
from pytracking.utils.image_io import read_frame
from pytracking.utils.load_text import load_text

CROSSING = Path(__file__).resolve().parents[2] / "shared" / "data" / "otb_crossing"


def crossing_sequence() -> Sequence | None:
    if not (CROSSING / "img").is_dir():
        return None
    frames = sorted(str(p) for p in (CROSSING / "img").glob("*.jpg"))
    gt = load_text(CROSSING / "groundtruth_rect.txt")
    return Sequence("Crossing", frames, "otb", gt)


def run(seq: Sequence, max_frames: int, overrides: list) -> dict:
    params = parameters()
    params.apply_overrides(overrides)
    tracker = ATOM(params)
    frames = seq.frames if max_frames <= 0 else seq.frames[:max_frames]
    images = [read_frame(f) for f in frames]          # decoding is not part of the tracker time
    start = time.perf_counter()
    tracker.initialize(images[0], seq.init_info())
    first = time.perf_counter() - start
    first_parts = dict(tracker.timings)
    tracker.timings.clear()
    flags = []
    start = time.perf_counter()
    for im in images[1:]:
        flags.append(tracker.track(im)["flag"])
    total = time.perf_counter() - start
    return {"name": seq.name, "frames": len(images) - 1, "first": first, "total": total,
            "parts": dict(tracker.timings), "first_parts": first_parts, "growths": tracker.iou_window_growths,
            "refined": sum(f != "not_found" for f in flags)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--frames", type=int, default=0, help="frames per sequence (0: all)")
    parser.add_argument("--synthetic", type=int, default=3, help="number of synthetic sequences")
    parser.add_argument("--repeats", type=int, default=1,
                        help="run all sequences this many times; prints each repeat's frames/s, their "
                             "min/median/max and the parts over all repeats (default 1)")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="ATOM parameter overrides")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    torch.set_num_threads(args.threads)

    sequences = []
    crossing = crossing_sequence()
    if crossing is not None:
        sequences.append(crossing)
    else:
        print(f"(no real sequence: {CROSSING} is absent)")
    sequences += list(get_dataset("synthetic"))[:args.synthetic]

    # warm-up: load the network and touch every code path once
    run(sequences[0], 3, args.overrides)

    print(f"ATOM default, CPU, {args.threads} thread(s), overrides: {args.overrides or 'none'}")
    repeats = []
    for i in range(args.repeats):
        results = [run(seq, args.frames, args.overrides) for seq in sequences]
        repeats.append(results)
        if args.repeats > 1:
            frames, total = sum(r["frames"] for r in results), sum(r["total"] for r in results)
            first = np.mean([r["first"] for r in results])
            backbone = sum(r["parts"].get("backbone", 0.0) for r in results) / frames * 1000
            print(f"repeat {i + 1}: {frames / total:6.2f} frames/s, first frame {first:.2f} s, "
                  f"backbone {backbone:.1f} ms/frame")
    report([r for results in repeats for r in results], args.repeats)
    if args.repeats > 1:
        fps = sorted(sum(r["frames"] for r in rs) / sum(r["total"] for r in rs) for rs in repeats)
        print(f"frames/s over {args.repeats} repeats: min {fps[0]:.2f}, median {float(np.median(fps)):.2f}, "
              f"max {fps[-1]:.2f}")


def report(results: list, repeats: int) -> None:
    """The per-sequence table (summed over repeats) and the mean parts per frame."""
    names = list(dict.fromkeys(r["name"] for r in results))
    print(f"{'sequence':<20}{'frames':>7}{'fps':>8}{'first frame s':>15}{'target found':>14}"
          + ("  (all repeats)" if repeats > 1 else ""))
    for name in names:
        rs = [r for r in results if r["name"] == name]
        frames, total = sum(r["frames"] for r in rs), sum(r["total"] for r in rs)
        print(f"{name:<20}{frames:>7}{frames / total:>8.2f}{np.mean([r['first'] for r in rs]):>15.2f}"
              f"{sum(r['refined'] for r in rs):>14}")
    frames = sum(r["frames"] for r in results)
    total = sum(r["total"] for r in results)
    print(f"{'all':<20}{frames:>7}{frames / total:>8.2f}{np.mean([r['first'] for r in results]):>15.2f}"
          f"{sum(r['refined'] for r in results):>14}")
    first_parts = {k: np.mean([r["first_parts"].get(k, 0.0) for r in results]) * 1000 for k in TIMING_PARTS}
    print("first frame (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in first_parts.items() if v > 0)
          + f", everything else {np.mean([r['first'] for r in results]) * 1000 - sum(first_parts.values()):.0f}")
    print("mean time per frame (ms):")
    parts = {k: sum(r["parts"].get(k, 0.0) for r in results) / frames * 1000 for k in TIMING_PARTS}
    for name, value in parts.items():
        print(f"  {name:<16}{value:8.1f}")
    per_frame = total / frames * 1000
    print(f"  {'everything else':<16}{per_frame - sum(parts.values()):8.1f}")
    print(f"  {'total':<16}{per_frame:8.1f}")
    print(f"ratio total / backbone-only time: {per_frame / parts['backbone']:.2f}")
    print(f"IoU-feature windows grown during refinement: {sum(r['growths'] for r in results)} times in {frames} frames")

if __name__ == "__main__":
    main()
