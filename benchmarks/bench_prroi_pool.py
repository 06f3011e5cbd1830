"""Speed of PrRoIPool: C++ CPU kernel vs the pure-PyTorch reference, at the sizes ATOM uses.

Prints, per call, the forward time, the forward+backward time with gradients to features and
boxes, and (tracking sizes) with gradients to the boxes only, as ATOM's box refinement needs;
minimum and median over interleaved calls, and the reference/C++ ratios. Target: C++ >= 5x
faster than the reference on forward+backward at the tracking sizes.
Run: python benchmarks/bench_prroi_pool.py [--threads 2] [--repeats N]
"""
import argparse
import sys
import time
from typing import Callable, Dict, List, Tuple

import torch

from prroi_pool import prroi_pool2d
from prroi_pool.backend import load_extension

IMAGE_SIZE = 288.0  # ATOM's search-region crop; stride 8 -> 36x36, stride 16 -> 18x18
TRACKING_BOXES = 10
TRAINING_IMAGES, TRAINING_PROPOSALS = 64, 16


def make_case(images: int, boxes_per_image: int, size: int, seed: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Features [images, 256, size, size] and boxes of 30..120 px around the crop centre."""
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(images, 256, size, size, generator=g)
    n = images * boxes_per_image
    wh = 30 + 90 * torch.rand(n, 2, generator=g)
    centre = IMAGE_SIZE / 2 + 40 * (torch.rand(n, 2, generator=g) - 0.5)
    batch = torch.arange(images).repeat_interleave(boxes_per_image).float()
    rois = torch.cat([batch[:, None], centre - wh / 2, centre + wh / 2], dim=1)
    return features, rois


def make_calls(features: torch.Tensor, rois: torch.Tensor, pooled: int, scale: float, backend: str) -> Dict[str, Callable[[], None]]:
    """Forward; forward+backward to features and boxes (training); forward+backward to the
    boxes only (ATOM's IoU-guided box refinement while tracking: the features are fixed)."""
    feats = features.clone().requires_grad_(True)
    boxes = rois.clone().requires_grad_(True)

    def forward() -> None:
        with torch.no_grad():
            prroi_pool2d(features, rois, pooled, pooled, scale, backend=backend)

    def forward_backward() -> None:
        out = prroi_pool2d(feats, boxes, pooled, pooled, scale, backend=backend)
        out.backward(torch.ones_like(out))

    def forward_backward_boxes() -> None:
        out = prroi_pool2d(features, boxes, pooled, pooled, scale, backend=backend)
        out.backward(torch.ones_like(out))

    return {"fwd": forward, "fwd+bwd": forward_backward, "fwd+bwd(boxes)": forward_backward_boxes}


def interleaved_times(calls: Dict[Tuple[str, str], Callable[[], None]], repeats: int) -> Dict[Tuple[str, str], Tuple[float, float]]:
    """(minimum, median) seconds per call of each callable, timed in alternation after one
    warm-up round, so that a changing machine load affects all of them alike."""
    times: Dict[Tuple[str, str], List[float]] = {name: [] for name in calls}
    for round_index in range(repeats + 1):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            if round_index > 0:
                times[name].append(time.perf_counter() - start)
    return {name: (min(values), sorted(values)[len(values) // 2]) for name, values in times.items()}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per tracking case (training: a fifth, at least 3)")
    args = parser.parse_args(argv)
    if load_extension("cpu") is None:
        print("prroi_pool._C is not built: run `python -m prroi_pool.build` first", file=sys.stderr)
        return 1
    torch.set_num_threads(args.threads)
    tracking_passes = ("fwd", "fwd+bwd", "fwd+bwd(boxes)")
    training_passes = ("fwd", "fwd+bwd")
    training_repeats = max(3, args.repeats // 5)
    cases = [
        ("tracking 1x256x36x36 s8 5x5, 10 boxes", 1, TRACKING_BOXES, 36, 8, 5, args.repeats, tracking_passes),
        ("tracking 1x256x18x18 s16 3x3, 10 boxes", 1, TRACKING_BOXES, 18, 16, 3, args.repeats, tracking_passes),
        ("training 64x256x36x36 s8 5x5, 64x16 boxes", TRAINING_IMAGES, TRAINING_PROPOSALS, 36, 8, 5, training_repeats, training_passes),
        ("training 64x256x18x18 s16 3x3, 64x16 boxes", TRAINING_IMAGES, TRAINING_PROPOSALS, 18, 16, 3, training_repeats, training_passes),
    ]
    print(f"PrRoIPool CPU benchmark, torch {torch.__version__}, {torch.get_num_threads()} threads, float32, ms per call")
    kernel_isa = getattr(load_extension("cpu"), "kernel_isa", None)
    code = f", C++ kernel code: {kernel_isa()}" if kernel_isa is not None else ""
    print(f"(min and median of calls interleaved between the backends; ratio = reference / C++{code})")
    header = (f"{'case':44s} {'pass':15s} {'C++ min':>8s} {'C++ med':>8s} {'ref min':>9s} {'ref med':>9s} "
              f"{'ratio min':>9s} {'ratio med':>9s}")
    print(header)
    print("-" * len(header))
    for name, images, boxes, size, stride, pooled, repeats, passes in cases:
        features, rois = make_case(images, boxes, size, seed=size + images)
        calls = {}
        for backend in ("compiled", "reference"):
            for kind, fn in make_calls(features, rois, pooled, 1.0 / stride, backend).items():
                if kind in passes:
                    calls[(backend, kind)] = fn
        results = interleaved_times(calls, repeats)
        for kind in passes:
            (c_min, c_med), (r_min, r_med) = results[("compiled", kind)], results[("reference", kind)]
            print(f"{name:44s} {kind:15s} {1e3 * c_min:8.3f} {1e3 * c_med:8.3f} {1e3 * r_min:9.3f} {1e3 * r_med:9.3f} "
                  f"{r_min / c_min:8.1f}x {r_med / c_med:8.1f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
