"""A ResNet stem for CPU inference: ``maxpool3x3/2(relu(conv7x7/2(x) + bias))`` in one pass.

The compiled kernel computes the convolution row by row and pools each group of three rows at once,
so the full-resolution activation (64 x 144 x 144 for ATOM's 288 x 288 patches) never goes to memory.
Same result as torch's convolution, ReLU and max pooling up to float32 summation order (for
finite inputs: the kernel's ReLU maps NaN to 0 where torch's keeps it).
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from pytracking.libs.cpu_kernels import refuse_grad, require_kernel
from pytracking.libs.derived_cache import DerivedCache

__all__ = ["supports", "packed_weight", "conv_relu_maxpool"]


def supports(conv: nn.Module, maxpool: nn.Module) -> bool:
    """Whether the kernel computes ``maxpool(relu(conv(x)))``: a float32 CPU ``nn.Conv2d`` 7x7,
    stride 2, padding 3, one group, out_channels a multiple of 16, and ``nn.MaxPool2d`` 3x3, stride 2,
    padding 1 (no dilation, no ceil mode)."""
    def pair(v):
        return v if isinstance(v, tuple) else (v, v)

    return (isinstance(conv, nn.Conv2d) and conv.kernel_size == (7, 7) and conv.stride == (2, 2)
            and conv.padding == (3, 3) and conv.dilation == (1, 1) and conv.groups == 1
            and conv.padding_mode == "zeros" and conv.out_channels % 16 == 0
            and conv.weight.dtype == torch.float32 and conv.weight.device.type == "cpu"
            and isinstance(maxpool, nn.MaxPool2d) and pair(maxpool.kernel_size) == (3, 3)
            and pair(maxpool.stride) == (2, 2) and pair(maxpool.padding) == (1, 1)
            and pair(maxpool.dilation) == (1, 1) and not maxpool.ceil_mode)


_packed: DerivedCache[torch.Tensor] = DerivedCache()


def packed_weight(conv: nn.Conv2d) -> torch.Tensor:
    """``conv.weight`` as ``[(ky * 7 + kx) * C + c, o]`` (contiguous), cached per module and redone
    when the weight tensor is replaced or changed in place."""
    weight = conv.weight
    return _packed.get(conv, (weight,),
                       lambda: weight.detach().permute(2, 3, 1, 0).reshape(-1, weight.shape[0]).contiguous())


def conv_relu_maxpool(x: torch.Tensor, conv: nn.Conv2d, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``max_pool2d(relu(conv(x)), 3, 2, 1)`` (channels-last output) for a ``conv`` that passes
    :func:`supports` (with a 3 x 3 / 2 / 1 max pooling). Inference only."""
    kernel = require_kernel("stem")
    refuse_grad("stem conv_relu_maxpool", x, conv.weight)
    if bias is None:
        bias = conv.bias.detach() if conv.bias is not None else x.new_zeros(conv.out_channels)
    return kernel.stem_conv_relu_maxpool(x.float(), packed_weight(conv), bias.contiguous())
