"""Speed of the compiled CPU kernels (pytracking.libs.cpu_kernels) against what they replace.

* Winograd F(4x4, 3x3) convolution vs torch's convolution (oneDNN, channels-last) for the 3x3
  stride-1 convolutions of ATOM's ResNet-18 at the 288 x 288 search area (layer1: 64 x 72 x 72,
  layer2: 128 x 36 x 36, layer3: 256 x 18 x 18) and an IoU-Net branch window (256 x 14 x 20 cells);
  plus a whole ResNet basic block (two convolutions, residual, ReLUs);
* the fused ResNet stem (7x7/2 convolution, ReLU, 3x3/2 max pooling) vs torch's three operations;
* the backbone to layer3 with both (fused stem and Winograd blocks) vs torch.
* The IoU-Net head's output and input gradient for 10 boxes (K = 6400 and 2304 inputs, 256 units):
  the two-pass kernel on one weight copy vs the two prepacked oneDNN products (PackedLinear).

Calls are timed in alternation (minimum and median over the repeats), so that a changing machine
load affects both sides alike; the ratio is torch/kernel.
Run: python benchmarks/bench_cpu_kernels.py [--threads 2] [--repeats 60]
"""
import argparse
import copy
import sys
import time
from typing import Callable, Dict, List, Tuple

import torch
import torch.nn as nn

from ltr.models.backbone.resnet import resnet18
from pytracking.features.net_wrappers import fold_batchnorm
from pytracking.features.cpu_backbone import use_fused_stem, use_winograd_blocks
from pytracking.libs.cpu_kernels import load_kernel, missing_reason, winograd
from pytracking.libs.cpu_kernels.relu_linear import relu_linear_grad
from pytracking.libs.packed_linear import PackedLinear


def interleaved_times(calls: Dict[str, Callable[[], object]], repeats: int) -> Dict[str, Tuple[float, float]]:
    """(minimum, median) milliseconds per call of each callable, in alternation after a warm-up."""
    times: Dict[str, List[float]] = {name: [] for name in calls}
    for fn in calls.values():
        for _ in range(3):
            fn()
    for _ in range(repeats):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t) * 1e3, sorted(t)[len(t) // 2] * 1e3) for name, t in times.items()}


def report(case: str, timed: Dict[str, Tuple[float, float]], torch_name: str, kernel_name: str) -> None:
    (t_min, t_med), (k_min, k_med) = timed[torch_name], timed[kernel_name]
    print(f"{case:<42}{t_min:8.2f}{t_med:8.2f}{k_min:8.2f}{k_med:8.2f}{t_min / k_min:8.2f}x{t_med / k_med:6.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--repeats", type=int, default=60, help="timed calls per case (default 60)")
    args = parser.parse_args()
    if load_kernel() is None:
        print(f"error: {missing_reason()}", file=sys.stderr)
        return 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"{args.threads} thread(s); times in ms (min, median); ratio = torch / kernel")
    print(f"{'case':<42}{'torch':>16}{'kernel':>16}{'ratio':>15}")
    with torch.no_grad():
        for name, channels, h, w in (("3x3 conv layer1 64x72x72", 64, 72, 72), ("3x3 conv layer2 128x36x36", 128, 36, 36),
                                     ("3x3 conv layer3 256x18x18", 256, 18, 18),
                                     ("3x3 conv IoU window 256x14x20", 256, 14, 20)):
            conv = nn.Conv2d(channels, channels, 3, padding=1).requires_grad_(False)
            conv = conv.to(memory_format=torch.channels_last)
            x = torch.randn(1, channels, h, w).contiguous(memory_format=torch.channels_last)
            timed = interleaved_times({"torch": lambda: conv(x), "kernel": lambda: winograd.conv3x3(x, conv)},
                                      args.repeats)
            report(name, timed, "torch", "kernel")

        net = fold_batchnorm(resnet18(output_layers=["layer3"]).eval().requires_grad_(False))
        net = net.to(memory_format=torch.channels_last)
        fast = copy.deepcopy(net)
        use_winograd_blocks(fast)
        use_fused_stem(fast)
        image = torch.randn(1, 3, 288, 288).contiguous(memory_format=torch.channels_last)
        timed = interleaved_times({"torch": lambda: net.maxpool(net.relu(net.conv1(image))),
                                   "kernel": lambda: fast.fused_stem(fast, image)}, args.repeats)
        report("stem 7x7/2 conv + ReLU + max-pool, 288x288", timed, "torch", "kernel")
        x = torch.randn(1, 64, 72, 72).contiguous(memory_format=torch.channels_last)
        timed = interleaved_times({"torch": lambda: net.layer1[1](x), "kernel": lambda: fast.layer1[1](x)},
                                  args.repeats)
        report("basic block layer1.1 (2 convs, residual)", timed, "torch", "kernel")
        timed = interleaved_times({"torch": lambda: net(image, ["layer2", "layer3"]),
                                   "kernel": lambda: fast(image, ["layer2", "layer3"])}, max(args.repeats // 3, 5))
        report("ResNet-18 to layer3, 288x288", timed, "torch", "kernel")

        for k in (6400, 2304):
            weight, bias, out_weight = torch.randn(256, k) / k ** 0.5, torch.randn(256), torch.randn(256)
            rows = torch.randn(10, k)
            forward, input_grad = PackedLinear(weight, bias), PackedLinear(weight.t().contiguous())

            def packed() -> None:
                pre = forward(rows)
                pre.clamp_min(0) @ out_weight
                input_grad((pre > 0).float() * out_weight)

            timed = interleaved_times({"torch": packed,
                                       "kernel": lambda: relu_linear_grad(rows, weight, bias, out_weight, True)},
                                      args.repeats)
            report(f"IoU head K={k}: output + input gradient", timed, "torch", "kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
