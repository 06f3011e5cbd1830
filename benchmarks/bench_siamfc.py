"""SiamFC tracking speed (frames per second) on the CPU with 3 and with 5 scales.

Runs the SiamFC tracker (full-width AlexNet; randomly initialised weights, which cost the same time
as trained ones) on a synthetic sequence and prints frames per second for each scale setting,
initialisation excluded (best and median of ``--repeats`` runs).

    python benchmarks/bench_siamfc.py --threads 2 --frames 30
"""
from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import torch

from ltr.dataset.synthetic import generate_sequence
from pytracking.parameter.siamfc import default, five_scales
from pytracking.tracker.siamfc import SiamFC
from pytracking.tracker.siamfc.network import random_network


def track_fps(params, frames: list, box: list) -> float:
    """Frames per second of ``track`` over ``frames[1:]``."""
    tracker = SiamFC(params)
    tracker.initialize(frames[0], {"init_bbox": box})
    start = time.perf_counter()
    for image in frames[1:]:
        tracker.track(image)
    return (len(frames) - 1) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--frames", type=int, default=30, help="frames per run")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs per setting; the best and the median are printed (the best is "
                             "the least disturbed by other load on a shared machine)")
    parser.add_argument("--width", type=int, default=640, help="frame width")
    parser.add_argument("--height", type=int, default=360, help="frame height")
    parser.add_argument("--net_width", type=float, default=1.0,
                        help="AlexNet channel width (1: the paper's; 0.25: the instant setting's)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    torch.set_num_threads(args.threads)

    seq = generate_sequence(seed=0, num_frames=args.frames + 1, image_size=(args.width, args.height))
    frames = [np.asarray(f) for f in seq.frames]
    box = [float(v) for v in seq.boxes[0]]
    net = random_network(seed=0, width=args.net_width)
    print(f"SiamFC tracking (AlexNet width {args.net_width}), {args.frames} frames of "
          f"{args.width}x{args.height}, device {args.device}, {args.threads} threads, "
          f"torch {torch.__version__}")
    for name, module in (("3 scales", default), ("5 scales", five_scales)):
        params = module.parameters()
        params.net = net
        params.use_gpu = args.device == "cuda"
        track_fps(params, frames[:3], box)  # warm-up
        fps = [track_fps(params, frames, box) for _ in range(max(1, args.repeats))]
        print(f"  {name}: {max(fps):.2f} FPS best, {float(np.median(fps)):.2f} FPS median "
              f"of {len(fps)} runs")


if __name__ == "__main__":
    main()
