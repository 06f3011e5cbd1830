"""GPU checks of issue 22 that need more than a test run: PrRoIPool CUDA against the C++ kernel and
the reference, PrRoIPool speed on the GPU, and ATOM tracking on the GPU against the CPU.

Run by ``tools/gpu_check.sh`` (which also builds the kernels, runs the CUDA tests and a few
training iterations); on its own: ``python tools/gpu_check.py [--device cuda] [--frames 40]``.
``--device cpu`` runs the same code without a GPU (the C++ kernel against the reference, ATOM on
the CPU twice): a dry run of this script. Prints one line per check, ``PASS`` or ``FAIL`` first,
and exits 1 when a check failed.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Callable, List, Tuple

import numpy as np
import torch

from prroi_pool import prroi_pool2d

logger = logging.getLogger("gpu_check")
RESULTS: List[Tuple[bool, str]] = []


def check(ok: bool, what: str) -> None:
    RESULTS.append((bool(ok), what))
    print(f"{'PASS' if ok else 'FAIL'}  {what}", flush=True)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# ---------------------------------------------------------------------------------- PrRoIPool
def prroi_case(device: torch.device, dtype: torch.dtype, size: Tuple[int, int], scale: float,
               seed: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Features [2, 5, H, W] and 7 boxes on ``device``: ordinary ones, one crossing the border,
    one of zero width, one of zero area, one outside the map. No bin edge of the ordinary boxes
    lies on a feature-grid line: there the box gradient has a kink, and the two one-sided
    derivatives (which the kernels and the reference may pick differently) differ."""
    g = torch.Generator().manual_seed(seed)
    h, w = size
    feats = torch.randn(2, 5, h, w, generator=g, dtype=torch.float64)
    boxes = [[0, 1.3, 0.7, 6.3, 5.9], [1, 0.2, 1.1, w / scale - 0.4, h / scale - 1.3], [0, -3.5, -2.0, 4.4, 3.1],
             [1, 2.0, 1.0, 2.0, 5.0], [0, 3.3, 3.3, 3.3, 3.3], [1, w / scale + 2, 1.0, w / scale + 6, 4.0],
             [0, 0.51, 0.49, 3.77, 2.13]]
    rois = torch.tensor(boxes, dtype=torch.float64)
    return feats.to(device=device, dtype=dtype), rois.to(device=device, dtype=dtype)


def pool_and_grads(feats: torch.Tensor, rois: torch.Tensor, pooled: Tuple[int, int], scale: float,
                   backend: str) -> List[torch.Tensor]:
    f = feats.detach().clone().requires_grad_(True)
    r = rois.detach().clone().requires_grad_(True)
    out = prroi_pool2d(f, r, pooled[0], pooled[1], scale, backend=backend)
    weights = torch.linspace(-1.0, 1.0, out.numel(), dtype=out.dtype, device=out.device).reshape(out.shape)
    (out * weights).sum().backward()
    return [out.detach().cpu().double(), f.grad.detach().cpu().double(), r.grad.detach().cpu().double()]


def prroi_agreement(device: torch.device) -> None:
    """Forward and both gradients: the kernel on ``device`` against the reference (on the CPU, in
    float64) and, on a GPU, against the C++ CPU kernel; float32 and float64, odd sizes."""
    cases = [((7, 9), (3, 5), 1.0), ((13, 11), (7, 7), 0.5), ((5, 5), (2, 3), 2.0)]
    for dtype, rtol, atol in ((torch.float32, 1e-4, 1e-5), (torch.float64, 1e-9, 1e-10)):
        for i, (size, pooled, scale) in enumerate(cases):
            feats, rois = prroi_case(device, dtype, size, scale, seed=i)
            got = pool_and_grads(feats, rois, pooled, scale, "compiled")
            ref = pool_and_grads(feats.cpu().double(), rois.cpu().double(), pooled, scale, "reference")
            names = ("output", "grad features", "grad boxes")
            errors = [float((g - r).abs().max()) for g, r in zip(got, ref)]
            ok = all(torch.allclose(g, r, rtol=rtol, atol=atol) for g, r in zip(got, ref))
            check(ok, f"PrRoIPool {device.type} {str(dtype)[6:]} {size} -> {pooled} scale {scale}: max |kernel - "
                      f"reference| " + ", ".join(f"{n} {e:.2e}" for n, e in zip(names, errors)))
            if device.type == "cuda":
                cpu = pool_and_grads(feats.cpu(), rois.cpu(), pooled, scale, "compiled")
                ok = all(torch.allclose(g, c, rtol=rtol, atol=atol) for g, c in zip(got, cpu))
                check(ok, f"PrRoIPool cuda vs C++ {str(dtype)[6:]} {size}: max difference "
                          f"{max(float((g - c).abs().max()) for g, c in zip(got, cpu)):.2e}")


