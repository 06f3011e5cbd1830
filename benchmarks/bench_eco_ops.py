"""Speed of ECO's compiled operators against their torch (OpenCV) versions, at ECO-HC's sizes on one thread.

* ``spectrum_reg``: the spatial-regularization operator W^H W (RegOperator) on the filter's half
  spectra (FHOG block 10 x 35 x 18 and colour-names block 3 x 53 x 27, a 5 x 5 cross-shaped kernel
  as ECO's sparsified window gives for a 212-pixel sample);
* ``filter_data_term``: the data part of the filter's normal equations (FilterCG.data_term) with 30
  mixture components;
* ``resize_area_u8``: the 17 scale samples of a 65 x 56 target (DragonBaby's first box) area-averaged
  to the scale model's 24 x 21 pixels (region.resize_boxes_auto), against OpenCV's resize per box
  (the "torch" column here; the same pixels).

Calls are timed in alternation (minimum and median over the repeats).
Run: python benchmarks/bench_eco_ops.py [--repeats 200]
"""
import argparse
import sys

import numpy as np
import torch

from bench_cpu_kernels import interleaved_times, report
from pytracking.libs.cpu_kernels import compiled_op, missing_reason
from pytracking.tracker.eco.continuous import RegOperator
from pytracking.tracker.eco.optim import FilterCG
from pytracking.tracker.eco.region import resize_boxes_auto

BLOCKS = [(10, 35, 18), (3, 53, 27)]
OUTPUT_GRID = (53, 27)
CROSS = torch.tensor([[0.0, 0.0, 0.0078, 0.0, 0.0], [0.0, 0.0, -0.0311, 0.0, 0.0],
                      [0.0105, -0.0419, 0.1095, -0.0419, 0.0105],
                      [0.0, 0.0, -0.0311, 0.0, 0.0], [0.0, 0.0, 0.0078, 0.0, 0.0]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed calls per case (default 200)")
    args = parser.parse_args()
    if any(compiled_op(name, None) is None for name in ("spectrum_reg", "filter_data_term", "resize_area_u8")):
        print(f"error: the compiled ECO kernels are not built: {missing_reason()}", file=sys.stderr)
        return 1
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)

    def spectra(*lead: int) -> list:
        return [torch.complex(torch.randn(*lead, *b, generator=gen), torch.randn(*lead, *b, generator=gen))
                for b in BLOCKS]

    filters, samples = spectra(), spectra(30)
    weights = torch.full((30,), 1 / 30)
    reg = {name: RegOperator(CROSS, use_kernel=flag) for name, flag in (("torch", False), ("kernel", True))}
    cg = {}
    for name, flag in (("torch", False), ("kernel", True)):
        cg[name] = FilterCG(torch.ones(*OUTPUT_GRID, dtype=torch.complex64), reg[name], 0.0, use_kernel=flag)
        cg[name].set_problem(samples, weights, [torch.ones(b) for b in BLOCKS])
    # the scale samples: sizes floor(target * 1.02 ** (33 / 17 * (i - 8))), boxes in one region
    factors = 1.02 ** (33 / 17 * (np.arange(17) - 8))
    sizes = np.floor(np.array([[65.0, 56.0]]) * factors[:, None]).astype(np.int64)
    region = np.random.default_rng(0).integers(0, 256, (int(sizes[:, 0].max()), int(sizes[:, 1].max()), 3),
                                               dtype=np.uint8)
    boxes = np.concatenate([(sizes.max(0) - sizes) // 2, sizes], axis=1)
    timed = interleaved_times({"scale opencv": lambda: resize_boxes_auto(region, boxes, (24, 21), use_kernel=False),
                               "scale kernel": lambda: resize_boxes_auto(region, boxes, (24, 21), use_kernel=True),
                               "reg torch": lambda: reg["torch"].apply(filters),
                               "reg kernel": lambda: reg["kernel"].apply(filters),
                               "data torch": lambda: cg["torch"].data_term(filters),
                               "data kernel": lambda: cg["kernel"].data_term(filters)}, args.repeats)
    print(f"{'case (ms per call)':<42}{'torch':>8}{'median':>8}{'kernel':>8}{'median':>8}{'speed-up':>9}{'median':>7}")
    report("spectrum_reg (2 blocks)", timed, "reg torch", "reg kernel")
    report("filter_data_term (2 blocks, 30 samples)", timed, "data torch", "data kernel")
    report("resize_area_u8 (17 scale samples)", timed, "scale opencv", "scale kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
