"""Winograd F(4x4, 3x3) convolution for CPU inference.

A 3x3, stride-1 convolution computed on 4x4 output tiles with 36 instead of 144 multiplications per
tile and channel pair: 1.5-2.5x faster than torch's direct convolution at the sizes of ATOM's
ResNet-18 blocks and IoU-Net branch on a CPU (benchmarks/bench_cpu_kernels.py). The result
equals the convolution up to float32 rounding: the transforms add errors of a few 1e-6 relative
to the largest output (the tests bound it by 2e-5).

The work is done by the compiled module of :mod:`pytracking.libs.cpu_kernels` (see there for the
build). Inputs are float32 CPU tensors, channels-last; channel counts are multiples of 8
(:func:`supports` checks a convolution module).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import torch
import torch.nn as nn

from pytracking.libs.cpu_kernels import load_kernel, missing_reason, refuse_grad, require_kernel
from pytracking.libs.derived_cache import DerivedCache

# load_kernel / missing_reason are re-exported: callers ask this module whether it can run
__all__ = ["G", "B_T", "A_T", "MIN_TILES", "load_kernel", "missing_reason", "supports", "worthwhile",
           "transform_weight", "weight_tiles", "conv3x3"]

# F(4x4, 3x3) with the interpolation points 0, 1, -1, 2, -2 and infinity (Lavin & Gray 2016):
# y = A^T [(G g G^T) * (B^T d B)] A for a 3x3 filter g and a 6x6 input tile d.
G = torch.tensor([[1 / 4, 0, 0],
                  [-1 / 6, -1 / 6, -1 / 6],
                  [-1 / 6, 1 / 6, -1 / 6],
                  [1 / 24, 1 / 12, 1 / 6],
                  [1 / 24, -1 / 12, 1 / 6],
                  [0, 0, 1]], dtype=torch.float64)
B_T = torch.tensor([[4, 0, -5, 0, 1, 0],
                    [0, -4, -4, 1, 1, 0],
                    [0, 4, -4, -1, 1, 0],
                    [0, -2, -1, 2, 1, 0],
                    [0, 2, -1, -2, 1, 0],
                    [0, 4, 0, -5, 0, 1]], dtype=torch.float64)
A_T = torch.tensor([[1, 1, 1, 1, 1, 0],
                    [0, 1, -1, 2, -2, 0],
                    [0, 1, 1, 4, 4, 0],
                    [0, 1, -1, 8, -8, 1]], dtype=torch.float64)

# Below this many 4x4 output tiles per image torch's direct convolution is as fast or faster: the
# transformed weight (36 x I x O floats, 9.4 MB for 256 -> 256) is read whatever the output size.
# Measured on 2 cores (AVX2) for ATOM's IoU-Net branch: 12 x 12 outputs break even, 6 x 6 outputs
# take 1.5-2x longer than direct, 26 x 26 outputs half as long.
MIN_TILES = 9


def supports(conv: nn.Module) -> bool:
    """Whether ``conv`` is a convolution this kernel computes: an ``nn.Conv2d`` with a 3x3 float32
    CPU kernel, stride 1, dilation 1, one group, zero padding, channel counts multiples of 8."""
    return (isinstance(conv, nn.Conv2d) and conv.kernel_size == (3, 3) and conv.stride == (1, 1)
            and conv.dilation == (1, 1) and conv.groups == 1 and conv.padding_mode == "zeros"
            and not isinstance(conv.padding, str) and conv.in_channels % 8 == 0 and conv.out_channels % 8 == 0
            and conv.weight.dtype == torch.float32 and conv.weight.device.type == "cpu")


def worthwhile(out_h: int, out_w: int) -> bool:
    """Whether an ``out_h x out_w`` output has enough tiles (:data:`MIN_TILES`) to be faster by
    Winograd than by torch's direct convolution."""
    return math.ceil(out_h / 4) * math.ceil(out_w / 4) >= MIN_TILES


def transform_weight(weight: torch.Tensor) -> torch.Tensor:
    """``U[6a + b, i, o] = (G g G^T)[a, b]`` for the filter ``g = weight[o, i]`` (``O x I x 3 x 3``),
    computed in float64 and returned as contiguous float32 ``36 x I x O``."""
    if weight.dim() != 4 or tuple(weight.shape[2:]) != (3, 3):
        raise ValueError(f"transform_weight: expected an O x I x 3 x 3 weight, got {tuple(weight.shape)}")
    g = G.to(weight.device)
    u = torch.einsum("ak,oikl,bl->abio", g, weight.detach().double(), g)
    return u.reshape(36, weight.shape[1], weight.shape[0]).float().contiguous()


_tiles: DerivedCache[torch.Tensor] = DerivedCache()


def weight_tiles(conv: nn.Conv2d) -> torch.Tensor:
    """:func:`transform_weight` of ``conv.weight``, cached per module and redone when the weight
    tensor is replaced or changed in place."""
    return _tiles.get(conv, (conv.weight,), lambda: transform_weight(conv.weight))


def conv3x3(x: torch.Tensor, conv: nn.Conv2d, residual: Optional[torch.Tensor] = None, relu: bool = False,
            padding: Optional[Sequence[int]] = None) -> torch.Tensor:
    """``conv(x)`` (+ ``residual``, then ReLU if ``relu``) by the Winograd kernel, channels-last.

    ``padding``: zero padding ``(top, bottom, left, right)``; default ``conv.padding`` on every side.
    ``conv`` must pass :func:`supports`; the kernel must be built. Inference only: no gradients
    flow through it, so it refuses tensors that require them while autograd is on. The fused ReLU
    maps NaN to 0 (torch's keeps NaN)."""
    kernel = require_kernel("winograd")
    if not supports(conv):
        raise ValueError(f"winograd conv3x3: unsupported convolution {conv}")
    if padding is None:
        padding = (conv.padding[0], conv.padding[0], conv.padding[1], conv.padding[1])
    if len(padding) != 4:
        raise ValueError(f"winograd conv3x3: padding must be (top, bottom, left, right), got {padding!r}")
    refuse_grad("winograd conv3x3", x, residual, conv.weight, conv.bias)
    x = x.contiguous(memory_format=torch.channels_last)
    if residual is not None:
        residual = residual.contiguous(memory_format=torch.channels_last)
    bias = None if conv.bias is None else conv.bias.detach()
    return kernel.conv3x3(x, weight_tiles(conv), bias, residual, relu, *(int(p) for p in padding))
