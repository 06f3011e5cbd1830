"""SiamRPN vs SiamFC speed on the CPU: tracking frames per second and network forward time.

Runs, in the same process and on the same synthetic sequence, the SiamRPN tracker (AlexNet with the
up-channel head, parameters ``siamrpn/default``: one 271 x 271 search crop per frame), the same
with SiamFC's AlexNet widths (``width=0.5``: 96-256-384-384-256 channels instead of DaSiamRPN's
192-512-768-768-512, so the backbones of the two trackers are the same), the SiamRPN++-style
depth-wise AlexNet (``siamrpn/dw``: one 287 x 287 crop) and SiamFC with 3 scales
(``siamfc/default``: three 255 x 255 crops per frame). All networks are full width with randomly
initialised weights (they cost the same time as trained ones). Prints frames per second of
``track`` (initialisation excluded) and the median time of one per-frame network pass (search
features plus head, template cached), so the claim "SiamRPN's single pass is faster than SiamFC's
multi-scale search" can be checked on this machine.

Measurements are interleaved (network passes round-robin, trackers taking turns frame by frame)
and medians reported, so that load from other processes on a shared machine affects all of them
alike.

    python benchmarks/bench_siamrpn.py --threads 2 --frames 20
"""
from __future__ import annotations

import argparse
import logging
import statistics
import time
from typing import Callable

import numpy as np
import torch

from ltr.dataset.synthetic import generate_sequence
from pytracking.parameter.siamfc import default as siamfc_default
from pytracking.parameter.siamrpn import default as siamrpn_default
from pytracking.parameter.siamrpn import dw as siamrpn_dw
from pytracking.tracker.siamfc import SiamFC
from pytracking.tracker.siamfc.network import random_network as siamfc_random_network
from pytracking.tracker.siamrpn import SiamRPN
from pytracking.tracker.siamrpn.network import random_network as siamrpn_random_network


def lockstep_frame_times(trackers: dict, frames: list, box: list) -> dict[str, list[float]]:
    """Initialise every tracker on ``frames[0]``, then track ``frames[1:]`` with all of them frame
    by frame (round-robin), timing each ``track`` call (seconds)."""
    times: dict[str, list[float]] = {name: [] for name in trackers}
    for tracker in trackers.values():
        tracker.initialize(frames[0], {"init_bbox": box})
    for image in frames[1:]:
        for name, tracker in trackers.items():
            start = time.perf_counter()
            tracker.track(image)
            times[name].append(time.perf_counter() - start)
    return times


def interleaved_medians(jobs: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median over ``rounds`` of each job's result, the jobs run round-robin (one call of each per
    round), so that load from other processes affects all of them alike."""
    results: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            results[name].append(job())
    return {name: statistics.median(values) for name, values in results.items()}


def forward_jobs(nets: dict, device: torch.device) -> dict[str, Callable[[], float]]:
    """Per-frame network pass (template cached) of each tracker's search, as jobs returning ms."""
    z = torch.randn(1, 3, 127, 127, device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    with torch.no_grad():
        kernels = {name: nets[name].template(z) for name in ("rpn", "half", "dw", "fc")}
    x271 = torch.randn(1, 3, 271, 271, device=device)
    x287 = torch.randn(1, 3, 287, 287, device=device)
    x255 = torch.randn(3, 3, 255, 255, device=device)

    def timed(fun: Callable[[], object]) -> Callable[[], float]:
        def job() -> float:
            with torch.no_grad():
                start = time.perf_counter()
                fun()
                sync()
                return 1000.0 * (time.perf_counter() - start)
        return job

    rpn, half, dw, fc = (nets[n] for n in ("rpn", "half", "dw", "fc"))
    return {
        "SiamRPN (1 x 271)": timed(lambda: rpn.rpn(kernels["rpn"], rpn.search(x271))),
        "SiamRPN backbone only (1 x 271)": timed(lambda: rpn.search(x271)),
        "SiamRPN width 0.5 (1 x 271)": timed(lambda: half.rpn(kernels["half"], half.search(x271))),
        "SiamRPN++ dw (1 x 287)": timed(lambda: dw.rpn(kernels["dw"], dw.search(x287))),
        "SiamFC 3 scales (3 x 255)": timed(lambda: fc.score(kernels["fc"], fc.search(x255))),
        "SiamFC backbone only (3 x 255)": timed(lambda: fc.search(x255)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--frames", type=int, default=20, help="frames per tracking run")
    parser.add_argument("--repeats", type=int, default=15, help="timed network passes per net")
    parser.add_argument("--width", type=int, default=640, help="frame width")
    parser.add_argument("--height", type=int, default=360, help="frame height")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    seq = generate_sequence(seed=0, num_frames=args.frames + 1, image_size=(args.width, args.height))
    frames = [np.asarray(f) for f in seq.frames]
    box = [float(v) for v in seq.boxes[0]]
    nets = {"rpn": siamrpn_random_network("siamrpn_alexnet", seed=0),
            "half": siamrpn_random_network("siamrpn_alexnet", seed=0, width=0.5),
            "dw": siamrpn_random_network("siamrpn_alexnet_dw", seed=0),
            "fc": siamfc_random_network(seed=0)}
    nets = {name: net.to(device).eval() for name, net in nets.items()}

    print(f"SiamRPN vs SiamFC, {args.frames} frames of {args.width}x{args.height}, device "
          f"{args.device}, {args.threads} threads, torch {torch.__version__}")
    jobs = forward_jobs(nets, device)
    interleaved_medians(jobs, 2)  # warm-up
    print(f"Network pass per frame (template cached), median of {args.repeats} interleaved:")
    for name, ms in interleaved_medians(jobs, args.repeats).items():
        print(f"  {name:32s} {ms:8.1f} ms")

    runs = {"SiamRPN (AlexNet, up-channel)": (SiamRPN, siamrpn_default, nets["rpn"]),
            "SiamRPN width 0.5": (SiamRPN, siamrpn_default, nets["half"]),
            "SiamRPN++ dw (AlexNet)": (SiamRPN, siamrpn_dw, nets["dw"]),
            "SiamFC (3 scales)": (SiamFC, siamfc_default, nets["fc"])}
    trackers = {}
    for name, (cls, module, net) in runs.items():
        params = module.parameters()
        params.net = net
        params.use_gpu = args.device == "cuda"
        trackers[name] = cls(params)
    lockstep_frame_times(trackers, frames[:3], box)  # warm-up
    times = lockstep_frame_times(trackers, frames, box)
    print("Tracking speed (initialisation excluded; the trackers take turns frame by frame; "
          "FPS = 1 / median frame time, mean FPS in brackets):")
    fps = {}
    for name, values in times.items():
        fps[name] = 1.0 / statistics.median(values)
        print(f"  {name:30s} {fps[name]:7.2f} FPS  ({len(values) / sum(values):.2f})")
    for name in ("SiamRPN (AlexNet, up-channel)", "SiamRPN width 0.5", "SiamRPN++ dw (AlexNet)"):
        faster = fps[name] > fps["SiamFC (3 scales)"]
        print(f"{name} {'is' if faster else 'is NOT'} faster than SiamFC (3 scales) here: "
              f"{fps[name]:.2f} vs {fps['SiamFC (3 scales)']:.2f} FPS")


if __name__ == "__main__":
    main()
