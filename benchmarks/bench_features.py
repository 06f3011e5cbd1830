"""Speed of the hand-crafted features (pytracking.features.handcrafted) on one 300 x 300 patch.

FHOG (cell 4, 31 channels) by the compiled kernel (AVX2 and generic bodies) and by the torch
version, nearest and soft orientation binning, RGB and grey; colour names (kernel and torch
version) and intensity (cell 4).
Target: FHOG of a 300 x 300 RGB patch well under 2 ms on one core (the kernel).

Calls are timed in alternation (minimum and median over the repeats), so that a changing machine
load affects all alike. Run: python benchmarks/bench_features.py [--threads 1] [--repeats 40]
"""
import argparse
import sys
from typing import Callable, Dict

import torch

from bench_cpu_kernels import interleaved_times
from pytracking.features.handcrafted import ColorNames, Intensity, fhog, fhog_kernel_available
from pytracking.libs.cpu_kernels import load_kernel, missing_reason


def with_isa(avx2: bool, fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` run with the kernel's AVX2 (True) or generic (False) bodies."""
    def call() -> object:
        previous = load_kernel().use_avx2(avx2)
        try:
            return fn()
        finally:
            load_kernel().use_avx2(previous)
    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--repeats", type=int, default=40, help="timed calls per case (default 40)")
    parser.add_argument("--size", type=int, default=300, help="patch side in pixels (default 300)")
    args = parser.parse_args()
    if not fhog_kernel_available():
        print(f"error: the compiled FHOG kernel is not available: {missing_reason()}", file=sys.stderr)
        return 1
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    rgb = torch.randint(0, 256, (1, 3, args.size, args.size), generator=generator).float()
    grey = rgb[:, :1].contiguous()
    has_avx2 = load_kernel().cpu_has_avx2_fma()
    print(f"{args.size}x{args.size} patch, {args.threads} thread(s), kernel ISA available: "
          f"{'avx2' if has_avx2 else 'generic only'}")
    print(f"{'case':<44}{'min ms':>9}{'median ms':>11}")
    for soft in (False, True):
        binning = "soft" if soft else "nearest"
        calls: Dict[str, Callable[[], object]] = {}
        for name, im in (("RGB", rgb), ("grey", grey)):
            def kernel(im: torch.Tensor = im, soft: bool = soft) -> torch.Tensor:
                return fhog(im, 4, soft, use_kernel=True)

            if has_avx2:
                calls[f"FHOG {binning}, {name}, kernel avx2"] = with_isa(True, kernel)
            calls[f"FHOG {binning}, {name}, kernel generic"] = with_isa(False, kernel)
            calls[f"FHOG {binning}, {name}, torch version"] = \
                lambda im=im, soft=soft: fhog(im, 4, soft, use_kernel=False)
        for case, (t_min, t_med) in interleaved_times(calls, args.repeats).items():
            print(f"{case:<44}{t_min:9.2f}{t_med:11.2f}")
    cn, cn_torch = ColorNames(cell_size=4, use_kernel=True), ColorNames(cell_size=4, use_kernel=False)
    intensity = Intensity(cell_size=4)
    cn.initialize()
    cn_torch.initialize()
    timed = interleaved_times({"colour names, RGB, kernel": lambda: cn.extract(rgb),
                               "colour names, RGB, torch version": lambda: cn_torch.extract(rgb),
                               "colour names, grey, kernel": lambda: cn.extract(grey),
                               "colour names, grey, torch version": lambda: cn_torch.extract(grey),
                               "intensity, RGB": lambda: intensity.extract(rgb)}, args.repeats)
    for case, (t_min, t_med) in timed.items():
        print(f"{case:<44}{t_min:9.2f}{t_med:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
