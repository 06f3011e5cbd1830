"""Speed of ECO's compiled operators against their torch versions, at ECO-HC's sizes on one thread.

* ``spectrum_reg``: the spatial-regularization operator W^H W (RegOperator) on the filter's half
  spectra (FHOG block 10 x 35 x 18 and colour-names block 3 x 53 x 27, a 5 x 5 cross-shaped kernel
  as ECO's sparsified window gives for a 212-pixel sample);
* ``filter_data_term``: the data part of the filter's normal equations (FilterCG.data_term) with 30
  mixture components.

Calls are timed in alternation (minimum and median over the repeats).
Run: python benchmarks/bench_eco_ops.py [--repeats 200]
"""
import argparse
import sys

import torch

from bench_cpu_kernels import interleaved_times, report
from pytracking.libs.cpu_kernels import compiled_op, missing_reason
from pytracking.tracker.eco.continuous import RegOperator
from pytracking.tracker.eco.optim import FilterCG

BLOCKS = [(10, 35, 18), (3, 53, 27)]
OUTPUT_GRID = (53, 27)
CROSS = torch.tensor([[0.0, 0.0, 0.0078, 0.0, 0.0], [0.0, 0.0, -0.0311, 0.0, 0.0],
                      [0.0105, -0.0419, 0.1095, -0.0419, 0.0105],
                      [0.0, 0.0, -0.0311, 0.0, 0.0], [0.0, 0.0, 0.0078, 0.0, 0.0]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed calls per case (default 200)")
    args = parser.parse_args()
    if compiled_op("spectrum_reg", None) is None or compiled_op("filter_data_term", None) is None:
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
    timed = interleaved_times({"reg torch": lambda: reg["torch"].apply(filters),
                               "reg kernel": lambda: reg["kernel"].apply(filters),
                               "data torch": lambda: cg["torch"].data_term(filters),
                               "data kernel": lambda: cg["kernel"].data_term(filters)}, args.repeats)
    print(f"{'case (ms per call)':<42}{'torch':>8}{'median':>8}{'kernel':>8}{'median':>8}{'speed-up':>9}{'median':>7}")
    report("spectrum_reg (2 blocks)", timed, "reg torch", "reg kernel")
    report("filter_data_term (2 blocks, 30 samples)", timed, "data torch", "data kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