def timed(fn: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median milliseconds per call."""
    for _ in range(3):
        fn()
    sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def prroi_speed(device: torch.device, repeats: int) -> None:
    """ATOM's sizes: tracking (1 image, 10 boxes, 256 x 36 x 36) and training (64 images x 16)."""
    for label, images, per_image, size in (("tracking", 1, 10, 36), ("training", 64, 16, 36)):
        g = torch.Generator().manual_seed(0)
        feats = torch.randn(images, 256, size, size, generator=g).to(device)
        n = images * per_image
        wh = 30 + 90 * torch.rand(n, 2, generator=g)
        centre = 144 + 40 * (torch.rand(n, 2, generator=g) - 0.5)
        rois = torch.cat([torch.arange(images).repeat_interleave(per_image).float()[:, None], centre - wh / 2,
                          centre + wh / 2], 1).to(device)
        line = []
        for backend in ("compiled", "reference"):
            f = feats.clone().requires_grad_(True)
            r = rois.clone().requires_grad_(True)

            def fwd_bwd(f=f, r=r, backend=backend) -> None:
                prroi_pool2d(f, r, 5, 5, 0.125, backend=backend).sum().backward()

            with torch.no_grad():
                fwd = timed(lambda: prroi_pool2d(feats, rois, 5, 5, 0.125, backend=backend), device, repeats)
            line.append(f"{backend} forward {fwd:.3f} ms, forward+backward {timed(fwd_bwd, device, repeats):.3f} ms")
        print(f"INFO  PrRoIPool on {device.type}, {label} ({images} x {per_image} boxes): " + "; ".join(line))


# ---------------------------------------------------------------------------------------- ATOM
def run_atom(device: str, frames: int) -> Tuple[np.ndarray, float]:
    from pytracking.evaluation import get_dataset
    from pytracking.parameter.atom.default import parameters
    from pytracking.tracker.atom import ATOM
    from pytracking.utils.image_io import read_frame

    seq = get_dataset("synthetic")[0]
    images = [read_frame(f) for f in seq.frames[:frames]]
    params = parameters()
    params.device = device
    tracker = ATOM(params)
    box = [float(v) for v in seq.ground_truth_rect[0]]
    tracker.initialize(images[0], {"init_bbox": box})
    boxes = [box]
    sync(torch.device(device))
    start = time.perf_counter()
    for im in images[1:]:
        boxes.append(tracker.track(im)["target_bbox"])
    sync(torch.device(device))
    return np.asarray(boxes), (len(images) - 1) / (time.perf_counter() - start)


def atom_cpu_vs_device(device: torch.device, frames: int) -> None:
    from pytracking.analysis.metrics import iou_continuous

    run_atom("cpu", 5)                       # warm-up: network build, first allocations, autotuning
    run_atom(str(device), 5)
    cpu_boxes, cpu_fps = run_atom("cpu", frames)
    dev_boxes, dev_fps = run_atom(str(device), frames)
    iou = iou_continuous(dev_boxes, cpu_boxes)
    check(bool((iou > 0.9).all()), f"ATOM (seeded random network, synthetic sequence, {frames} frames) on "
                                   f"{device.type} against the CPU: min IoU {iou.min():.4f}, mean {iou.mean():.4f}")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"INFO  ATOM frames/s (first frame excluded): {device.type} ({name}) {dev_fps:.1f}, "
          f"CPU ({torch.get_num_threads()} threads) {cpu_fps:.1f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), or cpu for a dry run")
    parser.add_argument("--frames", type=int, default=40, help="frames of the ATOM comparison (default 40)")
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per PrRoIPool case (default 20)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print(f"error: no CUDA device (torch {torch.__version__}, CUDA {torch.version.cuda}); "
              "use --device cpu for a dry run", file=sys.stderr)
        return 2
    if device.type == "cuda":
        print(f"INFO  device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}, "
              f"CUDA {torch.version.cuda}", flush=True)
    prroi_agreement(device)
    prroi_speed(device, args.repeats)
    atom_cpu_vs_device(device, args.frames)
    failed = [what for ok, what in RESULTS if not ok]
    print(f"{len(RESULTS) - len(failed)} of {len(RESULTS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
