"""Published Siamese trackers on the CPU: every SiamRPN model (pysot, DaSiamRPN) against SiamFC
with three scales (this project's ``siamfc/default`` and siamfc-pytorch's ``siamfc_alexnet_e50``),
in one run, on the same synthetic sequence.

Each tracker runs its published parameter set (``pytracking/parameter/siamrpn/<name>``,
``.../siamfc/<name>``: the project's crop sizes and procedure) with its published model, randomly
initialised (the weights' values do not change the time; the last regression layer is zeroed so
that the random boxes stay finite). The template branch is computed once at
initialisation and cached; per frame a SiamRPN tracker runs one search crop through the backbone
and the head, SiamFC three crops through its backbone. Printed: frames per second of ``track``
(initialisation excluded; the trackers take turns frame by frame so that load from other processes
affects all alike; FPS = 1 / median frame time), and the median per-frame network pass.

    python benchmarks/bench_siamese_published.py --threads 2 --frames 10
"""
from __future__ import annotations

import argparse
import importlib
import logging
import statistics
import time

import numpy as np
import torch

from bench_siamrpn import interleaved_medians, lockstep_frame_times
from ltr.dataset.synthetic import generate_sequence
from ltr.models.siam.published import PUBLISHED
from pytracking.tracker.siamfc import SiamFC
from pytracking.tracker.siamfc.network import random_network as siamfc_random_network
from pytracking.tracker.siamrpn import SiamRPN

#: label -> (tracker class, parameter module, published model or None for the project's SiamFC)
RUNS = {
    "pysot siamrpn_alex_dwxcorr (1 x 287)": (SiamRPN, "siamrpn.siamrpn_alex_dwxcorr",
                                             "siamrpn_alex_dwxcorr"),
    "DaSiamRPN SiamRPNvot/otb (1 x 271)": (SiamRPN, "siamrpn.dasiamrpn_vot", "SiamRPNvot"),
    "DaSiamRPN SiamRPNBIG (1 x 271)": (SiamRPN, "siamrpn.dasiamrpn_big", "SiamRPNBIG"),
    "pysot siamrpn_mobilev2 (1 x 255)": (SiamRPN, "siamrpn.siamrpn_mobilev2_l234_dwxcorr",
                                         "siamrpn_mobilev2_l234_dwxcorr"),
    "pysot siamrpn_r50_l234 (1 x 255)": (SiamRPN, "siamrpn.siamrpn_r50_l234_dwxcorr",
                                         "siamrpn_r50_l234_dwxcorr"),
    "siamfc-pytorch e50 (3 x 255)": (SiamFC, "siamfc.siamfc_alexnet_e50", "siamfc_alexnet_e50"),
    "SiamFC siamfc/default (3 x 255)": (SiamFC, "siamfc.default", None),
}
SIAMFC_LABELS = ("siamfc-pytorch e50 (3 x 255)", "SiamFC siamfc/default (3 x 255)")


def zero_regression(net: torch.nn.Module) -> torch.nn.Module:
    """Zero the last regression layer (deltas 0: every proposal is its anchor). Random weights on
    raw pixels give deltas of thousands, whose exp() makes empty or infinite boxes; the
    convolutions cost the same either way."""
    for name, module in net.named_modules():
        if name.endswith(("loc.head.3", "regress_adjust")):
            torch.nn.init.zeros_(module.weight)
            torch.nn.init.zeros_(module.bias)
    return net


def build(run: tuple, device: torch.device):
    """(parameters with the network set, network) of one entry of :data:`RUNS`."""
    _, module, model = run
    params = importlib.import_module(f"pytracking.parameter.{module}").parameters()
    torch.manual_seed(0)
    net = zero_regression(PUBLISHED[model].build()) if model else siamfc_random_network(seed=0)
    params.net = net.to(device).eval()
    params.use_gpu = device.type == "cuda"
    return params, params.net


def network_job(net: torch.nn.Module, params, device: torch.device):
    """A job timing one per-frame network pass (template cached) in ms."""
    z = torch.rand(1, 3, params.exemplar_sz, params.exemplar_sz, device=device) * 255
    crops = params.num_scales if hasattr(params, "num_scales") else 1
    x = torch.rand(crops, 3, params.instance_sz, params.instance_sz, device=device) * 255
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    with torch.no_grad():
        kernel = net.template(z)

    def job() -> float:
        with torch.no_grad():
            start = time.perf_counter()
            if hasattr(net, "rpn"):
                net.rpn(kernel, net.search(x))
            else:
                net.score(kernel, net.search(x))
            sync()
            return 1000.0 * (time.perf_counter() - start)
    return job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--frames", type=int, default=10, help="frames per tracking run")
    parser.add_argument("--repeats", type=int, default=5, help="timed network passes per net")
    parser.add_argument("--width", type=int, default=640, help="frame width")
    parser.add_argument("--height", type=int, default=360, help="frame height")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--skip", nargs="*", default=[], help="labels (substrings) to leave out")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    np.seterr(all="ignore")  # random classification logits may overflow softmax: harmless here
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    runs = {k: v for k, v in RUNS.items() if not any(s in k for s in args.skip)}
    seq = generate_sequence(seed=0, num_frames=args.frames + 1,
                            image_size=(args.width, args.height))
    frames = [np.asarray(f) for f in seq.frames]
    box = [float(v) for v in seq.boxes[0]]
    built = {label: build(run, device) for label, run in runs.items()}
    print(f"Published Siamese trackers, {args.frames} frames of {args.width}x{args.height}, "
          f"device {args.device}, {args.threads} threads, torch {torch.__version__}")

    jobs = {label: network_job(net, params, device) for label, (params, net) in built.items()}
    interleaved_medians(jobs, 1)  # warm-up
    print(f"Network pass per frame (template cached), median of {args.repeats} interleaved:")
    for label, ms in interleaved_medians(jobs, args.repeats).items():
        print(f"  {label:38s} {ms:8.1f} ms")

    trackers = {label: runs[label][0](params) for label, (params, _) in built.items()}
    lockstep_frame_times(trackers, frames[:2], box)  # warm-up
    times = lockstep_frame_times(trackers, frames, box)
    print("Tracking speed (initialisation excluded; FPS = 1 / median frame time, mean in "
          "brackets):")
    fps = {}
    for label, values in times.items():
        fps[label] = 1.0 / statistics.median(values)
        print(f"  {label:38s} {fps[label]:7.2f} FPS  ({len(values) / sum(values):.2f})")
    for fc in (s for s in SIAMFC_LABELS if s in fps):
        for label in fps:
            if label in SIAMFC_LABELS:
                continue
            verdict = "faster" if fps[label] > fps[fc] else "NOT faster"
            print(f"{label} is {verdict} than {fc}: {fps[label]:.2f} vs {fps[fc]:.2f} FPS")


if __name__ == "__main__":
    main()
